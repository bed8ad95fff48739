/* fts_cjk.c - the "cjk" FTS5 tokenizer used by the ticket full-text index
 * (subject, description, extra fields), and its registration.
 *
 * Why bigrams: Chinese has no spaces between words. FTS5's unicode61 makes
 * a whole clause ("用户反映手机停机") one token, so a word inside it is never
 * found, and trigram cannot match a query shorter than three characters,
 * while most Chinese words are two (停机 finds nothing). Without a
 * dictionary the standard answer (Lucene's CJKBigramFilter, Xapian's CJK
 * n-grams) is overlapping bigrams: every two-character word of a text is
 * one of its bigrams, and a longer word is the phrase of its bigrams.
 *
 * Token layout. A "CJK run" is a maximal run of Han ideographs (URO, Ext A
 * to H, compatibility ideographs, radicals), kana or Hangul. Documents get
 * ONE POSITION PER CJK CHARACTER: at position i the unigram c[i] (primary
 * token, offsets of that character) and, when c[i+1] is in the same run,
 * the bigram c[i]c[i+1] as a colocated token (FTS5_TOKEN_COLOCATED):
 *
 *   document 停机了 -> pos 0: 停 +停机   pos 1: 机 +机了   pos 2: 了
 *
 * Queries get the same positions minus the unigrams that have a bigram:
 * a run of two or more characters becomes its bigrams plus the final
 * character, a run of one character the unigram:
 *
 *   query 停机了 -> phrase 停机 机了 了      query 停机 -> 停机 机
 *   query 停     -> 停
 *
 * So a query of n >= 2 characters matches exactly the documents holding
 * those n characters adjacently, a one-character query works, positions are
 * characters (NEAR counts characters; "手机 停机" written with a space still
 * matches 手机停机), a run's end lines up with a following English word or
 * number ("掉话SMS"), and highlight()/snippet(), which use the primary
 * tokens' offsets, mark exactly the matched characters with primary
 * offsets that never overlap. Costs: the index holds about twice the
 * postings of bigrams alone (one unigram per character; the unigram
 * vocabulary is small but its doclists are long), and each multi-character
 * query also reads the doclist of its last character. Tables must use the
 * default detail=full, since CJK queries are phrases.
 *
 * Everything else: runs of ASCII letters and digits, with any other
 * non-CJK letters (accented Latin, Cyrillic, combining marks ...), form one
 * word token; ASCII is lowercased, full-width ASCII (U+FF01-U+FF5E) is
 * folded to ASCII first, nothing else is case-folded or normalised. Phone
 * numbers such as 13812345678 are one token. Spaces, punctuation, symbols,
 * emoji and invalid UTF-8 bytes (skipped one byte at a time) separate
 * tokens; zero-width joiners, soft hyphens and variation selectors are
 * ignored without splitting. A change between word and CJK characters
 * splits too (3G无线 -> 3g 无 +无线 线). Words longer than CJK_TOKEN_MAX
 * bytes are indexed by their first CJK_TOKEN_MAX bytes (at a character
 * boundary), the same in documents and queries. Offsets are byte offsets
 * into the caller's text. */
#include "gongdan/fts_cjk.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "gongdan/strbuf.h"
#include "gongdan/xalloc.h"

#define CJK_TOKEN_MAX 128 /* bytes in one word token */

enum cjk_class {
	CLS_SEP,  /* separates tokens: space, punctuation, symbols, bad bytes */
	CLS_SKIP, /* invisible: joiners, soft hyphen, variation selectors */
	CLS_WORD, /* letters and digits outside the CJK ranges */
	CLS_CJK,  /* Han, kana, Hangul: unigrams and bigrams */
};

/* One decoded character of the text being tokenized. */
struct cjk_char {
	unsigned cp;         /* code point, full-width ASCII folded */
	int start;           /* byte offset of the first byte */
	int end;             /* byte offset just past it */
	enum cjk_class cls;
};

struct cp_range {
	unsigned lo, hi;
};

/* Sorted, inclusive. */
static const struct cp_range cjk_ranges[] = {
	{0x1100, 0x11FF},   /* Hangul Jamo */
	{0x2E80, 0x2FDF},   /* CJK radicals supplement, Kangxi radicals */
	{0x3005, 0x3007},   /* 々 〆 〇 */
	{0x3021, 0x3029},   /* Hangzhou numerals */
	{0x3031, 0x3035},   /* kana repeat marks */
	{0x3038, 0x303C},   /* 〸〹〺〻〼 */
	{0x3041, 0x30FA},   /* Hiragana, Katakana (not U+30FB ・) */
	{0x30FC, 0x30FF},   /* ー ヽ ヾ ヿ */
	{0x3105, 0x312F},   /* Bopomofo */
	{0x3131, 0x318E},   /* Hangul compatibility Jamo */
	{0x31A0, 0x31BF},   /* Bopomofo extended */
	{0x31C0, 0x31EF},   /* CJK strokes */
	{0x31F0, 0x31FF},   /* Katakana phonetic extensions */
	{0x3400, 0x4DBF},   /* CJK Unified Ideographs Extension A */
	{0x4E00, 0x9FFF},   /* CJK Unified Ideographs */
	{0xA960, 0xA97F},   /* Hangul Jamo extended A */
	{0xAC00, 0xD7FF},   /* Hangul syllables, Jamo extended B */
	{0xF900, 0xFAFF},   /* CJK compatibility ideographs */
	{0xFF66, 0xFFDC},   /* half-width Katakana and Hangul */
	{0x1AFF0, 0x1B16F}, /* Kana extended, supplement */
	{0x20000, 0x323AF}, /* Extensions B-H, compatibility supplement */
};

/* Non-ASCII code points that separate tokens. Sorted, inclusive. */
static const struct cp_range sep_ranges[] = {
	{0x0080, 0x00A9},   /* C1 controls, NBSP, ¡ ¢ £ ... © */
	{0x00AB, 0x00B4},   /* « ¬ ® ¯ ° ± ² ³ ´ */
	{0x00B6, 0x00B9},   /* ¶ · ¸ ¹ */
	{0x00BB, 0x00BF},   /* » ¼ ½ ¾ ¿ */
	{0x00D7, 0x00D7},   /* × */
	{0x00F7, 0x00F7},   /* ÷ */
	{0x2000, 0x2BFF},   /* spaces, punctuation, symbols, arrows, math,
			     * box drawing, shapes, dingbats */
	{0x2E00, 0x2E7F},   /* supplemental punctuation */
	{0x2FF0, 0x303F},   /* ideographic description, CJK punctuation,
			     * ideographic space (CJK ones caught first) */
	{0x30FB, 0x30FB},   /* ・ */
	{0x3200, 0x33FF},   /* enclosed CJK, CJK compatibility (㈱ ㎡) */
	{0xE000, 0xF8FF},   /* private use */
	{0xFE10, 0xFE1F},   /* vertical forms */
	{0xFE30, 0xFE6F},   /* CJK compatibility forms, small forms */
	{0xFEFF, 0xFF00},   /* BOM */
	{0xFF5F, 0xFF65},   /* full/half-width brackets and punctuation */
	{0xFFE0, 0xFFFF},   /* full-width signs, specials */
	{0x1F000, 0x1FBFF}, /* emoji, pictographs, game symbols */
	{0xE0000, 0xE007F}, /* tags */
	{0xF0000, 0x10FFFF}, /* private use planes */
};

/* Ignored without splitting a token. Sorted, inclusive. */
static const struct cp_range skip_ranges[] = {
	{0x00AD, 0x00AD},   /* soft hyphen */
	{0x200C, 0x200D},   /* ZWNJ, ZWJ */
	{0x2060, 0x2060},   /* word joiner */
	{0xFE00, 0xFE0F},   /* variation selectors */
	{0xE0100, 0xE01EF}, /* variation selectors supplement */
};

static int in_ranges(unsigned cp, const struct cp_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

#define IN(cp, table) in_ranges((cp), (table), sizeof(table) / sizeof((table)[0]))

static enum cjk_class classify(unsigned cp)
{
	if (cp < 0x80) {
		if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z'))
			return CLS_WORD;
		return CLS_SEP;
	}
	if (cp >= 0x4E00 && cp <= 0x9FFF) /* the common case first */
		return CLS_CJK;
	if (IN(cp, skip_ranges))
		return CLS_SKIP;
	if (IN(cp, cjk_ranges))
		return CLS_CJK;
	if (IN(cp, sep_ranges))
		return CLS_SEP;
	return CLS_WORD;
}

/* Decodes the well-formed UTF-8 character at s (n > 0 bytes available).
 * Returns its length, or 0 for a malformed, overlong, truncated, surrogate
 * or out-of-range sequence. */
static int utf8_next(const unsigned char *s, int n, unsigned *cp)
{
	unsigned c = s[0], min;
	int len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		min = 0x80;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		min = 0x800;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Reads the next character that is not CLS_SKIP from s[*pos..n) into ch
 * and advances *pos past it. A malformed byte reads as a one-byte
 * separator. Returns 0 at the end of the text. */
static int next_char(const unsigned char *s, int n, int *pos,
		     struct cjk_char *ch)
{
	while (*pos < n) {
		unsigned cp = 0;
		int len = utf8_next(s + *pos, n - *pos, &cp);

		ch->start = *pos;
		if (len == 0) {
			ch->cp = 0xFFFD;
			ch->cls = CLS_SEP;
			len = 1;
		} else {
			if (cp >= 0xFF01 && cp <= 0xFF5E)
				cp -= 0xFEE0; /* full-width ASCII */
			ch->cp = cp;
			ch->cls = classify(cp);
		}
		*pos += len;
		ch->end = *pos;
		if (ch->cls != CLS_SKIP)
			return 1;
	}
	return 0;
}

typedef int (*cjk_emit_fn)(void *ctx, int tflags, const char *token,
			   int ntoken, int start, int end);

/* Emits the word starting with *first; leaves *pos at the character after
 * it. */
static int emit_word(const unsigned char *s, int n, int *pos,
		     const struct cjk_char *first, void *ctx, cjk_emit_fn emit)
{
	char buf[CJK_TOKEN_MAX];
	struct cjk_char ch = *first;
	int len = 0, full = 0, end;

	for (;;) {
		if (!full && ch.cp < 0x80 && len < CJK_TOKEN_MAX) {
			unsigned c = ch.cp;

			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			buf[len++] = (char)c;
		} else if (!full && ch.cp >= 0x80 &&
			   ch.end - ch.start <= CJK_TOKEN_MAX - len) {
			memcpy(buf + len, s + ch.start, (size_t)(ch.end - ch.start));
			len += ch.end - ch.start;
		} else {
			full = 1; /* keep a prefix; never skip a character */
		}
		end = ch.end;
		if (!next_char(s, n, pos, &ch))
			break;
		if (ch.cls != CLS_WORD) {
			*pos = ch.start; /* the caller reads it again */
			break;
		}
	}
	return emit(ctx, 0, buf, len, first->start, end);
}

/* Emits the CJK run starting with *first (see the top of the file); leaves
 * *pos at the character after it. */
static int emit_cjk(const unsigned char *s, int n, int *pos,
		    const struct cjk_char *first, int query, void *ctx,
		    cjk_emit_fn emit)
{
	struct cjk_char cur = *first, next;
	int rc;

	for (;;) {
		int has_next = next_char(s, n, pos, &next);
		char pair[8];
		int la = cur.end - cur.start, lb;

		if (has_next && next.cls != CLS_CJK) {
			*pos = next.start;
			has_next = 0;
		}
		if (!query || !has_next) {
			rc = emit(ctx, 0, (const char *)s + cur.start, la,
				  cur.start, cur.end);
			if (rc != SQLITE_OK || !has_next)
				return rc;
		}
		lb = next.end - next.start;
		memcpy(pair, s + cur.start, (size_t)la);
		memcpy(pair + la, s + next.start, (size_t)lb);
		rc = emit(ctx, query ? 0 : FTS5_TOKEN_COLOCATED, pair, la + lb,
			  cur.start, next.end);
		if (rc != SQLITE_OK)
			return rc;
		cur = next;
	}
}

static int cjk_tokenize(Fts5Tokenizer *tok, void *ctx, int flags,
			const char *text, int ntext, cjk_emit_fn emit)
{
	const unsigned char *s = (const unsigned char *)text;
	int query = (flags & FTS5_TOKENIZE_QUERY) != 0;
	int pos = 0, rc = SQLITE_OK;
	struct cjk_char ch;

	(void)tok;
	if (!text || ntext <= 0)
		return SQLITE_OK;
	while (rc == SQLITE_OK && next_char(s, ntext, &pos, &ch)) {
		if (ch.cls == CLS_WORD)
			rc = emit_word(s, ntext, &pos, &ch, ctx, emit);
		else if (ch.cls == CLS_CJK)
			rc = emit_cjk(s, ntext, &pos, &ch, query, ctx, emit);
	}
	/* a callback may stop the scan early with SQLITE_DONE */
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The tokenizer has no state; every instance is this object. */
static struct cjk_tokenizer {
	int unused;
} cjk_instance;

static int cjk_create(void *module_ctx, const char **argv, int argc,
		      Fts5Tokenizer **out)
{
	(void)module_ctx;
	(void)argv;
	*out = NULL;
	if (argc > 0) /* tokenize='cjk' takes no options */
		return SQLITE_ERROR;
	*out = (Fts5Tokenizer *)(void *)&cjk_instance;
	return SQLITE_OK;
}

static void cjk_delete(Fts5Tokenizer *tok)
{
	(void)tok;
}

int fts_cjk_register(sqlite3 *db)
{
	fts5_tokenizer module = {cjk_create, cjk_delete, cjk_tokenize};
	fts5_api *api = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc, frc;

	if (!db)
		return SQLITE_MISUSE;
	rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	frc = sqlite3_finalize(stmt);
	if (rc == SQLITE_OK)
		rc = frc;
	if (rc != SQLITE_OK)
		return rc;
	if (!api || api->iVersion < 2)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "cjk", NULL, &module, NULL);
}

/* --- queries and matches (used by the ticket list) ----------------------- */

/* Bytes of the word separator at p: ASCII white space, or the ideographic
 * space U+3000 a Chinese input method types; 0 for anything else. */
static size_t space_len(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		return 1;
	return strncmp(p, "\xE3\x80\x80", 3) ? 0 : 3;
}

/* Calls word(ctx, start, len) for each white-space separated word of q. */
static int each_word(const char *q, int (*word)(void *ctx, const char *w, size_t n), void *ctx)
{
	int count = 0;
	for (const char *p = q; *p;) {
		for (size_t n; (n = space_len(p));)
			p += n;
		if (!*p)
			break;
		const char *w = p;
		while (*p && !space_len(p))
			p++;
		count++;
		if (word && word(ctx, w, (size_t)(p - w)))
			return -1;
	}
	return count;
}

static int quote_word(void *ctx, const char *w, size_t n)
{
	struct strbuf *out = ctx;
	if (out->len)
		strbuf_addch(out, ' ');
	strbuf_addch(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '"')
			strbuf_addch(out, '"');
		if (strbuf_addch(out, w[i]))
			return -1;
	}
	return strbuf_addch(out, '"') ? -1 : 0;
}

int fts_cjk_query(const char *q, struct strbuf *out)
{
	return each_word(q, quote_word, out);
}

/* Tokens of a text by position: the primary token, and the bigram
 * colocated with it (documents only). Token bytes live in arena. */
struct tokens {
	struct tok {
		int start, end;        /* bytes of the primary token in the text */
		int off[2], len[2];    /* [0] primary, [1] colocated (len -1: none) */
	} *v;
	int n, cap;
	struct strbuf arena;
};

static int collect(void *ctx, int tflags, const char *token, int ntoken, int start, int end)
{
	struct tokens *t = ctx;
	int k = 0;
	if ((tflags & FTS5_TOKEN_COLOCATED) && t->n) {
		k = 1;
	} else {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 64;
			t->v = xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
		}
		struct tok *x = &t->v[t->n++];
		x->start = start;
		x->end = end;
		x->len[1] = -1;
	}
	struct tok *x = &t->v[t->n - 1];
	x->off[k] = (int)t->arena.len;
	x->len[k] = ntoken;
	return strbuf_add(&t->arena, token, (size_t)ntoken) ? SQLITE_NOMEM : SQLITE_OK;
}

static void tokens_release(struct tokens *t)
{
	free(t->v);
	strbuf_release(&t->arena);
}

static int same(const struct tokens *a, const struct tok *x, int k, const struct tokens *b, const struct tok *y)
{
	return x->len[k] == y->len[0] && !memcmp(a->arena.buf + x->off[k], b->arena.buf + y->off[0], (size_t)y->len[0]);
}

struct match_ctx {
	const struct tokens *doc;
	void (*span)(void *ctx, int start, int end);
	void *ctx;
};

/* One word of the query: its phrase of tokens at consecutive positions. */
static int match_word(void *ctx, const char *w, size_t n)
{
	struct match_ctx *m = ctx;
	struct tokens q = {.arena = STRBUF_INIT(1u << 16)};
	int rc = cjk_tokenize(NULL, &q, FTS5_TOKENIZE_QUERY, w, (int)n, collect);
	for (int p = 0; rc == SQLITE_OK && q.n && p + q.n <= m->doc->n; p++) {
		int j = 0;
		for (; j < q.n; j++) {
			const struct tok *x = &m->doc->v[p + j];
			if (!same(m->doc, x, 0, &q, &q.v[j]) && !(x->len[1] >= 0 && same(m->doc, x, 1, &q, &q.v[j])))
				break;
		}
		if (j == q.n)
			m->span(m->ctx, m->doc->v[p].start, m->doc->v[p + q.n - 1].end);
	}
	tokens_release(&q);
	return rc == SQLITE_OK ? 0 : -1;
}

int fts_cjk_match(const char *text, int ntext, const char *q, void (*span)(void *ctx, int start, int end),
		  void *ctx)
{
	struct tokens doc = {.arena = STRBUF_INIT(1u << 20)};
	int rc = cjk_tokenize(NULL, &doc, 0, text, ntext, collect);
	struct match_ctx m = {&doc, span, ctx};
	if (rc == SQLITE_OK && doc.n && each_word(q, match_word, &m) < 0)
		rc = SQLITE_NOMEM;
	tokens_release(&doc);
	return rc;
}
