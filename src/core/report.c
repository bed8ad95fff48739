/* report.c - the reports (report.h): complaint counts grouped and compared,
 * the KPIs and the 月报, read from the counters of report_count.c and, for
 * the state filter, the open tickets' covering index (sql/0015_reports.sql),
 * never by walking the tickets: a range is cut into a piece of its first
 * month, the whole months between and a piece of its last
 * (range_parts), and each part is one index range of a counter table.
 * Dates are local days YYYYMMDD (TZ) kept as numbers; calendar arithmetic
 * is done on day numbers, only ticket times are mapped to local days. */
#include "gongdan/report.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/csv.h"
#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/role.h"
#include "gongdan/visibility.h"
#include "gongdan/xalloc.h"

/* --- calendar ------------------------------------------------------------ */

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t days_of(int ymd)
{
	int64_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int ymd_of(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
	return (int)((y + (m <= 2)) * 10000 + m * 100 + d);
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : days[m - 1];
}

static int month_last(int ym) { return ym * 100 + month_days(ym / 100, ym % 100); }

static int month_add(int ym, int k)
{
	int n = ym / 100 * 12 + ym % 100 - 1 + k;
	return n / 12 * 100 + n % 12 + 1;
}

static int day_add(int ymd, int64_t k) { return ymd_of(days_of(ymd) + k); }

/* The same day a year earlier (29 February becomes the 28th). */
static int year_before(int ymd)
{
	int y = ymd / 10000 - 1, m = ymd / 100 % 100, d = ymd % 100;
	if (d > month_days(y, m))
		d = month_days(y, m);
	return y * 10000 + m * 100 + d;
}

/* Monday of the ISO week of ymd; 1970-01-01 was a Thursday. */
static int week_start(int ymd)
{
	int64_t z = days_of(ymd);
	int64_t dow = ((z + 3) % 7 + 7) % 7; /* 0: Monday */
	return ymd_of(z - dow);
}

/* "2026-W48" (the ISO year is the year of the week's Thursday). */
static void week_label(int monday, char out[16])
{
	int thursday = day_add(monday, 3), y = thursday / 10000;
	int64_t first = days_of(y * 10000 + 101);
	int week = (int)((days_of(thursday) - first) / 7 + 1);
	snprintf(out, 16, "%04d-W%02d", y % 10000, week % 100);
}

static void day_text(int ymd, char out[16])
{
	snprintf(out, 16, "%04d-%02d-%02d", ymd / 10000 % 10000, ymd / 100 % 100, ymd % 100);
}

static void month_text(int ym, char out[16]) { snprintf(out, 16, "%04d-%02d", ym / 100 % 10000, ym % 100); }

/* Strict YYYY-MM-DD (or YYYY-MM when month), a real date from 1971 to 9998. */
static bool parse_date(const char *s, bool month, int *out)
{
	size_t n = month ? 7 : 10;
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = month ? 1 : (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1971 || y > 9998 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return false;
	*out = y * 10000 + m * 100 + d;
	return true;
}

struct range {
	int from, to; /* local days YYYYMMDD, both inclusive */
};

static bool whole_months(struct range r)
{
	return r.from % 100 == 1 && r.to == month_last(r.to / 100);
}

/* The period a range is compared with: 环比 the one just before it (the same
 * number of whole months when the range is whole months, else of days), 同比
 * the same dates a year earlier. */
static struct range range_previous(struct range r)
{
	if (whole_months(r)) {
		int months = (r.to / 10000 - r.from / 10000) * 12 + r.to / 100 % 100 - r.from / 100 % 100 + 1;
		int first = month_add(r.from / 100, -months);
		return (struct range){first * 100 + 1, month_last(month_add(r.from / 100, -1))};
	}
	int64_t len = days_of(r.to) - days_of(r.from) + 1;
	return (struct range){day_add(r.from, -len), day_add(r.from, -1)};
}

static struct range range_last_year(struct range r)
{
	if (whole_months(r))
		return (struct range){month_add(r.from / 100, -12) * 100 + 1, month_last(month_add(r.to / 100, -12))};
	return (struct range){year_before(r.from), year_before(r.to)};
}

/* p BETWEEN lo AND hi of the counter tables: days YYYYMMDD or months
 * YYYYMM, added (sign +1) or taken away (-1). */
struct part {
	int lo, hi, sign;
};

#define PARTS_MAX 5

/* The cells of the days [a, b] of one month: those days, or the whole
 * month less the days outside [a, b] when that reads fewer cells (at most
 * 16 day cells for any part of a month). */
static int month_piece(int a, int b, struct part *out)
{
	int ym = a / 100, first = ym * 100 + 1, last = month_last(ym);
	int inside = b - a + 1, outside = (a - first) + (last - b);
	if (a == first && b == last) {
		out[0] = (struct part){ym, ym, +1};
		return 1;
	}
	if (inside <= outside + 1) {
		out[0] = (struct part){a, b, +1};
		return 1;
	}
	int n = 0;
	out[n++] = (struct part){ym, ym, +1};
	if (a > first)
		out[n++] = (struct part){first, a - 1, -1};
	if (b < last)
		out[n++] = (struct part){b + 1, last, -1};
	return n;
}

/* Cuts r into at most five parts: its first month's piece, the whole
 * months between, its last month's piece. by_day: days only (day and week
 * buckets need them). */
static int range_parts(struct range r, bool by_day, struct part out[PARTS_MAX])
{
	int fm = r.from / 100, tm = r.to / 100;
	if (by_day) {
		out[0] = (struct part){r.from, r.to, +1};
		return 1;
	}
	if (fm == tm)
		return month_piece(r.from, r.to, out);
	int n = month_piece(r.from, month_last(fm), out);
	if (month_add(fm, 1) <= month_add(tm, -1))
		out[n++] = (struct part){month_add(fm, 1), month_add(tm, -1), +1};
	return n + month_piece(tm * 100 + 1, r.to, out + n);
}

/* --- reference data ------------------------------------------------------ */

struct category {
	int64_t id, parent_id;
	char *code, *name;
	int parent;   /* index, -1 for a root */
	int depth;    /* 1 for a root */
	bool in_scope; /* the category filter (and its subtree) */
	bool leaf;
};

struct named {
	int64_t id; /* department id; 0 for regions */
	char *code, *name;
};

struct refs {
	struct category *cats;
	int ncats;
	struct named *depts, *regions;
	int ndepts, nregions;
};

static void refs_release(struct refs *r)
{
	for (int i = 0; i < r->ncats; i++)
		free(r->cats[i].code), free(r->cats[i].name);
	for (int i = 0; i < r->ndepts; i++)
		free(r->depts[i].code), free(r->depts[i].name);
	for (int i = 0; i < r->nregions; i++)
		free(r->regions[i].code), free(r->regions[i].name);
	free(r->cats);
	free(r->depts);
	free(r->regions);
	memset(r, 0, sizeof *r);
}

static enum gd_status load_named(struct db *d, const char *sql, struct named **out, int *n)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row) {
		*out = xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
		(*out)[*n] = (struct named){db_col_int64(st, 0), xstrdup(db_col_text(st, 1)), xstrdup(db_col_text(st, 2))};
		(*n)++;
	}
	db_reset(st);
	return s;
}

static enum gd_status refs_load(struct db *d, struct refs *r)
{
	static const char cats_sql[] =
		"SELECT id, coalesce(parent_id, 0), code, name FROM categories ORDER BY sort, code";
	static const char depts_sql[] = "SELECT id, code, name FROM departments ORDER BY sort, code";
	static const char regions_sql[] = "SELECT 0, code, name FROM regions ORDER BY sort, code";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	memset(r, 0, sizeof *r);
	if ((s = db_prepare(d, cats_sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row) {
		r->cats = xrealloc(r->cats, (size_t)(r->ncats + 1) * sizeof *r->cats);
		r->cats[r->ncats++] = (struct category){db_col_int64(st, 0), db_col_int64(st, 1),
							xstrdup(db_col_text(st, 2)), xstrdup(db_col_text(st, 3)),
							-1, 1, true, true};
	}
	db_reset(st);
	if (s || (s = load_named(d, depts_sql, &r->depts, &r->ndepts)) ||
	    (s = load_named(d, regions_sql, &r->regions, &r->nregions)))
		return s;
	for (int i = 0; i < r->ncats; i++)
		for (int j = 0; j < r->ncats; j++)
			if (r->cats[j].id == r->cats[i].parent_id) {
				r->cats[i].parent = j;
				r->cats[j].leaf = false;
			}
	for (int i = 0; i < r->ncats; i++) {
		int depth = 1;
		for (int p = r->cats[i].parent; p >= 0 && depth <= r->ncats; p = r->cats[p].parent)
			depth++;
		r->cats[i].depth = depth;
	}
	return GD_OK;
}

static int cat_index(const struct refs *r, int64_t id)
{
	for (int i = 0; i < r->ncats; i++)
		if (r->cats[i].id == id)
			return i;
	return -1;
}

static int cat_by_code(const struct refs *r, const char *code)
{
	for (int i = 0; i < r->ncats; i++)
		if (!strcmp(r->cats[i].code, code))
			return i;
	return -1;
}

static bool cat_under(const struct refs *r, int i, int root)
{
	for (int k = 0; i >= 0 && k <= r->ncats; i = r->cats[i].parent, k++)
		if (i == root)
			return true;
	return false;
}

static int dept_index(const struct refs *r, int64_t id)
{
	for (int i = 0; i < r->ndepts; i++)
		if (r->depts[i].id == id)
			return i;
	return -1;
}

static int region_index(const struct refs *r, const char *code)
{
	for (int i = 0; i < r->nregions; i++)
		if (!strcmp(r->regions[i].code, code))
			return i;
	return -1;
}

/* --- the request, validated ---------------------------------------------- */

enum group { G_CATEGORY, G_REGION, G_DEPARTMENT, G_DAY, G_WEEK, G_MONTH };
static const char *const group_names[] = {"category", "region", "department", "day", "week", "month", NULL};

enum compare { C_NONE, C_PREVIOUS, C_LAST_YEAR };

struct query {
	struct range range;
	enum group group;
	enum compare compare;
	const char *state;  /* NULL: every state; "closed" or an open state */
	int category;       /* index, -1: every category */
	int64_t department; /* -1: every department; else its id (0: none) */
	int64_t user;       /* 0; an agent's id: its own tickets only */
};

/* The scope of who: handlers their department, agents their own tickets. */
static enum gd_status scope_of(const struct principal *who, struct query *q, struct gd_err *e)
{
	switch (vis_list_scope(who, false)) {
	case VIS_ALL:
		return GD_OK;
	case VIS_DEPARTMENT:
		if (q->department >= 0 && q->department != who->department_id)
			return gd_errf(e, GD_E_FORBIDDEN, "a handler's reports cover its own department only");
		q->department = who->department_id;
		return GD_OK;
	case VIS_CREATOR:
		q->user = who->user_id;
		return GD_OK;
	case VIS_NONE:
		break;
	}
	return gd_errf(e, GD_E_FORBIDDEN, "this role has no reports");
}

static enum gd_status state_known(struct db *d, const char *state, bool *known)
{
	static const char sql[] = "SELECT 1 FROM wf_states WHERE code = ?1";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, state, -1);
	s = db_step(st, known);
	db_reset(st);
	return s;
}

/* Range, group, compare and filters from p: 422 with a reason per field. */
static enum gd_status query_parse(struct db *d, const struct refs *r, const struct report_params *p, bool grouped,
				  struct query *q, struct gd_err *e)
{
	enum gd_status s;
	memset(q, 0, sizeof *q);
	q->category = -1;
	q->department = -1;
	int today = time_local_date(time_now());
	if (p->month) {
		int m;
		if (!parse_date(p->month, true, &m))
			gd_err_field(e, "month", "must be YYYY-MM");
		else
			q->range = (struct range){m, month_last(m / 100)};
	} else {
		q->range = (struct range){today / 100 * 100 + 1, today};
		if (p->to && !parse_date(p->to, false, &q->range.to))
			gd_err_field(e, "to", "must be a date YYYY-MM-DD");
		if (!p->from)
			q->range.from = q->range.to / 100 * 100 + 1;
		else if (!parse_date(p->from, false, &q->range.from))
			gd_err_field(e, "from", "must be a date YYYY-MM-DD");
		if (!gd_err_has_fields(e) && q->range.from > q->range.to)
			gd_err_field(e, "from", "must not be after 'to'");
		if (!gd_err_has_fields(e) && q->range.to >= (q->range.from / 10000 + REPORT_MAX_YEARS) * 10000 +
								   q->range.from % 10000)
			gd_err_field(e, "to", "the range may not be longer than 5 years");
	}
	q->group = G_CATEGORY;
	if (grouped && p->group_by) {
		int g = -1;
		for (int i = 0; group_names[i]; i++)
			if (!strcmp(group_names[i], p->group_by))
				g = i;
		if (g < 0)
			gd_err_field(e, "group_by", "must be category, region, department, day, week or month");
		else
			q->group = (enum group)g;
	}
	if (p->compare) {
		if (!strcmp(p->compare, "previous"))
			q->compare = C_PREVIOUS;
		else if (!strcmp(p->compare, "last_year"))
			q->compare = C_LAST_YEAR;
		else
			gd_err_field(e, "compare", "must be previous or last_year");
	}
	if (p->category && (q->category = cat_by_code(r, p->category)) < 0)
		gd_err_field(e, "category", "no such category");
	if (p->department) {
		int i;
		for (i = 0; i < r->ndepts && strcmp(r->depts[i].code, p->department); i++)
			;
		if (i == r->ndepts)
			gd_err_field(e, "department", "no such department");
		else
			q->department = r->depts[i].id;
	}
	if (p->state) {
		bool known = false;
		if ((s = state_known(d, p->state, &known)))
			return s;
		if (!known)
			gd_err_field(e, "state", "no such state");
		else
			q->state = p->state;
	}
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the report's parameters are invalid");
	return GD_OK;
}

/* --- tallies ------------------------------------------------------------- */

/* Counts by group key: category index, region index, department id, day,
 * week's Monday or month. */
struct cell {
	int64_t key;
	int64_t n, repeats;
	bool used;
};

#define TALLY_SLOTS 8192 /* more than the days of 5 years or any reference table */

struct tally {
	struct cell *cells;
	int64_t n, repeats; /* the totals */
};

static void tally_init(struct tally *t)
{
	t->cells = xcalloc(TALLY_SLOTS, sizeof *t->cells);
	t->n = t->repeats = 0;
}

static void tally_release(struct tally *t)
{
	free(t->cells);
	t->cells = NULL;
}

static struct cell *tally_cell(struct tally *t, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15u;
	for (size_t i = (size_t)(h >> 51) % TALLY_SLOTS;; i = (i + 1) % TALLY_SLOTS) {
		struct cell *c = &t->cells[i];
		if (!c->used) {
			c->used = true;
			c->key = key;
			return c;
		}
		if (c->key == key)
			return c;
	}
}

static int64_t tally_get(const struct tally *t, int64_t key, int64_t *repeats)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15u;
	for (size_t i = (size_t)(h >> 51) % TALLY_SLOTS;; i = (i + 1) % TALLY_SLOTS) {
		const struct cell *c = &t->cells[i];
		if (!c->used) {
			if (repeats)
				*repeats = 0;
			return 0;
		}
		if (c->key == key) {
			if (repeats)
				*repeats = c->repeats;
			return c->n;
		}
	}
}

struct reader {
	struct db *d;
	const struct refs *r;
	const struct query *q;
	struct tally *t;
};

/* One count of created tickets: p a day or a month; dimensions the row's
 * cube does not keep are 0 / NULL and not asked for. */
static void count_created(struct reader *x, int p, int64_t dept, int64_t cat, const char *region, int64_t n,
			  int64_t repeats)
{
	const struct query *q = x->q;
	if (q->department >= 0 && dept != q->department)
		return;
	int ci = -1;
	if (q->category >= 0 || q->group == G_CATEGORY) {
		ci = cat_index(x->r, cat);
		if (q->category >= 0 && (ci < 0 || !cat_under(x->r, ci, q->category)))
			return;
	}
	int64_t key = 0;
	switch (q->group) {
	case G_CATEGORY:
		key = ci;
		break;
	case G_REGION:
		key = region ? region_index(x->r, region) : -1;
		break;
	case G_DEPARTMENT:
		key = dept;
		break;
	case G_DAY:
		key = p;
		break;
	case G_WEEK:
		key = week_start(p);
		break;
	case G_MONTH:
		key = p > 999999 ? p / 100 : p;
		break;
	}
	struct cell *c = tally_cell(x->t, key);
	c->n += n;
	c->repeats += repeats;
	x->t->n += n;
	x->t->repeats += repeats;
}

/* The created cubes, normalised to (p, department, category, region, n,
 * repeats); ?1/?2 the part, ?3 a department, ?4 a category. */
static const char *const created_sql[] = {
	"SELECT p, 0, 0, NULL, n, repeats FROM report_created WHERE p BETWEEN ?1 AND ?2",
	"SELECT p, 0, category_id, NULL, n, repeats FROM report_created_category WHERE p BETWEEN ?1 AND ?2",
	"SELECT p, 0, 0, region, n, repeats FROM report_created_region WHERE p BETWEEN ?1 AND ?2",
	"SELECT p, department_id, category_id, NULL, n, repeats FROM report_created_department"
	" WHERE department_id = ?3 AND p BETWEEN ?1 AND ?2",
	"SELECT p, department_id, category_id, region, n, repeats FROM report_created_cell"
	" WHERE department_id = ?3 AND category_id = ?4 AND p BETWEEN ?1 AND ?2",
	"SELECT p, 0, category_id, NULL, n, repeats FROM report_created_user_category WHERE u = ?3 AND p BETWEEN ?1 AND ?2",
	"SELECT p, department_id, category_id, region, n, repeats FROM report_created_user_cell"
	" WHERE u = ?3 AND p BETWEEN ?1 AND ?2",
};
enum { CUBE_ALL, CUBE_CATEGORY, CUBE_REGION, CUBE_DEPARTMENT, CUBE_CELL, CUBE_USER_CATEGORY, CUBE_USER_CELL };

/* The open tickets created in the range, by their day, from a covering
 * index. */
static const char open_sql[] =
	"SELECT created_at, state, coalesce(department_id, 0), category_id, region, repeat_count > 0, created_by"
	" FROM tickets WHERE closed_at IS NULL AND created_at >= ?1 AND created_at < ?2 ORDER BY created_at";

static enum gd_status read_cube(struct reader *x, int cube, int64_t dept, int64_t cat, const struct part *pt,
				int sign)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(x->d, created_sql[cube], &st)))
		return s;
	db_bind_int64(st, 1, pt->lo);
	db_bind_int64(st, 2, pt->hi);
	if (cube == CUBE_DEPARTMENT || cube == CUBE_CELL)
		db_bind_int64(st, 3, dept);
	if (cube >= CUBE_USER_CATEGORY)
		db_bind_int64(st, 3, x->q->user);
	if (cube == CUBE_CELL)
		db_bind_int64(st, 4, cat);
	while (!(s = db_step(st, &row)) && row)
		count_created(x, (int)db_col_int64(st, 0), db_col_int64(st, 1), db_col_int64(st, 2),
			      db_col_null(st, 3) ? NULL : db_col_text(st, 3), sign * pt->sign * db_col_int64(st, 4),
			      sign * pt->sign * db_col_int64(st, 5));
	db_reset(st);
	return s;
}

/* Open tickets: those in state `want` (NULL: any) counted by their local
 * day, an agent's own only for an agent. */
static enum gd_status read_open(struct reader *x, const char *want, int sign)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	struct range r = x->q->range;
	int day = r.from;
	int64_t next = time_local_start(day_add(day, 1));
	if ((s = db_prepare(x->d, open_sql, &st)))
		return s;
	db_bind_int64(st, 1, time_local_start(r.from));
	db_bind_int64(st, 2, time_local_start(day_add(r.to, 1)));
	while (!(s = db_step(st, &row)) && row) {
		int64_t at = db_col_int64(st, 0);
		const char *state = db_col_text(st, 1);
		while (at >= next && day < r.to) {
			day = day_add(day, 1);
			next = time_local_start(day_add(day, 1));
		}
		if ((want && strcmp(state, want)) || (x->q->user && db_col_int64(st, 6) != x->q->user))
			continue;
		count_created(x, day, db_col_int64(st, 2), db_col_int64(st, 3), db_col_text(st, 4), sign,
			      sign * db_col_int64(st, 5));
	}
	db_reset(st);
	return s;
}

/* Every ticket created in q's range, with q's filters, into t. */
static enum gd_status tally_created(struct db *d, const struct refs *r, const struct query *q, struct tally *t)
{
	struct reader x = {d, r, q, t};
	enum gd_status s;
	tally_init(t);
	if (q->state && strcmp(q->state, "closed"))
		return read_open(&x, q->state, +1);
	bool cat = q->group == G_CATEGORY || q->category >= 0, region = q->group == G_REGION,
	     dept = q->group == G_DEPARTMENT || q->department >= 0;
	int cube = q->user ? (region || dept ? CUBE_USER_CELL : CUBE_USER_CATEGORY)
		   : region && (cat || dept) ? CUBE_CELL
		   : dept		     ? CUBE_DEPARTMENT
		   : region		     ? CUBE_REGION
		   : cat		     ? CUBE_CATEGORY
					     : CUBE_ALL;
	struct part parts[PARTS_MAX];
	int nparts = range_parts(q->range, q->group == G_DAY || q->group == G_WEEK, parts);
	/* the departments to read: the one asked for, or all and "none" */
	int ndepts = cube != CUBE_DEPARTMENT && cube != CUBE_CELL ? 1 : q->department >= 0 ? 1 : r->ndepts + 1;
	for (int di = 0; di < ndepts; di++) {
		int64_t id = q->department >= 0 ? q->department : di < r->ndepts ? r->depts[di].id : 0;
		int ncats = cube == CUBE_CELL ? r->ncats : 1;
		for (int ci = 0; ci < ncats; ci++) {
			if (cube == CUBE_CELL && q->category >= 0 && !cat_under(r, ci, q->category))
				continue;
			for (int k = 0; k < nparts; k++)
				if ((s = read_cube(&x, cube, id, cube == CUBE_CELL ? r->cats[ci].id : 0, &parts[k],
						   +1)))
					return s;
		}
	}
	/* closed = all - open */
	if (q->state)
		return read_open(&x, NULL, -1);
	return GD_OK;
}

/* --- JSON helpers -------------------------------------------------------- */

static json_t *real_or_null(bool ok, double v, double scale)
{
	return ok ? json_real(round(v * scale) / scale) : json_null();
}

/* {numerator, denominator, rate} (rate null when nothing to divide by). */
static json_t *ratio(int64_t num, int64_t den)
{
	return json_pack("{s:I, s:I, s:o}", "numerator", (json_int_t)num, "denominator", (json_int_t)den, "rate",
			 real_or_null(den > 0, den ? (double)num / (double)den : 0, 1e4));
}

static void range_json(json_t *o, const char *name, struct range r)
{
	char a[16], b[16];
	day_text(r.from, a);
	day_text(r.to, b);
	json_object_set_new(o, name, json_pack("{s:s, s:s}", "from", a, "to", b));
}

/* Adds previous / change / change_rate to a figure object. */
static void compare_into(json_t *o, int64_t now, int64_t before)
{
	json_object_set_new(o, "previous", json_integer(before));
	json_object_set_new(o, "change", json_integer(now - before));
	json_object_set_new(o, "change_rate", real_or_null(before != 0, before ? (double)(now - before) / (double)before : 0,
							 1e4));
}

static double share(int64_t n, int64_t total) { return total ? (double)n / (double)total : 0; }

/* --- complaints ---------------------------------------------------------- */

/* Subtotals of every node: own + its subtree (children come in any order,
 * so add each category's own count to all its ancestors). */
static int64_t *subtotals(const struct refs *r, const struct tally *t, int64_t **repeats)
{
	int64_t *sub = xcalloc((size_t)r->ncats + 1, sizeof *sub);
	*repeats = xcalloc((size_t)r->ncats + 1, sizeof **repeats);
	for (int i = 0; i < r->ncats; i++) {
		int64_t rep, n = tally_get(t, i, &rep);
		for (int p = i, k = 0; p >= 0 && k <= r->ncats; p = r->cats[p].parent, k++) {
			sub[p] += n;
			(*repeats)[p] += rep;
		}
	}
	return sub;
}

struct tree_ctx {
	const struct refs *r;
	const struct tally *t, *c; /* c: the comparison, or NULL */
	int64_t *sub, *subrep, *csub, *csubrep;
	int64_t total;
};

static json_t *tree_node(const struct tree_ctx *x, int i)
{
	const struct category *c = &x->r->cats[i];
	int64_t rep, own = tally_get(x->t, i, &rep);
	json_t *o = json_pack("{s:s, s:s, s:i, s:b, s:I, s:I, s:I, s:f}", "code", c->code, "name", c->name, "level",
			      c->depth, "leaf", c->leaf, "count", (json_int_t)own, "subtotal", (json_int_t)x->sub[i],
			      "repeats", (json_int_t)x->subrep[i], "share", round(share(x->sub[i], x->total) * 1e4) / 1e4);
	if (x->c)
		compare_into(o, x->sub[i], x->csub[i]);
	json_t *kids = json_array();
	for (int k = 0; k < x->r->ncats; k++)
		if (x->r->cats[k].parent == i)
			json_array_append_new(kids, tree_node(x, k));
	json_object_set_new(o, "children", kids);
	return o;
}

static json_t *category_tree(const struct refs *r, const struct query *q, const struct tally *t,
			     const struct tally *c)
{
	struct tree_ctx x = {r, t, c, NULL, NULL, NULL, NULL, t->n};
	x.sub = subtotals(r, t, &x.subrep);
	if (c)
		x.csub = subtotals(r, c, &x.csubrep);
	json_t *items = json_array();
	for (int i = 0; i < r->ncats; i++)
		if (q->category >= 0 ? i == q->category : r->cats[i].parent < 0)
			json_array_append_new(items, tree_node(&x, i));
	free(x.sub);
	free(x.subrep);
	free(x.csub);
	free(x.csubrep);
	return items;
}

/* The buckets of a time grouping: key and label, in order. */
static int time_buckets(enum group g, struct range r, int64_t **keys)
{
	int n = 0;
	*keys = NULL;
	for (int d = r.from; d <= r.to; d = day_add(d, 1)) {
		int64_t key = g == G_DAY ? d : g == G_WEEK ? week_start(d) : d / 100;
		if (n && (*keys)[n - 1] == key)
			continue;
		*keys = xrealloc(*keys, (size_t)(n + 1) * sizeof **keys);
		(*keys)[n++] = key;
	}
	return n;
}

static void bucket_json(json_t *o, enum group g, int64_t key, struct range r)
{
	char text[16], a[16], b[16];
	int first = (int)key, last;
	if (g == G_DAY) {
		day_text((int)key, text);
		last = first;
	} else if (g == G_WEEK) {
		week_label((int)key, text);
		last = day_add(first, 6);
	} else {
		month_text((int)key, text);
		first = (int)key * 100 + 1;
		last = month_last((int)key);
	}
	if (first < r.from)
		first = r.from;
	if (last > r.to)
		last = r.to;
	day_text(first, a);
	day_text(last, b);
	json_object_set_new(o, "key", json_string(text));
	json_object_set_new(o, "name", json_string(text));
	json_object_set_new(o, "from", json_string(a));
	json_object_set_new(o, "to", json_string(b));
}

static json_t *flat_item(const char *key, const char *name, int64_t n, int64_t rep, int64_t total)
{
	return json_pack("{s:o, s:o, s:I, s:I, s:f}", "key", key ? json_string(key) : json_null(), "name",
			 name ? json_string(name) : json_string("未派单"), "count", (json_int_t)n, "repeats",
			 (json_int_t)rep, "share", round(share(n, total) * 1e4) / 1e4);
}

static json_t *grouped_items(const struct refs *r, const struct query *q, const struct tally *t,
			     const struct tally *c, struct range cr)
{
	if (q->group == G_CATEGORY)
		return category_tree(r, q, t, c);
	json_t *items = json_array();
	int64_t rep, n, cn;
	if (q->group == G_REGION || q->group == G_DEPARTMENT) {
		bool regions = q->group == G_REGION;
		int count = regions ? r->nregions : r->ndepts + 1;
		for (int i = 0; i < count; i++) {
			int64_t key = regions ? i : i < r->ndepts ? r->depts[i].id : 0;
			if (!regions && q->department >= 0 && key != q->department)
				continue;
			n = tally_get(t, key, &rep);
			cn = c ? tally_get(c, key, NULL) : 0;
			if (!regions && !key && !n && !cn) /* "none" only when it counts */
				continue;
			const struct named *x = regions ? &r->regions[i] : i < r->ndepts ? &r->depts[i] : NULL;
			json_t *o = flat_item(x ? x->code : NULL, x ? x->name : NULL, n, rep, t->n);
			if (c)
				compare_into(o, n, cn);
			json_array_append_new(items, o);
		}
		return items;
	}
	int64_t *keys, *ckeys = NULL;
	int nk = time_buckets(q->group, q->range, &keys), nc = c ? time_buckets(q->group, cr, &ckeys) : 0;
	for (int i = 0; i < nk; i++) {
		n = tally_get(t, keys[i], &rep);
		json_t *o = json_pack("{s:I, s:I, s:f}", "count", (json_int_t)n, "repeats", (json_int_t)rep, "share",
				      round(share(n, t->n) * 1e4) / 1e4);
		bucket_json(o, q->group, keys[i], q->range);
		/* the bucket of the same place in the comparison period */
		if (c && i < nc) {
			json_t *b = json_object();
			bucket_json(b, q->group, ckeys[i], cr);
			json_object_set_new(o, "previous_period", json_pack("{s:O, s:O}", "from", json_object_get(b, "from"),
									  "to", json_object_get(b, "to")));
			json_decref(b);
			compare_into(o, n, tally_get(c, ckeys[i], NULL));
		} else if (c) {
			json_object_set_new(o, "previous", json_null());
		}
		json_array_append_new(items, o);
	}
	free(keys);
	free(ckeys);
	return items;
}

static json_t *filters_json(const struct refs *r, const struct query *q)
{
	json_t *f = json_object();
	if (q->state)
		json_object_set_new(f, "state", json_string(q->state));
	if (q->category >= 0)
		json_object_set_new(f, "category", json_string(r->cats[q->category].code));
	if (q->department > 0 && dept_index(r, q->department) >= 0)
		json_object_set_new(f, "department", json_string(r->depts[dept_index(r, q->department)].code));
	if (q->user)
		json_object_set_new(f, "created_by", json_integer(q->user));
	return f;
}

static enum gd_status complaints_build(struct db *d, const struct refs *r, const struct query *q, json_t **out)
{
	struct tally t, c = {0};
	struct range cr = {0, 0};
	enum gd_status s = tally_created(d, r, q, &t);
	if (!s && q->compare) {
		struct query cq = *q;
		cr = cq.range = q->compare == C_PREVIOUS ? range_previous(q->range) : range_last_year(q->range);
		s = tally_created(d, r, &cq, &c);
	}
	if (!s) {
		json_t *o = json_pack("{s:s, s:s, s:o}", "report", "complaints", "group_by", group_names[q->group],
				      "filters", filters_json(r, q));
		range_json(o, "range", q->range);
		json_t *totals = json_pack("{s:I, s:I}", "count", (json_int_t)t.n, "repeats", (json_int_t)t.repeats);
		if (q->compare) {
			json_object_set_new(o, "compare", json_string(q->compare == C_PREVIOUS ? "previous" : "last_year"));
			range_json(o, "compare_range", cr);
			compare_into(totals, t.n, c.n);
		}
		json_object_set_new(o, "totals", totals);
		json_object_set_new(o, "items", grouped_items(r, q, &t, q->compare ? &c : NULL, cr));
		*out = o;
	}
	tally_release(&t);
	tally_release(&c);
	return s;
}

/* --- KPIs ---------------------------------------------------------------- */

struct closed_sums {
	int64_t closed, timely, no_deadline, resolved, reopened, s[6];
};
struct event_sums {
	int64_t returns, transfers, urges, reopens, overdue, replies, seconds;
};

/* Per department (index ndepts: "none"), plus the total. */
struct kpi_data {
	int n; /* ndepts + 1 */
	struct closed_sums *closed, closed_all;
	struct event_sums *events, events_all;
	int64_t *p90, p90_all; /* minutes; -1 without episodes */
	int64_t created, repeats;
};

static void kpi_release(struct kpi_data *k)
{
	free(k->closed);
	free(k->events);
	free(k->p90);
}

static int dept_slot(const struct refs *r, int64_t id)
{
	int i = dept_index(r, id);
	return i < 0 ? r->ndepts : i;
}

static const char closed_sql[] =
	"SELECT department_id, closed, timely, no_deadline, resolved, reopened, s1, s2, s3, s4, s5 FROM report_closed"
	" WHERE u = ?1 AND p BETWEEN ?2 AND ?3";
static const char events_sql[] =
	"SELECT department_id, returns, transfers, urges, reopens, overdue, replies, reply_seconds FROM report_events"
	" WHERE u = ?1 AND p BETWEEN ?2 AND ?3";
static const char hours_sql[] =
	"SELECT hour, n FROM report_handling WHERE u = ?1 AND department_id = ?4 AND p BETWEEN ?2 AND ?3";
static const char minutes_sql[] =
	"SELECT minute, n FROM report_handling_minutes WHERE u = ?1 AND department_id = ?4 AND hour = ?5"
	" AND p BETWEEN ?2 AND ?3";

static void bind_part(struct db_stmt *st, int64_t user, const struct part *pt)
{
	db_bind_int64(st, 1, user);
	db_bind_int64(st, 2, pt->lo);
	db_bind_int64(st, 3, pt->hi);
}

/* A histogram by hour (then minute) of one department's episodes. */
struct hist {
	int64_t *n;
	size_t len;
};

static void hist_add(struct hist *h, int64_t at, int64_t n)
{
	if (at < 0 || at > 10000000)
		return;
	if ((size_t)at >= h->len) {
		size_t len = (size_t)at + 64;
		h->n = xrealloc(h->n, len * sizeof *h->n);
		memset(h->n + h->len, 0, (len - h->len) * sizeof *h->n);
		h->len = len;
	}
	h->n[at] += n;
}

static enum gd_status read_hist(struct db *d, const char *sql, int64_t user, int64_t dept, int64_t hour,
				const struct part *parts, int nparts, struct hist *h)
{
	struct db_stmt *st;
	enum gd_status s = GD_OK;
	bool row;
	for (int k = 0; k < nparts && !s; k++) {
		if ((s = db_prepare(d, sql, &st)))
			return s;
		bind_part(st, user, &parts[k]);
		db_bind_int64(st, 4, dept);
		if (sql == minutes_sql)
			db_bind_int64(st, 5, hour);
		while (!(s = db_step(st, &row)) && row)
			hist_add(h, db_col_int64(st, 0), parts[k].sign * db_col_int64(st, 1));
		db_reset(st);
	}
	return s;
}

/* p90 in whole minutes of the episodes of the departments in depts, whose
 * hours are in `hours`: the duration of the ceil(0.9 n)-th shortest
 * episode, rounded down to the minute; -1 when there is none. */
static enum gd_status p90_of(struct db *d, int64_t user, const int64_t *depts, int ndepts, const struct part *parts,
			     int nparts, const struct hist *hours, int64_t *out)
{
	struct hist minutes = {0};
	enum gd_status s = GD_OK;
	int64_t total = 0, seen = 0;
	*out = -1;
	for (size_t h = 0; h < hours->len; h++)
		total += hours->n[h];
	if (total <= 0)
		return GD_OK;
	int64_t rank = (total * 9 + 9) / 10; /* ceil(0.9 n) */
	size_t h = 0;
	while (h + 1 < hours->len && seen + hours->n[h] < rank)
		seen += hours->n[h++];
	for (int i = 0; i < ndepts && !s; i++)
		s = read_hist(d, minutes_sql, user, depts[i], (int64_t)h, parts, nparts, &minutes);
	size_t m = 0;
	while (m + 1 < minutes.len && seen + minutes.n[m] < rank)
		seen += minutes.n[m++];
	*out = (int64_t)h * 60 + (int64_t)m;
	free(minutes.n);
	return s;
}

static bool dept_wanted(const struct query *q, int64_t id) { return q->department < 0 || id == q->department; }

static enum gd_status kpi_collect(struct db *d, const struct refs *r, const struct query *q, struct kpi_data *k)
{
	struct db_stmt *st;
	enum gd_status s = GD_OK;
	bool row;
	struct part parts[PARTS_MAX];
	int nparts = range_parts(q->range, false, parts);
	memset(k, 0, sizeof *k);
	k->n = r->ndepts + 1;
	k->closed = xcalloc((size_t)k->n, sizeof *k->closed);
	k->events = xcalloc((size_t)k->n, sizeof *k->events);
	k->p90 = xcalloc((size_t)k->n, sizeof *k->p90);
	for (int p = 0; p < nparts && !s; p++) {
		if ((s = db_prepare(d, closed_sql, &st)))
			return s;
		bind_part(st, q->user, &parts[p]);
		while (!(s = db_step(st, &row)) && row) {
			int64_t id = db_col_int64(st, 0);
			if (!dept_wanted(q, id))
				continue;
			struct closed_sums *c = &k->closed[dept_slot(r, id)];
			int64_t v[11];
			for (int i = 1; i < 11; i++)
				v[i] = parts[p].sign * db_col_int64(st, i);
			c->closed += v[1], c->timely += v[2], c->no_deadline += v[3], c->resolved += v[4];
			c->reopened += v[5];
			for (int j = 1; j <= 5; j++)
				c->s[j] += v[5 + j];
		}
		db_reset(st);
		if (s || (s = db_prepare(d, events_sql, &st)))
			return s;
		bind_part(st, q->user, &parts[p]);
		while (!(s = db_step(st, &row)) && row) {
			int64_t id = db_col_int64(st, 0);
			if (!dept_wanted(q, id))
				continue;
			struct event_sums *e = &k->events[dept_slot(r, id)];
			int64_t sg = parts[p].sign;
			e->returns += sg * db_col_int64(st, 1), e->transfers += sg * db_col_int64(st, 2);
			e->urges += sg * db_col_int64(st, 3), e->reopens += sg * db_col_int64(st, 4);
			e->overdue += sg * db_col_int64(st, 5), e->replies += sg * db_col_int64(st, 6);
			e->seconds += sg * db_col_int64(st, 7);
		}
		db_reset(st);
	}
	int64_t *ids = xcalloc((size_t)k->n, sizeof *ids);
	int nids = 0;
	struct hist all = {0};
	for (int i = 0; i < k->n && !s; i++) {
		int64_t id = i < r->ndepts ? r->depts[i].id : 0;
		struct closed_sums *c = &k->closed[i];
		struct event_sums *e = &k->events[i];
		k->closed_all.closed += c->closed, k->closed_all.timely += c->timely;
		k->closed_all.no_deadline += c->no_deadline, k->closed_all.resolved += c->resolved;
		k->closed_all.reopened += c->reopened;
		for (int j = 1; j <= 5; j++)
			k->closed_all.s[j] += c->s[j];
		k->events_all.returns += e->returns, k->events_all.transfers += e->transfers;
		k->events_all.urges += e->urges, k->events_all.reopens += e->reopens;
		k->events_all.overdue += e->overdue, k->events_all.replies += e->replies;
		k->events_all.seconds += e->seconds;
		k->p90[i] = -1;
		if (e->replies && dept_wanted(q, id)) {
			struct hist hours = {0};
			ids[nids++] = id;
			if (!(s = read_hist(d, hours_sql, q->user, id, 0, parts, nparts, &hours)))
				s = p90_of(d, q->user, &id, 1, parts, nparts, &hours, &k->p90[i]);
			for (size_t h = 0; h < hours.len; h++)
				hist_add(&all, (int64_t)h, hours.n[h]);
			free(hours.n);
		}
	}
	k->p90_all = -1;
	if (!s && nids)
		s = p90_of(d, q->user, ids, nids, parts, nparts, &all, &k->p90_all);
	free(all.n);
	free(ids);
	if (s)
		return s;
	/* 重复投诉率 over the tickets created in the range */
	struct query cq = *q;
	cq.group = G_MONTH;
	cq.category = -1;
	cq.state = NULL;
	struct tally t;
	s = tally_created(d, r, &cq, &t);
	k->created = t.n;
	k->repeats = t.repeats;
	tally_release(&t);
	return s;
}

static json_t *satisfaction_json(const struct closed_sums *c)
{
	int64_t rated = 0, sum = 0;
	json_t *dist = json_object();
	for (int j = 1; j <= 5; j++) {
		char key[2] = {(char)('0' + j), 0};
		rated += c->s[j];
		sum += j * c->s[j];
		json_object_set_new(dist, key, json_integer(c->s[j]));
	}
	return json_pack("{s:I, s:I, s:o, s:o}", "rated", (json_int_t)rated, "sum", (json_int_t)sum, "mean",
			 real_or_null(rated > 0, rated ? (double)sum / (double)rated : 0, 100), "distribution", dist);
}

static json_t *handling_json(const struct event_sums *e, int64_t p90)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o}", "episodes", (json_int_t)e->replies, "seconds",
			 (json_int_t)e->seconds, "mean_hours",
			 real_or_null(e->replies > 0, e->replies ? (double)e->seconds / (double)e->replies / 3600 : 0, 100),
			 "p90_minutes", p90 >= 0 ? json_integer(p90) : json_null(), "p90_hours",
			 real_or_null(p90 >= 0, (double)p90 / 60, 100));
}

static json_t *kpi_block(const struct closed_sums *c, const struct event_sums *e, int64_t p90)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "closed",
			 (json_int_t)c->closed, "on_time", ratio(c->timely, c->closed), "first_contact",
			 ratio(c->resolved, c->closed), "reopen", ratio(c->reopened, c->closed), "satisfaction",
			 satisfaction_json(c), "handling", handling_json(e, p90), "closed_late",
			 (json_int_t)(c->closed - c->timely), "no_deadline", (json_int_t)c->no_deadline, "returns",
			 (json_int_t)e->returns, "transfers", (json_int_t)e->transfers, "urges", (json_int_t)e->urges,
			 "reopens", (json_int_t)e->reopens, "overdue", (json_int_t)e->overdue);
}

static json_t *kpi_json(const struct refs *r, const struct query *q, const struct kpi_data *k)
{
	json_t *o = kpi_block(&k->closed_all, &k->events_all, k->p90_all);
	json_object_set_new(o, "repeat", ratio(k->repeats, k->created));
	json_t *depts = json_array();
	for (int i = 0; i < k->n; i++) {
		int64_t id = i < r->ndepts ? r->depts[i].id : 0;
		if (!dept_wanted(q, id))
			continue;
		const struct closed_sums *c = &k->closed[i];
		const struct event_sums *e = &k->events[i];
		if (i == r->ndepts && !c->closed && !e->returns && !e->transfers && !e->urges && !e->reopens &&
		    !e->overdue && !e->replies)
			continue;
		json_t *d = kpi_block(c, e, k->p90[i]);
		json_object_set_new(d, "department", i < r->ndepts ? json_string(r->depts[i].code) : json_null());
		json_object_set_new(d, "department_name", json_string(i < r->ndepts ? r->depts[i].name : "省客服中心(未派单)"));
		json_array_append_new(depts, d);
	}
	json_object_set_new(o, "departments", depts);
	return o;
}

/* --- the report functions ------------------------------------------------ */

/* Loads the reference data and parses the query in one read transaction,
 * then calls build. */
static enum gd_status run(const struct principal *who, const struct report_params *p, bool grouped,
			  enum gd_status (*build)(struct db *d, const struct refs *r, const struct query *q, json_t **out),
			  json_t **out, struct gd_err *e)
{
	struct db *d = db_reader();
	struct refs r;
	struct query q;
	enum gd_status s = db_read_begin(d);
	if (s)
		return s;
	if (!(s = refs_load(d, &r)) && !(s = query_parse(d, &r, p, grouped, &q, e)) && !(s = scope_of(who, &q, e)))
		s = build(d, &r, &q, out);
	refs_release(&r);
	db_read_end(d);
	return s;
}

enum gd_status report_complaints(const struct principal *who, const struct report_params *p, json_t **out,
				 struct gd_err *e)
{
	if (p->month)
		return gd_errf(e, GD_E_BAD_REQUEST, "'month' belongs to the monthly report");
	return run(who, p, true, complaints_build, out, e);
}

static enum gd_status kpis_build(struct db *d, const struct refs *r, const struct query *q, json_t **out)
{
	struct kpi_data k = {0}, c = {0};
	enum gd_status s = kpi_collect(d, r, q, &k);
	struct range cr = {0, 0};
	if (!s && q->compare) {
		struct query cq = *q;
		cr = cq.range = q->compare == C_PREVIOUS ? range_previous(q->range) : range_last_year(q->range);
		s = kpi_collect(d, r, &cq, &c);
	}
	if (!s) {
		json_t *o = json_pack("{s:s, s:o, s:o}", "report", "kpis", "filters", filters_json(r, q), "kpis",
				      kpi_json(r, q, &k));
		range_json(o, "range", q->range);
		if (q->compare) {
			json_object_set_new(o, "compare", json_string(q->compare == C_PREVIOUS ? "previous" : "last_year"));
			range_json(o, "compare_range", cr);
			json_object_set_new(o, "previous", kpi_json(r, q, &c));
		}
		*out = o;
	}
	kpi_release(&k);
	kpi_release(&c);
	return s;
}

enum gd_status report_kpis(const struct principal *who, const struct report_params *p, json_t **out,
			   struct gd_err *e)
{
	if (p->month || p->group_by || p->state || p->category)
		return gd_errf(e, GD_E_BAD_REQUEST, "the KPIs take from, to, department and compare");
	return run(who, p, false, kpis_build, out, e);
}

/* A figure of the 月报: {value, previous, change, change_rate, last_year,
 * yoy_change, yoy_change_rate}. */
static json_t *figure(int64_t v, int64_t mom, int64_t yoy)
{
	json_t *o = json_pack("{s:I}", "value", (json_int_t)v);
	compare_into(o, v, mom);
	json_object_set_new(o, "last_year", json_integer(yoy));
	json_object_set_new(o, "yoy_change", json_integer(v - yoy));
	json_object_set_new(o, "yoy_change_rate", real_or_null(yoy != 0, yoy ? (double)(v - yoy) / (double)yoy : 0, 1e4));
	return o;
}

/* A rate of the 月报: this month's ratio with last month's and last year's,
 * and the changes in rate (percentage points as fractions). */
static json_t *rate_figure(int64_t num, int64_t den, int64_t pn, int64_t pd, int64_t yn, int64_t yd)
{
	json_t *o = ratio(num, den), *p = ratio(pn, pd), *y = ratio(yn, yd);
	double v = den ? (double)num / (double)den : 0, pv = pd ? (double)pn / (double)pd : 0,
	       yv = yd ? (double)yn / (double)yd : 0;
	json_object_set_new(o, "change", real_or_null(den && pd, v - pv, 1e4));
	json_object_set_new(o, "yoy_change", real_or_null(den && yd, v - yv, 1e4));
	json_object_set_new(o, "previous", p);
	json_object_set_new(o, "last_year", y);
	return o;
}

static json_t *mean_figure(double v, bool ok, double pv, bool pok, double yv, bool yok)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "value", real_or_null(ok, v, 100), "previous",
			 real_or_null(pok, pv, 100), "change", real_or_null(ok && pok, v - pv, 100), "last_year",
			 real_or_null(yok, yv, 100), "yoy_change", real_or_null(ok && yok, v - yv, 100));
}

static double sat_mean(const struct closed_sums *c, bool *ok)
{
	int64_t rated = 0, sum = 0;
	for (int j = 1; j <= 5; j++)
		rated += c->s[j], sum += j * c->s[j];
	*ok = rated > 0;
	return rated ? (double)sum / (double)rated : 0;
}

static json_t *monthly_kpis(const struct kpi_data *k, const struct kpi_data *m, const struct kpi_data *y)
{
	const struct closed_sums *a = &k->closed_all, *b = &m->closed_all, *c = &y->closed_all;
	const struct event_sums *ea = &k->events_all, *eb = &m->events_all, *ec = &y->events_all;
	bool ok1, ok2, ok3;
	double s1 = sat_mean(a, &ok1), s2 = sat_mean(b, &ok2), s3 = sat_mean(c, &ok3);
	json_t *o = json_object();
	json_object_set_new(o, "closed", figure(a->closed, b->closed, c->closed));
	json_object_set_new(o, "on_time", rate_figure(a->timely, a->closed, b->timely, b->closed, c->timely, c->closed));
	json_object_set_new(o, "first_contact",
			    rate_figure(a->resolved, a->closed, b->resolved, b->closed, c->resolved, c->closed));
	json_object_set_new(o, "repeat", rate_figure(k->repeats, k->created, m->repeats, m->created, y->repeats, y->created));
	json_object_set_new(o, "reopen",
			    rate_figure(a->reopened, a->closed, b->reopened, b->closed, c->reopened, c->closed));
	json_t *sat = mean_figure(s1, ok1, s2, ok2, s3, ok3);
	json_object_set_new(sat, "detail", satisfaction_json(a));
	json_object_set_new(o, "satisfaction", sat);
	json_object_set_new(o, "handling_hours",
			    mean_figure(ea->replies ? (double)ea->seconds / (double)ea->replies / 3600 : 0, ea->replies,
					eb->replies ? (double)eb->seconds / (double)eb->replies / 3600 : 0, eb->replies,
					ec->replies ? (double)ec->seconds / (double)ec->replies / 3600 : 0, ec->replies));
	json_object_set_new(o, "handling_p90_hours",
			    mean_figure((double)k->p90_all / 60, k->p90_all >= 0, (double)m->p90_all / 60, m->p90_all >= 0,
					(double)y->p90_all / 60, y->p90_all >= 0));
	json_object_set_new(o, "returns", figure(ea->returns, eb->returns, ec->returns));
	json_object_set_new(o, "transfers", figure(ea->transfers, eb->transfers, ec->transfers));
	json_object_set_new(o, "urges", figure(ea->urges, eb->urges, ec->urges));
	json_object_set_new(o, "reopens", figure(ea->reopens, eb->reopens, ec->reopens));
	json_object_set_new(o, "overdue", figure(ea->overdue, eb->overdue, ec->overdue));
	json_object_set_new(o, "closed_late", figure(a->closed - a->timely, b->closed - b->timely, c->closed - c->timely));
	return o;
}

/* The category tree of the 月报: every node's subtotal as a figure. */
static json_t *monthly_node(const struct refs *r, int i, const int64_t *sub[3], int64_t total)
{
	const struct category *c = &r->cats[i];
	json_t *o = json_pack("{s:s, s:s, s:i, s:b, s:o, s:f}", "code", c->code, "name", c->name, "level", c->depth,
			      "leaf", c->leaf, "count", figure(sub[0][i], sub[1][i], sub[2][i]), "share",
			      round(share(sub[0][i], total) * 1e4) / 1e4);
	json_t *kids = json_array();
	for (int k = 0; k < r->ncats; k++)
		if (r->cats[k].parent == i)
			json_array_append_new(kids, monthly_node(r, k, sub, total));
	json_object_set_new(o, "children", kids);
	return o;
}

static json_t *category_path(const struct refs *r, int i)
{
	json_t *path = json_array();
	for (int p = r->cats[i].parent, k = 0; p >= 0 && k <= r->ncats; p = r->cats[p].parent, k++)
		json_array_insert_new(path, 0, json_string(r->cats[p].name));
	return path;
}

static enum gd_status monthly_build(struct db *d, const struct refs *r, const struct query *q, json_t **out)
{
	struct query qs[3] = {*q, *q, *q};
	qs[1].range = range_previous(q->range);
	qs[2].range = range_last_year(q->range);
	struct tally t[3] = {{0}, {0}, {0}};
	struct kpi_data k[3] = {{0}, {0}, {0}};
	enum gd_status s = GD_OK;
	for (int i = 0; i < 3 && !s; i++) {
		qs[i].group = G_CATEGORY;
		if (!(s = tally_created(d, r, &qs[i], &t[i])))
			s = kpi_collect(d, r, &qs[i], &k[i]);
	}
	if (!s) {
		int64_t *rep[3], *sub[3];
		for (int i = 0; i < 3; i++)
			sub[i] = subtotals(r, &t[i], &rep[i]);
		char month[16];
		month_text(q->range.from / 100, month);
		json_t *o = json_pack("{s:s, s:s, s:o}", "report", "monthly", "month", month, "filters", filters_json(r, q));
		range_json(o, "range", qs[0].range);
		range_json(o, "previous_range", qs[1].range);
		range_json(o, "last_year_range", qs[2].range);
		json_t *totals = json_object();
		json_object_set_new(totals, "complaints", figure(t[0].n, t[1].n, t[2].n));
		json_object_set_new(totals, "repeats", figure(t[0].repeats, t[1].repeats, t[2].repeats));
		json_object_set_new(totals, "repeat_rate",
				    rate_figure(t[0].repeats, t[0].n, t[1].repeats, t[1].n, t[2].repeats, t[2].n));
		json_object_set_new(o, "totals", totals);
		json_t *tree = json_array();
		for (int i = 0; i < r->ncats; i++)
			if (r->cats[i].parent < 0)
				json_array_append_new(tree, monthly_node(r, i, (const int64_t **)sub, t[0].n));
		json_object_set_new(o, "categories", tree);
		/* TOP10: the leaf categories with the most complaints, ties by code */
		int *order = xcalloc((size_t)r->ncats + 1, sizeof *order), n = 0;
		for (int i = 0; i < r->ncats; i++)
			if (r->cats[i].leaf && sub[0][i] > 0) {
				int j = n++;
				while (j > 0 && (sub[0][order[j - 1]] < sub[0][i] ||
						 (sub[0][order[j - 1]] == sub[0][i] &&
						  strcmp(r->cats[order[j - 1]].code, r->cats[i].code) > 0))) {
					order[j] = order[j - 1];
					j--;
				}
				order[j] = i;
			}
		json_t *top = json_array();
		for (int j = 0; j < n && j < 10; j++) {
			int i = order[j];
			json_array_append_new(top, json_pack("{s:i, s:s, s:s, s:o, s:o, s:f}", "rank", j + 1, "code",
							     r->cats[i].code, "name", r->cats[i].name, "path",
							     category_path(r, i), "count",
							     figure(sub[0][i], sub[1][i], sub[2][i]), "share",
							     round(share(sub[0][i], t[0].n) * 1e4) / 1e4));
		}
		json_object_set_new(o, "top10", top);
		free(order);
		json_object_set_new(o, "kpis", monthly_kpis(&k[0], &k[1], &k[2]));
		for (int i = 0; i < 3; i++)
			free(sub[i]), free(rep[i]);
		*out = o;
	}
	for (int i = 0; i < 3; i++)
		kpi_release(&k[i]);
	for (int i = 0; i < 3; i++)
		tally_release(&t[i]);
	return s;
}

enum gd_status report_monthly(const struct principal *who, const struct report_params *p, json_t **out,
			      struct gd_err *e)
{
	if (!p->month) {
		gd_err_field(e, "month", "required, YYYY-MM");
		return gd_errf(e, GD_E_VALIDATION, "the monthly report needs 'month'");
	}
	if (p->from || p->to || p->group_by || p->compare || p->state || p->category)
		return gd_errf(e, GD_E_BAD_REQUEST, "the monthly report takes month and department");
	return run(who, p, false, monthly_build, out, e);
}

/* --- CSV ----------------------------------------------------------------- */

static const char *str_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* A number field: integers as they are, reals as given, null empty. */
static enum gd_status csv_num(struct strbuf *sb, const json_t *v)
{
	if (json_is_integer(v))
		return csv_int(sb, json_integer_value(v), 0);
	if (json_is_real(v))
		return strbuf_addf(sb, ",%.4f", json_real_value(v));
	return strbuf_addch(sb, ',');
}

static enum gd_status csv_tree(struct strbuf *sb, const json_t *node, const char *parent, bool compare)
{
	enum gd_status s;
	if ((s = csv_int(sb, json_integer_value(json_object_get(node, "level")), 1)) ||
	    (s = csv_text(sb, str_of(node, "code"), 0)) || (s = csv_text(sb, str_of(node, "name"), 0)) ||
	    (s = csv_text(sb, parent, 0)) || (s = csv_num(sb, json_object_get(node, "count"))) ||
	    (s = csv_num(sb, json_object_get(node, "subtotal"))) || (s = csv_num(sb, json_object_get(node, "share"))) ||
	    (s = csv_num(sb, json_object_get(node, "repeats"))))
		return s;
	if (compare && ((s = csv_num(sb, json_object_get(node, "previous"))) ||
			(s = csv_num(sb, json_object_get(node, "change"))) ||
			(s = csv_num(sb, json_object_get(node, "change_rate")))))
		return s;
	if ((s = csv_end(sb)))
		return s;
	size_t i;
	const json_t *kid;
	json_array_foreach(json_object_get(node, "children"), i, kid)
		if ((s = csv_tree(sb, kid, str_of(node, "code"), compare)))
			return s;
	return GD_OK;
}

static enum gd_status csv_complaints(const json_t *rep, struct strbuf *sb)
{
	bool compare = json_object_get(rep, "compare") != NULL;
	bool tree = !strcmp(str_of(rep, "group_by"), "category");
	const char *cmp = compare ? ",上期数量,变化,变化率" : "";
	enum gd_status s = tree ? strbuf_addf(sb, "层级,分类编码,分类名称,上级分类,本级数量,小计,占比,重复投诉%s\r\n", cmp)
				: strbuf_addf(sb, "编码,名称,起始日,截止日,数量,占比,重复投诉%s\r\n", cmp);
	size_t i;
	const json_t *it;
	json_array_foreach(json_object_get(rep, "items"), i, it) {
		if (s)
			break;
		if (tree) {
			s = csv_tree(sb, it, "", compare);
			continue;
		}
		const char *from = str_of(it, "from");
		if ((s = csv_text(sb, str_of(it, "key"), 1)) || (s = csv_text(sb, str_of(it, "name"), 0)) ||
		    (s = csv_text(sb, from, 0)) || (s = csv_text(sb, str_of(it, "to"), 0)) ||
		    (s = csv_num(sb, json_object_get(it, "count"))) || (s = csv_num(sb, json_object_get(it, "share"))) ||
		    (s = csv_num(sb, json_object_get(it, "repeats"))))
			break;
		if (compare && ((s = csv_num(sb, json_object_get(it, "previous"))) ||
				(s = csv_num(sb, json_object_get(it, "change"))) ||
				(s = csv_num(sb, json_object_get(it, "change_rate")))))
			break;
		s = csv_end(sb);
	}
	const json_t *t = json_object_get(rep, "totals");
	if (!s && !(s = csv_text(sb, "合计", 1)))
		s = tree ? strbuf_addf(sb, ",,,,,%lld,1.0000,%lld", (long long)json_integer_value(json_object_get(t, "count")),
				       (long long)json_integer_value(json_object_get(t, "repeats")))
			 : strbuf_addf(sb, ",,,%lld,1.0000,%lld", (long long)json_integer_value(json_object_get(t, "count")),
				       (long long)json_integer_value(json_object_get(t, "repeats")));
	if (!s && compare && ((s = csv_num(sb, json_object_get(t, "previous"))) ||
			      (s = csv_num(sb, json_object_get(t, "change"))) ||
			      (s = csv_num(sb, json_object_get(t, "change_rate")))))
		return s;
	return s ? s : csv_end(sb);
}

/* One line per indicator: 部门, 指标, 分子, 分母, 值. */
static const struct {
	const char *key, *name;
} kpi_rates[] = {{"on_time", "及时率"}, {"first_contact", "一次解决率"}, {"reopen", "重开率"}, {"repeat", "重复投诉率"}};
static const struct {
	const char *key, *name;
} kpi_counts[] = {{"closed", "结单数"},	   {"closed_late", "超时结单数"}, {"returns", "退回"},
		  {"transfers", "转派"},   {"urges", "催单"},		  {"reopens", "重开次数"},
		  {"overdue", "超时(督办)"}};

static enum gd_status csv_line(struct strbuf *sb, const char *period, const char *dept, const char *name,
			       const json_t *num, const json_t *den, const json_t *value)
{
	enum gd_status s;
	if ((s = csv_text(sb, period, 1)) || (s = csv_text(sb, dept, 0)) || (s = csv_text(sb, name, 0)) ||
	    (s = csv_num(sb, num)) || (s = csv_num(sb, den)) || (s = csv_num(sb, value)))
		return s;
	return csv_end(sb);
}

static enum gd_status csv_kpi_block(struct strbuf *sb, const char *period, const char *dept, const json_t *k)
{
	enum gd_status s = GD_OK;
	for (size_t i = 0; i < sizeof kpi_rates / sizeof kpi_rates[0] && !s; i++) {
		const json_t *r = json_object_get(k, kpi_rates[i].key);
		if (r)
			s = csv_line(sb, period, dept, kpi_rates[i].name, json_object_get(r, "numerator"),
				     json_object_get(r, "denominator"), json_object_get(r, "rate"));
	}
	const json_t *sat = json_object_get(k, "satisfaction"), *h = json_object_get(k, "handling");
	if (!s)
		s = csv_line(sb, period, dept, "满意度(均值)", json_object_get(sat, "sum"), json_object_get(sat, "rated"),
			     json_object_get(sat, "mean"));
	for (int j = 1; j <= 5 && !s; j++) {
		char key[2] = {(char)('0' + j), 0}, name[32];
		snprintf(name, sizeof name, "满意度%d分", j);
		s = csv_line(sb, period, dept, name, NULL, NULL, json_object_get(json_object_get(sat, "distribution"), key));
	}
	if (!s)
		s = csv_line(sb, period, dept, "平均处理时长(小时)", json_object_get(h, "seconds"),
			     json_object_get(h, "episodes"), json_object_get(h, "mean_hours"));
	if (!s)
		s = csv_line(sb, period, dept, "处理时长P90(小时)", NULL, json_object_get(h, "episodes"),
			     json_object_get(h, "p90_hours"));
	for (size_t i = 0; i < sizeof kpi_counts / sizeof kpi_counts[0] && !s; i++)
		s = csv_line(sb, period, dept, kpi_counts[i].name, NULL, NULL, json_object_get(k, kpi_counts[i].key));
	return s;
}

static enum gd_status csv_kpis(const json_t *rep, struct strbuf *sb)
{
	enum gd_status s = strbuf_adds(sb, "期间,部门,指标,分子,分母,值\r\n");
	const char *periods[] = {"本期", "上期"}, *keys[] = {"kpis", "previous"};
	for (int p = 0; p < 2 && !s; p++) {
		const json_t *k = json_object_get(rep, keys[p]);
		if (!k)
			continue;
		s = csv_kpi_block(sb, periods[p], "全部", k);
		size_t i;
		const json_t *d;
		json_array_foreach(json_object_get(k, "departments"), i, d) {
			if (s)
				break;
			s = csv_kpi_block(sb, periods[p], str_of(d, "department_name"), d);
		}
	}
	return s;
}

static enum gd_status csv_figure(struct strbuf *sb, const char *section, const char *name, const json_t *f)
{
	enum gd_status s;
	if ((s = csv_text(sb, section, 1)) || (s = csv_text(sb, name, 0)))
		return s;
	const char *keys[] = {"value", "rate", "previous", "change", "change_rate", "last_year", "yoy_change",
			      "yoy_change_rate"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const json_t *v = json_object_get(f, keys[i]);
		/* a rate's previous and last year are ratios: their rate */
		if (json_is_object(v))
			v = json_object_get(v, "rate");
		if ((s = csv_num(sb, v)))
			return s;
	}
	return csv_end(sb);
}

static enum gd_status csv_monthly_tree(struct strbuf *sb, const json_t *node)
{
	char name[512];
	snprintf(name, sizeof name, "%s %s", str_of(node, "code"), str_of(node, "name"));
	enum gd_status s = csv_figure(sb, "分类", name, json_object_get(node, "count"));
	size_t i;
	const json_t *kid;
	json_array_foreach(json_object_get(node, "children"), i, kid) {
		if (s)
			break;
		s = csv_monthly_tree(sb, kid);
	}
	return s;
}

static enum gd_status csv_monthly(const json_t *rep, struct strbuf *sb)
{
	enum gd_status s = strbuf_adds(sb, "部分,项目,本月,比率,上月,环比变化,环比变化率,去年同月,同比变化,同比变化率\r\n");
	const json_t *t = json_object_get(rep, "totals"), *k = json_object_get(rep, "kpis");
	if (!s)
		s = csv_figure(sb, "总量", "投诉总量", json_object_get(t, "complaints"));
	if (!s)
		s = csv_figure(sb, "总量", "重复投诉", json_object_get(t, "repeats"));
	if (!s)
		s = csv_figure(sb, "总量", "重复投诉率", json_object_get(t, "repeat_rate"));
	size_t i;
	const json_t *it;
	json_array_foreach(json_object_get(rep, "categories"), i, it) {
		if (s)
			break;
		s = csv_monthly_tree(sb, it);
	}
	json_array_foreach(json_object_get(rep, "top10"), i, it) {
		if (s)
			break;
		char name[512];
		snprintf(name, sizeof name, "%lld %s %s", (long long)json_integer_value(json_object_get(it, "rank")),
			 str_of(it, "code"), str_of(it, "name"));
		s = csv_figure(sb, "TOP10", name, json_object_get(it, "count"));
	}
	static const struct {
		const char *key, *name;
	} kpis[] = {{"closed", "结单数"},	    {"on_time", "及时率"},
		    {"first_contact", "一次解决率"}, {"repeat", "重复投诉率"},
		    {"reopen", "重开率"},	    {"satisfaction", "满意度(均值)"},
		    {"handling_hours", "平均处理时长(小时)"}, {"handling_p90_hours", "处理时长P90(小时)"},
		    {"returns", "退回"},		    {"transfers", "转派"},
		    {"urges", "催单"},		    {"reopens", "重开次数"},
		    {"overdue", "超时(督办)"},	    {"closed_late", "超时结单数"}};
	for (size_t j = 0; j < sizeof kpis / sizeof kpis[0] && !s; j++)
		s = csv_figure(sb, "KPI", kpis[j].name, json_object_get(k, kpis[j].key));
	return s;
}

enum gd_status report_csv(enum report_kind kind, const json_t *report, struct strbuf *out, char *filename,
			  size_t filename_size)
{
	static const char *const names[] = {"complaints", "kpis", "monthly"};
	const json_t *r = json_object_get(report, "range");
	if (kind == REPORT_MONTHLY)
		snprintf(filename, filename_size, "monthly-%s.csv", str_of(report, "month"));
	else if (kind == REPORT_COMPLAINTS)
		snprintf(filename, filename_size, "%s-%s-%s_%s.csv", names[kind], str_of(report, "group_by"),
			 str_of(r, "from"), str_of(r, "to"));
	else
		snprintf(filename, filename_size, "%s_%s_%s.csv", names[kind], str_of(r, "from"), str_of(r, "to"));
	enum gd_status s = strbuf_adds(out, CSV_BOM);
	if (s)
		return s;
	switch (kind) {
	case REPORT_COMPLAINTS:
		return csv_complaints(report, out);
	case REPORT_KPIS:
		return csv_kpis(report, out);
	case REPORT_MONTHLY:
		return csv_monthly(report, out);
	}
	return GD_E_INTERNAL;
}

const char *const *report_read_sql(size_t *count)
{
	static const char *all[sizeof created_sql / sizeof created_sql[0] + 5];
	size_t n = 0;
	for (size_t i = 0; i < sizeof created_sql / sizeof created_sql[0]; i++)
		all[n++] = created_sql[i];
	all[n++] = open_sql;
	all[n++] = closed_sql;
	all[n++] = events_sql;
	all[n++] = hours_sql;
	all[n++] = minutes_sql;
	*count = n;
	return all;
}
