/* route.h - the route table: one line per route {method, pattern, handler,
 * flags} (redis's command table). Patterns are literal segments and {name}
 * captures, e.g. "/api/v1/tickets/{number}/actions/{action}". The checks
 * every route shares (authentication, CSRF, admin-only) run in http.c before
 * the handler, driven by the flags. */
#ifndef GD_ROUTE_H
#define GD_ROUTE_H

#include "gongdan/request.h"

typedef enum gd_status (*route_handler)(struct request *req);

enum route_flags {
	ROUTE_PUBLIC = 0,        /* no authentication */
	ROUTE_AUTH = 1,          /* a logged-in user or a token */
	ROUTE_ADMIN = 2,         /* role admin (implies ROUTE_AUTH) */
	ROUTE_NO_JSON = 4,       /* body is not JSON (or none expected) */
	ROUTE_REVALIDATE = 8,    /* reference data: ETag = hash of the body, "private,
				  * no-cache", 304 when If-None-Match matches */
	ROUTE_SLOW = 16,         /* expensive by nature: runs on the slow lane (lane.h) */
	ROUTE_IDEMPOTENT = 32,   /* takes an Idempotency-Key (api_idem_check); elsewhere
				  * a POST, PATCH or DELETE with one is refused (400) */
	ROUTE_CSV = 64,          /* takes a text/csv body too: left in req->body, with
				  * req->json NULL; any other type is parsed as JSON */
};

struct route {
	unsigned methods;        /* bit set of enum http_method */
	const char *pattern;
	route_handler handler;
	unsigned flags;
};

/* Outcome of matching a path against the table. */
enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_WRONG_METHOD };

/* Finds the route for method+path; fills req->params. On ROUTE_WRONG_METHOD
 * *allowed is the bit set of methods the path accepts. */
enum route_match route_find(struct request *req, unsigned *allowed);
/* The table itself, for /metrics and the API document's test: route i of
 * route_count(), and the index of an entry. */
#define ROUTE_MAX 96
size_t route_count(void);
const struct route *route_at(size_t i);
size_t route_index(const struct route *r);
/* Writes "GET, POST" for a bit set. */
void route_methods_text(unsigned methods, char *out, size_t outlen);

#endif
