/* reports.c - GET /api/v1/reports/{complaints,kpis,monthly}: the query
 * parameters into struct report_params, one core call, then JSON or, with
 * format=csv, the CSV with a file name naming the report and its range. */
#include <stdio.h>
#include <string.h>

#include "gongdan/api.h"
#include "gongdan/report.h"

static enum gd_status reply(struct request *req, enum report_kind kind, const char *const *allowed,
			    enum gd_status (*make)(const struct principal *, const struct report_params *, json_t **,
						   struct gd_err *))
{
	struct report_params p = {0};
	struct gd_err e = GD_ERR_INIT;
	const char *format = NULL;
	enum gd_status s;
	/* every parameter is read whether or not this report takes it: the
	 * allowed list has refused the others already */
	if ((s = req_query_allow(req, allowed)) || (s = req_query_str(req, "group_by", &p.group_by)) ||
	    (s = req_query_str(req, "from", &p.from)) || (s = req_query_str(req, "to", &p.to)) ||
	    (s = req_query_str(req, "compare", &p.compare)) || (s = req_query_str(req, "state", &p.state)) ||
	    (s = req_query_str(req, "category", &p.category)) || (s = req_query_str(req, "department", &p.department)) ||
	    (s = req_query_str(req, "month", &p.month)) || (s = req_query_str(req, "format", &format)))
		return s;
	bool csv = false;
	if (format && !(csv = !strcmp(format, "csv")) && strcmp(format, "json")) {
		req_errorf(req, "'format' must be json or csv");
		req_field_error(req, "format", "must be json or csv");
		return GD_E_VALIDATION;
	}
	json_t *out = NULL;
	if ((s = make(&req->who, &p, &out, &e)))
		return req_fail(req, s, &e);
	gd_err_release(&e);
	if (!csv) {
		req_reply_json(req, 200, out);
		return GD_OK;
	}
	char name[128], disposition[192];
	s = report_csv(kind, out, &req->resp_raw, name, sizeof name);
	json_decref(out);
	if (s)
		return s;
	snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", name);
	req->resp_type = "text/csv; charset=utf-8";
	req_add_header(req, "Content-Disposition", disposition);
	req->status = 200;
	return GD_OK;
}

enum gd_status api_report_complaints(struct request *req)
{
	static const char *const allowed[] = {"group_by", "from", "to", "compare", "state", "category", "department",
					      "format", NULL};
	return reply(req, REPORT_COMPLAINTS, allowed, report_complaints);
}

enum gd_status api_report_kpis(struct request *req)
{
	static const char *const allowed[] = {"from", "to", "compare", "department", "format", NULL};
	return reply(req, REPORT_KPIS, allowed, report_kpis);
}

enum gd_status api_report_monthly(struct request *req)
{
	static const char *const allowed[] = {"month", "department", "format", NULL};
	return reply(req, REPORT_MONTHLY, allowed, report_monthly);
}
