/* workflow.h - the engine of SPEC §5, the only writer of tickets.state. It
 * loads the graph (wf_states, wf_actions, wf_transitions, wf_inputs) from
 * the database at start-up; the C code holds no copy of it.
 *
 * An action is checked in this order: the caller can see the ticket (404),
 * the action exists (404), the caller's role and department may do it (403),
 * the state allows it (409, naming the allowed actions), the inputs are valid
 * (422); then the change, its history row and the queue counters are written
 * in one transaction. */
#ifndef GD_WORKFLOW_H
#define GD_WORKFLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/history.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"
#include "gongdan/ticket.h"

struct db;

/* Loads (or reloads) the graph. Call once before serving. */
enum gd_status wf_load(struct db *d);
void wf_release(void);

/* The action codes who may run on t now, in display order. */
json_t *wf_allowed_actions(const struct principal *who, const struct ticket_row *t);
/* Whether the state is open (not closed): urge allowed, SLA running. */
bool wf_state_is_open(const char *state);
/* [{code, name, name_en, open}] and [{code, name, name_en, inputs:[{name,
 * label, label_en, kind, required, max?}]}] for clients (empty English names
 * and labels fall back to the Chinese ones, an empty label to the name). */
json_t *wf_describe(void);

/* Runs action on the ticket `number` as who, inside its own transaction.
 * if_match < 0: no precondition (else 412 when the version differs). */
enum gd_status wf_act(const struct principal *who, const char *number, const char *action, const json_t *inputs,
		      int64_t if_match, struct gd_err *e);

/* The same in two steps, for group commit: prepare copies the request into
 * a job; write runs it inside the writer's transaction (a db_job run
 * function); the job keeps the error details. */
void *wf_act_prepare(const struct principal *who, const char *number, const char *action, const json_t *inputs,
		     int64_t if_match);
enum gd_status wf_act_write(struct db *w, void *job);
struct gd_err *wf_act_job_err(void *job);
/* The ticket after the action as the actor sees it (ownership moves). */
json_t *wf_act_job_result(void *job, int64_t *version);
void wf_act_job_free(void *job);

/* wf_act_write's work without the rendering, inside the caller's write
 * transaction (a bulk action runs it once per ticket): loads the ticket
 * `number` as who sees it (404), checks if_match (412; < 0: none) and runs
 * wf_apply. *t is the ticket after the action. */
enum gd_status wf_act_on(struct db *w, const struct principal *who, const char *number, const char *action,
			 const json_t *inputs, int64_t if_match, struct ticket_row *t, struct gd_err *e);
/* What can be said of action for who before any ticket is read: 404 when
 * there is no such action, 403 when who's role may take it from no state
 * (on no ticket at all). GD_OK says nothing of a given ticket. */
enum gd_status wf_action_check(const struct principal *who, const char *action, struct gd_err *e);

/* One action on a ticket, decided and computed but not yet written: the row
 * before and after, and what goes into the history row. */
struct wf_step {
	struct ticket_row before, after;
	const char *action, *from_state, *to_state; /* the engine's strings */
	const char *resolution, *summary, *text;    /* borrowed from the inputs */
	bool clears_summary;                        /* the action reopens */
	const json_t *inputs;
	int64_t at;
	char note[128];                             /* text written by the server */
};

/* Checks action on t by who in the order above (reading d for departments
 * and the ticket's fields) and computes its effects at time now, writing
 * nothing. */
enum gd_status wf_decide(struct db *d, const struct principal *who, const struct ticket_row *t, const char *action,
			 const json_t *inputs, int64_t now, struct wf_step *out, struct gd_err *e);
/* The SLA sweep's step for t at now: false when t is not (newly) overdue. */
bool wf_overdue(const struct ticket_row *t, int64_t now, struct wf_step *out);
/* Writes step->after over the ticket (and history_hash when not NULL), the
 * department visit and the queue counters, inside the caller's write
 * transaction. The history row is the caller's (wf_step_history). */
enum gd_status wf_store(struct db *w, const struct wf_step *step, const char *history_hash);
/* The history row of a step taken by who (NULL: the server). */
void wf_step_history(const struct wf_step *step, const struct principal *who, struct history_entry *h);
/* Records that the ticket passed through the department (visibility). */
enum gd_status wf_visit(struct db *w, int64_t ticket_id, int64_t department_id);

/* Runs action on t inside the caller's write transaction (used by ticket
 * creation with "submit": true): wf_decide, wf_store, the history row.
 * Updates t. */
enum gd_status wf_apply(struct db *w, const struct principal *who, struct ticket_row *t, const char *action,
			const json_t *inputs, struct gd_err *e);

/* Queues a sweep for the writer (nobody waits; the count is logged): marks
 * open tickets past their deadline as overdue, raises them to urgent and
 * records it in their history once. A sweep still queued makes this a
 * no-op. */
void wf_sla_sweep(int64_t now);
/* The same inside the caller's write transaction; marks at most 500 per
 * call (call again while it marks that many). */
enum gd_status wf_sla_mark(struct db *w, int64_t now, int *marked);

#endif
