/* history.h - the flow of a ticket (查看流程): append-only rows, one per
 * action, hash-chained per ticket with SHA-256 (OpenSSL): each row stores the
 * hash of its own content and of the previous row; the ticket stores the hash
 * of its newest row, so a deleted last row is detected too. */
#ifndef GD_HISTORY_H
#define GD_HISTORY_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "gongdan/principal.h"
#include "gongdan/status.h"

struct db;

struct history_entry {
	int64_t ticket_id;
	const struct principal *actor; /* NULL: the server itself */
	const char *action;
	const char *from_state;        /* NULL on creation */
	const char *to_state;
	int64_t department_id;         /* the ticket's department after the action; 0: none */
	const char *text;              /* comment, resolution or summary; may be NULL */
	const json_t *inputs;          /* every input of the action; may be NULL */
	int64_t at;
};

/* Where a ticket's chain ends: its newest row's seq and hash. */
struct history_chain {
	int64_t seq;
	char hash[65];
};

/* Appends one row inside the caller's write transaction and updates the
 * ticket's history_hash; *end (may be NULL) is where the chain now ends. */
enum gd_status history_append(struct db *w, const struct history_entry *h, struct history_chain *end);
/* Appends after the chain end the caller holds (bulk loading: no lookup of
 * the newest row, no anchor on the ticket) and moves *chain on. The caller
 * stores chain->hash in tickets.history_hash when it is done. */
enum gd_status history_append_after(struct db *w, const struct history_entry *h, struct history_chain *chain);

/* The rows of one ticket in order, as JSON. */
enum gd_status history_list(struct db *d, int64_t ticket_id, json_t **out);

/* Walks every chain. Returns GD_OK when all hold; otherwise GD_E_CONFLICT
 * and writes the first broken row (ticket number, seq, why) to report. */
enum gd_status history_verify(struct db *d, FILE *report, long *rows_checked);

#endif
