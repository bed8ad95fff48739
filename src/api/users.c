/* users.c - /api/v1/users (admin only): list, create, show and change users
 * (role, department, display name, disabled, password reset). The rules
 * live in src/auth/users.c; the writes are writer jobs, each with its audit
 * row (admin_audit.h). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/admin_audit.h"
#include "gongdan/api.h"
#include "gongdan/events.h"
#include "gongdan/log.h"
#include "gongdan/users.h"
#include "gongdan/xalloc.h"

/* {id} as a positive integer; anything else is a user that does not exist. */
static enum gd_status user_id_param(struct request *req, int64_t *id)
{
	return req_param_int(req, 0, 1, INT64_MAX, "user", id);
}

enum gd_status api_users_list(struct request *req)
{
	json_t *body;
	enum gd_status st = users_list_json(&body);
	if (!st)
		req_reply_json(req, 200, body);
	return st;
}

/* Answers with the user as it is now (after a write: read after the commit). */
static enum gd_status reply_user(struct request *req, int status, int64_t id)
{
	json_t *body;
	enum gd_status st = users_get_json(NULL, id, &body);
	if (st == GD_E_NOT_FOUND)
		req_errorf(req, "no such user");
	if (!st)
		req_reply_json(req, status, body);
	return st;
}

enum gd_status api_users_get(struct request *req)
{
	int64_t id;
	enum gd_status st;
	if ((st = user_id_param(req, &id)))
		return st;
	return reply_user(req, 200, id);
}

/* A user change waiting for the writer: copies of what the request said. */
struct user_job {
	struct user_spec spec;     /* create: strings owned by the job */
	json_t *patch;             /* update */
	int64_t id;                /* update: the user; create: the new id */
	char hash[PASSWORD_STORED_MAX];
	struct gd_err e;
	struct principal who;
};

static void user_job_free(void *ctx)
{
	struct user_job *j = ctx;
	free((char *)j->spec.username);
	free((char *)j->spec.role);
	free((char *)j->spec.department);
	free((char *)j->spec.display_name);
	json_decref(j->patch);
	gd_err_release(&j->e);
	OPENSSL_cleanse(j->hash, sizeof j->hash);
	free(j);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Reads an optional string member; records a field error for other types. */
static const char *opt_string(struct request *req, const char *name)
{
	json_t *v = json_object_get(req->json, name);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		req_field_error(req, name, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

/* Records action on user j->id for j->who: before (NULL: created) and
 * the user as it is now, which holds no password or hash; a new password
 * shows as "password": "reset". */
static enum gd_status audit(struct db *w, struct user_job *j, json_t *before)
{
	json_t *after = NULL;
	bool reset = json_object_get(j->patch, "password") != NULL;
	enum gd_status st = users_get_json(w, j->id, &after);
	if (!st) {
		if (reset)
			json_object_set_new(after, "password", json_string("reset"));
		st = admin_audit_record(w, &j->who, reset ? "password_reset" : before ? "update" : "create", "user",
					json_string_value(json_object_get(after, "username")), before, after, reset);
	}
	json_decref(after);
	return st;
}

static enum gd_status insert_run(struct db *w, void *ctx)
{
	struct user_job *j = ctx;
	enum gd_status st = users_insert(w, &j->spec, j->hash, &j->id, &j->e);
	return st ? st : audit(w, j, NULL);
}

static enum gd_status created(struct request *req, enum gd_status st)
{
	struct user_job *j = req->job_ctx;
	if (st)
		return req_fail(req, st, &j->e);
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/users/%lld", (long long)j->id);
	req_add_header(req, "Location", loc);
	log_at(LOG_INFO, "user '%s' (id %lld, %s) created by '%s'", j->spec.username, (long long)j->id, j->spec.role,
	       req->who.username);
	return reply_user(req, 201, j->id);
}

enum gd_status api_users_create(struct request *req)
{
	static const char *const known[] = {"username", "role", "department", "display_name", "password"};
	enum gd_status st;
	const char *key;
	json_t *v;
	json_object_foreach(req->json, key, v) {
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok |= !strcmp(key, known[i]);
		if (!ok)
			req_field_error(req, key, "unknown field");
	}
	struct user_spec spec = {
		.username = opt_string(req, "username"),
		.role = opt_string(req, "role"),
		.department = opt_string(req, "department"),
		.display_name = opt_string(req, "display_name"),
		.password = opt_string(req, "password"),
	};
	if (gd_err_has_fields(&req->err)) {
		req_errorf(req, "the user is not valid");
		return GD_E_VALIDATION;
	}
	spec.password_len = spec.password ? json_string_length(json_object_get(req->json, "password")) : 0;
	struct user_job *j = xcalloc(1, sizeof *j);
	if ((st = users_check_new(&spec, j->hash, &j->e))) {
		st = req_fail(req, st, &j->e);
		user_job_free(j);
		return st;
	}
	j->spec.username = dup_or_null(spec.username);
	j->spec.role = dup_or_null(spec.role);
	j->spec.department = dup_or_null(spec.department);
	j->spec.display_name = dup_or_null(spec.display_name);
	j->who = req->who;
	return req_write_async(req, insert_run, j, user_job_free, created);
}

static enum gd_status patch_run(struct db *w, void *ctx)
{
	struct user_job *j = ctx;
	json_t *before = NULL;
	enum gd_status st = users_get_json(w, j->id, &before);
	if (st == GD_E_NOT_FOUND)
		st = gd_errf(&j->e, st, "no such user");
	if (!st && !(st = users_apply_patch(w, j->id, j->patch, j->hash, &j->e)))
		st = audit(w, j, before);
	json_decref(before);
	return st;
}

static enum gd_status patched(struct request *req, enum gd_status st)
{
	struct user_job *j = req->job_ctx;
	if (st)
		return req_fail(req, st, &j->e);
	events_recheck(j->id); /* a live stream of this user checks its role and department again */
	log_at(LOG_INFO, "user id %lld changed by '%s'%s", (long long)j->id, req->who.username,
	       json_object_get(j->patch, "password") ? " (password reset)" : "");
	return reply_user(req, 200, j->id);
}

enum gd_status api_users_update(struct request *req)
{
	int64_t id;
	enum gd_status st;
	if ((st = user_id_param(req, &id)))
		return st;
	struct user_job *j = xcalloc(1, sizeof *j);
	j->id = id;
	if ((st = users_check_patch(id, req->json, req->who.user_id, j->hash, &j->e))) {
		st = req_fail(req, st, &j->e);
		user_job_free(j);
		return st;
	}
	j->patch = json_deep_copy(req->json);
	j->who = req->who;
	return req_write_async(req, patch_run, j, user_job_free, patched);
}
