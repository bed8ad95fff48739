/* demo.c - the demo accounts of `gongdan init --demo`: one or more users per
 * role with known passwords, created when absent, and their logins printed. */
#include "gongdan/demo.h"
#include "gongdan/db.h"
#include "gongdan/principal.h"
#include "gongdan/ticket.h"
#include "gongdan/workflow.h"
#include "gongdan/xalloc.h"
#include <stdlib.h>
#include <string.h>

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
			struct gd_err e = GD_ERR_INIT;
			st = users_create(d, &spec, &id, &e);
			const char *k;
			json_t *v;
			json_object_foreach(e.fields, k, v)
				fprintf(stderr, "gongdan init: demo user %s: %s: %s\n", demo_users[i].username, k,
					json_string_value(v));
			gd_err_release(&e);
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

/* --- demo tickets ------------------------------------------------------ */

/* One demo complaint and how far it has travelled. */
static const struct {
	const char *agent;
	const char *body;   /* JSON of the create request */
	const char *steps;  /* "user:action:inputs-json;..." */
} demo_tickets[] = {
	{"agent1",
	 "{\"category\":\"NET.SIGNAL\",\"fault_number\":\"13908711234\",\"subject\":\"家中室内信号弱，通话经常中断\","
	 "\"customer_name\":\"一位先生\",\"description\":\"用户反映近一周在家中室内信号弱，通话中经常掉线，换到阳台稍好。\","
	 "\"fields\":{\"symptom\":\"室内信号弱，通话中断\",\"calling_number\":\"13908711234\",\"called_number\":\"13987650000\","
	 "\"announcement\":\"无提示音\",\"location\":\"昆明市五华区翠湖小区\",\"tried_other_device\":\"yes\","
	 "\"persists_after_restart\":\"yes\",\"handset_model\":\"华为 P40\"}}",
	 "agent1:submit:{};dispatcher1:dispatch:{\"department\":\"NET\",\"comment\":\"请网络运维部核查翠湖小区覆盖\"};"
	 "handler_net1:accept:{}"},
	{"agent1",
	 "{\"category\":\"VAS.MMS.FORCED\",\"fault_number\":\"13888001122\",\"subject\":\"未定制移动多媒体邮箱却被扣费\","
	 "\"customer_name\":\"一位女士\",\"description\":\"用户称从未定制移动多媒体邮箱业务，本月话费中出现相关扣费，要求退费并取消。\"}",
	 "agent1:submit:{};dispatcher1:dispatch:{\"department\":\"VAS\"};handler_vas1:accept:{};"
	 "handler_vas1:reply:{\"resolution\":\"经核查为SP默认开通，已为用户退订并退费10元。\"}"},
	{"agent2",
	 "{\"category\":\"BILL.DISPUTE\",\"fault_number\":\"087163211234\",\"subject\":\"固话月租费用与套餐不符\","
	 "\"customer_name\":\"一位先生\",\"description\":\"用户反映固话月租比办理时约定的多收5元。\"}",
	 "agent2:submit:{}"},
	{"agent2",
	 "{\"category\":\"BILL.SUSPEND\",\"fault_number\":\"13700001111\",\"subject\":\"余额充足仍被停机\","
	 "\"customer_name\":\"一位女士\",\"description\":\"用户称昨日充值100元后仍无法拨打电话。\"}",
	 "agent2:resolve:{\"resolution\":\"查询为充值到账延迟，已为用户手工复机。\",\"summary\":\"一次解决：充值延迟导致停机，已复机并致歉。\"}"},
	{"agent1",
	 "{\"category\":\"DATA.WBB.SLOW\",\"fault_number\":\"13577778888\",\"subject\":\"3G无线宽带上网速度慢\","
	 "\"customer_name\":\"一位先生\",\"description\":\"用户第三次来电反映无线宽带速率很慢，情绪激动。\"}",
	 ""},
	{"agent1",
	 "{\"category\":\"NET.DROP\",\"fault_number\":\"13908711234\",\"subject\":\"通话中频繁掉话\","
	 "\"customer_name\":\"一位先生\",\"description\":\"同一用户再次来电，反映掉话问题仍未解决。\","
	 "\"fields\":{\"symptom\":\"通话约一分钟后掉话\",\"calling_number\":\"13908711234\",\"called_number\":\"13987650000\","
	 "\"announcement\":\"无\",\"location\":\"昆明市五华区翠湖小区\",\"tried_other_device\":\"no\","
	 "\"persists_after_restart\":\"yes\",\"handset_model\":\"华为 P40\"}}",
	 "agent1:submit:{};dispatcher1:dispatch:{\"department\":\"NET\"};handler_net2:accept:{};"
	 "handler_net2:reply:{\"resolution\":\"已优化该小区基站参数，用户确认恢复正常。\"};"
	 "supervisor1:close:{\"summary\":\"基站参数优化后恢复，用户满意。\",\"satisfaction\":5}"},
};

/* The principal of a demo user (read from the database). */
static int demo_principal(const char *username, struct principal *p)
{
	struct db_stmt *st;
	bool row = false;
	memset(p, 0, sizeof *p);
	if (db_prepare(db_reader(), "SELECT id, role, coalesce(department_id, 0) FROM users WHERE username = ?1", &st))
		return -1;
	db_bind_text(st, 1, username, -1);
	if (!db_step(st, &row) && row) {
		p->user_id = db_col_int64(st, 0);
		p->role = role_parse(db_col_text(st, 1));
		p->department_id = db_col_int64(st, 2);
		snprintf(p->username, sizeof p->username, "%s", username);
	}
	db_reset(st);
	return row ? 0 : -1;
}

int demo_tickets_seed(const char *path)
{
	int rc = 0;
	if (db_global_open(path) || wf_load(db_reader())) {
		fprintf(stderr, "gongdan init: cannot open %s for the demo tickets\n", path);
		db_global_close();
		return 1;
	}
	struct db_stmt *st;
	bool row = false;
	if (!db_prepare(db_reader(), "SELECT 1 FROM tickets LIMIT 1", &st)) {
		if (db_step(st, &row))
			row = true;
		db_reset(st);
	}
	if (row) { /* tickets exist: leave them alone */
		db_global_close();
		return 0;
	}
	int made = 0;
	for (size_t i = 0; i < sizeof demo_tickets / sizeof demo_tickets[0] && !rc; i++) {
		struct principal who;
		struct gd_err e = GD_ERR_INIT;
		char number[TICKET_NUMBER_MAX];
		json_t *body = json_loads(demo_tickets[i].body, 0, NULL);
		if (!body || demo_principal(demo_tickets[i].agent, &who) || ticket_create(&who, body, number, &e)) {
			fprintf(stderr, "gongdan init: demo ticket %zu failed: %s\n", i + 1, e.message);
			rc = 1;
		}
		json_decref(body);
		gd_err_release(&e);
		/* walk it through its steps: user:action:inputs;... */
		char *steps = xstrdup(demo_tickets[i].steps);
		for (char *step = steps, *next; !rc && step && *step; step = next) {
			next = strchr(step, ';');
			if (next)
				*next++ = '\0';
			char *user = step, *action = strchr(step, ':');
			char *inputs = action ? strchr(action + 1, ':') : NULL;
			if (!action || !inputs) {
				rc = 1;
				break;
			}
			*action++ = '\0';
			*inputs++ = '\0';
			json_t *in = json_loads(inputs, 0, NULL);
			if (!in || demo_principal(user, &who) || wf_act(&who, number, action, in, -1, &e)) {
				fprintf(stderr, "gongdan init: demo step %s %s failed: %s\n", user, action, e.message);
				rc = 1;
			}
			json_decref(in);
			gd_err_release(&e);
		}
		free(steps);
		made += !rc;
	}
	db_global_close();
	if (!rc)
		printf("demo tickets: %d created\n", made);
	return rc;
}
