/* saved_view.c - a user's saved views (see saved_view.h). */
#include "gongdan/saved_view.h"

#include <string.h>

#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/utf8.h"

#define VIEW_COLUMNS "id, name, query, created_at"

static json_t *view_json(struct db_stmt *st)
{
	char at[32];
	time_iso(db_col_int64(st, 3), at);
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1),
			 "query", db_col_text(st, 2), "created_at", at);
}

enum gd_status saved_view_list(int64_t user_id, json_t **out)
{
	static const char sql[] = "SELECT " VIEW_COLUMNS " FROM saved_views WHERE user_id = ?1 ORDER BY id";
	struct db *d = db_reader();
	struct db_stmt *st;
	json_t *items;
	enum gd_status s;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_int64(st, 1, user_id);
	if ((s = db_collect(st, view_json, &items)))
		return s;
	*out = json_pack("{s:o}", "items", items);
	return GD_OK;
}

enum gd_status saved_view_get(int64_t user_id, int64_t id, json_t **out)
{
	static const char sql[] = "SELECT " VIEW_COLUMNS " FROM saved_views WHERE id = ?1 AND user_id = ?2";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(db_reader(), sql, &st)))
		return s;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, user_id);
	return db_fetch_one(st, view_json, out);
}

/* The parameters a view may hold: the filters of GET /api/v1/tickets and
 * its order. */
static const char *const view_params[] = {"state", "department", "category", "region", "assignee", "created_by",
					  "fault_number", "priority", "overdue", "q", "from", "to", "sort", NULL};

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes one percent-encoded part (+ is a space) into out; false when a
 * %XX is malformed or the result is not UTF-8. */
static bool decode(const char *p, size_t n, char *out, size_t *len)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '%') {
			int a = i + 2 < n ? hex(p[i + 1]) : -1, b = i + 2 < n ? hex(p[i + 2]) : -1;
			if (a < 0 || b < 0)
				return false;
			out[o++] = (char)(a * 16 + b);
			i += 2;
		} else {
			out[o++] = p[i] == '+' ? ' ' : p[i];
		}
	}
	out[o] = '\0';
	*len = o;
	return utf8_valid(out, o) && !memchr(out, '\0', o);
}

/* Why query is not a view's query string, or NULL. */
static const char *query_problem(const char *q, size_t n)
{
	char key[SAVED_VIEW_QUERY_MAX + 1], value[SAVED_VIEW_QUERY_MAX + 1];
	unsigned seen = 0;
	if (!n)
		return "required";
	if (n > SAVED_VIEW_QUERY_MAX)
		return "at most 1000 bytes";
	for (const char *p = q, *end = q + n; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end, *eq = memchr(p, '=', (size_t)(stop - p));
		size_t klen, vlen;
		if (!eq || eq == p || !decode(p, (size_t)(eq - p), key, &klen) ||
		    !decode(eq + 1, (size_t)(stop - eq - 1), value, &vlen))
			return "must be name=value pairs joined by &, percent-encoded UTF-8";
		int i = 0;
		while (view_params[i] && strcmp(view_params[i], key))
			i++;
		if (!view_params[i])
			return !strcmp(key, "limit") || !strcmp(key, "cursor") ? "a view holds filters, not a page (no limit or cursor)"
										 : "an unknown list parameter";
		if (seen & 1u << i)
			return "a parameter is given twice";
		seen |= 1u << i;
		if (!vlen)
			return "a parameter has no value";
		p = amp ? amp + 1 : end;
		if (amp && p == end)
			return "ends with &";
	}
	return NULL;
}

enum gd_status saved_view_check(const json_t *in, struct gd_err *e)
{
	const char *key;
	json_t *x;
	json_object_foreach((json_t *)in, key, x) {
		if (strcmp(key, "name") && strcmp(key, "query"))
			gd_err_field(e, key, "unknown field");
	}
	x = json_object_get(in, "name");
	if (!json_is_string(x) || !json_string_length(x))
		gd_err_field(e, "name", "required");
	else if (utf8_chars(json_string_value(x), json_string_length(x)) > SAVED_VIEW_NAME_MAX)
		gd_err_field(e, "name", "at most 40 characters");
	else if (json_string_value(x)[0] == ' ' || json_string_value(x)[json_string_length(x) - 1] == ' ')
		gd_err_field(e, "name", "must not begin or end with a space");
	x = json_object_get(in, "query");
	const char *why = json_is_string(x) ? query_problem(json_string_value(x), json_string_length(x)) : "required";
	if (why)
		gd_err_field(e, "query", why);
	return gd_err_has_fields(e) ? gd_errf(e, GD_E_VALIDATION, "the view is not valid") : GD_OK;
}

enum gd_status saved_view_create(struct db *w, int64_t user_id, const json_t *in, int64_t *id, struct gd_err *e)
{
	static const char count_sql[] = "SELECT count(*), coalesce(max(name = ?2), 0) FROM saved_views WHERE user_id = ?1";
	static const char insert_sql[] =
		"INSERT INTO saved_views (user_id, name, query, created_at) VALUES (?1, ?2, ?3, ?4)";
	const char *name = json_string_value(json_object_get(in, "name"));
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(w, count_sql, &st)))
		return s;
	db_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, name, -1);
	int64_t count = 0, taken = 0;
	if (!(s = db_step(st, &row)) && row)
		count = db_col_int64(st, 0), taken = db_col_int64(st, 1);
	db_reset(st);
	if (s)
		return s;
	if (taken)
		return gd_errf(e, GD_E_CONFLICT, "you have a view named '%.60s' already", name);
	if (count >= SAVED_VIEWS_PER_USER) {
		gd_err_field(e, "name", "at most 50 views: delete one first");
		return gd_errf(e, GD_E_VALIDATION, "you have %d views already", SAVED_VIEWS_PER_USER);
	}
	if ((s = db_prepare(w, insert_sql, &st)))
		return s;
	db_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, name, -1);
	db_bind_text(st, 3, json_string_value(json_object_get(in, "query")), -1);
	db_bind_int64(st, 4, time_now());
	if ((s = db_run(st)))
		return s;
	*id = db_last_insert_id(w);
	return GD_OK;
}

enum gd_status saved_view_delete(struct db *w, int64_t user_id, int64_t id, struct gd_err *e)
{
	static const char sql[] = "DELETE FROM saved_views WHERE id = ?1 AND user_id = ?2";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, user_id);
	if ((s = db_run(st)))
		return s;
	return db_changes(w) ? GD_OK : gd_errf(e, GD_E_NOT_FOUND, "you have no view %lld", (long long)id);
}
