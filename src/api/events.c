/* events.c - GET /api/v1/events: the live updates (events.h) as
 * Server-Sent Events. The handler subscribes and hands the stream to
 * http.c (req_stream); the fill below runs on the connection's thread,
 * checks the caller's credentials again whenever the ring asks (at every
 * keep-alive, and at once after a logout, a revoked token or a changed
 * user), and parks the connection while there is nothing to send. */
#include <stdlib.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/auth.h"
#include "gongdan/events.h"
#include "gongdan/number.h"
#include "gongdan/request.h"

static bool park(void *ctx)
{
	return req_stream_park(ctx);
}

static void wake(void *ctx)
{
	req_stream_wake(ctx);
}

static void unsubscribe(void *ctx)
{
	events_unsubscribe(ctx);
}

/* The same credentials still name the same user, role and department. */
static bool still_valid(struct request *req)
{
	struct principal was = req->who;
	bool ok = !auth_recheck(req) && req->who.user_id == was.user_id && req->who.role == was.role &&
		  req->who.department_id == was.department_id;
	req->who = was;
	return ok;
}

static enum req_stream_step fill(struct request *req, void *ctx, char *buf, size_t cap, size_t *len)
{
	for (;;) {
		switch (events_fill(ctx, buf, cap, len)) {
		case EVENTS_DATA:
			return REQ_STREAM_DATA;
		case EVENTS_WAIT:
			return REQ_STREAM_WAIT;
		case EVENTS_CHECK:
			events_checked(ctx, still_valid(req));
			continue;
		case EVENTS_END:
			return REQ_STREAM_END;
		}
	}
}

/* Last-Event-ID as the browser sends it back: our own ids, or anything
 * else, which no ring holds (INT64_MAX: the client is told to reset). */
static int64_t last_event_id(const char *text)
{
	int64_t v;
	return number_parse(text, -1, 0, INT64_MAX - 1, &v) ? v : INT64_MAX;
}

enum gd_status api_events(struct request *req)
{
	static const char *const allowed[] = {"last_event_id", NULL};
	enum gd_status st;
	int64_t after = -1;
	if ((st = req_query_allow(req, allowed)))
		return st;
	const char *h = req_header(req, "Last-Event-ID");
	if (h)
		after = last_event_id(h);
	else if ((st = req_query_int(req, "last_event_id", 0, INT64_MAX - 1, &after)))
		return st;
	struct events_sub *s = events_subscribe(&req->who, after, park, wake, req);
	if (!s) {
		req_errorf(req, "the server holds as many live update streams as it may; try again later");
		req_add_header(req, "Retry-After", "30");
		return GD_E_UNAVAILABLE;
	}
	/* nginx passes the stream on as it comes instead of buffering it */
	req_add_header(req, "X-Accel-Buffering", "no");
	req_stream(req, "text/event-stream; charset=utf-8", fill, s, unsubscribe);
	return GD_OK;
}
