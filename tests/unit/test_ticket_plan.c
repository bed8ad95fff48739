/* test_ticket_plan.c - every list filter is index-backed: EXPLAIN QUERY PLAN
 * of the query ticket_list runs must never scan the tickets table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gongdan/db.h"
#include "gongdan/ticket.h"

static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/gongdan-plan-%d.db", (int)getpid());
	unlink(path);
	return db_global_open(path) == GD_OK ? 0 : -1;
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

/* Fails when any plan line scans the tickets table (SCAN t, with or
 * without an index: both read every row). */
static void assert_no_scan(const struct principal *who, const struct ticket_filter *f, const char *what)
{
	const char *sql = ticket_list_sql(who, f);
	assert_non_null(sql);
	struct strbuf plan = STRBUF_INIT(1 << 16);
	assert_int_equal(db_explain(db_reader(), sql, &plan), GD_OK);
	const char *p = strbuf_str(&plan);
	bool scans = false;
	for (const char *line = p; *line;) {
		size_t n = strcspn(line, "\n");
		if (n >= 6 && !strncmp(line, "SCAN t", 6) && (n == 6 || line[6] == ' '))
			scans = true;
		line += n + (line[n] == '\n');
	}
	if (scans)
		fprintf(stderr, "full scan for %s:\n%s\n", what, p);
	assert_false(scans);
	strbuf_release(&plan);
}

static const struct principal dispatcher = {.user_id = 1, .role = ROLE_DISPATCHER};
static const struct principal agent = {.user_id = 2, .role = ROLE_AGENT};
static const struct principal handler = {.user_id = 3, .role = ROLE_HANDLER, .department_id = 2};

static void test_main_filters_use_indexes(void **state)
{
	(void)state;
	const struct {
		const char *what;
		struct ticket_filter f;
	} cases[] = {
		{"state", {.state = "pending_dispatch", .overdue = -1}},
		{"state+department", {.state = "dispatched", .department = "NET", .overdue = -1}},
		{"department", {.department = "NET", .overdue = -1}},
		{"category", {.category = "NET", .overdue = -1}},
		{"region", {.region = "KM", .overdue = -1}},
		{"assignee", {.assignee = "me", .overdue = -1}},
		{"created_by", {.created_by = "me", .overdue = -1}},
		{"fault_number", {.fault_number = "13812345678", .overdue = -1}},
		{"overdue", {.overdue = 1}},
		{"q", {.q = "停机", .overdue = -1}},
		{"from+to", {.from = 1, .to = 2, .overdue = -1}},
		{"q+state", {.q = "扣费", .state = "closed", .overdue = -1}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_no_scan(&dispatcher, &cases[i].f, cases[i].what);
}

static void test_restricted_roles_use_indexes(void **state)
{
	(void)state;
	struct ticket_filter all = {.overdue = -1};
	assert_no_scan(&agent, &all, "agent: own tickets");
	assert_no_scan(&handler, &all, "handler: department's tickets");
	struct ticket_filter queue = {.state = "dispatched", .overdue = -1};
	assert_no_scan(&handler, &queue, "handler: queue by state");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_filters_use_indexes),
		cmocka_unit_test(test_restricted_roles_use_indexes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
