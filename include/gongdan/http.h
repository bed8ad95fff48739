/* http.h - the HTTP server (libmicrohttpd): start, report the bound port, stop
 * gracefully. Everything libmicrohttpd-specific stays in src/web/. */
#ifndef GD_HTTP_H
#define GD_HTTP_H

#include <stddef.h>

#include "gongdan/status.h"

struct http_config {
	const char *host;        /* numeric IPv4 or IPv6 address to bind */
	unsigned port;           /* 0: any free port */
	const char *www;         /* folder of static files */
	unsigned threads;        /* pool size; 0: number of cores */
	size_t max_body;         /* bytes; 0: GD_CAP_BODY_DEFAULT */
	char *tls_cert_pem;      /* PEM text, or NULL for plain HTTP */
	char *tls_key_pem;
};

enum gd_status http_start(const struct http_config *cfg);
/* The port actually bound (useful with port 0). */
unsigned http_port(void);
/* Stops accepting, waits for in-flight requests (bounded), stops the daemon. */
void http_stop(void);
/* Requests answered so far. */
unsigned long long http_requests_total(void);

struct request;
/* GET /metrics: Prometheus text metrics (src/web/metrics.c). */
enum gd_status http_metrics(struct request *req);

#endif
