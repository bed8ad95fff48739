/* queue.h - queue counters: tickets per state × department, with overdue
 * counts, kept in queue_counts and changed in the same transaction as every
 * move, so GET /api/v1/queues never scans tickets. */
#ifndef GD_QUEUE_H
#define GD_QUEUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gongdan/principal.h"
#include "gongdan/status.h"

struct db;

/* One ticket's place in the counters: NULL state = not counted. */
struct queue_cell {
	const char *state;
	int64_t department_id; /* 0: none */
	bool overdue;          /* counted only while the ticket is open */
};

/* Moves one ticket from cell `from` to cell `to` (either state may be NULL). */
enum gd_status queue_move(struct db *w, const struct queue_cell *from, const struct queue_cell *to);

/* {"items":[{state, department, total, overdue}], "totals": {...}} for
 * who: handlers see their own department's row only. */
enum gd_status queue_counts(struct db *d, const struct principal *who, json_t **out);

/* Whether a move between departments dept_before and dept_after (0: none)
 * can change what queue_counts() shows who: the same rule as its filter. */
bool queue_counts_touched(const struct principal *who, int64_t dept_before, int64_t dept_after);

/* Every open state (wf_states.is_open) with its tickets and overdue
 * tickets, all departments together, in the workflow's order; for /metrics. */
enum gd_status queue_open_totals(struct db *d, void (*each)(void *arg, const char *state, int64_t total, int64_t overdue),
				 void *arg);

/* Recounts from the tickets table and compares with the counters (tests,
 * `gongdan audit verify`): GD_OK when equal, else GD_E_CONFLICT. */
enum gd_status queue_check(struct db *d, long *cells);

#endif
