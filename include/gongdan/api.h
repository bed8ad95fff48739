/* api.h - the resource handlers (src/api/, one file per resource). Each takes
 * the request, makes one core call, and renders JSON. The route table in
 * src/web/routes.c maps paths to them. */
#ifndef GD_API_H
#define GD_API_H

#include "gongdan/idempotency.h"
#include "gongdan/request.h"

/* health.c */
enum gd_status api_healthz(struct request *req);

/* openapi.c - GET /api/v1/openapi.json: the API document, src/api/openapi.json,
 * compiled into the binary (tests/tools/embed-text.sh makes gd_openapi_json). */
enum gd_status api_openapi(struct request *req);
extern const char gd_openapi_json[];
extern const size_t gd_openapi_json_len;

/* session.c - log in, log out, who am I */
enum gd_status api_session_create(struct request *req);
enum gd_status api_session_delete(struct request *req);
enum gd_status api_me(struct request *req);
enum gd_status api_session_get(struct request *req); /* {"user": null} when nobody */

/* users.c - /api/v1/users (admin) */
enum gd_status api_users_list(struct request *req);
enum gd_status api_users_create(struct request *req);
enum gd_status api_users_get(struct request *req);
enum gd_status api_users_update(struct request *req);

/* tokens.c - /api/v1/tokens (admin) */
enum gd_status api_tokens_list(struct request *req);
enum gd_status api_tokens_create(struct request *req);
enum gd_status api_tokens_get(struct request *req);
enum gd_status api_tokens_revoke(struct request *req);

/* tickets.c - /api/v1/tickets */
enum gd_status api_ticket_create(struct request *req);
enum gd_status api_ticket_get(struct request *req);
enum gd_status api_ticket_patch(struct request *req);
enum gd_status api_ticket_action(struct request *req);
enum gd_status api_ticket_history(struct request *req);
enum gd_status api_ticket_list(struct request *req);

/* bulk.c - POST /api/v1/tickets/actions/{action}: one action on a list of
 * tickets (bulk.h), answered per ticket as done or skipped */
enum gd_status api_ticket_bulk_action(struct request *req);

/* catalog.c - reference data: categories, departments, regions, workflow,
 * and all of it (with the phrases) in one answer for the browser, with the
 * UI's settings from serve's options (api_set_nearly_overdue_hours: `serve
 * --nearly-overdue-hours`, 0-720, 0: off) */
enum gd_status api_reference(struct request *req);
void api_set_nearly_overdue_hours(int64_t hours);
enum gd_status api_categories(struct request *req);
enum gd_status api_departments(struct request *req);
enum gd_status api_regions(struct request *req);
enum gd_status api_region_lookup(struct request *req);
enum gd_status api_workflow(struct request *req);

/* admin.c - the admin API of the reference data (admin only):
 * departments and categories (POST, GET/PATCH .../{code}; every one, inactive
 * too, at GET /api/v1/admin/departments and /admin/categories), number segments
 * (POST /api/v1/segments, text/csv or JSON), the audit log (GET
 * /api/v1/audit) */
enum gd_status api_departments_create(struct request *req);
enum gd_status api_departments_get(struct request *req);
enum gd_status api_departments_update(struct request *req);
enum gd_status api_categories_create(struct request *req);
enum gd_status api_categories_get(struct request *req);
enum gd_status api_categories_update(struct request *req);
enum gd_status api_admin_departments(struct request *req);
enum gd_status api_admin_categories(struct request *req);
enum gd_status api_segments_import(struct request *req);
enum gd_status api_audit_list(struct request *req);

/* queues.c - /api/v1/queues */
enum gd_status api_queues(struct request *req);

/* reports.c - /api/v1/reports (统计报表), JSON or format=csv */
enum gd_status api_report_complaints(struct request *req);
enum gd_status api_report_kpis(struct request *req);
enum gd_status api_report_monthly(struct request *req);

/* phrases.c - standard phrases (常用语) */
enum gd_status api_views_list(struct request *req);
enum gd_status api_views_create(struct request *req);
enum gd_status api_views_delete(struct request *req);
enum gd_status api_phrases_list(struct request *req);
enum gd_status api_phrases_create(struct request *req);
enum gd_status api_phrases_update(struct request *req);
enum gd_status api_phrases_delete(struct request *req);

/* events.c - GET /api/v1/events: live updates as Server-Sent Events
 * (events.h); resumes after Last-Event-ID (or ?last_event_id=) */
enum gd_status api_events(struct request *req);

/* metrics.c - the data's and the store's series of GET /metrics (the HTTP
 * ones are src/web/metrics.c's), appended to out in Prometheus text. */
enum gd_status api_metrics(struct strbuf *out);

/* idempotency.c - Idempotency-Key on the routes flagged ROUTE_IDEMPOTENT
 * (idempotency.h). A handler first calls api_idem_check: a malformed key
 * answers 400; a key this user sent with the same request in the last 24 h
 * answers what the first one was answered (*answered; return the status it
 * gives), with another request 422. Otherwise k describes the key (or its
 * absence) and the handler writes with api_write_keyed instead of
 * req_write_async: with a key, describe() turns the job's outcome into the
 * answer stored in the job's own transaction, and the request is answered
 * from that stored answer - the first time and on every retry. */
enum gd_status api_idem_check(struct request *req, struct idem_key *k, bool *answered);
enum gd_status api_write_keyed(struct request *req, const struct idem_key *k,
			       enum gd_status (*run)(struct db *w, void *ctx), void *ctx, void (*ctx_free)(void *ctx),
			       req_then then, void (*describe)(void *ctx, enum gd_status st, struct idem_answer *out));
/* For describe(): a refusal st with its details (moved from err), or a
 * success with body (taken), its status, ETag "<version>" (none when
 * version < 0) and location (may be NULL). */
void api_idem_describe(struct idem_answer *out, enum gd_status st, struct gd_err *err, json_t *body, int status,
		       int64_t version, const char *location);

#endif
