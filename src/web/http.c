/* http.c - libmicrohttpd glue: the daemon, the access handler (body
 * accumulation with a cap), the checks every route shares (authentication,
 * CSRF, admin, JSON body), rendering responses and errors, security headers,
 * the access log, graceful stop. The only place that queues responses. */
#include "gongdan/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gongdan/auth.h"
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
static atomic_int inflight;
static atomic_ullong requests_total;

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

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

static struct request *request_new(const char *uri)
{
	struct request *req = xcalloc(1, sizeof *req);
	req->raw_uri = xstrdup(uri ? uri : "/");
	strbuf_init(&req->body, max_body);
	strbuf_init(&req->resp_raw, GD_CAP_RESPONSE);
	strbuf_init(&req->resp_headers, 16384);
	req->started_us = now_us();
	req->status = 200;
	req->tls = serving_tls;
	atomic_fetch_add(&inflight, 1);
	return req;
}

static void request_free(struct request *req)
{
	if (req->job_ctx_free)
		req->job_ctx_free(req->job_ctx);
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

/* MHD calls this before the access handler with the raw URI; its return value
 * becomes *con_cls, so the request exists from the first moment. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	return request_new(uri);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct request *req = *con_cls;
	if (!req)
		return;
	atomic_fetch_add(&requests_total, 1);
	if (log_enabled(LOG_INFO)) {
		log_at(LOG_INFO, "access %s %.200s %d %llu %lldus%s", req->method_name ? req->method_name : "-",
		       req->path ? req->path : "(undecodable)", req->http_status, (unsigned long long)req->bytes_out,
		       (long long)(now_us() - req->started_us),
		       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	}
	request_free(req);
	*con_cls = NULL;
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
	size_t n = strcspn(s, "?#");
	if (n == 0 || s[0] != '/') {
		req_errorf(req, "the request path must start with /");
		return GD_E_BAD_REQUEST;
	}
	if (n > GD_CAP_PATH) {
		req_errorf(req, "the request path is longer than %d bytes", GD_CAP_PATH);
		return GD_E_BAD_REQUEST;
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

static void add_common_headers(struct MHD_Response *resp, const struct request *req)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
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

static struct MHD_Response *render_ok(struct request *req)
{
	struct MHD_Response *resp;
	if (req->resp) {
		char *text = json_dumps(req->resp, JSON_COMPACT);
		if (!text)
			return render_error(req, GD_E_INTERNAL);
		size_t len = strlen(text);
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

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strcspn(ct, "; \t");
	return n == 16 && !strncasecmp(ct, "application/json", 16);
}

/* Parses the body into req->json (an object; {} when there is no body). */
static enum gd_status parse_body(struct request *req)
{
	if (req->body.len == 0) {
		req->json = json_object();
		return GD_OK;
	}
	if (!is_json_type(req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
		req_errorf(req, "the body must be sent as Content-Type: application/json");
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
		if ((st = auth_check_csrf(req)))
			return st;
		if (!(r->flags & ROUTE_NO_JSON) && (st = parse_body(req)))
			return st;
	}
	return r->handler(req);
}

/* The writer thread calls this after the job's commit. */
static void job_finished(struct db_job *job)
{
	struct request *req = (struct request *)(void *)((char *)job - offsetof(struct request, job));
	req->job_finished = true;
	MHD_resume_connection(req->conn);
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
	req->suspended = true;
	MHD_suspend_connection(req->conn);
	db_write_submit(&req->job);
	return GD_OK;
}

/* After the commit: the handler's continuation answers. */
static struct MHD_Response *respond_after_write(struct request *req)
{
	req_then then = req->then;
	req->then = NULL;
	req->suspended = false;
	enum gd_status st = then(req, req->job.status);
	return st ? render_error(req, st) : render_ok(req);
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
		st = dispatch(req);
		if (!st && req->suspended)
			return NULL; /* answered after the group commit */
		return st ? render_error(req, st) : render_ok(req);
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
			req->http_status = (int)code;
			return resp;
		}
		if (st != GD_E_NOT_FOUND)
			return render_error(req, st);
	}
	req_errorf(req, "no such resource: %.200s", req->path);
	return render_error(req, GD_E_NOT_FOUND);
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct request *req, struct MHD_Response *resp)
{
	add_common_headers(resp, req);
	if (req->close_connection)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)req->http_status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result too_large(struct MHD_Connection *conn, struct request *req)
{
	req_errorf(req, "the request body is larger than %zu bytes", max_body);
	req->close_connection = true;
	if (!req->path)
		req->path = xstrdup("(body too large)");
	return queue(conn, req, render_error(req, GD_E_TOO_LARGE));
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				      const char *version, const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	struct request *req = *con_cls;
	if (!req)
		*con_cls = req = request_new(url);
	req->conn = conn;
	if (req->calls++ == 0) {
		req->method_name = method;
		req->method = parse_method(method);
		/* refuse a declared over-long body before reading any of it */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > max_body) {
			req->body_too_large = true;
			return too_large(conn, req);
		}
		/* libmicrohttpd 0.9.75 answers Connection: close to a response
		 * queued on the first call: always answer on a later one. */
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* libmicrohttpd refuses a response in the middle of a body: past
		 * the cap, drain (bounded) and answer 413 once the body ends */
		if (!req->body_too_large && strbuf_add(&req->body, upload_data, *upload_data_size)) {
			req->body_too_large = true;
			strbuf_release(&req->body);
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
		return req->drained ? too_large(conn, req) : MHD_YES; /* else answered on the first call */
	if (req->job_finished && req->then)
		return queue(conn, req, respond_after_write(req));
	if (req->suspended)
		return MHD_YES; /* still waiting for the commit */
	struct MHD_Response *resp = respond(req);
	return resp ? queue(conn, req, resp) : MHD_YES;
}

/* libmicrohttpd's own messages; its format strings come from the library. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_at(LOG_WARN, "libmicrohttpd: %s", line);
}

enum gd_status http_start(const struct http_config *cfg)
{
	enum gd_status st;
	if (cfg->max_body)
		max_body = cfg->max_body;
	if ((st = static_init(cfg->www)))
		return st;
	unsigned threads = cfg->threads;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
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
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_SOCK_ADDR, 0, &addr},
		{MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
		{MHD_OPTION_CONNECTION_LIMIT, GD_MAX_CONNECTIONS, NULL},
		{MHD_OPTION_PER_IP_CONNECTION_LIMIT, GD_MAX_PER_IP, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, GD_CONNECTION_TIMEOUT, NULL},
		{MHD_OPTION_CONNECTION_MEMORY_LIMIT, GD_MEMORY_PER_CONNECTION, NULL},
		{MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)(void *)uri_logger, NULL},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)(void *)completed, NULL},
		/* the TLS pair stays last: without TLS it becomes the end marker */
		{cfg->tls_cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cfg->tls_cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, cfg->tls_key_pem},
		{MHD_OPTION_END, 0, NULL},
	};
	/* the logger must come before any option that can fail */
	daemon_handle = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, &access_handler, NULL,
					 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_ARRAY, opts,
					 MHD_OPTION_END);
	if (!daemon_handle) {
		log_at(LOG_ERROR, "cannot listen on %s:%u (in use, or bad TLS certificate/key?)", cfg->host, cfg->port);
		return GD_E_INTERNAL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_BIND_PORT);
	bound_port = info ? info->port : cfg->port;
	log_at(LOG_INFO, "serving on %s:%u with %u threads%s", cfg->host, bound_port, threads,
	       cfg->tls_cert_pem ? " (TLS)" : "");
	return GD_OK;
}

void http_stop(void)
{
	if (!daemon_handle)
		return;
	/* the listening socket is ours to close, but only after the daemon's
	 * threads are gone */
	MHD_socket listener = MHD_quiesce_daemon(daemon_handle);
	for (int waited = 0; atomic_load(&inflight) > 0 && waited < GD_SHUTDOWN_GRACE_MS; waited += 10)
		usleep(10000);
	MHD_stop_daemon(daemon_handle);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	daemon_handle = NULL;
	static_release();
}
