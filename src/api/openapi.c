/* openapi.c - GET /api/v1/openapi.json: the whole API as OpenAPI 3.1. The
 * document is src/api/openapi.json, written by hand beside the handlers and
 * compiled in; tests/http/openapi.test.mjs checks it against the route table
 * both ways and validates it as OpenAPI. */
#include "gongdan/api.h"

enum gd_status api_openapi(struct request *req)
{
	static const char *const allowed[] = {NULL};
	enum gd_status st = req_query_allow(req, allowed);
	if (st)
		return st;
	req->resp_type = "application/json; charset=utf-8";
	return strbuf_add(&req->resp_raw, gd_openapi_json, gd_openapi_json_len);
}
