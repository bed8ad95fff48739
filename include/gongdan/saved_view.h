/* saved_view.h - a user's saved views (GET/POST /api/v1/views, DELETE
 * /api/v1/views/{id}): a name and the query string of a ticket list, e.g.
 * {"name": "昆明待派单", "query": "state=pending_dispatch&region=KM"}. A
 * view is the caller's own: nobody else lists, opens or deletes it. The
 * query may hold the list's filters and sort= (not limit= or cursor=: a
 * view is a list, not a page), each once, percent-encoded UTF-8. */
#ifndef GD_SAVED_VIEW_H
#define GD_SAVED_VIEW_H

#include <jansson.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/status.h"

#define SAVED_VIEW_NAME_MAX 40   /* characters */
#define SAVED_VIEW_QUERY_MAX 1000 /* bytes */
#define SAVED_VIEWS_PER_USER 50

struct db;

/* {"items": [{id, name, query, created_at}...]} in the order they were saved. */
enum gd_status saved_view_list(int64_t user_id, json_t **out);
enum gd_status saved_view_get(int64_t user_id, int64_t id, json_t **out);

/* Checks a body {name, query}: 422 with the fields, nothing written. */
enum gd_status saved_view_check(const json_t *in, struct gd_err *e);

/* On w (a writer job), after saved_view_check: 409 when the user has a view
 * of that name, 422 past SAVED_VIEWS_PER_USER. */
enum gd_status saved_view_create(struct db *w, int64_t user_id, const json_t *in, int64_t *id, struct gd_err *e);
enum gd_status saved_view_delete(struct db *w, int64_t user_id, int64_t id, struct gd_err *e);

#endif
