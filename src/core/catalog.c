/* catalog.c - reference data: the category tree, departments, regions, and
 * the region suggestion for a fault number (area code → region; mobile
 * number segment → region; anything else → 省公司). The segments
 * themselves are imported by segments.c. */
#include "gongdan/catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/phone.h"
#include "gongdan/strbuf.h"
#include "gongdan/xalloc.h"

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

static enum gd_status category_read(struct db *d, const char *code, struct category *out)
{
	/* active: the category and every ancestor (switching off a branch
	 * switches off everything under it) */
	static const char sql[] =
		"WITH RECURSIVE up(id, parent_id, active) AS ("
		"   SELECT id, parent_id, active FROM categories WHERE code = ?1"
		"   UNION ALL SELECT p.id, p.parent_id, p.active FROM categories p JOIN up ON p.id = up.parent_id)"
		" SELECT c.id, c.code, c.name, c.sla_hours, coalesce(c.department_id, 0), c.fields_schema,"
		" (SELECT min(active) FROM up),"
		" NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id AND k.active)"
		" FROM categories c WHERE c.code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	memset(out, 0, sizeof *out);
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	if (!(s = db_step(st, &row)) && row) {
		out->id = db_col_int64(st, 0);
		copy(out->code, sizeof out->code, db_col_text(st, 1));
		copy(out->name, sizeof out->name, db_col_text(st, 2));
		out->sla_hours = (int)db_col_int64(st, 3);
		out->department_id = db_col_int64(st, 4);
		out->fields_schema = json_loads(db_col_text(st, 5), 0, NULL);
		out->active = db_col_int64(st, 6) != 0;
		out->is_leaf = db_col_int64(st, 7) != 0;
		if (!out->fields_schema)
			s = GD_E_INTERNAL;
	} else if (!s) {
		s = GD_E_NOT_FOUND;
	}
	db_reset(st);
	return s;
}

/* Parsed categories, shared by every thread for one catalog version (the
 * counter sql/0011 keeps): validation looks a category up for every ticket
 * written, and reading it means a recursive query and a JSON parse. The
 * schemas are shared read-only; Jansson's reference counts are atomic. */
#define CATEGORY_CACHE 256
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t cache_version;
static struct category cache[CATEGORY_CACHE];
static int ncache;

static enum gd_status catalog_version(struct db *d, int64_t *v)
{
	static const char sql[] = "SELECT v FROM catalog_version WHERE id = 1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	*v = 0;
	if (!(s = db_step(st, &row)) && row)
		*v = db_col_int64(st, 0);
	db_reset(st);
	return s;
}

enum gd_status category_find(struct db *d, const char *code, struct category *out)
{
	int64_t v;
	enum gd_status s = catalog_version(d, &v);
	if (s)
		return s;
	pthread_mutex_lock(&cache_lock);
	if (v == cache_version) {
		for (int i = 0; i < ncache; i++) {
			if (!strcmp(cache[i].code, code)) {
				*out = cache[i];
				json_incref(out->fields_schema);
				pthread_mutex_unlock(&cache_lock);
				return GD_OK;
			}
		}
	}
	pthread_mutex_unlock(&cache_lock);
	/* read on the caller's connection: its snapshot decides what it sees */
	if ((s = category_read(d, code, out)))
		return s;
	pthread_mutex_lock(&cache_lock);
	if (v > cache_version) {
		for (int i = 0; i < ncache; i++)
			category_release(&cache[i]);
		ncache = 0;
		cache_version = v;
	}
	bool known = false;
	for (int i = 0; i < ncache && !known; i++)
		known = !strcmp(cache[i].code, code);
	if (v == cache_version && !known && ncache < CATEGORY_CACHE) {
		cache[ncache] = *out;
		json_incref(cache[ncache].fields_schema);
		ncache++;
	}
	pthread_mutex_unlock(&cache_lock);
	return GD_OK;
}

void category_release(struct category *c)
{
	json_decref(c->fields_schema);
	c->fields_schema = NULL;
}

enum gd_status category_tree(struct db *d, json_t **out)
{
	static const char sql[] =
		"SELECT c.id, coalesce(c.parent_id, 0), c.code, c.name, c.description, c.sla_hours,"
		" d.code, c.fields_schema FROM categories c LEFT JOIN departments d ON d.id = c.department_id"
		" WHERE c.active ORDER BY c.parent_id IS NOT NULL, c.parent_id, c.sort, c.id";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	json_t *roots = json_array();
	json_t *by_id = json_object(); /* id → node */
	json_t *order = json_array();  /* [node, parent id] in row order */
	while (!(s = db_step(st, &row)) && row) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)db_col_int64(st, 0));
		json_t *schema = json_loads(db_col_text(st, 7), 0, NULL);
		json_t *node = json_pack("{s:s, s:s, s:s, s:I, s:o*, s:o, s:[]}", "code", db_col_text(st, 2), "name",
					 db_col_text(st, 3), "description", db_col_text(st, 4), "sla_hours",
					 (json_int_t)db_col_int64(st, 5), "department",
					 db_col_null(st, 6) ? NULL : json_string(db_col_text(st, 6)), "fields",
					 schema ? schema : json_array(), "children");
		json_object_set_new(by_id, key, node);
		json_array_append_new(order, json_pack("[O, I]", node, (json_int_t)db_col_int64(st, 1)));
	}
	db_reset(st);
	/* link in a second pass: a category moved (parent_id updated) under a
	 * newer one comes before its parent; one under an inactive parent is
	 * hidden with it */
	size_t i;
	json_t *pair;
	json_array_foreach(order, i, pair) {
		json_t *node = json_array_get(pair, 0);
		json_int_t parent_id = json_integer_value(json_array_get(pair, 1));
		char parent[24];
		snprintf(parent, sizeof parent, "%lld", (long long)parent_id);
		json_t *p = parent_id ? json_object_get(by_id, parent) : NULL;
		if (p || !parent_id)
			json_array_append(p ? json_object_get(p, "children") : roots, node);
	}
	/* mark leaves: the selectable ones */
	const char *k;
	json_t *node;
	json_object_foreach(by_id, k, node)
		json_object_set_new(node, "leaf", json_boolean(json_array_size(json_object_get(node, "children")) == 0));
	json_decref(order);
	json_decref(by_id);
	if (s) {
		json_decref(roots);
		return s;
	}
	*out = roots;
	return GD_OK;
}

static json_t *department_json(struct db_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "code", db_col_text(st, 0), "name", db_col_text(st, 1), "kind",
			 db_col_text(st, 2), "region", db_col_json_text(st, 3));
}

enum gd_status department_list(struct db *d, json_t **out)
{
	static const char sql[] = "SELECT code, name, kind, region FROM departments WHERE active ORDER BY sort, id";
	struct db_stmt *st;
	enum gd_status s = db_prepare(d, sql, &st);
	return s ? s : db_collect(st, department_json, out);
}

enum gd_status department_lookup(struct db *d, const char *code, int64_t *id, char *kind, bool *active)
{
	static const char sql[] = "SELECT id, kind, active FROM departments WHERE code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	if (!(s = db_step(st, &row)) && row) {
		*id = db_col_int64(st, 0);
		if (kind)
			*kind = db_col_text(st, 1)[0];
		*active = db_col_int64(st, 2) != 0;
	} else if (!s) {
		s = GD_E_NOT_FOUND;
	}
	db_reset(st);
	return s;
}

enum gd_status department_find(struct db *d, const char *code, int64_t *id, char *kind)
{
	bool active = false;
	enum gd_status s = department_lookup(d, code, id, kind, &active);
	return s ? s : active ? GD_OK : GD_E_NOT_FOUND;
}

static json_t *region_json(struct db_stmt *st)
{
	return json_pack("{s:s, s:s, s:o}", "code", db_col_text(st, 0), "name", db_col_text(st, 1), "area_code",
			 db_col_json_text(st, 2));
}

enum gd_status region_list(struct db *d, json_t **out)
{
	static const char sql[] = "SELECT code, name, area_code FROM regions ORDER BY sort, code";
	struct db_stmt *st;
	enum gd_status s = db_prepare(d, sql, &st);
	return s ? s : db_collect(st, region_json, out);
}

enum gd_status region_exists(struct db *d, const char *code, bool *found)
{
	static const char sql[] = "SELECT 1 FROM regions WHERE code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	*found = false;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	s = db_step(st, found);
	db_reset(st);
	return s;
}

/* One-column lookup: binds key, copies the first column into out. */
static enum gd_status lookup_one(struct db *d, const char *sql, const char *key, int keylen, char out[16], bool *found)
{
	struct db_stmt *st;
	enum gd_status s;
	*found = false;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, key, keylen);
	if (!(s = db_step(st, found)) && *found)
		copy(out, 16, db_col_text(st, 0));
	db_reset(st);
	return s;
}

enum gd_status region_suggest(struct db *d, const char *number, char out[16])
{
	static const char by_area[] = "SELECT code FROM regions WHERE area_code = ?1";
	static const char by_segment[] = "SELECT region FROM number_segments WHERE prefix = ?1";
	enum gd_status s = GD_OK;
	bool found = false;
	size_t n = strlen(number);
	copy(out, 16, REGION_DEFAULT);
	if (phone_check(number, n))
		return GD_OK;
	if (phone_is_mobile(number, n)) {
		s = lookup_one(d, by_segment, number, 7, out, &found);
	} else {
		char area[5];
		int len = phone_area_code(number, n, area);
		if (len > 0)
			s = lookup_one(d, by_area, area, len, out, &found);
	}
	if (!found)
		copy(out, 16, REGION_DEFAULT);
	return s;
}
