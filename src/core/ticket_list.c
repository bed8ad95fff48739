/* ticket_list.c - lists and full-text search with bounded work (see
 * ticket_list.h): which index drives a list, the shapes of the walk, the
 * walk with its budget, and the highlighting of matched words.
 *
 * Why a walk and not a query: an index in the plan is not a bound on work.
 * "?q=停机&state=closed" used the full-text index, then checked the state of
 * every one of a few hundred thousand matches; a category subtree used
 * several index ranges and sorted them all. Here every list is one index
 * range read in id order, so the newest matches come first and the walk
 * can stop at any candidate and say where it stopped.
 *
 * A shape is the driving index × the caller's scope: a small fixed set of
 * statements (each connection prepares each once). The driver's own filter
 * is its index condition; every other filter is a predicate that is true
 * when its value is unset, evaluated per candidate as the column "ok" (the
 * words, when another index drives, only in the shapes for lists with
 * words).
 * Values are always bound: ?1 state, ?2 department id (0: any), ?3 category
 * code (subtree), ?4 region, ?5 assignee id (0: any), ?6 creator id (0:
 * any), ?7 fault number, ?8 full-text expression, ?9 lowest id, ?11 the
 * cursor (ids below it), ?12 caller's user id, ?13 caller's department, ?14
 * category id (a leaf), ?15 overdue (-1: any, 0, 1), ?16 priority, ?17 1:
 * only the tickets that are not open with a deadline (the second phase of
 * sort=deadline), ?18 and ?19 the (deadline, id) a walk by deadline starts
 * after.
 *
 * Sorts other than newest first are phases of such walks (see phases()):
 * sort=priority walks the urgent tickets, then the normal ones; sort=
 * deadline walks the open tickets that have a deadline in the order of
 * (deadline, id) in a covering index of its own, then the rest newest
 * first. The cursor names the phase and the place in it. */
#include "gongdan/ticket_list.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/fts_cjk.h"
#include "gongdan/gd_time.h"
#include "gongdan/json_out.h"
#include "gongdan/phone.h"
#include "gongdan/strbuf.h"
#include "gongdan/ticket.h"
#include "gongdan/utf8.h"
#include "gongdan/visibility.h"
#include "gongdan/workflow.h"
#include "gongdan/xalloc.h"

#define SNIPPET_BEFORE 16 /* characters of context before the first match */
#define SNIPPET_CHARS 80  /* characters in a snippet */

static _Atomic int64_t budget = TICKET_LIST_BUDGET;

void ticket_list_set_budget(int64_t candidates)
{
	atomic_store(&budget, candidates);
}

/* Filters, as the bits of the drivers that serve them. */
enum {
	F_STATE = 1 << 0, F_DEPT = 1 << 1, F_CATEGORY = 1 << 2, F_REGION = 1 << 3, F_ASSIGNEE = 1 << 4,
	F_CREATOR = 1 << 5, F_FAULT = 1 << 6, F_OVERDUE = 1 << 7, F_Q = 1 << 8, F_VISITED = 1 << 9,
	F_PRIORITY = 1 << 10, F_REST = 1 << 11
};

/* The indexes a list can walk, in id order. */
enum driver_id { DRV_Q, DRV_FAULT, DRV_ASSIGNEE, DRV_CREATOR, DRV_OVERDUE, DRV_OPEN_STATE_DEPT, DRV_OPEN_STATE,
		 DRV_URGENT, DRV_STATE_DEPT, DRV_STATE, DRV_CATEGORY, DRV_VISITED, DRV_REGION, DRV_DEPT, DRV_ALL,
		 DRV_DEADLINE, DRV_DEADLINE_STATE, DRV_DEADLINE_STATE_DEPT, DRV_COUNT };

static const struct driver {
	unsigned serves;   /* the filters its condition covers */
	const char *index; /* "" for the table's own order */
	const char *from;
	const char *cond;
	const char *id;    /* the id column, in index order */
	bool covering;     /* every filter is checked from the index (sql/0016) */
	bool by_deadline;  /* in (deadline, id) order, not newest first */
} drivers[DRV_COUNT] = {
	[DRV_Q] = {F_Q, "tickets_fts", "tickets_fts f CROSS JOIN tickets t ON t.id = f.rowid", "tickets_fts MATCH ?8",
		   "f.rowid"},
	[DRV_FAULT] = {F_FAULT, "tickets_fault_number", "tickets t INDEXED BY tickets_fault_number",
		       "t.fault_number = ?7", "t.id"},
	[DRV_ASSIGNEE] = {F_ASSIGNEE, "tickets_assignee", "tickets t INDEXED BY tickets_assignee", "t.assignee_id = ?5",
			  "t.id"},
	[DRV_CREATOR] = {F_CREATOR, "tickets_created_by", "tickets t INDEXED BY tickets_created_by",
			 "t.created_by = ?6", "t.id"},
	[DRV_OVERDUE] = {F_OVERDUE, "tickets_open_overdue", "tickets t INDEXED BY tickets_open_overdue",
			 "t.overdue = 1 AND t.closed_at IS NULL AND ?15 = 1", "t.id", true},
	[DRV_OPEN_STATE_DEPT] = {F_STATE | F_DEPT, "tickets_open_state_dept",
				 "tickets t INDEXED BY tickets_open_state_dept",
				 "t.state = ?1 AND t.department_id = ?2 AND t.closed_at IS NULL", "t.id", true},
	[DRV_OPEN_STATE] = {F_STATE, "tickets_open_state", "tickets t INDEXED BY tickets_open_state",
			    "t.state = ?1 AND t.closed_at IS NULL", "t.id", true},
	[DRV_URGENT] = {F_PRIORITY, "tickets_urgent", "tickets t INDEXED BY tickets_urgent", "t.priority = 'urgent'",
			"t.id"},
	[DRV_STATE_DEPT] = {F_STATE | F_DEPT, "tickets_state_dept", "tickets t INDEXED BY tickets_state_dept",
			    "t.state = ?1 AND t.department_id = ?2", "t.id"},
	[DRV_STATE] = {F_STATE, "tickets_state", "tickets t INDEXED BY tickets_state", "t.state = ?1", "t.id"},
	[DRV_CATEGORY] = {F_CATEGORY, "tickets_category", "tickets t INDEXED BY tickets_category",
			  "t.category_id = ?14", "t.id"},
	[DRV_VISITED] = {F_VISITED, "ticket_departments",
			 "ticket_departments v CROSS JOIN tickets t ON t.id = v.ticket_id", "v.department_id = ?13",
			 "v.ticket_id"},
	[DRV_REGION] = {F_REGION, "tickets_region", "tickets t INDEXED BY tickets_region", "t.region = ?4", "t.id"},
	[DRV_DEPT] = {F_DEPT, "tickets_dept", "tickets t INDEXED BY tickets_dept", "t.department_id = ?2", "t.id"},
	[DRV_ALL] = {0, "", "tickets t", "1", "t.id"},
	/* open tickets with a deadline (F_REST is their complement); the id
	 * range is one more check here: the walk is not in id order */
	[DRV_DEADLINE] = {F_REST, "tickets_open_by_deadline", "tickets t INDEXED BY tickets_open_by_deadline",
			  "t.closed_at IS NULL AND t.deadline IS NOT NULL AND (t.deadline, t.id) > (?18, ?19)", "t.id",
			  true, true},
	/* the same for one open state, and one state and department (sql/0020) */
	[DRV_DEADLINE_STATE] = {F_STATE | F_REST, "tickets_open_state_by_deadline",
				"tickets t INDEXED BY tickets_open_state_by_deadline",
				"t.state = ?1 AND t.closed_at IS NULL AND t.deadline IS NOT NULL"
				" AND (t.deadline, t.id) > (?18, ?19)", "t.id", true, true},
	[DRV_DEADLINE_STATE_DEPT] = {F_STATE | F_DEPT | F_REST, "tickets_open_state_dept_by_deadline",
				     "tickets t INDEXED BY tickets_open_state_dept_by_deadline",
				     "t.state = ?1 AND t.department_id = ?2 AND t.closed_at IS NULL"
				     " AND t.deadline IS NOT NULL AND (t.deadline, t.id) > (?18, ?19)", "t.id", true, true},
};

/* Every filter that is not the driver's, true when unset. */
static const struct {
	unsigned bit;
	const char *test;
} predicates[] = {
	{F_STATE, "(?1 IS NULL OR t.state = ?1)"},
	{F_DEPT, "(?2 = 0 OR t.department_id = ?2)"},
	{F_CATEGORY, "(?3 IS NULL OR t.category_id IN (SELECT id FROM categories WHERE code = ?3"
		     " OR substr(code, 1, length(?3) + 1) = ?3 || '.'))"},
	{F_REGION, "(?4 IS NULL OR t.region = ?4)"},
	{F_ASSIGNEE, "(?5 = 0 OR t.assignee_id = ?5)"},
	{F_CREATOR, "(?6 = 0 OR t.created_by = ?6)"},
	{F_FAULT, "(?7 IS NULL OR t.fault_number = ?7)"},
	{F_OVERDUE, "(?15 < 0 OR (t.overdue = 1 AND t.closed_at IS NULL) = ?15)"},
	{F_PRIORITY, "(?16 IS NULL OR t.priority = ?16)"},
	{F_REST, "(?17 = 0 OR t.closed_at IS NOT NULL OR t.deadline IS NULL)"},
};

/* The words as a predicate, when another index drives (FTS5 refuses to
 * MATCH a NULL, so it is only in the shapes for lists with words). */
static const char q_test[] = "EXISTS (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ?8 AND rowid = t.id)";

static _Atomic(char *) shapes[DRV_COUNT][3][2]; /* [driver][scope][with words] */

static const char *shape_sql(enum driver_id drv, enum vis_scope scope, bool words)
{
	words = words && drv != DRV_Q;
	char *sql = atomic_load(&shapes[drv][scope][words]);
	if (sql)
		return sql;
	const struct driver *d = &drivers[drv];
	struct strbuf sb = STRBUF_INIT(8192);
	strbuf_addf(&sb, "SELECT %s, 1", d->id);
	for (size_t i = 0; i < sizeof predicates / sizeof predicates[0]; i++)
		if (!(d->serves & predicates[i].bit))
			strbuf_addf(&sb, " AND %s", predicates[i].test);
	if (d->by_deadline) /* its rows are all open with a deadline: ?17 is 0 */
		strbuf_adds(&sb, " AND t.id >= ?9 AND t.id < ?11");
	if (words)
		strbuf_addf(&sb, " AND %s", q_test);
	if (scope == VIS_CREATOR && drv != DRV_Q)
		strbuf_adds(&sb, " AND t.created_by = ?12");
	else if (scope == VIS_DEPARTMENT && drv != DRV_VISITED && drv != DRV_Q)
		strbuf_adds(&sb, " AND EXISTS (SELECT 1 FROM ticket_departments WHERE department_id = ?13"
				 " AND ticket_id = t.id)");
	if (d->by_deadline)
		strbuf_adds(&sb, ", t.deadline");
	strbuf_addf(&sb, " FROM %s WHERE %s", d->from, d->cond);
	if (!d->by_deadline)
		strbuf_addf(&sb, " AND %s >= ?9 AND %s < ?11", d->id, d->id);
	/* A search's matches are spread over the whole table: an agent's or a
	 * handler's scope is checked in a small index before the match's row
	 * is read (most matches are someone else's), so those matches are not
	 * candidates; the id windows of the walk bound that work. */
	if (drv == DRV_Q && scope == VIS_CREATOR)
		strbuf_adds(&sb, " AND EXISTS (SELECT 1 FROM tickets c INDEXED BY tickets_created_by"
				 " WHERE c.created_by = ?12 AND c.id = f.rowid)");
	else if (drv == DRV_Q && scope == VIS_DEPARTMENT)
		strbuf_adds(&sb, " AND EXISTS (SELECT 1 FROM ticket_departments WHERE department_id = ?13"
				 " AND ticket_id = f.rowid)");
	/* every parameter exists in every shape, so binding never misses */
	strbuf_adds(&sb, " AND coalesce(?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) IS NOT NULL");
	if (d->by_deadline)
		strbuf_adds(&sb, " ORDER BY t.deadline, t.id");
	else
		strbuf_addf(&sb, " ORDER BY %s DESC", d->id);
	char *built = strbuf_detach(&sb, NULL);
	char *expected = NULL;
	if (!atomic_compare_exchange_strong(&shapes[drv][scope][words], &expected, built)) {
		free(built);
		return expected;
	}
	return built;
}

/* The most selective index for f, by a fixed preference: a customer's
 * number, the words, a person, the open overdue tickets, an open state
 * (few tickets: the work queues), the caller's own tickets, the urgent
 * tickets, a leaf category, a handler's department, then the broad filters. `closed` is
 * last among states: it holds most of a centre's tickets. */
static enum driver_id choose(const struct ticket_filter *f, enum vis_scope scope, bool leaf)
{
	bool open_state = f->state && wf_state_is_open(f->state);
	if (f->fault_number)
		return DRV_FAULT;
	if (f->q)
		return DRV_Q;
	if (f->assignee)
		return DRV_ASSIGNEE;
	if (f->created_by)
		return DRV_CREATOR;
	if (f->overdue == 1)
		return DRV_OVERDUE;
	if (open_state)
		return f->department ? DRV_OPEN_STATE_DEPT : DRV_OPEN_STATE;
	if (scope == VIS_CREATOR)
		return DRV_CREATOR;
	if (f->priority && !strcmp(f->priority, "urgent"))
		return DRV_URGENT;
	if (f->category && leaf)
		return DRV_CATEGORY;
	if (scope == VIS_DEPARTMENT)
		return DRV_VISITED;
	if (f->region)
		return DRV_REGION;
	if (f->state)
		return f->department ? DRV_STATE_DEPT : DRV_STATE;
	if (f->department)
		return DRV_DEPT;
	return DRV_ALL;
}

/* One phase of a sort: the filter it adds, and its order. */
struct phase {
	const char *priority; /* NULL: the filter's own */
	bool rest;            /* only tickets that are not open with a deadline */
	bool by_deadline;
};

static int phases(const struct ticket_filter *f, struct phase out[2])
{
	switch (f->sort) {
	case SORT_DEADLINE:
		out[0] = (struct phase){.priority = f->priority, .by_deadline = true};
		out[1] = (struct phase){.priority = f->priority, .rest = true};
		return 2;
	case SORT_PRIORITY:
		if (!f->priority) {
			out[0] = (struct phase){.priority = "urgent"};
			out[1] = (struct phase){.priority = "normal"};
			return 2;
		}
		/* fall through: one priority is its own order */
	case SORT_CREATED:
		break;
	}
	out[0] = (struct phase){.priority = f->priority};
	return 1;
}

static enum driver_id phase_driver(const struct ticket_filter *f, const struct phase *ph, enum vis_scope scope,
				   bool leaf)
{
	if (ph->by_deadline && f->state && wf_state_is_open(f->state))
		return f->department ? DRV_DEADLINE_STATE_DEPT : DRV_DEADLINE_STATE;
	if (ph->by_deadline)
		return DRV_DEADLINE;
	struct ticket_filter g = *f;
	g.priority = ph->priority;
	return choose(&g, scope, leaf);
}

const char *ticket_list_sql(const struct principal *who, const struct ticket_filter *f, bool leaf,
			    const char **index)
{
	enum vis_scope scope = vis_list_scope(who, f->fault_number != NULL);
	if (scope == VIS_NONE)
		return NULL;
	struct phase ph[2];
	phases(f, ph);
	enum driver_id drv = phase_driver(f, &ph[0], scope, leaf);
	if (index)
		*index = drivers[drv].index;
	return shape_sql(drv, scope, f->q != NULL);
}

/* --- resolving the filters ------------------------------------------------ */

static enum gd_status user_id_by_name(struct db *d, const char *username, int64_t *id)
{
	static const char sql[] = "SELECT id FROM users WHERE username = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, username, -1);
	if (!(s = db_step(st, &row)) && row)
		*id = db_col_int64(st, 0);
	else if (!s)
		s = GD_E_NOT_FOUND;
	db_reset(st);
	return s;
}

/* First id created at or after t (first) or past the last created before t. */
static enum gd_status id_bound(struct db *d, int64_t t, bool first, int64_t *id)
{
	static const char first_sql[] = "SELECT id FROM tickets WHERE created_at >= ?1 ORDER BY created_at, id LIMIT 1";
	static const char last_sql[] = "SELECT id FROM tickets WHERE created_at < ?1 ORDER BY created_at DESC, id DESC LIMIT 1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, first ? first_sql : last_sql, &st)))
		return s;
	db_bind_int64(st, 1, t);
	*id = first ? INT64_MAX : 1; /* nothing in range */
	if (!(s = db_step(st, &row)) && row)
		*id = db_col_int64(st, 0) + (first ? 0 : 1);
	db_reset(st);
	return s;
}

/* Just past the newest ticket's id (1 when there are none). */
static enum gd_status newest_id(struct db *d, int64_t *end)
{
	static const char sql[] = "SELECT coalesce(max(id), 0) + 1 FROM tickets";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	*end = 1;
	if (!(s = db_step(st, &row)) && row)
		*end = db_col_int64(st, 0);
	db_reset(st);
	return s;
}

/* Adds a field error when no row of sql (one bound code) exists. */
static enum gd_status known_code(struct db *d, const char *sql, const char *code, const char *field,
				 const char *reason, struct gd_err *e)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	s = db_step(st, &row);
	db_reset(st);
	if (!s && !row)
		gd_err_field(e, field, reason);
	return s;
}

/* The category's id, and whether it has no children at all (inactive ones
 * included: they may hold old tickets). */
static enum gd_status category_node(struct db *d, const char *code, int64_t *id, bool *leaf, struct gd_err *e)
{
	static const char sql[] = "SELECT id, NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id)"
				  " FROM categories c WHERE code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, code, -1);
	if (!(s = db_step(st, &row)) && row) {
		*id = db_col_int64(st, 0);
		*leaf = db_col_int64(st, 1) != 0;
	} else if (!s) {
		gd_err_field(e, "category", "unknown category");
	}
	db_reset(st);
	return s;
}

/* The values bound for a filter, resolved against the database. */
struct bound {
	int64_t dept, assignee, creator, category, lo, hi;
	bool leaf;
	struct strbuf fts;
};

static enum gd_status resolve(struct db *d, const struct principal *who, const struct ticket_filter *f,
			      struct bound *b, struct gd_err *e)
{
	enum gd_status s;
	if (f->q) {
		/* refused before any work: a bound on the words is a bound on
		 * the index lists a request reads */
		int words = utf8_chars(f->q, strlen(f->q)) > TICKET_QUERY_MAX ? -1 : fts_cjk_query(f->q, &b->fts);
		if (words < 0 || words > TICKET_QUERY_WORDS) {
			gd_err_field(e, "q", words < 0 ? "at most 200 characters" : "at most 10 words");
			return gd_errf(e, GD_E_BAD_REQUEST, "'q' may have at most %d words and %d characters",
				       TICKET_QUERY_WORDS, TICKET_QUERY_MAX);
		}
		if (!words)
			gd_err_field(e, "q", "must contain a word to search for");
	}
	if (f->department) {
		s = department_find(d, f->department, &b->dept, NULL);
		if (s == GD_E_NOT_FOUND)
			gd_err_field(e, "department", "unknown department");
		else if (s)
			return s;
	}
	/* a mistyped filter is refused, not answered with an empty list */
	if (f->state && (s = known_code(d, "SELECT 1 FROM wf_states WHERE code = ?1", f->state, "state",
					"unknown state", e)))
		return s;
	if (f->category && (s = category_node(d, f->category, &b->category, &b->leaf, e)))
		return s;
	if (f->region && (s = known_code(d, "SELECT 1 FROM regions WHERE code = ?1", f->region, "region",
					 "unknown region code (see GET /api/v1/regions)", e)))
		return s;
	if (f->priority && strcmp(f->priority, "normal") && strcmp(f->priority, "urgent"))
		gd_err_field(e, "priority", "must be normal or urgent");
	/* matches are walked newest first in the full-text index: a search
	 * in deadline order would be a match per open ticket */
	if (f->q && f->sort == SORT_DEADLINE)
		gd_err_field(e, "sort", "a search is ordered by creation or priority, not by deadline");
	if (f->fault_number) {
		const char *why = phone_check(f->fault_number, strlen(f->fault_number));
		if (why)
			gd_err_field(e, "fault_number", why);
	}
	const char *names[2] = {f->assignee, f->created_by};
	int64_t *ids[2] = {&b->assignee, &b->creator};
	const char *params[2] = {"assignee", "created_by"};
	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		if (!strcmp(names[i], "me")) {
			*ids[i] = who->user_id;
		} else if ((s = user_id_by_name(d, names[i], ids[i]))) {
			if (s != GD_E_NOT_FOUND)
				return s;
			gd_err_field(e, params[i], "unknown user");
		}
	}
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "invalid list filters");
	/* created_at ranges become id ranges: ids grow with creation time */
	b->lo = 1;
	if ((s = newest_id(d, &b->hi)))
		return s;
	if (f->has_from && (s = id_bound(d, f->from, true, &b->lo)))
		return s;
	int64_t to;
	if (f->has_to && !(s = id_bound(d, f->to, false, &to)) && to < b->hi)
		b->hi = to;
	if (s)
		return s;
	return GD_OK;
}

/* --- highlighting ---------------------------------------------------------- */

struct spans {
	int start[64], end[64];
	int n;
};

static void add_span(void *ctx, int start, int end)
{
	struct spans *sp = ctx;
	if (sp->n < 64) {
		sp->start[sp->n] = start;
		sp->end[sp->n] = end;
		sp->n++;
	}
}

/* Sorts and merges overlapping spans. */
static void merge_spans(struct spans *sp)
{
	for (int i = 1; i < sp->n; i++)
		for (int j = i; j > 0 && sp->start[j - 1] > sp->start[j]; j--) {
			int a = sp->start[j], b = sp->end[j];
			sp->start[j] = sp->start[j - 1], sp->end[j] = sp->end[j - 1];
			sp->start[j - 1] = a, sp->end[j - 1] = b;
		}
	int o = 0;
	for (int i = 0; i < sp->n; i++) {
		if (o && sp->start[i] <= sp->end[o - 1]) {
			if (sp->end[i] > sp->end[o - 1])
				sp->end[o - 1] = sp->end[i];
		} else {
			sp->start[o] = sp->start[i], sp->end[o] = sp->end[i];
			o++;
		}
	}
	sp->n = o;
}

/* Byte offset n characters before (n < 0) or after p in s[0..len). */
static int char_step(const char *s, int len, int p, int n)
{
	for (; n < 0 && p > 0; n++)
		do
			p--;
		while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80);
	for (; n > 0 && p < len; n--) {
		unsigned cp;
		size_t k = utf8_decode(s + p, (size_t)(len - p), &cp);
		p += k ? (int)k : 1;
	}
	return p;
}

static void add_text(json_t *parts, const char *prefix, const char *s, int n, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT(1u << 16);
	strbuf_adds(&sb, prefix);
	strbuf_add(&sb, s, (size_t)n);
	strbuf_adds(&sb, suffix);
	json_array_append_new(parts, json_stringn(sb.buf, sb.len));
	strbuf_release(&sb);
}

/* Plain and matched text alternately, from s[from..to); NULL without a
 * match. A snippet starts a little before the first match and is cut with
 * an ellipsis. */
static json_t *highlight(const char *s, const char *q, bool snippet)
{
	int len = (int)strlen(s);
	struct spans sp = {.n = 0};
	fts_cjk_match(s, len, q, add_span, &sp);
	if (!sp.n)
		return NULL;
	merge_spans(&sp);
	int from = 0, to = len;
	if (snippet) {
		from = char_step(s, len, sp.start[0], -SNIPPET_BEFORE);
		to = char_step(s, len, from, SNIPPET_CHARS);
	}
	json_t *parts = json_array();
	int at = from;
	for (int i = 0; i < sp.n && sp.start[i] < to; i++) {
		int end = sp.end[i] < to ? sp.end[i] : to;
		add_text(parts, at == from && from > 0 ? "…" : "", s + at, sp.start[i] - at, "");
		add_text(parts, "", s + sp.start[i], end - sp.start[i], "");
		at = end;
	}
	add_text(parts, json_array_size(parts) == 0 && from > 0 ? "…" : "", s + at, to - at, to < len ? "…" : "");
	return parts;
}

/* ,"highlight":{...} for one item: its subject, a snippet of the
 * description or else of the first extra field that matched. */
static enum gd_status write_highlight(struct strbuf *out, const struct ticket_texts *t, const char *q)
{
	json_t *h = json_object();
	json_t *subject = highlight(t->subject, q, false);
	json_object_set_new(h, "subject", subject ? subject : json_null());
	json_t *snippet = highlight(t->description, q, true);
	const char *field = NULL;
	json_t *fields = snippet ? NULL : json_loads(t->fields, 0, NULL);
	const char *name;
	json_t *value;
	json_object_foreach(fields, name, value) {
		if (json_is_string(value) && (snippet = highlight(json_string_value(value), q, true))) {
			field = name;
			break;
		}
	}
	json_object_set_new(h, "snippet", snippet ? snippet : json_null());
	json_object_set_new(h, "snippet_field", field ? json_string(field) : json_null());
	json_decref(fields);
	char *text = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	enum gd_status s = text ? strbuf_adds(out, ",\"highlight\":") : GD_E_INTERNAL;
	if (!s)
		s = strbuf_adds(out, text);
	free(text);
	return s;
}

/* --- the walk ------------------------------------------------------------------ */

/* A full-text walk also goes by windows of ids: FTS5 intersects the words'
 * lists inside one call, so two common words that are rarely together
 * would otherwise be walked to the end of their lists before the first
 * candidate came back. A window bounds that work by the ids it spans; the
 * windows widen while they find little, and the walk stops between windows
 * once it has used its time. */
#define FTS_WINDOW_FIRST 2048
#define FTS_WINDOW_MAX 16384
#define FTS_WALK_US 4000

struct walk {
	int64_t ids[TICKET_LIST_MAX];
	int64_t limit, found, examined, max;
	struct ticket_cursor last; /* where the last item found is */
	struct ticket_cursor stop; /* everything up to here has been examined */
	bool more;      /* a match beyond the full page */
	bool exhausted; /* nothing left to examine in this phase */
};

static void bind_filters(struct db_stmt *st, const struct principal *who, const struct ticket_filter *f,
			 const struct bound *b, enum vis_scope scope, const struct phase *ph, int64_t lo, int64_t hi)
{
	db_bind_text(st, 1, f->state, -1);
	db_bind_int64(st, 2, b->dept);
	db_bind_text(st, 3, f->category, -1);
	db_bind_text(st, 4, f->region, -1);
	db_bind_int64(st, 5, b->assignee);
	db_bind_int64(st, 6, b->creator ? b->creator : scope == VIS_CREATOR ? who->user_id : 0);
	db_bind_text(st, 7, f->fault_number, -1);
	db_bind_text(st, 8, f->q ? b->fts.buf : NULL, -1);
	db_bind_int64(st, 9, lo);
	db_bind_int64(st, 11, hi);
	db_bind_int64(st, 12, who->user_id);
	db_bind_int64(st, 13, who->department_id);
	db_bind_int64(st, 14, b->category);
	db_bind_int64(st, 15, f->overdue);
	db_bind_text(st, 16, ph->priority, -1);
	db_bind_int64(st, 17, ph->rest);
}

/* Steps one range: each row is a candidate; the page is full at limit, and
 * one more match tells whether a next page exists. A walk by deadline has
 * the deadline as a third column. */
static enum gd_status walk_range(struct db_stmt *st, struct walk *w, int phase, bool by_deadline,
				 const struct ticket_cursor *end)
{
	enum gd_status s;
	bool row;
	for (;;) {
		if ((s = db_step(st, &row)))
			break;
		if (!row) {
			w->stop = *end; /* the whole range is done */
			break;
		}
		struct ticket_cursor at = {phase, by_deadline ? db_col_int64(st, 2) : 0, db_col_int64(st, 0)};
		if (db_col_int64(st, 1)) {
			if (w->found == w->limit) {
				w->more = true;
				break;
			}
			w->ids[w->found++] = at.id;
			w->last = at;
		}
		w->stop = at;
		if (++w->examined >= w->max)
			break;
	}
	db_reset(st);
	return s;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Walks one phase from `from` (its start when from->phase differs). */
static enum gd_status walk(struct db *d, const struct principal *who, const struct ticket_filter *f,
			   const struct bound *b, enum vis_scope scope, int phase, const struct phase *ph,
			   const struct ticket_cursor *from, struct walk *w)
{
	enum driver_id drv = phase_driver(f, ph, scope, b->leaf);
	struct db_stmt *st;
	enum gd_status s;
	bool here = from->phase == phase;
	w->exhausted = false;
	if ((s = db_prepare(d, shape_sql(drv, scope, f->q != NULL), &st)))
		return s;
	/* a state that is not open has no ticket in the walk by deadline */
	if (ph->by_deadline && f->state && !wf_state_is_open(f->state)) {
		w->stop = (struct ticket_cursor){phase, INT64_MAX, INT64_MAX};
		w->exhausted = true;
		return GD_OK;
	}
	if (ph->by_deadline) {
		bind_filters(st, who, f, b, scope, ph, b->lo, b->hi);
		db_bind_int64(st, 18, here ? from->deadline : INT64_MIN);
		db_bind_int64(st, 19, here ? from->id : 0);
		const struct ticket_cursor end = {phase, INT64_MAX, INT64_MAX};
		if ((s = walk_range(st, w, phase, true, &end)))
			return s;
		w->exhausted = w->stop.deadline == INT64_MAX;
		return GD_OK;
	}
	int64_t hi = here && from->id && from->id < b->hi ? from->id : b->hi;
	int64_t started = now_us(), span = drv == DRV_Q ? FTS_WINDOW_FIRST : INT64_MAX;
	for (;;) {
		int64_t lo = hi - b->lo > span ? hi - span : b->lo;
		const struct ticket_cursor end = {phase, 0, lo};
		bind_filters(st, who, f, b, scope, ph, lo, hi);
		w->stop = (struct ticket_cursor){phase, 0, hi};
		if ((s = walk_range(st, w, phase, false, &end)))
			return s;
		if (w->stop.id == b->lo) {
			w->exhausted = true;
			return GD_OK;
		}
		/* stopped inside the range (page full, budget spent), or the
		 * last window that time allows */
		if (w->stop.id != lo || now_us() - started > FTS_WALK_US)
			return GD_OK;
		hi = lo;
		span = span < FTS_WINDOW_MAX ? 2 * span : FTS_WINDOW_MAX;
	}
}

/* --- cursors --------------------------------------------------------------- */

/* The prefix of a cursor in each phase of each sort ("" for newest first,
 * so the cursors of earlier versions stay valid). */
static const char *const cursor_prefix[][2] = {
	[SORT_CREATED] = {"", NULL},
	[SORT_DEADLINE] = {"d", "r"},
	[SORT_PRIORITY] = {"u", "n"},
};

bool ticket_sort_parse(const char *text, enum ticket_sort *out)
{
	static const char *const names[] = {[SORT_CREATED] = "created", [SORT_DEADLINE] = "deadline",
					    [SORT_PRIORITY] = "priority"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(text, names[i])) {
			*out = (enum ticket_sort)i;
			return true;
		}
	return false;
}

static bool parse_id(const char *p, int64_t lo, int64_t *out, char stop)
{
	char *end;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (errno || *end != stop || v < lo)
		return false;
	*out = v;
	return true;
}

bool ticket_cursor_parse(enum ticket_sort sort, const char *text, struct ticket_cursor *out)
{
	*out = (struct ticket_cursor){0};
	for (int phase = 0; phase < 2; phase++) {
		const char *prefix = cursor_prefix[sort][phase];
		size_t n = prefix ? strlen(prefix) : 0;
		if (!prefix || strncmp(text, prefix, n) || (!n && sort != SORT_CREATED))
			continue;
		const char *p = text + n;
		out->phase = phase;
		if (sort == SORT_DEADLINE && phase == 0) {
			const char *dot = strchr(p, '.');
			return dot && parse_id(p, 0, &out->deadline, '.') && parse_id(dot + 1, 0, &out->id, '\0');
		}
		return parse_id(p, n ? 0 : 1, &out->id, '\0');
	}
	return false;
}

static void cursor_text(enum ticket_sort sort, const struct ticket_cursor *c, char out[64])
{
	const char *prefix = cursor_prefix[sort][c->phase];
	if (sort == SORT_DEADLINE && c->phase == 0)
		snprintf(out, 64, "%s%lld.%lld", prefix, (long long)c->deadline, (long long)c->id);
	else
		snprintf(out, 64, "%s%lld", prefix, (long long)c->id);
}

/* The list's own members after the items: how it continues. */
static enum gd_status write_tail(struct strbuf *out, const char *next, bool partial, const char *searched_to)
{
	enum gd_status s = strbuf_adds(out, "],\"next_cursor\":");
	if (!s)
		s = json_out_string(out, next);
	if (!s)
		s = strbuf_adds(out, partial ? ",\"partial\":true,\"searched_to\":" : ",\"partial\":false,\"searched_to\":");
	if (!s)
		s = json_out_string(out, searched_to);
	return s ? s : strbuf_addch(out, '}');
}

/* When the oldest ticket the walk examined was created (it stopped at id),
 * or the deadline a walk by deadline reached. */
static void searched_to_of(struct db *d, const struct phase *ph, const struct ticket_cursor *stop, char out[32])
{
	static const char sql[] = "SELECT created_at FROM tickets WHERE id >= ?1 ORDER BY id LIMIT 1";
	struct db_stmt *st;
	bool row;
	out[0] = '\0';
	if (ph->by_deadline) {
		time_iso(stop->deadline, out);
		return;
	}
	if (db_prepare(d, sql, &st))
		return;
	db_bind_int64(st, 1, stop->id);
	if (!db_step(st, &row) && row)
		time_iso(db_col_int64(st, 0), out);
	db_reset(st);
}

enum gd_status ticket_list(const struct principal *who, const struct ticket_filter *f, struct strbuf *out,
			   struct gd_err *e)
{
	struct db *d = db_reader();
	struct bound b = {.fts = STRBUF_INIT(4096)};
	enum gd_status s;
	enum vis_scope scope = vis_list_scope(who, f->fault_number != NULL);
	struct walk w = {.limit = f->limit > 0 ? f->limit : TICKET_LIST_DEFAULT, .max = atomic_load(&budget)};
	if ((s = db_read_begin(d)))
		goto out;
	if ((s = resolve(d, who, f, &b, e)))
		goto out;
	if (scope == VIS_NONE || b.lo >= b.hi) {
		s = strbuf_adds(out, "{\"items\":[");
		if (!s)
			s = write_tail(out, NULL, false, NULL);
		goto out;
	}
	struct phase ph[2];
	int n = phases(f, ph), phase = f->cursor.phase;
	if (phase >= n) {
		gd_err_field(e, "cursor", "not a cursor of this list");
		s = gd_errf(e, GD_E_BAD_REQUEST, "'cursor' is not a next_cursor of a list with this sort");
		goto out;
	}
	/* the phases in turn while the page is not full and the budget lasts */
	for (; phase < n; phase++) {
		if ((s = walk(d, who, f, &b, scope, phase, &ph[phase], &f->cursor, &w)))
			goto out;
		if (!w.exhausted || w.found == w.limit)
			break;
	}
	bool last = phase >= n - 1;
	if (phase == n)
		phase = n - 1;
	s = strbuf_adds(out, "{\"items\":[");
	for (int64_t i = 0; i < w.found && !s; i++) {
		struct ticket_texts texts = {NULL, NULL, NULL};
		if (i)
			s = strbuf_addch(out, ',');
		if (!s)
			s = strbuf_addch(out, '{');
		if (!s)
			s = ticket_write_item(d, w.ids[i], out, f->q ? &texts : NULL);
		if (!s && f->q)
			s = write_highlight(out, &texts, f->q);
		if (!s)
			s = strbuf_addch(out, '}');
		free(texts.subject);
		free(texts.description);
		free(texts.fields);
	}
	if (s)
		goto out;
	/* a full page continues after its last item (or at the next phase when
	 * its own is done); a walk stopped by the budget continues after the
	 * last candidate it examined */
	bool partial = !w.exhausted && !w.more && w.found < w.limit;
	struct ticket_cursor next = {.id = 0};
	bool more = false;
	if (w.more || (w.found == w.limit && !w.exhausted))
		next = w.last, more = true;
	else if (w.found == w.limit && !last)
		next = (struct ticket_cursor){.phase = phase + 1}, more = true;
	else if (partial)
		next = w.stop, more = true;
	char cursor[64], searched_to[32] = "";
	cursor_text(f->sort, &next, cursor);
	if (partial)
		searched_to_of(d, &ph[phase], &w.stop, searched_to);
	s = write_tail(out, more ? cursor : NULL, partial, searched_to[0] ? searched_to : NULL);
out:
	db_read_end(d);
	strbuf_release(&b.fts);
	return s;
}
