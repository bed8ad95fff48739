/* api.h - the resource handlers (src/api/, one file per resource). Each takes
 * the request, makes one core call, and renders JSON. The route table in
 * src/web/routes.c maps paths to them. */
#ifndef GD_API_H
#define GD_API_H

#include "gongdan/request.h"

/* health.c */
enum gd_status api_healthz(struct request *req);

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

/* catalog.c - reference data: categories, departments, regions, workflow,
 * and all of it (with the phrases) in one answer for the browser */
enum gd_status api_reference(struct request *req);
enum gd_status api_categories(struct request *req);
enum gd_status api_departments(struct request *req);
enum gd_status api_regions(struct request *req);
enum gd_status api_region_lookup(struct request *req);
enum gd_status api_workflow(struct request *req);

/* queues.c - /api/v1/queues */
enum gd_status api_queues(struct request *req);

/* reports.c - /api/v1/reports (统计报表), JSON or format=csv */
enum gd_status api_report_complaints(struct request *req);
enum gd_status api_report_kpis(struct request *req);
enum gd_status api_report_monthly(struct request *req);

/* phrases.c - standard phrases (常用语) */
enum gd_status api_phrases_list(struct request *req);
enum gd_status api_phrases_create(struct request *req);
enum gd_status api_phrases_update(struct request *req);
enum gd_status api_phrases_delete(struct request *req);

#endif
