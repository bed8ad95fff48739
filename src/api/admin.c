/* admin.c - the admin API of the reference data (admin only): departments
 * and categories (create, show, change), number segments (import, CSV or
 * JSON) and the admin audit log. The rules are core's (catalog_edit.h,
 * segments.h, admin_audit.h); every change is a writer job that records
 * its audit row in its own transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/admin_audit.h"
#include "gongdan/api.h"
#include "gongdan/catalog_edit.h"
#include "gongdan/db.h"
#include "gongdan/segments.h"
#include "gongdan/xalloc.h"

/* The operations on one kind of reference object. */
struct admin_kind {
	const char *what, *collection;
	enum gd_status (*create)(struct db *w, const struct principal *who, const json_t *in, char code_out[64],
				 struct gd_err *e);
	enum gd_status (*update)(struct db *w, const struct principal *who, const char *code, const json_t *in,
				 struct gd_err *e);
	enum gd_status (*get)(struct db *d, const char *code, json_t **out);
	enum gd_status (*all)(struct db *d, json_t **out);
};

static const struct admin_kind departments = {"department", "/api/v1/departments", department_create,
					      department_update, department_get, department_all};
static const struct admin_kind categories = {"category", "/api/v1/categories", category_create, category_update,
					     category_get, category_all};

/* One admin change waiting for the writer: copies of what the request said. */
struct admin_job {
	const struct admin_kind *kind; /* departments or categories */
	char code[64];
	json_t *in;
	struct principal who;
	struct segments_batch batch;
	struct gd_err e;
};

static struct admin_job *job_new(struct request *req)
{
	struct admin_job *j = xcalloc(1, sizeof *j);
	j->in = req->json ? json_deep_copy(req->json) : NULL;
	j->who = req->who;
	return j;
}

static void job_free(void *ctx)
{
	struct admin_job *j = ctx;
	json_decref(j->in);
	segments_batch_release(&j->batch);
	gd_err_release(&j->e);
	free(j);
}

/* {code} of the path; longer than any code: no such thing. */
static enum gd_status code_param(struct request *req, const char *what, char out[64])
{
	const char *code = req_param(req, 0);
	if (!code || strlen(code) >= 64) {
		req_errorf(req, "no %s '%.40s'", what, code ? code : "");
		return GD_E_NOT_FOUND;
	}
	snprintf(out, 64, "%s", code);
	return GD_OK;
}

/* Answers with the object as committed. */
static enum gd_status reply_object(struct request *req, struct admin_job *j, int status)
{
	json_t *out;
	enum gd_status s = j->kind->get(db_reader(), j->code, &out);
	if (s)
		return s;
	req_reply_json(req, status, out);
	return GD_OK;
}

static enum gd_status create_run(struct db *w, void *ctx)
{
	struct admin_job *j = ctx;
	return j->kind->create(w, &j->who, j->in, j->code, &j->e);
}

static enum gd_status created(struct request *req, enum gd_status s)
{
	struct admin_job *j = req->job_ctx;
	if (s)
		return req_fail(req, s, &j->e);
	char loc[128];
	snprintf(loc, sizeof loc, "%s/%s", j->kind->collection, j->code);
	req_add_header(req, "Location", loc);
	return reply_object(req, j, 201);
}

static enum gd_status update_run(struct db *w, void *ctx)
{
	struct admin_job *j = ctx;
	return j->kind->update(w, &j->who, j->code, j->in, &j->e);
}

static enum gd_status updated(struct request *req, enum gd_status s)
{
	struct admin_job *j = req->job_ctx;
	return s ? req_fail(req, s, &j->e) : reply_object(req, j, 200);
}

static enum gd_status kind_create(struct request *req, const struct admin_kind *k)
{
	struct admin_job *j = job_new(req);
	j->kind = k;
	return req_write_async(req, create_run, j, job_free, created);
}

static enum gd_status kind_get(struct request *req, const struct admin_kind *k)
{
	char code[64];
	json_t *out;
	enum gd_status s;
	if ((s = code_param(req, k->what, code)))
		return s;
	if ((s = k->get(db_reader(), code, &out))) {
		if (s == GD_E_NOT_FOUND)
			req_errorf(req, "no %s '%.60s'", k->what, code);
		return s;
	}
	req_reply_json(req, 200, out);
	return GD_OK;
}

/* {"items":[every object, inactive ones too]}: the admin pages' lists */
static enum gd_status kind_all(struct request *req, const struct admin_kind *k)
{
	static const char *const allowed[] = {NULL};
	json_t *items;
	enum gd_status s;
	if ((s = req_query_allow(req, allowed)) || (s = k->all(db_reader(), &items)))
		return s;
	req_reply_json(req, 200, json_pack("{s:o}", "items", items));
	return GD_OK;
}

static enum gd_status kind_update(struct request *req, const struct admin_kind *k)
{
	char code[64];
	enum gd_status s;
	if ((s = code_param(req, k->what, code)))
		return s;
	struct admin_job *j = job_new(req);
	j->kind = k;
	memcpy(j->code, code, sizeof code);
	return req_write_async(req, update_run, j, job_free, updated);
}

enum gd_status api_departments_create(struct request *req)
{
	return kind_create(req, &departments);
}

enum gd_status api_departments_get(struct request *req)
{
	return kind_get(req, &departments);
}

enum gd_status api_admin_departments(struct request *req)
{
	return kind_all(req, &departments);
}

enum gd_status api_departments_update(struct request *req)
{
	return kind_update(req, &departments);
}

enum gd_status api_categories_create(struct request *req)
{
	return kind_create(req, &categories);
}

enum gd_status api_categories_get(struct request *req)
{
	return kind_get(req, &categories);
}

enum gd_status api_admin_categories(struct request *req)
{
	return kind_all(req, &categories);
}

enum gd_status api_categories_update(struct request *req)
{
	return kind_update(req, &categories);
}

/* --- number segments ------------------------------------------------------ */

static enum gd_status segments_run(struct db *w, void *ctx)
{
	struct admin_job *j = ctx;
	return segments_load(w, &j->who, &j->batch);
}

static enum gd_status imported(struct request *req, enum gd_status s)
{
	struct admin_job *j = req->job_ctx;
	struct segments_batch *b = &j->batch;
	if (s)
		return s;
	if (b->added + b->replaced + b->unchanged == 0) {
		/* no good row: nothing was written */
		segments_bad_fields(b, &req->err);
		req_errorf(req, "no valid row: nothing imported");
		return GD_E_VALIDATION;
	}
	req_reply_json(req, 200,
		       json_pack("{s:i, s:i, s:i, s:o}", "added", b->added, "replaced", b->replaced, "unchanged",
				 b->unchanged, "bad_rows", segments_bad_json(b)));
	return GD_OK;
}

enum gd_status api_segments_import(struct request *req)
{
	struct admin_job *j = job_new(req);
	enum gd_status s;
	segments_batch_init(&j->batch, req->json != NULL);
	if (req->json)
		s = segments_parse_json(&j->batch, req->json, &j->e);
	else
		s = segments_parse_csv(&j->batch, req->body.buf ? req->body.buf : "", req->body.len, &j->e);
	if (!s && j->batch.n == 0) {
		gd_err_field(&j->e, j->batch.json ? "rows" : "body", "no rows");
		s = gd_errf(&j->e, GD_E_VALIDATION, "no rows to import");
	}
	if (s) {
		s = req_fail(req, s, &j->e);
		job_free(j);
		return s;
	}
	return req_write_async(req, segments_run, j, job_free, imported);
}

/* --- the audit log -------------------------------------------------------- */

enum gd_status api_audit_list(struct request *req)
{
	static const char *const allowed[] = {"object_kind", "object", "actor", "limit", "cursor", NULL};
	struct admin_audit_query q = {.limit = ADMIN_AUDIT_LIMIT_DEFAULT};
	struct gd_err e = GD_ERR_INIT;
	json_t *out;
	enum gd_status s;
	if ((s = req_query_allow(req, allowed)) || (s = req_query_str(req, "object_kind", &q.kind)) ||
	    (s = req_query_str(req, "object", &q.object)) || (s = req_query_str(req, "actor", &q.actor)) ||
	    (s = req_query_int(req, "limit", 1, ADMIN_AUDIT_LIMIT_MAX, &q.limit)) ||
	    (s = req_query_int(req, "cursor", 1, INT64_MAX, &q.cursor)))
		return s;
	/* an empty filter (?object_kind=&object=) is no filter */
	if (q.kind && !*q.kind)
		q.kind = NULL;
	if (q.object && !*q.object)
		q.object = NULL;
	if (q.actor && !*q.actor)
		q.actor = NULL;
	if ((s = admin_audit_list(&q, &out, &e)))
		return req_fail(req, s, &e);
	req_reply_json(req, 200, out);
	return GD_OK;
}
