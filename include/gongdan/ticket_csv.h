/* ticket_csv.h - a page of GET /api/v1/tickets as CSV (format=csv), for a
 * spreadsheet: Chinese column names, local times (2026-11-29 16:30), the
 * names of states, categories, regions and departments. The first page (no
 * cursor) starts the file with the UTF-8 byte-order mark and the header
 * row; a page reached by a cursor has neither, so the pages one after the
 * other are one file. */
#ifndef GD_TICKET_CSV_H
#define GD_TICKET_CSV_H

#include <jansson.h>
#include <stdbool.h>

#include "gongdan/status.h"
#include "gongdan/strbuf.h"

/* Appends the rows of list (ticket_list's answer) to out. */
enum gd_status ticket_csv(const json_t *list, bool first_page, struct strbuf *out);

#endif
