/* tickets.c - /api/v1/tickets: create, read, edit a draft, list and search,
 * run workflow actions, read the flow (history). */
#include <stdio.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/history.h"
#include "gongdan/ticket.h"
#include "gongdan/ticket_csv.h"
#include "gongdan/ticket_list.h"
#include "gongdan/workflow.h"

/* Answers with the ticket as who sees it now, and its ETag. */
static enum gd_status reply_ticket(struct request *req, int status, const char *number)
{
	struct gd_err e = GD_ERR_INIT;
	json_t *t = NULL;
	int64_t version = 0;
	enum gd_status s = ticket_get(&req->who, number, &t, &version, &e);
	if (s)
		return req_fail(req, s, &e);
	req_set_etag(req, version);
	req_reply_json(req, status, t);
	return GD_OK;
}

/* After the group commit of a ticket job (create, edit, action): its
 * error, or the ticket it rendered on the writer, with its ETag. */
static enum gd_status answer_job(struct request *req, enum gd_status st, int status,
				 struct gd_err *(*err)(void *job), json_t *(*result)(void *job, int64_t *version))
{
	if (st)
		return req_fail(req, st, err(req->job_ctx));
	int64_t version;
	json_t *t = result(req->job_ctx, &version);
	req_set_etag(req, version);
	req_reply_json(req, status, t);
	return GD_OK;
}

static enum gd_status created(struct request *req, enum gd_status st)
{
	if (!st) {
		char location[96];
		snprintf(location, sizeof location, "/api/v1/tickets/%s", ticket_create_job_number(req->job_ctx));
		req_add_header(req, "Location", location);
	}
	return answer_job(req, st, 201, ticket_create_job_err, ticket_create_job_result);
}

/* The outcome of a creation as the answer an Idempotency-Key keeps. */
static void describe_created(void *job, enum gd_status st, struct idem_answer *out)
{
	int64_t version = 0;
	char location[96];
	json_t *t = st ? NULL : ticket_create_job_result(job, &version);
	snprintf(location, sizeof location, "/api/v1/tickets/%s", ticket_create_job_number(job));
	api_idem_describe(out, st, ticket_create_job_err(job), t, 201, version, location);
}

/* Validates on this thread, then writes in the next group commit. */
enum gd_status api_ticket_create(struct request *req)
{
	struct gd_err e = GD_ERR_INIT;
	struct idem_key k;
	bool answered;
	void *job;
	enum gd_status s = api_idem_check(req, &k, &answered);
	if (s || answered)
		return s;
	if ((s = ticket_create_prepare(&req->who, req->json, &job, &e)))
		return req_fail(req, s, &e);
	return api_write_keyed(req, &k, ticket_create_write, job, ticket_create_job_free, created, describe_created);
}

enum gd_status api_ticket_get(struct request *req)
{
	return reply_ticket(req, 200, req_param(req, 0));
}

static enum gd_status patched(struct request *req, enum gd_status st)
{
	return answer_job(req, st, 200, ticket_patch_job_err, ticket_patch_job_result);
}

enum gd_status api_ticket_patch(struct request *req)
{
	int64_t if_match;
	enum gd_status s;
	if ((s = req_if_match(req, &if_match)))
		return s;
	void *job = ticket_patch_prepare(&req->who, req_param(req, 0), req->json, if_match);
	return req_write_async(req, ticket_patch_write, job, ticket_patch_job_free, patched);
}

static enum gd_status acted(struct request *req, enum gd_status st)
{
	return answer_job(req, st, 200, wf_act_job_err, wf_act_job_result);
}

static void describe_acted(void *job, enum gd_status st, struct idem_answer *out)
{
	int64_t version = 0;
	json_t *t = st ? NULL : wf_act_job_result(job, &version);
	api_idem_describe(out, st, wf_act_job_err(job), t, 200, version, NULL);
}

enum gd_status api_ticket_action(struct request *req)
{
	int64_t if_match;
	struct idem_key k;
	bool answered;
	enum gd_status s;
	if ((s = req_if_match(req, &if_match)) || (s = api_idem_check(req, &k, &answered)) || answered)
		return s;
	void *job = wf_act_prepare(&req->who, req_param(req, 0), req_param(req, 1), req->json, if_match);
	return api_write_keyed(req, &k, wf_act_write, job, wf_act_job_free, acted, describe_acted);
}

enum gd_status api_ticket_history(struct request *req)
{
	struct db *d = db_reader();
	struct ticket_row t;
	json_t *rows = NULL;
	enum gd_status s = db_read_begin(d);
	if (s)
		return s;
	s = ticket_load(d, &req->who, req_param(req, 0), &t);
	if (!s)
		s = history_list(d, t.id, &rows);
	db_read_end(d);
	if (s == GD_E_NOT_FOUND)
		req_errorf(req, "no ticket '%.40s'", req_param(req, 0));
	if (s)
		return s;
	req_reply_json(req, 200, json_pack("{s:s, s:s, s:o}", "number", t.number, "state", t.state, "items", rows));
	return GD_OK;
}

/* from/to: YYYY-MM-DD is a whole local day (to inclusive); an ISO time is
 * exact (to exclusive). *given tells whether it was there. */
static enum gd_status time_param(struct request *req, const char *name, bool end, int64_t *out, bool *given)
{
	const char *v;
	enum gd_status s = req_query_str(req, name, &v);
	*given = v != NULL;
	if (s || !v)
		return s;
	/* strptime takes 2026-02-30 (as 03-02) and " 1" for "01": a date is one
	 * only when it renders back to exactly what was sent */
	bool day = strlen(v) == 10;
	char want[32], back[32] = "";
	if (day)
		snprintf(want, sizeof want, "%.4s%.2s%.2s", v, v + 5, v + 8);
	else
		snprintf(want, sizeof want, "%s", v);
	if (time_parse(v, out)) {
		if (day)
			time_local_day(*out, back);
		else
			time_iso(*out, back);
	}
	if (!back[0] || strcmp(want, back)) {
		req_errorf(req, "'%s' must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", name);
		req_field_error(req, name, "must be a date");
		return GD_E_BAD_REQUEST;
	}
	if (end && day)
		*out += 86400;
	return GD_OK;
}

/* A list page as CSV (ticket_csv.h); where the next page starts, and
 * whether this one is partial, go in headers. */
static enum gd_status reply_csv(struct request *req, json_t *list, bool first_page)
{
	enum gd_status s = ticket_csv(list, first_page, &req->resp_raw);
	const char *next = json_string_value(json_object_get(list, "next_cursor"));
	char day[16], disposition[96];
	time_local_day(time_now(), day);
	snprintf(disposition, sizeof disposition, "attachment; filename=\"tickets-%s.csv\"", day);
	if (!s) {
		req->resp_type = "text/csv; charset=utf-8";
		req_add_header(req, "Content-Disposition", disposition);
		if (next)
			req_add_header(req, "X-Next-Cursor", next);
		req_add_header(req, "X-Partial", json_is_true(json_object_get(list, "partial")) ? "true" : "false");
		req->status = 200;
	}
	json_decref(list);
	return s;
}

enum gd_status api_ticket_list(struct request *req)
{
	static const char *const allowed[] = {"state", "department", "category", "region", "assignee", "created_by",
					      "fault_number", "priority", "overdue", "q", "from", "to", "limit", "cursor",
					      "sort", "format", NULL};
	struct ticket_filter f = {.overdue = -1, .limit = TICKET_LIST_DEFAULT};
	struct gd_err e = GD_ERR_INIT;
	enum gd_status s;
	const char *overdue = NULL, *sort = NULL, *cursor = NULL, *format = NULL;
	if ((s = req_query_allow(req, allowed)) || (s = req_query_str(req, "state", &f.state)) ||
	    (s = req_query_str(req, "department", &f.department)) || (s = req_query_str(req, "category", &f.category)) ||
	    (s = req_query_str(req, "region", &f.region)) || (s = req_query_str(req, "assignee", &f.assignee)) ||
	    (s = req_query_str(req, "created_by", &f.created_by)) ||
	    (s = req_query_str(req, "fault_number", &f.fault_number)) || (s = req_query_str(req, "q", &f.q)) ||
	    (s = req_query_str(req, "priority", &f.priority)) || (s = req_query_str(req, "sort", &sort)) ||
	    (s = req_query_str(req, "overdue", &overdue)) || (s = time_param(req, "from", false, &f.from, &f.has_from)) ||
	    (s = time_param(req, "to", true, &f.to, &f.has_to)) ||
	    (s = req_query_int(req, "limit", 1, TICKET_LIST_MAX, &f.limit)) ||
	    (s = req_query_str(req, "cursor", &cursor)) || (s = req_query_str(req, "format", &format)))
		return s;
	bool csv = false;
	if (format && !(csv = !strcmp(format, "csv")) && strcmp(format, "json")) {
		req_errorf(req, "'format' must be json or csv");
		req_field_error(req, "format", "must be json or csv");
		return GD_E_VALIDATION;
	}
	if (sort && !ticket_sort_parse(sort, &f.sort)) {
		req_errorf(req, "'sort' must be created, deadline or priority");
		req_field_error(req, "sort", "unknown order");
		return GD_E_BAD_REQUEST;
	}
	if (cursor && !ticket_cursor_parse(f.sort, cursor, &f.cursor)) {
		req_errorf(req, "'cursor' must be a next_cursor of a list with the same sort");
		req_field_error(req, "cursor", "not a cursor of this list");
		return GD_E_BAD_REQUEST;
	}
	if (overdue) {
		if (!strcmp(overdue, "true") || !strcmp(overdue, "1"))
			f.overdue = 1;
		else if (!strcmp(overdue, "false") || !strcmp(overdue, "0"))
			f.overdue = 0;
		else {
			req_errorf(req, "'overdue' must be true or false");
			return GD_E_BAD_REQUEST;
		}
	}
	struct strbuf text = STRBUF_INIT(GD_CAP_RESPONSE);
	if ((s = ticket_list(&req->who, &f, &text, &e))) {
		strbuf_release(&text);
		return req_fail(req, s, &e);
	}
	if (csv) {
		json_t *list = json_loads(text.buf, 0, NULL);
		strbuf_release(&text);
		return list ? reply_csv(req, list, cursor == NULL) : GD_E_INTERNAL;
	}
	/* written as text by the list itself: nothing to build or dump here */
	strbuf_release(&req->resp_raw);
	req->resp_raw = text;
	req->resp_type = "application/json; charset=utf-8";
	req->status = 200;
	return GD_OK;
}
