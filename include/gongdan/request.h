/* request.h - one HTTP request as the api layer sees it: no libmicrohttpd
 * types leak past this header. struct request lives in the connection's
 * *con_cls from the access handler's first call; the completion callback
 * (web/http.c) frees it, or its connection does when libmicrohttpd gives
 * up on it (conn.h), and it owns everything hanging off it: body, parsed
 * JSON, response, error text.
 *
 * A handler reads its inputs with req_param/req_query/req_header/req->json,
 * sets req->resp (JSON, ownership moves to req) and req->status, and returns
 * GD_OK; or returns an error status, optionally after req_errorf() and
 * req_field_error() to explain it. http.c renders errors in the one shape
 * {"error":{"code","message","fields"}}.
 */
#ifndef GD_REQUEST_H
#define GD_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/db.h"
#include "gongdan/gd_err.h"
#include "gongdan/limits.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"
#include "gongdan/strbuf.h"

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD = 2,
	HTTP_POST = 4,
	HTTP_PUT = 8,
	HTTP_PATCH = 16,
	HTTP_DELETE = 32,
	HTTP_OPTIONS = 64,
	HTTP_OTHER = 128
};

struct route;
struct request;
struct conn;

/* A streamed answer (req_stream): the next bytes, at most cap, on the
 * connection's thread. DATA: *len > 0 bytes are in buf; WAIT: nothing now,
 * and req_stream_park() succeeded; END: the answer is complete. */
enum req_stream_step { REQ_STREAM_DATA, REQ_STREAM_WAIT, REQ_STREAM_END };
typedef enum req_stream_step (*req_stream_fill)(struct request *req, void *ctx, char *buf, size_t cap,
						 size_t *len);

/* Builds the response once an asynchronous write has committed (or failed
 * with st); runs on a server thread. */
typedef enum gd_status (*req_then)(struct request *req, enum gd_status st);

struct request {
	/* set by http.c */
	enum http_method method;
	const char *method_name;
	char *raw_uri;             /* the path as received, before decoding */
	size_t raw_uri_len;        /* the whole request-line URI, query included */
	struct conn *link;         /* the connection's watch (conn.h), only for web/ */
	char *path;                /* percent-decoded, valid UTF-8, no NUL */
	const struct route *route;
	const char *params[GD_MAX_ROUTE_PARAMS]; /* {param} captures, point into param_buf */
	char *param_buf;
	struct strbuf body;
	bool body_too_large;
	size_t drained;            /* bytes discarded past the cap */
	json_t *json;              /* parsed body (an object) for POST/PUT/PATCH with a body */
	void *conn;                /* the MHD connection, only for web/ */
	bool tls;
	int64_t started_us;
	unsigned calls;            /* access-handler calls so far */
	struct principal who;

	/* set by the handler */
	int status;                /* HTTP status for a successful response; 200 default */
	json_t *resp;              /* JSON body (req owns it) */
	struct strbuf resp_raw;    /* non-JSON body (CSV, metrics) */
	const char *resp_type;     /* content type of resp_raw */
	struct strbuf resp_headers;/* "Name: value\n" lines added to the response */
	struct gd_err err;         /* message and field reasons of an error answer */
	enum gd_status error_status; /* set by http.c when rendering an error */
	bool close_connection;

	/* an asynchronous write (req_write_async) */
	struct db_job job;
	void *job_ctx;              /* owned: freed with job_ctx_free */
	void (*job_ctx_free)(void *ctx);
	req_then then;
	bool suspended;             /* waiting for the group commit or the slow lane */
	bool job_finished;
	bool job_pending;           /* req_write_async on the lane: submitted after the handler */

	/* the slow lane (lane.h) */
	bool in_lane;
	bool lane_done;
	enum gd_status lane_status;
	struct request *lane_next;

	/* a streamed answer (req_stream) */
	req_stream_fill stream_fill;
	void *stream_ctx;           /* owned: freed with stream_ctx_free */
	void (*stream_ctx_free)(void *ctx);
	const char *stream_type;
	bool stream_parked;         /* suspended by req_stream_park (web's lock) */
	bool stream_observed;       /* counted in /metrics when its head was queued */
	struct request *stream_prev, *stream_next; /* the parked streams (web/) */

	/* for the access log and /metrics */
	bool served_static;        /* answered from www/ */
	uint64_t bytes_out;
	int http_status;
};

/* {param} capture i of the matched route (0-based, in pattern order). */
const char *req_param(const struct request *req, int i);
/* Query-string value (decoded) or NULL; last one wins. Valid UTF-8 is not
 * guaranteed: use req_query_str/int which check it. */
const char *req_query(const struct request *req, const char *name);
/* Query value that must be valid UTF-8 (else GD_E_BAD_REQUEST). *out is NULL
 * when absent. */
enum gd_status req_query_str(struct request *req, const char *name, const char **out);
/* Integer query value within [min, max] (number.h's spelling: no '+', no
 * spaces, no leading zeros); absent leaves *out unchanged; else 400. */
enum gd_status req_query_int(struct request *req, const char *name, int64_t min, int64_t max, int64_t *out);
/* {param} capture i as an integer within [min, max]; anything else names no
 * such thing: 404 "no <what> '<text>'". */
enum gd_status req_param_int(struct request *req, int i, int64_t min, int64_t max, const char *what, int64_t *out);
/* Fails with 400 naming the first query parameter not in allowed (a
 * NULL-terminated list): typos in filters must not pass silently. */
enum gd_status req_query_allow(struct request *req, const char *const *allowed);
/* Parses If-Match: GD_OK with *version = -1 when absent or "*", the number
 * inside "N" otherwise; GD_E_BAD_REQUEST when malformed. */
enum gd_status req_if_match(struct request *req, int64_t *version);
/* Sets ETag: "<version>". */
void req_set_etag(struct request *req, int64_t version);
/* Request header (case-insensitive) or NULL. */
const char *req_header(const struct request *req, const char *name);
/* The client's address as text ("127.0.0.1"): the TCP peer, or when that
 * is a trusted proxy (proxy.h), the client X-Forwarded-For names. */
void req_client_addr(const struct request *req, char *out, size_t outlen);

/* Sets the error message shown in the JSON error body. */
void req_errorf(struct request *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds fields[name] = reason to the error body. */
void req_field_error(struct request *req, const char *name, const char *reason);
/* Adds a response header; value must not contain CR or LF. */
void req_add_header(struct request *req, const char *name, const char *value);
/* Runs run(w, ctx) in the writer's next group commit without holding a
 * server thread: the connection is suspended until the commit, then then()
 * builds the response. The request owns ctx (freed with ctx_free). */
enum gd_status req_write_async(struct request *req, enum gd_status (*run)(struct db *w, void *ctx), void *ctx,
			       void (*ctx_free)(void *ctx), req_then then);
/* Answers 200 with a body of unknown length (chunked) that fill() writes
 * as it goes, with Content-Type type (a literal) and Cache-Control:
 * no-store; the request owns ctx and frees it with ctx_free when it ends,
 * however it ends (fill is never called after that). */
void req_stream(struct request *req, const char *type, req_stream_fill fill, void *ctx, void (*ctx_free)(void *ctx));
/* From fill only: suspends the connection until req_stream_wake(); false
 * (nothing suspended) once the server is stopping: end the stream then. */
bool req_stream_park(struct request *req);
/* From any thread: resumes the connection req_stream_park suspended (no
 * effect if it is not suspended). */
void req_stream_wake(struct request *req);
/* Moves the details of a core failure into the error body; returns st. */
enum gd_status req_fail(struct request *req, enum gd_status st, struct gd_err *e);
/* Sets the JSON response body and status (takes ownership of body). */
void req_reply_json(struct request *req, int status, json_t *body);

#endif
