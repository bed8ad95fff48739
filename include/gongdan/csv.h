/* csv.h - writing CSV by RFC 4180: a field holding a comma, a double quote,
 * CR or LF is enclosed in double quotes, with its quotes doubled; rows end
 * with CRLF. Text is written as it is (UTF-8). */
#ifndef GD_CSV_H
#define GD_CSV_H

#include <stdint.h>

#include "gongdan/status.h"
#include "gongdan/strbuf.h"

/* The UTF-8 byte-order mark spreadsheet programs look for. */
#define CSV_BOM "\xEF\xBB\xBF"

/* Appends one text field (NULL: empty), preceded by a comma unless it is
 * the first of its row (first). */
enum gd_status csv_text(struct strbuf *sb, const char *text, int first);
/* Appends an integer field. */
enum gd_status csv_int(struct strbuf *sb, int64_t v, int first);
/* Ends the row. */
enum gd_status csv_end(struct strbuf *sb);

#endif
