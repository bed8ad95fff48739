/* catalog_edit.c - the admin's changes to departments and categories
 * (catalog_edit.h). A change merges the request into the record as it is
 * (or into the defaults of a new one), checks the whole result, writes it
 * and records before and after in the admin audit log. */
#include "gongdan/catalog_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/admin_audit.h"
#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/fields.h"
#include "gongdan/utf8.h"

/* --- checks shared by both ------------------------------------------------ */

/* The first reason for a member is the one reported. */
static void field(struct gd_err *e, const char *name, const char *reason)
{
	if (!e->fields || !json_object_get(e->fields, name))
		gd_err_field(e, name, reason);
}

/* in's values for the members an update may not change must equal cur's. */
static void immutable(const json_t *in, const json_t *cur, const char *const *names, struct gd_err *e)
{
	for (const char *const *n = names; *n; n++) {
		json_t *v = json_object_get(in, *n);
		if (v && !json_equal(v, json_object_get(cur, *n)))
			field(e, *n, "cannot be changed");
	}
}

/* rec[name] is a string of min..max characters without control
 * characters (line breaks and tabs allowed unless one_line). */
static const char *text(const json_t *rec, const char *name, size_t min, size_t max, bool one_line,
			struct gd_err *e)
{
	json_t *v = json_object_get(rec, name);
	static _Thread_local char why[64];
	if (!json_is_string(v)) {
		field(e, name, v ? "must be a string" : "required");
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), chars = utf8_chars(s, n);
	bool ctl = false;
	for (size_t i = 0; i < n && !ctl; i++)
		ctl = ((unsigned char)s[i] < 0x20 && (one_line || (s[i] != '\n' && s[i] != '\t'))) || s[i] == 0x7f;
	if (min)
		snprintf(why, sizeof why, "a string of %zu to %zu characters", min, max);
	else
		snprintf(why, sizeof why, "at most %zu characters", max);
	if (!utf8_valid(s, n) || chars < min || chars > max)
		field(e, name, why);
	else if (ctl)
		field(e, name, "must not contain control characters");
	else
		return s;
	return NULL;
}

static bool flag(const json_t *rec, const char *name, struct gd_err *e)
{
	json_t *v = json_object_get(rec, name);
	if (!json_is_boolean(v))
		field(e, name, "must be true or false");
	return json_is_true(v);
}

static int64_t integer(const json_t *rec, const char *name, int64_t min, int64_t max, struct gd_err *e)
{
	json_t *v = json_object_get(rec, name);
	char why[64];
	if (json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max)
		return json_integer_value(v);
	snprintf(why, sizeof why, "an integer from %lld to %lld", (long long)min, (long long)max);
	field(e, name, why);
	return 0;
}

/* A copy of base with in's members set over it. */
static json_t *merged(const json_t *base, const json_t *in)
{
	json_t *rec = json_deep_copy(base);
	json_object_update(rec, (json_t *)in);
	return rec;
}

static const char *str(const json_t *rec, const char *name)
{
	return json_string_value(json_object_get(rec, name)); /* NULL when null */
}

static enum gd_status invalid(struct gd_err *e, const char *what)
{
	return gd_errf(e, GD_E_VALIDATION, "the %s is not valid", what);
}

/* An integer result of sql bound to id. */
static enum gd_status count(struct db *w, const char *sql, int64_t id, int64_t *n)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	*n = 0;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_int64(st, 1, id);
	if (!(s = db_step(st, &row)) && row)
		*n = db_col_int64(st, 0);
	db_reset(st);
	return s;
}

/* Writes the audit row of a change of kind/code: after is read back. */
static enum gd_status audit(struct db *w, const struct principal *who, const char *kind, const char *code,
			    const json_t *before, enum gd_status (*get)(struct db *, const char *, json_t **))
{
	json_t *after;
	enum gd_status s = get(w, code, &after);
	if (!s) {
		s = admin_audit_record(w, who, before ? "update" : "create", kind, code, before, after, false);
		json_decref(after);
	}
	return s;
}

/* --- departments ---------------------------------------------------------- */

static json_t *department_json(struct db_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:b, s:I}", "code", db_col_text(st, 0), "name", db_col_text(st, 1),
			 "kind", db_col_text(st, 2), "region", db_col_json_text(st, 3), "active",
			 db_col_int64(st, 4) != 0, "sort", (json_int_t)db_col_int64(st, 5));
}

enum gd_status department_get(struct db *d, const char *code, json_t **out)
{
	static const char sql[] = "SELECT code, name, kind, region, active, sort FROM departments WHERE code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	return db_fetch_one(st, department_json, out);
}

enum gd_status department_all(struct db *d, json_t **out)
{
	static const char sql[] = "SELECT code, name, kind, region, active, sort FROM departments ORDER BY sort, id";
	struct db_stmt *st;
	enum gd_status s = db_prepare(d, sql, &st);
	return s ? s : db_collect(st, department_json, out);
}

static bool department_code_ok(const char *c)
{
	size_t n = c ? strlen(c) : 0;
	if (n < 1 || n > 16 || c[0] < 'A' || c[0] > 'Z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '_'))
			return false;
	return true;
}

/* Checks a whole department record; the values of a good one are in it. */
static enum gd_status department_check(struct db *w, const json_t *rec, struct gd_err *e)
{
	enum gd_status s;
	json_t *region = json_object_get(rec, "region");
	const char *kind = str(rec, "kind");
	if (!department_code_ok(str(rec, "code")))
		field(e, "code", json_object_get(rec, "code") ? "1 to 16 of A-Z 0-9 _, starting with a letter" : "required");
	text(rec, "name", 1, CATALOG_NAME_MAX, true, e);
	if (!kind || (strcmp(kind, "centre") && strcmp(kind, "handling")))
		field(e, "kind", "centre or handling");
	if (json_is_string(region)) {
		bool found;
		if ((s = region_exists(w, json_string_value(region), &found)))
			return s;
		if (!found)
			field(e, "region", "unknown region code");
	} else if (!json_is_null(region)) {
		field(e, "region", "a region code or null");
	}
	flag(rec, "active", e);
	integer(rec, "sort", -CATALOG_SORT_MAX, CATALOG_SORT_MAX, e);
	return gd_err_has_fields(e) ? invalid(e, "department") : GD_OK;
}

static enum gd_status department_write(struct db *w, const char *sql, const json_t *rec)
{
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_text(st, 1, str(rec, "code"), -1);
	db_bind_text(st, 2, str(rec, "name"), -1);
	db_bind_text(st, 3, str(rec, "kind"), -1);
	db_bind_text(st, 4, str(rec, "region"), -1);
	db_bind_int64(st, 5, json_is_true(json_object_get(rec, "active")));
	db_bind_int64(st, 6, json_integer_value(json_object_get(rec, "sort")));
	return db_run(st);
}

static const char *const department_members[] = {"code", "name", "kind", "region", "active", "sort", NULL};

enum gd_status department_create(struct db *w, const struct principal *who, const json_t *in, char code_out[64],
				 struct gd_err *e)
{
	static const char sql[] = "INSERT INTO departments (code, name, kind, region, active, sort)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	json_t *defaults = json_pack("{s:n, s:b, s:i}", "region", "active", 1, "sort", 0);
	json_t *rec = merged(defaults, in);
	enum gd_status s;
	json_decref(defaults);
	gd_err_unknown(e, in, department_members);
	if (!(s = department_check(w, rec, e))) {
		s = department_write(w, sql, rec);
		if (s == GD_E_CONFLICT) {
			field(e, "code", "already taken");
			s = invalid(e, "department");
		}
	}
	if (!s) {
		snprintf(code_out, 64, "%s", str(rec, "code"));
		s = audit(w, who, "department", code_out, NULL, department_get);
	}
	json_decref(rec);
	return s;
}

enum gd_status department_update(struct db *w, const struct principal *who, const char *code, const json_t *in,
				 struct gd_err *e)
{
	static const char sql[] = "UPDATE departments SET name = ?2, region = ?4, active = ?5, sort = ?6"
				  " WHERE code = ?1 AND kind = ?3";
	static const char *const fixed[] = {"code", "kind", NULL};
	static const char open_sql[] = "SELECT count(*) FROM tickets WHERE department_id = ?1 AND closed_at IS NULL";
	static const char centres_sql[] = "SELECT count(*) FROM departments WHERE kind = 'centre' AND active AND id <> ?1";
	json_t *cur, *rec = NULL;
	enum gd_status s;
	if ((s = department_get(w, code, &cur)))
		return s == GD_E_NOT_FOUND ? gd_errf(e, s, "no department '%.40s'", code) : s;
	gd_err_unknown(e, in, department_members);
	immutable(in, cur, fixed, e);
	rec = merged(cur, in);
	if ((s = department_check(w, rec, e)))
		goto out;
	if (json_is_true(json_object_get(cur, "active")) && !json_is_true(json_object_get(rec, "active"))) {
		int64_t id, n;
		bool active;
		char kind;
		if ((s = department_lookup(w, code, &id, &kind, &active)) || (s = count(w, open_sql, id, &n)))
			goto out;
		if (n > 0) {
			s = gd_errf(e, GD_E_CONFLICT,
				    "department '%s' still holds %lld open ticket(s): transfer them to another department "
				    "before deactivating it", code, (long long)n);
			goto out;
		}
		if (kind == 'c' && (s = count(w, centres_sql, id, &n)) == GD_OK && n == 0) {
			s = gd_errf(e, GD_E_CONFLICT, "department '%s' is the last active centre: agents and "
						      "dispatchers need one", code);
			goto out;
		}
		if (s)
			goto out;
	}
	if (!(s = department_write(w, sql, rec)))
		s = audit(w, who, "department", code, cur, department_get);
out:
	json_decref(cur);
	json_decref(rec);
	return s;
}

/* --- categories ----------------------------------------------------------- */

static json_t *category_json(struct db_stmt *st)
{
	json_t *schema = json_loads(db_col_text(st, 6), 0, NULL);
	return json_pack("{s:s, s:o, s:s, s:s, s:I, s:o, s:o, s:b, s:I}", "code", db_col_text(st, 0), "parent",
			 db_col_json_text(st, 1), "name", db_col_text(st, 2), "description", db_col_text(st, 3),
			 "sla_hours", (json_int_t)db_col_int64(st, 4), "department", db_col_json_text(st, 5),
			 "fields_schema", schema ? schema : json_array(), "active", db_col_int64(st, 7) != 0, "sort",
			 (json_int_t)db_col_int64(st, 8));
}

enum gd_status category_get(struct db *d, const char *code, json_t **out)
{
	static const char sql[] =
		"SELECT c.code, p.code, c.name, c.description, c.sla_hours, d.code, c.fields_schema, c.active, c.sort"
		" FROM categories c LEFT JOIN categories p ON p.id = c.parent_id"
		" LEFT JOIN departments d ON d.id = c.department_id WHERE c.code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	return db_fetch_one(st, category_json, out);
}

enum gd_status category_all(struct db *d, json_t **out)
{
	/* flat, by sort then id: each names its parent, the client links them */
	static const char sql[] =
		"SELECT c.code, p.code, c.name, c.description, c.sla_hours, d.code, c.fields_schema, c.active, c.sort"
		" FROM categories c LEFT JOIN categories p ON p.id = c.parent_id"
		" LEFT JOIN departments d ON d.id = c.department_id ORDER BY c.sort, c.id";
	struct db_stmt *st;
	enum gd_status s = db_prepare(d, sql, &st);
	return s ? s : db_collect(st, category_json, out);
}

/* A code's last segment: 1 to 20 of A-Z 0-9 _, not starting with _. */
static bool segment_ok(const char *s, size_t n)
{
	if (n < 1 || n > 20 || s[0] == '_')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* The code of a new category under parent (NULL: a root); the reason when bad. */
static const char *category_code_rule(const char *code, const char *parent)
{
	static _Thread_local char why[160];
	size_t plen = parent ? strlen(parent) : 0;
	int depth = 1;
	for (const char *p = parent; p && *p; p++)
		depth += *p == '.';
	if (parent && depth >= 4)
		return "the tree has at most four levels";
	if (!code)
		return "required";
	if (parent && (strncmp(code, parent, plen) || code[plen] != '.')) {
		snprintf(why, sizeof why, "must be the parent's code and one segment: %.60s.<SEGMENT>", parent);
		return why;
	}
	const char *seg = parent ? code + plen + 1 : code;
	if (!segment_ok(seg, strlen(seg)))
		return parent ? "the last segment must be 1 to 20 of A-Z 0-9 _"
			      : "a root's code is one segment of 1 to 20 of A-Z 0-9 _";
	return NULL;
}

/* fields_schema_check's "schema[2].type: reason" as the field error
 * "fields_schema[2].type": "reason". */
static void schema_error(struct gd_err *e, const char *message)
{
	char key[96];
	const char *colon = strstr(message, ": ");
	size_t n = colon ? (size_t)(colon - message) : 0;
	if (!colon || strncmp(message, "schema", 6) || n >= sizeof key - 7) {
		field(e, "fields_schema", message);
		return;
	}
	snprintf(key, sizeof key, "fields_%.*s", (int)n, message);
	field(e, key, colon + 2);
}

/* The id of a department a category may name (an active handling one),
 * or 0 with a field error. A category keeps the department it has even
 * when that one has since been deactivated (unchanged: not rechecked). */
static enum gd_status category_department(struct db *w, const json_t *rec, const json_t *cur, int64_t *id,
					  struct gd_err *e)
{
	json_t *v = json_object_get(rec, "department");
	bool active = false;
	char kind = 0;
	enum gd_status s;
	*id = 0;
	if (json_is_null(v))
		return GD_OK;
	if (!json_is_string(v)) {
		field(e, "department", "a handling department's code or null");
		return GD_OK;
	}
	s = department_lookup(w, json_string_value(v), id, &kind, &active);
	if (s && s != GD_E_NOT_FOUND)
		return s;
	bool unchanged = cur && json_equal(v, json_object_get(cur, "department"));
	if (s || (!unchanged && (!active || kind != 'h')))
		field(e, "department", "not an active handling department");
	return GD_OK;
}

/* Checks a whole category record; *dept_id is its department. */
static enum gd_status category_check(struct db *w, const json_t *rec, const json_t *cur, int64_t *dept_id,
				     struct gd_err *e)
{
	enum gd_status s;
	const char *name = text(rec, "name", 1, CATALOG_NAME_MAX, true, e);
	if (name && strlen(name) >= sizeof ((struct category *)0)->name)
		field(e, "name", "at most 127 bytes");
	text(rec, "description", 0, CATALOG_DESCRIPTION_MAX, false, e);
	integer(rec, "sla_hours", 1, 360, e);
	flag(rec, "active", e);
	integer(rec, "sort", -CATALOG_SORT_MAX, CATALOG_SORT_MAX, e);
	struct gd_err se = GD_ERR_INIT;
	if (fields_schema_check(json_object_get(rec, "fields_schema"), &se))
		schema_error(e, se.message);
	gd_err_release(&se);
	if ((s = category_department(w, rec, cur, dept_id, e)))
		return s;
	return gd_err_has_fields(e) ? invalid(e, "category") : GD_OK;
}

static enum gd_status category_write(struct db *w, const char *sql, const json_t *rec, int64_t parent_id,
				     int64_t dept_id)
{
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	char *schema = json_dumps(json_object_get(rec, "fields_schema"), JSON_COMPACT);
	db_bind_text(st, 1, str(rec, "code"), -1);
	db_bind_int64(st, 2, parent_id);
	db_bind_text(st, 3, str(rec, "name"), -1);
	db_bind_text(st, 4, str(rec, "description"), -1);
	db_bind_int64(st, 5, json_integer_value(json_object_get(rec, "sla_hours")));
	db_bind_int64(st, 6, dept_id);
	db_bind_text(st, 7, schema, -1);
	db_bind_int64(st, 8, json_is_true(json_object_get(rec, "active")));
	db_bind_int64(st, 9, json_integer_value(json_object_get(rec, "sort")));
	free(schema);
	return db_run(st);
}

static const char *const category_members[] = {"code",	   "parent",	    "name",   "description", "sla_hours",
					       "department", "fields_schema", "active", "sort",	      NULL};

enum gd_status category_create(struct db *w, const struct principal *who, const json_t *in, char code_out[64],
			       struct gd_err *e)
{
	static const char sql[] =
		"INSERT INTO categories (code, parent_id, name, description, sla_hours, department_id, fields_schema,"
		" active, sort) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?9)";
	json_t *parent = NULL, *defaults, *rec = NULL;
	json_t *jparent = json_object_get(in, "parent"), *jcode = json_object_get(in, "code");
	struct category pc = {0};
	enum gd_status s = GD_OK;
	const char *why;
	int64_t dept_id = 0;
	gd_err_unknown(e, in, category_members);
	if (jparent && !json_is_null(jparent)) {
		s = json_is_string(jparent) ? category_get(w, json_string_value(jparent), &parent) : GD_E_NOT_FOUND;
		if (s == GD_E_NOT_FOUND)
			field(e, "parent", "unknown category");
		else if (s)
			return s;
		else if ((s = category_find(w, json_string_value(jparent), &pc)))
			goto out;
	}
	if (!json_is_string(jcode))
		field(e, "code", jcode ? "must be a string" : "required");
	else if ((!jparent || json_is_null(jparent) || parent) && (why = category_code_rule(json_string_value(jcode), str(parent, "code"))))
		field(e, "code", why);
	/* a child takes its parent's SLA and department unless it says otherwise */
	defaults = json_pack("{s:O, s:s, s:I, s:O, s:[], s:b, s:i}", "parent",
			     parent ? json_object_get(parent, "code") : json_null(), "description", "", "sla_hours",
			     parent ? json_integer_value(json_object_get(parent, "sla_hours")) : (json_int_t)48,
			     "department", parent ? json_object_get(parent, "department") : json_null(),
			     "fields_schema", "active", 1, "sort", 0);
	rec = merged(defaults, in);
	json_decref(defaults);
	if ((s = category_check(w, rec, parent, &dept_id, e)))
		goto out;
	s = category_write(w, sql, rec, pc.id, dept_id);
	if (s == GD_E_CONFLICT) {
		field(e, "code", "already taken");
		s = invalid(e, "category");
	}
	if (!s) {
		snprintf(code_out, 64, "%s", str(rec, "code"));
		s = audit(w, who, "category", code_out, NULL, category_get);
	}
out:
	category_release(&pc);
	json_decref(parent);
	json_decref(rec);
	return s;
}

enum gd_status category_update(struct db *w, const struct principal *who, const char *code, const json_t *in,
			       struct gd_err *e)
{
	static const char sql[] =
		"UPDATE categories SET name = ?3, description = ?4, sla_hours = ?5, department_id = nullif(?6, 0),"
		" fields_schema = ?7, active = ?8, sort = ?9 WHERE code = ?1";
	static const char *const fixed[] = {"code", "parent", NULL};
	json_t *cur, *rec;
	int64_t dept_id = 0;
	enum gd_status s;
	if ((s = category_get(w, code, &cur)))
		return s == GD_E_NOT_FOUND ? gd_errf(e, s, "no category '%.60s'", code) : s;
	gd_err_unknown(e, in, category_members);
	immutable(in, cur, fixed, e);
	rec = merged(cur, in);
	if (!(s = category_check(w, rec, cur, &dept_id, e)) && !(s = category_write(w, sql, rec, 0, dept_id)))
		s = audit(w, who, "category", code, cur, category_get);
	json_decref(cur);
	json_decref(rec);
	return s;
}
