/* test_json_out.c - the JSON text the lists write by hand (json_out.h)
 * parses back to the same strings, and is byte for byte what jansson's
 * json_dumps writes for them: every ASCII byte, Chinese, quotes, escapes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/json_out.h"

/* json_out_string(s) equals json_dumps of the string, and parses to s. */
static void assert_like_jansson(const char *s)
{
	struct strbuf sb = STRBUF_INIT(1 << 16);
	assert_int_equal(json_out_string(&sb, s), GD_OK);
	json_t *v = json_string(s);
	assert_non_null(v);
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_string_equal(strbuf_str(&sb), want);
	json_t *back = json_loads(strbuf_str(&sb), JSON_DECODE_ANY, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(back), s);
	json_decref(back);
	json_decref(v);
	free(want);
	strbuf_release(&sb);
}

static void test_every_ascii_byte(void **state)
{
	(void)state;
	char s[3] = {0};
	for (int c = 1; c < 128; c++) {
		s[0] = (char)c;
		s[1] = 'x';
		assert_like_jansson(s);
	}
}

static void test_texts(void **state)
{
	(void)state;
	const char *texts[] = {
		"", "停机", "用户称\"余额充足\"仍被停机\\，要求复机。", "第一行\r\n第二行\t制表", "\x1f\x7f结尾",
		"emoji 😀 and ASCII", "a\\", "\"", "\\u0041 is not an escape here", "家中信号弱，通话中断",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		assert_like_jansson(texts[i]);
}

static void test_null_and_keys(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT(1024);
	assert_int_equal(strbuf_addch(&sb, '{'), GD_OK);
	assert_int_equal(json_out_key(&sb, "subject", 1), GD_OK);
	assert_int_equal(json_out_string(&sb, "信号\"弱\""), GD_OK);
	assert_int_equal(json_out_key(&sb, "summary", 0), GD_OK);
	assert_int_equal(json_out_string(&sb, NULL), GD_OK);
	assert_int_equal(strbuf_addch(&sb, '}'), GD_OK);
	assert_string_equal(strbuf_str(&sb), "{\"subject\":\"信号\\\"弱\\\"\",\"summary\":null}");
	strbuf_release(&sb);
}

static void test_cap_is_kept(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT(8);
	assert_int_equal(json_out_string(&sb, "四个汉字"), GD_E_TOO_LARGE);
	assert_true(sb.len <= 8);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_ascii_byte),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_null_and_keys),
		cmocka_unit_test(test_cap_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
