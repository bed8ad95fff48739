/* demo.c - the demo accounts of `gongdan init --demo`: one or more users per
 * role with known passwords, created when absent, and their logins printed. */
#include "gongdan/demo.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/users.h"

static const struct {
	const char *username;
	const char *role;
	const char *department; /* NULL: none (admin) */
	const char *display_name;
} demo_users[] = {
	{"admin", "admin", NULL, "管理员"},
	{"agent1", "agent", "PCSC", "受理员一"},
	{"agent2", "agent", "PCSC", "受理员二"},
	{"dispatcher1", "dispatcher", "PCSC", "派单员一"},
	{"supervisor1", "supervisor", "PCSC", "班长一"},
	{"handler_net1", "handler", "NET", "网络运维一"},
	{"handler_net2", "handler", "NET", "网络运维二"},
	{"handler_vas1", "handler", "VAS", "增值业务一"},
	{"handler_km1", "handler", "KM", "昆明分公司一"},
};

int demo_users_seed(struct db *d)
{
	int rc = 0;
	printf("demo logins (for trying gongdan only: disable them or change their passwords before real use):\n");
	printf("  %-14s %-19s %-11s %s\n", "username", "password", "role", "department");
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
		char password[64];
		snprintf(password, sizeof password, "demo-%s", demo_users[i].username);
		int64_t id;
		bool disabled;
		enum gd_status st = users_find(d, demo_users[i].username, &id, &disabled);
		const char *note = "";
		if (st == GD_E_NOT_FOUND) {
			struct user_spec spec = {
				.username = demo_users[i].username,
				.role = demo_users[i].role,
				.department = demo_users[i].department,
				.display_name = demo_users[i].display_name,
				.password = password,
				.password_len = strlen(password),
			};
			json_t *fields = json_object();
			st = users_create(d, &spec, &id, fields);
			const char *k;
			json_t *v;
			json_object_foreach(fields, k, v)
				fprintf(stderr, "gongdan init: demo user %s: %s: %s\n", demo_users[i].username, k,
					json_string_value(v));
			json_decref(fields);
		} else if (!st) {
			note = disabled ? " (exists, disabled)" : " (exists; password as set)";
		}
		if (st) {
			fprintf(stderr, "gongdan init: cannot create demo user %s (%s)\n", demo_users[i].username,
				status_message(st));
			rc = 1;
			continue;
		}
		printf("  %-14s %-19s %-11s %s%s\n", demo_users[i].username, password, demo_users[i].role,
		       demo_users[i].department ? demo_users[i].department : "-", note);
	}
	fflush(stdout);
	return rc;
}
