/* metrics.c - GET /metrics in the Prometheus text format. */
#include "gongdan/http.h"
#include "gongdan/request.h"

enum gd_status http_metrics(struct request *req)
{
	req->resp_type = "text/plain; version=0.0.4; charset=utf-8";
	return strbuf_addf(&req->resp_raw,
			   "# HELP gongdan_http_requests_total HTTP requests answered.\n"
			   "# TYPE gongdan_http_requests_total counter\n"
			   "gongdan_http_requests_total %llu\n",
			   http_requests_total());
}
