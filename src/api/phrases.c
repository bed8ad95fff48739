/* phrases.c - /api/v1/phrases: standard phrases (常用语); editing is admin-only. */
#include <stdlib.h>

#include "gongdan/api.h"
#include "gongdan/phrase.h"
#include "gongdan/xalloc.h"

static enum gd_status phrase_id(struct request *req, int64_t *id)
{
	return req_param_int(req, 0, 1, INT64_MAX, "phrase", id);
}

/* A phrase change waiting for the writer. */
struct phrase_job {
	enum gd_status (*change)(struct db *w, struct phrase_job *j);
	int64_t id;
	json_t *in; /* a copy of the body */
	struct principal who;
	struct gd_err e;
};

static void phrase_job_free(void *ctx)
{
	struct phrase_job *j = ctx;
	json_decref(j->in);
	gd_err_release(&j->e);
	free(j);
}

static enum gd_status create_change(struct db *w, struct phrase_job *j)
{
	return phrase_create(w, &j->who, j->in, &j->id, &j->e);
}

static enum gd_status update_change(struct db *w, struct phrase_job *j)
{
	return phrase_update(w, &j->who, j->id, j->in, &j->e);
}

static enum gd_status delete_change(struct db *w, struct phrase_job *j)
{
	return phrase_delete(w, &j->who, j->id, &j->e);
}

static enum gd_status job_run(struct db *w, void *ctx)
{
	struct phrase_job *j = ctx;
	return j->change(w, j);
}

enum gd_status api_phrases_list(struct request *req)
{
	static const char *const allowed[] = {"category", "state", NULL};
	struct gd_err e = GD_ERR_INIT;
	const char *category, *state;
	json_t *out;
	enum gd_status s;
	if ((s = req_query_allow(req, allowed)) || (s = req_query_str(req, "category", &category)) ||
	    (s = req_query_str(req, "state", &state)))
		return s;
	if ((s = phrase_list(category, state, &out, &e)))
		return req_fail(req, s, &e);
	req_reply_json(req, 200, out);
	return GD_OK;
}

static enum gd_status reply_phrase(struct request *req, int status, int64_t id)
{
	json_t *out;
	enum gd_status s = phrase_get(id, &out);
	if (s)
		return s;
	req_reply_json(req, status, out);
	return GD_OK;
}

static enum gd_status changed(struct request *req, enum gd_status s)
{
	struct phrase_job *j = req->job_ctx;
	if (s)
		return req_fail(req, s, &j->e);
	if (j->change == delete_change) {
		req->status = 204;
		return GD_OK;
	}
	return reply_phrase(req, j->change == create_change ? 201 : 200, j->id);
}

static enum gd_status submit(struct request *req, enum gd_status (*change)(struct db *w, struct phrase_job *j),
			     int64_t id)
{
	struct phrase_job *j = xcalloc(1, sizeof *j);
	j->change = change;
	j->id = id;
	j->in = json_deep_copy(req->json);
	j->who = req->who;
	return req_write_async(req, job_run, j, phrase_job_free, changed);
}

enum gd_status api_phrases_create(struct request *req)
{
	return submit(req, create_change, 0);
}

enum gd_status api_phrases_update(struct request *req)
{
	int64_t id;
	enum gd_status s;
	if ((s = phrase_id(req, &id)))
		return s;
	return submit(req, update_change, id);
}

enum gd_status api_phrases_delete(struct request *req)
{
	int64_t id;
	enum gd_status s;
	if ((s = phrase_id(req, &id)))
		return s;
	return submit(req, delete_change, id);
}
