/* views.c - /api/v1/views: the caller's saved views (saved_view.h). */
#include <stdio.h>
#include <stdlib.h>

#include "gongdan/api.h"
#include "gongdan/saved_view.h"
#include "gongdan/xalloc.h"

/* A view change waiting for the writer. */
struct view_job {
	int64_t user_id, id;
	json_t *in; /* a copy of the body; NULL for a delete */
	struct gd_err e;
};

static void view_job_free(void *ctx)
{
	struct view_job *j = ctx;
	json_decref(j->in);
	gd_err_release(&j->e);
	free(j);
}

static enum gd_status create_run(struct db *w, void *ctx)
{
	struct view_job *j = ctx;
	return saved_view_create(w, j->user_id, j->in, &j->id, &j->e);
}

static enum gd_status delete_run(struct db *w, void *ctx)
{
	struct view_job *j = ctx;
	return saved_view_delete(w, j->user_id, j->id, &j->e);
}

static enum gd_status created(struct request *req, enum gd_status s)
{
	struct view_job *j = req->job_ctx;
	json_t *out;
	if (s)
		return req_fail(req, s, &j->e);
	if ((s = saved_view_get(j->user_id, j->id, &out)))
		return s;
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/views/%lld", (long long)j->id);
	req_add_header(req, "Location", loc);
	req_reply_json(req, 201, out);
	return GD_OK;
}

static enum gd_status deleted(struct request *req, enum gd_status s)
{
	struct view_job *j = req->job_ctx;
	if (s)
		return req_fail(req, s, &j->e);
	req->status = 204;
	return GD_OK;
}

enum gd_status api_views_list(struct request *req)
{
	json_t *out;
	enum gd_status s = saved_view_list(req->who.user_id, &out);
	if (!s)
		req_reply_json(req, 200, out);
	return s;
}

enum gd_status api_views_create(struct request *req)
{
	struct gd_err e = GD_ERR_INIT;
	enum gd_status s;
	if ((s = saved_view_check(req->json, &e)))
		return req_fail(req, s, &e);
	struct view_job *j = xcalloc(1, sizeof *j);
	j->user_id = req->who.user_id;
	j->in = json_deep_copy(req->json);
	return req_write_async(req, create_run, j, view_job_free, created);
}

enum gd_status api_views_delete(struct request *req)
{
	int64_t id;
	enum gd_status s;
	if ((s = req_param_int(req, 0, 1, INT64_MAX, "view", &id)))
		return s;
	struct view_job *j = xcalloc(1, sizeof *j);
	j->user_id = req->who.user_id;
	j->id = id;
	return req_write_async(req, delete_run, j, view_job_free, deleted);
}
