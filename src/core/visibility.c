/* visibility.c - the one place that decides who sees which ticket (SPEC §1).
 * ticket.c builds its list queries from vis_list_scope() and answers
 * single-ticket lookups through vis_can_see(). */
#include "gongdan/visibility.h"

#include <string.h>

#include "gongdan/db.h"

enum vis_scope vis_list_scope(const struct principal *who, bool customer_lookup)
{
	if (!who) /* the server itself */
		return VIS_ALL;
	if (role_has(who->role, ROLE_SEES_ALL))
		return VIS_ALL;
	if (role_has(who->role, ROLE_SEES_DEPARTMENT))
		return who->department_id ? VIS_DEPARTMENT : VIS_NONE;
	if (role_has(who->role, ROLE_SEES_OWN))
		return customer_lookup ? VIS_ALL : VIS_CREATOR;
	return VIS_NONE;
}

enum gd_status vis_can_see(struct db *d, const struct principal *who, int64_t ticket_id, int64_t created_by,
			   const char *fault_number, bool *visible)
{
	static const char by_department[] =
		"SELECT 1 FROM ticket_departments WHERE department_id = ?1 AND ticket_id = ?2";
	static const char same_customer[] =
		"SELECT 1 FROM tickets WHERE fault_number = ?1 AND created_by = ?2 LIMIT 1";
	struct db_stmt *st;
	enum gd_status s;
	*visible = false;
	switch (vis_list_scope(who, false)) {
	case VIS_ALL:
		*visible = true;
		return GD_OK;
	case VIS_NONE:
		return GD_OK;
	case VIS_DEPARTMENT:
		if ((s = db_prepare(d, by_department, &st)))
			return s;
		db_bind_int64(st, 1, who->department_id);
		db_bind_int64(st, 2, ticket_id);
		break;
	case VIS_CREATOR:
		if (created_by == who->user_id) {
			*visible = true;
			return GD_OK;
		}
		/* 历史故障: the customer the agent is serving */
		if ((s = db_prepare(d, same_customer, &st)))
			return s;
		db_bind_text(st, 1, fault_number, -1);
		db_bind_int64(st, 2, who->user_id);
		break;
	}
	s = db_step(st, visible);
	db_reset(st);
	return s;
}

static bool contains(const int64_t *v, size_t n, int64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

bool vis_can_see_facts(const struct principal *who, const struct vis_facts *f)
{
	switch (vis_list_scope(who, false)) {
	case VIS_ALL:
		return true;
	case VIS_NONE:
		return false;
	case VIS_DEPARTMENT:
		return contains(f->departments, f->ndepartments, who->department_id);
	case VIS_CREATOR:
		return f->created_by == who->user_id || contains(f->customer_agents, f->ncustomer_agents, who->user_id);
	}
	return false;
}
