/* segments.h - mobile number segments (号段): the first 7 digits of an
 * 11-digit mobile number → region (SPEC §2), imported by admins from CSV
 * (`gongdan segments import FILE.csv`, POST /api/v1/segments) or, over the
 * API, from JSON. Both go through one parser per format and one loader.
 *
 * CSV: one "prefix,region" row per line, e.g. "1387100,KM"; an optional
 * header row "prefix,region" on line 1, blank lines and lines starting with
 * '#' are skipped, spaces around values and a UTF-8 byte-order mark are
 * ignored, CRLF or LF. JSON: {"rows": [{"prefix": "1387100", "region":
 * "KM"}, …]}.
 *
 * Per row, like the command line always did: every good row is kept
 * (inserted, or replacing the prefix's region), bad rows are reported with
 * their line (CSV) or index in rows (JSON) and skipped; all of it in one
 * transaction, with its audit row (admin_audit.h). */
#ifndef GD_SEGMENTS_H
#define GD_SEGMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gongdan/gd_err.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"

struct db;

#define SEGMENTS_FILE_MAX (256u << 20) /* bytes of a CSV file (the command line) */
#define SEGMENTS_ROWS_MAX 1000000      /* rows of one import: every 1xxxxxx prefix */
#define SEGMENTS_AUDIT_ROWS 200        /* changed prefixes listed in the audit row */

struct segment_row {
	int line;           /* CSV: line number (1-based); JSON: index in rows */
	char prefix[8];
	char region[16];
	const char *reason; /* why the row is bad (a static string), or NULL */
};

/* The rows of one import and, once loaded, what became of them. */
struct segments_batch {
	bool json;          /* rows came from JSON: bad rows are "rows[i]", else "line N" */
	struct segment_row *rows;
	size_t n, cap;
	int added, replaced, unchanged, bad;
};

void segments_batch_init(struct segments_batch *b, bool json);
void segments_batch_release(struct segments_batch *b);
/* Parses CSV text[0..len) into b. A NUL byte, or more than
 * SEGMENTS_ROWS_MAX rows, refuses the whole text (GD_E_VALIDATION, the
 * reason in e); a bad row does not. */
enum gd_status segments_parse_csv(struct segments_batch *b, const char *text, size_t len, struct gd_err *e);
/* Parses the JSON body {"rows": […]} into b; a body of another shape is
 * GD_E_VALIDATION naming the member in e. */
enum gd_status segments_parse_json(struct segments_batch *b, const json_t *body, struct gd_err *e);
/* Loads b's good rows on w (a write transaction): an unknown region makes
 * a row bad too. Counts added/replaced/unchanged/bad and records the import
 * for who (NULL: the command line) when it changed anything. */
enum gd_status segments_load(struct db *w, const struct principal *who, struct segments_batch *b);
/* b's bad rows as {"line N" | "rows[i]": reason} field errors of e, and as
 * an array [{"line"|"row": n, "reason"}] (new reference). */
void segments_bad_fields(const struct segments_batch *b, struct gd_err *e);
json_t *segments_bad_json(const struct segments_batch *b);

/* The command line: reads path (at most SEGMENTS_FILE_MAX bytes), parses
 * and loads it through the global writer. */
enum gd_status segments_import(const char *path, struct segments_batch *b, struct gd_err *e);

#endif
