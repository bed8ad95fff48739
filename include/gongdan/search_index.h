/* search_index.h - keeps the full-text index (tickets_fts, sql/0010) in step
 * with the tickets. Triggers queue the id of every ticket written; the store
 * indexes the queued tickets in one statement just before each write
 * transaction commits, because FTS5 writes a segment at every savepoint and
 * the group commit opens one per job. */
#ifndef GD_SEARCH_INDEX_H
#define GD_SEARCH_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "gongdan/status.h"

struct db;

/* Indexes the queued tickets and empties the queue, inside the caller's
 * write transaction. Cheap when nothing is queued. */
enum gd_status search_index_flush(struct db *w);
/* Bulk loading (`gongdan generate`, with the tickets' triggers dropped;
 * only for a full-text index that was empty before). On starts a second
 * thread that indexes, in a side database, each ticket handed to
 * search_index_bulk_add; off waits for it and copies its index in (or,
 * without one, indexes every ticket in one statement), one segment. */
enum gd_status search_index_bulk(struct db *w, bool on);
/* Hands the texts of ticket id, as written, to the bulk index (they must
 * not change afterwards; fields is its JSON object text or NULL). A no-op
 * unless a side thread runs; only the loading thread calls it. */
void search_index_bulk_add(int64_t id, const char *subject, const char *description, const char *fields);
/* The statement that indexes the queue (for EXPLAIN QUERY PLAN checks). */
const char *search_index_flush_sql(void);

#endif
