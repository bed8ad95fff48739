/* workflow.c - the workflow engine: the graph loaded from the wf_* tables,
 * permission and state checks in the order of workflow.h, input validation,
 * and the generic effects each action's flags ask for. */
#include "gongdan/workflow.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/history.h"
#include "gongdan/log.h"
#include "gongdan/queue.h"
#include "gongdan/report_count.h"
#include "gongdan/utf8.h"
#include "gongdan/xalloc.h"

#define WF_MAX_STATES 32
#define WF_MAX_ACTIONS 64
#define WF_MAX_TRANSITIONS 1024
#define WF_MAX_INPUTS 8
#define WF_CODE 32

enum wf_scope { SCOPE_ANY, SCOPE_CREATOR, SCOPE_DEPARTMENT, SCOPE_ASSIGNEE_OR_DEPARTMENT };
enum wf_kind { KIND_TEXT, KIND_DEPARTMENT, KIND_SATISFACTION };

struct wf_state {
	char code[WF_CODE];
	char name[64];
	char name_en[64]; /* the English UI's name; "" falls back to name */
	bool open;
};

struct wf_input {
	char name[WF_CODE];
	char label[64];    /* shown beside the input; "" falls back to name */
	char label_en[64];
	enum wf_kind kind;
	bool required;
	int max_chars;
};

struct wf_action {
	char code[WF_CODE];
	char name[64];
	char name_en[64];
	bool starts_clock, sets_assignee, clears_assignee, clears_department, closes, reopens, urges, requires_complete;
	struct wf_input inputs[WF_MAX_INPUTS];
	int ninputs;
};

struct wf_transition {
	int action;
	int from;
	int to; /* -1: the state stays */
	enum role role;
	enum wf_scope scope;
};

/* The graph as loaded: built once, never changed afterwards. A reload
 * builds a new one and swaps the pointer; a request that took the old one
 * finishes with it (old graphs are kept until wf_release, and reloads are
 * rare: start-up and tests). */
struct wf_graph {
	struct wf_state states[WF_MAX_STATES];
	int nstates;
	struct wf_action actions[WF_MAX_ACTIONS];
	int nactions;
	struct wf_transition transitions[WF_MAX_TRANSITIONS];
	int ntransitions;
	struct wf_graph *retired; /* the graph this one replaced */
};

static _Atomic(struct wf_graph *) current;

/* The graph in force; before wf_load (tools, unit tests) an empty one: no
 * state, no action. */
static const struct wf_graph *graph(void)
{
	static const struct wf_graph empty;
	const struct wf_graph *g = atomic_load(&current);
	return g ? g : &empty;
}

static int find_state(const struct wf_graph *g, const char *code)
{
	for (int i = 0; i < g->nstates; i++)
		if (!strcmp(g->states[i].code, code))
			return i;
	return -1;
}

static int find_action(const struct wf_graph *g, const char *code)
{
	for (int i = 0; i < g->nactions; i++)
		if (!strcmp(g->actions[i].code, code))
			return i;
	return -1;
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

/* Copies a column into dst; a value that does not fit is a loading error,
 * never a silent truncation. */
static bool take(char *dst, size_t n, struct db_stmt *st, int col, const char *table)
{
	const char *v = db_col_text(st, col);
	if ((size_t)db_col_bytes(st, col) >= n) {
		log_at(LOG_ERROR, "workflow: %s: '%.40s' is longer than %zu bytes", table, v, n - 1);
		return false;
	}
	copy(dst, n, v);
	return true;
}

/* A loading error: the table, why, and the row's key (a, b may be NULL);
 * the graph is not loaded and the server refuses to start. */
static enum gd_status load_error(const char *table, const char *why, const char *a, const char *b)
{
	if (a)
		log_at(LOG_ERROR, "workflow: %s: %s (%.40s%s%.40s)", table, why, a, b ? " " : "", b ? b : "");
	else
		log_at(LOG_ERROR, "workflow: %s: %s", table, why);
	log_at(LOG_ERROR, "workflow: the graph was not loaded; fix the table and restart");
	return GD_E_INTERNAL;
}

static enum gd_status load_states(struct db *d, struct wf_graph *g)
{
	static const char sql[] = "SELECT code, name, is_open, name_en FROM wf_states ORDER BY sort, code";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row) {
		if (g->nstates == WF_MAX_STATES) {
			s = load_error("wf_states", "more rows than the engine holds (32)", NULL, NULL);
			break;
		}
		struct wf_state *x = &g->states[g->nstates++];
		if (!take(x->code, sizeof x->code, st, 0, "wf_states") || !take(x->name, sizeof x->name, st, 1, "wf_states") ||
		    !take(x->name_en, sizeof x->name_en, st, 3, "wf_states")) {
			s = GD_E_INTERNAL;
			break;
		}
		x->open = db_col_int64(st, 2) != 0;
	}
	db_reset(st);
	return s;
}

static enum gd_status load_actions(struct db *d, struct wf_graph *g)
{
	static const char sql[] =
		"SELECT code, name, starts_clock, sets_assignee, clears_assignee, clears_department, closes, reopens,"
		" urges, requires_complete, name_en FROM wf_actions ORDER BY sort, code";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row) {
		if (g->nactions == WF_MAX_ACTIONS) {
			s = load_error("wf_actions", "more rows than the engine holds (64)", NULL, NULL);
			break;
		}
		struct wf_action *a = &g->actions[g->nactions++];
		if (!take(a->code, sizeof a->code, st, 0, "wf_actions") ||
		    !take(a->name, sizeof a->name, st, 1, "wf_actions") ||
		    !take(a->name_en, sizeof a->name_en, st, 10, "wf_actions")) {
			s = GD_E_INTERNAL;
			break;
		}
		a->starts_clock = db_col_int64(st, 2);
		a->sets_assignee = db_col_int64(st, 3);
		a->clears_assignee = db_col_int64(st, 4);
		a->clears_department = db_col_int64(st, 5);
		a->closes = db_col_int64(st, 6);
		a->reopens = db_col_int64(st, 7);
		a->urges = db_col_int64(st, 8);
		a->requires_complete = db_col_int64(st, 9);
	}
	db_reset(st);
	return s;
}

static enum gd_status load_transitions(struct db *d, struct wf_graph *g)
{
	static const char sql[] =
		"SELECT action, from_state, coalesce(to_state, ''), role, scope FROM wf_transitions ORDER BY rowid";
	static const char *const scopes[] = {"any", "creator", "department", "assignee_or_department"};
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row) {
		const char *action = db_col_text(st, 0), *from = db_col_text(st, 1), *to = db_col_text(st, 2);
		if (g->ntransitions == WF_MAX_TRANSITIONS) {
			s = load_error("wf_transitions", "more rows than the engine holds (1024)", NULL, NULL);
			break;
		}
		struct wf_transition *t = &g->transitions[g->ntransitions++];
		t->action = find_action(g, action);
		t->from = find_state(g, from);
		t->to = to[0] ? find_state(g, to) : -1;
		t->role = role_parse(db_col_text(st, 3));
		t->scope = (enum wf_scope)-1;
		for (int i = 0; i < 4; i++)
			if (!strcmp(db_col_text(st, 4), scopes[i]))
				t->scope = (enum wf_scope)i;
		if (t->action < 0 || t->from < 0 || (to[0] && t->to < 0))
			s = load_error("wf_transitions", "names an unknown action or state", action, from);
		else if (t->role == ROLE_NONE)
			s = load_error("wf_transitions", "names an unknown role", action, db_col_text(st, 3));
		else if ((int)t->scope < 0)
			s = load_error("wf_transitions", "names an unknown scope", action, db_col_text(st, 4));
		if (s)
			break;
	}
	db_reset(st);
	return s;
}

static enum gd_status load_inputs(struct db *d, struct wf_graph *g)
{
	static const char sql[] =
		"SELECT action, name, kind, required, max_chars, label, label_en FROM wf_inputs ORDER BY rowid";
	static const char *const kinds[] = {"text", "department", "satisfaction"};
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row) {
		const char *action = db_col_text(st, 0);
		int a = find_action(g, action);
		if (a < 0) {
			s = load_error("wf_inputs", "names an unknown action", action, db_col_text(st, 1));
			break;
		}
		if (g->actions[a].ninputs == WF_MAX_INPUTS) {
			s = load_error("wf_inputs", "more inputs for one action than the engine holds (8)", action, NULL);
			break;
		}
		struct wf_input *in = &g->actions[a].inputs[g->actions[a].ninputs++];
		if (!take(in->name, sizeof in->name, st, 1, "wf_inputs") ||
		    !take(in->label, sizeof in->label, st, 5, "wf_inputs") ||
		    !take(in->label_en, sizeof in->label_en, st, 6, "wf_inputs")) {
			s = GD_E_INTERNAL;
			break;
		}
		in->kind = (enum wf_kind)-1;
		for (int i = 0; i < 3; i++)
			if (!strcmp(db_col_text(st, 2), kinds[i]))
				in->kind = (enum wf_kind)i;
		if ((int)in->kind < 0) {
			s = load_error("wf_inputs", "has an unknown kind", action, db_col_text(st, 2));
			break;
		}
		in->required = db_col_int64(st, 3) != 0;
		in->max_chars = (int)db_col_int64(st, 4);
	}
	db_reset(st);
	return s;
}

enum gd_status wf_load(struct db *d)
{
	struct wf_graph *g = xcalloc(1, sizeof *g);
	enum gd_status s;
	if ((s = load_states(d, g)) || (s = load_actions(d, g)) || (s = load_transitions(d, g)) ||
	    (s = load_inputs(d, g))) {
		free(g);
		return s;
	}
	if (!g->nstates || !g->nactions) {
		free(g);
		return load_error("wf_states/wf_actions", "empty: the workflow has no states or no actions", NULL, NULL);
	}
	log_at(LOG_DEBUG, "workflow: %d states, %d actions, %d transitions", g->nstates, g->nactions, g->ntransitions);
	g->retired = atomic_exchange(&current, g);
	return GD_OK;
}

void wf_release(void)
{
	struct wf_graph *g = atomic_exchange(&current, NULL);
	while (g) {
		struct wf_graph *older = g->retired;
		free(g);
		g = older;
	}
}

bool wf_state_is_open(const char *state)
{
	const struct wf_graph *g = graph();
	int i = find_state(g, state);
	return i >= 0 && g->states[i].open;
}

static bool role_ok(const struct wf_transition *t, const struct principal *who)
{
	return role_has(who->role, ROLE_ALL_POWERS) || t->role == who->role;
}

static bool scope_ok(const struct wf_transition *t, const struct principal *who, const struct ticket_row *tk)
{
	if (role_has(who->role, ROLE_ALL_POWERS))
		return true;
	bool in_department = who->department_id && tk->department_id == who->department_id;
	switch (t->scope) {
	case SCOPE_ANY:
		return true;
	case SCOPE_CREATOR:
		return tk->created_by == who->user_id;
	case SCOPE_DEPARTMENT:
		return in_department;
	case SCOPE_ASSIGNEE_OR_DEPARTMENT:
		return in_department || (tk->assignee_id && tk->assignee_id == who->user_id);
	}
	return false;
}

/* The transition for action from the ticket's state that who may take, or
 * NULL; *permitted tells whether who may take the action from any state. */
static const struct wf_transition *find_transition(const struct wf_graph *g, int action,
						   const struct principal *who, const struct ticket_row *tk,
						   bool *permitted)
{
	int from = find_state(g, tk->state);
	const struct wf_transition *found = NULL;
	*permitted = false;
	for (int i = 0; i < g->ntransitions; i++) {
		const struct wf_transition *t = &g->transitions[i];
		if (t->action != action || !role_ok(t, who))
			continue;
		/* department scopes are judged on the ticket as it is now */
		if (!scope_ok(t, who, tk))
			continue;
		*permitted = true;
		if (t->from == from && !found)
			found = t;
	}
	return found;
}

enum gd_status wf_action_check(const struct principal *who, const char *action, struct gd_err *e)
{
	const struct wf_graph *g = graph();
	int a = find_action(g, action);
	if (a < 0)
		return gd_errf(e, GD_E_NOT_FOUND, "no such action '%.40s'", action);
	for (int i = 0; i < g->ntransitions; i++)
		if (g->transitions[i].action == a && role_ok(&g->transitions[i], who))
			return GD_OK;
	return gd_errf(e, GD_E_FORBIDDEN, "a %s may never '%s' a ticket", role_code(who->role), action);
}

json_t *wf_allowed_actions(const struct principal *who, const struct ticket_row *t)
{
	const struct wf_graph *g = graph();
	json_t *list = json_array();
	for (int a = 0; a < g->nactions; a++) {
		bool permitted;
		if (find_transition(g, a, who, t, &permitted))
			json_array_append_new(list, json_string(g->actions[a].code));
	}
	return list;
}

/* text, or fallback when text is empty */
static const char *or_else(const char *text, const char *fallback)
{
	return text[0] ? text : fallback;
}

json_t *wf_describe(void)
{
	const struct wf_graph *g = graph();
	json_t *states = json_array(), *actions = json_array();
	for (int i = 0; i < g->nstates; i++) {
		const struct wf_state *x = &g->states[i];
		json_array_append_new(states, json_pack("{s:s, s:s, s:s, s:b}", "code", x->code, "name", x->name,
							"name_en", or_else(x->name_en, x->name), "open", x->open));
	}
	for (int i = 0; i < g->nactions; i++) {
		static const char *const kinds[] = {"text", "department", "satisfaction"};
		const struct wf_action *a = &g->actions[i];
		json_t *inputs = json_array();
		for (int k = 0; k < a->ninputs; k++) {
			const struct wf_input *in = &a->inputs[k];
			const char *label = or_else(in->label, in->name);
			json_t *x = json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", in->name, "label", label, "label_en",
					      or_else(in->label_en, label), "kind", kinds[in->kind], "required",
					      in->required);
			if (in->kind == KIND_TEXT && in->max_chars > 0)
				json_object_set_new(x, "max", json_integer(in->max_chars));
			json_array_append_new(inputs, x);
		}
		json_array_append_new(actions, json_pack("{s:s, s:s, s:s, s:o}", "code", a->code, "name", a->name,
							 "name_en", or_else(a->name_en, a->name), "inputs", inputs));
	}
	return json_pack("{s:o, s:o}", "states", states, "actions", actions);
}

/* Validated inputs of one action. */
struct wf_values {
	int64_t department_id;     /* 0: not given */
	int satisfaction;          /* 0: not given */
	const char *resolution;    /* borrowed from the inputs object */
	const char *summary;
	const char *text;          /* for the history row */
};

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static enum gd_status check_inputs(struct db *w, const struct wf_action *a, const struct ticket_row *tk,
				   const json_t *inputs, struct wf_values *v, struct gd_err *e)
{
	memset(v, 0, sizeof v[0]);
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)inputs, key, val) {
		bool known = false;
		for (int i = 0; i < a->ninputs && !known; i++)
			known = !strcmp(a->inputs[i].name, key);
		if (!known)
			gd_err_field(e, key, "unknown input for this action");
	}
	for (int i = 0; i < a->ninputs; i++) {
		const struct wf_input *in = &a->inputs[i];
		json_t *x = json_object_get(inputs, in->name);
		/* a blank string is an empty text or department field; a
		 * satisfaction must be a number, so "" is refused below */
		bool is_blank = in->kind != KIND_SATISFACTION && json_is_string(x) && blank(json_string_value(x));
		if (!x || json_is_null(x) || is_blank) {
			if (in->required)
				gd_err_field(e, in->name, "required");
			continue;
		}
		switch (in->kind) {
		case KIND_TEXT: {
			if (!json_is_string(x)) {
				gd_err_field(e, in->name, "must be a string");
				break;
			}
			size_t chars = utf8_chars(json_string_value(x), json_string_length(x));
			if (in->max_chars > 0 && chars > (size_t)in->max_chars) {
				char why[64];
				snprintf(why, sizeof why, "at most %d characters", in->max_chars);
				gd_err_field(e, in->name, why);
				break;
			}
			if (!strcmp(in->name, "resolution"))
				v->resolution = json_string_value(x);
			else if (!strcmp(in->name, "summary"))
				v->summary = json_string_value(x);
			if (!v->text)
				v->text = json_string_value(x);
			break;
		}
		case KIND_DEPARTMENT: {
			char kind = 0;
			int64_t id = 0;
			if (!json_is_string(x)) {
				gd_err_field(e, in->name, "must be a department code");
				break;
			}
			enum gd_status s = department_find(w, json_string_value(x), &id, &kind);
			if (s == GD_E_NOT_FOUND)
				gd_err_field(e, in->name, "no such department");
			else if (s)
				return s;
			else if (kind != 'h')
				gd_err_field(e, in->name, "must be a handling department, not the service centre");
			else if (id == tk->department_id)
				gd_err_field(e, in->name, "the ticket is already with this department");
			else
				v->department_id = id;
			break;
		}
		case KIND_SATISFACTION:
			if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 5)
				gd_err_field(e, in->name, "must be an integer from 1 to 5");
			else
				v->satisfaction = (int)json_integer_value(x);
			break;
		}
	}
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the inputs of '%s' are invalid", a->code);
	return GD_OK;
}

static enum gd_status not_allowed_here(const struct principal *who, const struct ticket_row *tk, const char *action,
				       struct gd_err *e)
{
	json_t *allowed = wf_allowed_actions(who, tk);
	char list[256] = "";
	size_t o = 0;
	size_t i;
	json_t *x;
	json_array_foreach(allowed, i, x) {
		int n = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", json_string_value(x));
		if (n < 0 || (size_t)n >= sizeof list - o)
			break;
		o += (size_t)n;
	}
	json_decref(allowed);
	return gd_errf(e, GD_E_CONFLICT, "'%s' is not allowed while the ticket is %s; allowed now: %s", action,
		       tk->state, o ? list : "(none)");
}

enum gd_status wf_decide(struct db *d, const struct principal *who, const struct ticket_row *tk, const char *action,
			 const json_t *inputs, int64_t now, struct wf_step *out, struct gd_err *e)
{
	const struct wf_graph *g = graph();
	enum gd_status s;
	int a = find_action(g, action);
	if (a < 0)
		return gd_errf(e, GD_E_NOT_FOUND, "no such action '%.40s'", action);
	const struct wf_action *act = &g->actions[a];
	bool permitted;
	const struct wf_transition *t = find_transition(g, a, who, tk, &permitted);
	if (!permitted)
		return gd_errf(e, GD_E_FORBIDDEN, "a %s may not '%s' this ticket", role_code(who->role), action);
	if (!t)
		return not_allowed_here(who, tk, action, e);
	struct wf_values v;
	if ((s = check_inputs(d, act, tk, inputs, &v, e)))
		return s;
	if (act->requires_complete && (s = ticket_check_complete(d, tk, e)))
		return s;

	/* the effects the action's flags ask for, applied to a copy of the row */
	memset(out, 0, sizeof *out);
	out->before = *tk;
	struct ticket_row *n = &out->after;
	*n = *tk;
	out->action = act->code;
	out->from_state = g->states[t->from].code;
	out->to_state = t->to >= 0 ? g->states[t->to].code : out->from_state;
	copy(n->state, sizeof n->state, out->to_state);
	if (v.department_id)
		n->department_id = v.department_id;
	else if (act->clears_department)
		n->department_id = 0;
	if (act->sets_assignee)
		n->assignee_id = who->user_id;
	else if (act->clears_assignee)
		n->assignee_id = 0;
	int64_t sla = 3600 * (int64_t)(tk->sla_hours < 360 ? tk->sla_hours : 360);
	if (act->starts_clock && !n->submitted_at)
		n->submitted_at = now;
	if ((act->starts_clock && !n->deadline) || act->reopens)
		n->deadline = now + sla;
	if (act->closes) {
		n->closed_at = now;
		copy(n->closed_by, sizeof n->closed_by, act->code);
	}
	if (act->reopens) {
		n->overdue = false;
		n->closed_at = 0;
		n->closed_by[0] = '\0';
		n->satisfaction = 0;
		out->clears_summary = true;
	}
	if (v.satisfaction)
		n->satisfaction = v.satisfaction;
	if (act->urges) {
		copy(n->priority, sizeof n->priority, "urgent");
		n->urge_count++;
	}
	n->version++;
	out->resolution = v.resolution;
	out->summary = v.summary;
	out->text = v.text;
	out->inputs = inputs;
	out->at = now;
	return GD_OK;
}

bool wf_overdue(const struct ticket_row *tk, int64_t now, struct wf_step *out)
{
	const struct wf_graph *g = graph();
	int state = find_state(g, tk->state);
	if (!tk->deadline || tk->overdue || tk->deadline >= now || state < 0 || !g->states[state].open)
		return false;
	memset(out, 0, sizeof *out);
	out->before = *tk;
	out->after = *tk;
	out->after.overdue = true;
	copy(out->after.priority, sizeof out->after.priority, "urgent");
	out->after.version++;
	out->action = "overdue";
	out->from_state = out->to_state = g->states[state].code;
	char when[32];
	time_iso(tk->deadline, when);
	snprintf(out->note, sizeof out->note, "overdue: the deadline %s has passed; priority raised to urgent", when);
	out->text = out->note;
	out->at = now;
	return true;
}

enum gd_status wf_visit(struct db *w, int64_t ticket_id, int64_t department_id)
{
	static const char sql[] = "INSERT OR IGNORE INTO ticket_departments (department_id, ticket_id) VALUES (?1, ?2)";
	struct db_stmt *st;
	enum gd_status s;
	if (!department_id)
		return GD_OK;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_int64(st, 1, department_id);
	db_bind_int64(st, 2, ticket_id);
	return db_run(st);
}

enum gd_status wf_store(struct db *w, const struct wf_step *step, const char *history_hash)
{
	static const char update_sql[] =
		"UPDATE tickets SET state = ?3, department_id = nullif(?4, 0), assignee_id = nullif(?5, 0),"
		" submitted_at = nullif(?6, 0), deadline = nullif(?7, 0), overdue = ?8, closed_at = nullif(?9, 0),"
		" closed_by = nullif(?10, ''), resolution = coalesce(?11, resolution),"
		" summary = CASE WHEN ?12 IS NOT NULL THEN ?12 WHEN ?13 THEN NULL ELSE summary END,"
		" satisfaction = nullif(?14, 0), priority = ?15, urge_count = ?16, version = ?17, updated_at = ?1,"
		" history_hash = coalesce(?18, history_hash)"
		" WHERE id = ?2";
	const struct ticket_row *b = &step->before, *n = &step->after;
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(w, update_sql, &st)))
		return s;
	db_bind_int64(st, 1, step->at);
	db_bind_int64(st, 2, n->id);
	db_bind_text(st, 3, n->state, -1);
	db_bind_int64(st, 4, n->department_id);
	db_bind_int64(st, 5, n->assignee_id);
	db_bind_int64(st, 6, n->submitted_at);
	db_bind_int64(st, 7, n->deadline);
	db_bind_int64(st, 8, n->overdue);
	db_bind_int64(st, 9, n->closed_at);
	db_bind_text(st, 10, n->closed_by, -1);
	db_bind_text(st, 11, step->resolution, -1);
	db_bind_text(st, 12, step->summary, -1);
	db_bind_int64(st, 13, step->clears_summary);
	db_bind_int64(st, 14, n->satisfaction);
	db_bind_text(st, 15, n->priority, -1);
	db_bind_int64(st, 16, n->urge_count);
	db_bind_int64(st, 17, n->version);
	db_bind_text(st, 18, history_hash, -1);
	if ((s = db_run(st)))
		return s;
	if (n->department_id != b->department_id && (s = wf_visit(w, n->id, n->department_id)))
		return s;
	struct queue_cell from = {b->state, b->department_id, b->overdue && wf_state_is_open(b->state)};
	struct queue_cell to = {n->state, n->department_id, n->overdue && wf_state_is_open(n->state)};
	if ((s = queue_move(w, &from, &to)))
		return s;
	return report_move(w, b, n);
}

void wf_step_history(const struct wf_step *step, const struct principal *who, struct history_entry *h)
{
	*h = (struct history_entry){
		.ticket_id = step->after.id,
		.actor = who,
		.action = step->action,
		.from_state = step->from_state,
		.to_state = step->to_state,
		.department_id = step->after.department_id,
		.text = step->text,
		.inputs = step->inputs,
		.at = step->at,
	};
}

enum gd_status wf_apply(struct db *w, const struct principal *who, struct ticket_row *tk, const char *action,
			const json_t *inputs, struct gd_err *e)
{
	struct wf_step step;
	struct history_entry h;
	enum gd_status s = wf_decide(w, who, tk, action, inputs, time_now(), &step, e);
	if (s || (s = wf_store(w, &step, NULL)) || (s = report_step(w, &step)))
		return s;
	*tk = step.after;
	wf_step_history(&step, who, &h);
	return history_append(w, &h, NULL);
}

/* An action waiting for the writer (see workflow.h). */
struct wf_act_job {
	struct principal who;
	char number[TICKET_NUMBER_MAX];
	char *action;
	json_t *inputs; /* a private copy: the writer thread reads it */
	int64_t if_match;
	struct gd_err e;
	json_t *result; /* the ticket after the action, as the actor sees it */
	int64_t version;
};

void *wf_act_prepare(const struct principal *who, const char *number, const char *action, const json_t *inputs,
		     int64_t if_match)
{
	struct wf_act_job *j = xcalloc(1, sizeof *j);
	j->who = *who;
	copy(j->number, sizeof j->number, number);
	j->action = xstrdup(action);
	j->inputs = inputs ? json_deep_copy(inputs) : json_object();
	j->if_match = if_match;
	return j;
}

struct gd_err *wf_act_job_err(void *ctx)
{
	return &((struct wf_act_job *)ctx)->e;
}

json_t *wf_act_job_result(void *ctx, int64_t *version)
{
	struct wf_act_job *j = ctx;
	json_t *r = j->result;
	j->result = NULL;
	*version = j->version;
	return r;
}

void wf_act_job_free(void *ctx)
{
	struct wf_act_job *j = ctx;
	if (!j)
		return;
	json_decref(j->inputs);
	json_decref(j->result);
	gd_err_release(&j->e);
	free(j->action);
	free(j);
}

enum gd_status wf_act_on(struct db *w, const struct principal *who, const char *number, const char *action,
			 const json_t *inputs, int64_t if_match, struct ticket_row *tk, struct gd_err *e)
{
	enum gd_status s = ticket_load(w, who, number, tk);
	if (s == GD_E_NOT_FOUND)
		return gd_errf(e, s, "no ticket '%.40s'", number);
	if (!s && if_match >= 0 && if_match != tk->version)
		return gd_errf(e, GD_E_PRECONDITION, "the ticket is at version %lld, not %lld; reload it",
			       (long long)tk->version, (long long)if_match);
	return s ? s : wf_apply(w, who, tk, action, inputs, e);
}

enum gd_status wf_act_write(struct db *w, void *ctx)
{
	struct wf_act_job *j = ctx;
	struct ticket_row tk;
	enum gd_status s = wf_act_on(w, &j->who, j->number, j->action, j->inputs, j->if_match, &tk, &j->e);
	/* answered from the writer's warm cache (see ticket_create_write) */
	return s ? s : ticket_render(w, &j->who, tk.id, &j->result, &j->version);
}

enum gd_status wf_act(const struct principal *who, const char *number, const char *action, const json_t *inputs,
		      int64_t if_match, struct gd_err *e)
{
	void *job = wf_act_prepare(who, number, action, inputs, if_match);
	enum gd_status s = db_write_run(wf_act_write, job);
	gd_err_move(e, wf_act_job_err(job));
	wf_act_job_free(job);
	return s;
}

enum gd_status wf_sla_mark(struct db *w, int64_t now, int *marked)
{
	static const char due_sql[] =
		"SELECT number FROM tickets WHERE closed_at IS NULL AND deadline IS NOT NULL AND overdue = 0"
		" AND deadline < ?1 ORDER BY deadline LIMIT 500";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	*marked = 0;
	if ((s = db_prepare(w, due_sql, &st)))
		return s;
	db_bind_int64(st, 1, now);
	/* collect first: the statement must not step while rows change */
	json_t *numbers = json_array();
	while (!(s = db_step(st, &row)) && row)
		json_array_append_new(numbers, json_string(db_col_text(st, 0)));
	db_reset(st);
	size_t i;
	json_t *n;
	json_array_foreach(numbers, i, n) {
		struct ticket_row tk;
		if (s || (s = ticket_load(w, NULL, json_string_value(n), &tk)))
			break;
		struct wf_step step;
		struct history_entry h;
		if (!wf_overdue(&tk, now, &step))
			continue;
		wf_step_history(&step, NULL, &h);
		if ((s = wf_store(w, &step, NULL)) || (s = report_step(w, &step)) || (s = history_append(w, &h, NULL)))
			break;
		(*marked)++;
	}
	json_decref(numbers);
	return s;
}

/* One sweep at a time: behind a writer held up by an outside lock, sweeps
 * must not pile up. */
static atomic_bool sweep_queued;

struct sweep {
	int64_t now;
	int marked;
};

static enum gd_status sweep_run(struct db *w, void *ctx)
{
	struct sweep *sw = ctx;
	return wf_sla_mark(w, sw->now, &sw->marked);
}

static void sweep_finish(void *ctx, enum gd_status s)
{
	struct sweep *sw = ctx;
	if (!s && sw->marked)
		log_at(LOG_INFO, "sla: %d ticket(s) became overdue", sw->marked);
	free(sw);
	atomic_store(&sweep_queued, false);
}

void wf_sla_sweep(int64_t now)
{
	bool idle = false;
	if (!atomic_compare_exchange_strong(&sweep_queued, &idle, true))
		return;
	struct sweep *sw = xcalloc(1, sizeof *sw);
	sw->now = now;
	db_write_detached(sweep_run, sw, sweep_finish);
}
