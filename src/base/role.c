/* role.c - the table behind enum role (see role.h). */
#include "gongdan/role.h"

#include <string.h>

static const struct {
	const char *code;
	const char *name;
	unsigned flags;
} roles[ROLE_COUNT] = {
	[ROLE_NONE] = {"", "", 0},
	[ROLE_AGENT] = {"agent", "受理员", ROLE_SEES_OWN | ROLE_CENTRE | ROLE_TAKES_COMPLAINTS},
	[ROLE_DISPATCHER] = {"dispatcher", "省客服中心派单", ROLE_SEES_ALL | ROLE_CENTRE},
	[ROLE_HANDLER] = {"handler", "处理部门", ROLE_SEES_DEPARTMENT | ROLE_HANDLING},
	[ROLE_SUPERVISOR] = {"supervisor", "班长/质检", ROLE_SEES_ALL | ROLE_CENTRE},
	[ROLE_ADMIN] = {"admin", "管理员", ROLE_SEES_ALL | ROLE_TAKES_COMPLAINTS | ROLE_ALL_POWERS},
};

enum role role_parse(const char *code)
{
	if (!code || !*code)
		return ROLE_NONE;
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
		if (!strcmp(code, roles[r].code))
			return (enum role)r;
	return ROLE_NONE;
}

static bool valid(enum role r)
{
	return (unsigned)r < ROLE_COUNT;
}

const char *role_code(enum role r)
{
	return valid(r) ? roles[r].code : "";
}

const char *role_name(enum role r)
{
	return valid(r) ? roles[r].name : "";
}

bool role_has(enum role r, unsigned flags)
{
	return valid(r) && (roles[r].flags & flags);
}

const char *role_codes_text(void)
{
	return "agent, dispatcher, handler, supervisor, admin";
}
