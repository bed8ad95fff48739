/* bulk.h - one workflow action on many tickets in one write (issue 13,
 * POST /api/v1/tickets/actions/{action}): the whole list is ONE group-commit
 * job, so it takes one commit however many tickets it names, and each
 * ticket runs inside its own savepoint of that transaction (db_savepoint):
 * a ticket the action cannot apply to is rolled back alone and reported
 * as skipped, the others are applied. Each applied ticket gets exactly what
 * the single action gives it (wf_act_on: history row, queue and report
 * counters, full-text queue).
 *
 * Why a ticket is skipped, from the status the single action would answer:
 *   GD_E_NOT_FOUND (404, also a ticket the caller may not see)  not_found
 *   GD_E_PRECONDITION (412, its "version" is stale)             stale_version
 *   GD_E_FORBIDDEN, GD_E_CONFLICT (403 role or department,
 *   409 state)                                                  not_allowed
 *   GD_E_VALIDATION, GD_E_BAD_REQUEST (422/400 inputs)          invalid
 * Any other failure (5xx: busy, disk full, stopping) fails the whole job
 * and nothing of it is written. */
#ifndef GD_BULK_H
#define GD_BULK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/limits.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"
#include "gongdan/ticket.h"

struct db;

/* One ticket of the list: its number and the version the caller saw (its
 * If-Match; < 0: none). */
struct bulk_ticket {
	char number[TICKET_NUMBER_MAX];
	int64_t if_match;
};

/* Copies the request into a job for the writer: who, the action (the
 * caller checked it with wf_action_check: what holds for every ticket
 * alike is refused once, before any ticket is read), the inputs (a deep
 * copy; NULL: none) and the n tickets (1..GD_MAX_BULK_TICKETS, numbers
 * distinct: the caller validated them). */
void *bulk_prepare(const struct principal *who, const char *action, const json_t *inputs,
		   const struct bulk_ticket *items, size_t n);
/* The db_job run function: every ticket in its own savepoint, in order. */
enum gd_status bulk_write(struct db *w, void *job);
/* After a successful write: {"action", "done", "skipped", "results": [...]}
 * in the order given (ownership moves to the caller; NULL on a second
 * call). A done result is {number, status: "done", version, state}, a
 * skipped one {number, status: "skipped", reason, message[, fields]}. */
json_t *bulk_job_result(void *job);
struct gd_err *bulk_job_err(void *job);
void bulk_job_free(void *job);

#endif
