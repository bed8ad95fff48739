/* segments.c - mobile number segments (segments.h): the CSV and JSON
 * parsers, the loader both the command line and the API call, and the
 * import's audit row. */
#include "gongdan/segments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/admin_audit.h"
#include "gongdan/catalog.h"
#include "gongdan/csv.h"
#include "gongdan/db.h"
#include "gongdan/strbuf.h"
#include "gongdan/xalloc.h"

#define BAD_PREFIX "prefix must be the first 7 digits of a mobile number (1xxxxxx)"
#define BAD_REGION "unknown region code"

void segments_batch_init(struct segments_batch *b, bool json)
{
	memset(b, 0, sizeof *b);
	b->json = json;
}

void segments_batch_release(struct segments_batch *b)
{
	free(b->rows);
	segments_batch_init(b, b->json);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Appends a row from prefix[0..plen) and region[0..rlen), checking both. */
static void add_row(struct segments_batch *b, int line, const char *prefix, size_t plen, const char *region,
		    size_t rlen)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
	}
	struct segment_row *r = &b->rows[b->n++];
	memset(r, 0, sizeof *r);
	r->line = line;
	bool digits = plen == 7 && prefix[0] == '1';
	for (size_t i = 0; digits && i < plen; i++)
		digits = prefix[i] >= '0' && prefix[i] <= '9';
	if (!digits) {
		r->reason = BAD_PREFIX;
		return;
	}
	memcpy(r->prefix, prefix, 7);
	if (rlen == 0 || rlen >= sizeof r->region || memchr(region, '\0', rlen)) {
		r->reason = BAD_REGION;
		return;
	}
	memcpy(r->region, region, rlen);
}

static void add_bad(struct segments_batch *b, int line, const char *reason)
{
	add_row(b, line, "", 0, "", 0);
	b->rows[b->n - 1].reason = reason;
}

enum gd_status segments_parse_csv(struct segments_batch *b, const char *text, size_t len, struct gd_err *e)
{
	if (memchr(text, '\0', len)) {
		gd_err_field(e, "body", "holds a NUL byte");
		return gd_errf(e, GD_E_VALIDATION, "the CSV holds a NUL byte: nothing imported");
	}
	const char *end = text + len, *p = text;
	if (len >= 3 && !memcmp(p, CSV_BOM, 3))
		p += 3; /* the byte-order mark spreadsheets write */
	for (int line = 1; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end, *s = p;
		p = eol ? eol + 1 : end;
		while (s < stop && is_space(*s))
			s++;
		const char *t = stop;
		while (t > s && is_space(t[-1]))
			t--;
		if (s == t || *s == '#')
			continue;
		if (b->n >= SEGMENTS_ROWS_MAX) {
			gd_err_field(e, "body", "at most 1000000 rows");
			return gd_errf(e, GD_E_VALIDATION, "too many rows: nothing imported");
		}
		const char *comma = memchr(s, ',', (size_t)(t - s));
		if (!comma) {
			add_bad(b, line, "expected prefix,region");
			continue;
		}
		const char *pe = comma, *rs = comma + 1;
		while (pe > s && is_space(pe[-1]))
			pe--;
		while (rs < t && is_space(*rs))
			rs++;
		if (line == 1 && pe - s == 6 && !memcmp(s, "prefix", 6))
			continue; /* the header */
		add_row(b, line, s, (size_t)(pe - s), rs, (size_t)(t - rs));
	}
	return GD_OK;
}

enum gd_status segments_parse_json(struct segments_batch *b, const json_t *body, struct gd_err *e)
{
	static const char *const allowed[] = {"rows", NULL};
	json_t *v;
	gd_err_unknown(e, body, allowed);
	json_t *rows = json_object_get(body, "rows");
	if (!json_is_array(rows))
		gd_err_field(e, "rows", "required: an array of {\"prefix\", \"region\"}");
	else if (json_array_size(rows) > SEGMENTS_ROWS_MAX)
		gd_err_field(e, "rows", "at most 1000000 rows");
	if (gd_err_has_fields(e))
		return gd_errf(e, GD_E_VALIDATION, "the import is not valid: nothing imported");
	size_t i;
	json_array_foreach(rows, i, v) {
		json_t *p = json_object_get(v, "prefix"), *r = json_object_get(v, "region");
		if (!json_is_object(v) || json_object_size(v) != 2 || !json_is_string(p) || !json_is_string(r))
			add_bad(b, (int)i, "expected {\"prefix\": \"1xxxxxx\", \"region\": code}");
		else
			add_row(b, (int)i, json_string_value(p), json_string_length(p), json_string_value(r),
				json_string_length(r));
	}
	return GD_OK;
}

/* The region a prefix maps to now, into cur ("" when none). */
static enum gd_status current(struct db *w, const char *prefix, char cur[16])
{
	static const char sql[] = "SELECT region FROM number_segments WHERE prefix = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	cur[0] = '\0';
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_text(st, 1, prefix, 7);
	if (!(s = db_step(st, &row)) && row)
		snprintf(cur, 16, "%s", db_col_text(st, 0));
	db_reset(st);
	return s;
}

enum gd_status segments_load(struct db *w, const struct principal *who, struct segments_batch *b)
{
	static const char upsert[] = "INSERT INTO number_segments (prefix, region) VALUES (?1, ?2)"
				     " ON CONFLICT (prefix) DO UPDATE SET region = excluded.region";
	struct db_stmt *st;
	enum gd_status s = GD_OK;
	json_t *changes = json_array();
	b->added = b->replaced = b->unchanged = b->bad = 0;
	for (size_t i = 0; i < b->n && !s; i++) {
		struct segment_row *r = &b->rows[i];
		bool known;
		char cur[16];
		if (!r->reason && !(s = region_exists(w, r->region, &known)) && !known)
			r->reason = BAD_REGION;
		if (s || r->reason) {
			b->bad += !s;
			continue;
		}
		if ((s = current(w, r->prefix, cur)))
			break;
		if (!strcmp(cur, r->region)) {
			b->unchanged++;
			continue;
		}
		if ((s = db_prepare(w, upsert, &st)))
			break;
		db_bind_text(st, 1, r->prefix, 7);
		db_bind_text(st, 2, r->region, -1);
		if ((s = db_run(st)))
			break;
		if (cur[0])
			b->replaced++;
		else
			b->added++;
		if (json_array_size(changes) < SEGMENTS_AUDIT_ROWS)
			json_array_append_new(changes, json_pack("{s:s, s:o, s:s}", "prefix", r->prefix, "before",
								 cur[0] ? json_string(cur) : json_null(), "after",
								 r->region));
	}
	if (!s && b->added + b->replaced > 0) {
		json_t *after = json_pack("{s:i, s:i, s:i, s:i, s:O, s:b}", "added", b->added, "replaced", b->replaced,
					  "unchanged", b->unchanged, "bad", b->bad, "changes", changes, "truncated",
					  b->added + b->replaced > SEGMENTS_AUDIT_ROWS);
		s = admin_audit_record(w, who, "import", "segments", "number_segments", NULL, after, true);
		json_decref(after);
	}
	json_decref(changes);
	return s;
}

void segments_bad_fields(const struct segments_batch *b, struct gd_err *e)
{
	for (size_t i = 0; i < b->n; i++) {
		char key[32];
		if (!b->rows[i].reason)
			continue;
		snprintf(key, sizeof key, b->json ? "rows[%d]" : "line %d", b->rows[i].line);
		gd_err_field(e, key, b->rows[i].reason);
	}
}

json_t *segments_bad_json(const struct segments_batch *b)
{
	json_t *out = json_array();
	for (size_t i = 0; i < b->n; i++)
		if (b->rows[i].reason)
			json_array_append_new(out, json_pack("{s:i, s:s}", b->json ? "row" : "line", b->rows[i].line,
							     "reason", b->rows[i].reason));
	return out;
}

static enum gd_status import_run(struct db *w, void *ctx)
{
	return segments_load(w, NULL, ctx);
}

enum gd_status segments_import(const char *path, struct segments_batch *b, struct gd_err *e)
{
	struct strbuf file = STRBUF_INIT(SEGMENTS_FILE_MAX);
	enum gd_status s;
	if (strbuf_read_file(&file, path)) {
		strbuf_release(&file);
		return gd_errf(e, GD_E_NOT_FOUND, "cannot read %s (missing, unreadable or over 256 MiB)", path);
	}
	if (!(s = segments_parse_csv(b, file.buf ? file.buf : "", file.len, e)))
		s = db_write_run(import_run, b);
	if (s)
		b->added = b->replaced = b->unchanged = 0; /* the transaction rolled back */
	strbuf_release(&file);
	return s;
}
