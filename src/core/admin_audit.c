/* admin_audit.c - the admin audit log (admin_audit.h): writing a change's
 * row inside its transaction, and reading the log a page at a time. */
#include "gongdan/admin_audit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/gd_time.h"

static const char *const kinds[] = {"user", "token", "department", "category", "phrase", "segments", NULL};

/* The members of before and after whose values differ, into *b and *a. */
static void diff(const json_t *before, const json_t *after, json_t **b, json_t **a)
{
	const char *key;
	json_t *v;
	*b = json_object();
	*a = json_object();
	json_object_foreach((json_t *)before, key, v) {
		json_t *w = json_object_get(after, key);
		if (!w || !json_equal(v, w)) {
			json_object_set(*b, key, v);
			json_object_set_new(*a, key, w ? json_incref(w) : json_null());
		}
	}
	json_object_foreach((json_t *)after, key, v) {
		if (!json_object_get(before, key)) {
			json_object_set_new(*b, key, json_null());
			json_object_set(*a, key, v);
		}
	}
}

/* Binds j as compact JSON text (NULL: SQL NULL). */
static void bind_json(struct db_stmt *st, int idx, const json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	db_bind_text(st, idx, text, -1);
	free(text);
}

enum gd_status admin_audit_record(struct db *w, const struct principal *who, const char *action, const char *kind,
				  const char *object, const json_t *before, const json_t *after, bool force)
{
	static const char sql[] = "INSERT INTO admin_audit (at, actor_id, actor, action, object_kind, object, before, after)"
				  " VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8)";
	json_t *b = NULL, *a = NULL;
	struct db_stmt *st;
	enum gd_status s = GD_OK;
	bool cli = !who || !who->user_id;
	if (json_is_object(before) && json_is_object(after)) {
		diff(before, after, &b, &a);
		if (!json_object_size(a) && !force)
			goto out;
	} else {
		b = before ? json_deep_copy(before) : NULL;
		a = after ? json_deep_copy(after) : NULL;
	}
	if ((s = db_prepare(w, sql, &st)))
		goto out;
	db_bind_int64(st, 1, time_now());
	db_bind_int64(st, 2, cli ? 0 : who->user_id);
	db_bind_text(st, 3, cli ? ADMIN_AUDIT_CLI : who->username, -1);
	db_bind_text(st, 4, action, -1);
	db_bind_text(st, 5, kind, -1);
	db_bind_text(st, 6, object, -1);
	bind_json(st, 7, b);
	bind_json(st, 8, a);
	s = db_run(st);
out:
	json_decref(b);
	json_decref(a);
	return s;
}

static json_t *row_json(struct db_stmt *st)
{
	char at[32];
	time_iso(db_col_int64(st, 1), at);
	json_t *before = db_col_null(st, 7) ? json_null() : json_loads(db_col_text(st, 7), JSON_DECODE_ANY, NULL);
	json_t *after = db_col_null(st, 8) ? json_null() : json_loads(db_col_text(st, 8), JSON_DECODE_ANY, NULL);
	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:o*, s:o*}", "id", (json_int_t)db_col_int64(st, 0), "at",
			 at, "actor", db_col_text(st, 3),
			 "actor_id", db_col_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2)), "action",
			 db_col_text(st, 4), "object_kind", db_col_text(st, 5), "object", db_col_text(st, 6), "before",
			 before, "after", after);
}

#define AUDIT_COLUMNS "SELECT id, at, actor_id, actor, action, object_kind, object, before, after FROM admin_audit"

enum gd_status admin_audit_list(const struct admin_audit_query *q, json_t **out, struct gd_err *e)
{
	/* one statement per index: "?1 IS NULL OR …" would keep the planner
	 * from any of them. ?1 kind, ?2 object, ?3 actor, ?4 cursor, ?5 limit + 1 */
	static const char by_object[] = AUDIT_COLUMNS " WHERE object_kind = ?1 AND object = ?2 AND id < ?4"
						      " AND (?3 IS NULL OR actor = ?3) ORDER BY id DESC LIMIT ?5";
	static const char by_kind[] = AUDIT_COLUMNS " WHERE object_kind = ?1 AND id < ?4"
						    " AND (?3 IS NULL OR actor = ?3) ORDER BY id DESC LIMIT ?5";
	static const char by_actor[] = AUDIT_COLUMNS " WHERE actor = ?3 AND id < ?4 ORDER BY id DESC LIMIT ?5";
	static const char all[] = AUDIT_COLUMNS " WHERE id < ?4 ORDER BY id DESC LIMIT ?5";
	bool known = !q->kind;
	for (const char *const *k = kinds; *k && !known; k++)
		known = !strcmp(*k, q->kind);
	if (!known)
		gd_err_field(e, "object_kind", "one of user, token, department, category, phrase, segments");
	if (q->object && !q->kind)
		gd_err_field(e, "object", "give object_kind with object");
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the audit query is not valid");
	const char *sql = q->object ? by_object : q->kind ? by_kind : q->actor ? by_actor : all;
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(db_reader(), sql, &st)))
		return s;
	db_bind_text(st, 1, q->kind, -1);
	db_bind_text(st, 2, q->object, -1);
	db_bind_text(st, 3, q->actor, -1);
	db_bind_int64(st, 4, q->cursor > 0 ? q->cursor : INT64_MAX);
	db_bind_int64(st, 5, q->limit + 1);
	json_t *items;
	if ((s = db_collect(st, row_json, &items)))
		return s;
	json_t *next = json_null();
	if ((int64_t)json_array_size(items) > q->limit) {
		json_array_remove(items, json_array_size(items) - 1);
		char c[24];
		snprintf(c, sizeof c, "%lld",
			 (long long)json_integer_value(json_object_get(json_array_get(items, json_array_size(items) - 1), "id")));
		next = json_string(c);
	}
	*out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
	return GD_OK;
}
