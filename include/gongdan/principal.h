/* principal.h - who is calling: the user behind a session cookie or bearer
 * token, with the role and department that decide what they may see and do.
 * Filled by auth_identify(); read by core (visibility, workflow). */
#ifndef GD_PRINCIPAL_H
#define GD_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

struct principal {
	int64_t user_id;        /* 0: nobody (anonymous) */
	int64_t department_id;  /* 0 when the user has none */
	char username[64];
	char role[16];          /* agent, dispatcher, handler, supervisor, admin */
	bool via_token;         /* bearer token: no CSRF check */
	bool via_session;       /* session cookie: CSRF check on changes */
	char session_csrf[64];  /* the session's CSRF token (via_session only) */
};

/* True when p's role is r. */
static inline bool principal_is(const struct principal *p, const char *r)
{
	for (const char *a = p->role; ; a++, r++) {
		if (*a != *r)
			return false;
		if (!*a)
			return true;
	}
}

#endif
