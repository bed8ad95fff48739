/* search_index.c - the full-text index is written once per write
 * transaction (see search_index.h and sql/0010_search_queue.sql). */
#include "gongdan/search_index.h"

#include <stdbool.h>

#include "gongdan/db.h"

/* The queue drives: CROSS JOIN keeps it the outer loop (the planner, not
 * knowing the queue is short, otherwise walked every ticket). */
static const char index_sql[] =
	"INSERT INTO tickets_fts (rowid, subject, description, fields)"
	" SELECT s.id, s.subject, s.description, s.fields FROM tickets_fts_queue q"
	" CROSS JOIN tickets_fts_source s ON s.id = q.id";

const char *search_index_flush_sql(void)
{
	return index_sql;
}

enum gd_status search_index_flush(struct db *w)
{
	static const char queued_sql[] = "SELECT 1 FROM tickets_fts_queue LIMIT 1";
	static const char clear_sql[] = "DELETE FROM tickets_fts_queue";
	struct db_stmt *st;
	enum gd_status s;
	bool queued;
	if ((s = db_prepare(w, queued_sql, &st)))
		return s;
	s = db_step(st, &queued);
	db_reset(st);
	if (s || !queued)
		return s;
	if ((s = db_prepare(w, index_sql, &st)) || (s = db_run(st)))
		return s;
	if ((s = db_prepare(w, clear_sql, &st)))
		return s;
	return db_run(st);
}

enum gd_status search_index_bulk(struct db *w, bool on)
{
	/* while loading, the tickets' insert trigger is dropped and nothing
	 * reads the index: they are indexed in one statement at the end */
	if (on)
		return GD_OK;
	/* with a pending-terms buffer big enough for every ticket, FTS5 writes
	 * the whole index as one segment at the commit: nothing to merge */
	return db_exec(w, "DELETE FROM tickets_fts_queue;"
			  "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', 1073741824);"
			  "INSERT INTO tickets_fts (rowid, subject, description, fields)"
			  " SELECT id, subject, description, fields FROM tickets_fts_source;"
			  "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', 1048576)");
}
