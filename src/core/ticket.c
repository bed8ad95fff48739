/* ticket.c - complaint tickets: validation of the SPEC §4 fields (every error
 * reported at once), numbering, repeat complaints, create/edit/read, and the
 * list/search query built from whitelisted fragments with bound values. */
#include "gongdan/ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/fields.h"
#include "gongdan/gd_time.h"
#include "gongdan/history.h"
#include "gongdan/json_out.h"
#include "gongdan/phone.h"
#include "gongdan/queue.h"
#include "gongdan/report_count.h"
#include "gongdan/strbuf.h"
#include "gongdan/utf8.h"
#include "gongdan/visibility.h"
#include "gongdan/workflow.h"
#include "gongdan/xalloc.h"

/* The columns every ticket query selects, in the order ticket_to_json reads. */
#define TICKET_COLUMNS                                                                                        \
	"t.id, t.number, c.code, c.name, t.fault_number, t.subject, t.customer_name, t.region, r.name,"      \
	" t.contact_number, t.description, t.fields, t.priority, t.state, s.name, d.code, d.name,"           \
	" a.username, u.username, t.created_at, t.submitted_at, t.deadline, t.closed_at, t.overdue,"         \
	" t.resolution, t.summary, t.satisfaction, t.repeat_count, t.urge_count, t.version, t.updated_at,"   \
	" t.closed_by, t.created_by, coalesce(t.department_id, 0), coalesce(t.assignee_id, 0), t.category_id,"     \
	" c.sla_hours"
#define TICKET_JOINS                                                                                          \
	" JOIN categories c ON c.id = t.category_id JOIN regions r ON r.code = t.region"                     \
	" JOIN wf_states s ON s.code = t.state LEFT JOIN departments d ON d.id = t.department_id"            \
	" LEFT JOIN users a ON a.id = t.assignee_id JOIN users u ON u.id = t.created_by"
enum { COL_ID, COL_NUMBER, COL_CATEGORY, COL_CATEGORY_NAME, COL_FAULT, COL_SUBJECT, COL_CUSTOMER, COL_REGION,
       COL_REGION_NAME, COL_CONTACT, COL_DESCRIPTION, COL_FIELDS, COL_PRIORITY, COL_STATE, COL_STATE_NAME,
       COL_DEPT, COL_DEPT_NAME, COL_ASSIGNEE, COL_CREATOR, COL_CREATED, COL_SUBMITTED, COL_DEADLINE, COL_CLOSED,
       COL_OVERDUE, COL_RESOLUTION, COL_SUMMARY, COL_SATISFACTION, COL_REPEAT, COL_URGE, COL_VERSION,
       COL_UPDATED, COL_CLOSED_BY, COL_CREATOR_ID, COL_DEPT_ID, COL_ASSIGNEE_ID, COL_CATEGORY_ID, COL_SLA };

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

static void row_from_stmt(struct db_stmt *st, struct ticket_row *out)
{
	memset(out, 0, sizeof *out);
	out->id = db_col_int64(st, COL_ID);
	copy(out->number, sizeof out->number, db_col_text(st, COL_NUMBER));
	copy(out->state, sizeof out->state, db_col_text(st, COL_STATE));
	out->category_id = db_col_int64(st, COL_CATEGORY_ID);
	out->department_id = db_col_int64(st, COL_DEPT_ID);
	out->assignee_id = db_col_int64(st, COL_ASSIGNEE_ID);
	out->created_by = db_col_int64(st, COL_CREATOR_ID);
	out->version = db_col_int64(st, COL_VERSION);
	out->deadline = db_col_null(st, COL_DEADLINE) ? 0 : db_col_int64(st, COL_DEADLINE);
	out->overdue = db_col_int64(st, COL_OVERDUE) != 0;
	copy(out->priority, sizeof out->priority, db_col_text(st, COL_PRIORITY));
	copy(out->fault_number, sizeof out->fault_number, db_col_text(st, COL_FAULT));
	out->submitted_at = db_col_int64(st, COL_SUBMITTED); /* NULL reads as 0 */
	out->closed_at = db_col_int64(st, COL_CLOSED);
	copy(out->closed_by, sizeof out->closed_by, db_col_text(st, COL_CLOSED_BY));
	out->satisfaction = (int)db_col_int64(st, COL_SATISFACTION);
	out->urge_count = db_col_int64(st, COL_URGE);
	out->sla_hours = (int)db_col_int64(st, COL_SLA);
	out->created_at = db_col_int64(st, COL_CREATED);
	copy(out->region, sizeof out->region, db_col_text(st, COL_REGION));
	out->repeat_count = db_col_int64(st, COL_REPEAT);
}

/* A ticket as JSON, its members in order: one list for the jansson value
 * (GET of a ticket, the writer's answers) and for the text of list items. */
enum member_kind {
	M_TEXT,    /* a string */
	M_NULLABLE, /* a string or null */
	M_TIME,    /* an ISO time or null */
	M_INT,     /* an integer */
	M_INT_NULLABLE,
	M_OBJECT,  /* JSON text stored as it is (the extra fields) */
	M_OVERDUE, /* true while open and past the deadline */
};

static const struct member {
	const char *name;
	int col;
	enum member_kind kind;
} ticket_members[] = {
	{"number", COL_NUMBER, M_TEXT},
	{"category", COL_CATEGORY, M_TEXT},
	{"category_name", COL_CATEGORY_NAME, M_TEXT},
	{"fault_number", COL_FAULT, M_TEXT},
	{"subject", COL_SUBJECT, M_TEXT},
	{"customer_name", COL_CUSTOMER, M_TEXT},
	{"region", COL_REGION, M_TEXT},
	{"region_name", COL_REGION_NAME, M_TEXT},
	{"contact_number", COL_CONTACT, M_TEXT},
	{"description", COL_DESCRIPTION, M_TEXT},
	{"fields", COL_FIELDS, M_OBJECT},
	{"priority", COL_PRIORITY, M_TEXT},
	{"state", COL_STATE, M_TEXT},
	{"state_name", COL_STATE_NAME, M_TEXT},
	{"department", COL_DEPT, M_NULLABLE},
	{"department_name", COL_DEPT_NAME, M_NULLABLE},
	{"assignee", COL_ASSIGNEE, M_NULLABLE},
	{"created_by", COL_CREATOR, M_TEXT},
	{"created_at", COL_CREATED, M_TIME},
	{"updated_at", COL_UPDATED, M_TIME},
	{"submitted_at", COL_SUBMITTED, M_TIME},
	{"deadline", COL_DEADLINE, M_TIME},
	{"closed_at", COL_CLOSED, M_TIME},
	{"closed_by", COL_CLOSED_BY, M_NULLABLE},
	{"overdue", COL_OVERDUE, M_OVERDUE},
	{"resolution", COL_RESOLUTION, M_NULLABLE},
	{"summary", COL_SUMMARY, M_NULLABLE},
	{"satisfaction", COL_SATISFACTION, M_INT_NULLABLE},
	{"repeat_count", COL_REPEAT, M_INT},
	{"urge_count", COL_URGE, M_INT},
	{"version", COL_VERSION, M_INT},
};

static bool is_overdue(struct db_stmt *st)
{
	return db_col_int64(st, COL_OVERDUE) && db_col_null(st, COL_CLOSED);
}

static json_t *member_json(struct db_stmt *st, const struct member *m)
{
	char iso[32];
	if (m->kind != M_TEXT && m->kind != M_OBJECT && m->kind != M_OVERDUE && db_col_null(st, m->col))
		return json_null();
	switch (m->kind) {
	case M_TEXT:
	case M_NULLABLE:
		return json_string(db_col_text(st, m->col));
	case M_TIME:
		time_iso(db_col_int64(st, m->col), iso);
		return json_string(iso);
	case M_INT:
	case M_INT_NULLABLE:
		return json_integer(db_col_int64(st, m->col));
	case M_OBJECT: {
		json_t *v = json_loads(db_col_text(st, m->col), 0, NULL);
		return v ? v : json_object();
	}
	case M_OVERDUE:
		return json_boolean(is_overdue(st));
	}
	return json_null();
}

static json_t *ticket_to_json(struct db_stmt *st)
{
	json_t *t = json_object();
	for (size_t i = 0; i < sizeof ticket_members / sizeof ticket_members[0]; i++)
		json_object_set_new(t, ticket_members[i].name, member_json(st, &ticket_members[i]));
	return t;
}

/* The members as JSON text (the same values as ticket_to_json). */
static enum gd_status write_members(struct db_stmt *st, struct strbuf *out)
{
	enum gd_status s = GD_OK;
	char buf[32];
	for (size_t i = 0; i < sizeof ticket_members / sizeof ticket_members[0] && !s; i++) {
		const struct member *m = &ticket_members[i];
		if ((s = json_out_key(out, m->name, i == 0)))
			break;
		bool null = m->kind != M_TEXT && m->kind != M_OBJECT && m->kind != M_OVERDUE && db_col_null(st, m->col);
		switch (null ? M_NULLABLE : m->kind) {
		case M_TEXT:
		case M_NULLABLE:
			s = json_out_string(out, null ? NULL : db_col_text(st, m->col));
			break;
		case M_TIME:
			time_iso(db_col_int64(st, m->col), buf);
			s = json_out_string(out, buf);
			break;
		case M_INT:
		case M_INT_NULLABLE:
			s = strbuf_addf(out, "%lld", (long long)db_col_int64(st, m->col));
			break;
		case M_OBJECT: /* valid JSON: checked when it was written */
			s = strbuf_adds(out, db_col_null(st, m->col) ? "{}" : db_col_text(st, m->col));
			break;
		case M_OVERDUE:
			s = strbuf_adds(out, is_overdue(st) ? "true" : "false");
			break;
		}
	}
	return s;
}

enum gd_status ticket_load(struct db *d, const struct principal *who, const char *number, struct ticket_row *out)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS " FROM tickets t" TICKET_JOINS " WHERE t.number = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, number, -1);
	if (!(s = db_step(st, &row)) && row)
		row_from_stmt(st, out);
	else if (!s)
		s = GD_E_NOT_FOUND;
	db_reset(st);
	if (s || !who)
		return s;
	bool visible;
	if ((s = vis_can_see(d, who, out->id, out->created_by, out->fault_number, &visible)))
		return s;
	return visible ? GD_OK : GD_E_NOT_FOUND;
}

/* The current row of a TICKET_COLUMNS statement as who sees it: JSON with
 * allowed_actions, and the engine's view of the row. */
static json_t *row_for(struct db_stmt *st, const struct principal *who, struct ticket_row *row)
{
	row_from_stmt(st, row);
	json_t *t = ticket_to_json(st);
	json_object_set_new(t, "allowed_actions", wf_allowed_actions(who, row));
	return t;
}

/* One ticket by id: a write job's answer and a list's items. */
static const char by_id_sql[] = "SELECT " TICKET_COLUMNS " FROM tickets t" TICKET_JOINS " WHERE t.id = ?1";

enum gd_status ticket_render(struct db *d, const struct principal *who, int64_t id, json_t **out, int64_t *version)
{
	struct db_stmt *st;
	struct ticket_row row;
	enum gd_status s;
	bool found;
	if ((s = db_prepare(d, by_id_sql, &st)))
		return s;
	db_bind_int64(st, 1, id);
	if (!(s = db_step(st, &found)) && found) {
		*out = row_for(st, who, &row);
		*version = row.version;
	} else if (!s) {
		s = GD_E_NOT_FOUND;
	}
	db_reset(st);
	return s;
}

enum gd_status ticket_write_item(struct db *d, int64_t id, struct strbuf *out, struct ticket_texts *texts)
{
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, by_id_sql, &st)))
		return s;
	db_bind_int64(st, 1, id);
	if (!(s = db_step(st, &row)) && !row)
		s = GD_E_NOT_FOUND;
	if (!s)
		s = write_members(st, out);
	if (!s && texts) {
		texts->subject = xstrdup(db_col_text(st, COL_SUBJECT));
		texts->description = xstrdup(db_col_text(st, COL_DESCRIPTION));
		texts->fields = xstrdup(db_col_text(st, COL_FIELDS));
	}
	db_reset(st);
	return s;
}

enum gd_status ticket_get(const struct principal *who, const char *number, json_t **out, int64_t *version,
			  struct gd_err *e)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS " FROM tickets t" TICKET_JOINS " WHERE t.number = ?1";
	struct db *d = db_reader();
	struct db_stmt *st;
	struct ticket_row row_data;
	enum gd_status s;
	bool row, visible = false;
	if ((s = db_read_begin(d)))
		return s;
	if ((s = db_prepare(d, sql, &st)))
		goto out;
	db_bind_text(st, 1, number, -1);
	if (!(s = db_step(st, &row)) && row)
		*out = row_for(st, who, &row_data);
	else if (!s)
		s = GD_E_NOT_FOUND;
	db_reset(st);
	if (!s && (s = vis_can_see(d, who, row_data.id, row_data.created_by, row_data.fault_number, &visible)))
		json_decref(*out);
	else if (!s && !visible) {
		json_decref(*out);
		s = GD_E_NOT_FOUND;
	}
	if (!s)
		*version = row_data.version;
out:
	db_read_end(d);
	if (s == GD_E_NOT_FOUND)
		gd_errf(e, s, "no ticket '%.40s'", number);
	return s;
}

/* --- validation ----------------------------------------------------------- */

/* The members a client may send, and which of them PATCH accepts. */
static const struct {
	const char *name;
	bool patchable;
} members[] = {
	{"category", true},   {"fault_number", true}, {"subject", true},  {"customer_name", true},
	{"region", true},     {"contact_number", true}, {"description", true}, {"fields", true},
	{"priority", true},   {"submit", false},
};

/* Checks member names; unknown ones are named in e. */
static void check_members(const json_t *in, bool patch, struct gd_err *e)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v) {
		size_t i;
		for (i = 0; i < sizeof members / sizeof members[0]; i++)
			if (!strcmp(key, members[i].name))
				break;
		if (i == sizeof members / sizeof members[0])
			gd_err_field(e, key, "unknown field");
		else if (patch && !members[i].patchable)
			gd_err_field(e, key, "cannot be changed with PATCH (use the submit action)");
	}
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* A string member: NULL when absent or null; a reason in e otherwise. */
static const char *text_member(const json_t *in, const char *name, bool required, size_t max_chars, struct gd_err *e)
{
	json_t *v = json_object_get(in, name);
	if (!v || json_is_null(v)) {
		if (required)
			gd_err_field(e, name, "required");
		return NULL;
	}
	if (!json_is_string(v)) {
		gd_err_field(e, name, "must be a string");
		return NULL;
	}
	const char *s = json_string_value(v);
	if (required && blank(s)) {
		gd_err_field(e, name, "required");
		return NULL;
	}
	if (utf8_chars(s, json_string_length(v)) > max_chars) {
		char why[64];
		snprintf(why, sizeof why, "at most %zu characters", max_chars);
		gd_err_field(e, name, why);
		return NULL;
	}
	return s;
}

static void phone_member(const char *name, const char *value, struct gd_err *e)
{
	const char *why = value && *value ? phone_check(value, strlen(value)) : NULL;
	if (why)
		gd_err_field(e, name, why);
}

/* A complete set of ticket values, merged from the stored ticket and the
 * request (PATCH) or from the request alone (POST). Strings are borrowed. */
struct ticket_values {
	const char *category, *fault_number, *subject, *customer_name, *region, *contact_number, *description;
	const char *priority;
	json_t *fields; /* borrowed */
	struct category cat;
	char suggested_region[16];
};

/* Validates v (all at once) against the catalog; fills v->cat. */
static enum gd_status validate(struct db *d, struct ticket_values *v, bool require_extra, struct gd_err *e)
{
	enum gd_status s;
	if (v->category) {
		s = category_find(d, v->category, &v->cat);
		if (s == GD_E_NOT_FOUND || (!s && !v->cat.active))
			gd_err_field(e, "category", "unknown category");
		else if (s)
			return s;
		else if (!v->cat.is_leaf)
			gd_err_field(e, "category", "not a leaf: choose one of its sub-categories");
	}
	phone_member("fault_number", v->fault_number, e);
	phone_member("contact_number", v->contact_number, e);
	if (v->priority && strcmp(v->priority, "normal") && strcmp(v->priority, "urgent"))
		gd_err_field(e, "priority", "must be \"normal\" or \"urgent\"");
	bool known;
	if (v->region && (s = region_exists(d, v->region, &known)))
		return s;
	if (v->region && !known)
		gd_err_field(e, "region", "unknown region code (see GET /api/v1/regions)");
	if (v->cat.fields_schema && v->cat.is_leaf) {
		s = fields_validate(v->cat.fields_schema, v->fields, require_extra, e);
		if (s && s != GD_E_VALIDATION)
			return s;
	} else if (v->fields && !json_is_object(v->fields) && !json_is_null(v->fields)) {
		gd_err_field(e, "fields", "must be an object");
	}
	if (!v->region && v->fault_number && !phone_check(v->fault_number, strlen(v->fault_number))) {
		if ((s = region_suggest(d, v->fault_number, v->suggested_region)))
			return s;
		v->region = v->suggested_region;
	}
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the ticket has invalid fields");
	return GD_OK;
}

/* Reads the members of in into v (POST: everything; PATCH: only what is
 * present overrides v). */
static void read_members(const json_t *in, struct ticket_values *v, bool patch, struct gd_err *e)
{
#define MEMBER(field, required, max)                                                                          \
	if (!patch || json_object_get(in, #field)) {                                                           \
		const char *x = text_member(in, #field, (required), (max), e);                                \
		v->field = x ? x : (required) ? NULL : patch ? "" : NULL;                                      \
	}
	MEMBER(category, true, 64)
	MEMBER(fault_number, true, 24)
	MEMBER(subject, true, TICKET_SUBJECT_MAX)
	MEMBER(customer_name, false, TICKET_CUSTOMER_MAX)
	MEMBER(contact_number, false, 24)
	MEMBER(description, false, TICKET_DESCRIPTION_MAX)
#undef MEMBER
	if (!patch || json_object_get(in, "region")) {
		const char *x = text_member(in, "region", false, 16, e);
		v->region = x && *x ? x : NULL;
	}
	if (!patch || json_object_get(in, "priority")) {
		const char *x = text_member(in, "priority", false, 16, e);
		v->priority = x ? x : "normal";
	}
	json_t *f = json_object_get(in, "fields");
	if (f || !patch)
		v->fields = f && !json_is_null(f) ? f : NULL;
}

enum gd_status ticket_check_complete(struct db *d, const struct ticket_row *t, struct gd_err *e)
{
	static const char sql[] = "SELECT c.code, t.fields FROM tickets t JOIN categories c ON c.id = t.category_id"
				  " WHERE t.id = ?1";
	struct db_stmt *st;
	struct category cat = {0};
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_int64(st, 1, t->id);
	json_t *values = NULL;
	char code[64] = "";
	if (!(s = db_step(st, &row)) && row) {
		copy(code, sizeof code, db_col_text(st, 0));
		values = json_loads(db_col_text(st, 1), 0, NULL);
	}
	db_reset(st);
	if (!s && !values)
		s = GD_E_INTERNAL;
	if (!s)
		s = category_find(d, code, &cat);
	if (!s) {
		s = fields_validate(cat.fields_schema, values, true, e);
		if (s == GD_E_VALIDATION)
			gd_errf(e, s, "complete the required fields before submitting (PATCH the draft)");
	}
	category_release(&cat);
	json_decref(values);
	return s;
}

/* --- create, edit ------------------------------------------------------- */

/* Allocates the next number of the day: TS + YYYYMMDD + 6 digits. */
static enum gd_status next_number(struct db *w, int64_t now, char number[TICKET_NUMBER_MAX])
{
	/* three plain statements: an UPSERT ... RETURNING builds a temporary
	 * table for its one row and cost five times as much */
	static const char day_sql[] = "INSERT OR IGNORE INTO ticket_numbers (day, last) VALUES (?1, 0)";
	static const char next_sql[] = "UPDATE ticket_numbers SET last = last + 1 WHERE day = ?1";
	static const char last_sql[] = "SELECT last FROM ticket_numbers WHERE day = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	char day[16];
	time_local_day(now, day);
	const char *const steps[] = {day_sql, next_sql};
	for (size_t i = 0; i < 2; i++) {
		if ((s = db_prepare(w, steps[i], &st)))
			return s;
		db_bind_text(st, 1, day, -1);
		if ((s = db_run(st)))
			return s;
	}
	if ((s = db_prepare(w, last_sql, &st)))
		return s;
	db_bind_text(st, 1, day, -1);
	if (!(s = db_step(st, &row)) && row)
		snprintf(number, TICKET_NUMBER_MAX, "TS%s%06lld", day, (long long)db_col_int64(st, 0));
	else if (!s)
		s = GD_E_INTERNAL;
	db_reset(st);
	return s;
}

/* Repeat complaints of a ticket created at `at`: the tickets of the same
 * fault number created before it (ids below before_id) in the previous
 * TICKET_REPEAT_DAYS days. A new ticket passes INT64_MAX; an edited draft its
 * own id and creation time, so later tickets never count. Bounded work: only
 * the TICKET_REPEAT_CAP newest earlier tickets of the number are looked at
 * (ids grow with creation time), so a number with thousands of tickets
 * costs what one with a hundred does, and the count stops at the cap. */
static enum gd_status count_repeats(struct db *d, const char *fault_number, int64_t at, int64_t before_id,
				    int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM (SELECT created_at FROM tickets WHERE fault_number = ?1"
				  " AND id < ?4 ORDER BY id DESC LIMIT ?5) WHERE created_at >= ?2 AND created_at <= ?3";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_text(st, 1, fault_number, -1);
	db_bind_int64(st, 2, at - TICKET_REPEAT_DAYS * 86400);
	db_bind_int64(st, 3, at);
	db_bind_int64(st, 4, before_id);
	db_bind_int64(st, 5, TICKET_REPEAT_CAP);
	*count = 0;
	if (!(s = db_step(st, &row)) && row)
		*count = db_col_int64(st, 0);
	db_reset(st);
	return s;
}

static char *fields_text(const json_t *fields)
{
	return fields ? json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");
}

/* A validated creation, waiting for the writer (see ticket.h). */
struct ticket_create_job {
	struct principal who;
	int64_t category_id;
	int sla_hours;
	char *fault_number, *subject, *customer_name, *region, *contact_number, *description, *priority, *fields;
	bool submitting;
	char number[TICKET_NUMBER_MAX];
	struct gd_err e;
	json_t *result;  /* the new ticket as its creator sees it */
	int64_t version;
};

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

void ticket_create_job_free(void *ctx)
{
	struct ticket_create_job *j = ctx;
	if (!j)
		return;
	free(j->fault_number);
	free(j->subject);
	free(j->customer_name);
	free(j->region);
	free(j->contact_number);
	free(j->description);
	free(j->priority);
	free(j->fields);
	gd_err_release(&j->e);
	json_decref(j->result);
	free(j);
}

const char *ticket_create_job_number(const void *ctx)
{
	return ((const struct ticket_create_job *)ctx)->number;
}

void ticket_create_job_texts(const void *ctx, const char **subject, const char **description, const char **fields)
{
	const struct ticket_create_job *j = ctx;
	*subject = j->subject;
	*description = j->description;
	*fields = j->fields;
}

struct gd_err *ticket_create_job_err(void *ctx)
{
	return &((struct ticket_create_job *)ctx)->e;
}

json_t *ticket_create_job_result(void *ctx, int64_t *version)
{
	struct ticket_create_job *j = ctx;
	json_t *r = j->result;
	j->result = NULL;
	*version = j->version;
	return r;
}

enum gd_status ticket_create_prepare(const struct principal *who, const json_t *in, void **job_out, struct gd_err *e)
{
	enum gd_status s;
	struct ticket_values v;
	memset(&v, 0, sizeof v);
	*job_out = NULL;
	if (!role_has(who->role, ROLE_TAKES_COMPLAINTS))
		return gd_errf(e, GD_E_FORBIDDEN, "only agents take complaints and create tickets");
	check_members(in, false, e);
	read_members(in, &v, false, e);
	json_t *submit = json_object_get(in, "submit");
	if (submit && !json_is_boolean(submit))
		gd_err_field(e, "submit", "must be true or false");

	/* validation reads the catalog on this thread's reader, off the writer */
	s = validate(db_reader(), &v, json_is_true(submit), e);
	if (!s && gd_err_has_fields(e))
		s = gd_errf(e, GD_E_VALIDATION, "the ticket has invalid fields");
	if (!s) {
		struct ticket_create_job *j = xcalloc(1, sizeof *j);
		j->who = *who;
		j->category_id = v.cat.id;
		j->sla_hours = v.cat.sla_hours;
		j->fault_number = dup_or_empty(v.fault_number);
		j->subject = dup_or_empty(v.subject);
		j->customer_name = dup_or_empty(v.customer_name);
		j->region = dup_or_empty(v.region);
		j->contact_number = dup_or_empty(v.contact_number);
		j->description = dup_or_empty(v.description);
		j->priority = dup_or_empty(v.priority);
		j->fields = fields_text(v.fields);
		j->submitting = json_is_true(submit);
		*job_out = j;
	}
	category_release(&v.cat);
	return s;
}

enum gd_status ticket_create_insert(struct db *w, void *ctx, struct ticket_row *out, struct history_chain *chain)
{
	static const char insert_sql[] =
		"INSERT INTO tickets (number, category_id, fault_number, subject, customer_name, region,"
		" contact_number, description, fields, priority, created_by, created_at, updated_at, repeat_count)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)";
	struct ticket_create_job *j = ctx;
	int64_t now = time_now(), repeats = 0;
	struct db_stmt *st;
	enum gd_status s;
	if ((s = next_number(w, now, j->number)) || (s = count_repeats(w, j->fault_number, now, INT64_MAX, &repeats)) ||
	    (s = db_prepare(w, insert_sql, &st)))
		return s;
	db_bind_text(st, 1, j->number, -1);
	db_bind_int64(st, 2, j->category_id);
	db_bind_text(st, 3, j->fault_number, -1);
	db_bind_text(st, 4, j->subject, -1);
	db_bind_text(st, 5, j->customer_name, -1);
	db_bind_text(st, 6, j->region, -1);
	db_bind_text(st, 7, j->contact_number, -1);
	db_bind_text(st, 8, j->description, -1);
	db_bind_text(st, 9, j->fields, -1);
	db_bind_text(st, 10, j->priority, -1);
	db_bind_int64(st, 11, j->who.user_id);
	db_bind_int64(st, 12, now);
	db_bind_int64(st, 13, repeats);
	if ((s = db_run(st)))
		return s;
	struct ticket_row tk = {.id = db_last_insert_id(w), .category_id = j->category_id,
				.created_by = j->who.user_id, .version = 1, .sla_hours = j->sla_hours,
				.created_at = now, .repeat_count = repeats};
	copy(tk.number, sizeof tk.number, j->number);
	copy(tk.region, sizeof tk.region, j->region);
	copy(tk.state, sizeof tk.state, "draft");
	copy(tk.priority, sizeof tk.priority, j->priority);
	copy(tk.fault_number, sizeof tk.fault_number, j->fault_number);
	struct queue_cell cell = {"draft", 0, false};
	struct history_entry h = {.ticket_id = tk.id, .actor = &j->who, .action = "create", .to_state = "draft",
				  .at = now};
	if ((s = queue_move(w, NULL, &cell)) || (s = report_move(w, NULL, &tk)) || (s = history_append(w, &h, chain)))
		return s;
	if (j->submitting) {
		json_t *none = json_object();
		s = wf_apply(w, &j->who, &tk, "submit", none, &j->e);
		json_decref(none);
	}
	if (out)
		*out = tk;
	return s;
}

enum gd_status ticket_create_write(struct db *w, void *ctx)
{
	struct ticket_create_job *j = ctx;
	struct ticket_row tk;
	enum gd_status s = ticket_create_insert(w, ctx, &tk, NULL);
	/* the answer is rendered here, on the writer's warm cache: a reader's
	 * cache is discarded by every commit */
	return s ? s : ticket_render(w, &j->who, tk.id, &j->result, &j->version);
}

enum gd_status ticket_create(const struct principal *who, const json_t *in, char number[TICKET_NUMBER_MAX],
			     struct gd_err *e)
{
	void *job;
	enum gd_status s = ticket_create_prepare(who, in, &job, e);
	if (s)
		return s;
	s = db_write_run(ticket_create_write, job);
	copy(number, TICKET_NUMBER_MAX, ticket_create_job_number(job));
	gd_err_move(e, ticket_create_job_err(job));
	ticket_create_job_free(job);
	return s;
}

/* An edit of a draft, waiting for the writer (see ticket.h). */
struct ticket_patch_job {
	struct principal who;
	char number[TICKET_NUMBER_MAX];
	json_t *in; /* a private copy: the writer thread reads it */
	int64_t if_match;
	struct gd_err e;
	json_t *result; /* the ticket after the edit, as its editor sees it */
	int64_t version;
};

void *ticket_patch_prepare(const struct principal *who, const char *number, const json_t *in, int64_t if_match)
{
	struct ticket_patch_job *j = xcalloc(1, sizeof *j);
	j->who = *who;
	copy(j->number, sizeof j->number, number);
	j->in = json_deep_copy(in);
	j->if_match = if_match;
	return j;
}

struct gd_err *ticket_patch_job_err(void *ctx)
{
	return &((struct ticket_patch_job *)ctx)->e;
}

json_t *ticket_patch_job_result(void *ctx, int64_t *version)
{
	struct ticket_patch_job *j = ctx;
	json_t *r = j->result;
	j->result = NULL;
	*version = j->version;
	return r;
}

void ticket_patch_job_free(void *ctx)
{
	struct ticket_patch_job *j = ctx;
	if (!j)
		return;
	json_decref(j->in);
	json_decref(j->result);
	gd_err_release(&j->e);
	free(j);
}

/* Whether two texts differ; NULL reads as "". */
static bool differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

enum gd_status ticket_patch_write(struct db *w, void *ctx)
{
	static const char current_sql[] =
		"SELECT c.code, t.fault_number, t.subject, t.customer_name, t.region, t.contact_number,"
		" t.description, t.fields, t.priority, t.created_at FROM tickets t JOIN categories c ON c.id = t.category_id"
		" WHERE t.id = ?1";
	static const char update_sql[] =
		"UPDATE tickets SET category_id = ?2, fault_number = ?3, subject = ?4, customer_name = ?5, region = ?6,"
		" contact_number = ?7, description = ?8, fields = ?9, priority = ?10, repeat_count = ?11,"
		" version = version + 1, updated_at = ?12,"
		/* a returned draft filed under another category takes that category's SLA */
		" deadline = CASE WHEN deadline IS NOT NULL AND category_id <> ?2 THEN submitted_at + 3600 *"
		"   (SELECT min(sla_hours, 360) FROM categories WHERE id = ?2) ELSE deadline END WHERE id = ?1";
	struct ticket_patch_job *j = ctx;
	const struct principal *who = &j->who;
	struct gd_err *e = &j->e;
	struct ticket_row tk;
	struct ticket_values v;
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	char *fields = NULL, *stored[8] = {NULL};
	json_t *stored_fields = NULL;
	memset(&v, 0, sizeof v);
	check_members(j->in, true, e);
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the request has unknown or read-only fields");
	if ((s = ticket_load(w, who, j->number, &tk))) {
		if (s == GD_E_NOT_FOUND)
			gd_errf(e, s, "no ticket '%.40s'", j->number);
		return s;
	}
	if (tk.created_by != who->user_id && !role_has(who->role, ROLE_ALL_POWERS))
		return gd_errf(e, GD_E_FORBIDDEN, "only the agent who created a draft may edit it");
	if (j->if_match >= 0 && j->if_match != tk.version)
		return gd_errf(e, GD_E_PRECONDITION, "the ticket is at version %lld, not %lld; reload it",
			       (long long)tk.version, (long long)j->if_match);
	if (strcmp(tk.state, "draft"))
		return gd_errf(e, GD_E_CONFLICT, "only drafts can be edited; this ticket is %s", tk.state);
	if ((s = db_prepare(w, current_sql, &st)))
		return s;
	db_bind_int64(st, 1, tk.id);
	if ((s = db_step(st, &row)) || !row) {
		db_reset(st);
		return s ? s : GD_E_INTERNAL;
	}
	/* the stored values, copied: the statement is reset below */
	for (int i = 0; i < 7; i++)
		stored[i] = xstrdup(db_col_text(st, i));
	stored_fields = json_loads(db_col_text(st, 7), 0, NULL);
	stored[7] = xstrdup(db_col_text(st, 8));
	int64_t created_at = db_col_int64(st, 9);
	db_reset(st);
	v.category = stored[0];
	v.fault_number = stored[1];
	v.subject = stored[2];
	v.customer_name = stored[3];
	v.region = stored[4];
	v.contact_number = stored[5];
	v.description = stored[6];
	v.priority = stored[7];
	v.fields = stored_fields;
	read_members(j->in, &v, true, e);
	s = validate(w, &v, false, e);
	if (!s && gd_err_has_fields(e))
		s = gd_errf(e, GD_E_VALIDATION, "the ticket has invalid fields");
	/* an edit that changes nothing writes nothing: no new version (another
	 * editor's If-Match stays good), no history row */
	json_t *empty = json_object();
	bool changed = differs(v.category, stored[0]) || differs(v.fault_number, stored[1]) ||
		       differs(v.subject, stored[2]) || differs(v.customer_name, stored[3]) ||
		       differs(v.region, stored[4]) || differs(v.contact_number, stored[5]) ||
		       differs(v.description, stored[6]) || differs(v.priority, stored[7]) ||
		       !json_equal(v.fields ? v.fields : empty, stored_fields ? stored_fields : empty);
	json_decref(empty);
	int64_t now = time_now(), repeats = 0;
	if (!s && changed)
		s = count_repeats(w, v.fault_number, created_at, tk.id, &repeats);
	if (!s && changed) {
		fields = fields_text(v.fields);
		if (!(s = db_prepare(w, update_sql, &st))) {
			db_bind_int64(st, 1, tk.id);
			db_bind_int64(st, 2, v.cat.id);
			db_bind_text(st, 3, v.fault_number, -1);
			db_bind_text(st, 4, v.subject, -1);
			db_bind_text(st, 5, v.customer_name, -1);
			db_bind_text(st, 6, v.region, -1);
			db_bind_text(st, 7, v.contact_number, -1);
			db_bind_text(st, 8, v.description, -1);
			db_bind_text(st, 9, fields, -1);
			db_bind_text(st, 10, v.priority, -1);
			db_bind_int64(st, 11, repeats);
			db_bind_int64(st, 12, now);
			s = db_run(st);
		}
	}
	if (!s && changed) {
		/* the edit may move the draft to another category, region or
		 * repeat count in the report counters */
		struct ticket_row after = tk;
		after.category_id = v.cat.id;
		copy(after.region, sizeof after.region, v.region);
		after.repeat_count = repeats;
		s = report_move(w, &tk, &after);
	}
	if (!s && changed) {
		struct history_entry h = {.ticket_id = tk.id, .actor = who, .action = "edit", .from_state = "draft",
					  .to_state = "draft", .inputs = j->in, .at = now};
		s = history_append(w, &h, NULL);
	}
	for (int i = 0; i < 8; i++)
		free(stored[i]);
	free(fields);
	json_decref(stored_fields);
	category_release(&v.cat);
	/* answered from the writer's warm cache, like creations and actions */
	return s ? s : ticket_render(w, who, tk.id, &j->result, &j->version);
}
