/* test_fts_cjk.c - the "cjk" FTS5 tokenizer: token stream and byte offsets
 * (calling the tokenizer directly), MATCH over sample complaint texts,
 * highlight(), and invalid UTF-8. Needs only fts_cjk.c, sqlite3, cmocka. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/fts_cjk.h"

static const char *const rows[] = {
	"用户反映手机停机，怀疑被乱扣费",     /* 1 */
	"3G无线宽带无法上网，信号弱",         /* 2 */
	"主叫13812345678拨打被叫时掉话",      /* 3 */
	"ＡＢＣ全角测试",                     /* 4 */
	"Wi-Fi hotspot SMS",                  /* 5 */
	"谢谢谢谢",                           /* 6 */
	"カタカナ 한국어 Café 掉话SMS",       /* 7 */
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(fts_cjk_register(db), SQLITE_OK);
	return db;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
	sqlite3_free(err);
}

static int setup(void **state)
{
	sqlite3 *db = open_db();
	sqlite3_stmt *st = NULL;

	exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='cjk')");
	assert_int_equal(sqlite3_prepare_v2(db,
		"INSERT INTO t(rowid, body) VALUES (?1, ?2)", -1, &st, NULL),
		SQLITE_OK);
	for (size_t i = 0; i < NROWS; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 2, rows[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

/* Bit (rowid - 1) set for every row of t that matches q. */
static unsigned match(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st = NULL;
	unsigned mask = 0;
	int rc;

	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1, &st,
		NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);

		assert_in_range(id, 1, 31);
		mask |= 1u << (id - 1);
	}
	if (rc != SQLITE_DONE)
		fail_msg("MATCH %s: %s", q, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return mask;
}

#define ROW(n) (1u << ((n) - 1))

static void test_register(void **state)
{
	sqlite3 *db = open_db();
	char *err = NULL;

	(void)state;
	assert_int_equal(fts_cjk_register(NULL), SQLITE_MISUSE);
	/* registering again on the same connection is harmless */
	assert_int_equal(fts_cjk_register(db), SQLITE_OK);
	/* the tokenizer takes no options */
	assert_int_not_equal(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE x USING fts5(b, tokenize='cjk bigram')",
		NULL, NULL, &err), SQLITE_OK);
	sqlite3_free(err);
	sqlite3_close(db);
}

static void test_match_chinese(void **state)
{
	sqlite3 *db = *state;

	assert_int_equal(match(db, "停机"), ROW(1));
	assert_int_equal(match(db, "扣费"), ROW(1));
	assert_int_equal(match(db, "用户反映"), ROW(1));
	assert_int_equal(match(db, "无线宽带"), ROW(2));
	assert_int_equal(match(db, "信号弱"), ROW(2));
	assert_int_equal(match(db, "被叫"), ROW(3));
	assert_int_equal(match(db, "掉话"), ROW(3) | ROW(7));
	/* one-character queries match the colocated unigrams */
	assert_int_equal(match(db, "停"), ROW(1));
	assert_int_equal(match(db, "弱"), ROW(2));
	assert_int_equal(match(db, "谢"), ROW(6));
	/* a phrase that does not occur, characters that are not adjacent */
	assert_int_equal(match(db, "停机了"), 0);
	assert_int_equal(match(db, "宽停"), 0);
	assert_int_equal(match(db, "手停"), 0);
	assert_int_equal(match(db, "了"), 0);
	/* across a comma the characters are not adjacent */
	assert_int_equal(match(db, "停机怀疑"), 0);
	assert_int_equal(match(db, "停机 怀疑"), ROW(1)); /* AND */
	/* positions are characters: a space inside a phrase still lines up */
	assert_int_equal(match(db, "\"手机 停机\""), ROW(1));
	assert_int_equal(match(db, "\"手机 怀疑\""), 0);
	assert_int_equal(match(db, "NEAR(手机 扣费, 8)"), ROW(1));
	assert_int_equal(match(db, "NEAR(手机 扣费, 3)"), 0);
	/* prefix on a CJK phrase, OR, NOT */
	assert_int_equal(match(db, "停机*"), ROW(1));
	assert_int_equal(match(db, "停机 OR 上网"), ROW(1) | ROW(2));
	assert_int_equal(match(db, "掉话 NOT 主叫"), ROW(7));
	/* kana and Hangul are bigrammed too */
	assert_int_equal(match(db, "カタ"), ROW(7));
	assert_int_equal(match(db, "국어"), ROW(7));
	assert_int_equal(match(db, "タカナ"), ROW(7));
	assert_int_equal(match(db, "カナカ"), 0);
}

static void test_match_latin(void **state)
{
	sqlite3 *db = *state;

	assert_int_equal(match(db, "13812345678"), ROW(3));
	assert_int_equal(match(db, "1381234"), 0);      /* whole numbers only */
	assert_int_equal(match(db, "1381234*"), ROW(3)); /* unless a prefix */
	assert_int_equal(match(db, "abc"), ROW(4));     /* full-width folded */
	assert_int_equal(match(db, "ＡＢＣ"), ROW(4));
	assert_int_equal(match(db, "ABC"), ROW(4));
	assert_int_equal(match(db, "sms"), ROW(5) | ROW(7));
	assert_int_equal(match(db, "SMS"), ROW(5) | ROW(7));
	assert_int_equal(match(db, "\"wi-fi\""), ROW(5));
	assert_int_equal(match(db, "fi"), ROW(5));
	assert_int_equal(match(db, "wifi"), 0);
	assert_int_equal(match(db, "3g"), ROW(2));
	/* a CJK run and the word after it are adjacent positions */
	assert_int_equal(match(db, "\"3G无线\""), ROW(2));
	assert_int_equal(match(db, "\"掉话sms\""), ROW(7));
	assert_int_equal(match(db, "\"话sms\""), ROW(7));
	assert_int_equal(match(db, "\"主叫13812345678拨打\""), ROW(3));
	/* non-ASCII letters are kept, only ASCII is lowercased */
	assert_int_equal(match(db, "café"), ROW(7));
	assert_int_equal(match(db, "CAFé"), ROW(7));
	assert_int_equal(match(db, "cafe"), 0);
	assert_int_equal(match(db, "全角测试"), ROW(4));
}

static char *highlight(sqlite3 *db, const char *q)
{
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	size_t n;

	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?1", -1,
		&st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = (size_t)sqlite3_column_bytes(st, 0);
	out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, sqlite3_column_text(st, 0), n + 1);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE); /* one row */
	sqlite3_finalize(st);
	return out;
}

static void check_highlight(sqlite3 *db, const char *q, const char *want)
{
	char *got = highlight(db, q);

	assert_string_equal(got, want);
	free(got);
}

static void test_highlight(void **state)
{
	sqlite3 *db = *state;

	check_highlight(db, "停机", "用户反映手机[停机]，怀疑被乱扣费");
	check_highlight(db, "停", "用户反映手机[停]机，怀疑被乱扣费");
	check_highlight(db, "扣费", "用户反映手机停机，怀疑被乱[扣费]");
	check_highlight(db, "用户 扣费", "[用户]反映手机停机，怀疑被乱[扣费]");
	check_highlight(db, "\"手机 停机\"", "用户反映[手机停机]，怀疑被乱扣费");
	check_highlight(db, "信号弱", "3G无线宽带无法上网，[信号弱]");
	check_highlight(db, "\"3G无线\"", "[3G无线]宽带无法上网，信号弱");
	check_highlight(db, "13812345678", "主叫[13812345678]拨打被叫时掉话");
	check_highlight(db, "abc", "[ＡＢＣ]全角测试");
	check_highlight(db, "\"wi-fi\"", "[Wi-Fi] hotspot SMS");
	/* overlapping matches merge; adjacent ones never overlap */
	check_highlight(db, "谢谢", "[谢谢谢谢]");
	check_highlight(db, "谢", "[谢][谢][谢][谢]");
	check_highlight(db, "café", "カタカナ 한국어 [Café] 掉话SMS");
}

/* ---- the token stream, straight from the tokenizer ---- */

struct sink {
	char buf[2048];
	size_t len;
	int stop_after; /* > 0: return stop_rc after this many tokens */
	int stop_rc;
	int ntokens;
	int ntext;
};

/* Appends "text:start-end" (colocated tokens get a leading '+'). */
static int sink_token(void *ctx, int tflags, const char *tok, int ntok,
		      int start, int end)
{
	struct sink *s = ctx;
	int n;

	assert_true(start >= 0 && start <= end && end <= s->ntext);
	assert_true(ntok > 0 && ntok <= 128);
	n = snprintf(s->buf + s->len, sizeof(s->buf) - s->len, "%s%s%.*s:%d-%d",
		     s->len ? " " : "",
		     (tflags & FTS5_TOKEN_COLOCATED) ? "+" : "", ntok, tok,
		     start, end);
	assert_true(n > 0 && (size_t)n < sizeof(s->buf) - s->len);
	s->len += (size_t)n;
	s->ntokens++;
	if (s->stop_after && s->ntokens >= s->stop_after)
		return s->stop_rc;
	return SQLITE_OK;
}

static fts5_api *get_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	assert_non_null(api);
	return api;
}

/* Tokenizes text[0..n) from an exact-size heap copy, so that ASan sees any
 * read past the end; returns the tokenizer's result code. */
static int run_tokenizer(sqlite3 *db, int flags, const char *text, int n,
			 struct sink *s)
{
	fts5_api *api = get_api(db);
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	void *uctx = NULL;
	char *copy = malloc(n > 0 ? (size_t)n : 1);
	int rc;

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, text, (size_t)n);
	assert_int_equal(api->xFindTokenizer(api, "cjk", &uctx, &tk), SQLITE_OK);
	assert_int_equal(tk.xCreate(uctx, NULL, 0, &tok), SQLITE_OK);
	s->ntext = n;
	rc = tk.xTokenize(tok, s, flags, copy, n, sink_token);
	tk.xDelete(tok);
	free(copy);
	return rc;
}

static void check_tokens(int flags, const char *text, int n, const char *want)
{
	sqlite3 *db = open_db();
	struct sink s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(run_tokenizer(db, flags, text, n, &s), SQLITE_OK);
	assert_string_equal(s.buf, want);
	sqlite3_close(db);
}

#define DOC FTS5_TOKENIZE_DOCUMENT
#define QRY FTS5_TOKENIZE_QUERY
#define TOKENS(flags, lit, want) check_tokens((flags), (lit), (int)sizeof(lit) - 1, (want))

static void test_tokens(void **state)
{
	(void)state;
	/* documents: a unigram per position, the bigram colocated */
	TOKENS(DOC, "停机了", "停:0-3 +停机:0-6 机:3-6 +机了:3-9 了:6-9");
	TOKENS(DOC, "停", "停:0-3");
	/* queries: bigrams, then the run's last character */
	TOKENS(QRY, "停机了", "停机:0-6 机了:3-9 了:6-9");
	TOKENS(QRY, "停机", "停机:0-6 机:3-6");
	TOKENS(QRY, "停", "停:0-3");
	TOKENS(QRY | FTS5_TOKENIZE_PREFIX, "停机", "停机:0-6 机:3-6");
	TOKENS(FTS5_TOKENIZE_AUX, "停机", "停:0-3 +停机:0-6 机:3-6");
	/* offsets are bytes into the original text */
	TOKENS(DOC, "手机停机，扣费",
	       "手:0-3 +手机:0-6 机:3-6 +机停:3-9 停:6-9 +停机:6-12 机:9-12 "
	       "扣:15-18 +扣费:15-21 费:18-21");
	TOKENS(QRY, "3G无线 Wi-Fi", "3g:0-2 无线:2-8 线:5-8 wi:9-11 fi:12-14");
	TOKENS(DOC, "主叫13812345678拨打",
	       "主:0-3 +主叫:0-6 叫:3-6 13812345678:6-17 拨:17-20 +拨打:17-23 "
	       "打:20-23");
	/* full-width ASCII folds; full-width punctuation separates */
	TOKENS(DOC, "ＡＢＣ１２３，ｘ", "abc123:0-18 x:21-24");
	/* other letters stay in words, only ASCII is lowercased */
	TOKENS(DOC, "Café ÉCOLE naïve Привет",
	       "café:0-5 École:6-12 naïve:13-19 Привет:20-32");
	/* kana, Hangul, compatibility and Extension A/B ideographs */
	TOKENS(QRY, "カタカナ", "カタ:0-6 タカ:3-9 カナ:6-12 ナ:9-12");
	TOKENS(QRY, "한국어", "한국:0-6 국어:3-9 어:6-9");
	TOKENS(QRY, "\xef\xa4\x80\xe3\x90\x80\xf0\xa0\x80\x80",
	       "\xef\xa4\x80\xe3\x90\x80:0-6 \xe3\x90\x80\xf0\xa0\x80\x80:3-10 "
	       "\xf0\xa0\x80\x80:6-10");
	/* CJK punctuation, emoji, katakana middle dot, symbols separate */
	TOKENS(QRY, "停机。扣费😀信号・弱 ℃",
	       "停机:0-6 机:3-6 扣费:9-15 费:12-15 信号:19-25 号:22-25 "
	       "弱:28-31");
	/* zero-width joiner and variation selectors do not split */
	TOKENS(DOC, "停\xe2\x80\x8d机", "停:0-3 +停机:0-9 机:6-9");
	TOKENS(DOC, "葛\xef\xb8\x80根", "葛:0-3 +葛根:0-9 根:6-9");
	TOKENS(DOC, "ab\xc2\xad" "cd", "abcd:0-6");
	/* nothing to index */
	TOKENS(DOC, "", "");
	TOKENS(DOC, " ，。!?\xe3\x80\x80", "");
}

static void test_invalid_utf8_tokens(void **state)
{
	(void)state;
	/* a bad byte separates and is skipped; offsets stay exact */
	TOKENS(DOC, "停\xff机", "停:0-3 机:4-7");
	TOKENS(DOC, "ab\x80" "cd", "ab:0-2 cd:3-5");
	TOKENS(DOC, "\xc0\xaf" "x", "x:2-3");             /* overlong */
	TOKENS(DOC, "\xed\xa0\x80" "x", "x:3-4");         /* surrogate */
	TOKENS(DOC, "\xf4\x90\x80\x80" "x", "x:4-5");     /* > U+10FFFF */
	TOKENS(DOC, "\xf8\x88\x80\x80\x80" "x", "x:5-6"); /* 5-byte form */
	TOKENS(DOC, "\xe5\x81" "停", "停:2-5");            /* truncated */
	TOKENS(DOC, "ab\xe5\x81", "ab:0-2");              /* cut at end */
	TOKENS(DOC, "停\xe5", "停:0-3");
	TOKENS(DOC, "\xf0", "");
	TOKENS(DOC, "a\0b", "a:0-1 b:2-3");               /* NUL separates */
}

static void test_long_word(void **state)
{
	char text[300], want[200];
	struct sink s;
	sqlite3 *db = open_db();

	(void)state;
	memset(text, 'A', sizeof(text));
	memset(&s, 0, sizeof(s));
	assert_int_equal(run_tokenizer(db, DOC, text, (int)sizeof(text), &s),
			 SQLITE_OK);
	/* one token: the first 128 bytes, lowercased, spanning the word */
	memset(want, 'a', 128);
	snprintf(want + 128, sizeof(want) - 128, ":0-300");
	assert_string_equal(s.buf, want);

	/* a multi-byte letter that does not fit is dropped whole */
	memset(text, 'b', 127);
	memcpy(text + 127, "é", 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(run_tokenizer(db, DOC, text, 129, &s), SQLITE_OK);
	memset(want, 'b', 127);
	snprintf(want + 127, sizeof(want) - 127, ":0-129");
	assert_string_equal(s.buf, want);
	sqlite3_close(db);
}

static void test_callback_stops(void **state)
{
	static const char text[] = "停机 abc def";
	sqlite3 *db = open_db();
	struct sink s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	s.stop_rc = SQLITE_DONE;
	assert_int_equal(run_tokenizer(db, DOC, text, (int)strlen(text), &s),
			 SQLITE_OK);
	assert_int_equal(s.ntokens, 2);

	memset(&s, 0, sizeof(s));
	s.stop_after = 4;
	s.stop_rc = SQLITE_NOMEM;
	assert_int_equal(run_tokenizer(db, DOC, text, (int)strlen(text), &s),
			 SQLITE_NOMEM);
	assert_int_equal(s.ntokens, 4);
	sqlite3_close(db);
}

static void test_invalid_utf8_table(void **state)
{
	sqlite3 *db = open_db();

	(void)state;
	exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='cjk')");
	/* 信号 \xff 弱, a truncated 停, an overlong '/', a lone continuation
	 * byte, a surrogate, and a string ending inside a sequence */
	exec_ok(db, "INSERT INTO t(rowid, body) VALUES "
		    "(1, CAST(X'E4BFA1E58FB7FFE5BCB1' AS TEXT)),"
		    "(2, CAST(X'E581C0AF80EDA080E6898BE69CBA' AS TEXT)),"
		    "(3, CAST(X'616263E5' AS TEXT)),"
		    "(4, CAST(X'FFFEFDFC' AS TEXT))");
	assert_int_equal(match(db, "信号"), ROW(1));
	assert_int_equal(match(db, "弱"), ROW(1));
	assert_int_equal(match(db, "信号弱"), 0); /* the bad byte separates */
	assert_int_equal(match(db, "手机"), ROW(2));
	assert_int_equal(match(db, "abc"), ROW(3));
	/* highlight() of text holding bad bytes copies them through */
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(db,
			"SELECT hex(highlight(t, 0, '[', ']')) FROM t "
			"WHERE t MATCH '手机'", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
				    "E581C0AF80EDA0805BE6898BE69CBA5D");
		sqlite3_finalize(st);
	}
	/* deleting re-tokenizes the stored text: the index stays consistent */
	exec_ok(db, "DELETE FROM t WHERE rowid IN (1, 2)");
	exec_ok(db, "INSERT INTO t(t) VALUES ('integrity-check')");
	assert_int_equal(match(db, "信号"), 0);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest table_tests[] = {
		cmocka_unit_test(test_match_chinese),
		cmocka_unit_test(test_match_latin),
		cmocka_unit_test(test_highlight),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_invalid_utf8_tokens),
		cmocka_unit_test(test_long_word),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_invalid_utf8_table),
	};
	int failed = cmocka_run_group_tests_name("fts_cjk table", table_tests,
						 setup, teardown);

	failed += cmocka_run_group_tests_name("fts_cjk", tests, NULL, NULL);
	return failed ? 1 : 0;
}
