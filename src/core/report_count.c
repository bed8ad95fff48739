/* report_count.c - the report counters (see report_count.h and
 * sql/0015_reports.sql): each fact is added to its local day's cell and to
 * its month's (p = YYYYMMDD and YYYYMM), with bound parameters and cached
 * statements, in the caller's write transaction. */
#include "gongdan/report_count.h"

#include <stdbool.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/gd_time.h"

/* --- tickets by their creation ------------------------------------------ */

enum { DIM_CATEGORY = 1, DIM_REGION = 2, DIM_DEPARTMENT = 4, DIM_USER = 8 };

/* One cube each; parameters: ?1 p, ?2 department, ?3 category, ?4 region,
 * ?5 n, ?6 repeats, ?7 creator (a statement leaves out what its cube does
 * not keep). */
static const struct {
	const char *sql;
	unsigned dims;
} cubes[] = {
	{"INSERT INTO report_created (p, n, repeats) VALUES (?1, ?5, ?6)"
	 " ON CONFLICT (p) DO UPDATE SET n = n + excluded.n, repeats = repeats + excluded.repeats",
	 0},
	{"INSERT INTO report_created_category (p, category_id, n, repeats) VALUES (?1, ?3, ?5, ?6)"
	 " ON CONFLICT (p, category_id) DO UPDATE SET n = n + excluded.n, repeats = repeats + excluded.repeats",
	 DIM_CATEGORY},
	{"INSERT INTO report_created_region (p, region, n, repeats) VALUES (?1, ?4, ?5, ?6)"
	 " ON CONFLICT (p, region) DO UPDATE SET n = n + excluded.n, repeats = repeats + excluded.repeats",
	 DIM_REGION},
	{"INSERT INTO report_created_department (department_id, p, category_id, n, repeats) VALUES (?2, ?1, ?3, ?5, ?6)"
	 " ON CONFLICT (department_id, p, category_id) DO UPDATE SET n = n + excluded.n,"
	 " repeats = repeats + excluded.repeats",
	 DIM_DEPARTMENT | DIM_CATEGORY},
	{"INSERT INTO report_created_cell (department_id, category_id, p, region, n, repeats)"
	 " VALUES (?2, ?3, ?1, ?4, ?5, ?6) ON CONFLICT (department_id, category_id, p, region)"
	 " DO UPDATE SET n = n + excluded.n, repeats = repeats + excluded.repeats",
	 DIM_DEPARTMENT | DIM_CATEGORY | DIM_REGION},
	{"INSERT INTO report_created_user_category (u, p, category_id, n, repeats) VALUES (?7, ?1, ?3, ?5, ?6)"
	 " ON CONFLICT (u, p, category_id) DO UPDATE SET n = n + excluded.n, repeats = repeats + excluded.repeats",
	 DIM_USER | DIM_CATEGORY},
	{"INSERT INTO report_created_user_cell (u, p, department_id, category_id, region, n, repeats)"
	 " VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (u, p, department_id, category_id, region)"
	 " DO UPDATE SET n = n + excluded.n, repeats = repeats + excluded.repeats",
	 DIM_USER | DIM_DEPARTMENT | DIM_CATEGORY | DIM_REGION},
};

/* Where a ticket counts among the created tickets. */
struct created_cell {
	int day; /* YYYYMMDD of its creation */
	int64_t category_id, department_id, creator;
	const char *region;
	int repeated;
};

static struct created_cell created_of(const struct ticket_row *t)
{
	return (struct created_cell){time_local_date(t->created_at), t->category_id, t->department_id, t->created_by,
				     t->region, t->repeat_count > 0};
}

static bool same_in(unsigned dims, const struct created_cell *a, const struct created_cell *b)
{
	return a->day == b->day && a->repeated == b->repeated &&
	       (!(dims & DIM_CATEGORY) || a->category_id == b->category_id) &&
	       (!(dims & DIM_DEPARTMENT) || a->department_id == b->department_id) &&
	       (!(dims & DIM_REGION) || !strcmp(a->region, b->region)) &&
	       (!(dims & DIM_USER) || a->creator == b->creator);
}

static enum gd_status bump_created(struct db *w, size_t cube, const struct created_cell *c, int delta)
{
	struct db_stmt *st;
	enum gd_status s;
	const int periods[] = {c->day, c->day / 100};
	for (size_t i = 0; i < 2; i++) {
		if ((s = db_prepare(w, cubes[cube].sql, &st)))
			return s;
		db_bind_int64(st, 1, periods[i]);
		db_bind_int64(st, 2, c->department_id);
		db_bind_int64(st, 3, c->category_id);
		db_bind_text(st, 4, c->region, -1);
		db_bind_int64(st, 5, delta);
		db_bind_int64(st, 6, c->repeated ? delta : 0);
		db_bind_int64(st, 7, c->creator);
		if ((s = db_run(st)))
			return s;
	}
	return GD_OK;
}

/* --- tickets by their closing ------------------------------------------- */

struct closed_fact {
	int day; /* YYYYMMDD of closed_at */
	int64_t department_id, creator;
	int timely, no_deadline, resolved, reopened, satisfaction;
};

/* Whether the ticket was reopened before (its current closing, or this
 * step: the step's own row is not written yet). */
static enum gd_status was_reopened(struct db *w, int64_t ticket_id, int *out)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM history WHERE ticket_id = ?1 AND action = 'reopen')";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_int64(st, 1, ticket_id);
	*out = 0;
	if (!(s = db_step(st, &row)) && row)
		*out = db_col_int64(st, 0) != 0;
	db_reset(st);
	return s;
}

static struct closed_fact closed_of(const struct ticket_row *t, int reopened)
{
	return (struct closed_fact){
		.day = time_local_date(t->closed_at),
		.department_id = t->department_id,
		.creator = t->created_by,
		.timely = !t->deadline || t->closed_at <= t->deadline,
		.no_deadline = !t->deadline,
		.resolved = !strcmp(t->closed_by, "resolve"),
		.reopened = reopened,
		.satisfaction = t->satisfaction,
	};
}

static enum gd_status bump_closed(struct db *w, const struct closed_fact *c, int delta)
{
	static const char sql[] =
		"INSERT INTO report_closed (u, p, department_id, closed, timely, no_deadline, resolved, reopened,"
		" s1, s2, s3, s4, s5) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
		" ON CONFLICT (u, p, department_id) DO UPDATE SET closed = closed + excluded.closed,"
		" timely = timely + excluded.timely, no_deadline = no_deadline + excluded.no_deadline,"
		" resolved = resolved + excluded.resolved, reopened = reopened + excluded.reopened,"
		" s1 = s1 + excluded.s1, s2 = s2 + excluded.s2, s3 = s3 + excluded.s3, s4 = s4 + excluded.s4,"
		" s5 = s5 + excluded.s5";
	struct db_stmt *st;
	enum gd_status s;
	const int64_t scopes[] = {0, c->creator}, periods[] = {c->day, c->day / 100};
	for (size_t u = 0; u < 2; u++)
		for (size_t i = 0; i < 2; i++) {
			if ((s = db_prepare(w, sql, &st)))
				return s;
			db_bind_int64(st, 1, scopes[u]);
			db_bind_int64(st, 2, periods[i]);
			db_bind_int64(st, 3, c->department_id);
			db_bind_int64(st, 4, delta);
			db_bind_int64(st, 5, c->timely * delta);
			db_bind_int64(st, 6, c->no_deadline * delta);
			db_bind_int64(st, 7, c->resolved * delta);
			db_bind_int64(st, 8, c->reopened * delta);
			for (int k = 1; k <= 5; k++)
				db_bind_int64(st, 8 + k, c->satisfaction == k ? delta : 0);
			if ((s = db_run(st)))
				return s;
		}
	return GD_OK;
}

static bool same_closed(const struct closed_fact *a, const struct closed_fact *b)
{
	return a->day == b->day && a->department_id == b->department_id && a->creator == b->creator &&
	       a->timely == b->timely && a->no_deadline == b->no_deadline && a->resolved == b->resolved &&
	       a->reopened == b->reopened && a->satisfaction == b->satisfaction;
}

enum gd_status report_move(struct db *w, const struct ticket_row *before, const struct ticket_row *after)
{
	enum gd_status s;
	struct created_cell a, b;
	if (before)
		a = created_of(before);
	if (after)
		b = created_of(after);
	for (size_t i = 0; i < sizeof cubes / sizeof cubes[0]; i++) {
		if (before && after && same_in(cubes[i].dims, &a, &b))
			continue;
		if (before && (s = bump_created(w, i, &a, -1)))
			return s;
		if (after && (s = bump_created(w, i, &b, +1)))
			return s;
	}
	bool was = before && before->closed_at, is = after && after->closed_at;
	if (!was && !is)
		return GD_OK;
	int reopened = 0;
	if ((s = was_reopened(w, (before ? before : after)->id, &reopened)))
		return s;
	struct closed_fact x, y;
	if (was)
		x = closed_of(before, reopened);
	if (is)
		y = closed_of(after, reopened);
	if (was && is && same_closed(&x, &y))
		return GD_OK;
	if (was && (s = bump_closed(w, &x, -1)))
		return s;
	return is ? bump_closed(w, &y, +1) : GD_OK;
}

/* --- events -------------------------------------------------------------- */

struct events {
	int64_t returns, transfers, urges, reopens, overdue, replies, seconds;
};

static enum gd_status bump_events(struct db *w, const struct wf_step *step, int64_t department_id,
				  const struct events *e)
{
	static const char sql[] =
		"INSERT INTO report_events (u, p, department_id, returns, transfers, urges, reopens, overdue, replies,"
		" reply_seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		" ON CONFLICT (u, p, department_id) DO UPDATE SET returns = returns + excluded.returns,"
		" transfers = transfers + excluded.transfers, urges = urges + excluded.urges,"
		" reopens = reopens + excluded.reopens, overdue = overdue + excluded.overdue,"
		" replies = replies + excluded.replies, reply_seconds = reply_seconds + excluded.reply_seconds";
	struct db_stmt *st;
	enum gd_status s;
	int day = time_local_date(step->at);
	const int64_t scopes[] = {0, step->before.created_by}, periods[] = {day, day / 100};
	for (size_t u = 0; u < 2; u++)
		for (size_t i = 0; i < 2; i++) {
			if ((s = db_prepare(w, sql, &st)))
				return s;
			db_bind_int64(st, 1, scopes[u]);
			db_bind_int64(st, 2, periods[i]);
			db_bind_int64(st, 3, department_id);
			db_bind_int64(st, 4, e->returns);
			db_bind_int64(st, 5, e->transfers);
			db_bind_int64(st, 6, e->urges);
			db_bind_int64(st, 7, e->reopens);
			db_bind_int64(st, 8, e->overdue);
			db_bind_int64(st, 9, e->replies);
			db_bind_int64(st, 10, e->seconds);
			if ((s = db_run(st)))
				return s;
		}
	return GD_OK;
}

static enum gd_status bump_handling(struct db *w, const struct wf_step *step, int64_t department_id, int64_t seconds)
{
	static const char hours_sql[] =
		"INSERT INTO report_handling (u, department_id, p, hour, n) VALUES (?1, ?2, ?3, ?4, 1)"
		" ON CONFLICT (u, department_id, p, hour) DO UPDATE SET n = n + 1";
	static const char minutes_sql[] =
		"INSERT INTO report_handling_minutes (u, department_id, hour, p, minute, n) VALUES (?1, ?2, ?4, ?3, ?5, 1)"
		" ON CONFLICT (u, department_id, hour, p, minute) DO UPDATE SET n = n + 1";
	const char *const sqls[] = {hours_sql, minutes_sql};
	struct db_stmt *st;
	enum gd_status s;
	int day = time_local_date(step->at);
	const int64_t scopes[] = {0, step->before.created_by}, periods[] = {day, day / 100};
	for (size_t k = 0; k < 2; k++)
		for (size_t u = 0; u < 2; u++)
			for (size_t i = 0; i < 2; i++) {
				if ((s = db_prepare(w, sqls[k], &st)))
					return s;
				db_bind_int64(st, 1, scopes[u]);
				db_bind_int64(st, 2, department_id);
				db_bind_int64(st, 3, periods[i]);
				db_bind_int64(st, 4, seconds / 3600);
				db_bind_int64(st, 5, seconds % 3600 / 60);
				if ((s = db_run(st)))
					return s;
			}
	return GD_OK;
}

/* The handling episode a reply by `department` ends: it began with the
 * oldest of the history rows just before it that have that department
 * (the dispatch or transfer that brought the ticket there). *began = 0: no
 * episode (an earlier reply of the same stretch already ended it). */
static enum gd_status episode_start(struct db *w, int64_t ticket_id, int64_t department, int64_t *began)
{
	static const char sql[] =
		"SELECT coalesce(department_id, 0), action, at FROM history WHERE ticket_id = ?1 ORDER BY seq DESC";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	*began = 0;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_int64(st, 1, ticket_id);
	while (!(s = db_step(st, &row)) && row && db_col_int64(st, 0) == department) {
		if (!strcmp(db_col_text(st, 1), "reply")) {
			*began = 0;
			break;
		}
		*began = db_col_int64(st, 2);
	}
	db_reset(st);
	return s;
}

enum gd_status report_step(struct db *w, const struct wf_step *step)
{
	struct events e = {0};
	const char *a = step->action;
	int64_t department = step->before.department_id;
	enum gd_status s;
	if (!strcmp(a, "return"))
		e.returns = 1;
	else if (!strcmp(a, "transfer"))
		e.transfers = 1;
	else if (!strcmp(a, "urge"))
		e.urges = 1;
	else if (!strcmp(a, "reopen"))
		e.reopens = 1;
	else if (!strcmp(a, "overdue"))
		e.overdue = 1;
	else if (!strcmp(a, "reply") && step->after.department_id) {
		int64_t began;
		department = step->after.department_id;
		if ((s = episode_start(w, step->after.id, department, &began)))
			return s;
		if (!began)
			return GD_OK;
		e.replies = 1;
		e.seconds = step->at > began ? step->at - began : 0;
		if ((s = bump_handling(w, step, department, e.seconds)))
			return s;
	} else {
		return GD_OK;
	}
	return bump_events(w, step, department, &e);
}

/* --- audit --------------------------------------------------------------- */

/* Each table against its recount view (sql/0015_reports.sql): rows whose
 * counters are all zero are cells that emptied, not differences. */
static const struct {
	const char *table;
	const char *sql;
} checks[] = {
#define CHECK(table, nonzero)                                                                                 \
	{table, "WITH kept AS (SELECT * FROM " table " WHERE " nonzero ")"                                    \
		" SELECT (SELECT count(*) FROM kept),"                                                      \
		" (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM " table "_recount)) +"      \
		" (SELECT count(*) FROM (SELECT * FROM " table "_recount EXCEPT SELECT * FROM kept))"}
	CHECK("report_created", "n <> 0 OR repeats <> 0"),
	CHECK("report_created_category", "n <> 0 OR repeats <> 0"),
	CHECK("report_created_region", "n <> 0 OR repeats <> 0"),
	CHECK("report_created_department", "n <> 0 OR repeats <> 0"),
	CHECK("report_created_cell", "n <> 0 OR repeats <> 0"),
	CHECK("report_created_user_category", "n <> 0 OR repeats <> 0"),
	CHECK("report_created_user_cell", "n <> 0 OR repeats <> 0"),
	CHECK("report_closed", "closed <> 0 OR timely <> 0 OR no_deadline <> 0 OR resolved <> 0 OR reopened <> 0"
			       " OR s1 <> 0 OR s2 <> 0 OR s3 <> 0 OR s4 <> 0 OR s5 <> 0"),
	CHECK("report_events", "returns <> 0 OR transfers <> 0 OR urges <> 0 OR reopens <> 0 OR overdue <> 0"
			       " OR replies <> 0 OR reply_seconds <> 0"),
	CHECK("report_handling", "n <> 0"),
	CHECK("report_handling_minutes", "n <> 0"),
#undef CHECK
};

enum gd_status report_check(struct db *d, FILE *report, long *cells)
{
	enum gd_status s = GD_OK;
	bool differs = false;
	*cells = 0;
	for (size_t i = 0; i < sizeof checks / sizeof checks[0] && !s; i++) {
		struct db_stmt *st;
		bool row;
		if ((s = db_prepare(d, checks[i].sql, &st)))
			break;
		if (!(s = db_step(st, &row)) && row) {
			*cells += (long)db_col_int64(st, 0);
			if (db_col_int64(st, 1)) {
				differs = true;
				fprintf(report, "report counters in %s differ from a recount of the tickets and history"
						" (%lld cells)\n",
					checks[i].table, (long long)db_col_int64(st, 1));
			}
		}
		db_reset(st);
	}
	return s ? s : differs ? GD_E_CONFLICT : GD_OK;
}
