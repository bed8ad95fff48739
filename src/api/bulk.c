/* bulk.c - POST /api/v1/tickets/actions/{action}: reads and validates the
 * list of tickets and the inputs, then writes the whole list as one
 * group-commit job (src/core/bulk.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/bulk.h"
#include "gongdan/workflow.h"
#include "gongdan/xalloc.h"

/* A field reason for tickets[i] (member may be NULL). */
static void item_error(struct request *req, size_t i, const char *member, const char *why)
{
	char name[64];
	snprintf(name, sizeof name, "tickets[%zu]%s%s", i, member ? "." : "", member ? member : "");
	req_field_error(req, name, why);
}

/* {"number": "TS…", "version": N (optional)} into *out; false when it is
 * not one (the reasons are on req). */
static bool read_item(struct request *req, size_t i, const json_t *x, struct bulk_ticket *out)
{
	const char *key;
	json_t *val;
	bool ok = true;
	if (!json_is_object(x)) {
		item_error(req, i, NULL, "must be an object {\"number\", \"version\"}");
		return false;
	}
	json_object_foreach((json_t *)x, key, val) {
		if (strcmp(key, "number") && strcmp(key, "version")) {
			item_error(req, i, key, "unknown member");
			ok = false;
		}
	}
	const json_t *number = json_object_get(x, "number"), *version = json_object_get(x, "version");
	if (!json_is_string(number) || !json_string_length(number)) {
		item_error(req, i, "number", number && !json_is_null(number) ? "must be a ticket number" : "required");
		ok = false;
	} else if (json_string_length(number) >= sizeof out->number) {
		item_error(req, i, "number", "is not a ticket number (too long)");
		ok = false;
	} else {
		snprintf(out->number, sizeof out->number, "%s", json_string_value(number));
	}
	out->if_match = -1;
	if (version && !json_is_null(version)) {
		if (!json_is_integer(version) || json_integer_value(version) < 1) {
			item_error(req, i, "version", "must be a positive integer (the ticket's version)");
			ok = false;
		} else {
			out->if_match = json_integer_value(version);
		}
	}
	return ok;
}

/* The body into items (allocated, *n of them) and *inputs (borrowed). */
static enum gd_status read_body(struct request *req, struct bulk_ticket **items, size_t *n, const json_t **inputs)
{
	const char *key;
	json_t *val;
	bool ok = true;
	json_object_foreach(req->json, key, val) {
		if (strcmp(key, "tickets") && strcmp(key, "inputs")) {
			req_field_error(req, key, "unknown member");
			ok = false;
		}
	}
	*inputs = json_object_get(req->json, "inputs");
	if (json_is_null(*inputs))
		*inputs = NULL;
	if (*inputs && !json_is_object(*inputs)) {
		req_field_error(req, "inputs", "must be an object of the action's inputs");
		ok = false;
	}
	const json_t *list = json_object_get(req->json, "tickets");
	size_t count = json_array_size(list);
	if (!json_is_array(list))
		req_field_error(req, "tickets", list && !json_is_null(list) ? "must be an array" : "required");
	else if (!count)
		req_field_error(req, "tickets", "at least one ticket");
	else if (count > GD_MAX_BULK_TICKETS) {
		char why[48];
		snprintf(why, sizeof why, "at most %d tickets per request", GD_MAX_BULK_TICKETS);
		req_field_error(req, "tickets", why);
	}
	if (!json_is_array(list) || !count || count > GD_MAX_BULK_TICKETS) {
		req_errorf(req, "'tickets' must list 1 to %d tickets", GD_MAX_BULK_TICKETS);
		return GD_E_VALIDATION;
	}
	struct bulk_ticket *all = xcalloc(count, sizeof *all);
	bool *read = xcalloc(count, sizeof *read);
	for (size_t i = 0; i < count; i++) {
		read[i] = read_item(req, i, json_array_get(list, i), &all[i]);
		ok = ok && read[i];
	}
	/* a ticket twice would be acted on twice (two urges, two history rows) */
	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; k < i && read[i]; k++)
			if (read[k] && !strcmp(all[i].number, all[k].number)) {
				char why[48];
				snprintf(why, sizeof why, "duplicate of tickets[%zu]", k);
				item_error(req, i, "number", why);
				ok = false;
				break;
			}
	free(read);
	if (!ok) {
		free(all);
		req_errorf(req, "the bulk request is invalid; nothing was changed");
		return GD_E_VALIDATION;
	}
	*items = all;
	*n = count;
	return GD_OK;
}

static enum gd_status bulk_done(struct request *req, enum gd_status st)
{
	if (st)
		return req_fail(req, st, bulk_job_err(req->job_ctx));
	req_reply_json(req, 200, bulk_job_result(req->job_ctx));
	return GD_OK;
}

/* The outcome as the answer an Idempotency-Key keeps (no ETag: a list). */
static void describe_bulk(void *job, enum gd_status st, struct idem_answer *out)
{
	api_idem_describe(out, st, bulk_job_err(job), st ? NULL : bulk_job_result(job), 200, -1, NULL);
}

enum gd_status api_ticket_bulk_action(struct request *req)
{
	struct gd_err e = GD_ERR_INIT;
	struct bulk_ticket *items = NULL;
	const json_t *inputs;
	struct idem_key k;
	bool answered;
	size_t n = 0;
	enum gd_status s;
	if (req_header(req, "If-Match")) {
		req_errorf(req, "If-Match does not apply to a list: give each ticket's \"version\" instead");
		req_field_error(req, "If-Match", "not used here");
		return GD_E_BAD_REQUEST;
	}
	if ((s = api_idem_check(req, &k, &answered)) || answered)
		return s;
	/* refused once for the whole list what would refuse every ticket alike */
	if ((s = wf_action_check(&req->who, req_param(req, 0), &e)))
		return req_fail(req, s, &e);
	if ((s = read_body(req, &items, &n, &inputs)))
		return s;
	void *job = bulk_prepare(&req->who, req_param(req, 0), inputs, items, n);
	free(items);
	return api_write_keyed(req, &k, bulk_write, job, bulk_job_free, bulk_done, describe_bulk);
}
