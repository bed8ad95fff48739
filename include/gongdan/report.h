/* report.h - the reports (统计报表, issue 11): complaint counts grouped by
 * category, region, department or period with 环比/同比, the KPIs, and the
 * 月报, each as JSON or as CSV. They read the counters of report_count.h
 * (and, for the state filter, the open tickets' covering index), never the
 * tickets one by one, so a report
 * over a year costs a few thousand cells whatever the number of tickets.
 * Every definition is in README.md ("Reports").
 *
 * Days are the server's local days (TZ). Visibility (visibility.h):
 * dispatchers, supervisors and admins see every ticket; a handler the
 * tickets of its department (the one handling them now, or for a closed
 * ticket the last one that did) and the events charged to it; an agent the
 * tickets it created. */
#ifndef GD_REPORT_H
#define GD_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "gongdan/gd_err.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"
#include "gongdan/strbuf.h"

#define REPORT_MAX_YEARS 5 /* the longest range: from + 5 years, exclusive */

/* The query parameters as received (NULL: absent); the report functions
 * validate them (422 with a reason per field). */
struct report_params {
	const char *group_by; /* category (default), region, department, day, week, month */
	const char *from, *to; /* YYYY-MM-DD, whole local days, both inclusive */
	const char *compare;  /* previous (环比) or last_year (同比) */
	const char *state, *category, *department;
	const char *month;    /* YYYY-MM (monthly) */
};

enum report_kind { REPORT_COMPLAINTS, REPORT_KPIS, REPORT_MONTHLY };

/* GET /api/v1/reports/complaints: tickets created in the range, grouped. */
enum gd_status report_complaints(const struct principal *who, const struct report_params *p, json_t **out,
				 struct gd_err *e);
/* GET /api/v1/reports/kpis: the rates and counts over the range. */
enum gd_status report_kpis(const struct principal *who, const struct report_params *p, json_t **out,
			   struct gd_err *e);
/* GET /api/v1/reports/monthly: the 月报 of one month with 环比 and 同比. */
enum gd_status report_monthly(const struct principal *who, const struct report_params *p, json_t **out,
			      struct gd_err *e);

/* The report (as the functions above made it) as CSV: a UTF-8 byte-order
 * mark, a header row, RFC 4180 quoting, CRLF line ends. filename (for
 * Content-Disposition, ASCII) names the report and its range. */
enum gd_status report_csv(enum report_kind kind, const json_t *report, struct strbuf *out, char *filename,
			  size_t filename_size);

/* Every statement the reports read with, for the query-plan test. */
const char *const *report_read_sql(size_t *count);

#endif
