/* search_index.c - the full-text index is written once per write
 * transaction (see search_index.h and sql/0010_search_queue.sql). */
#include "gongdan/search_index.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gongdan/db.h"
#include "gongdan/log.h"
#include "gongdan/status.h"
#include "gongdan/xalloc.h"

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

/* --- bulk loading -------------------------------------------------------------
 * While `gongdan generate` writes tickets on one core, a second thread
 * tokenizes and indexes their texts on the other, into a side database of
 * its own (the file beside the database, "-fts-bulk"), holding the whole
 * index in FTS5's pending-terms buffer. At the end the side index - one
 * segment - is copied into tickets_fts's tables, which were empty. If the
 * side index cannot be made, the tickets are indexed at the end in one
 * statement instead (slower, the same index). */

#define BULK_RING 4096

/* What tickets_fts_source indexes of a ticket, as a statement of its own. */
static const char side_insert_sql[] = "INSERT INTO tickets_fts (rowid, subject, description, fields)"
				      " VALUES (?1, ?2, ?3, (SELECT group_concat(value, ' ') FROM json_each(?4)))";

struct bulk_item {
	int64_t id;
	char *texts; /* subject, description and fields, each ending in NUL */
	int len[3];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	struct bulk_item ring[BULK_RING];
	unsigned head, tail; /* head - tail items are queued */
	bool running, done;
	enum gd_status status; /* the side thread's first failure */
	struct db *side;
	char *path;
	pthread_t thread;
} bulk = {.lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER, .room = PTHREAD_COND_INITIALIZER};

static void *bulk_main(void *unused)
{
	(void)unused;
	for (;;) {
		pthread_mutex_lock(&bulk.lock);
		while (bulk.head == bulk.tail && !bulk.done)
			pthread_cond_wait(&bulk.more, &bulk.lock);
		if (bulk.head == bulk.tail) {
			pthread_mutex_unlock(&bulk.lock);
			return NULL;
		}
		struct bulk_item it = bulk.ring[bulk.tail % BULK_RING];
		bulk.tail++;
		enum gd_status failed = bulk.status;
		pthread_cond_signal(&bulk.room);
		pthread_mutex_unlock(&bulk.lock);
		struct db_stmt *st;
		enum gd_status s = failed;
		if (!s && !(s = db_prepare(bulk.side, side_insert_sql, &st))) {
			const char *p = it.texts;
			db_bind_int64(st, 1, it.id);
			for (int i = 0; i < 3; p += it.len[i++] + 1)
				db_bind_text(st, i + 2, i == 2 && !it.len[i] ? NULL : p, it.len[i]);
			s = db_run(st);
		}
		free(it.texts);
		if (s && !failed) {
			pthread_mutex_lock(&bulk.lock);
			bulk.status = s;
			pthread_mutex_unlock(&bulk.lock);
		}
	}
}

static void side_remove(void)
{
	if (bulk.side)
		db_close(bulk.side);
	bulk.side = NULL;
	if (bulk.path) {
		unlink(bulk.path);
		free(bulk.path);
		bulk.path = NULL;
	}
}

/* Creates the side database with tickets_fts as the schema declares it and
 * starts the side thread; false (and nothing left behind) if it cannot. */
static bool side_start(struct db *w)
{
	static const char def_sql[] = "SELECT sql FROM sqlite_schema WHERE name = 'tickets_fts'";
	struct db_stmt *st;
	bool row;
	char *def = NULL;
	const char *main_path = db_global_path();
	if (!main_path || db_prepare(w, def_sql, &st))
		return false;
	if (!db_step(st, &row) && row)
		def = xstrdup(db_col_text(st, 0));
	db_reset(st);
	size_t n = strlen(main_path) + sizeof "-fts-bulk";
	bulk.path = xmalloc(n);
	snprintf(bulk.path, n, "%s-fts-bulk", main_path);
	unlink(bulk.path);
	bool ok = def && !db_open(bulk.path, &bulk.side) &&
		  !db_exec(bulk.side, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF") && !db_exec(bulk.side, def) &&
		  !db_exec(bulk.side, "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', 1073741824);"
				      "BEGIN");
	free(def);
	bulk.head = bulk.tail = 0;
	bulk.done = false;
	bulk.status = GD_OK;
	if (ok && pthread_create(&bulk.thread, NULL, bulk_main, NULL) == 0)
		return bulk.running = true;
	side_remove();
	return false;
}

/* The producer's items, handed over BULK_BATCH at a time (one lock and
 * one wake-up per batch, not per ticket). */
#define BULK_BATCH 64
static struct bulk_item batch[BULK_BATCH];
static int nbatch;

static void batch_push(void)
{
	pthread_mutex_lock(&bulk.lock);
	for (int i = 0; i < nbatch; i++) {
		while (bulk.head - bulk.tail == BULK_RING)
			pthread_cond_wait(&bulk.room, &bulk.lock);
		bulk.ring[bulk.head++ % BULK_RING] = batch[i];
	}
	pthread_cond_signal(&bulk.more);
	pthread_mutex_unlock(&bulk.lock);
	nbatch = 0;
}

void search_index_bulk_add(int64_t id, const char *subject, const char *description, const char *fields)
{
	if (!bulk.running)
		return; /* indexed at the end */
	const char *texts[3] = {subject ? subject : "", description ? description : "", fields ? fields : ""};
	struct bulk_item *it = &batch[nbatch++];
	size_t total = 0;
	it->id = id;
	for (int i = 0; i < 3; i++)
		total += (size_t)(it->len[i] = (int)strlen(texts[i])) + 1;
	char *p = it->texts = xmalloc(total);
	for (int i = 0; i < 3; p += it->len[i++] + 1)
		memcpy(p, texts[i], (size_t)it->len[i] + 1);
	if (nbatch == BULK_BATCH)
		batch_push();
}

/* Copies the side index (one segment) into tickets_fts's own tables. */
static enum gd_status side_copy(struct db *w)
{
	static const char data_from[] = "SELECT id, block FROM tickets_fts_data";
	static const char data_to[] = "INSERT INTO tickets_fts_data (id, block) VALUES (?1, ?2)";
	static const char idx_from[] = "SELECT segid, term, pgno FROM tickets_fts_idx";
	static const char idx_to[] = "INSERT INTO tickets_fts_idx (segid, term, pgno) VALUES (?1, ?2, ?3)";
	struct db_stmt *from, *to;
	enum gd_status s;
	bool row;
	if ((s = db_exec(bulk.side, "COMMIT")) || (s = db_exec(w, "DELETE FROM tickets_fts_data; DELETE FROM tickets_fts_idx")))
		return s;
	if ((s = db_prepare(bulk.side, data_from, &from)))
		return s;
	while (!s && !(s = db_step(from, &row)) && row && !(s = db_prepare(w, data_to, &to))) {
		db_bind_int64(to, 1, db_col_int64(from, 0));
		db_bind_blob(to, 2, db_col_blob(from, 1), db_col_bytes(from, 1));
		s = db_run(to);
	}
	db_reset(from);
	if (s || (s = db_prepare(bulk.side, idx_from, &from)))
		return s;
	while (!s && !(s = db_step(from, &row)) && row && !(s = db_prepare(w, idx_to, &to))) {
		db_bind_int64(to, 1, db_col_int64(from, 0));
		const void *term = db_col_blob(from, 1); /* NULL when empty: the segment's first */
		db_bind_blob(to, 2, term ? term : "", db_col_bytes(from, 1));
		db_bind_int64(to, 3, db_col_int64(from, 2));
		s = db_run(to);
	}
	db_reset(from);
	return s;
}

/* FTS5 varints (SQLite's: 7 bits a byte, the high bit set on all but the
 * last; the values in a structure record stay far below 2^56). */
static int varint_get(const unsigned char *p, int n, uint64_t *v)
{
	*v = 0;
	for (int i = 0; i < n && i < 8; i++) {
		*v = (*v << 7) | (p[i] & 0x7f);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

static int varint_put(unsigned char *p, uint64_t v)
{
	unsigned char tmp[10];
	int n = 0;
	do
		tmp[n++] = (unsigned char)(v & 0x7f);
	while ((v >>= 7) && n < 8);
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(tmp[n - 1 - i] | (i < n - 1 ? 0x80 : 0));
	return n;
}

/* FTS5 files every segment it writes at level 0 and merges a level's
 * segments once four are there, whatever their sizes: the one segment of a
 * bulk load, at level 0, would be merged with the server's next few small
 * ones - the whole index rewritten in one write, seconds long, the WAL
 * hundreds of MiB. An index grown ticket by ticket has its big segments
 * high up, each level four times the one below. The structure record
 * (rowid 10: a 4-byte cookie, then varints: levels, segments, write
 * counter, and per level: segments in a merge, segments, and per segment:
 * id, first and last page) is rewritten with the segment at the level where
 * 4^level segments of one ticket would have put it. Only a record of one
 * segment on one level, in no merge, is touched. */
static enum gd_status raise_bulk_segment(struct db *w)
{
	static const char read_sql[] = "SELECT block, (SELECT coalesce(max(id), 1) FROM tickets)"
				       " FROM tickets_fts_data WHERE id = 10";
	static const char write_sql[] = "UPDATE tickets_fts_data SET block = ?1 WHERE id = 10";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	unsigned char in[64], out[128];
	int n = 0;
	int64_t tickets = 1;
	if ((s = db_prepare(w, read_sql, &st)))
		return s;
	if (!(s = db_step(st, &row)) && row && (n = db_col_bytes(st, 0)) <= (int)sizeof in) {
		memcpy(in, db_col_blob(st, 0), (size_t)n);
		tickets = db_col_int64(st, 1);
	}
	db_reset(st);
	if (s || !row || n > (int)sizeof in || n < 5)
		return s;
	uint64_t f[8]; /* levels, segments, counter, merging, on level, id, first, last */
	int at = 4;
	for (int i = 0; i < 8; i++) {
		int used = varint_get(in + at, n - at, &f[i]);
		if (!used)
			return GD_OK;
		at += used;
	}
	if (at != n || f[0] != 1 || f[1] != 1 || f[3] != 0 || f[4] != 1)
		return GD_OK; /* not the one fresh segment */
	int level = 1;
	for (int64_t reach = 4; reach < tickets && level < 30; reach *= 4)
		level++;
	memcpy(out, in, 4);
	at = 4;
	at += varint_put(out + at, (uint64_t)level + 1);
	at += varint_put(out + at, 1);
	at += varint_put(out + at, f[2]);
	for (int i = 0; i < level; i++)
		out[at++] = 0, out[at++] = 0; /* an empty level, no merge */
	out[at++] = 0;
	at += varint_put(out + at, 1);
	for (int i = 5; i < 8; i++)
		at += varint_put(out + at, f[i]);
	if ((s = db_prepare(w, write_sql, &st)))
		return s;
	db_bind_blob(st, 1, out, at);
	return db_run(st);
}

enum gd_status search_index_bulk(struct db *w, bool on)
{
	/* while loading, the tickets' insert trigger is dropped and nothing
	 * reads the index */
	if (on) {
		if (!side_start(w))
			log_at(LOG_WARN, "full-text index: no side database; the tickets are indexed at the end");
		return GD_OK;
	}
	if (bulk.running) {
		batch_push();
		pthread_mutex_lock(&bulk.lock);
		bulk.done = true;
		pthread_cond_signal(&bulk.more);
		pthread_mutex_unlock(&bulk.lock);
		pthread_join(bulk.thread, NULL);
		bulk.running = false;
		enum gd_status failed = bulk.status;
		enum gd_status s = failed ? failed : side_copy(w);
		side_remove();
		if (!failed)
			return s || (s = raise_bulk_segment(w)) ? s : db_exec(w, "DELETE FROM tickets_fts_queue");
		log_at(LOG_WARN, "full-text index: the side index failed (%s); indexing at the end", status_message(failed));
	}
	/* with a pending-terms buffer big enough for every ticket, FTS5 writes
	 * the whole index as one segment (at the savepoint: then it is there
	 * to be raised) */
	enum gd_status s = db_exec(w, "DELETE FROM tickets_fts_queue;"
				      "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', 1073741824);"
				      "INSERT INTO tickets_fts (rowid, subject, description, fields)"
				      " SELECT id, subject, description, fields FROM tickets_fts_source;"
				      "SAVEPOINT fts_written; RELEASE fts_written;"
				      "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', 1048576)");
	return s ? s : raise_bulk_segment(w);
}
