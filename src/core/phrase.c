/* phrase.c - standard phrases (常用语): list by category (including the
 * category's ancestors) and state, and the admin's create/update/delete. */
#include "gongdan/phrase.h"

#include <stdio.h>
#include <string.h>

#include "gongdan/admin_audit.h"
#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/utf8.h"

static const char *const kinds[] = {"greeting", "hold", "apology", "closing", "follow_up", "resolution", "summary", NULL};

#define PHRASE_COLUMNS "p.id, p.kind, p.text, c.code, p.state, p.sort"

static json_t *phrase_json(struct db_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I}", "id", (json_int_t)db_col_int64(st, 0), "kind",
			 db_col_text(st, 1), "text", db_col_text(st, 2), "category",
			 db_col_json_text(st, 3), "state", db_col_json_text(st, 4), "sort",
			 (json_int_t)db_col_int64(st, 5));
}

/* Whether code names a workflow state (wf_states). */
static enum gd_status state_exists(struct db *d, const char *code, bool *found)
{
	static const char sql[] = "SELECT 1 FROM wf_states WHERE code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	s = db_step(st, found);
	db_reset(st);
	return s;
}

enum gd_status phrase_list(const char *category, const char *state, json_t **out, struct gd_err *e)
{
	/* a phrase tied to 网络质量 is offered for every category under it */
	static const char sql[] =
		"WITH RECURSIVE anc(id) AS (SELECT id FROM categories WHERE code = ?1"
		"   UNION ALL SELECT c.parent_id FROM categories c JOIN anc ON c.id = anc.id WHERE c.parent_id IS NOT NULL)"
		" SELECT " PHRASE_COLUMNS " FROM phrases p LEFT JOIN categories c ON c.id = p.category_id"
		" WHERE (?1 IS NULL OR p.category_id IS NULL OR p.category_id IN (SELECT id FROM anc))"
		" AND (?2 IS NULL OR p.state IS NULL OR p.state = ?2) ORDER BY p.sort, p.id";
	struct db *d = db_reader();
	struct db_stmt *st;
	enum gd_status s;
	if (category) {
		struct category c;
		s = category_find(d, category, &c);
		category_release(&c);
		if (s == GD_E_NOT_FOUND) {
			gd_err_field(e, "category", "unknown category");
			return gd_errf(e, GD_E_VALIDATION, "unknown category '%.60s'", category);
		}
		if (s)
			return s;
	}
	if (state) {
		bool found;
		if ((s = state_exists(d, state, &found)))
			return s;
		if (!found) {
			gd_err_field(e, "state", "unknown state");
			return gd_errf(e, GD_E_VALIDATION, "unknown state '%.40s'", state);
		}
	}
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, category, -1);
	db_bind_text(st, 2, state, -1);
	json_t *items;
	if ((s = db_collect(st, phrase_json, &items)))
		return s;
	*out = json_pack("{s:o}", "items", items);
	return GD_OK;
}

static enum gd_status phrase_read(struct db *d, int64_t id, json_t **out)
{
	static const char sql[] = "SELECT " PHRASE_COLUMNS
				  " FROM phrases p LEFT JOIN categories c ON c.id = p.category_id WHERE p.id = ?1";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_int64(st, 1, id);
	return db_fetch_one(st, phrase_json, out);
}

enum gd_status phrase_get(int64_t id, json_t **out)
{
	return phrase_read(db_reader(), id, out);
}

/* The audit row of a change to phrase id: before (NULL: created) and the
 * phrase as it is now (none: deleted). */
static enum gd_status audit(struct db *w, const struct principal *who, const char *action, int64_t id, json_t *before)
{
	json_t *after = NULL;
	char object[24];
	enum gd_status s = strcmp(action, "delete") ? phrase_read(w, id, &after) : GD_OK;
	snprintf(object, sizeof object, "%lld", (long long)id);
	if (!s)
		s = admin_audit_record(w, who, action, "phrase", object, before, after, false);
	json_decref(after);
	return s;
}

/* The validated values of a phrase; NULL members were not given. */
struct phrase_values {
	const char *kind, *text, *category, *state;
	int64_t category_id, sort;
	bool has_category, has_state, has_sort;
};

/* Validation reasons go to e; a failing lookup is returned as it is (a busy
 * database is not an unknown category). */
static enum gd_status check(struct db *d, const json_t *in, bool create, struct phrase_values *v, struct gd_err *e)
{
	enum gd_status s;
	static const char *const allowed[] = {"kind", "text", "category", "state", "sort", NULL};
	json_t *x;
	memset(v, 0, sizeof *v);
	gd_err_unknown(e, in, allowed);
	if ((x = json_object_get(in, "kind")) || create) {
		bool ok = false;
		for (const char *const *k = kinds; x && json_is_string(x) && *k && !ok; k++)
			ok = !strcmp(*k, json_string_value(x));
		if (!ok)
			gd_err_field(e, "kind", "must be one of greeting, hold, apology, closing, follow_up, resolution, summary");
		else
			v->kind = json_string_value(x);
	}
	if ((x = json_object_get(in, "text")) || create) {
		if (!x || !json_is_string(x) || !json_string_length(x))
			gd_err_field(e, "text", "required");
		else if (utf8_chars(json_string_value(x), json_string_length(x)) > PHRASE_TEXT_MAX)
			gd_err_field(e, "text", "at most 500 characters");
		else
			v->text = json_string_value(x);
	}
	if ((x = json_object_get(in, "category"))) {
		v->has_category = true;
		if (json_is_string(x)) {
			struct category c;
			s = category_find(d, json_string_value(x), &c);
			if (s == GD_E_NOT_FOUND)
				gd_err_field(e, "category", "unknown category");
			else if (s)
				return s;
			else
				v->category_id = c.id;
			category_release(&c);
		} else if (!json_is_null(x)) {
			gd_err_field(e, "category", "unknown category");
		}
	}
	if ((x = json_object_get(in, "state"))) {
		v->has_state = true;
		bool found = false;
		if (json_is_string(x) && (s = state_exists(d, json_string_value(x), &found)))
			return s;
		if (!json_is_null(x) && !found)
			gd_err_field(e, "state", "must be a state code (draft, pending_dispatch, …) or null");
		else if (!json_is_null(x))
			v->state = json_string_value(x);
	}
	if ((x = json_object_get(in, "sort"))) {
		v->has_sort = true;
		if (!json_is_integer(x))
			gd_err_field(e, "sort", "must be an integer");
		else
			v->sort = json_integer_value(x);
	}
	return GD_OK;
}

enum gd_status phrase_create(struct db *w, const struct principal *who, const json_t *in, int64_t *id_out,
			     struct gd_err *e)
{
	static const char sql[] = "INSERT INTO phrases (kind, text, category_id, state, sort) VALUES (?1, ?2, nullif(?3, 0), ?4, ?5)";
	struct phrase_values v;
	struct db_stmt *st;
	enum gd_status s = check(w, in, true, &v, e);
	if (s)
		return s;
	if (gd_err_has_fields(e))
		s = gd_errf(e, GD_E_VALIDATION, "the phrase has invalid fields");
	else if (!(s = db_prepare(w, sql, &st))) {
		db_bind_text(st, 1, v.kind, -1);
		db_bind_text(st, 2, v.text, -1);
		db_bind_int64(st, 3, v.category_id);
		db_bind_text(st, 4, v.state, -1);
		db_bind_int64(st, 5, v.sort);
		if (!(s = db_run(st))) {
			*id_out = db_last_insert_id(w);
			s = audit(w, who, "create", *id_out, NULL);
		}
	}
	return s;
}

enum gd_status phrase_update(struct db *w, const struct principal *who, int64_t id, const json_t *in,
			     struct gd_err *e)
{
	static const char sql[] =
		"UPDATE phrases SET kind = coalesce(?2, kind), text = coalesce(?3, text),"
		" category_id = CASE WHEN ?4 THEN nullif(?5, 0) ELSE category_id END,"
		" state = CASE WHEN ?6 THEN ?7 ELSE state END, sort = CASE WHEN ?8 THEN ?9 ELSE sort END WHERE id = ?1";
	struct phrase_values v;
	struct db_stmt *st;
	json_t *before = NULL;
	enum gd_status s = check(w, in, false, &v, e);
	if (s)
		return s;
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the phrase has invalid fields");
	if ((s = phrase_read(w, id, &before)))
		return s == GD_E_NOT_FOUND ? gd_errf(e, s, "no phrase %lld", (long long)id) : s;
	if (!(s = db_prepare(w, sql, &st))) {
		db_bind_int64(st, 1, id);
		db_bind_text(st, 2, v.kind, -1);
		db_bind_text(st, 3, v.text, -1);
		db_bind_int64(st, 4, v.has_category);
		db_bind_int64(st, 5, v.category_id);
		db_bind_int64(st, 6, v.has_state);
		db_bind_text(st, 7, v.state, -1);
		db_bind_int64(st, 8, v.has_sort);
		db_bind_int64(st, 9, v.sort);
		if (!(s = db_run(st)))
			s = audit(w, who, "update", id, before);
	}
	json_decref(before);
	return s;
}

enum gd_status phrase_delete(struct db *w, const struct principal *who, int64_t id, struct gd_err *e)
{
	static const char sql[] = "DELETE FROM phrases WHERE id = ?1";
	struct db_stmt *st;
	json_t *before = NULL;
	enum gd_status s;
	if ((s = phrase_read(w, id, &before)))
		return s == GD_E_NOT_FOUND ? gd_errf(e, s, "no phrase %lld", (long long)id) : s;
	if (!(s = db_prepare(w, sql, &st))) {
		db_bind_int64(st, 1, id);
		if (!(s = db_run(st)))
			s = audit(w, who, "delete", id, before);
	}
	json_decref(before);
	return s;
}
