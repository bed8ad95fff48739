/* routes.c - the route table, one line per route, and the matcher.
 * Flags drive the shared checks in http.c: ROUTE_AUTH needs a user,
 * ROUTE_ADMIN an admin; changing methods under a session need X-CSRF-Token;
 * ROUTE_REVALIDATE lets browsers keep reference data and revalidate it;
 * ROUTE_SLOW: searches and lists, history, and what hashes a password run
 * on the slow lane, never on the threads that serve the cheap requests;
 * ROUTE_IDEMPOTENT: the writes a script may retry with an Idempotency-Key;
 * ROUTE_CSV: a body that may be text/csv instead of JSON. */
#include "gongdan/route.h"

#include <stdio.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/http.h"
#include "gongdan/xalloc.h"

#define GET (HTTP_GET | HTTP_HEAD)

static const struct route routes[] = {
	{GET, "/healthz", api_healthz, ROUTE_PUBLIC},
	{GET, "/metrics", http_metrics, ROUTE_PUBLIC},
	{GET, "/api/v1/openapi.json", api_openapi, ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/session", api_session_create, ROUTE_PUBLIC | ROUTE_SLOW},
	{HTTP_DELETE, "/api/v1/session", api_session_delete, ROUTE_AUTH},
	{GET, "/api/v1/session", api_session_get, ROUTE_PUBLIC},
	{GET, "/api/v1/me", api_me, ROUTE_AUTH},
	{GET, "/api/v1/users", api_users_list, ROUTE_ADMIN},
	{HTTP_POST, "/api/v1/users", api_users_create, ROUTE_ADMIN | ROUTE_SLOW},
	{GET, "/api/v1/users/{id}", api_users_get, ROUTE_ADMIN},
	{HTTP_PATCH, "/api/v1/users/{id}", api_users_update, ROUTE_ADMIN | ROUTE_SLOW},
	{GET, "/api/v1/tokens", api_tokens_list, ROUTE_ADMIN},
	{HTTP_POST, "/api/v1/tokens", api_tokens_create, ROUTE_ADMIN},
	{GET, "/api/v1/tokens/{id}", api_tokens_get, ROUTE_ADMIN},
	{HTTP_DELETE, "/api/v1/tokens/{id}", api_tokens_revoke, ROUTE_ADMIN},
	{GET, "/api/v1/reference", api_reference, ROUTE_AUTH | ROUTE_REVALIDATE},
	{GET, "/api/v1/categories", api_categories, ROUTE_AUTH | ROUTE_REVALIDATE},
	{GET, "/api/v1/departments", api_departments, ROUTE_AUTH | ROUTE_REVALIDATE},
	{GET, "/api/v1/regions", api_regions, ROUTE_AUTH | ROUTE_REVALIDATE},
	{HTTP_POST, "/api/v1/categories", api_categories_create, ROUTE_ADMIN},
	{GET, "/api/v1/categories/{code}", api_categories_get, ROUTE_ADMIN},
	{HTTP_PATCH, "/api/v1/categories/{code}", api_categories_update, ROUTE_ADMIN},
	{HTTP_POST, "/api/v1/departments", api_departments_create, ROUTE_ADMIN},
	{GET, "/api/v1/departments/{code}", api_departments_get, ROUTE_ADMIN},
	{HTTP_PATCH, "/api/v1/departments/{code}", api_departments_update, ROUTE_ADMIN},
	{GET, "/api/v1/admin/departments", api_admin_departments, ROUTE_ADMIN},
	{GET, "/api/v1/admin/categories", api_admin_categories, ROUTE_ADMIN},
	{HTTP_POST, "/api/v1/segments", api_segments_import, ROUTE_ADMIN | ROUTE_CSV},
	{GET, "/api/v1/audit", api_audit_list, ROUTE_ADMIN},
	{GET, "/api/v1/regions/lookup", api_region_lookup, ROUTE_AUTH},
	{GET, "/api/v1/workflow", api_workflow, ROUTE_AUTH | ROUTE_REVALIDATE},
	{GET, "/api/v1/tickets", api_ticket_list, ROUTE_AUTH | ROUTE_SLOW},
	{HTTP_POST, "/api/v1/tickets", api_ticket_create, ROUTE_AUTH | ROUTE_IDEMPOTENT},
	{HTTP_POST, "/api/v1/tickets/actions/{action}", api_ticket_bulk_action, ROUTE_AUTH | ROUTE_IDEMPOTENT},
	{GET, "/api/v1/tickets/{number}", api_ticket_get, ROUTE_AUTH},
	{HTTP_PATCH, "/api/v1/tickets/{number}", api_ticket_patch, ROUTE_AUTH},
	{GET, "/api/v1/tickets/{number}/history", api_ticket_history, ROUTE_AUTH | ROUTE_SLOW},
	{HTTP_POST, "/api/v1/tickets/{number}/actions/{action}", api_ticket_action, ROUTE_AUTH | ROUTE_IDEMPOTENT},
	{GET, "/api/v1/queues", api_queues, ROUTE_AUTH},
	{HTTP_GET, "/api/v1/events", api_events, ROUTE_AUTH},
	{GET, "/api/v1/views", api_views_list, ROUTE_AUTH},
	{HTTP_POST, "/api/v1/views", api_views_create, ROUTE_AUTH},
	{HTTP_DELETE, "/api/v1/views/{id}", api_views_delete, ROUTE_AUTH},
	{GET, "/api/v1/reports/complaints", api_report_complaints, ROUTE_AUTH},
	{GET, "/api/v1/reports/kpis", api_report_kpis, ROUTE_AUTH},
	{GET, "/api/v1/reports/monthly", api_report_monthly, ROUTE_AUTH},
	{GET, "/api/v1/phrases", api_phrases_list, ROUTE_AUTH | ROUTE_REVALIDATE},
	{HTTP_POST, "/api/v1/phrases", api_phrases_create, ROUTE_ADMIN},
	{HTTP_PATCH, "/api/v1/phrases/{id}", api_phrases_update, ROUTE_ADMIN},
	{HTTP_DELETE, "/api/v1/phrases/{id}", api_phrases_delete, ROUTE_ADMIN},
};

size_t route_count(void)
{
	return sizeof routes / sizeof routes[0];
}

const struct route *route_at(size_t i)
{
	return i < route_count() ? &routes[i] : NULL;
}

size_t route_index(const struct route *r)
{
	return (size_t)(r - routes);
}

/* Matches path against pattern; on success copies captures into buf (size
 * of path) and points params at them. */
static bool match(const char *pattern, const char *path, char *buf, const char **params)
{
	int np = 0;
	const char *p = pattern, *s = path;
	char *out = buf;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t n = strcspn(s, "/");
			if (!close || n == 0 || np >= GD_MAX_ROUTE_PARAMS)
				return false;
			memcpy(out, s, n);
			out[n] = '\0';
			params[np++] = out;
			out += n + 1;
			p = close + 1;
			s += n;
		} else if (*p == *s) {
			p++, s++;
		} else {
			return false;
		}
	}
	return !*p && !*s;
}

enum route_match route_find(struct request *req, unsigned *allowed)
{
	size_t n = strlen(req->path) + 1;
	char *buf = xmalloc(n);
	const char *params[GD_MAX_ROUTE_PARAMS];
	*allowed = 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!match(routes[i].pattern, req->path, buf, params))
			continue;
		if (routes[i].methods & req->method) {
			req->route = &routes[i];
			free(req->param_buf);
			req->param_buf = buf;
			memcpy(req->params, params, sizeof params);
			return ROUTE_FOUND;
		}
		*allowed |= routes[i].methods;
	}
	free(buf);
	return *allowed ? ROUTE_WRONG_METHOD : ROUTE_NO_PATH;
}

void route_methods_text(unsigned methods, char *out, size_t outlen)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{HTTP_GET, "GET"},	    {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},
		     {HTTP_PUT, "PUT"},	    {HTTP_PATCH, "PATCH"},   {HTTP_DELETE, "DELETE"}};
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(methods & names[i].bit))
			continue;
		int k = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", names[i].name);
		if (k < 0 || (size_t)k >= outlen - o)
			break;
		o += (size_t)k;
	}
}
