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
 * Validation failures return GD_E_VALIDATION with the reasons per field in
 * the caller's struct gd_err. Changes are written in two steps: a check on
 * the caller's thread (no database; the password is hashed there, ~50 ms),
 * then the write on w, a connection inside a write transaction (a writer
 * job; tools use users_create on a private connection). */
#ifndef GD_USERS_H
#define GD_USERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/password.h"
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

/* A new user: checks spec's names, role, display name and password, and
 * hashes the password into hash ("" when spec has none). */
enum gd_status users_check_new(const struct user_spec *spec, char hash[PASSWORD_STORED_MAX], struct gd_err *e);
/* Then inserts it on w: the department rule, and a taken username, are
 * validation errors. */
enum gd_status users_insert(struct db *w, const struct user_spec *spec, const char *hash, int64_t *id_out,
			    struct gd_err *e);
/* Both steps, on priv, a private connection, or with NULL through the
 * global writer (tools that opened the database with db_global_open). */
enum gd_status users_create(struct db *priv, const struct user_spec *spec, int64_t *id_out, struct gd_err *e);

/* A patch {role, department, display_name, disabled, password} of user id
 * by actor_id: unknown keys and wrong types are validation errors, and
 * actor_id may not disable or demote itself; a new password is hashed into
 * hash ("" without one). */
enum gd_status users_check_patch(int64_t id, const json_t *patch, int64_t actor_id, char hash[PASSWORD_STORED_MAX],
				 struct gd_err *e);
/* Then applies it on w. Disabling a user or resetting its password ends its
 * sessions; its tokens stop working while it is disabled. GD_E_NOT_FOUND
 * for an unknown id. */
enum gd_status users_apply_patch(struct db *w, int64_t id, const json_t *patch, const char *hash, struct gd_err *e);

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
