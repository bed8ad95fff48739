/* queue.c - O(1) queue counts per state × department (see queue.h). */
#include "gongdan/queue.h"

#include <string.h>

#include "gongdan/db.h"

static enum gd_status bump(struct db *w, const struct queue_cell *c, int delta)
{
	static const char sql[] =
		"INSERT INTO queue_counts (state, department_id, total, overdue) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (state, department_id) DO UPDATE SET total = total + ?3, overdue = overdue + ?4";
	struct db_stmt *st;
	enum gd_status s;
	if (!c || !c->state)
		return GD_OK;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_text(st, 1, c->state, -1);
	db_bind_int64(st, 2, c->department_id);
	db_bind_int64(st, 3, delta);
	db_bind_int64(st, 4, c->overdue ? delta : 0);
	return db_run(st);
}

enum gd_status queue_move(struct db *w, const struct queue_cell *from, const struct queue_cell *to)
{
	if (from && to && from->state && to->state && !strcmp(from->state, to->state) &&
	    from->department_id == to->department_id && from->overdue == to->overdue)
		return GD_OK;
	enum gd_status s = bump(w, from, -1);
	return s ? s : bump(w, to, +1);
}

bool queue_counts_touched(const struct principal *who, int64_t dept_before, int64_t dept_after)
{
	if (!role_has(who->role, ROLE_SEES_DEPARTMENT))
		return true;
	return who->department_id && (dept_before == who->department_id || dept_after == who->department_id);
}

enum gd_status queue_counts(struct db *d, const struct principal *who, json_t **out)
{
	static const char sql[] =
		"SELECT q.state, s.name, d.code, d.name, q.total, q.overdue FROM queue_counts q"
		" JOIN wf_states s ON s.code = q.state LEFT JOIN departments d ON d.id = q.department_id"
		" WHERE q.total > 0 AND (?1 = 0 OR q.department_id = ?1) ORDER BY s.sort, d.sort, d.code";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_int64(st, 1, role_has(who->role, ROLE_SEES_DEPARTMENT) ? (who->department_id ? who->department_id : -1) : 0);
	json_t *items = json_array(), *by_state = json_object();
	json_int_t total = 0, overdue = 0;
	while (!(s = db_step(st, &row)) && row) {
		json_int_t t = db_col_int64(st, 4), o = db_col_int64(st, 5);
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:o, s:I, s:I}", "state", db_col_text(st, 0),
						       "state_name", db_col_text(st, 1), "department",
						       db_col_null(st, 2) ? json_null() : json_string(db_col_text(st, 2)),
						       "department_name",
						       db_col_null(st, 3) ? json_null() : json_string(db_col_text(st, 3)),
						       "total", t, "overdue", o));
		json_t *cell = json_object_get(by_state, db_col_text(st, 0));
		if (!cell) {
			cell = json_pack("{s:I, s:I}", "total", (json_int_t)0, "overdue", (json_int_t)0);
			json_object_set_new(by_state, db_col_text(st, 0), cell);
		}
		json_object_set_new(cell, "total", json_integer(json_integer_value(json_object_get(cell, "total")) + t));
		json_object_set_new(cell, "overdue",
				    json_integer(json_integer_value(json_object_get(cell, "overdue")) + o));
		total += t;
		overdue += o;
	}
	db_reset(st);
	if (s) {
		json_decref(items);
		json_decref(by_state);
		return s;
	}
	*out = json_pack("{s:o, s:o, s:I, s:I}", "items", items, "by_state", by_state, "total", total, "overdue", overdue);
	return GD_OK;
}

enum gd_status queue_open_totals(struct db *d, void (*each)(void *arg, const char *state, int64_t total, int64_t overdue),
				 void *arg)
{
	static const char sql[] =
		"SELECT s.code, COALESCE(SUM(q.total), 0), COALESCE(SUM(q.overdue), 0) FROM wf_states s"
		" LEFT JOIN queue_counts q ON q.state = s.code WHERE s.is_open = 1 GROUP BY s.code ORDER BY s.sort";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row)
		each(arg, db_col_text(st, 0), db_col_int64(st, 1), db_col_int64(st, 2));
	db_reset(st);
	return s;
}

enum gd_status queue_check(struct db *d, long *cells)
{
	/* the counters must equal a full recount, cell by cell, both ways */
	static const char sql[] =
		"WITH real AS (SELECT t.state, coalesce(t.department_id, 0) AS department_id, count(*) AS total,"
		"   sum(t.overdue AND s.is_open) AS overdue FROM tickets t JOIN wf_states s ON s.code = t.state"
		"   GROUP BY 1, 2),"
		" kept AS (SELECT state, department_id, total, overdue FROM queue_counts WHERE total <> 0 OR overdue <> 0)"
		" SELECT (SELECT count(*) FROM real),"
		"  (SELECT count(*) FROM (SELECT * FROM real EXCEPT SELECT * FROM kept)) +"
		"  (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM real))";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	long diff = 0;
	if (!(s = db_step(st, &row)) && row) {
		*cells = (long)db_col_int64(st, 0);
		diff = (long)db_col_int64(st, 1);
	}
	db_reset(st);
	if (s)
		return s;
	return diff ? GD_E_CONFLICT : GD_OK;
}
