/* users.h - user accounts: creating, changing, listing, and checking a
 * password at login. Used alike by the CLI (`gongdan user add`, the demo
 * seed) and the API (/api/v1/users, POST /api/v1/session).
 *
 * Rules (SPEC §1): role is one of agent, dispatcher, handler, supervisor,
 * admin. Agents, dispatchers and supervisors belong to the centre
 * department (kind 'centre', PCSC), which is also their default; handlers
 * need a handling department; admins may have any department or none.
 * Usernames: 1-63 of A-Z a-z 0-9 . _ - @ (case-sensitive). Passwords: 8 to
 * 1024 bytes. Display names: at most 64 characters (default: the username).
 *
 * Validation failures return GD_E_VALIDATION after adding
 * {"field": "reason"} pairs to the caller's `fields` object. */
#ifndef GD_USERS_H
#define GD_USERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/status.h"

struct db;

#define USERS_NAME_MAX 63         /* bytes; fits struct principal */
#define USERS_LOGIN_NAME_MAX 64   /* a longer login name is refused unhashed */
#define USERS_DISPLAY_MAX 64      /* characters */

struct user_spec {
	const char *username;
	const char *role;
	const char *department;   /* code; NULL: the role's default */
	const char *display_name; /* NULL: the username */
	const char *password;     /* clear text; NULL: cannot log in */
	size_t password_len;
};

/* True when role is one of the five role codes. */
bool users_role_valid(const char *role);

/* Validates spec, hashes the password (before taking the writer: ~50 ms)
 * and inserts the user. priv: a private connection (CLI) or NULL for the
 * server's writer. A taken username is a validation error on "username". */
enum gd_status users_create(struct db *priv, const struct user_spec *spec, int64_t *id_out, json_t *fields);

/* Applies an API patch {role, department, display_name, disabled, password}
 * to user id (server writer). Unknown keys and wrong types are validation
 * errors; actor_id may not disable or demote itself. Disabling a user or
 * resetting its password ends its sessions; its tokens stop working while it
 * is disabled. GD_E_NOT_FOUND for an unknown id. */
enum gd_status users_update(int64_t id, const json_t *patch, int64_t actor_id, json_t *fields);

/* The user as API JSON: {id, username, display_name, role, department
 * (code or null), department_name, disabled, created_at}. priv may be NULL. */
enum gd_status users_get_json(struct db *priv, int64_t id, json_t **out);
/* {"items": [user, ...]} ordered by id. */
enum gd_status users_list_json(json_t **out);
/* Finds a user id by username: GD_E_NOT_FOUND when absent. */
enum gd_status users_find(struct db *priv, const char *username, int64_t *id, bool *disabled);

/* Checks a login. Always costs one scrypt hash, whether the user exists,
 * is disabled, has no password or typed the wrong one; all of those are
 * GD_E_UNAUTHORIZED. The caller has already refused over-long input. */
enum gd_status users_authenticate(const char *username, const char *pw, size_t n, int64_t *id_out);

#endif
