/* http.c - libmicrohttpd glue: the daemon, the access handler (framing
 * checks, body accumulation with a cap), the checks every route shares
 * (authentication, CSRF, admin, JSON body), rendering responses and errors,
 * security headers, the access log, graceful stop. The only place that
 * queues responses.
 *
 * Ownership: a struct request is made on the access handler's first call
 * for a request and freed by the completion callback; libmicrohttpd calls
 * that only for requests it handed to us, and the connection (conn.h) frees
 * any it never completes. The URI log callback makes nothing: it records
 * the raw path on the connection. */
#include "gongdan/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gongdan/auth.h"
#include "gongdan/conn.h"
#include "gongdan/digest.h"
#include "gongdan/lane.h"
#include "gongdan/limits.h"
#include "gongdan/log.h"
#include "gongdan/request.h"
#include "gongdan/route.h"
#include "gongdan/static_files.h"
#include "gongdan/utf8.h"
#include "gongdan/xalloc.h"

static struct MHD_Daemon *daemon_handle;
static unsigned bound_port;
static size_t max_body = GD_CAP_BODY_DEFAULT;
static bool serving_tls;
static atomic_bool stopping;
static atomic_int inflight;        /* requests made and not yet freed */
static atomic_int suspended_now;   /* connections suspended and not yet resumed */
static atomic_ullong requests_total;

/* Trusted Types: the UI never parses HTML, so any innerHTML or
 * document.write is an error rather than a way in (no policy may exist). */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
			  "require-trusted-types-for 'script'; trusted-types 'none'";

/* On every answer gongdan writes (see also the early answers in conn.c). */
static const struct {
	const char *name, *value;
} security_headers[] = {
	{"Content-Security-Policy", csp},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

unsigned long long http_requests_total(void)
{
	return atomic_load(&requests_total);
}

unsigned http_port(void)
{
	return bound_port;
}

static struct request *request_new(struct MHD_Connection *mhd, struct conn *c)
{
	struct request *req = xcalloc(1, sizeof *req);
	size_t uri_len;
	req->raw_uri = xstrdup(conn_raw_path(c, &uri_len));
	req->raw_uri_len = uri_len;
	strbuf_init(&req->body, max_body);
	strbuf_init(&req->resp_raw, GD_CAP_RESPONSE);
	strbuf_init(&req->resp_headers, 16384);
	req->started_us = now_us();
	req->status = 200;
	req->tls = serving_tls;
	req->conn = mhd;
	req->link = c;
	atomic_fetch_add(&inflight, 1);
	return req;
}

static void request_free(struct request *req)
{
	if (req->job_ctx_free)
		req->job_ctx_free(req->job_ctx);
	if (req->stream_ctx_free)
		req->stream_ctx_free(req->stream_ctx); /* nothing wakes it after this */
	free(req->raw_uri);
	free(req->path);
	free(req->param_buf);
	strbuf_release(&req->body);
	strbuf_release(&req->resp_raw);
	strbuf_release(&req->resp_headers);
	json_decref(req->json);
	json_decref(req->resp);
	gd_err_release(&req->err);
	free(req);
	atomic_fetch_sub(&inflight, 1);
}

void http_request_abandon(struct request *req)
{
	request_free(req);
}

/* The URI log callback: libmicrohttpd has the request line. Nothing is
 * allocated here (the request may never reach the access handler); the
 * connection keeps the raw path.
 *
 * libmicrohttpd 0.9.75 parses the query into its connection pool just
 * after this call, and a query that does not fit leaves the request with no
 * answer at all. A query over gongdan's limits is answered 414 on the
 * access handler's first call; so that the library gets that far, the
 * query is cut to nothing here: `uri` points into the library's own read
 * buffer (the request line), and the argument string it is about to parse
 * starts right after the '?'. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *mhd)
{
	(void)cls;
	if (!conn_uri(conn_of(mhd), uri ? uri : "/")) {
		char *q = strchr(uri, '?');
		if (q)
			q[1] = '\0';
	}
	return NULL;
}

static void completed(void *cls, struct MHD_Connection *mhd, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	struct request *req = *con_cls;
	struct conn *c = conn_of(mhd);
	conn_phase(c, CONN_WAIT, 0); /* keep-alive: waiting for the next head */
	if (!req)
		return;
	conn_take_request(req->link);
	atomic_fetch_add(&requests_total, 1);
	long long us = (long long)(now_us() - req->started_us);
	if (!req->stream_observed)
		http_metrics_observe(req->served_static ? NULL : req->route, req->served_static, req->http_status, us);
	if (log_enabled(LOG_INFO)) {
		const char *method = req->method_name ? req->method_name : "-";
		const char *path = req->path ? req->path : "(undecodable)";
		bool aborted = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK;
		if (log_is_json()) {
			char addr[64], shown[256];
			req_client_addr(req, addr, sizeof addr);
			snprintf(shown, sizeof shown, "%.200s", path);
			utf8_sanitize(shown);
			log_fields(LOG_INFO, "access",
				   json_pack("{s:s, s:s, s:i, s:I, s:I, s:s, s:b}", "method", method, "path", shown,
					     "status", req->http_status, "bytes", (json_int_t)req->bytes_out, "us",
					     (json_int_t)us, "addr", addr, "aborted", aborted));
		} else {
			log_at(LOG_INFO, "access %s %.200s %d %llu %lldus%s", method, path, req->http_status,
			       (unsigned long long)req->bytes_out, us, aborted ? " (aborted)" : "");
		}
	}
	request_free(req);
	*con_cls = NULL;
}

static void notify_connection(void *cls, struct MHD_Connection *mhd, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = conn_open(mhd);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		conn_close(*socket_context);
		*socket_context = NULL;
	}
}

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	(void)cls;
	(void)addrlen;
	return conn_admit(addr) ? MHD_YES : MHD_NO;
}

static enum http_method parse_method(const char *m)
{
	static const struct {
		const char *name;
		enum http_method method;
	} methods[] = {
		{"GET", HTTP_GET}, {"HEAD", HTTP_HEAD}, {"POST", HTTP_POST}, {"PUT", HTTP_PUT},
		{"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}, {"OPTIONS", HTTP_OPTIONS},
	};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (!strcmp(m, methods[i].name))
			return methods[i].method;
	return HTTP_OTHER;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes the path part of the raw URI. Fails on bad escapes, NUL,
 * invalid UTF-8 and over-long paths. */
static enum gd_status decode_path(struct request *req)
{
	const char *s = req->raw_uri;
	size_t n = strlen(s);
	if (n == 0 || s[0] != '/') {
		req_errorf(req, "the request path must start with /");
		return GD_E_BAD_REQUEST;
	}
	if (n > GD_CAP_PATH) {
		req_errorf(req, "the request path is longer than %d bytes", GD_CAP_PATH);
		return GD_E_URI_TOO_LONG;
	}
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(out);
				req_errorf(req, "the request path has a malformed %%-escape");
				return GD_E_BAD_REQUEST;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (!utf8_valid(out, o)) {
		free(out);
		req_errorf(req, "the request path is not valid UTF-8 or contains NUL");
		return GD_E_BAD_REQUEST;
	}
	req->path = out;
	return GD_OK;
}

enum gd_status http_error_text(struct strbuf *out, enum gd_status st, const char *message)
{
	json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", status_slug(st), "message",
				 message ? message : status_message(st));
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (!text)
		return GD_E_INTERNAL;
	int code = status_http(st);
	const char *reason = MHD_get_reason_phrase_for((unsigned)code);
	enum gd_status s = strbuf_addf(out,
				       "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Type: application/json; "
				       "charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: %zu\r\n",
				       code, reason ? reason : "Error", strlen(text));
	for (size_t i = 0; !s && i < sizeof security_headers / sizeof security_headers[0]; i++)
		s = strbuf_addf(out, "%s: %s\r\n", security_headers[i].name, security_headers[i].value);
	if (!s)
		s = strbuf_addf(out, "\r\n%s", text);
	free(text);
	return s;
}

static void add_common_headers(struct MHD_Response *resp, const struct request *req)
{
	for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
		MHD_add_response_header(resp, security_headers[i].name, security_headers[i].value);
	if (req->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	/* handler-added headers: "Name: value\n" lines */
	const char *p = strbuf_str(&req->resp_headers);
	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *colon = strchr(p, ':');
		if (!nl || !colon || colon > nl)
			break;
		char name[128], value[4096];
		snprintf(name, sizeof name, "%.*s", (int)(colon - p), p);
		snprintf(value, sizeof value, "%.*s", (int)(nl - colon - 2), colon + 2);
		MHD_add_response_header(resp, name, value);
		p = nl + 1;
	}
}

static struct MHD_Response *render_error(struct request *req, enum gd_status st)
{
	if (st == GD_E_UNAVAILABLE && atomic_load(&stopping) && !req->err.message[0])
		req_errorf(req, "the server is stopping; try again in a moment");
	json_t *err = json_object();
	json_object_set_new(err, "code", json_string(status_slug(st)));
	json_object_set_new(err, "message", json_string(req->err.message[0] ? req->err.message : status_message(st)));
	if (gd_err_has_fields(&req->err))
		json_object_set(err, "fields", req->err.fields);
	json_t *body = json_pack("{s:o}", "error", err);
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	req->http_status = status_http(st);
	req->error_status = st;
	size_t len = strlen(text);
	req->bytes_out = len;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return resp;
}

/* Reference data (ROUTE_REVALIDATE): the ETag is a hash of the body, so it
 * changes exactly when the data does, and a browser that has the body gets
 * 304 without one. Takes text. */
static struct MHD_Response *render_revalidated(struct request *req, char *text, size_t len)
{
	char hex[2 * DIGEST_SHA256_LEN + 1], etag[40];
	digest_sha256_hex(text, len, hex);
	snprintf(etag, sizeof etag, "\"%.32s\"", hex);
	const char *inm = req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	struct MHD_Response *resp;
	if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
		free(text);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		req->status = MHD_HTTP_NOT_MODIFIED;
		req->bytes_out = 0;
	} else {
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
		req->bytes_out = len;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	req->http_status = req->status;
	return resp;
}

static struct MHD_Response *render_stream(struct request *req);

static struct MHD_Response *render_ok(struct request *req)
{
	struct MHD_Response *resp;
	if (req->stream_fill)
		return render_stream(req);
	if (req->resp) {
		char *text = json_dumps(req->resp, JSON_COMPACT | JSON_REAL_PRECISION(12));
		if (!text)
			return render_error(req, GD_E_INTERNAL);
		size_t len = strlen(text);
		if (req->route && (req->route->flags & ROUTE_REVALIDATE) && req->status == 200)
			return render_revalidated(req, text, len);
		req->bytes_out = len;
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	} else {
		size_t len;
		char *text = strbuf_detach(&req->resp_raw, &len);
		req->bytes_out = len;
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		if (req->resp_type)
			MHD_add_response_header(resp, "Content-Type", req->resp_type);
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
	req->http_status = req->status;
	return resp;
}

static struct MHD_Response *render(struct request *req, enum gd_status st)
{
	return st ? render_error(req, st) : render_ok(req);
}

/* Whether the Content-Type ct is type (without parameters). */
static bool is_type(const char *ct, const char *type)
{
	if (!ct)
		return false;
	size_t n = strcspn(ct, "; \t");
	return n == strlen(type) && !strncasecmp(ct, type, n);
}

/* Parses the body into req->json (an object; {} when there is no body). */
static enum gd_status parse_body(struct request *req)
{
	if (req->body.len == 0) {
		req->json = json_object();
		return GD_OK;
	}
	if (!is_type(req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE), "application/json")) {
		req_errorf(req, "the body must be sent as Content-Type: application/json%s",
			   req->route->flags & ROUTE_CSV ? " or text/csv" : "");
		return GD_E_MEDIA_TYPE;
	}
	json_error_t jerr;
	req->json = json_loadb(req->body.buf, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req->json) {
		req_errorf(req, "malformed JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return GD_E_BAD_REQUEST;
	}
	if (!json_is_object(req->json)) {
		req_errorf(req, "the body must be a JSON object");
		return GD_E_BAD_REQUEST;
	}
	return GD_OK;
}

/* Runs the route: shared checks from the flags, then the handler. */
static enum gd_status dispatch(struct request *req)
{
	enum gd_status st;
	const struct route *r = req->route;
	if ((st = auth_identify(req)))
		return st;
	if ((r->flags & (ROUTE_AUTH | ROUTE_ADMIN)) && !req->who.user_id) {
		req_errorf(req, "log in or send Authorization: Bearer <token>");
		return GD_E_UNAUTHORIZED;
	}
	if ((r->flags & ROUTE_ADMIN) && !role_has(req->who.role, ROLE_ALL_POWERS)) {
		req_errorf(req, "only an admin may do this");
		return GD_E_FORBIDDEN;
	}
	if (req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE)) {
		if (!(r->flags & ROUTE_IDEMPOTENT) && req_header(req, "Idempotency-Key")) {
			/* a script that thinks its retries are safe must learn they are not */
			req_errorf(req, "%s %.200s does not take an Idempotency-Key (only POST /api/v1/tickets and "
				   "the ticket actions do)", req->method_name, req->path);
			return GD_E_BAD_REQUEST;
		}
		if ((st = auth_check_csrf(req)))
			return st;
		bool csv = (r->flags & ROUTE_CSV) && is_type(req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE), "text/csv");
		if (!(r->flags & ROUTE_NO_JSON) && !csv && (st = parse_body(req)))
			return st;
	}
	return r->handler(req);
}

/* --- suspended requests: the writer and the slow lane ------------------- */

/* Once http_stop refuses suspensions (under the lock, so that none begins
 * after it counts them), a request that would wait is answered 503 at once:
 * the daemon must never stop with a connection suspended. */
static pthread_mutex_t suspend_lock = PTHREAD_MUTEX_INITIALIZER;
static bool suspend_refused;

static bool suspend(struct request *req)
{
	pthread_mutex_lock(&suspend_lock);
	bool ok = !suspend_refused;
	if (ok)
		atomic_fetch_add(&suspended_now, 1);
	pthread_mutex_unlock(&suspend_lock);
	if (!ok) {
		req_errorf(req, "the server is stopping; try again in a moment");
		return false;
	}
	req->suspended = true;
	MHD_suspend_connection(req->conn);
	return true;
}

/* The last thing a writer or lane thread does with req: once resumed, the
 * connection's own thread may answer and free it. Counted down only after
 * the resume, so that http_stop never sees zero while one is still due. */
static void resume(struct request *req)
{
	struct MHD_Connection *mhd = req->conn;
	MHD_resume_connection(mhd);
	atomic_fetch_sub(&suspended_now, 1);
}

/* The writer thread calls this after the job's commit. */
static void job_finished(struct db_job *job)
{
	struct request *req = (struct request *)(void *)((char *)job - offsetof(struct request, job));
	req->job_finished = true;
	resume(req);
}

enum gd_status req_write_async(struct request *req, enum gd_status (*run)(struct db *w, void *ctx), void *ctx,
			       void (*ctx_free)(void *ctx), req_then then)
{
	req->job_ctx = ctx;
	req->job_ctx_free = ctx_free;
	req->then = then;
	req->job.run = run;
	req->job.ctx = ctx;
	req->job.done = job_finished;
	if (req->in_lane) {
		/* already suspended: the lane submits it when the handler returns */
		req->job_pending = true;
		return GD_OK;
	}
	if (!suspend(req))
		return GD_E_UNAVAILABLE; /* ctx is freed with the request */
	db_write_submit(&req->job);
	return GD_OK;
}

/* A slow request on a lane thread. */
static void lane_run(struct request *req, bool refused)
{
	enum gd_status st = GD_E_UNAVAILABLE;
	req->in_lane = true;
	if (!refused)
		st = dispatch(req);
	req->in_lane = false;
	if (!st && req->job_pending) {
		req->job_pending = false;
		db_write_submit(&req->job); /* the writer resumes it */
		return;
	}
	req->lane_status = st;
	req->lane_done = true;
	resume(req);
}

/* --- streamed answers (GET /api/v1/events) ------------------------------ */

/* Parked streams, so that http_stop can resume them (under suspend_lock);
 * once streams_refused, none parks again and each ends at its next fill. */
static struct request *parked_streams;
static bool streams_refused;

#define STREAM_SNDBUF (64 << 10) /* the kernel's share of a stream that is not read */

void req_stream(struct request *req, const char *type, req_stream_fill fill, void *ctx, void (*ctx_free)(void *ctx))
{
	req->stream_fill = fill;
	req->stream_ctx = ctx;
	req->stream_ctx_free = ctx_free;
	req->stream_type = type;
}

bool req_stream_park(struct request *req)
{
	pthread_mutex_lock(&suspend_lock);
	bool ok = !streams_refused;
	if (ok) {
		atomic_fetch_add(&suspended_now, 1);
		req->stream_parked = true;
		req->stream_prev = NULL;
		req->stream_next = parked_streams;
		if (parked_streams)
			parked_streams->stream_prev = req;
		parked_streams = req;
		/* under the lock: a wake cannot come between the flag and the
		 * suspension (libmicrohttpd 0.9.75 turns a resume that comes
		 * before its suspend into a suspend that does nothing) */
		MHD_suspend_connection(req->conn);
	}
	pthread_mutex_unlock(&suspend_lock);
	return ok;
}

/* suspend_lock held. */
static void stream_unpark(struct request *req)
{
	if (!req->stream_parked)
		return;
	req->stream_parked = false;
	if (req->stream_prev)
		req->stream_prev->stream_next = req->stream_next;
	else
		parked_streams = req->stream_next;
	if (req->stream_next)
		req->stream_next->stream_prev = req->stream_prev;
	MHD_resume_connection(req->conn);
	atomic_fetch_sub(&suspended_now, 1);
}

void req_stream_wake(struct request *req)
{
	pthread_mutex_lock(&suspend_lock);
	stream_unpark(req);
	pthread_mutex_unlock(&suspend_lock);
}

/* libmicrohttpd's content reader: the stream's next chunk. Returning 0 is
 * only ever done with the connection suspended (0.9.75 would otherwise
 * leave it neither polled nor suspended). The watchdog (conn.h) holds the
 * peer to the same pace as any answer: a chunk must be taken within the
 * grace, so a client that stopped reading is dropped once the socket's
 * buffers are full; a parked stream has no deadline. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct request *req = cls;
	size_t len = 0;
	switch (req->stream_fill(req, req->stream_ctx, buf, max, &len)) {
	case REQ_STREAM_DATA:
		req->bytes_out += len;
		conn_phase(req->link, CONN_SEND, len);
		return (ssize_t)len;
	case REQ_STREAM_WAIT:
		conn_phase(req->link, CONN_WORK, 0);
		return 0;
	case REQ_STREAM_END:
		break;
	}
	return MHD_CONTENT_READER_END_OF_STREAM;
}

static struct MHD_Response *render_stream(struct request *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci) {
		/* what a client that stops reading can leave in the kernel */
		int sndbuf = STREAM_SNDBUF;
		setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	}
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, req, NULL);
	MHD_add_response_header(resp, "Content-Type", req->stream_type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	req->http_status = req->status;
	/* counted in /metrics now: its latency is the time to its head (a
	 * stream's whole life would swamp the histogram) */
	http_metrics_observe(req->route, false, req->http_status, (long long)(now_us() - req->started_us));
	req->stream_observed = true;
	return resp;
}

/* http_stop: every parked stream resumes, and ends at its next fill. */
static void streams_end(void)
{
	pthread_mutex_lock(&suspend_lock);
	streams_refused = true;
	while (parked_streams)
		stream_unpark(parked_streams);
	pthread_mutex_unlock(&suspend_lock);
}

/* After the commit: the handler's continuation answers. */
static struct MHD_Response *respond_after_write(struct request *req)
{
	req_then then = req->then;
	req->then = NULL;
	req->suspended = false;
	return render(req, then(req, req->job.status));
}

static struct MHD_Response *respond(struct request *req)
{
	enum gd_status st = decode_path(req);
	if (st)
		return render_error(req, st);
	if (req->method == HTTP_OTHER) {
		req_errorf(req, "method %s is not supported", req->method_name);
		req_add_header(req, "Allow", "GET, HEAD, POST, PATCH, DELETE");
		return render_error(req, GD_E_METHOD);
	}
	unsigned allowed = 0;
	switch (route_find(req, &allowed)) {
	case ROUTE_FOUND:
		if (req->route->flags & ROUTE_SLOW) {
			/* expensive by nature: off this thread, so the cheap
			 * requests it also serves never wait behind it */
			if (!lane_has_room()) {
				req_errorf(req, "the server is busy with other searches; try again in a moment");
				req_add_header(req, "Retry-After", "1");
				return render_error(req, GD_E_UNAVAILABLE);
			}
			if (!suspend(req))
				return render_error(req, GD_E_UNAVAILABLE);
			lane_submit(req);
			return NULL;
		}
		st = dispatch(req);
		if (!st && req->suspended)
			return NULL; /* answered after the group commit */
		return render(req, st);
	case ROUTE_WRONG_METHOD: {
		char text[128];
		route_methods_text(allowed, text, sizeof text);
		req_add_header(req, "Allow", text);
		req_errorf(req, "%s is not allowed on %.200s; allowed: %s", req->method_name, req->path, text);
		return render_error(req, GD_E_METHOD);
	}
	case ROUTE_NO_PATH:
		break;
	}
	if (strncmp(req->path, "/api/", 5) && (req->method & (HTTP_GET | HTTP_HEAD))) {
		struct MHD_Response *resp = NULL;
		unsigned code = 0;
		st = static_serve(req, &resp, &code);
		if (!st) {
			req->served_static = true;
			req->http_status = (int)code;
			return resp;
		}
		if (st != GD_E_NOT_FOUND)
			return render_error(req, st);
	}
	req_errorf(req, "no such resource: %.200s", req->path);
	return render_error(req, GD_E_NOT_FOUND);
}

static enum MHD_Result queue(struct MHD_Connection *mhd, struct request *req, struct MHD_Response *resp)
{
	add_common_headers(resp, req);
	/* stopping: every answer closes its connection, so keep-alive clients
	 * go away instead of sending more */
	if (req->close_connection || atomic_load(&stopping))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	conn_phase(req->link, CONN_SEND, req->bytes_out);
	enum MHD_Result ret = MHD_queue_response(mhd, (unsigned)req->http_status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* An error answered on the first call, with the connection closed after
 * it: nothing more is read from a request that cannot be trusted. */
static enum MHD_Result refuse(struct MHD_Connection *mhd, struct request *req, enum gd_status st)
{
	req->close_connection = true;
	if (!req->path)
		req->path = xstrdup("(refused)");
	return queue(mhd, req, render_error(req, st));
}

/* --- framing -------------------------------------------------------------- */

struct head_scan {
	size_t bytes;         /* the head as its parsed parts account for it */
	int content_lengths;  /* Content-Length headers */
	const char *content_length;
	bool lengths_differ;
	int transfer_encodings;
	const char *transfer_encoding;
	bool has_host;
	const char *bad;      /* a header holding a control character */
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct head_scan *h = cls;
	value = value ? value : "";
	h->bytes += strlen(key) + 2 + strlen(value) + 2; /* "key: value\r\n" */
	for (const unsigned char *p = (const unsigned char *)value; *p && !h->bad; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			h->bad = key;
	for (const unsigned char *p = (const unsigned char *)key; *p && !h->bad; p++)
		if (*p <= 0x20 || *p == 0x7f)
			h->bad = "(a header name)";
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
		if (h->content_lengths++ && strcmp(h->content_length, value))
			h->lengths_differ = true;
		h->content_length = value;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		h->transfer_encodings++;
		h->transfer_encoding = value;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_HOST)) {
		h->has_host = true;
	}
	return MHD_YES;
}

/* Refuses a request whose framing another server could read differently
 * (request smuggling), or whose head holds what its parsed headers do not
 * show. Called once the head is complete. */
static enum gd_status check_framing(struct request *req, const char *method, const char *version)
{
	struct head_scan h = {0};
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, scan_header, &h);
	if (h.bad) {
		req_errorf(req, "the %.60s header holds a control character", h.bad);
		return GD_E_BAD_REQUEST;
	}
	if (!strcmp(version, MHD_HTTP_VERSION_1_1) && !h.has_host) {
		req_errorf(req, "an HTTP/1.1 request needs a Host header");
		return GD_E_BAD_REQUEST;
	}
	if (h.transfer_encodings && h.content_lengths) {
		req_errorf(req, "a request may not have both Content-Length and Transfer-Encoding");
		return GD_E_BAD_REQUEST;
	}
	if (h.lengths_differ) {
		req_errorf(req, "the request has Content-Length headers that disagree");
		return GD_E_BAD_REQUEST;
	}
	if (h.transfer_encodings > 1 || (h.transfer_encodings && strcasecmp(h.transfer_encoding, "chunked"))) {
		req_errorf(req, "the only transfer coding this server reads is chunked");
		return GD_E_NOT_IMPLEMENTED;
	}
	/* libmicrohttpd cuts a header value at a NUL and keeps what comes
	 * before it: count the head its parts describe ("METHOD URI VERSION",
	 * "key: value" lines with CRLF) against the bytes it really had. More
	 * bytes than that is a NUL, a folded line or a run of white space, all
	 * of which a proxy may read differently. */
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	size_t expected = strlen(method) + 1 + req->raw_uri_len + 1 + strlen(version) + 2 + h.bytes + 2;
	if (ci && ci->header_size > expected) {
		req_errorf(req, "the request head has %zu bytes its headers do not account for (a NUL, a folded line or "
			   "extra white space)", ci->header_size - expected);
		return GD_E_BAD_REQUEST;
	}
	return GD_OK;
}

/* --- the access handler ------------------------------------------------- */

/* The first call: the head is complete. */
static enum MHD_Result first_call(struct MHD_Connection *mhd, struct request *req, const char *method,
				  const char *version)
{
	req->method_name = method;
	req->method = parse_method(method);
	enum gd_status st = check_framing(req, method, version);
	if (st)
		return refuse(mhd, req, st);
	if (conn_uri_refused(req->link)) {
		req_errorf(req, "the request URI is too long: at most %d bytes of path and %d bytes or %d parameters of "
			   "query", GD_CAP_PATH, GD_CAP_QUERY, GD_MAX_QUERY_PARAMS);
		return refuse(mhd, req, GD_E_URI_TOO_LONG);
	}
	const char *cl = req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	bool chunked = req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
	uint64_t declared = cl ? strtoull(cl, NULL, 10) : 0; /* libmicrohttpd has checked its digits */
	if (declared > max_body) {
		/* a client that waits for 100 Continue has sent nothing yet, and
		 * one that declares more than we would drain is refused unread;
		 * others are read and discarded first, so that a client writing
		 * its whole body before reading gets the 413, not a reset */
		const char *expect = req_header(req, MHD_HTTP_HEADER_EXPECT);
		req_errorf(req, "the request body is larger than %zu bytes", max_body);
		if ((expect && !strcasecmp(expect, "100-continue")) || declared > GD_DRAIN_FACTOR * max_body)
			return refuse(mhd, req, GD_E_TOO_LARGE);
		req->body_too_large = true;
		strbuf_release(&req->body);
	}
	conn_phase(req->link, declared || chunked ? CONN_BODY : CONN_WORK, 0);
	/* libmicrohttpd 0.9.75 answers Connection: close to a response queued
	 * on the first call: always answer on a later one */
	return MHD_YES;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *mhd, const char *url, const char *method,
				      const char *version, const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	(void)cls;
	(void)url;
	struct request *req = *con_cls;
	if (!req) {
		struct conn *c = conn_of(mhd);
		if (conn_answered(c))
			return MHD_NO; /* answered already (conn.c); close */
		*con_cls = req = request_new(mhd, c);
		conn_set_request(c, req);
	}
	req->conn = mhd;
	if (req->calls++ == 0)
		return first_call(mhd, req, method, version);
	if (*upload_data_size) {
		/* libmicrohttpd refuses a response in the middle of a body: past
		 * the cap, drain (bounded) and answer 413 once the body ends */
		conn_progress(req->link, *upload_data_size);
		if (!req->body_too_large && strbuf_add(&req->body, upload_data, *upload_data_size)) {
			req->body_too_large = true;
			strbuf_release(&req->body);
			req_errorf(req, "the request body is larger than %zu bytes", max_body);
		}
		if (req->body_too_large) {
			req->drained += *upload_data_size;
			if (req->drained > GD_DRAIN_FACTOR * max_body)
				return MHD_NO; /* a flood: drop the connection */
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->body_too_large)
		return refuse(mhd, req, GD_E_TOO_LARGE);
	if (req->job_finished && req->then)
		return queue(mhd, req, respond_after_write(req));
	if (req->lane_done) {
		req->lane_done = false;
		req->suspended = false;
		return queue(mhd, req, render(req, req->lane_status));
	}
	if (req->suspended)
		return MHD_YES; /* still waiting */
	conn_phase(req->link, CONN_WORK, 0);
	struct MHD_Response *resp = respond(req);
	return resp ? queue(mhd, req, resp) : MHD_YES;
}

/* libmicrohttpd's own messages; its format strings come from the library.
 * Each kind (its format string) is rate-limited on its own. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	enum { KINDS = 64 };
	static struct {
		const char *fmt;
		struct log_limit limit;
	} kinds[KINDS];
	static pthread_mutex_t kinds_lock = PTHREAD_MUTEX_INITIALIZER;
	static struct log_limit other = LOG_LIMIT_INIT;
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	/* 0.9.75 answers these with its status line twice: answer them here */
	if (strstr(line, "Failed to parse `Content-Length' header"))
		conn_refused_head(GD_E_BAD_REQUEST, "the Content-Length header is not a number");
	else if (strstr(line, "Too large value of 'Content-Length' header"))
		conn_refused_head(GD_E_TOO_LARGE, "the declared Content-Length is too large");
	struct log_limit *l = &other;
	pthread_mutex_lock(&kinds_lock);
	for (int i = 0; i < KINDS; i++) {
		if (kinds[i].fmt == fmt || !kinds[i].fmt) {
			kinds[i].fmt = fmt;
			l = &kinds[i].limit;
			break;
		}
	}
	pthread_mutex_unlock(&kinds_lock);
	log_limited(l, 60, LOG_WARN, "libmicrohttpd: %s", line);
}

/* Enough descriptors for every connection, the database and a margin. */
static void raise_fd_limit(unsigned connections)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)connections + 128;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < want)
		log_at(LOG_WARN, "only %llu file descriptors: fewer than --max-connections %u needs",
		       (unsigned long long)rl.rlim_cur, connections);
}

enum gd_status http_start(const struct http_config *cfg)
{
	enum gd_status st;
	GD_ASSERT(route_count() <= ROUTE_MAX); /* /metrics has a slot per route */
	if (cfg->max_body)
		max_body = cfg->max_body;
	atomic_store(&stopping, false);
	suspend_refused = false;
	streams_refused = false;
	if ((st = static_init(cfg->www)))
		return st;
	unsigned threads = cfg->threads;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	unsigned max_conns = cfg->max_connections ? cfg->max_connections : GD_MAX_CONNECTIONS;
	unsigned per_address = cfg->max_per_address ? cfg->max_per_address : GD_MAX_PER_ADDRESS;
	struct sockaddr_storage addr;
	memset(&addr, 0, sizeof addr);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
	if (inet_pton(AF_INET, cfg->host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, cfg->host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)cfg->port);
		flags |= MHD_USE_IPv6;
	} else {
		log_at(LOG_ERROR, "--listen: '%s' is not a numeric IPv4 or IPv6 address", cfg->host);
		return GD_E_BAD_REQUEST;
	}
	if (cfg->tls_cert_pem) {
		flags |= MHD_USE_TLS;
		serving_tls = true;
	}
	raise_fd_limit(max_conns);
	struct conn_limits limits = {max_conns, per_address, GD_HEAD_TIMEOUT_MS, GD_BODY_GRACE_MS, GD_MIN_RATE,
				     serving_tls};
	if ((st = conn_start(&limits)))
		return st;
	if ((st = lane_start(threads, lane_run))) {
		conn_stop();
		return st;
	}
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_SOCK_ADDR, 0, &addr},
		{MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
		{MHD_OPTION_CONNECTION_LIMIT, (intptr_t)max_conns, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, GD_CONNECTION_TIMEOUT, NULL},
		{MHD_OPTION_CONNECTION_MEMORY_LIMIT, GD_MEMORY_PER_CONNECTION, NULL},
		{MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)(void *)uri_logger, NULL},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)(void *)completed, NULL},
		{MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)(void *)notify_connection, NULL},
		/* the TLS pair stays last: without TLS it becomes the end marker */
		{cfg->tls_cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cfg->tls_cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, cfg->tls_key_pem},
		{MHD_OPTION_END, 0, NULL},
	};
	/* the logger must come before any option that can fail */
	daemon_handle = MHD_start_daemon(flags, (uint16_t)cfg->port, accept_policy, NULL, &access_handler, NULL,
					 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_ARRAY, opts,
					 MHD_OPTION_END);
	if (!daemon_handle) {
		log_at(LOG_ERROR, "cannot listen on %s:%u (in use, or bad TLS certificate/key?)", cfg->host, cfg->port);
		lane_stop();
		conn_stop();
		return GD_E_INTERNAL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_BIND_PORT);
	bound_port = info ? info->port : cfg->port;
	log_at(LOG_INFO, "serving on %s:%u with %u threads%s", cfg->host, bound_port, threads,
	       cfg->tls_cert_pem ? " (TLS)" : "");
	return GD_OK;
}

static void wait_for(atomic_int *counter, int ms)
{
	for (int waited = 0; atomic_load(counter) > 0 && waited < ms; waited += 10)
		usleep(10000);
}

void http_stop(void)
{
	if (!daemon_handle)
		return;
	atomic_store(&stopping, true);
	/* the listening socket is ours to close, but only after the daemon's
	 * threads are gone */
	MHD_socket listener = MHD_quiesce_daemon(daemon_handle);
	/* live streams end now (they would hold the grace below) */
	streams_end();
	/* in-flight requests get the grace to finish... */
	wait_for(&inflight, GD_SHUTDOWN_GRACE_MS);
	/* ...then whatever still waits for the writer or the lane is answered
	 * 503 (an outside lock cannot hold the exit), nothing new waits, and no
	 * connection is left suspended when the daemon stops */
	pthread_mutex_lock(&suspend_lock);
	suspend_refused = true;
	pthread_mutex_unlock(&suspend_lock);
	db_writer_refuse();
	lane_refuse();
	db_writer_drain();
	lane_drain();
	/* the drains resumed every one; a resume still under way is waited for
	 * (libmicrohttpd aborts when it stops with a connection suspended) */
	for (int waited = 0; atomic_load(&suspended_now) > 0; waited += 10) {
		if (waited && waited % 5000 == 0)
			log_at(LOG_WARN, "stopping: %d connection(s) still suspended", atomic_load(&suspended_now));
		usleep(10000);
	}
	wait_for(&inflight, 1000); /* the resumed ones are answered */
	MHD_stop_daemon(daemon_handle);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	daemon_handle = NULL;
	lane_stop();
	conn_stop();
	static_release();
}

bool http_stopping(void)
{
	return atomic_load(&stopping);
}
