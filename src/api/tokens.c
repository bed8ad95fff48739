/* tokens.c - /api/v1/tokens (admin only): list API tokens without their
 * secrets, create one (the secret is in the 201 response and nowhere else),
 * revoke one, each with its audit row (admin_audit.h). The tokens themselves
 * are src/auth/token.c. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/admin_audit.h"
#include "gongdan/api.h"
#include "gongdan/events.h"
#include "gongdan/log.h"
#include "gongdan/token.h"
#include "gongdan/users.h"
#include "gongdan/utf8.h"
#include "gongdan/xalloc.h"

static enum gd_status token_id_param(struct request *req, int64_t *id)
{
	return req_param_int(req, 0, 1, INT64_MAX, "token", id);
}

/* A token change waiting for the writer. */
struct token_job {
	int64_t user_id;
	char *name;
	char *username;        /* for the log line */
	char token[TOKEN_LEN + 1];
	int64_t id;
	struct principal who;
};

static void token_job_free(void *ctx)
{
	struct token_job *j = ctx;
	free(j->name);
	free(j->username);
	OPENSSL_cleanse(j->token, sizeof j->token);
	free(j);
}

/* The token as the audit log keeps it: no secret, not even its prefix. */
static enum gd_status snapshot(struct db *w, int64_t id, json_t **out)
{
	enum gd_status st = token_get_json(w, id, out);
	if (!st)
		json_object_del(*out, "prefix");
	return st;
}

/* Records action on token j->id for j->who; before NULL: a new token. */
static enum gd_status audit(struct db *w, struct token_job *j, const char *action, json_t *before)
{
	json_t *after = NULL;
	char object[24];
	enum gd_status st = snapshot(w, j->id, &after);
	snprintf(object, sizeof object, "%lld", (long long)j->id);
	if (!st)
		st = admin_audit_record(w, &j->who, action, "token", object, before, after, false);
	json_decref(after);
	return st;
}

static enum gd_status create_run(struct db *w, void *ctx)
{
	struct token_job *j = ctx;
	enum gd_status st = token_create(w, j->user_id, j->name, j->token, &j->id);
	return st ? st : audit(w, j, "create", NULL);
}

static enum gd_status created(struct request *req, enum gd_status st)
{
	struct token_job *j = req->job_ctx;
	json_t *body;
	if (st || (st = token_get_json(NULL, j->id, &body)))
		return st;
	json_object_set_new(body, "token", json_string(j->token));
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/tokens/%lld", (long long)j->id);
	req_add_header(req, "Location", loc);
	log_at(LOG_INFO, "token %lld for '%s' created by '%s'", (long long)j->id, j->username, req->who.username);
	req_reply_json(req, 201, body);
	return GD_OK;
}

static enum gd_status revoke_run(struct db *w, void *ctx)
{
	struct token_job *j = ctx;
	json_t *before = NULL;
	enum gd_status st = snapshot(w, j->id, &before);
	if (!st && !(st = token_revoke(w, j->id)))
		st = audit(w, j, "revoke", before); /* revoked twice: nothing changed, no row */
	json_decref(before);
	return st;
}

static enum gd_status revoked(struct request *req, enum gd_status st)
{
	struct token_job *j = req->job_ctx;
	if (st == GD_E_NOT_FOUND)
		req_errorf(req, "no token '%lld'", (long long)j->id);
	if (st)
		return st;
	events_recheck(0); /* a live stream on this token ends (whoever's it is) */
	log_at(LOG_INFO, "token %lld revoked by '%s'", (long long)j->id, req->who.username);
	req->status = 204;
	return GD_OK;
}

enum gd_status api_tokens_list(struct request *req)
{
	json_t *body;
	enum gd_status st = token_list_json(&body);
	if (!st)
		req_reply_json(req, 200, body);
	return st;
}

enum gd_status api_tokens_get(struct request *req)
{
	int64_t id;
	json_t *body;
	enum gd_status st;
	if ((st = token_id_param(req, &id)))
		return st;
	if ((st = token_get_json(NULL, id, &body))) {
		if (st == GD_E_NOT_FOUND)
			req_errorf(req, "no token '%lld'", (long long)id);
		return st;
	}
	req_reply_json(req, 200, body);
	return GD_OK;
}

enum gd_status api_tokens_create(struct request *req)
{
	enum gd_status st;
	const char *key;
	json_t *v;
	json_object_foreach(req->json, key, v) {
		if (strcmp(key, "username") && strcmp(key, "name"))
			req_field_error(req, key, "unknown field");
	}
	json_t *ju = json_object_get(req->json, "username"), *jn = json_object_get(req->json, "name");
	if (ju && !json_is_string(ju))
		req_field_error(req, "username", "must be a string");
	if (jn && !json_is_string(jn))
		req_field_error(req, "name", "must be a string");
	else if (jn && utf8_chars(json_string_value(jn), json_string_length(jn)) > TOKEN_NAME_MAX)
		req_field_error(req, "name", "at most 100 characters");
	/* without a username the token is the caller's own */
	const char *username = json_is_string(ju) ? json_string_value(ju) : req->who.username;
	int64_t user_id = 0;
	bool disabled = false;
	if (!gd_err_has_fields(&req->err)) {
		st = users_find(NULL, username, &user_id, &disabled);
		if (st == GD_E_NOT_FOUND)
			req_field_error(req, "username", "no such user");
		else if (st)
			return st;
		else if (disabled)
			req_field_error(req, "username", "the user is disabled");
	}
	if (gd_err_has_fields(&req->err)) {
		req_errorf(req, "the token is not valid");
		return GD_E_VALIDATION;
	}
	struct token_job *j = xcalloc(1, sizeof *j);
	j->user_id = user_id;
	j->name = xstrdup(json_is_string(jn) ? json_string_value(jn) : "");
	j->username = xstrdup(username);
	j->who = req->who;
	return req_write_async(req, create_run, j, token_job_free, created);
}

enum gd_status api_tokens_revoke(struct request *req)
{
	int64_t id;
	enum gd_status st;
	if ((st = token_id_param(req, &id)))
		return st;
	struct token_job *j = xcalloc(1, sizeof *j);
	j->id = id;
	j->who = req->who;
	return req_write_async(req, revoke_run, j, token_job_free, revoked);
}
