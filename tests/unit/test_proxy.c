/* test_proxy.c - trusted proxy ranges (proxy.h): what --trusted-proxy
 * accepts, which peers match, and which client X-Forwarded-For names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "gongdan/proxy.h"

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &a4->sin_addr) == 1)
		a4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1)
		a6->sin6_family = AF_INET6;
	return ss;
}

static int reset(void **state)
{
	(void)state;
	proxy_reset();
	return 0;
}

static void test_ranges(void **state)
{
	(void)state;
	static const char *const good[] = {"10.0.0.0/8", "192.0.2.7", "192.0.2.0/24", "fd00::/8", "::1", "0.0.0.0/0"};
	static const char *const bad[] = {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/08",
					  "example.com", "", "/8", "fd00::1/8", "10.0.0.0/8/8"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(proxy_add(good[i]), GD_OK);
	proxy_reset();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (proxy_add(bad[i]) == GD_OK)
			fail_msg("accepted '%s'", bad[i]);
	for (int i = 0; i < PROXY_MAX; i++)
		assert_int_equal(proxy_add("192.0.2.0/24"), GD_OK);
	assert_int_equal(proxy_add("192.0.2.0/24"), GD_E_BAD_REQUEST);
}

static void test_matching(void **state)
{
	(void)state;
	struct sockaddr_storage a = addr("10.1.2.3"), b = addr("11.1.2.3"), c = addr("fd12::1"), d = addr("::ffff:10.9.9.9");
	assert_false(proxy_trusted((struct sockaddr *)&a)); /* nothing trusted by default */
	assert_int_equal(proxy_add("10.0.0.0/8"), GD_OK);
	assert_int_equal(proxy_add("fd00::/8"), GD_OK);
	assert_true(proxy_trusted((struct sockaddr *)&a));
	assert_false(proxy_trusted((struct sockaddr *)&b));
	assert_true(proxy_trusted((struct sockaddr *)&c));
	assert_true(proxy_trusted((struct sockaddr *)&d)); /* an IPv4 peer on an IPv6 socket */
}

static void test_client(void **state)
{
	(void)state;
	char out[64];
	struct sockaddr_storage proxy = addr("10.0.0.5"), other = addr("192.0.2.1");
	assert_int_equal(proxy_add("10.0.0.0/8"), GD_OK);
	proxy_client((struct sockaddr *)&proxy, "203.0.113.7", out, sizeof out);
	assert_string_equal(out, "203.0.113.7");
	/* the right-most address that is not a trusted proxy */
	proxy_client((struct sockaddr *)&proxy, "198.51.100.1, 203.0.113.7, 10.0.0.9", out, sizeof out);
	assert_string_equal(out, "203.0.113.7");
	proxy_client((struct sockaddr *)&proxy, "[2001:db8::1]:443, 203.0.113.8:5555", out, sizeof out);
	assert_string_equal(out, "203.0.113.8");
	proxy_client((struct sockaddr *)&proxy, "2001:db8::2", out, sizeof out);
	assert_string_equal(out, "2001:db8::2");
	/* garbage stops the walk at the last address that can be trusted */
	proxy_client((struct sockaddr *)&proxy, "203.0.113.9, not-an-address", out, sizeof out);
	assert_string_equal(out, "10.0.0.5");
	proxy_client((struct sockaddr *)&proxy, NULL, out, sizeof out);
	assert_string_equal(out, "10.0.0.5");
	/* from a peer that is no proxy, the header means nothing */
	proxy_client((struct sockaddr *)&other, "203.0.113.7", out, sizeof out);
	assert_string_equal(out, "192.0.2.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ranges, reset),
		cmocka_unit_test_setup(test_matching, reset),
		cmocka_unit_test_setup(test_client, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
