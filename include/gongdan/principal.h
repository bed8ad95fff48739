/* principal.h - who is calling: the user behind a session cookie or bearer
 * token, with the role and department that decide what they may see and do.
 * Filled by auth_identify(); read by core (visibility, workflow). */
#ifndef GD_PRINCIPAL_H
#define GD_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

#include "gongdan/role.h"

struct principal {
	int64_t user_id;        /* 0: nobody (anonymous) */
	int64_t department_id;  /* 0 when the user has none */
	char username[64];
	enum role role;         /* ROLE_NONE for nobody */
	bool via_token;         /* bearer token: no CSRF check */
	bool via_session;       /* session cookie: CSRF check on changes */
	char session_csrf[64];  /* the session's CSRF token (via_session only) */
};

#endif
