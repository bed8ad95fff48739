/* request.c - the accessors api handlers use on struct request (query,
 * headers, route params, errors, response headers), backed by
 * libmicrohttpd's connection values. */
#include "gongdan/request.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gongdan/number.h"
#include "gongdan/proxy.h"
#include "gongdan/utf8.h"
#include "gongdan/xalloc.h"

const char *req_param(const struct request *req, int i)
{
	if (i < 0 || i >= GD_MAX_ROUTE_PARAMS)
		return NULL;
	return req->params[i];
}

const char *req_query(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

enum gd_status req_query_str(struct request *req, const char *name, const char **out)
{
	const char *v = req_query(req, name);
	*out = NULL;
	if (!v)
		return GD_OK;
	if (!utf8_valid(v, strlen(v))) {
		req_errorf(req, "query parameter '%s' is not valid UTF-8", name);
		return GD_E_BAD_REQUEST;
	}
	*out = v;
	return GD_OK;
}

enum gd_status req_query_int(struct request *req, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = req_query(req, name);
	if (!v)
		return GD_OK;
	if (!number_parse(v, -1, min, max, out)) {
		req_errorf(req, "query parameter '%s' must be an integer from %lld to %lld", name, (long long)min,
			   (long long)max);
		req_field_error(req, name, "must be an integer in range");
		return GD_E_BAD_REQUEST;
	}
	return GD_OK;
}

enum gd_status req_param_int(struct request *req, int i, int64_t min, int64_t max, const char *what, int64_t *out)
{
	const char *v = req_param(req, i);
	if (!number_parse(v, -1, min, max, out)) {
		req_errorf(req, "no %s '%.40s'", what, v ? v : "");
		return GD_E_NOT_FOUND;
	}
	return GD_OK;
}

const char *req_header(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* Joins every X-Forwarded-For header, in order, as one list. */
static enum MHD_Result gather_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct strbuf *sb = cls;
	if (strcasecmp(key, "X-Forwarded-For") || !value)
		return MHD_YES;
	if (strbuf_addf(sb, "%s%s", sb->len ? ", " : "", value))
		return MHD_NO;
	return MHD_YES;
}

void req_client_addr(const struct request *req, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *peer = ci ? ci->client_addr : NULL;
	struct strbuf xff = STRBUF_INIT(8192);
	if (proxy_trusted(peer))
		MHD_get_connection_values(req->conn, MHD_HEADER_KIND, gather_xff, &xff);
	proxy_client(peer, xff.len ? xff.buf : NULL, out, outlen);
	strbuf_release(&xff);
}

void req_errorf(struct request *req, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(req->err.message, sizeof req->err.message, fmt, ap);
	va_end(ap);
	/* messages may quote user input cut at a byte limit: keep them valid UTF-8 */
	utf8_sanitize(req->err.message);
}

void req_field_error(struct request *req, const char *name, const char *reason)
{
	gd_err_field(&req->err, name, reason);
}

void req_add_header(struct request *req, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return;
	strbuf_addf(&req->resp_headers, "%s: %s\n", name, value);
}

void req_reply_json(struct request *req, int status, json_t *body)
{
	json_decref(req->resp);
	req->resp = body;
	req->status = status;
}

enum gd_status req_fail(struct request *req, enum gd_status st, struct gd_err *e)
{
	gd_err_merge(&req->err, e);
	return st;
}

struct allow_check {
	const char *const *allowed;
	const char *bad;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)value;
	struct allow_check *c = cls;
	for (const char *const *a = c->allowed; *a; a++)
		if (!strcmp(*a, key))
			return MHD_YES;
	c->bad = key;
	return MHD_NO;
}

enum gd_status req_query_allow(struct request *req, const char *const *allowed)
{
	struct allow_check c = {allowed, NULL};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_arg, &c);
	if (!c.bad)
		return GD_OK;
	char name[64];
	snprintf(name, sizeof name, "%s", c.bad);
	if (!utf8_valid(name, strlen(name)))
		snprintf(name, sizeof name, "(not UTF-8)");
	req_errorf(req, "unknown query parameter '%s'", name);
	req_field_error(req, name, "unknown query parameter");
	return GD_E_BAD_REQUEST;
}

enum gd_status req_if_match(struct request *req, int64_t *version)
{
	const char *h = req_header(req, MHD_HTTP_HEADER_IF_MATCH);
	*version = -1;
	if (!h || !strcmp(h, "*"))
		return GD_OK;
	const char *p = h;
	if (!strncmp(p, "W/", 2))
		p += 2;
	size_t n = strlen(p);
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"')
		p++, n -= 2;
	if (!number_parse(p, (ptrdiff_t)n, 0, INT64_MAX, version)) {
		*version = -1;
		req_errorf(req, "If-Match must be the ETag of the ticket, e.g. \"3\"");
		return GD_E_BAD_REQUEST;
	}
	return GD_OK;
}

void req_set_etag(struct request *req, int64_t version)
{
	char etag[32];
	snprintf(etag, sizeof etag, "\"%lld\"", (long long)version);
	req_add_header(req, "ETag", etag);
}
