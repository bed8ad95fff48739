/* users.c - /api/v1/users (admin only): list, create, show and change users
 * (role, department, display name, disabled, password reset). The rules
 * live in src/auth/users.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/log.h"
#include "gongdan/users.h"

/* {id} as a positive integer; anything else is a user that does not exist. */
static enum gd_status user_id_param(struct request *req, int64_t *id)
{
	const char *s = req_param(req, 0);
	char *end = NULL;
	long long v = s && *s >= '1' && *s <= '9' && strlen(s) <= 15 ? strtoll(s, &end, 10) : 0;
	if (v <= 0 || *end) {
		req_errorf(req, "no such user");
		return GD_E_NOT_FOUND;
	}
	*id = v;
	return GD_OK;
}

/* Hands validation reasons to the request for the error body. */
static enum gd_status with_fields(struct request *req, enum gd_status st, json_t *fields)
{
	if (st == GD_E_VALIDATION) {
		const char *k;
		json_t *v;
		json_object_foreach(fields, k, v)
			req_field_error(req, k, json_string_value(v));
		req_errorf(req, "the user is not valid");
	}
	json_decref(fields);
	return st;
}

enum gd_status api_users_list(struct request *req)
{
	json_t *body;
	enum gd_status st = users_list_json(&body);
	if (!st)
		req_reply_json(req, 200, body);
	return st;
}

enum gd_status api_users_get(struct request *req)
{
	int64_t id;
	json_t *body;
	enum gd_status st;
	if ((st = user_id_param(req, &id)))
		return st;
	if ((st = users_get_json(NULL, id, &body))) {
		if (st == GD_E_NOT_FOUND)
			req_errorf(req, "no such user");
		return st;
	}
	req_reply_json(req, 200, body);
	return GD_OK;
}

/* Reads an optional string member; records a field error for other types. */
static const char *opt_string(struct request *req, const char *name, bool *bad)
{
	json_t *v = json_object_get(req->json, name);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		req_field_error(req, name, "must be a string");
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

enum gd_status api_users_create(struct request *req)
{
	static const char *const known[] = {"username", "role", "department", "display_name", "password"};
	enum gd_status st;
	bool bad = false;
	const char *key;
	json_t *v;
	json_object_foreach(req->json, key, v) {
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok |= !strcmp(key, known[i]);
		if (!ok)
			req_field_error(req, key, "unknown field"), bad = true;
	}
	struct user_spec spec = {
		.username = opt_string(req, "username", &bad),
		.role = opt_string(req, "role", &bad),
		.department = opt_string(req, "department", &bad),
		.display_name = opt_string(req, "display_name", &bad),
		.password = opt_string(req, "password", &bad),
	};
	if (bad) {
		req_errorf(req, "the user is not valid");
		return GD_E_VALIDATION;
	}
	spec.password_len = spec.password ? json_string_length(json_object_get(req->json, "password")) : 0;
	int64_t id = 0;
	json_t *fields = json_object();
	if ((st = with_fields(req, users_create(NULL, &spec, &id, fields), fields)))
		return st;
	json_t *body;
	if ((st = users_get_json(NULL, id, &body)))
		return st;
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/users/%lld", (long long)id);
	req_add_header(req, "Location", loc);
	log_at(LOG_INFO, "user '%s' (id %lld, %s) created by '%s'", spec.username, (long long)id, spec.role,
	       req->who.username);
	req_reply_json(req, 201, body);
	return GD_OK;
}

enum gd_status api_users_update(struct request *req)
{
	int64_t id;
	enum gd_status st;
	if ((st = user_id_param(req, &id)))
		return st;
	json_t *fields = json_object();
	st = users_update(id, req->json, req->who.user_id, fields);
	if (st == GD_E_NOT_FOUND)
		req_errorf(req, "no such user");
	if ((st = with_fields(req, st, fields)))
		return st;
	json_t *body;
	if ((st = users_get_json(NULL, id, &body)))
		return st;
	log_at(LOG_INFO, "user id %lld changed by '%s'%s", (long long)id, req->who.username,
	       json_object_get(req->json, "password") ? " (password reset)" : "");
	req_reply_json(req, 200, body);
	return GD_OK;
}
