/* test_phone.c - unit tests of the phone-number rule (phone.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "gongdan/phone.h"

static const char *check(const char *s)
{
	return phone_check(s, strlen(s));
}

static void assert_refused(const char *s, const char *reason_part)
{
	const char *r = check(s);
	if (!r)
		fail_msg("\"%s\" was accepted", s);
	if (reason_part && !strstr(r, reason_part))
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", s, r, reason_part);
}

static void test_valid_mobiles(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"13987654321", "13012345678", "18912345678", "15388889999", "19900000000",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_null(check(ok[i]));
		assert_int_equal(phone_is_mobile(ok[i], strlen(ok[i])), 1);
	}
}

static void test_valid_fixed_lines(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"08711234567",  /* 昆明, 7 digits */
		"087112345678", /* 昆明, 8 digits */
		"06912123456",  /* 西双版纳 */
		"01012345678",  /* 北京, 8 digits */
		"0101234567",   /* 2-digit area code, 7 digits */
		"02112345678",  /* 上海 */
		"08881234567",  /* 丽江 */
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (check(ok[i]))
			fail_msg("\"%s\" refused: %s", ok[i], check(ok[i]));
		assert_int_equal(phone_is_mobile(ok[i], strlen(ok[i])), 0);
	}
}

static void test_not_digits(void **state)
{
	(void)state;
	const char *digits_only = "digits only";
	assert_refused("1398765432a", digits_only);
	assert_refused("abcdefghijk", digits_only);
	assert_refused("139 8765 4321", digits_only);
	assert_refused("0871-1234567", digits_only);
	assert_refused("+8613987654321", digits_only);
	assert_refused(" 13987654321", digits_only);
	assert_refused("13987654321\n", digits_only);
	/* full-width digits １３９８７６５４３２１ */
	assert_refused("\xef\xbc\x91\xef\xbc\x93\xef\xbc\x99\xef\xbc\x98\xef\xbc\x97"
		       "\xef\xbc\x96\xef\xbc\x95\xef\xbc\x94\xef\xbc\x93\xef\xbc\x92\xef\xbc\x91",
		       "full-width");
	/* one full-width ０ among ASCII digits */
	assert_refused("\xef\xbc\x90" "8711234567", "full-width");
	/* an embedded NUL counts as a non-digit */
	assert_non_null(phone_check("1398765\0" "321", 11));
}

static void test_wrong_lengths(void **state)
{
	(void)state;
	assert_refused("1398765432", "11 digits");   /* 10 digits starting with 1 */
	assert_refused("139876543210", "11 digits"); /* 12 digits starting with 1 */
	assert_refused("1", "11 digits");
	assert_refused("0871123456", "0 + area code");    /* 0871 + 6 digits */
	assert_refused("0871123456789", "0 + area code"); /* 0871 + 9 digits */
	assert_refused("010123456", "0 + area code");     /* 010 + 6 digits */
	assert_refused("010123456789", "0 + area code");  /* 010 + 9 digits */
	assert_refused("013987654321", "0 + area code");  /* 0 + mobile */
	assert_refused("0", "0 + area code");
	assert_refused("0086871123456", "area code does not start with 0");
	assert_refused("65123456", "needs its area code"); /* local number */
	assert_non_null(check(""));
	assert_non_null(phone_check(NULL, 0));
}

static void test_is_mobile_needs_validity(void **state)
{
	(void)state;
	assert_int_equal(phone_is_mobile("1398765432", 10), 0);
	assert_int_equal(phone_is_mobile("1398765432x", 11), 0);
	assert_int_equal(phone_is_mobile("", 0), 0);
}

static void test_length_not_nul(void **state)
{
	(void)state;
	/* n, not the NUL, ends the number */
	assert_null(phone_check("13987654321999", 11));
	assert_non_null(phone_check("13987654321", 10));
}

static void assert_area(const char *number, const char *want)
{
	char out[GD_PHONE_AREA_CODE_MAX + 1] = "junk";
	int n = phone_area_code(number, strlen(number), out);
	assert_string_equal(out, want);
	assert_int_equal(n, (int)strlen(want));
}

static void test_area_code(void **state)
{
	(void)state;
	assert_area("08711234567", "0871");
	assert_area("087112345678", "0871");
	assert_area("06921234567", "0692");
	assert_area("08871234567", "0887");
	assert_area("01012345678", "010");
	assert_area("02112345678", "021");
	assert_area("0291234567", "029");
	/* not fixed-line, or not valid: nothing */
	assert_area("13987654321", "");
	assert_area("0871123456", "");
	assert_area("0871-1234567", "");
	assert_area("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_mobiles),
		cmocka_unit_test(test_valid_fixed_lines),
		cmocka_unit_test(test_not_digits),
		cmocka_unit_test(test_wrong_lengths),
		cmocka_unit_test(test_is_mobile_needs_validity),
		cmocka_unit_test(test_length_not_nul),
		cmocka_unit_test(test_area_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
