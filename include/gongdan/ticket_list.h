/* ticket_list.h - GET /api/v1/tickets: lists and full-text search whose work
 * is bounded, whatever the filters, the caller's scope, the page depth or
 * the size of the table.
 *
 * Every list walks ONE index in id order (newest first), from the cursor
 * down: the index of the most selective filter present (a fixed order of
 * preference, see ticket_list.c). Every other filter and the caller's
 * visibility are checked on each candidate the walk meets. The walk stops
 * when the page is full or after the budget of candidates
 * (ticket_list_set_budget, `serve --list-budget`); in the second case the
 * answer is partial: it holds what was found, `partial` is true, and
 * `next_cursor` continues the walk exactly where it stopped, so pages never
 * repeat or skip a ticket and following the cursors gives the full answer. */
#ifndef GD_TICKET_LIST_H
#define GD_TICKET_LIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"
#include "gongdan/strbuf.h"

#define TICKET_LIST_DEFAULT 50
#define TICKET_LIST_MAX 200
#define TICKET_QUERY_MAX 200          /* characters in q */
#define TICKET_QUERY_WORDS 10         /* words in q */
#define TICKET_LIST_BUDGET 4000       /* candidates one request may examine */
#define TICKET_LIST_BUDGET_MIN 1
#define TICKET_LIST_BUDGET_MAX 1000000

/* The orders of a list (sort=). Each is a sequence of phases, each one
 * index walk; the cursor says which phase and where in it. */
enum ticket_sort {
	SORT_CREATED,  /* newest first */
	SORT_DEADLINE, /* open tickets with a deadline, the soonest (most overdue) first; then the rest, newest first */
	SORT_PRIORITY, /* urgent tickets newest first, then normal ones newest first */
};

/* Where a page starts: the phase of the sort and, in it, the id (items
 * below it) or, walking by deadline, the (deadline, id) (items after it).
 * All zero: the start of the list. */
struct ticket_cursor {
	int phase;
	int64_t deadline, id;
};

struct ticket_filter {
	const char *state;
	const char *department;   /* department code */
	const char *category;     /* category code: that node and everything under it */
	const char *region;
	const char *assignee;     /* username or "me" */
	const char *created_by;   /* username or "me" */
	const char *fault_number;
	const char *priority;     /* "normal" or "urgent" */
	int overdue;              /* -1: any, 0: not overdue, 1: overdue */
	const char *q;            /* full text */
	int64_t from, to;         /* created_at range, when has_from/has_to */
	bool has_from, has_to;    /* the epoch is a bound like any other time */
	int64_t limit;
	enum ticket_sort sort;
	struct ticket_cursor cursor;
};

/* Reads the text of a next_cursor for sort: false when it is not one. */
bool ticket_cursor_parse(enum ticket_sort sort, const char *text, struct ticket_cursor *out);

/* The sort= values: "created", "deadline", "priority"; false if unknown. */
bool ticket_sort_parse(const char *text, enum ticket_sort *out);

/* Writes as JSON text to out (the items are written straight from the rows:
 * a page of 50 is most of a list's time when built as jansson values):
 * {"items": [...], "next_cursor": "…" | null, "partial": bool,
 * "searched_to": ISO time | null}, in the order of f->sort (q only with
 * created or priority: 422 with deadline). With q each item also has
 * "highlight": {"subject": [...], "snippet": [...], "snippet_field": name}
 * where each array alternates plain text and matched text, starting with
 * plain text (possibly ""). Bad filters are 400 (too many words or
 * characters in q) or 422 (unknown codes and users, a malformed number). */
enum gd_status ticket_list(const struct principal *who, const struct ticket_filter *f, struct strbuf *out,
			   struct gd_err *e);

/* The SQL ticket_list runs for this caller and filter (for EXPLAIN QUERY
 * PLAN checks), as if the category were not a leaf when leaf is false;
 * NULL when the caller sees no tickets at all. Also names the index the
 * walk drives (*index, "" for the table itself). */
const char *ticket_list_sql(const struct principal *who, const struct ticket_filter *f, bool leaf,
			    const char **index);

/* Candidates one request may examine (default TICKET_LIST_BUDGET). */
void ticket_list_set_budget(int64_t candidates);

#endif
