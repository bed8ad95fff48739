/* report_count.c - the report counters (see report_count.h and
 * sql/0015_reports.sql): each fact is added to its local day's cell and to
 * its month's (p = YYYYMMDD and YYYYMM), with bound parameters and cached
 * statements, in the caller's write transaction. */
#include "gongdan/report_count.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/xalloc.h"

/* --- one cell's change --------------------------------------------------- */

/* A counter table's upsert, one binding for all: ?1..?5 the key's integers
 * (the unused ones 0), ?6 its text (the region) or NULL, ?7.. the nsum
 * amounts added. */
struct table {
	const char *sql;
	int nsum;
};

struct cell {
	const struct table *t;
	int64_t key[5];
	const char *text; /* the region, or NULL */
	int64_t sum[10];
};

static enum gd_status write_cell(struct db *w, const struct cell *c)
{
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(w, c->t->sql, &st)))
		return s;
	for (int i = 0; i < 5; i++)
		db_bind_int64(st, i + 1, c->key[i]);
	db_bind_text(st, 6, c->text, -1);
	for (int i = 0; i < c->t->nsum; i++)
		db_bind_int64(st, 7 + i, c->sum[i]);
	return db_run(st);
}

/* Deferred cells (report_defer): an open-addressing table of the cells
 * touched since the last report_flush, each with its summed change; their
 * texts are copies kept once each (a few regions). */
static struct {
	bool on;
	struct cell *slots; /* t == NULL: free */
	size_t cap, used;
	char **texts;
	size_t ntexts;
} deferred;

static const char *kept_text(const char *text)
{
	if (!text)
		return NULL;
	for (size_t i = 0; i < deferred.ntexts; i++)
		if (!strcmp(deferred.texts[i], text))
			return deferred.texts[i];
	deferred.texts = xrealloc(deferred.texts, (deferred.ntexts + 1) * sizeof *deferred.texts);
	return deferred.texts[deferred.ntexts++] = xstrdup(text);
}

/* The cell's key mixed into 64 bits (splitmix64's finalizer after each
 * part): linear probing needs every bit of the key in the low bits. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0xbf58476d1ce4e5b9u;
	return h ^ h >> 31;
}

static uint64_t cell_hash(const struct cell *c)
{
	uint64_t h = mix(0x9e3779b97f4a7c15u, (uint64_t)(uintptr_t)c->t);
	for (int i = 0; i < 5; i++)
		h = mix(h, (uint64_t)c->key[i]);
	h = mix(h, (uint64_t)(uintptr_t)c->text);
	h = (h ^ h >> 30) * 0x94d049bb133111ebu;
	return h ^ h >> 31;
}

static bool same_cell(const struct cell *a, const struct cell *b)
{
	return a->t == b->t && !memcmp(a->key, b->key, sizeof a->key) && a->text == b->text; /* kept texts */
}

static struct cell *slot_of(struct cell *slots, size_t cap, const struct cell *c)
{
	size_t i = (size_t)cell_hash(c) & (cap - 1);
	while (slots[i].t && !same_cell(&slots[i], c))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void defer_cell(const struct cell *c)
{
	if (2 * (deferred.used + 1) > deferred.cap) {
		size_t cap = deferred.cap ? 2 * deferred.cap : 1u << 16;
		struct cell *slots = xcalloc(cap, sizeof *slots);
		for (size_t i = 0; i < deferred.cap; i++)
			if (deferred.slots[i].t)
				*slot_of(slots, cap, &deferred.slots[i]) = deferred.slots[i];
		free(deferred.slots);
		deferred.slots = slots;
		deferred.cap = cap;
	}
	struct cell k = *c;
	k.text = kept_text(c->text);
	struct cell *x = slot_of(deferred.slots, deferred.cap, &k);
	if (!x->t) {
		*x = k;
		deferred.used++;
		return;
	}
	for (int i = 0; i < c->t->nsum; i++)
		x->sum[i] += c->sum[i];
}

/* Adds c's amounts to its cell: now, or summed in memory while deferred. */
static enum gd_status add(struct db *w, const struct cell *c)
{
	if (!deferred.on)
		return write_cell(w, c);
	defer_cell(c);
	return GD_OK;
}

static void drop_deferred(void)
{
	free(deferred.slots);
	for (size_t i = 0; i < deferred.ntexts; i++)
		free(deferred.texts[i]);
	free(deferred.texts);
	deferred.slots = NULL;
	deferred.texts = NULL;
	deferred.cap = deferred.used = deferred.ntexts = 0;
}

void report_defer(bool on)
{
	deferred.on = on;
	if (!on)
		drop_deferred();
}

size_t report_deferred(void)
{
	return deferred.used;
}

/* Cells in key order, so each table's B-tree is written from left to right. */
static int cell_order(const void *pa, const void *pb)
{
	const struct cell *a = pa, *b = pb;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	for (int i = 0; i < 5; i++)
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i] ? -1 : 1;
	return a->text && b->text ? strcmp(a->text, b->text) : (a->text != NULL) - (b->text != NULL);
}

static bool all_zero(const struct cell *c)
{
	for (int i = 0; i < c->t->nsum; i++)
		if (c->sum[i])
			return false;
	return true;
}

enum gd_status report_flush(struct db *w)
{
	enum gd_status s = GD_OK;
	size_t n = 0;
	for (size_t i = 0; i < deferred.cap; i++)
		if (deferred.slots[i].t)
			deferred.slots[n++] = deferred.slots[i];
	qsort(deferred.slots, n, sizeof *deferred.slots, cell_order);
	for (size_t i = 0; i < n && !s; i++)
		if (!all_zero(&deferred.slots[i]))
			s = write_cell(w, &deferred.slots[i]);
	drop_deferred();
	return s;
}

/* --- tickets by their creation ------------------------------------------ */

enum { DIM_CATEGORY = 1, DIM_REGION = 2, DIM_DEPARTMENT = 4, DIM_USER = 8 };

/* One cube each: ?1 p, ?2 department, ?3 category, ?4 creator, ?6 region;
 * ?7 n, ?8 repeats (a statement leaves out what its cube does not keep). */
#define CREATED(table, cols, vals, conflict)                                                                  \
	{"INSERT INTO " table " (" cols "n, repeats) VALUES (" vals "?7, ?8) ON CONFLICT (" conflict ")"        \
	 " DO UPDATE SET n = n + excluded.n, repeats = repeats + excluded.repeats",                          \
	 2}
static const struct {
	struct table t;
	unsigned dims;
} cubes[] = {
	{CREATED("report_created", "p, ", "?1, ", "p"), 0},
	{CREATED("report_created_category", "p, category_id, ", "?1, ?3, ", "p, category_id"), DIM_CATEGORY},
	{CREATED("report_created_region", "p, region, ", "?1, ?6, ", "p, region"), DIM_REGION},
	{CREATED("report_created_department", "department_id, p, category_id, ", "?2, ?1, ?3, ",
		 "department_id, p, category_id"),
	 DIM_DEPARTMENT | DIM_CATEGORY},
	{CREATED("report_created_cell", "department_id, category_id, p, region, ", "?2, ?3, ?1, ?6, ",
		 "department_id, category_id, p, region"),
	 DIM_DEPARTMENT | DIM_CATEGORY | DIM_REGION},
	{CREATED("report_created_user_category", "u, p, category_id, ", "?4, ?1, ?3, ", "u, p, category_id"),
	 DIM_USER | DIM_CATEGORY},
	{CREATED("report_created_user_cell", "u, p, department_id, category_id, region, ", "?4, ?1, ?2, ?3, ?6, ",
		 "u, p, department_id, category_id, region"),
	 DIM_USER | DIM_DEPARTMENT | DIM_CATEGORY | DIM_REGION},
};
#undef CREATED

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
	unsigned dims = cubes[cube].dims;
	struct cell x = {.t = &cubes[cube].t,
			 .key = {0, dims & DIM_DEPARTMENT ? c->department_id : 0, dims & DIM_CATEGORY ? c->category_id : 0,
				 dims & DIM_USER ? c->creator : 0},
			 .text = dims & DIM_REGION ? c->region : NULL,
			 .sum = {delta, c->repeated ? delta : 0}};
	enum gd_status s;
	const int periods[] = {c->day, c->day / 100};
	for (size_t i = 0; i < 2; i++) {
		x.key[0] = periods[i];
		if ((s = add(w, &x)))
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
	static const struct table closed = {
		"INSERT INTO report_closed (u, p, department_id, closed, timely, no_deadline, resolved, reopened,"
		" s1, s2, s3, s4, s5) VALUES (?1, ?2, ?3, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
		" ON CONFLICT (u, p, department_id) DO UPDATE SET closed = closed + excluded.closed,"
		" timely = timely + excluded.timely, no_deadline = no_deadline + excluded.no_deadline,"
		" resolved = resolved + excluded.resolved, reopened = reopened + excluded.reopened,"
		" s1 = s1 + excluded.s1, s2 = s2 + excluded.s2, s3 = s3 + excluded.s3, s4 = s4 + excluded.s4,"
		" s5 = s5 + excluded.s5",
		10};
	struct cell x = {.t = &closed,
			 .key = {0, 0, c->department_id},
			 .sum = {delta, c->timely * delta, c->no_deadline * delta, c->resolved * delta,
				 c->reopened * delta}};
	for (int k = 1; k <= 5; k++)
		x.sum[4 + k] = c->satisfaction == k ? delta : 0;
	enum gd_status s;
	const int64_t scopes[] = {0, c->creator}, periods[] = {c->day, c->day / 100};
	for (size_t u = 0; u < 2; u++)
		for (size_t i = 0; i < 2; i++) {
			x.key[0] = scopes[u], x.key[1] = periods[i];
			if ((s = add(w, &x)))
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
	static const struct table events = {
		"INSERT INTO report_events (u, p, department_id, returns, transfers, urges, reopens, overdue, replies,"
		" reply_seconds) VALUES (?1, ?2, ?3, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
		" ON CONFLICT (u, p, department_id) DO UPDATE SET returns = returns + excluded.returns,"
		" transfers = transfers + excluded.transfers, urges = urges + excluded.urges,"
		" reopens = reopens + excluded.reopens, overdue = overdue + excluded.overdue,"
		" replies = replies + excluded.replies, reply_seconds = reply_seconds + excluded.reply_seconds",
		7};
	struct cell x = {.t = &events,
			 .key = {0, 0, department_id},
			 .sum = {e->returns, e->transfers, e->urges, e->reopens, e->overdue, e->replies, e->seconds}};
	enum gd_status s;
	int day = time_local_date(step->at);
	const int64_t scopes[] = {0, step->before.created_by}, periods[] = {day, day / 100};
	for (size_t u = 0; u < 2; u++)
		for (size_t i = 0; i < 2; i++) {
			x.key[0] = scopes[u], x.key[1] = periods[i];
			if ((s = add(w, &x)))
				return s;
		}
	return GD_OK;
}

/* An episode of `seconds`, in its whole hour and in that hour's minute. */
static enum gd_status bump_handling(struct db *w, const struct wf_step *step, int64_t department_id, int64_t seconds)
{
	static const struct table hours = {
		"INSERT INTO report_handling (u, department_id, p, hour, n) VALUES (?1, ?2, ?3, ?4, ?7)"
		" ON CONFLICT (u, department_id, p, hour) DO UPDATE SET n = n + excluded.n",
		1};
	static const struct table minutes = {
		"INSERT INTO report_handling_minutes (u, department_id, hour, p, minute, n) VALUES (?1, ?2, ?4, ?3, ?5, ?7)"
		" ON CONFLICT (u, department_id, hour, p, minute) DO UPDATE SET n = n + excluded.n",
		1};
	const struct table *const tables[] = {&hours, &minutes};
	enum gd_status s;
	int day = time_local_date(step->at);
	const int64_t scopes[] = {0, step->before.created_by}, periods[] = {day, day / 100};
	for (size_t k = 0; k < 2; k++)
		for (size_t u = 0; u < 2; u++)
			for (size_t i = 0; i < 2; i++) {
				struct cell x = {.t = tables[k],
						 .key = {scopes[u], department_id, periods[i], seconds / 3600,
							 k ? seconds % 3600 / 60 : 0},
						 .sum = {1}};
				if ((s = add(w, &x)))
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
