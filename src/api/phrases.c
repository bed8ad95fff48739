/* phrases.c - /api/v1/phrases: standard phrases (常用语); editing is admin-only. */
#include <errno.h>
#include <stdlib.h>

#include "gongdan/api.h"
#include "gongdan/phrase.h"

static enum gd_status phrase_id(struct request *req, int64_t *id)
{
	char *end;
	errno = 0;
	long long v = strtoll(req_param(req, 0), &end, 10);
	if (*end || errno || v <= 0) {
		req_errorf(req, "no phrase '%.40s'", req_param(req, 0));
		return GD_E_NOT_FOUND;
	}
	*id = v;
	return GD_OK;
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

enum gd_status api_phrases_create(struct request *req)
{
	struct gd_err e = GD_ERR_INIT;
	int64_t id;
	enum gd_status s = phrase_create(req->json, &id, &e);
	return s ? req_fail(req, s, &e) : reply_phrase(req, 201, id);
}

enum gd_status api_phrases_update(struct request *req)
{
	struct gd_err e = GD_ERR_INIT;
	int64_t id;
	enum gd_status s;
	if ((s = phrase_id(req, &id)))
		return s;
	if ((s = phrase_update(id, req->json, &e)))
		return req_fail(req, s, &e);
	return reply_phrase(req, 200, id);
}

enum gd_status api_phrases_delete(struct request *req)
{
	struct gd_err e = GD_ERR_INIT;
	int64_t id;
	enum gd_status s;
	if ((s = phrase_id(req, &id)))
		return s;
	if ((s = phrase_delete(id, &e)))
		return req_fail(req, s, &e);
	req->status = 204;
	return GD_OK;
}
