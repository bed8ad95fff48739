/* test_config.c - the configuration table (config.h): the file's syntax and
 * its errors with line numbers, every type's checks, and the precedence
 * defaults < file < environment < flags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gongdan/config.h"

struct opts {
	char *name, *mode, *list;
	int64_t count;
	bool loud;
	char *secret;
};

static const char *no_x(const char *v)
{
	return strchr(v, 'x') ? "must not hold an x" : NULL;
}

#define O(f) offsetof(struct opts, f)
static const struct config_item items[] = {
	{"name", CONFIG_STRING, O(name), "gongdan.db", 1, 20, false, NULL, NULL, "PATH", "a name"},
	{"count", CONFIG_INT, O(count), "4", 1, 64, false, NULL, NULL, "N", "a count"},
	{"mode", CONFIG_ENUM, O(mode), "text", 0, 0, false, "text|json", NULL, "M", "a mode"},
	{"list", CONFIG_LIST, O(list), NULL, 0, 40, false, NULL, no_x, "L", "a list"},
	{"loud", CONFIG_BOOL, O(loud), "false", 0, 0, false, NULL, NULL, NULL, "loud"},
	{"the-secret", CONFIG_STRING, O(secret), NULL, 1, 8, true, NULL, NULL, "S", "a secret"},
};
#define N (sizeof items / sizeof items[0])

/* Parses text as the file "t.conf"; returns the status, c is kept. */
static enum gd_status parse(struct config *c, struct opts *o, const char *text)
{
	memset(o, 0, sizeof *o);
	config_defaults(c, items, N, o);
	return config_parse_text(c, "t.conf", text, strlen(text));
}

static void expect_error(const char *text, const char *want)
{
	struct config c;
	struct opts o;
	enum gd_status st = parse(&c, &o, text);
	if (st == GD_OK || !strstr(c.error, want))
		fail_msg("for %s\nwanted an error with \"%s\", got %d \"%s\"", text, want, st, c.error);
	config_release(&c);
}

static void test_defaults_and_file(void **state)
{
	(void)state;
	struct config c;
	struct opts o;
	assert_int_equal(parse(&c, &o, "# a comment\n\n  count = 12  \nname=/var/lib/x.db\r\nmode = json\n"
				       "list = a, b ,c\nloud = yes\n\t# indented comment\n"),
			 GD_OK);
	assert_string_equal(o.name, "/var/lib/x.db");
	assert_int_equal(o.count, 12);
	assert_string_equal(o.mode, "json");
	assert_string_equal(o.list, "a, b ,c");
	assert_true(o.loud);
	assert_null(o.secret);
	char where[128];
	config_where(&c, "count", where, sizeof where);
	assert_string_equal(where, "t.conf:3: count");
	config_where(&c, "the-secret", where, sizeof where);
	assert_string_equal(where, "the default the-secret");
	config_release(&c);
	assert_null(o.name); /* released */

	assert_int_equal(parse(&c, &o, ""), GD_OK);
	assert_string_equal(o.name, "gongdan.db");
	assert_int_equal(o.count, 4);
	assert_string_equal(o.mode, "text");
	assert_false(o.loud);
	config_release(&c);
}

static void test_file_errors(void **state)
{
	(void)state;
	expect_error("count = 2\nthreds = 3\n", "t.conf:2: unknown key 'threds' (the keys are: name, count,");
	expect_error("count = 2\n\ncount = 3\n", "t.conf:3: duplicate key 'count' (first set on line 1)");
	expect_error("count = 0\n", "t.conf:1: count: '0' must be a whole number from 1 to 64");
	expect_error("count = 65\n", "t.conf:1: count: '65' must be a whole number from 1 to 64");
	expect_error("count = 012\n", "must be a whole number");
	expect_error("count = 1 # eight\n", "t.conf:1: count: '1 # eight' must be a whole number");
	expect_error("count\n", "t.conf:1: expected 'key = value'");
	expect_error("= 3\n", "t.conf:1: a key is needed before '='");
	expect_error("count =   \n", "t.conf:1: count: a value is needed after '='");
	expect_error("mode = xml\n", "t.conf:1: mode: 'xml' must be one of: text|json");
	expect_error("loud = maybe\n", "t.conf:1: loud: 'maybe' must be true or false");
	expect_error("name = 123456789012345678901\n", "must be 1 to 20 bytes long");
	expect_error("list = a,,b\n", "t.conf:1: list: 'a,,b' has an empty item");
	expect_error("list = a, x1\n", "t.conf:1: list: 'x1' must not hold an x");
	expect_error("name = a\x01z\n", "holds a control character");
	expect_error("\n\nname = \xff\n", "t.conf:3: the line is not valid UTF-8");
	expect_error("Count = 3\n", "unknown key 'Count'");
	/* a secret's value is never shown */
	struct config c;
	struct opts o;
	assert_int_not_equal(parse(&c, &o, "the-secret = hunter2hunter2\n"), GD_OK);
	assert_null(strstr(c.error, "hunter2"));
	assert_non_null(strstr(c.error, "t.conf:1: the-secret: the value must be 1 to 8 bytes long"));
	config_release(&c);
	/* an over-long line */
	char *big = malloc(CONFIG_CAP_LINE + 20);
	memset(big, 'a', CONFIG_CAP_LINE + 10);
	memcpy(big, "name = ", 7);
	big[CONFIG_CAP_LINE + 10] = '\0';
	expect_error(big, "t.conf:1: the line is longer than 4096 bytes");
	free(big);
}

/* config_load: a real file, the environment and flags, in order. */
static void test_precedence(void **state)
{
	(void)state;
	char path[] = "/tmp/gongdan-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "count = 10\nmode = json\nname = fromfile\nlist = a\n";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	struct config c;
	struct opts o;

	/* the file over the defaults */
	const char *argv1[] = {"--config", path};
	unsetenv("GONGDAN_COUNT");
	assert_int_equal(config_load(&c, items, N, &o, NULL, 2, argv1), GD_OK);
	assert_int_equal(o.count, 10);
	assert_string_equal(o.name, "fromfile");
	config_release(&c);

	/* the environment over the file; flags over both; lists from repeated flags */
	setenv("GONGDAN_COUNT", "20", 1);
	setenv("GONGDAN_NAME", "fromenv", 1);
	const char *argv2[] = {"--count", "30", "--config", path, "--loud", "--list", "b", "--list", "c"};
	assert_int_equal(config_load(&c, items, N, &o, NULL, 9, argv2), GD_OK);
	assert_int_equal(o.count, 30);
	assert_string_equal(o.name, "fromenv");
	assert_string_equal(o.mode, "json");
	assert_string_equal(o.list, "b,c");
	assert_true(o.loud);
	char where[128];
	config_where(&c, "name", where, sizeof where);
	assert_string_equal(where, "environment GONGDAN_NAME");
	config_where(&c, "count", where, sizeof where);
	assert_string_equal(where, "--count");
	config_release(&c);

	/* a bad environment value names the variable */
	setenv("GONGDAN_COUNT", "many", 1);
	assert_int_not_equal(config_load(&c, items, N, &o, NULL, 2, argv1), GD_OK);
	assert_non_null(strstr(c.error, "environment GONGDAN_COUNT: 'many' must be a whole number"));
	config_release(&c);
	unsetenv("GONGDAN_COUNT");
	unsetenv("GONGDAN_NAME");

	/* a bad flag, an unknown one, one without its value */
	const char *argv3[] = {"--count", "99"};
	assert_int_not_equal(config_load(&c, items, N, &o, NULL, 2, argv3), GD_OK);
	assert_non_null(strstr(c.error, "--count: '99' must be a whole number from 1 to 64"));
	config_release(&c);
	const char *argv4[] = {"--cont", "9"};
	assert_int_not_equal(config_load(&c, items, N, &o, NULL, 2, argv4), GD_OK);
	assert_string_equal(c.error, "unknown option '--cont'");
	config_release(&c);
	const char *argv5[] = {"--count"};
	assert_int_not_equal(config_load(&c, items, N, &o, NULL, 1, argv5), GD_OK);
	assert_string_equal(c.error, "option '--count' needs a value");
	config_release(&c);

	/* a missing --config FILE is an error; a missing default file is not */
	const char *argv6[] = {"--config", "/nonexistent/gongdan.conf"};
	assert_int_not_equal(config_load(&c, items, N, &o, NULL, 2, argv6), GD_OK);
	assert_non_null(strstr(c.error, "/nonexistent/gongdan.conf: cannot read the configuration file"));
	config_release(&c);
	assert_int_equal(config_load(&c, items, N, &o, "/nonexistent/gongdan.conf", 0, NULL), GD_OK);
	assert_null(c.file);
	config_release(&c);
	/* a bad default file is */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "count = 1\ncount = 2\n", 20), 20);
	close(fd);
	assert_int_not_equal(config_load(&c, items, N, &o, path, 0, NULL), GD_OK);
	assert_non_null(strstr(c.error, ":2: duplicate key 'count'"));
	config_release(&c);
	unlink(path);
}

static void test_usage(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT(1 << 16);
	assert_int_equal(config_usage(items, N, &sb), GD_OK);
	for (size_t i = 0; i < N; i++) {
		char flag[64];
		snprintf(flag, sizeof flag, "--%s", items[i].name);
		assert_non_null(strstr(sb.buf, flag));
	}
	assert_non_null(strstr(sb.buf, "(1 to 64) [default 4]"));
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
