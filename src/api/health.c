/* health.c - liveness: GET /healthz answers {"status":"ok"} while the server
 * runs, or {"status":"degraded","reason":…} while it runs but cannot do
 * everything (writes failing on a full disk; reads still work). Always 200:
 * the process is alive, and restarting it would not free the disk. */
#include "gongdan/api.h"
#include "gongdan/db.h"
#include "gongdan/gd_time.h"

enum gd_status api_healthz(struct request *req)
{
	int64_t since;
	if (db_storage_full(&since)) {
		char iso[32];
		time_iso(since, iso);
		req_reply_json(req, 200,
			       json_pack("{s:s, s:s, s:s}", "status", "degraded", "reason",
					 "writes are failing: the disk holding the database is full; reads still work",
					 "since", iso));
		return GD_OK;
	}
	req_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
	return GD_OK;
}
