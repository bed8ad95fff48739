/* test_throttle.c - unit tests of login throttling (throttle.h): the strict
 * per-pair limit and its sliding window, the gentle per-username and
 * per-address delays, reset on success, and tables that a flood of other
 * names cannot clear. */
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

static void test_pair_is_strict(void **state)
{
	(void)state;
	int64_t t = 1000000;
	for (int i = 0; i < THROTTLE_PAIR_FAILURES; i++)
		throttle_fail("agent1", "10.0.0.1", t + i * 200);
	/* the oldest failure (t) leaves the window at t + 900 */
	int64_t now = t + 4 * 200 + 1;
	assert_int_equal(throttle_check("agent1", "10.0.0.1", now), t + THROTTLE_WINDOW - now);
	/* the same user elsewhere, and others here, only feel the gentle counts */
	assert_int_equal(throttle_check("agent1", "10.0.0.2", now + 1), 0);
	assert_int_equal(throttle_check("agent2", "10.0.0.1", now), 0);
	assert_int_equal(throttle_check("agent1", "10.0.0.1", t + THROTTLE_WINDOW), 0);
}

static void test_user_delay_is_progressive(void **state)
{
	(void)state;
	int64_t t = 2000000;
	char addr[32];
	/* failures from everywhere: up to the free count, nobody waits */
	for (int i = 0; i < THROTTLE_USER_FREE - 1; i++) {
		snprintf(addr, sizeof addr, "10.1.0.%d", i);
		throttle_fail("agent1", addr, t);
		assert_int_equal(throttle_check("agent1", "10.9.9.9", t), 0);
	}
	/* then 1 s, 2 s, 4 s … after the latest failure, never more than the cap */
	int64_t expect = 1;
	for (int i = 0; i < 12; i++) {
		snprintf(addr, sizeof addr, "10.2.0.%d", i);
		throttle_fail("agent1", addr, t);
		assert_int_equal(throttle_check("agent1", "10.9.9.9", t), expect);
		expect = expect * 2 > THROTTLE_DELAY_MAX ? THROTTLE_DELAY_MAX : expect * 2;
	}
	assert_int_equal(throttle_check("agent1", "10.9.9.9", t + THROTTLE_DELAY_MAX), 0);
	assert_int_equal(throttle_check("agent2", "10.9.9.9", t), 0);
}

static void test_address_delay(void **state)
{
	(void)state;
	int64_t t = 3000000;
	char user[32];
	for (int i = 0; i < THROTTLE_ADDR_FREE - 1; i++) {
		snprintf(user, sizeof user, "ghost%d", i);
		throttle_fail(user, "192.0.2.7", t);
	}
	assert_int_equal(throttle_check("agent1", "192.0.2.7", t), 0);
	throttle_fail("ghost-last", "192.0.2.7", t);
	assert_int_equal(throttle_check("agent1", "192.0.2.7", t), 1);
	assert_int_equal(throttle_check("agent1", "192.0.2.8", t), 0);
	/* a success does not clear an address */
	throttle_success("agent1", "192.0.2.7");
	assert_int_equal(throttle_check("agent1", "192.0.2.7", t), 1);
}

static void test_success_clears_pair_and_user(void **state)
{
	(void)state;
	int64_t t = 4000000;
	for (int i = 0; i < THROTTLE_PAIR_FAILURES + 3; i++)
		throttle_fail("handler", "198.51.100.1", t);
	assert_true(throttle_check("handler", "198.51.100.1", t) > 0);
	assert_true(throttle_check("handler", "203.0.113.1", t) > 0);
	throttle_success("handler", "198.51.100.1");
	assert_int_equal(throttle_check("handler", "198.51.100.1", t), 0);
	assert_int_equal(throttle_check("handler", "203.0.113.1", t), 0);
}

static void test_thin_failures_never_add_up(void **state)
{
	(void)state;
	int64_t t = 5000000;
	/* one failure every 250 s: the window of 900 s never holds five, the
	 * username forgets one every 180 s */
	for (int i = 0; i < 40; i++) {
		throttle_fail("slow", "10.3.0.1", t + (int64_t)i * 250);
		assert_int_equal(throttle_check("slow", "10.3.0.1", t + (int64_t)i * 250), 0);
	}
}

static void test_flood_cannot_evict_a_lock(void **state)
{
	(void)state;
	int64_t t = 6000000;
	for (int i = 0; i < THROTTLE_PAIR_FAILURES + 2; i++)
		throttle_fail("target", "10.4.0.1", t);
	int64_t pair_wait = throttle_check("target", "10.4.0.1", t);
	assert_true(pair_wait > 0);
	/* 4 junk names per address from 4,000 addresses: 16,000 failures, more
	 * entries than a table holds */
	for (int i = 0; i < 16000; i++) {
		char user[32], addr[32];
		snprintf(user, sizeof user, "junk%d", i);
		snprintf(addr, sizeof addr, "10.%d.%d.%d", 5 + i / 4 / 65536, (i / 4 / 256) % 256, (i / 4) % 256);
		throttle_fail(user, addr, t);
	}
	/* the locked pair and the slowed username are still held back */
	assert_int_equal(throttle_check("target", "10.4.0.1", t), pair_wait);
	assert_true(throttle_check("target", "10.4.0.9", t) > 0);
}

static void test_full_neighbourhood_fails_closed(void **state)
{
	(void)state;
	int64_t t = 7000000;
	/* lock more pairs than the table holds: new pairs cannot be counted, so
	 * they are held back rather than let through uncounted */
	int held = 0;
	for (int i = 0; i < THROTTLE_SLOTS + THROTTLE_SLOTS / 2; i++) {
		char user[32];
		snprintf(user, sizeof user, "u%d", i);
		for (int k = 0; k < THROTTLE_PAIR_FAILURES; k++)
			throttle_fail(user, "10.6.0.1", t);
	}
	for (int i = 0; i < 100; i++) {
		char user[32];
		snprintf(user, sizeof user, "fresh%d", i);
		held += throttle_check(user, "10.7.0.1", t) > 0;
	}
	assert_true(held > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pair_is_strict, reset),
		cmocka_unit_test_setup(test_user_delay_is_progressive, reset),
		cmocka_unit_test_setup(test_address_delay, reset),
		cmocka_unit_test_setup(test_success_clears_pair_and_user, reset),
		cmocka_unit_test_setup(test_thin_failures_never_add_up, reset),
		cmocka_unit_test_setup(test_flood_cannot_evict_a_lock, reset),
		cmocka_unit_test_setup(test_full_neighbourhood_fails_closed, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
