/* floor_sqlite.c - the floor for ticket creation: a bare SQLite insert of the
 * same ticket row, one transaction each, with the pragmas gongdan uses (WAL,
 * synchronous=NORMAL, foreign keys).
 *   floor_sqlite DB   inserts into the tickets table of DB, a database made
 *                     by `gongdan init` (the same table: its indexes, and the
 *                     full-text queue its trigger fills, indexed before each
 *                     commit as gongdan does, so the cjk tokenizer is
 *                     registered);
 *   floor_sqlite      inserts into a table of the same columns without any
 *                     index: the bare commit.
 * No HTTP, no JSON, no validation, no history, no counters. Runs for
 * BENCH_SECONDS (default 4) and prints "ops/s p50_ms p99_ms" on its last
 * line. Concurrency is not used: SQLite has one writer. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gongdan/fts_cjk.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void check(int rc, sqlite3 *db, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		fprintf(stderr, "floor_sqlite: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("BENCH_TMP") ? getenv("BENCH_TMP") : "/tmp";
	const char *secs = getenv("BENCH_SECONDS");
	double duration = (secs ? atof(secs) : 4.0) * 1000.0;
	char path[512];
	bool real_table = argc > 1;
	if (real_table)
		snprintf(path, sizeof path, "%s", argv[1]);
	else
		snprintf(path, sizeof path, "%s/floor-sqlite-%d.db", tmp, (int)getpid());
	sqlite3 *db;
	check(sqlite3_open(path, &db), db, "open");
	check(fts_cjk_register(db), db, "tokenizer");
	check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", NULL,
			   NULL, NULL),
	      db, "pragmas");
	if (!real_table)
		check(sqlite3_exec(db,
				   "CREATE TABLE tickets (id INTEGER PRIMARY KEY, number TEXT, category_id INTEGER,"
				   " fault_number TEXT, subject TEXT, customer_name TEXT, region TEXT,"
				   " contact_number TEXT, description TEXT, fields TEXT, priority TEXT, state TEXT,"
				   " created_by INTEGER, created_at INTEGER, updated_at INTEGER, version INTEGER)",
				   NULL, NULL, NULL),
		      db, "schema");
	sqlite3_stmt *begin, *ins, *commit, *index = NULL, *unqueue = NULL;
	check(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL), db, "prepare");
	/* the real table's trigger queues the row for the full-text index, which
	 * gongdan writes just before each commit: the floor does the same */
	if (real_table) {
		check(sqlite3_prepare_v2(db,
					 "INSERT INTO tickets_fts (rowid, subject, description, fields)"
					 " SELECT s.id, s.subject, s.description, s.fields FROM tickets_fts_queue q"
					 " CROSS JOIN tickets_fts_source s ON s.id = q.id",
					 -1, &index, NULL),
		      db, "prepare");
		check(sqlite3_prepare_v2(db, "DELETE FROM tickets_fts_queue", -1, &unqueue, NULL), db, "prepare");
	}
	check(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), db, "prepare");
	check(sqlite3_prepare_v2(db,
				 real_table
					 ? "INSERT INTO tickets (number, category_id, fault_number, subject, customer_name,"
					   " region, contact_number, description, fields, priority, state, created_by,"
					   " created_at, updated_at, version) VALUES (?1,"
					   " (SELECT id FROM categories WHERE code = 'VAS.MMS.FORCED'), '13812345678',"
					   " '用户反映手机被强行定制彩信业务', '一位先生', 'KM', '13812345678',"
					   " '用户称未定制移动多媒体邮箱却被扣费，要求退费并取消。', '{}', 'normal', 'draft',"
					   " (SELECT id FROM users WHERE username = 'agent1'), ?2, ?2, 1)"
					 : "INSERT INTO tickets (number, category_id, fault_number, subject, customer_name,"
					   " region, contact_number, description, fields, priority, state, created_by,"
					   " created_at, updated_at, version) VALUES (?1, 7, '13812345678',"
					   " '用户反映手机被强行定制彩信业务', '一位先生', 'KM', '13812345678',"
					   " '用户称未定制移动多媒体邮箱却被扣费，要求退费并取消。', '{}', 'normal', 'draft', 2,"
					   " ?2, ?2, 1)",
				 -1, &ins, NULL),
	      db, "prepare");
	size_t cap = 1 << 20, n = 0;
	double *lat = malloc(cap * sizeof *lat);
	double start = now_ms(), t = start;
	char number[32];
	while (t - start < duration && n < cap) {
		snprintf(number, sizeof number, "FL%d%08zu", (int)getpid() % 100000, n + 1);
		double t0 = now_ms();
		check(sqlite3_step(begin), db, "begin");
		sqlite3_reset(begin);
		sqlite3_bind_text(ins, 1, number, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, (sqlite3_int64)time(NULL));
		check(sqlite3_step(ins), db, "insert");
		sqlite3_reset(ins);
		for (sqlite3_stmt *st = index; st; st = st == index ? unqueue : NULL) {
			check(sqlite3_step(st), db, "index");
			sqlite3_reset(st);
		}
		check(sqlite3_step(commit), db, "commit");
		sqlite3_reset(commit);
		t = now_ms();
		lat[n++] = t - t0;
	}
	qsort(lat, n, sizeof *lat, cmp);
	printf("%.1f %.3f %.3f\n", n / ((t - start) / 1000.0), lat[n / 2], lat[(size_t)(n * 0.99)]);
	sqlite3_finalize(begin);
	sqlite3_finalize(ins);
	sqlite3_finalize(commit);
	sqlite3_finalize(index);
	sqlite3_finalize(unqueue);
	sqlite3_close(db);
	free(lat);
	char side[560];
	if (real_table)
		return 0; /* run.sh owns that database */
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	return 0;
}
