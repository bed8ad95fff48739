/* users.c - user accounts: the role and department rules, creating and
 * changing users, their API JSON, and the password check behind login. */
#include "gongdan/users.h"

#include <stdio.h>
#include <string.h>

#include "gongdan/auth.h"
#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/log.h"
#include "gongdan/password.h"
#include "gongdan/utf8.h"

#include <openssl/crypto.h>

/* The first reason for a field is the one reported. */
static void field(struct gd_err *e, const char *name, const char *reason)
{
	if (!e->fields || !json_object_get(e->fields, name))
		gd_err_field(e, name, reason);
}

static const char *role_rule(const char *role)
{
	static _Thread_local char why[96];
	if (!*role)
		return "required";
	if (role_parse(role) == ROLE_NONE) {
		snprintf(why, sizeof why, "one of %s", role_codes_text());
		return why;
	}
	return NULL;
}

static const char *username_rule(const char *u)
{
	size_t n = strlen(u);
	if (n == 0)
		return "required";
	if (n > USERS_NAME_MAX)
		return "at most 63 characters";
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-' || c == '@'))
			return "only letters A-Z a-z, digits and . _ - @";
	}
	return NULL;
}

static const char *password_rule(const char *pw, size_t n)
{
	if (n > PASSWORD_MAX_BYTES)
		return "at most 1024 bytes";
	if (!utf8_valid(pw, n))
		return "must be valid UTF-8";
	if (utf8_chars(pw, n) < PASSWORD_MIN_CHARS)
		return "at least 8 characters";
	return NULL;
}

static const char *display_rule(const char *s)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n))
		return "must be valid UTF-8";
	if (utf8_chars(s, n) > USERS_DISPLAY_MAX)
		return "at most 64 characters";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "must not contain control characters";
	return NULL;
}

struct dept {
	int64_t id;     /* 0: none */
	char kind[16];
	char code[32];
};

/* Looks a department up by code. GD_E_NOT_FOUND when absent or inactive. */
static enum gd_status dept_by_code(struct db *d, const char *code, struct dept *out)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, "SELECT id, kind, code FROM departments WHERE code = ?1 AND active = 1", &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	if (!(s = db_step(st, &row)) && row) {
		out->id = db_col_int64(st, 0);
		snprintf(out->kind, sizeof out->kind, "%s", db_col_text(st, 1));
		snprintf(out->code, sizeof out->code, "%s", db_col_text(st, 2));
	}
	db_reset(st);
	return s ? s : row ? GD_OK : GD_E_NOT_FOUND;
}

static enum gd_status dept_by_id(struct db *d, int64_t id, struct dept *out)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	memset(out, 0, sizeof *out);
	if (!id)
		return GD_OK;
	if ((s = db_prepare(d, "SELECT id, kind, code FROM departments WHERE id = ?1", &st)))
		return s;
	db_bind_int64(st, 1, id);
	if (!(s = db_step(st, &row)) && row) {
		out->id = db_col_int64(st, 0);
		snprintf(out->kind, sizeof out->kind, "%s", db_col_text(st, 1));
		snprintf(out->code, sizeof out->code, "%s", db_col_text(st, 2));
	}
	db_reset(st);
	return s;
}

static enum gd_status centre_dept(struct db *d, struct dept *out)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	memset(out, 0, sizeof *out);
	if ((s = db_prepare(d,
			    "SELECT id, kind, code FROM departments WHERE kind = 'centre' AND active = 1 "
			    "ORDER BY sort, id LIMIT 1",
			    &st)))
		return s;
	if (!(s = db_step(st, &row)) && row) {
		out->id = db_col_int64(st, 0);
		snprintf(out->kind, sizeof out->kind, "%s", db_col_text(st, 1));
		snprintf(out->code, sizeof out->code, "%s", db_col_text(st, 2));
	}
	db_reset(st);
	return s;
}

/* The role x department rule; NULL when the pair is allowed. */
static const char *dept_rule(enum role role, const struct dept *dp)
{
	static _Thread_local char why[96];
	if (role_has(role, ROLE_CENTRE)) {
		if (!dp->id || strcmp(dp->kind, "centre")) {
			snprintf(why, sizeof why, "a%s %s belongs to the centre department (PCSC)",
				 role == ROLE_AGENT ? "n" : "", role_code(role));
			return why;
		}
	} else if (role_has(role, ROLE_HANDLING)) {
		if (!dp->id)
			return "required for a handler";
		if (strcmp(dp->kind, "handling"))
			return "a handler needs a handling department";
	}
	return NULL;
}

/* Resolves a department code into *dp, or records why not. */
static enum gd_status resolve_dept(struct db *d, const char *code, struct dept *dp, struct gd_err *e)
{
	enum gd_status s = dept_by_code(d, code, dp);
	if (s == GD_E_NOT_FOUND) {
		field(e, "department", "unknown department code");
		memset(dp, 0, sizeof *dp);
		return gd_errf(e, GD_E_VALIDATION, "the user is not valid");
	}
	return s;
}

enum gd_status users_check_new(const struct user_spec *spec, char hash[PASSWORD_STORED_MAX], struct gd_err *e)
{
	const char *why;
	const char *username = spec->username ? spec->username : "";
	const char *display = spec->display_name ? spec->display_name : username;
	hash[0] = '\0';
	if ((why = username_rule(username)))
		field(e, "username", why);
	if ((why = role_rule(spec->role ? spec->role : "")))
		field(e, "role", why);
	if ((why = display_rule(display)))
		field(e, "display_name", why);
	if (spec->password && (why = password_rule(spec->password, spec->password_len)))
		field(e, "password", why);
	if (spec->department && !*spec->department)
		field(e, "department", "must not be empty");
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the user is not valid");
	/* hashed here, before the write: it costs ~50 ms */
	return spec->password ? password_hash(spec->password, spec->password_len, hash) : GD_OK;
}

enum gd_status users_insert(struct db *w, const struct user_spec *spec, const char *hash, int64_t *id_out,
			    struct gd_err *e)
{
	enum gd_status s = GD_OK;
	const char *why;
	enum role role = role_parse(spec->role);
	struct dept dp = {0};
	if (spec->department)
		s = resolve_dept(w, spec->department, &dp, e);
	else if (role_has(role, ROLE_CENTRE))
		s = centre_dept(w, &dp);
	if (!s && (why = dept_rule(role, &dp))) {
		field(e, "department", why);
		s = gd_errf(e, GD_E_VALIDATION, "the user is not valid");
	}
	struct db_stmt *st;
	if (!s)
		s = db_prepare(w,
			       "INSERT INTO users (username, display_name, role, department_id, password_hash, created_at) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       &st);
	if (!s) {
		db_bind_text(st, 1, spec->username, -1);
		db_bind_text(st, 2, spec->display_name ? spec->display_name : spec->username, -1);
		db_bind_text(st, 3, role_code(role), -1);
		if (dp.id)
			db_bind_int64(st, 4, dp.id);
		db_bind_text(st, 5, hash && *hash ? hash : NULL, -1);
		db_bind_int64(st, 6, time_now());
		s = db_run(st);
		if (s == GD_E_CONFLICT) {
			field(e, "username", "already taken");
			s = gd_errf(e, GD_E_VALIDATION, "the user is not valid");
		}
	}
	if (!s && id_out)
		*id_out = db_last_insert_id(w);
	return s;
}

struct create_args {
	const struct user_spec *spec;
	const char *hash;
	int64_t *id;
	struct gd_err *e;
};

static enum gd_status create_run(struct db *w, void *ctx)
{
	struct create_args *a = ctx;
	return users_insert(w, a->spec, a->hash, a->id, a->e);
}

enum gd_status users_create(struct db *priv, const struct user_spec *spec, int64_t *id_out, struct gd_err *e)
{
	char hash[PASSWORD_STORED_MAX];
	enum gd_status s = users_check_new(spec, hash, e);
	struct create_args a = {spec, hash, id_out, e};
	if (!s)
		s = priv ? db_write_on(priv, create_run, &a) : db_write_run(create_run, &a);
	OPENSSL_cleanse(hash, sizeof hash);
	return s;
}

/* The fields of a user row that a patch may change. */
struct user_row {
	char role[16];
	int64_t department_id;
	char display_name[4 * USERS_DISPLAY_MAX + 1];
	bool disabled;
};

static enum gd_status load_row(struct db *d, int64_t id, struct user_row *u)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, "SELECT role, department_id, display_name, disabled FROM users WHERE id = ?1", &st)))
		return s;
	db_bind_int64(st, 1, id);
	if (!(s = db_step(st, &row)) && row) {
		snprintf(u->role, sizeof u->role, "%s", db_col_text(st, 0));
		u->department_id = db_col_null(st, 1) ? 0 : db_col_int64(st, 1);
		snprintf(u->display_name, sizeof u->display_name, "%s", db_col_text(st, 2));
		u->disabled = db_col_int64(st, 3) != 0;
	}
	db_reset(st);
	return s ? s : row ? GD_OK : GD_E_NOT_FOUND;
}

enum gd_status users_check_patch(int64_t id, const json_t *patch, int64_t actor_id, char hash[PASSWORD_STORED_MAX],
				 struct gd_err *e)
{
	static const char *const known[] = {"role", "department", "display_name", "disabled", "password"};
	const char *why;
	const char *key;
	json_t *v;
	hash[0] = '\0';
	json_object_foreach((json_t *)patch, key, v) {
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok |= !strcmp(key, known[i]);
		if (!ok)
			field(e, key, "unknown field");
	}
	json_t *jrole = json_object_get(patch, "role"), *jdept = json_object_get(patch, "department");
	json_t *jdisp = json_object_get(patch, "display_name"), *jdis = json_object_get(patch, "disabled");
	json_t *jpw = json_object_get(patch, "password");
	if (jrole && !json_is_string(jrole))
		field(e, "role", "must be a string");
	else if (jrole && (why = role_rule(json_string_value(jrole))))
		field(e, "role", why);
	if (jdept && !json_is_string(jdept) && !json_is_null(jdept))
		field(e, "department", "must be a department code or null");
	if (jdisp && !json_is_string(jdisp))
		field(e, "display_name", "must be a string");
	else if (jdisp && (why = json_string_length(jdisp) == 0 ? "must not be empty"
								   : display_rule(json_string_value(jdisp))))
		field(e, "display_name", why);
	if (jdis && !json_is_boolean(jdis))
		field(e, "disabled", "must be true or false");
	if (jpw && !json_is_string(jpw))
		field(e, "password", "must be a string");
	else if (jpw && (why = password_rule(json_string_value(jpw), json_string_length(jpw))))
		field(e, "password", why);
	if (id == actor_id && jdis && json_is_true(jdis))
		field(e, "disabled", "you cannot disable your own account");
	if (id == actor_id && json_is_string(jrole) && !role_has(role_parse(json_string_value(jrole)), ROLE_ALL_POWERS))
		field(e, "role", "you cannot take the admin role from yourself");
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the user is not valid");
	return jpw ? password_hash(json_string_value(jpw), json_string_length(jpw), hash) : GD_OK;
}

enum gd_status users_apply_patch(struct db *w, int64_t id, const json_t *patch, const char *hash, struct gd_err *e)
{
	enum gd_status s;
	const char *why;
	json_t *jrole = json_object_get(patch, "role"), *jdept = json_object_get(patch, "department");
	json_t *jdisp = json_object_get(patch, "display_name"), *jdis = json_object_get(patch, "disabled");
	bool new_password = hash && *hash;
	struct user_row u;
	struct dept dp;
	struct db_stmt *st;
	if ((s = load_row(w, id, &u)))
		return s == GD_E_NOT_FOUND ? gd_errf(e, s, "no such user") : s;
	bool was_disabled = u.disabled;
	if (jrole)
		snprintf(u.role, sizeof u.role, "%s", json_string_value(jrole));
	if (jdisp)
		snprintf(u.display_name, sizeof u.display_name, "%s", json_string_value(jdisp));
	if (jdis)
		u.disabled = json_is_true(jdis);
	if (jdept && json_is_string(jdept)) {
		if ((s = resolve_dept(w, json_string_value(jdept), &dp, e)))
			return s;
	} else if (jdept) {
		memset(&dp, 0, sizeof dp);
	} else if ((s = dept_by_id(w, u.department_id, &dp))) {
		return s;
	}
	if ((why = dept_rule(role_parse(u.role), &dp))) {
		field(e, "department", why);
		return gd_errf(e, GD_E_VALIDATION, "the user is not valid");
	}
	if ((s = db_prepare(w,
			    "UPDATE users SET role = ?2, department_id = ?3, display_name = ?4, disabled = ?5, "
			    "password_hash = coalesce(?6, password_hash) WHERE id = ?1",
			    &st)))
		return s;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, u.role, -1);
	if (dp.id)
		db_bind_int64(st, 3, dp.id);
	db_bind_text(st, 4, u.display_name, -1);
	db_bind_int64(st, 5, u.disabled);
	db_bind_text(st, 6, new_password ? hash : NULL, -1);
	if ((s = db_run(st)))
		return s;
	/* a disabled account or a new password ends every open session */
	if ((u.disabled && !was_disabled) || new_password) {
		if ((s = db_prepare(w, "DELETE FROM sessions WHERE user_id = ?1", &st)))
			return s;
		db_bind_int64(st, 1, id);
		s = db_run(st);
	}
	return s;
}

static json_t *row_json(struct db_stmt *st)
{
	char created[32];
	time_iso(db_col_int64(st, 7), created);
	json_t *u = json_object();
	json_object_set_new(u, "id", json_integer(db_col_int64(st, 0)));
	json_object_set_new(u, "username", json_string(db_col_text(st, 1)));
	json_object_set_new(u, "display_name", json_string(db_col_text(st, 2)));
	json_object_set_new(u, "role", json_string(db_col_text(st, 3)));
	json_object_set_new(u, "department", db_col_null(st, 4) ? json_null() : json_string(db_col_text(st, 4)));
	json_object_set_new(u, "department_name", db_col_null(st, 5) ? json_null() : json_string(db_col_text(st, 5)));
	json_object_set_new(u, "disabled", json_boolean(db_col_int64(st, 6)));
	json_object_set_new(u, "created_at", json_string(created));
	return u;
}

enum gd_status users_get_json(struct db *priv, int64_t id, json_t **out)
{
	struct db *r = auth_reader(priv);
	struct db_stmt *st;
	enum gd_status s;
	*out = NULL;
	if ((s = db_prepare(r,
			    "SELECT u.id, u.username, u.display_name, u.role, d.code, d.name, u.disabled, u.created_at "
			    "FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?1",
			    &st)))
		return s;
	db_bind_int64(st, 1, id);
	return db_fetch_one(st, row_json, out);
}

enum gd_status users_list_json(json_t **out)
{
	struct db *r = db_reader();
	struct db_stmt *st;
	enum gd_status s;
	*out = NULL;
	if ((s = db_prepare(r,
			    "SELECT u.id, u.username, u.display_name, u.role, d.code, d.name, u.disabled, u.created_at "
			    "FROM users u LEFT JOIN departments d ON d.id = u.department_id ORDER BY u.id",
			    &st)))
		return s;
	json_t *items;
	if ((s = db_collect(st, row_json, &items)))
		return s;
	*out = json_pack("{s:o}", "items", items);
	return GD_OK;
}

enum gd_status users_find(struct db *priv, const char *username, int64_t *id, bool *disabled)
{
	struct db *r = auth_reader(priv);
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(r, "SELECT id, disabled FROM users WHERE username = ?1", &st)))
		return s;
	db_bind_text(st, 1, username, -1);
	if (!(s = db_step(st, &row)) && row) {
		*id = db_col_int64(st, 0);
		if (disabled)
			*disabled = db_col_int64(st, 1) != 0;
	}
	db_reset(st);
	return s ? s : row ? GD_OK : GD_E_NOT_FOUND;
}

enum gd_status users_authenticate(const char *username, const char *pw, size_t n, int64_t *id_out)
{
	struct db *r = db_reader();
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	char stored[PASSWORD_STORED_MAX] = "";
	int64_t id = 0;
	bool disabled = true;
	if ((s = db_prepare(r, "SELECT id, password_hash, disabled FROM users WHERE username = ?1", &st)))
		return s;
	db_bind_text(st, 1, username, -1);
	if (!(s = db_step(st, &row)) && row) {
		id = db_col_int64(st, 0);
		if (!db_col_null(st, 1) && (size_t)db_col_bytes(st, 1) < sizeof stored)
			snprintf(stored, sizeof stored, "%s", db_col_text(st, 1));
		disabled = db_col_int64(st, 2) != 0;
	}
	db_reset(st);
	if (s)
		return s;
	/* exactly one hash on every path: unknown user, no password, disabled */
	bool ok = row && stored[0] ? password_verify(pw, n, stored) : (password_burn(pw, n), false);
	if (!ok || disabled)
		return GD_E_UNAUTHORIZED;
	*id_out = id;
	return GD_OK;
}
