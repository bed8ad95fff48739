/* catalog.c - reference data: the category tree, departments, regions, the
 * region suggestion for a number, and the workflow graph for clients. */
#include "gongdan/api.h"
#include "gongdan/catalog.h"
#include "gongdan/db.h"
#include "gongdan/workflow.h"

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
