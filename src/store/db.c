/* db.c - SQLite connections, statement cache, transactions, migrations and
 * backup. The only file besides fts_cjk.c that calls sqlite3_*. */
#include "gongdan/db.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gongdan/fts_cjk.h"
#include "gongdan/log.h"
#include "gongdan/search_index.h"
#include "gongdan/xalloc.h"

#define DB_BUSY_TIMEOUT_MS 5000
#define DB_STMT_CACHE 512

struct db_cached {
	const char *sql; /* key: the caller's string literal */
	sqlite3_stmt *stmt;
};

struct db {
	sqlite3 *h;
	struct db_cached cache[DB_STMT_CACHE];
	int ncache;
	struct db *next_reader; /* list of all readers, closed at shutdown */
};

/* struct db_stmt is never defined: a db_stmt pointer is a sqlite3_stmt. */
#define STMT(st) ((sqlite3_stmt *)(void *)(st))

static char *global_path;
static struct db *writer;
static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t readers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *readers;
static _Thread_local struct db *thread_reader;

static bool writer_running; /* the group-commit thread (below) */
/* Set when the server stops: busy waits give up at once. */
static atomic_bool stopping;
/* Wall-clock second of the first write that found the disk full; 0 while
 * writes succeed. */
static _Atomic int64_t full_since;

static struct log_limit busy_log = LOG_LIMIT_INIT, full_log = LOG_LIMIT_INIT, error_log = LOG_LIMIT_INIT;

static void storage_full(sqlite3 *h)
{
	int64_t zero = 0;
	atomic_compare_exchange_strong(&full_since, &zero, (int64_t)time(NULL));
	log_limited(&full_log, 60, LOG_ERROR, "storage full: writes fail (%s); free disk space next to %s",
		    h ? sqlite3_errmsg(h) : "no space", global_path ? global_path : "the database");
}

static enum gd_status map_rc(sqlite3 *h, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return GD_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_limited(&busy_log, 10, LOG_WARN, "database busy: %.200s", what);
		return GD_E_UNAVAILABLE;
	case SQLITE_INTERRUPT:
		return GD_E_UNAVAILABLE; /* the server is stopping */
	case SQLITE_CONSTRAINT:
		return GD_E_CONFLICT;
	case SQLITE_TOOBIG:
		return GD_E_TOO_LARGE;
	case SQLITE_FULL:
		storage_full(h);
		return GD_E_STORAGE_FULL;
	case SQLITE_IOERR:
		/* some writes report a full disk as an I/O error with ENOSPC */
		if (h && (sqlite3_system_errno(h) == ENOSPC || sqlite3_system_errno(h) == EDQUOT)) {
			storage_full(h);
			return GD_E_STORAGE_FULL;
		}
		/* fall through */
	default:
		log_limited(&error_log, 10, LOG_ERROR, "sqlite error %d (%s) in: %.200s", rc,
			    h ? sqlite3_errmsg(h) : "?", what);
		return GD_E_INTERNAL;
	}
}

bool db_storage_full(int64_t *since)
{
	int64_t t = atomic_load(&full_since);
	if (since)
		*since = t;
	return t != 0;
}

/* Waits for a lock held by another connection like SQLite's own handler
 * (1, 2, 5, 10 … 100 ms steps up to DB_BUSY_TIMEOUT_MS), but gives up at
 * once when the server stops, so an outside lock cannot hold up the exit. */
static int busy_wait(void *arg, int count)
{
	static const int steps[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
	enum { NSTEPS = sizeof steps / sizeof steps[0] };
	(void)arg;
	if (atomic_load(&stopping))
		return 0;
	int waited = 0;
	for (int i = 0; i < count && i < NSTEPS; i++)
		waited += steps[i];
	if (count > NSTEPS)
		waited += (count - NSTEPS) * 100;
	if (waited >= DB_BUSY_TIMEOUT_MS)
		return 0;
	int step = count < NSTEPS ? steps[count] : 100;
	for (int slept = 0, chunk; slept < step && !atomic_load(&stopping); slept += chunk) {
		chunk = step - slept < 5 ? step - slept : 5;
		usleep((useconds_t)chunk * 1000);
	}
	return !atomic_load(&stopping);
}

/* Runs a parameterless statement through the cache (BEGIN, COMMIT…). */
static enum gd_status run_cached(struct db *d, const char *sql)
{
	struct db_stmt *st;
	enum gd_status s = db_prepare(d, sql, &st);
	return s ? s : db_run(st);
}

static const char sql_begin[] = "BEGIN", sql_begin_immediate[] = "BEGIN IMMEDIATE", sql_commit[] = "COMMIT";

enum gd_status db_exec(struct db *d, const char *sql)
{
	int rc = sqlite3_exec(d->h, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		enum gd_status st = map_rc(d->h, rc, sql);
		return st ? st : GD_E_INTERNAL;
	}
	return GD_OK;
}

/* Process-wide SQLite settings, before the first connection: no global
 * memory statistics (they take a process-wide mutex on every allocation). */
static void lib_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

enum gd_status db_open(const char *path, struct db **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, lib_init);
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_at(LOG_ERROR, "cannot open database %s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		return GD_E_INTERNAL;
	}
	struct db *d = xcalloc(1, sizeof *d);
	d->h = h;
	sqlite3_busy_handler(h, busy_wait, NULL);
	sqlite3_extended_result_codes(h, 1);
	/* journal_size_limit: a WAL that was reset is cut back to 64 MiB */
	enum gd_status st = db_exec(d, "PRAGMA journal_mode=WAL;"
				       "PRAGMA synchronous=NORMAL;"
				       "PRAGMA foreign_keys=ON;"
				       "PRAGMA temp_store=MEMORY;"
				       "PRAGMA journal_size_limit=67108864;");
	if (!st && fts_cjk_register(h) != SQLITE_OK) {
		log_at(LOG_ERROR, "cannot register the cjk tokenizer");
		st = GD_E_INTERNAL;
	}
	if (st) {
		db_close(d);
		return st;
	}
	*out = d;
	return GD_OK;
}

void db_close(struct db *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->ncache; i++)
		sqlite3_finalize(d->cache[i].stmt);
	sqlite3_close(d->h);
	free(d);
}

enum gd_status db_prepare(struct db *d, const char *sql, struct db_stmt **out)
{
	for (int i = 0; i < d->ncache; i++) {
		if (d->cache[i].sql == sql) {
			*out = (struct db_stmt *)(void *)d->cache[i].stmt;
			return GD_OK;
		}
	}
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK) {
		enum gd_status st = map_rc(d->h, rc, sql);
		return st ? st : GD_E_INTERNAL;
	}
	/* Nothing is ever evicted: a caller may hold a statement it prepared
	 * earlier and has not stepped yet. The SQL texts are bounded by the
	 * code (literals, and a few list shapes per visibility scope), far
	 * below the cap; passing it is a bug, answered 500, never a crash. */
	if (d->ncache >= DB_STMT_CACHE) {
		sqlite3_finalize(stmt);
		log_at(LOG_ERROR, "statement cache full (%d): %.120s", DB_STMT_CACHE, sql);
		return GD_E_INTERNAL;
	}
	d->cache[d->ncache].sql = sql;
	d->cache[d->ncache].stmt = stmt;
	d->ncache++;
	*out = (struct db_stmt *)(void *)stmt;
	return GD_OK;
}

void db_reset(struct db_stmt *st)
{
	sqlite3_reset(STMT(st));
	sqlite3_clear_bindings(STMT(st));
}

void db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(STMT(st), idx, v);
}

void db_bind_double(struct db_stmt *st, int idx, double v)
{
	sqlite3_bind_double(STMT(st), idx, v);
}

void db_bind_text(struct db_stmt *st, int idx, const char *s, int n)
{
	if (!s)
		sqlite3_bind_null(STMT(st), idx);
	else
		sqlite3_bind_text(STMT(st), idx, s, n, SQLITE_TRANSIENT);
}

void db_bind_blob(struct db_stmt *st, int idx, const void *p, int n)
{
	sqlite3_bind_blob(STMT(st), idx, p, n, SQLITE_TRANSIENT);
}

void db_bind_null(struct db_stmt *st, int idx)
{
	sqlite3_bind_null(STMT(st), idx);
}

enum gd_status db_step(struct db_stmt *st, bool *row)
{
	int rc = sqlite3_step(STMT(st));
	*row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return GD_OK;
	sqlite3 *h = sqlite3_db_handle(STMT(st));
	enum gd_status s = map_rc(h, rc, sqlite3_sql(STMT(st)));
	return s ? s : GD_E_INTERNAL;
}

enum gd_status db_run(struct db_stmt *st)
{
	bool row;
	enum gd_status s = db_step(st, &row);
	db_reset(st);
	return s;
}

bool db_col_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(STMT(st), col) == SQLITE_NULL;
}

int64_t db_col_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(STMT(st), col);
}

double db_col_double(struct db_stmt *st, int col)
{
	return sqlite3_column_double(STMT(st), col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(STMT(st), col);
	return s ? (const char *)s : "";
}

json_t *db_col_json_text(struct db_stmt *st, int col)
{
	return db_col_null(st, col) ? json_null() : json_string(db_col_text(st, col));
}

int db_col_bytes(struct db_stmt *st, int col)
{
	return sqlite3_column_bytes(STMT(st), col);
}

const void *db_col_blob(struct db_stmt *st, int col)
{
	return sqlite3_column_blob(STMT(st), col);
}

enum gd_status db_collect(struct db_stmt *st, json_t *(*row)(struct db_stmt *st), json_t **out)
{
	json_t *items = json_array();
	enum gd_status s;
	bool more;
	while (!(s = db_step(st, &more)) && more)
		json_array_append_new(items, row(st));
	db_reset(st);
	if (s) {
		json_decref(items);
		return s;
	}
	*out = items;
	return GD_OK;
}

enum gd_status db_fetch_one(struct db_stmt *st, json_t *(*row)(struct db_stmt *st), json_t **out)
{
	bool found;
	enum gd_status s = db_step(st, &found);
	if (!s && found)
		*out = row(st);
	db_reset(st);
	return s ? s : found ? GD_OK : GD_E_NOT_FOUND;
}

int64_t db_last_insert_id(struct db *d)
{
	return sqlite3_last_insert_rowid(d->h);
}

int db_changes(struct db *d)
{
	return sqlite3_changes(d->h);
}

static int user_version(struct db *d)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(d->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

enum gd_status db_migrate(struct db *d)
{
	enum gd_status st = db_exec(d, "CREATE TABLE IF NOT EXISTS schema_migrations ("
				       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
	if (st)
		return st;
	int have = user_version(d);
	if (have < 0)
		return GD_E_INTERNAL;
	int newest = db_migration_count ? db_migrations[db_migration_count - 1].version : 0;
	if (have > newest) {
		/* a newer gongdan migrated it: this one does not know its tables */
		log_at(LOG_ERROR, "the database's schema is version %d, newer than this gongdan's %d; run the newer gongdan",
		       have, newest);
		return GD_E_INTERNAL;
	}
	for (size_t i = 0; i < db_migration_count; i++) {
		const struct db_migration *m = &db_migrations[i];
		if (m->version <= have)
			continue;
		if ((st = db_exec(d, "BEGIN IMMEDIATE")))
			return st;
		st = db_exec(d, m->sql);
		if (!st) {
			sqlite3_stmt *ins = NULL;
			if (sqlite3_prepare_v2(d->h, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, unixepoch())", -1, &ins, NULL) != SQLITE_OK) {
				st = GD_E_INTERNAL;
			} else {
				sqlite3_bind_int(ins, 1, m->version);
				sqlite3_bind_text(ins, 2, m->name, -1, SQLITE_STATIC);
				if (sqlite3_step(ins) != SQLITE_DONE)
					st = GD_E_INTERNAL;
			}
			sqlite3_finalize(ins);
		}
		if (!st) {
			char pragma[64];
			snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", m->version);
			st = db_exec(d, pragma);
		}
		if (st) {
			log_at(LOG_ERROR, "migration %s failed; database left at version %d", m->name, have);
			db_exec(d, "ROLLBACK");
			return st;
		}
		if ((st = db_exec(d, "COMMIT")))
			return st;
		log_at(LOG_INFO, "applied migration %s", m->name);
		have = m->version;
	}
	return GD_OK;
}

enum gd_status db_backup(struct db *d, const char *path)
{
	/* the copy is written to PATH.partial and linked to PATH only once it
	 * is whole: an interrupted backup never leaves a file that looks like
	 * one, and link() never replaces a file that appeared meanwhile */
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.partial", path) >= (int)sizeof tmp)
		return GD_E_BAD_REQUEST;
	unlink(tmp);
	sqlite3 *dst = NULL;
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		log_at(LOG_ERROR, "cannot create backup %s: %s", tmp, dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return GD_E_INTERNAL;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", d->h, "main");
	int rc = SQLITE_ERROR;
	if (b) {
		/* every page in one step, i.e. in one read transaction: a snapshot
		 * of the WAL that the server's writer never waits for. Stepping in
		 * pieces would restart whenever the server commits, which under
		 * steady writes is for ever. */
		for (int tries = 0; tries < 200; tries++) {
			rc = sqlite3_backup_step(b, -1);
			if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
				break;
			sqlite3_sleep(10);
		}
		sqlite3_backup_finish(b);
	}
	enum gd_status st = rc == SQLITE_DONE ? GD_OK : GD_E_INTERNAL;
	if (st)
		log_at(LOG_ERROR, "backup to %s failed: %s", path, sqlite3_errmsg(dst));
	if (sqlite3_close(dst) != SQLITE_OK)
		st = GD_E_INTERNAL;
	if (!st && link(tmp, path)) {
		log_at(LOG_ERROR, "cannot create %s: %s", path, strerror(errno));
		st = GD_E_INTERNAL;
	}
	unlink(tmp);
	return st;
}

enum gd_status db_global_open(const char *path)
{
	enum gd_status st;
	global_path = xstrdup(path);
	if ((st = db_open(path, &writer)))
		return st;
	return db_migrate(writer);
}

/* Closes every reader connection (they reopen on first use). */
static void close_readers(void)
{
	pthread_mutex_lock(&readers_lock);
	while (readers) {
		struct db *next = readers->next_reader;
		db_close(readers);
		readers = next;
	}
	pthread_mutex_unlock(&readers_lock);
}

/* The indexes and triggers db_bulk_begin dropped, as their CREATE
 * statements; while bulk_active, reads go through the writer. */
static char **bulk_schema;
static int bulk_nschema;
static bool bulk_active;

enum gd_status db_bulk_begin(const char *table, const char *const *keep)
{
	static const char sql[] = "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('index', 'trigger')"
				  " AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY type, name";
	struct db *w;
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	/* one connection: the rollback journal in memory instead of the WAL, so
	 * every page is written once, not to the log and again to the file */
	close_readers();
	thread_reader = NULL;
	bulk_active = true;
	/* 4 GiB of page cache at most: SQLite only takes what it uses; the
	 * indexes rebuilt at the end sort on two threads */
	if ((s = db_exec(writer, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-4194304;"
				 " PRAGMA foreign_keys=OFF; PRAGMA threads=2")) ||
	    (s = db_write_begin(&w)))
		return s;
	if ((s = db_prepare(w, sql, &st)))
		return db_write_end(w, s);
	db_bind_text(st, 1, table, -1);
	struct strbuf drops = STRBUF_INIT(1u << 20);
	while (!(s = db_step(st, &row)) && row) {
		const char *name = db_col_text(st, 1);
		bool kept = false;
		for (const char *const *k = keep; *k && !kept; k++)
			kept = !strcmp(*k, name);
		if (kept)
			continue;
		bulk_schema = xrealloc(bulk_schema, (size_t)(bulk_nschema + 1) * sizeof *bulk_schema);
		bulk_schema[bulk_nschema++] = xstrdup(db_col_text(st, 2));
		/* names come from the schema itself, quoted as identifiers */
		strbuf_addf(&drops, "DROP %s \"", strcmp(db_col_text(st, 0), "index") ? "TRIGGER" : "INDEX");
		for (const char *c = name; *c; c++)
			strbuf_addch(&drops, *c), *c == '"' ? strbuf_addch(&drops, '"') : 0;
		strbuf_adds(&drops, "\";");
	}
	db_reset(st);
	if (!s && drops.len)
		s = db_exec(w, drops.buf);
	strbuf_release(&drops);
	if (!s)
		s = search_index_bulk(w, true);
	return db_write_end(w, s);
}

enum gd_status db_bulk_end(void)
{
	struct db *w = NULL;
	enum gd_status s = db_write_begin(&w);
	if (!s)
		s = search_index_bulk(w, false);
	for (int i = 0; i < bulk_nschema; i++) {
		if (!s)
			s = db_exec(w, bulk_schema[i]);
		free(bulk_schema[i]);
	}
	free(bulk_schema);
	bulk_schema = NULL;
	bulk_nschema = 0;
	if (w)
		s = db_write_end(w, s);
	bulk_active = false;
	enum gd_status m = db_exec(writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-2000;"
					   " PRAGMA foreign_keys=ON; PRAGMA threads=0; PRAGMA optimize");
	return s ? s : m;
}

const char *db_global_path(void)
{
	return global_path;
}

void db_global_close(void)
{
	db_writer_stop();
	thread_reader = NULL; /* the server's threads are gone by now */
	close_readers();
	if (writer) {
		db_exec(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
		db_close(writer);
		writer = NULL;
	}
	free(global_path);
	global_path = NULL;
}

struct db *db_reader(void)
{
	if (thread_reader)
		return thread_reader;
	if (bulk_active)
		return writer;
	struct db *d = NULL;
	if (db_open(global_path, &d)) {
		log_at(LOG_ERROR, "cannot open a reader connection");
		abort();
	}
	/* readers map the file (up to SQLite's 2 GiB cap): a page read is a
	 * memory access, not a read() into this connection's cache, which every
	 * commit of the writer empties */
	db_exec(d, "PRAGMA query_only=ON; PRAGMA mmap_size=2147418112");
	pthread_mutex_lock(&readers_lock);
	d->next_reader = readers;
	readers = d;
	pthread_mutex_unlock(&readers_lock);
	thread_reader = d;
	return d;
}

/* Tools on the global connection (`gongdan generate`, bulk loads): never
 * while the writer thread runs, so the server keeps one write path. */
enum gd_status db_write_begin(struct db **out)
{
	GD_ASSERT(!writer_running);
	pthread_mutex_lock(&writer_lock);
	enum gd_status st = run_cached(writer, sql_begin_immediate);
	if (st) {
		pthread_mutex_unlock(&writer_lock);
		return st;
	}
	*out = writer;
	return GD_OK;
}

enum gd_status db_write_end(struct db *w, enum gd_status st)
{
	if (!st)
		st = search_index_flush(w);
	if (!st)
		st = run_cached(w, sql_commit);
	if (st)
		sqlite3_exec(w->h, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&writer_lock);
	return st;
}

enum gd_status db_write_on(struct db *d, enum gd_status (*run)(struct db *w, void *ctx), void *ctx)
{
	enum gd_status st = run_cached(d, sql_begin_immediate);
	if (st)
		return st;
	if (!(st = run(d, ctx)) && !(st = search_index_flush(d)))
		st = run_cached(d, sql_commit);
	if (st)
		sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
	return st;
}

static const char sql_savepoint[] = "SAVEPOINT part", sql_release[] = "RELEASE part",
		  sql_undo[] = "ROLLBACK TO part";

/* One name serves every level: ROLLBACK TO and RELEASE act on the newest
 * savepoint of that name, which is always this call's own (an inner one
 * was released before run returned). */
enum gd_status db_savepoint(struct db *w, enum gd_status (*run)(struct db *w, void *ctx), void *ctx,
			    enum gd_status *status)
{
	enum gd_status st;
	*status = GD_OK;
	if ((st = run_cached(w, sql_savepoint)))
		return st;
	*status = run(w, ctx);
	if (*status && (st = run_cached(w, sql_undo)))
		return st;
	return run_cached(w, sql_release);
}

enum gd_status db_read_begin(struct db *r)
{
	/* a read left open by an error path must not poison this connection */
	if (!sqlite3_get_autocommit(r->h))
		db_read_end(r);
	return run_cached(r, sql_begin);
}

void db_read_end(struct db *r)
{
	if (run_cached(r, sql_commit))
		sqlite3_exec(r->h, "ROLLBACK", NULL, NULL, NULL);
}

enum gd_status db_explain(struct db *d, const char *sql, struct strbuf *plan)
{
	struct strbuf q = STRBUF_INIT(1u << 20);
	sqlite3_stmt *st = NULL;
	enum gd_status s = strbuf_addf(&q, "EXPLAIN QUERY PLAN %s", sql);
	if (!s && sqlite3_prepare_v2(d->h, q.buf, -1, &st, NULL) != SQLITE_OK) {
		log_at(LOG_ERROR, "explain: %s", sqlite3_errmsg(d->h));
		s = GD_E_INTERNAL;
	}
	while (!s && sqlite3_step(st) == SQLITE_ROW)
		s = strbuf_addf(plan, "%s\n", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	strbuf_release(&q);
	return s;
}

/* --- checkpoints --------------------------------------------------------- */

/* While serving, the WAL is copied back into the database by a thread of its
 * own, so no commit waits for a checkpoint and its fsync. The writer's WAL
 * hook wakes it once the log passes DB_CHECKPOINT_FRAMES pages; it then
 * checkpoints PASSIVE, which never blocks the writer or readers.
 *
 * PASSIVE alone does not bound the WAL: the log only starts over from its
 * beginning when a checkpoint has copied all of it while no reader still
 * needs it, and with the writer and readers always busy that moment never
 * comes (a million creates grew it to 4.3 GB). So past DB_WAL_RESTART_FRAMES
 * the thread checkpoints RESTART, holding the writer's lock (so the group
 * commit waits, readers go on): it waits for the readers of older
 * snapshots to finish - ours take milliseconds - copies the rest, and the
 * next commit writes from the beginning of the log again;
 * journal_size_limit then cuts the file back.
 * The WAL therefore stays under about DB_WAL_RESTART_FRAMES pages plus one
 * group commit. */
#define DB_CHECKPOINT_FRAMES 1000
#define DB_WAL_RESTART_FRAMES 8192 /* 32 MiB of 4 KiB pages */
#define DB_CHECKPOINT_BUSY_MS 2000 /* how long RESTART waits for old readers */

/* --- what /metrics shows of the writer and the checkpoints ------------- */

static const unsigned batch_bounds[DB_STATS_BATCH_BUCKETS] = DB_STATS_BATCH_BOUNDS;
static atomic_ullong batch_counts[DB_STATS_BATCH_BUCKETS + 1], batch_total, batch_jobs;
static atomic_ullong checkpoint_counts[2][3], checkpoint_copied;
static _Atomic int64_t checkpoint_last_log = -1, checkpoint_last_done = -1, checkpoint_last_at;

static void stats_batch(int n)
{
	int b = 0;
	while (b < DB_STATS_BATCH_BUCKETS && (unsigned)n > batch_bounds[b])
		b++;
	atomic_fetch_add(&batch_counts[b], 1);
	atomic_fetch_add(&batch_total, 1);
	atomic_fetch_add(&batch_jobs, (unsigned long long)n);
}

static void stats_checkpoint(bool restart, int rc, int log, int done)
{
	int result = rc == SQLITE_OK ? 0 : rc == SQLITE_BUSY ? 1 : 2;
	atomic_fetch_add(&checkpoint_counts[restart][result], 1);
	if (rc == SQLITE_OK || rc == SQLITE_BUSY) {
		atomic_store(&checkpoint_last_log, log);
		atomic_store(&checkpoint_last_done, done);
		atomic_store(&checkpoint_last_at, (int64_t)time(NULL));
		if (done > 0)
			atomic_fetch_add(&checkpoint_copied, (unsigned long long)done);
	}
}

void db_stats(struct db_stats *out)
{
	memset(out, 0, sizeof *out);
	for (int b = 0; b <= DB_STATS_BATCH_BUCKETS; b++)
		out->batch_counts[b] = atomic_load(&batch_counts[b]);
	out->batches = atomic_load(&batch_total);
	out->batch_jobs = atomic_load(&batch_jobs);
	for (int m = 0; m < 2; m++)
		for (int r = 0; r < 3; r++)
			out->checkpoints[m][r] = atomic_load(&checkpoint_counts[m][r]);
	out->checkpoint_copied = atomic_load(&checkpoint_copied);
	out->checkpoint_last_log = atomic_load(&checkpoint_last_log);
	out->checkpoint_last_done = atomic_load(&checkpoint_last_done);
	out->checkpoint_last_at = atomic_load(&checkpoint_last_at);
	struct stat sb;
	out->db_bytes = global_path && !stat(global_path, &sb) ? (int64_t)sb.st_size : -1;
	char wal[PATH_MAX];
	snprintf(wal, sizeof wal, "%s-wal", global_path ? global_path : "");
	out->wal_bytes = global_path && !stat(wal, &sb) ? (int64_t)sb.st_size : 0;
}

static pthread_t checkpoint_thread;
static pthread_mutex_t checkpoint_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t checkpoint_cond = PTHREAD_COND_INITIALIZER;
static bool checkpoint_wanted, checkpoint_stopping, checkpoint_running;
static int checkpoint_frames; /* the WAL's size when the hook last woke the thread */

static int wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)arg;
	(void)h;
	(void)name;
	if (frames >= DB_CHECKPOINT_FRAMES) {
		pthread_mutex_lock(&checkpoint_lock);
		checkpoint_wanted = true;
		checkpoint_frames = frames;
		pthread_cond_signal(&checkpoint_cond);
		pthread_mutex_unlock(&checkpoint_lock);
	}
	return SQLITE_OK;
}

static void *checkpoint_main(void *arg)
{
	struct db *d = arg;
	pthread_mutex_lock(&checkpoint_lock);
	while (!checkpoint_stopping) {
		while (!checkpoint_wanted && !checkpoint_stopping)
			pthread_cond_wait(&checkpoint_cond, &checkpoint_lock);
		if (checkpoint_stopping)
			break;
		checkpoint_wanted = false;
		int mode = checkpoint_frames >= DB_WAL_RESTART_FRAMES ? SQLITE_CHECKPOINT_RESTART
									: SQLITE_CHECKPOINT_PASSIVE;
		pthread_mutex_unlock(&checkpoint_lock);
		int log = 0, done = 0;
		/* RESTART waits for "no writer": with group commits back to back
		 * that moment never comes, so take our own writer's lock for it */
		if (mode == SQLITE_CHECKPOINT_RESTART)
			pthread_mutex_lock(&writer_lock);
		int rc = sqlite3_wal_checkpoint_v2(d->h, NULL, mode, &log, &done);
		if (mode == SQLITE_CHECKPOINT_RESTART)
			pthread_mutex_unlock(&writer_lock);
		stats_checkpoint(mode == SQLITE_CHECKPOINT_RESTART, rc, log, done);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_at(LOG_WARN, "checkpoint: %s", sqlite3_errmsg(d->h));
		else
			log_at(LOG_DEBUG, "checkpoint %s: %d of %d pages%s", mode == SQLITE_CHECKPOINT_RESTART ? "restart" : "passive",
			       done, log, rc == SQLITE_BUSY ? " (busy)" : "");
		pthread_mutex_lock(&checkpoint_lock);
	}
	pthread_mutex_unlock(&checkpoint_lock);
	db_close(d);
	return NULL;
}

static enum gd_status checkpointer_start(void)
{
	struct db *d = NULL;
	enum gd_status st = db_open(global_path, &d);
	if (st)
		return st;
	sqlite3_busy_timeout(d->h, DB_CHECKPOINT_BUSY_MS);
	checkpoint_stopping = false;
	if (pthread_create(&checkpoint_thread, NULL, checkpoint_main, d)) {
		db_close(d);
		return GD_E_INTERNAL;
	}
	checkpoint_running = true;
	/* the writer stops checkpointing itself and tells the thread instead */
	sqlite3_wal_autocheckpoint(writer->h, 0);
	sqlite3_wal_hook(writer->h, wal_hook, NULL);
	return GD_OK;
}

static void checkpointer_stop(void)
{
	if (!checkpoint_running)
		return;
	sqlite3_wal_hook(writer->h, NULL, NULL);
	sqlite3_wal_autocheckpoint(writer->h, 1000);
	pthread_mutex_lock(&checkpoint_lock);
	checkpoint_stopping = true;
	pthread_cond_signal(&checkpoint_cond);
	pthread_mutex_unlock(&checkpoint_lock);
	pthread_join(checkpoint_thread, NULL);
	checkpoint_running = false;
}

/* --- group commit ------------------------------------------------------ */

#define DB_BATCH_MAX 256

static pthread_t writer_thread;
static bool writer_stopping;
static atomic_bool writer_refusing; /* db_writer_refuse(): new jobs fail at once */
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cond = PTHREAD_COND_INITIALIZER;
static struct db_job *jobs_head, *jobs_tail;
static int jobs_running; /* jobs taken by the writer and not yet done */
static void (*_Atomic after_commit)(void); /* db_set_after_commit */

void db_set_after_commit(void (*hook)(void))
{
	atomic_store(&after_commit, hook);
}

/* Runs a chain of jobs in one transaction, then reports each outcome. */
static void run_batch(struct db_job *batch)
{
	pthread_mutex_lock(&writer_lock);
	enum gd_status st = atomic_load(&writer_refusing) ? GD_E_UNAVAILABLE : run_cached(writer, sql_begin_immediate);
	for (struct db_job *j = batch; j; j = j->next) {
		if (st)
			j->status = st;
		else
			st = db_savepoint(writer, j->run, j->ctx, &j->status);
	}
	if (!st)
		st = search_index_flush(writer);
	if (!st)
		st = run_cached(writer, sql_commit);
	if (st) {
		/* nothing of this batch is durable: every job fails with the cause */
		if (!sqlite3_get_autocommit(writer->h))
			sqlite3_exec(writer->h, "ROLLBACK", NULL, NULL, NULL);
		for (struct db_job *j = batch; j; j = j->next)
			if (!j->status)
				j->status = st;
	} else {
		atomic_store(&full_since, 0); /* a commit: there is room again */
	}
	pthread_mutex_unlock(&writer_lock);
	void (*hook)(void) = atomic_load(&after_commit);
	if (!st && hook)
		hook(); /* before the answers: a change is announced as soon as it is durable */
	for (struct db_job *j = batch, *next; j; j = next) {
		next = j->next;
		j->done(j); /* may free j */
	}
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&jobs_lock);
	for (;;) {
		while (!jobs_head && !writer_stopping)
			pthread_cond_wait(&jobs_cond, &jobs_lock);
		if (!jobs_head)
			break;
		/* take what is waiting, up to the batch limit */
		struct db_job *batch = jobs_head, *last = jobs_head;
		int n = 1;
		for (; n < DB_BATCH_MAX && last->next; n++)
			last = last->next;
		jobs_head = last->next;
		if (!jobs_head)
			jobs_tail = NULL;
		last->next = NULL;
		jobs_running = n;
		pthread_mutex_unlock(&jobs_lock);
		stats_batch(n);
		run_batch(batch);
		pthread_mutex_lock(&jobs_lock);
		jobs_running = 0;
		pthread_cond_broadcast(&jobs_cond);
	}
	pthread_mutex_unlock(&jobs_lock);
	return NULL;
}

enum gd_status db_writer_start(void)
{
	enum gd_status st = checkpointer_start();
	if (st)
		return st;
	writer_stopping = false;
	atomic_store(&writer_refusing, false);
	atomic_store(&stopping, false);
	if (pthread_create(&writer_thread, NULL, writer_main, NULL)) {
		checkpointer_stop();
		return GD_E_INTERNAL;
	}
	writer_running = true;
	return GD_OK;
}

void db_writer_refuse(void)
{
	atomic_store(&writer_refusing, true);
	atomic_store(&stopping, true);
	/* a statement running now stops at its next step */
	if (writer)
		sqlite3_interrupt(writer->h);
	pthread_mutex_lock(&readers_lock);
	for (struct db *r = readers; r; r = r->next_reader)
		sqlite3_interrupt(r->h);
	pthread_mutex_unlock(&readers_lock);
}

void db_writer_drain(void)
{
	if (!writer_running)
		return;
	pthread_mutex_lock(&jobs_lock);
	while (jobs_head || jobs_running)
		pthread_cond_wait(&jobs_cond, &jobs_lock);
	pthread_mutex_unlock(&jobs_lock);
}

void db_writer_stop(void)
{
	if (!writer_running)
		return;
	pthread_mutex_lock(&jobs_lock);
	writer_stopping = true; /* the queue is drained before the thread ends */
	pthread_cond_signal(&jobs_cond);
	pthread_mutex_unlock(&jobs_lock);
	pthread_join(writer_thread, NULL);
	writer_running = false;
	checkpointer_stop();
}

void db_write_submit(struct db_job *job)
{
	job->next = NULL;
	if (!writer_running) {
		run_batch(job);
		return;
	}
	pthread_mutex_lock(&jobs_lock);
	if (jobs_tail)
		jobs_tail->next = job;
	else
		jobs_head = job;
	jobs_tail = job;
	pthread_cond_signal(&jobs_cond);
	pthread_mutex_unlock(&jobs_lock);
}

struct sync_job {
	struct db_job job;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool finished;
};

static void sync_done(struct db_job *job)
{
	struct sync_job *sj = (struct sync_job *)job;
	pthread_mutex_lock(&sj->lock);
	sj->finished = true;
	pthread_cond_signal(&sj->cond);
	pthread_mutex_unlock(&sj->lock);
}

enum gd_status db_write_run(enum gd_status (*run)(struct db *w, void *ctx), void *ctx)
{
	struct sync_job sj = {.job = {.run = run, .done = sync_done, .ctx = ctx}};
	pthread_mutex_init(&sj.lock, NULL);
	pthread_cond_init(&sj.cond, NULL);
	db_write_submit(&sj.job);
	pthread_mutex_lock(&sj.lock);
	while (!sj.finished)
		pthread_cond_wait(&sj.cond, &sj.lock);
	pthread_mutex_unlock(&sj.lock);
	pthread_mutex_destroy(&sj.lock);
	pthread_cond_destroy(&sj.cond);
	return sj.job.status;
}

struct detached_job {
	struct db_job job;
	void (*finish)(void *ctx, enum gd_status st);
};

static void detached_done(struct db_job *job)
{
	struct detached_job *d = (struct detached_job *)job;
	if (d->finish)
		d->finish(job->ctx, job->status);
	free(d);
}

void db_write_detached(enum gd_status (*run)(struct db *w, void *ctx), void *ctx,
		       void (*finish)(void *ctx, enum gd_status st))
{
	struct detached_job *d = xcalloc(1, sizeof *d);
	d->job.run = run;
	d->job.ctx = ctx;
	d->job.done = detached_done;
	d->finish = finish;
	db_write_submit(&d->job);
}

void db_free_ctx(void *ctx, enum gd_status st)
{
	(void)st;
	free(ctx);
}

/* A write that needs a page of its own: the header's user_version, set to
 * what it is. It tells whether the disk has room again. */
static enum gd_status probe_run(struct db *w, void *ctx)
{
	(void)ctx;
	int v = user_version(w);
	char pragma[64];
	if (v < 0)
		return GD_E_INTERNAL;
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v);
	return db_exec(w, pragma);
}

void db_write_probe(void)
{
	db_write_detached(probe_run, NULL, NULL);
}
