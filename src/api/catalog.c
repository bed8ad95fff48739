/* catalog.c - reference data: the category tree, departments, regions, the
 * region suggestion for a number, the workflow graph for clients, and all of
 * it at once (/api/v1/reference). */
#include <stdatomic.h>

#include "gongdan/api.h"
#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/phrase.h"
#include "gongdan/ticket.h"
#include "gongdan/workflow.h"

/* The UI's settings in /reference (its ETag is a hash of the body, so a
 * changed setting is a new tag). Set once at start, before any request. */
static _Atomic int64_t nearly_overdue_hours = 4;

void api_set_nearly_overdue_hours(int64_t hours)
{
	atomic_store(&nearly_overdue_hours, hours);
}

/* Replies with what a catalog call produced on this thread's reader. */
static enum gd_status reply_list(struct request *req, enum gd_status (*fn)(struct db *, json_t **))
{
	json_t *out = NULL;
	enum gd_status s = fn(db_reader(), &out);
	if (s)
		return s;
	req_reply_json(req, 200, out);
	return GD_OK;
}

enum gd_status api_categories(struct request *req)
{
	return reply_list(req, category_tree);
}

enum gd_status api_departments(struct request *req)
{
	return reply_list(req, department_list);
}

enum gd_status api_regions(struct request *req)
{
	return reply_list(req, region_list);
}

enum gd_status api_region_lookup(struct request *req)
{
	static const char *const allowed[] = {"number", NULL};
	const char *number;
	char region[16];
	enum gd_status s;
	if ((s = req_query_allow(req, allowed)) || (s = req_query_str(req, "number", &number)))
		return s;
	if (!number || !*number) {
		req_errorf(req, "give the fault number: /api/v1/regions/lookup?number=13812345678");
		req_field_error(req, "number", "required");
		return GD_E_BAD_REQUEST;
	}
	if ((s = region_suggest(db_reader(), number, region)))
		return s;
	req_reply_json(req, 200, json_pack("{s:s}", "region", region));
	return GD_OK;
}

enum gd_status api_workflow(struct request *req)
{
	req_reply_json(req, 200, wf_describe());
	return GD_OK;
}

/* Everything the browser needs once per session, in one answer (the intake
 * page must be usable after at most three requests): the category tree,
 * departments, regions, the workflow, every phrase (the page picks those of
 * its category and state), the ticket's own text limits and the UI's
 * settings (when a row counts as nearly overdue). */
enum gd_status api_reference(struct request *req)
{
	static const char *const allowed[] = {NULL};
	struct gd_err e = GD_ERR_INIT;
	struct db *d = db_reader();
	json_t *categories = NULL, *departments = NULL, *regions = NULL, *phrases = NULL;
	enum gd_status s;
	if ((s = req_query_allow(req, allowed)) || (s = db_read_begin(d)))
		return s;
	if (!(s = category_tree(d, &categories)) && !(s = department_list(d, &departments)) &&
	    !(s = region_list(d, &regions)))
		s = phrase_list(NULL, NULL, &phrases, &e);
	db_read_end(d);
	if (s) {
		json_decref(categories);
		json_decref(departments);
		json_decref(regions);
		return req_fail(req, s, &e);
	}
	json_t *limits = json_pack("{s:i, s:i, s:i, s:i}", "subject", TICKET_SUBJECT_MAX, "description",
				   TICKET_DESCRIPTION_MAX, "customer_name", TICKET_CUSTOMER_MAX, "repeat_days",
				   TICKET_REPEAT_DAYS);
	json_t *settings = json_pack("{s:I}", "nearly_overdue_hours", (json_int_t)atomic_load(&nearly_overdue_hours));
	req_reply_json(req, 200,
		       json_pack("{s:o, s:o, s:o, s:o, s:O, s:o, s:o}", "categories", categories, "departments",
				 departments, "regions", regions, "workflow", wf_describe(), "phrases",
				 json_object_get(phrases, "items"), "ticket_limits", limits, "settings", settings));
	json_decref(phrases);
	return GD_OK;
}
