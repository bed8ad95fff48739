/* test_db.c - the store: migrations are applied once and in order, statements
 * are prepared once and reused, and group commit keeps every job's writes
 * unless that job failed (its SAVEPOINT rolls back alone), at any depth of
 * db_savepoint. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "gongdan/db.h"

static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/gongdan-test-db-%d.db", (int)getpid());
	unlink(path);
	return 0;
}

static void remove_files(void)
{
	char side[80];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static int64_t scalar(struct db *d, const char *sql)
{
	struct db_stmt *st;
	bool row = false;
	int64_t v = -1;
	assert_int_equal(db_prepare(d, sql, &st), GD_OK);
	assert_int_equal(db_step(st, &row), GD_OK);
	if (row)
		v = db_col_int64(st, 0);
	db_reset(st);
	return v;
}

static void test_migrations_apply_once(void **state)
{
	(void)state;
	struct db *d = NULL;
	assert_int_equal(db_open(path, &d), GD_OK);
	assert_int_equal(db_migrate(d), GD_OK);
	int64_t version = scalar(d, "PRAGMA user_version");
	assert_int_equal(version, db_migrations[db_migration_count - 1].version);
	assert_int_equal(scalar(d, "SELECT count(*) FROM schema_migrations"), (int64_t)db_migration_count);
	/* again: nothing to do, nothing changes */
	assert_int_equal(db_migrate(d), GD_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM schema_migrations"), (int64_t)db_migration_count);
	assert_int_equal(scalar(d, "PRAGMA foreign_keys"), 1);
	db_close(d);
	remove_files();
}

static void test_statements_are_prepared_once(void **state)
{
	(void)state;
	static const char sql[] = "SELECT 1";
	struct db *d = NULL;
	struct db_stmt *a, *b;
	assert_int_equal(db_open(path, &d), GD_OK);
	assert_int_equal(db_prepare(d, sql, &a), GD_OK);
	assert_int_equal(db_prepare(d, sql, &b), GD_OK);
	assert_ptr_equal(a, b);
	db_close(d);
	remove_files();
}

/* A job that inserts its number and fails when the number is a multiple of 5. */
static enum gd_status insert_job(struct db *w, void *ctx)
{
	static const char sql[] = "INSERT INTO scratch (n) VALUES (?1)";
	struct db_stmt *st;
	enum gd_status s = db_prepare(w, sql, &st);
	if (s)
		return s;
	db_bind_int64(st, 1, (int64_t)(intptr_t)ctx);
	if ((s = db_run(st)))
		return s;
	return (intptr_t)ctx % 5 == 0 ? GD_E_VALIDATION : GD_OK;
}

static void *submitter(void *arg)
{
	intptr_t base = (intptr_t)arg;
	for (intptr_t i = 1; i <= 50; i++) {
		enum gd_status s = db_write_run(insert_job, (void *)(base + i));
		if (s != ((base + i) % 5 == 0 ? GD_E_VALIDATION : GD_OK))
			return (void *)1;
	}
	return NULL;
}

static enum gd_status create_scratch(struct db *w, void *ctx)
{
	(void)ctx;
	return db_exec(w, "CREATE TABLE scratch (n INTEGER PRIMARY KEY)");
}

static void test_group_commit_keeps_good_jobs_only(void **state)
{
	(void)state;
	assert_int_equal(db_global_open(path), GD_OK);
	/* without the writer thread a job runs at once, in the caller's thread */
	assert_int_equal(db_write_run(create_scratch, NULL), GD_OK);
	assert_int_equal(db_writer_start(), GD_OK);
	pthread_t t[4];
	for (intptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, submitter, (void *)(i * 1000));
	for (int i = 0; i < 4; i++) {
		void *failed = NULL;
		pthread_join(t[i], &failed);
		assert_null(failed);
	}
	/* 4 x 50 jobs, every fifth failed and left nothing behind */
	assert_int_equal(scalar(db_reader(), "SELECT count(*) FROM scratch"), 160);
	assert_int_equal(scalar(db_reader(), "SELECT count(*) FROM scratch WHERE n % 5 = 0"), 0);
	db_global_close();
	remove_files();
}

/* Inside one job (itself in the group commit's savepoint): 1..10 each in a
 * savepoint of its own, then 11 and 12 in savepoints nested in one that
 * fails, so all of it goes. */
static enum gd_status outer_fails(struct db *w, void *ctx)
{
	(void)ctx;
	enum gd_status st, s;
	for (intptr_t n = 11; n <= 12; n++) {
		if ((s = db_savepoint(w, insert_job, (void *)n, &st)))
			return s;
		assert_int_equal(st, GD_OK);
	}
	return GD_E_CONFLICT;
}

static enum gd_status nested_job(struct db *w, void *ctx)
{
	(void)ctx;
	enum gd_status st, s;
	for (intptr_t n = 1; n <= 10; n++) {
		if ((s = db_savepoint(w, insert_job, (void *)n, &st)))
			return s;
		assert_int_equal(st, n % 5 == 0 ? GD_E_VALIDATION : GD_OK);
	}
	if ((s = db_savepoint(w, outer_fails, NULL, &st)))
		return s;
	assert_int_equal(st, GD_E_CONFLICT);
	return GD_OK;
}

static void test_savepoints_roll_back_alone_at_any_depth(void **state)
{
	(void)state;
	assert_int_equal(db_global_open(path), GD_OK);
	assert_int_equal(db_write_run(create_scratch, NULL), GD_OK);
	assert_int_equal(db_writer_start(), GD_OK);
	assert_int_equal(db_write_run(nested_job, NULL), GD_OK);
	assert_int_equal(scalar(db_reader(), "SELECT count(*) FROM scratch"), 8);
	assert_int_equal(scalar(db_reader(), "SELECT count(*) FROM scratch WHERE n % 5 = 0 OR n > 10"), 0);
	db_global_close();
	remove_files();
}

static atomic_int detached_runs;

static enum gd_status count_run(struct db *w, void *ctx)
{
	(void)w;
	(void)ctx;
	atomic_fetch_add(&detached_runs, 1);
	return GD_OK;
}

static void test_refused_jobs_fail_and_drain(void **state)
{
	(void)state;
	assert_int_equal(db_global_open(path), GD_OK);
	assert_int_equal(db_write_run(create_scratch, NULL), GD_OK);
	assert_int_equal(db_writer_start(), GD_OK);
	for (int i = 0; i < 10; i++)
		db_write_detached(count_run, NULL, NULL);
	db_writer_drain();
	assert_int_equal(atomic_load(&detached_runs), 10);
	/* stopping: a job queued now is answered at once, unrun */
	db_writer_refuse();
	assert_int_equal(db_write_run(insert_job, (void *)(intptr_t)1), GD_E_UNAVAILABLE);
	db_write_detached(count_run, NULL, NULL);
	db_writer_drain();
	assert_int_equal(atomic_load(&detached_runs), 10);
	assert_int_equal(scalar(db_reader(), "SELECT count(*) FROM scratch"), 0);
	db_global_close();
	remove_files();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_apply_once),
		cmocka_unit_test(test_statements_are_prepared_once),
		cmocka_unit_test(test_group_commit_keeps_good_jobs_only),
		cmocka_unit_test(test_savepoints_roll_back_alone_at_any_depth),
		cmocka_unit_test(test_refused_jobs_fail_and_drain),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
