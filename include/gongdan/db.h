/* db.h - the store layer: the only code that calls sqlite3_* (Fossil's db.c).
 *
 * Connections: one writer connection shared behind a mutex (one writer beats a
 * connection per thread with busy_timeout on this machine), and one reader
 * connection per thread, opened on first use. Every connection runs in WAL
 * mode with foreign keys on and has its own statement cache: a statement is
 * prepared once (SQLITE_PREPARE_PERSISTENT) per connection and reused.
 *
 *   struct db *r = db_reader();
 *   struct db_stmt *st;
 *   if ((st_ = db_prepare(r, "SELECT name FROM users WHERE id = ?1", &st))) ...
 *   db_bind_int64(st, 1, id);
 *   while (!(s = db_step(st, &row)) && row) use db_col_text(st, 0);
 *   db_reset(st);
 *
 * Writes have one path: a job for the writer thread (db_write_submit, or
 * db_write_run to wait for it), which commits every waiting job in one
 * transaction. Server threads never hold the writer's lock. Tools on a
 * private connection use db_write_on().
 *
 * Errors: SQLITE_BUSY past the busy timeout (5 s) is GD_E_UNAVAILABLE; a
 * full disk (SQLITE_FULL, or ENOSPC behind an I/O error) is
 * GD_E_STORAGE_FULL and db_storage_full() says so until a commit succeeds
 * again. Both are logged at most once per interval, however many requests
 * hit them.
 */
#ifndef GD_DB_H
#define GD_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/status.h"
#include "gongdan/strbuf.h"

struct db;
struct db_stmt;

/* Opens the database file (creating it), applies pragmas and migrations, and
 * prepares the writer connection. Call once at start. */
enum gd_status db_global_open(const char *path);
/* Checkpoints the WAL and closes every connection. */
void db_global_close(void);
/* Bulk loading (`gongdan generate` only, one thread): the reader
 * connections close and reads go through the writer, which keeps its
 * rollback journal in memory instead of the WAL, does not sync and gets a
 * large page cache; the indexes and triggers of table not named in keep (a
 * NULL-terminated list) are dropped. db_bulk_end builds the full-text index
 * of every ticket, creates the indexes and triggers again from their saved
 * definitions and restores the serving settings. A crash meanwhile leaves a
 * database to throw away. */
enum gd_status db_bulk_begin(const char *table, const char *const *keep);
enum gd_status db_bulk_end(void);
/* Path given to db_global_open. */
const char *db_global_path(void);

/* This thread's reader connection (opened on first use); never NULL after a
 * successful db_global_open, aborts if the file cannot be opened. */
struct db *db_reader(void);

/* Tools only (`gongdan generate`, bulk loads), never while serving: locks
 * the global writer connection and starts BEGIN IMMEDIATE; on GD_OK *out is
 * the writer, finish with db_write_end (commits when st is GD_OK, else rolls
 * back; returns st or the commit's error). */
enum gd_status db_write_begin(struct db **out);
enum gd_status db_write_end(struct db *w, enum gd_status st);

/* On a private connection (tools, `gongdan init`): BEGIN IMMEDIATE,
 * run(d, ctx), COMMIT (ROLLBACK when run fails). Returns run's status or
 * the commit's. */
enum gd_status db_write_on(struct db *d, enum gd_status (*run)(struct db *w, void *ctx), void *ctx);

/* Whether writes are failing for lack of disk space; *since (may be NULL)
 * the wall-clock second of the first such failure. */
bool db_storage_full(int64_t *since);
/* Queues a write that needs a new page and commits it (no other effect):
 * while the disk is full it fails; once there is room it clears
 * db_storage_full(). */
void db_write_probe(void);

/* Group commit (STYLE §11: the commit is the ceiling). A job is one unit of
 * writing; the writer thread runs every job waiting at the time in ONE
 * transaction, each inside its own SAVEPOINT so a failing job rolls back
 * alone, commits once, then calls each job's done() with its outcome. A
 * job is answered only after its commit. A job must not wait for
 * another job (the writer runs one batch at a time). */
struct db_job {
	enum gd_status (*run)(struct db *w, void *ctx);
	void (*done)(struct db_job *job); /* on the writer thread, after commit */
	void *ctx;
	enum gd_status status;            /* set before done() */
	struct db_job *next;
};

/* Starts/stops the writer thread (serve). Without it, jobs run at once in
 * the caller's thread, each in its own transaction. Stopping runs every job
 * still queued first. */
enum gd_status db_writer_start(void);
void db_writer_stop(void);
/* Shutting down: jobs not yet begun fail with GD_E_UNAVAILABLE, waits for
 * another connection's lock give up, and running statements (readers' too)
 * are interrupted. Then db_writer_drain() returns once every queued job
 * has been answered. */
void db_writer_refuse(void);
void db_writer_drain(void);
/* Called on the writer thread after every group commit that succeeded
 * (never for one rolled back), outside the writer's lock: the live-update
 * publisher (events.h) learns there may be new history rows. It must be
 * quick and must not write. NULL: none. */
void db_set_after_commit(void (*hook)(void));
/* Queues a job for the next group commit. */
void db_write_submit(struct db_job *job);
/* Queues run(ctx) that nobody waits for (last_seen updates, the SLA sweep):
 * finish(ctx, status) (may be NULL) runs on the writer thread after the
 * commit or the failure. */
void db_write_detached(enum gd_status (*run)(struct db *w, void *ctx), void *ctx,
		       void (*finish)(void *ctx, enum gd_status st));
/* A finish that frees ctx. */
void db_free_ctx(void *ctx, enum gd_status st);
/* Submits run(ctx) and waits for its commit; returns its status. */
enum gd_status db_write_run(enum gd_status (*run)(struct db *w, void *ctx), void *ctx);

/* What /metrics shows of the store. Group-commit batches are counted by
 * size into buckets of at most 1, 2, 4, ... 256 jobs (the last count is
 * above the last bound); checkpoints by mode (passive, restart) and result
 * (ok, busy, error). */
#define DB_STATS_BATCH_BUCKETS 9
#define DB_STATS_BATCH_BOUNDS {1, 2, 4, 8, 16, 32, 64, 128, 256}
struct db_stats {
	unsigned long long batch_counts[DB_STATS_BATCH_BUCKETS + 1];
	unsigned long long batches, batch_jobs;
	unsigned long long checkpoints[2][3];
	unsigned long long checkpoint_copied; /* pages copied back into the database, in all */
	int64_t checkpoint_last_log;          /* pages in the WAL at the last checkpoint; -1: none yet */
	int64_t checkpoint_last_done;         /* of those, copied back by it */
	int64_t checkpoint_last_at;           /* its wall-clock second; 0: none yet */
	int64_t db_bytes, wal_bytes;          /* file sizes now (-1: cannot tell) */
};
void db_stats(struct db_stats *out);

/* Runs run(w, ctx) inside a SAVEPOINT of the caller's write transaction:
 * when run fails, what it wrote is rolled back and the transaction goes on
 * without it (a group-commit job, a keyed write, one ticket of a bulk
 * action). *status gets run's status. Returns GD_OK, or the failure of the
 * savepoint itself: then the whole transaction must be rolled back. */
enum gd_status db_savepoint(struct db *w, enum gd_status (*run)(struct db *w, void *ctx), void *ctx,
			    enum gd_status *status);

/* Read transaction on a reader connection: a consistent snapshot across
 * several statements. */
enum gd_status db_read_begin(struct db *r);
void db_read_end(struct db *r);

/* Returns the cached statement for sql (prepared on first use). The pointer
 * sql must be a string literal or otherwise outlive the connection: the
 * cache is keyed by it. */
enum gd_status db_prepare(struct db *d, const char *sql, struct db_stmt **out);
/* Resets the statement and clears its bindings; always call after use. */
void db_reset(struct db_stmt *st);

void db_bind_int64(struct db_stmt *st, int idx, int64_t v);
void db_bind_double(struct db_stmt *st, int idx, double v);
/* Binds a copy of n bytes of s (n < 0: strlen); NULL s binds NULL. */
void db_bind_text(struct db_stmt *st, int idx, const char *s, int n);
void db_bind_blob(struct db_stmt *st, int idx, const void *p, int n);
void db_bind_null(struct db_stmt *st, int idx);

/* Steps once. GD_OK with *row true: a row is ready; GD_OK with *row false:
 * done. SQLITE_BUSY maps to GD_E_UNAVAILABLE, constraint failures to
 * GD_E_CONFLICT, anything else to GD_E_INTERNAL (logged). */
enum gd_status db_step(struct db_stmt *st, bool *row);
/* Steps a statement that returns no rows, then resets it. */
enum gd_status db_run(struct db_stmt *st);

bool db_col_null(struct db_stmt *st, int col);
int64_t db_col_int64(struct db_stmt *st, int col);
double db_col_double(struct db_stmt *st, int col);
/* Borrowed: valid until the next step or reset. Never NULL ("" for NULL). */
const char *db_col_text(struct db_stmt *st, int col);
int db_col_bytes(struct db_stmt *st, int col);
/* The column as a new JSON string, or JSON null for SQL NULL. */
json_t *db_col_json_text(struct db_stmt *st, int col);
const void *db_col_blob(struct db_stmt *st, int col);

/* Steps st to the end, appending row(st) for each row to a new array in
 * *out; resets st. */
enum gd_status db_collect(struct db_stmt *st, json_t *(*row)(struct db_stmt *st), json_t **out);
/* Steps st once: *out = row(st), or GD_E_NOT_FOUND without a row; resets st. */
enum gd_status db_fetch_one(struct db_stmt *st, json_t *(*row)(struct db_stmt *st), json_t **out);

int64_t db_last_insert_id(struct db *d);
int db_changes(struct db *d);

/* Runs one or more statements with no parameters (migrations, pragmas). */
enum gd_status db_exec(struct db *d, const char *sql);

/* Appends the EXPLAIN QUERY PLAN of sql (one "detail" per line) to plan. */
enum gd_status db_explain(struct db *d, const char *sql, struct strbuf *plan);

/* Opens a private connection (tests, tools, `gongdan init`); not cached. */
enum gd_status db_open(const char *path, struct db **out);
void db_close(struct db *d);
/* Applies the embedded migrations in order; each in one transaction. */
enum gd_status db_migrate(struct db *d);
/* Online, consistent copy of the database to path (SQLite backup API):
 * one snapshot, taken while the server goes on writing; path appears only
 * once the copy is whole (it is written to path.partial first). */
enum gd_status db_backup(struct db *d, const char *path);

/* Embedded migrations (generated from sql/ at build time). */
struct db_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const size_t db_migration_count;

#endif
