/* test_password.c - unit tests of scrypt password hashing (password.h) and
 * the secret helpers under it (secret.h): round trips, per-hash salts, the
 * stored format, the RFC 7914 test vector, refusal of malformed stored
 * strings and of over-long passwords. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gongdan/password.h"
#include "gongdan/digest.h"
#include "gongdan/secret.h"

static void test_round_trip(void **state)
{
	(void)state;
	char stored[PASSWORD_STORED_MAX];
	const char *pw = "correct horse battery staple";
	assert_int_equal(password_hash(pw, strlen(pw), stored), GD_OK);
	assert_true(password_verify(pw, strlen(pw), stored));
	assert_false(password_verify("correct horse battery stapler", 29, stored));
	assert_false(password_verify(pw, strlen(pw) - 1, stored));
	assert_false(password_verify("", 0, stored));
	assert_null(strstr(stored, pw));
}

static void test_format_and_params(void **state)
{
	(void)state;
	char stored[PASSWORD_STORED_MAX];
	assert_int_equal(password_hash("demo-agent1", 11, stored), GD_OK);
	assert_int_equal(strncmp(stored, "scrypt$16384$8$1$", 17), 0);
	/* salt: 16 bytes in base64 = 24 characters, hash: 32 bytes = 44 */
	const char *salt = stored + 17, *dollar = strchr(salt, '$');
	assert_non_null(dollar);
	assert_int_equal(dollar - salt, 24);
	assert_int_equal(strlen(dollar + 1), 44);
	uint64_t N;
	uint32_t r, p;
	assert_true(password_params(stored, &N, &r, &p));
	assert_int_equal(N, 16384);
	assert_int_equal(r, 8);
	assert_int_equal(p, 1);
}

static void test_salt_differs(void **state)
{
	(void)state;
	char a[PASSWORD_STORED_MAX], b[PASSWORD_STORED_MAX];
	assert_int_equal(password_hash("same password", 13, a), GD_OK);
	assert_int_equal(password_hash("same password", 13, b), GD_OK);
	assert_string_not_equal(a, b);
	assert_true(password_verify("same password", 13, a));
	assert_true(password_verify("same password", 13, b));
}

/* RFC 7914 section 12: scrypt("pleaseletmein", "SodiumChloride", N=16384,
 * r=8, p=1, 64 bytes) = 7023bdcb 3afd7348 ... Proves the KDF is scrypt and
 * that the stored salt and hash length are honoured. */
static void test_rfc7914_vector(void **state)
{
	(void)state;
	static const char stored[] = "scrypt$16384$8$1$U29kaXVtQ2hsb3JpZGU=$"
				     "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofLVQylVYT8Pz2LUlwUkKpr55h6F3A1lHkDfzwF7RVdYhw==";
	assert_true(password_verify("pleaseletmein", 13, stored));
	assert_false(password_verify("pleaseletmeIn", 13, stored));
	char changed[sizeof stored];
	memcpy(changed, stored, sizeof stored);
	changed[sizeof stored - 4] = changed[sizeof stored - 4] == 'A' ? 'B' : 'A';
	assert_false(password_verify("pleaseletmein", 13, changed));
	/* the same vector with N=1024 stored: a different key, so no match */
	char lower[sizeof stored];
	memcpy(lower, stored, sizeof stored);
	memcpy(lower + 7, "01024", 5);
	assert_false(password_verify("pleaseletmein", 13, lower));
}

static void test_malformed_stored(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"scrypt$",
		"bcrypt$16384$8$1$TmFDbA==$TmFDbA==",
		"scrypt$16383$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", /* not 2^k */
		"scrypt$1$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", /* too costly */
		"scrypt$16384$0$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"scrypt$16384$8$99$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"scrypt$16384$8$1$AA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", /* salt too short */
		"scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$!!!!",
		"scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==",
		"scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",                /* hash too short */
		"scrypt$-5$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"scrypt$99999999999999999999999$8$1$AAAA$AAAA",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t N;
		uint32_t r, p;
		if (password_verify("x", 1, bad[i]) || password_params(bad[i], &N, &r, &p))
			fail_msg("accepted malformed stored string %zu: %s", i, bad[i]);
	}
	assert_false(password_verify("x", 1, NULL));
}

static void test_lengths(void **state)
{
	(void)state;
	static char big[PASSWORD_MAX_BYTES + 1];
	char stored[PASSWORD_STORED_MAX];
	memset(big, 'p', sizeof big);
	assert_int_equal(password_hash(big, PASSWORD_MAX_BYTES + 1, stored), GD_E_TOO_LARGE);
	assert_int_equal(password_hash(big, PASSWORD_MAX_BYTES, stored), GD_OK);
	assert_true(password_verify(big, PASSWORD_MAX_BYTES, stored));
	assert_false(password_verify(big, PASSWORD_MAX_BYTES + 1, stored));
	/* an empty password hashes too (the API refuses it earlier) */
	assert_int_equal(password_hash("", 0, stored), GD_OK);
	assert_true(password_verify("", 0, stored));
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Prints what a login costs on this machine; asserts nothing on time. */
static void test_cost_report(void **state)
{
	(void)state;
	char stored[PASSWORD_STORED_MAX];
	assert_int_equal(password_hash("demo-agent1", 11, stored), GD_OK);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 5; i++)
		assert_true(password_verify("demo-agent1", 11, stored));
	double verify = ms_since(&t0) / 5;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 5; i++)
		password_burn("demo-agent1", 11);
	double burn = ms_since(&t0) / 5;
	print_message("scrypt N=16384 r=8 p=1: verify %.1f ms, dummy (unknown user) %.1f ms\n", verify, burn);
}

static void test_secret_helpers(void **state)
{
	(void)state;
	char a[SECRET_B64URL_LEN + 1], b[SECRET_B64URL_LEN + 1];
	assert_int_equal(secret_random_b64url(a), GD_OK);
	assert_int_equal(secret_random_b64url(b), GD_OK);
	assert_int_equal(strlen(a), SECRET_B64URL_LEN);
	assert_true(secret_is_b64url(a, strlen(a)));
	assert_string_not_equal(a, b);
	assert_false(secret_is_b64url("ab+c", 4));
	assert_true(secret_equal("abc", 3, "abc", 3));
	assert_false(secret_equal("abc", 3, "abd", 3));
	assert_false(secret_equal("abc", 3, "abcd", 4));

	unsigned char out[8];
	assert_int_equal(secret_b64_decode("TmFDbA==", 8, out, sizeof out), 4);
	assert_memory_equal(out, "NaCl", 4);
	assert_int_equal(secret_b64_decode("TmFDbA=", 7, out, sizeof out), -1);
	assert_int_equal(secret_b64_decode("Tm=DbA==", 8, out, sizeof out), -1);
	assert_int_equal(secret_b64_decode("AAAAAAAAAAAAAAAA", 16, out, sizeof out), -1); /* 12 bytes > 8 */
	char enc[16];
	secret_b64_encode((const unsigned char *)"NaCl", 4, enc);
	assert_string_equal(enc, "TmFDbA==");

	unsigned char h[DIGEST_SHA256_LEN];
	digest_sha256("abc", 3, h);
	static const unsigned char want[4] = {0xba, 0x78, 0x16, 0xbf};
	assert_memory_equal(h, want, sizeof want);
	char hex[2 * DIGEST_SHA256_LEN + 1];
	digest_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_format_and_params),
		cmocka_unit_test(test_salt_differs),   cmocka_unit_test(test_rfc7914_vector),
		cmocka_unit_test(test_malformed_stored), cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_cost_report),    cmocka_unit_test(test_secret_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
