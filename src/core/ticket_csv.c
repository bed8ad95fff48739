/* ticket_csv.c - a page of a ticket list as CSV (see ticket_csv.h). */
#include "gongdan/ticket_csv.h"

#include <string.h>
#include <time.h>

#include "gongdan/csv.h"
#include "gongdan/gd_time.h"

/* The columns: a header and the ticket member it shows. */
static const struct {
	const char *title, *member;
} columns[] = {
	{"工单编号", "number"},     {"状态", "state_name"},     {"优先级", "priority"},   {"投诉类型", "category_name"},
	{"类型编码", "category"},   {"故障号码", "fault_number"}, {"用户姓名", "customer_name"},
	{"联系电话", "contact_number"}, {"地市", "region_name"},  {"主题", "subject"},     {"处理部门", "department_name"},
	{"处理人", "assignee"},     {"受理员", "created_by"},   {"受理时间", "created_at"}, {"处理时限", "deadline"},
	{"已超时", "overdue"},      {"归档时间", "closed_at"},  {"重复投诉", "repeat_count"}, {"催单次数", "urge_count"},
};

/* An ISO time as the local 2026-11-29 16:30; "" when there is none. */
static void local_minute(const char *iso, char out[32])
{
	int64_t t;
	out[0] = '\0';
	if (!iso || !time_parse(iso, &t))
		return;
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

static enum gd_status cell(struct strbuf *sb, const char *member, const json_t *v, int first)
{
	char buf[32];
	if (json_is_integer(v))
		return csv_int(sb, json_integer_value(v), first);
	if (json_is_boolean(v))
		return csv_text(sb, json_is_true(v) ? "是" : "否", first);
	if (!strcmp(member, "priority"))
		return csv_text(sb, !strcmp(json_string_value(v), "urgent") ? "紧急" : "普通", first);
	if (strstr(member, "_at") || !strcmp(member, "deadline")) {
		local_minute(json_string_value(v), buf);
		return csv_text(sb, buf, first);
	}
	return csv_text(sb, json_string_value(v), first); /* NULL (json null): an empty field */
}

enum gd_status ticket_csv(const json_t *list, bool first_page, struct strbuf *out)
{
	enum gd_status s = GD_OK;
	size_t n = sizeof columns / sizeof columns[0];
	if (first_page) {
		s = strbuf_adds(out, CSV_BOM);
		for (size_t c = 0; c < n && !s; c++)
			s = csv_text(out, columns[c].title, c == 0);
		if (!s)
			s = csv_end(out);
	}
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(list, "items"), i, t) {
		for (size_t c = 0; c < n && !s; c++)
			s = cell(out, columns[c].member, json_object_get(t, columns[c].member), c == 0);
		if (!s)
			s = csv_end(out);
	}
	return s;
}
