/* metrics.c - GET /metrics in the Prometheus text format. */
#include "gongdan/conn.h"
#include "gongdan/db.h"
#include "gongdan/http.h"
#include "gongdan/lane.h"
#include "gongdan/request.h"

enum gd_status http_metrics(struct request *req)
{
	req->resp_type = "text/plain; version=0.0.4; charset=utf-8";
	return strbuf_addf(&req->resp_raw,
			   "# HELP gongdan_http_requests_total HTTP requests answered.\n"
			   "# TYPE gongdan_http_requests_total counter\n"
			   "gongdan_http_requests_total %llu\n"
			   "# HELP gongdan_connections Connections open now.\n"
			   "# TYPE gongdan_connections gauge\n"
			   "gongdan_connections %u\n"
			   "# HELP gongdan_connections_closed_slow_total Connections closed for missing a deadline.\n"
			   "# TYPE gongdan_connections_closed_slow_total counter\n"
			   "gongdan_connections_closed_slow_total %llu\n"
			   "# HELP gongdan_slow_lane_busy Searches and logins queued or running on the slow lane.\n"
			   "# TYPE gongdan_slow_lane_busy gauge\n"
			   "gongdan_slow_lane_busy %u\n"
			   "# HELP gongdan_storage_full 1 while writes fail because the disk is full.\n"
			   "# TYPE gongdan_storage_full gauge\n"
			   "gongdan_storage_full %d\n",
			   http_requests_total(), conn_count(), conn_closed_by_deadline(), lane_busy(),
			   db_storage_full(NULL) ? 1 : 0);
}
