/* health.c - liveness: GET /healthz answers {"status":"ok"} while the server runs. */
#include "gongdan/api.h"

enum gd_status api_healthz(struct request *req)
{
	req_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
	return GD_OK;
}
