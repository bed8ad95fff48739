/* queues.c - GET /api/v1/queues: counts per state × department with overdue
 * counts, read from the counters the engine keeps (no table scan). */
#include "gongdan/api.h"
#include "gongdan/db.h"
#include "gongdan/queue.h"

enum gd_status api_queues(struct request *req)
{
	json_t *out = NULL;
	enum gd_status s = queue_counts(db_reader(), &req->who, &out);
	if (s)
		return s;
	req_reply_json(req, 200, out);
	return GD_OK;
}
