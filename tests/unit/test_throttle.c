/* test_throttle.c - unit tests of login throttling (throttle.h): the
 * per-username and per-address limits, the sliding 15-minute window, reset
 * on success, and a full table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "gongdan/throttle.h"

static int reset(void **state)
{
	(void)state;
	throttle_reset();
	return 0;
}

static void test_user_limit(void **state)
{
	(void)state;
	int64_t t = 1000000;
	for (int i = 0; i < THROTTLE_MAX_FAILURES - 1; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "10.0.0.%d", i);
		throttle_fail("agent1", addr, t + i);
	}
	assert_int_equal(throttle_check("agent1", "10.9.9.9", t + 10), 0);
	throttle_fail("agent1", "10.0.0.99", t + 10);
	/* the oldest failure (t) leaves the window at t + 900 */
	assert_int_equal(throttle_check("agent1", "10.9.9.9", t + 10), THROTTLE_WINDOW - 10);
	assert_int_equal(throttle_check("agent2", "10.9.9.9", t + 10), 0);
	assert_int_equal(throttle_check("agent1", "10.9.9.9", t + THROTTLE_WINDOW), 0);
}

static void test_address_limit(void **state)
{
	(void)state;
	int64_t t = 2000000;
	for (int i = 0; i < THROTTLE_MAX_FAILURES; i++) {
		char user[32];
		snprintf(user, sizeof user, "ghost%d", i);
		throttle_fail(user, "192.0.2.7", t);
	}
	assert_true(throttle_check("agent1", "192.0.2.7", t + 1) > 0);
	assert_int_equal(throttle_check("agent1", "192.0.2.8", t + 1), 0);
	/* success does not clear an address */
	throttle_success("agent1");
	assert_true(throttle_check("agent1", "192.0.2.7", t + 1) > 0);
}

static void test_success_resets_user(void **state)
{
	(void)state;
	int64_t t = 3000000;
	for (int i = 0; i < THROTTLE_MAX_FAILURES; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "198.51.100.%d", i);
		throttle_fail("handler", addr, t);
	}
	assert_true(throttle_check("handler", "203.0.113.1", t) > 0);
	throttle_success("handler");
	assert_int_equal(throttle_check("handler", "203.0.113.1", t), 0);
}

static void test_sliding_window(void **state)
{
	(void)state;
	int64_t t = 4000000;
	/* failures spread over more than the window never add up to five */
	for (int i = 0; i < 20; i++) {
		char addr[32];
		snprintf(addr, sizeof addr, "10.1.0.%d", i);
		throttle_fail("slow", addr, t + (int64_t)i * 300);
		assert_int_equal(throttle_check("slow", "10.2.0.1", t + (int64_t)i * 300), 0);
	}
}

static void test_full_table(void **state)
{
	(void)state;
	int64_t t = 5000000;
	for (int i = 0; i < THROTTLE_MAX_FAILURES; i++)
		throttle_fail("target", "10.3.0.1", t);
	/* a flood of other names fills the table without breaking anything */
	for (int i = 0; i < 3 * THROTTLE_SLOTS; i++) {
		char user[32];
		snprintf(user, sizeof user, "flood%d", i);
		throttle_fail(user, "10.3.0.2", t);
	}
	assert_true(throttle_check("flood1", "10.3.0.9", t) >= 0);
	assert_true(throttle_check("anyone", "10.3.0.2", t) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_user_limit, reset),
		cmocka_unit_test_setup(test_address_limit, reset),
		cmocka_unit_test_setup(test_success_resets_user, reset),
		cmocka_unit_test_setup(test_sliding_window, reset),
		cmocka_unit_test_setup(test_full_table, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
