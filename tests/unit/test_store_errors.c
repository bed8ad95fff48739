/* test_store_errors.c - store errors stay store errors: when a lookup that
 * validation needs fails (here: its table is gone; on a bad day: a busy
 * or broken database), the caller gets that status (500/503), never a
 * validation answer such as "unknown region". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/phrase.h"
#include "gongdan/ticket.h"

static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/gongdan-test-store-%d.db", (int)getpid());
	unlink(path);
	assert_int_equal(db_global_open(path), GD_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_global_close();
	char side[80];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	return 0;
}

static void break_table(const char *sql)
{
	struct db *d = NULL;
	assert_int_equal(db_open(path, &d), GD_OK);
	assert_int_equal(db_exec(d, sql), GD_OK);
	db_close(d);
}

static void test_region_lookup_failure_is_not_unknown_region(void **state)
{
	(void)state;
	bool found = true;
	assert_int_equal(region_exists(db_reader(), "KM", &found), GD_OK);
	assert_true(found);
	break_table("ALTER TABLE regions RENAME TO regions_gone");
	assert_int_not_equal(region_exists(db_reader(), "KM", &found), GD_OK);
	/* and validation of a ticket passes the failure on */
	struct principal agent = {.user_id = 1, .role = ROLE_AGENT, .department_id = 1};
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "category", "BILL.DISPUTE", "fault_number", "13812345678",
			       "subject", "话费异常", "region", "KM");
	struct gd_err e = GD_ERR_INIT;
	void *job = NULL;
	enum gd_status s = ticket_create_prepare(&agent, in, &job, &e);
	assert_int_not_equal(s, GD_OK);
	assert_int_not_equal(s, GD_E_VALIDATION);
	assert_null(job);
	assert_false(e.fields && json_object_get(e.fields, "region"));
	gd_err_release(&e);
	json_decref(in);
}

static enum gd_status create_phrase(struct db *w, void *ctx)
{
	return phrase_create(w, NULL, ctx, &(int64_t){0}, &(struct gd_err)GD_ERR_INIT);
}

static void test_phrase_lookup_failure_is_not_unknown_state(void **state)
{
	(void)state;
	break_table("ALTER TABLE wf_states RENAME TO wf_states_gone");
	json_t *in = json_pack("{s:s, s:s, s:s}", "kind", "greeting", "text", "您好", "state", "draft");
	enum gd_status s = db_write_run(create_phrase, in);
	assert_int_not_equal(s, GD_OK);
	assert_int_not_equal(s, GD_E_VALIDATION);
	json_decref(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_region_lookup_failure_is_not_unknown_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phrase_lookup_failure_is_not_unknown_state, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
