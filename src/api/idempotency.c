/* idempotency.c - the Idempotency-Key header on the api side (api.h): read
 * and check it, answer a retry from the stored answer, and wrap a
 * handler's write job so that its answer is stored with it (the storing is
 * src/core/idempotency.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/gd_time.h"
#include "gongdan/log.h"
#include "gongdan/xalloc.h"

#define IDEM_HEADER "Idempotency-Key"

/* The answer a key stands for, set on req: the first time (replayed false)
 * and on every retry, so both are the same bytes. */
static enum gd_status answer_with(struct request *req, struct idem_answer *a, bool replayed)
{
	if (replayed)
		req_add_header(req, "Idempotent-Replayed", "true");
	if (!a->body)
		return req_fail(req, a->error, &a->err);
	enum gd_status st = strbuf_adds(&req->resp_raw, a->body);
	if (st)
		return st;
	req->resp_type = "application/json; charset=utf-8";
	req->status = a->status;
	if (a->etag[0])
		req_add_header(req, "ETag", a->etag);
	if (a->location[0])
		req_add_header(req, "Location", a->location);
	return GD_OK;
}

static enum gd_status mismatch(struct request *req, const struct idem_key *k)
{
	req_errorf(req,
		   "Idempotency-Key '%.60s' was sent in the last 24 hours with a different request (another path "
		   "or body); a new request needs a new key",
		   k->key);
	req_field_error(req, IDEM_HEADER, "already used for a different request");
	return GD_E_VALIDATION;
}

enum gd_status api_idem_check(struct request *req, struct idem_key *k, bool *answered)
{
	memset(k, 0, sizeof *k);
	*answered = false;
	const char *key = req_header(req, IDEM_HEADER);
	if (!key)
		return GD_OK;
	const char *why = idem_key_problem(key);
	if (why) {
		req_errorf(req, "the Idempotency-Key header %s", why);
		req_field_error(req, IDEM_HEADER, why);
		return GD_E_BAD_REQUEST;
	}
	k->present = true;
	k->user_id = req->who.user_id;
	snprintf(k->key, sizeof k->key, "%s", key);
	idem_fingerprint(req->method_name, req->path, req->json, k->fingerprint);
	/* a retry of something already answered needs no writer */
	struct idem_answer a;
	enum idem_found found;
	enum gd_status st = idem_find(db_reader(), k, time_now(), &found, &a);
	if (st)
		return st;
	if (found == IDEM_OTHER) {
		*answered = true;
		return mismatch(req, k);
	}
	if (found == IDEM_SAME) {
		*answered = true;
		st = answer_with(req, &a, true);
		idem_answer_release(&a);
		return st;
	}
	return GD_OK;
}

/* A keyed write: the idem_job wraps the handler's own job and continuation. */
struct keyed {
	struct idem_job job;
	void (*ctx_free)(void *ctx);
	req_then then;
};

static void keyed_free(void *ctx)
{
	struct keyed *kj = ctx;
	if (kj->ctx_free)
		kj->ctx_free(kj->job.ctx);
	idem_job_release(&kj->job);
	free(kj);
}

/* Fault injection for the tests only: GONGDAN_TEST_KILL_AFTER_COMMIT=KEY
 * makes the server kill itself (SIGKILL) once the write of the request
 * with that key has committed and before it is answered - the moment a
 * retry must be answered from the database. */
static void maybe_die_after_commit(const struct idem_key *k)
{
	const char *kill_key = getenv("GONGDAN_TEST_KILL_AFTER_COMMIT");
	if (kill_key && !strcmp(kill_key, k->key)) {
		log_at(LOG_WARN, "GONGDAN_TEST_KILL_AFTER_COMMIT: killed after the commit of key '%s'", k->key);
		raise(SIGKILL);
	}
}

static enum gd_status keyed_then(struct request *req, enum gd_status st)
{
	struct keyed *kj = req->job_ctx;
	struct idem_job *j = &kj->job;
	if (!st && j->outcome == IDEM_STORED)
		maybe_die_after_commit(&j->key);
	if (!st && (j->outcome == IDEM_STORED || j->outcome == IDEM_REPLAYED))
		return answer_with(req, &j->answer, j->outcome == IDEM_REPLAYED);
	if (!st && j->outcome == IDEM_MISMATCH)
		return mismatch(req, &j->key);
	if (st && j->outcome == IDEM_STORED)
		return st; /* the commit failed: neither the write nor its answer exist */
	/* not stored: the handler's own continuation answers, as without a key */
	req->job_ctx = j->ctx;
	enum gd_status out = kj->then(req, st);
	req->job_ctx = kj;
	return out;
}

enum gd_status api_write_keyed(struct request *req, const struct idem_key *k,
			       enum gd_status (*run)(struct db *w, void *ctx), void *ctx, void (*ctx_free)(void *ctx),
			       req_then then, void (*describe)(void *ctx, enum gd_status st, struct idem_answer *out))
{
	if (!k->present)
		return req_write_async(req, run, ctx, ctx_free, then);
	struct keyed *kj = xcalloc(1, sizeof *kj);
	kj->job.key = *k;
	kj->job.run = run;
	kj->job.ctx = ctx;
	kj->job.describe = describe;
	kj->ctx_free = ctx_free;
	kj->then = then;
	return req_write_async(req, idem_job_run, kj, keyed_free, keyed_then);
}

void api_idem_describe(struct idem_answer *out, enum gd_status st, struct gd_err *err, json_t *body, int status,
		       int64_t version, const char *location)
{
	if (st) {
		out->status = status_http(st);
		out->error = st;
		gd_err_move(&out->err, err);
		json_decref(body);
		return;
	}
	/* the same rendering as http.c's for a JSON answer */
	out->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (!out->body)
		out->body = xstrdup("{}");
	json_decref(body);
	out->status = status;
	if (version >= 0)
		snprintf(out->etag, sizeof out->etag, "\"%lld\"", (long long)version);
	snprintf(out->location, sizeof out->location, "%s", location ? location : "");
}
