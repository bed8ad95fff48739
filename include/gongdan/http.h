/* http.h - the HTTP server (libmicrohttpd): start, report the bound port, stop
 * gracefully. Everything libmicrohttpd-specific stays in src/web/. */
#ifndef GD_HTTP_H
#define GD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "gongdan/status.h"

struct http_config {
	const char *host;        /* numeric IPv4 or IPv6 address to bind */
	unsigned port;           /* 0: any free port */
	const char *www;         /* folder of static files */
	unsigned threads;        /* pool size; 0: number of cores */
	size_t max_body;         /* bytes; 0: GD_CAP_BODY_DEFAULT */
	unsigned max_connections; /* 0: GD_MAX_CONNECTIONS */
	unsigned max_per_address; /* 0: GD_MAX_PER_ADDRESS */
	char *tls_cert_pem;      /* PEM text, or NULL for plain HTTP */
	char *tls_key_pem;
};

enum gd_status http_start(const struct http_config *cfg);
/* The port actually bound (useful with port 0). */
unsigned http_port(void);
/* Stops accepting, lets in-flight requests finish (up to
 * GD_SHUTDOWN_GRACE_MS), then answers 503 to whatever still waits for the
 * writer or the slow lane, and stops the daemon with nothing suspended. */
void http_stop(void);
/* Whether http_stop has begun. */
bool http_stopping(void);
/* Requests answered so far. */
unsigned long long http_requests_total(void);

struct request;
/* GET /metrics: Prometheus text metrics (src/web/metrics.c). */
enum gd_status http_metrics(struct request *req);
struct route;
/* Counts one answered request for /metrics: its route (NULL: none matched),
 * or a static file; its HTTP status; microseconds from head to answer. */
void http_metrics_observe(const struct route *route, bool static_file, int status, long long us);

/* For src/web/ alone. */
struct strbuf;
/* A whole HTTP/1.1 error answer (status line, Connection: close, the
 * security headers, the JSON error body) appended to out. */
enum gd_status http_error_text(struct strbuf *out, enum gd_status st, const char *message);
/* Frees a request libmicrohttpd never completed. */
void http_request_abandon(struct request *req);

#endif
