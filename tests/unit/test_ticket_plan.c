/* test_ticket_plan.c - every list filter is index-backed: EXPLAIN QUERY PLAN
 * of the walk ticket_list runs reads its driving index in order, for every
 * driver and role; the full-text flush reads its queue. */
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
#include "gongdan/report.h"
#include "gongdan/search_index.h"
#include "gongdan/ticket_list.h"
#include "gongdan/workflow.h"

static char path[64];

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/gongdan-plan-%d.db", (int)getpid());
	unlink(path);
	/* the graph says which states are open: the work queues' drivers */
	return db_global_open(path) == GD_OK && wf_load(db_reader()) == GD_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	wf_release();
	db_global_close();
	char side[80];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	return 0;
}

/* The walk must read its driving index in id order: the plan names that
 * index (or the full-text table, or the table's own id range), never scans
 * the tickets table, and never sorts (a sort reads the whole range before
 * the first row, which is what bounded work rules out). */
static void assert_walk(const struct principal *who, const struct ticket_filter *f, bool leaf, const char *what,
			const char *expected)
{
	const char *index = NULL;
	const char *sql = ticket_list_sql(who, f, leaf, &index);
	assert_non_null(sql);
	if (expected && strcmp(index, expected))
		fprintf(stderr, "%s: walks %s, not %s\n", what, index, expected);
	if (expected)
		assert_string_equal(index, expected);
	struct strbuf plan = STRBUF_INIT(1 << 16);
	assert_int_equal(db_explain(db_reader(), sql, &plan), GD_OK);
	const char *p = strbuf_str(&plan);
	bool scans = false, sorts = strstr(p, "TEMP B-TREE FOR ORDER BY") != NULL, drives = false;
	char want[128];
	if (!strcmp(index, "tickets_fts"))
		snprintf(want, sizeof want, "SCAN f VIRTUAL TABLE");
	else if (!strcmp(index, "ticket_departments"))
		snprintf(want, sizeof want, "SEARCH v USING PRIMARY KEY");
	else if (!*index)
		snprintf(want, sizeof want, "SEARCH t USING INTEGER PRIMARY KEY");
	else if (!strncmp(index, "tickets_open_", 13)) /* the work queues: never a ticket's row (sql/0016) */
		snprintf(want, sizeof want, "SEARCH t USING COVERING INDEX %s ", index);
	else
		snprintf(want, sizeof want, "SEARCH t USING INDEX %s ", index);
	for (const char *line = p; *line;) {
		size_t n = strcspn(line, "\n");
		if (n >= 6 && !strncmp(line, "SCAN t", 6) && (n == 6 || line[6] == ' '))
			scans = true;
		if (!strncmp(line, want, strlen(want)))
			drives = true;
		line += n + (line[n] == '\n');
	}
	if (scans || sorts || !drives)
		fprintf(stderr, "%s: wanted '%s', no scan, no sort:\n%s\n", what, want, p);
	assert_false(scans);
	assert_false(sorts);
	assert_true(drives);
	strbuf_release(&plan);
}

static const struct principal dispatcher = {.user_id = 1, .role = ROLE_DISPATCHER};
static const struct principal agent = {.user_id = 2, .role = ROLE_AGENT};
static const struct principal handler = {.user_id = 3, .role = ROLE_HANDLER, .department_id = 2};

static void test_every_driver_walks_its_index(void **state)
{
	(void)state;
	const struct {
		const char *what;
		struct ticket_filter f;
		bool leaf;
	} cases[] = {
		{"no filter", {.overdue = -1}, false},
		{"state (open)", {.state = "pending_dispatch", .overdue = -1}, false},
		{"state (closed)", {.state = "closed", .overdue = -1}, false},
		{"state+department", {.state = "dispatched", .department = "NET", .overdue = -1}, false},
		{"state (closed)+department", {.state = "closed", .department = "NET", .overdue = -1}, false},
		{"rare combination", {.state = "dispatched", .region = "DQ", .category = "DATA", .overdue = 0}, false},
		{"q+state (open)", {.q = "停机", .state = "replied", .overdue = -1}, false},
		{"priority urgent", {.priority = "urgent", .overdue = -1}, false},
		{"sort=priority", {.sort = SORT_PRIORITY, .overdue = -1}, false},
		{"sort=priority, q", {.sort = SORT_PRIORITY, .q = "停机", .overdue = -1}, false},
		{"sort=deadline", {.sort = SORT_DEADLINE, .overdue = -1}, false},
		{"sort=deadline, a queue", {.sort = SORT_DEADLINE, .state = "dispatched", .department = "NET",
					    .region = "KM", .overdue = 0}, false},
		{"department", {.department = "NET", .overdue = -1}, false},
		{"category subtree", {.category = "NET", .overdue = -1}, false},
		{"category leaf", {.category = "NET.SIGNAL", .overdue = -1}, true},
		{"region", {.region = "KM", .overdue = -1}, false},
		{"assignee", {.assignee = "me", .overdue = -1}, false},
		{"created_by", {.created_by = "me", .overdue = -1}, false},
		{"fault_number", {.fault_number = "13812345678", .overdue = -1}, false},
		{"overdue", {.overdue = 1}, false},
		{"not overdue", {.overdue = 0}, false},
		{"q", {.q = "停机", .overdue = -1}, false},
		{"q+state", {.q = "扣费", .state = "closed", .overdue = -1}, false},
		{"q+fault_number", {.q = "扣费", .fault_number = "13812345678", .overdue = -1}, false},
		{"region+state (closed)", {.region = "KM", .state = "closed", .overdue = -1}, false},
		{"from+to", {.from = 1, .to = 2, .overdue = -1}, false},
		{"everything", {.state = "closed", .department = "NET", .category = "NET", .region = "KM", .assignee = "me",
				.created_by = "me", .overdue = 0, .from = 1, .to = 2}, false},
	};
	const struct principal *roles[] = {&dispatcher, &agent, &handler};
	for (size_t r = 0; r < 3; r++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			assert_walk(roles[r], &cases[i].f, cases[i].leaf, cases[i].what, NULL);
	/* a queue in deadline order walks only that queue (sql/0020) */
	const struct {
		const char *what;
		struct ticket_filter f;
		const char *index;
	} queues[] = {
		{"sort=deadline, a queue", {.sort = SORT_DEADLINE, .state = "dispatched", .department = "NET", .overdue = -1},
		 "tickets_open_state_dept_by_deadline"},
		{"sort=deadline, one state", {.sort = SORT_DEADLINE, .state = "pending_dispatch", .overdue = -1},
		 "tickets_open_state_by_deadline"},
		{"sort=deadline, overdue", {.sort = SORT_DEADLINE, .overdue = 1}, "tickets_open_by_deadline"},
	};
	for (size_t r = 0; r < 3; r++)
		for (size_t i = 0; i < sizeof queues / sizeof queues[0]; i++)
			assert_walk(roles[r], &queues[i].f, false, queues[i].what, queues[i].index);
}

/* The full-text queue is read by the queue, never by scanning tickets. */
static void test_index_flush_reads_the_queue(void **state)
{
	(void)state;
	struct strbuf plan = STRBUF_INIT(1 << 16);
	assert_int_equal(db_explain(db_reader(), search_index_flush_sql(), &plan), GD_OK);
	if (strstr(strbuf_str(&plan), "SCAN tickets"))
		fprintf(stderr, "flush plan:\n%s\n", strbuf_str(&plan));
	assert_null(strstr(strbuf_str(&plan), "SCAN tickets"));
	strbuf_release(&plan);
}

/* Every statement the reports read with is one index range: a counter
 * table's primary key, or for tickets the open tickets' covering index;
 * never a scan, never a sort. */
static void test_reports_read_ranges(void **state)
{
	(void)state;
	size_t n;
	const char *const *sqls = report_read_sql(&n);
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++) {
		struct strbuf plan = STRBUF_INIT(1 << 16);
		assert_int_equal(db_explain(db_reader(), sqls[i], &plan), GD_OK);
		const char *p = strbuf_str(&plan);
		bool ok = strstr(p, "SCAN") == NULL && strstr(p, "TEMP B-TREE") == NULL && !strncmp(p, "SEARCH ", 7);
		if (strstr(sqls[i], "FROM tickets"))
			ok = ok && strstr(p, "USING COVERING INDEX tickets_report_open ") != NULL;
		else
			ok = ok && strstr(p, "USING PRIMARY KEY (") != NULL && strstr(p, "p>? AND p<?") != NULL;
		if (!ok)
			fprintf(stderr, "report statement %zu is not one index range:\n%s\n%s\n", i, sqls[i], p);
		assert_true(ok);
		strbuf_release(&plan);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_driver_walks_its_index),
		cmocka_unit_test(test_index_flush_reads_the_queue),
		cmocka_unit_test(test_reports_read_ranges),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
