/* fts_cjk.h - the "cjk" SQLite FTS5 tokenizer for Chinese (and Japanese
 * kana, Korean Hangul) full-text search over ticket text. This module owns
 * the tokenizer and its registration; src/store/db.c calls
 * fts_cjk_register() on every connection it opens, before any FTS5 table
 * declared with tokenize='cjk' is used. The token layout is described at
 * the top of src/store/fts_cjk.c. */
#ifndef GD_FTS_CJK_H
#define GD_FTS_CJK_H

struct sqlite3; /* typedef'd as sqlite3 by <sqlite3.h> */

/* Registers the tokenizer as "cjk" on db through the fts5_api pointer
 * (SELECT fts5(?1)). Returns SQLITE_OK, SQLITE_MISUSE for a NULL db, or the
 * SQLite error code (SQLITE_ERROR when the library has no FTS5). */
int fts_cjk_register(struct sqlite3 *db);

struct strbuf;

/* Appends the FTS5 MATCH expression for what a user typed: each word
 * (separated by white space, the ideographic space included) becomes a
 * quoted phrase, the words are ANDed, nothing typed is FTS5 syntax. Returns
 * the number of words, or -1 when out is full. */
int fts_cjk_query(const char *q, struct strbuf *out);

/* Finds where text matches q as the index does (each word's tokens at
 * consecutive positions) and calls span(ctx, start, end) with the byte range
 * of every match, word by word (ranges may overlap). Returns SQLITE_OK. */
int fts_cjk_match(const char *text, int ntext, const char *q, void (*span)(void *ctx, int start, int end),
		  void *ctx);

#endif
