/* session.c - POST /api/v1/session (log in), DELETE /api/v1/session (log
 * out), GET /api/v1/me (who am I) and GET /api/v1/session (who, if anyone).
 * Login checks the throttle, then the password (users_authenticate), then
 * starts a session (session.h). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/events.h"
#include "gongdan/gd_time.h"
#include "gongdan/log.h"
#include "gongdan/password.h"
#include "gongdan/session.h"
#include "gongdan/throttle.h"
#include "gongdan/users.h"
#include "gongdan/xalloc.h"

/* A username as it may appear in a log line: control characters become '?'
 * so a crafted name cannot forge log lines. */
static void log_safe(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (const char *p = in; *p && o + 1 < outlen; p++)
		out[o++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p;
	out[o] = '\0';
}

/* A login's session, or a logout, waiting for the writer. */
struct session_job {
	int64_t user_id;
	char sid[SESSION_ID_LEN + 1], csrf[SESSION_ID_LEN + 1];
	char log_name[USERS_LOGIN_NAME_MAX + 1], addr[64];
};

static void session_job_free(void *ctx)
{
	struct session_job *j = ctx;
	OPENSSL_cleanse(j, sizeof *j);
	free(j);
}

static enum gd_status store_run(struct db *w, void *ctx)
{
	struct session_job *j = ctx;
	return session_store(w, j->user_id, j->sid, j->csrf);
}

static enum gd_status logged_in(struct request *req, enum gd_status st)
{
	struct session_job *j = req->job_ctx;
	json_t *user = NULL;
	char cookie[160];
	if (st || (st = users_get_json(NULL, j->user_id, &user)))
		return st;
	session_cookie(j->sid, req->tls, cookie, sizeof cookie);
	req_add_header(req, "Set-Cookie", cookie);
	log_at(LOG_INFO, "login ok: user '%s' (id %lld) from %s", j->log_name, (long long)j->user_id, j->addr);
	req_reply_json(req, 200, json_pack("{s:o,s:s}", "user", user, "csrf_token", j->csrf));
	return GD_OK;
}

enum gd_status api_session_create(struct request *req)
{
	enum gd_status st;
	const char *key;
	json_t *v;
	json_object_foreach(req->json, key, v) {
		if (strcmp(key, "username") && strcmp(key, "password"))
			req_field_error(req, key, "unknown field");
	}
	json_t *ju = json_object_get(req->json, "username"), *jp = json_object_get(req->json, "password");
	if (!json_is_string(ju))
		req_field_error(req, "username", ju ? "must be a string" : "required");
	if (!json_is_string(jp))
		req_field_error(req, "password", jp ? "must be a string" : "required");
	if (gd_err_has_fields(&req->err)) {
		req_errorf(req, "send {\"username\": \"...\", \"password\": \"...\"}");
		return GD_E_VALIDATION;
	}
	const char *username = json_string_value(ju), *password = json_string_value(jp);
	size_t pwlen = json_string_length(jp);
	/* refused before any hashing: no one gets to make us hash megabytes */
	if (json_string_length(ju) > USERS_LOGIN_NAME_MAX || pwlen > PASSWORD_MAX_BYTES) {
		req_errorf(req, "the username (at most %d bytes) or password (at most %d bytes) is too long",
			   USERS_LOGIN_NAME_MAX, PASSWORD_MAX_BYTES);
		return GD_E_BAD_REQUEST;
	}
	char addr[64], safe[USERS_LOGIN_NAME_MAX + 1];
	req_client_addr(req, addr, sizeof addr);
	log_safe(username, safe, sizeof safe);
	int64_t now = time_now();
	int64_t wait = throttle_check(username, addr, now);
	if (wait > 0) {
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", (long long)wait);
		req_add_header(req, "Retry-After", secs);
		req_errorf(req, "too many failed logins; try again in %lld seconds", (long long)wait);
		log_at(LOG_WARN, "login throttled: user '%s' from %s (retry in %llds)", safe, addr, (long long)wait);
		return GD_E_RATE_LIMIT;
	}
	int64_t id = 0;
	st = users_authenticate(username, password, pwlen, &id);
	if (st == GD_E_UNAUTHORIZED) {
		throttle_fail(username, addr, now);
		log_at(LOG_WARN, "login failed: user '%s' from %s", safe, addr);
		req_errorf(req, "wrong username or password");
		return st;
	}
	if (st)
		return st;
	throttle_success(username, addr);
	struct session_job *j = xcalloc(1, sizeof *j);
	j->user_id = id;
	snprintf(j->log_name, sizeof j->log_name, "%s", safe);
	snprintf(j->addr, sizeof j->addr, "%s", addr);
	if ((st = session_new(j->sid, j->csrf))) {
		session_job_free(j);
		return st;
	}
	return req_write_async(req, store_run, j, session_job_free, logged_in);
}

static enum gd_status delete_run(struct db *w, void *ctx)
{
	struct session_job *j = ctx;
	return session_delete(w, j->sid, strlen(j->sid));
}

static enum gd_status logged_out(struct request *req, enum gd_status st)
{
	if (st)
		return st;
	char cookie[160];
	session_cookie(NULL, req->tls, cookie, sizeof cookie);
	req_add_header(req, "Set-Cookie", cookie);
	events_recheck(req->who.user_id); /* the session's live streams end */
	log_at(LOG_INFO, "logout: user '%s' (id %lld)", req->who.username, (long long)req->who.user_id);
	req->status = 204;
	return GD_OK;
}

enum gd_status api_session_delete(struct request *req)
{
	size_t n = 0;
	const char *cookies = req_header(req, "Cookie");
	const char *sid = req->who.via_session && cookies ? session_cookie_find(cookies, &n) : NULL;
	if (!sid || n != SESSION_ID_LEN) {
		/* a bearer token has no session to end: nothing to do */
		req->status = 204;
		return GD_OK;
	}
	struct session_job *j = xcalloc(1, sizeof *j);
	memcpy(j->sid, sid, n);
	return req_write_async(req, delete_run, j, session_job_free, logged_out);
}

/* Who am I: the user, how they came in and, under a session, its CSRF token. */
static enum gd_status whoami(struct request *req, json_t **out)
{
	enum gd_status st;
	json_t *user = NULL;
	if ((st = users_get_json(NULL, req->who.user_id, &user)))
		return st == GD_E_NOT_FOUND ? GD_E_UNAUTHORIZED : st;
	*out = json_pack("{s:o,s:s}", "user", user, "auth", req->who.via_session ? "session" : "token");
	/* the page can recover its CSRF token after a reload; another origin
	 * cannot read this response */
	if (req->who.via_session)
		json_object_set_new(*out, "csrf_token", json_string(req->who.session_csrf));
	return GD_OK;
}

enum gd_status api_me(struct request *req)
{
	json_t *body = NULL;
	enum gd_status st = whoami(req, &body);
	if (st)
		return st;
	req_reply_json(req, 200, body);
	return GD_OK;
}

/* The browser's first question on a fresh page: is there a session? Anyone
 * may ask, so the answer for nobody is {"user": null}, not a 401 (which a
 * browser reports as a failed request on every visit to the login page). */
enum gd_status api_session_get(struct request *req)
{
	static const char *const allowed[] = {NULL};
	json_t *body = NULL;
	enum gd_status st = req_query_allow(req, allowed);
	if (st)
		return st;
	if (!req->who.user_id) {
		req_reply_json(req, 200, json_pack("{s:n}", "user"));
		return GD_OK;
	}
	if ((st = whoami(req, &body)))
		return st;
	req_reply_json(req, 200, body);
	return GD_OK;
}
