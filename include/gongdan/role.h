/* role.h - the five roles of SPEC §1 as one table: a code, a Chinese name
 * and what the role implies. Code asks the table (role_has) instead of
 * comparing role names. The codes are stored in users.role and
 * wf_transitions.role. */
#ifndef GD_ROLE_H
#define GD_ROLE_H

#include <stdbool.h>

enum role { ROLE_NONE = 0, ROLE_AGENT, ROLE_DISPATCHER, ROLE_HANDLER, ROLE_SUPERVISOR, ROLE_ADMIN, ROLE_COUNT };

enum role_flag {
	ROLE_SEES_ALL = 1 << 0,         /* every ticket is visible */
	ROLE_SEES_DEPARTMENT = 1 << 1,  /* tickets ever dispatched to the user's department */
	ROLE_SEES_OWN = 1 << 2,         /* tickets the user created (and a customer's history) */
	ROLE_CENTRE = 1 << 3,           /* belongs to the centre department (its default) */
	ROLE_HANDLING = 1 << 4,         /* needs a handling department */
	ROLE_TAKES_COMPLAINTS = 1 << 5, /* creates tickets */
	ROLE_ALL_POWERS = 1 << 6,       /* any action of any role, edits any draft, administers */
};

/* The role with this code; ROLE_NONE for anything else (NULL included). */
enum role role_parse(const char *code);
/* "agent", …; "" for ROLE_NONE. */
const char *role_code(enum role r);
/* 受理员, …; "" for ROLE_NONE. */
const char *role_name(enum role r);
bool role_has(enum role r, unsigned flags); /* any of flags */
/* "agent, dispatcher, handler, supervisor, admin", for error messages. */
const char *role_codes_text(void);

#endif
