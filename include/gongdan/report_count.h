/* report_count.h - the counters behind the reports (issue 11), kept in the
 * same transaction as every change to a ticket, so a report over a year
 * sums a few hundred cells instead of scanning tickets. The tables and what
 * each cell means are in sql/0015_reports.sql.
 *
 * Two kinds of counters, two hooks:
 *   - tickets by what they are now (created cubes by day/category/region/
 *     department, the same by creator for agents' own reports, closed
 *     tickets by closing day): report_move() moves a
 *     ticket's contribution from its row before to its row after. Called
 *     by wf_store (every action and SLA mark; `gongdan generate` once per
 *     ticket, from the row as created to the row its life left), by ticket
 *     creation (before = NULL) and by the edit of a draft.
 *   - events (returns, transfers, urges, reopens, overdue marks, handling
 *     episodes): report_step() counts one step of the engine, before its
 *     history row is appended. Called by wf_apply, wf_sla_mark and the
 *     generator's record(), i.e. once per history row of an action.
 * `gongdan audit verify` compares every counter with a recount from the
 * tickets and the history (report_check). */
#ifndef GD_REPORT_COUNT_H
#define GD_REPORT_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gongdan/status.h"
#include "gongdan/ticket.h"
#include "gongdan/workflow.h"

struct db;

/* Moves the ticket from the counters of `before` to those of `after`
 * (either may be NULL: not counted), inside the caller's write transaction. */
enum gd_status report_move(struct db *w, const struct ticket_row *before, const struct ticket_row *after);

/* Counts the events of one step, inside the caller's write transaction and
 * before the step's own history row is appended (a reply looks back at the
 * rows before it for the dispatch or transfer it answers). */
enum gd_status report_step(struct db *w, const struct wf_step *step);

/* Bulk loads (`gongdan generate`): while deferred, the counters' changes
 * are summed in memory per cell instead of written; report_flush(w) writes
 * each cell touched once, with its sum, in the caller's write transaction
 * (and empties the sums); report_defer(false) drops what was not flushed.
 * report_deferred(): the cells waiting. Never
 * while serving: a rolled-back savepoint would keep its sums. */
void report_defer(bool on);
size_t report_deferred(void);
enum gd_status report_flush(struct db *w);

/* Recounts every report counter from the tickets and the history and
 * compares cell by cell, both ways: GD_OK when all are equal, else
 * GD_E_CONFLICT, naming each table that differs (and by how many cells) on
 * report. *cells: the cells checked. */
enum gd_status report_check(struct db *d, FILE *report, long *cells);

#endif
