/* metrics.c - GET /metrics in the Prometheus text format (version 0.0.4):
 * the HTTP series kept here (requests by route, method and status, a
 * latency histogram per route, connections, the slow lane), then the
 * tickets, sessions and store series the api layer reads (api_metrics). */
#include <stdatomic.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/conn.h"
#include "gongdan/db.h"
#include "gongdan/http.h"
#include "gongdan/lane.h"
#include "gongdan/request.h"
#include "gongdan/route.h"

/* The statuses gongdan answers; anything else counts as "other". */
static const int codes[] = {200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 408, 409, 412,
			    413, 414, 415, 416, 422, 429, 431, 500, 501, 503, 507};
#define NCODES (sizeof codes / sizeof codes[0])

/* Seconds; the histogram's le bounds. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

/* One slot per route, then static files, then requests no route matched. */
#define SLOT_STATIC ROUTE_MAX
#define SLOT_NONE (ROUTE_MAX + 1)
#define NSLOTS (ROUTE_MAX + 2)

static struct {
	atomic_ullong by_code[NCODES + 1];   /* the last one: other */
	atomic_ullong buckets[NBOUNDS + 1];  /* not cumulative; the last one: above every bound */
	atomic_ullong sum_us, count;
} slots[NSLOTS];

void http_metrics_observe(const struct route *route, bool static_file, int status, long long us)
{
	size_t slot = static_file ? SLOT_STATIC : route ? route_index(route) : SLOT_NONE;
	if (slot >= NSLOTS)
		return;
	size_t c = 0;
	while (c < NCODES && codes[c] != status)
		c++;
	size_t b = 0;
	while (b < NBOUNDS && (double)us > bounds[b] * 1e6)
		b++;
	atomic_fetch_add_explicit(&slots[slot].by_code[c], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&slots[slot].buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&slots[slot].sum_us, us > 0 ? (unsigned long long)us : 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&slots[slot].count, 1, memory_order_relaxed);
}

/* route="/api/v1/tickets/{number}",method="GET" for a slot. Patterns hold
 * no '"' or '\\', so they need no escaping. */
static void slot_labels(size_t slot, char *out, size_t outlen)
{
	if (slot == SLOT_STATIC) {
		snprintf(out, outlen, "route=\"(static)\",method=\"GET\"");
		return;
	}
	if (slot == SLOT_NONE) {
		snprintf(out, outlen, "route=\"(none)\",method=\"any\"");
		return;
	}
	const struct route *r = route_at(slot);
	char methods[64];
	/* GET routes answer HEAD too: they are named by GET alone */
	route_methods_text(r->methods & HTTP_GET ? HTTP_GET : r->methods, methods, sizeof methods);
	snprintf(out, outlen, "route=\"%s\",method=\"%s\"", r->pattern, methods);
}

static bool slot_used(size_t slot)
{
	if (slot < ROUTE_MAX && slot >= route_count())
		return false;
	return atomic_load(&slots[slot].count) > 0;
}

static enum gd_status http_series(struct strbuf *out)
{
	enum gd_status st = strbuf_adds(out, "# HELP gongdan_http_requests_total HTTP requests answered, by route "
					     "(the route table's pattern), method and status.\n"
					     "# TYPE gongdan_http_requests_total counter\n");
	char labels[300];
	for (size_t slot = 0; !st && slot < NSLOTS; slot++) {
		if (!slot_used(slot))
			continue;
		slot_labels(slot, labels, sizeof labels);
		for (size_t c = 0; !st && c <= NCODES; c++) {
			unsigned long long n = atomic_load(&slots[slot].by_code[c]);
			if (!n)
				continue;
			char code[16];
			snprintf(code, sizeof code, c < NCODES ? "%d" : "other", c < NCODES ? codes[c] : 0);
			st = strbuf_addf(out, "gongdan_http_requests_total{%s,status=\"%s\"} %llu\n", labels, code, n);
		}
	}
	if (!st)
		st = strbuf_adds(out, "# HELP gongdan_http_request_duration_seconds Time from a request's head to "
				      "its answer, by route.\n"
				      "# TYPE gongdan_http_request_duration_seconds histogram\n");
	for (size_t slot = 0; !st && slot < NSLOTS; slot++) {
		if (!slot_used(slot))
			continue;
		slot_labels(slot, labels, sizeof labels);
		unsigned long long cum = 0;
		for (size_t b = 0; !st && b <= NBOUNDS; b++) {
			cum += atomic_load(&slots[slot].buckets[b]);
			char le[24];
			snprintf(le, sizeof le, b < NBOUNDS ? "%g" : "+Inf", b < NBOUNDS ? bounds[b] : 0.0);
			st = strbuf_addf(out, "gongdan_http_request_duration_seconds_bucket{%s,le=\"%s\"} %llu\n", labels,
					 le, cum);
		}
		if (!st)
			st = strbuf_addf(out,
					 "gongdan_http_request_duration_seconds_sum{%s} %.6f\n"
					 "gongdan_http_request_duration_seconds_count{%s} %llu\n",
					 labels, (double)atomic_load(&slots[slot].sum_us) / 1e6, labels, cum);
	}
	if (!st)
		st = strbuf_addf(out,
				 "# HELP gongdan_connections Connections open now.\n"
				 "# TYPE gongdan_connections gauge\n"
				 "gongdan_connections %u\n"
				 "# HELP gongdan_connections_closed_slow_total Connections closed for missing a deadline.\n"
				 "# TYPE gongdan_connections_closed_slow_total counter\n"
				 "gongdan_connections_closed_slow_total %llu\n"
				 "# HELP gongdan_slow_lane_busy Searches and logins queued or running on the slow lane.\n"
				 "# TYPE gongdan_slow_lane_busy gauge\n"
				 "gongdan_slow_lane_busy %u\n",
				 conn_count(), conn_closed_by_deadline(), lane_busy());
	return st;
}

enum gd_status http_metrics(struct request *req)
{
	enum gd_status st = http_series(&req->resp_raw);
	if (!st)
		st = api_metrics(&req->resp_raw);
	req->resp_type = "text/plain; version=0.0.4; charset=utf-8";
	return st;
}
