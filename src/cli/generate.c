/* generate.c - `gongdan generate`: a year (or --days D) of a big centre,
 * replayed through the server's own code so the result is a database the
 * server could have written: tickets are created by ticket_create_insert()
 * (numbers, repeat counts, full-text index), moved by wf_apply() (state,
 * queue counters, hash-chained history) and marked overdue by
 * wf_sla_mark(), with the clock (time_set_now) stepping through simulated
 * time. `gongdan audit verify` passes on the result.
 *
 * The simulation is a queue of events in time order: each ticket has at
 * most one pending event (its next action), drawn when the previous one
 * ran; an event that would fall after "now" is dropped, so recent tickets
 * are left spread over every open state the way a live centre holds them.
 * Everything random comes from one xorshift generator seeded by --seed:
 * the same seed, size and days give the same tickets (times are relative
 * to the day the command runs, as are ticket numbers). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gongdan/cli.h"
#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/principal.h"
#include "gongdan/report_count.h"
#include "gongdan/search_index.h"
#include "gongdan/ticket.h"
#include "gongdan/users.h"
#include "gongdan/workflow.h"
#include "gongdan/xalloc.h"

#define GEN_BATCH 5000          /* tickets per transaction */
#define GEN_CELLS 1000000       /* report cells summed in memory before a write */
#define GEN_SWEEP_EVERY 3600    /* simulated seconds between SLA sweeps */
#define GEN_MAX_TICKETS 100000000LL

/* --- randomness ---------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n). */
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static bool chance(double p)
{
	return unit() < p;
}

/* Log-uniform between lo and hi: many short delays, a long tail. */
static int64_t delay(int64_t lo, int64_t hi)
{
	return (int64_t)exp(log((double)lo) + unit() * (log((double)hi) - log((double)lo)));
}

#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

/* Index into weights[0..n) drawn by weight. */
static int weighted(const double *weights, int n, double total)
{
	double x = unit() * total;
	for (int i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

/* --- vocabulary (the deck's words, the centre's usual phrases) ---------- */

struct topic {
	const char *top;               /* top-level category code */
	double weight;                 /* share of complaints */
	const char *subjects[8];
	const char *details[6];
	const char *demands[4];
};

static const struct topic topics[] = {
	{"NET", 30,
	 {"家中室内信号弱", "通话中频繁掉话", "通话有杂音断断续续", "手机无信号无法拨打电话", "无法上网",
	  "上网速度慢", "小区信号差影响使用", "通话质量差对方听不清"},
	 {"近一周在家中室内信号很弱，只能到阳台通话", "通话一两分钟后就会掉话", "通话中有杂音，对方听不清",
	  "所在位置手机一直显示无服务", "手机上网打不开网页", "晚上高峰期上网特别慢"},
	 {"要求尽快核查覆盖", "要求尽快处理并回电", "情绪激动，要求给出处理时限", "要求上门测试信号"}},
	{"BILL", 25,
	 {"余额充足仍被停机", "话费异常怀疑多扣费", "套餐资费与办理时约定不符", "充值后未到账",
	  "欠费停机后缴费仍未复机", "月租费用多收", "停机后无法缴费", "国际漫游费用过高"},
	 {"昨日充值一百元后仍然停机，无法拨打电话", "本月话费比平时多出五十元", "办理时说月租三十八元，实际扣了五十八元",
	  "通过网上营业厅充值，钱已扣但话费未到账", "缴清欠费两小时后仍然停机", "被困在外地无法缴费，手机已停机"},
	 {"要求退还多扣费用", "要求立即复机", "要求出具详细话费清单", "要求解释扣费原因"}},
	{"VAS", 15,
	 {"未定制彩信业务却被扣费", "收到SP诱导短信被扣费", "无法取消手机下载业务", "移动多媒体邮箱无法使用",
	  "业务资费未明示", "被默认开通增值业务", "java下载业务强行定制", "brew业务无法退订"},
	 {"从未定制该业务，本月话费中出现相关扣费", "收到推送短信，回复后被扣信息费", "多次发送取消指令仍在扣费",
	  "登录移动多媒体邮箱一直提示失败", "定制时没有任何资费说明", "手机下载业务被默认开通"},
	 {"要求退订并退费", "要求查明定制来源", "要求双倍赔偿", "要求取消全部增值业务"}},
	{"DATA", 10,
	 {"3G无线宽带无法连接", "无线宽带上网速度慢", "无线宽带频繁掉线", "无线宽带流量计费异常",
	  "上网卡无法识别", "无线宽带资费争议", "无线宽带拨号失败", "无线宽带信号不稳定"},
	 {"这是第三次为了宽带上网问题来电", "拨号一直提示连接失败", "上网几分钟就自动断开",
	  "速率只有几十K，网页打不开", "流量提醒短信与实际使用不符", "更换电脑后仍无法使用"},
	 {"要求彻底解决", "要求减免本月费用", "情绪激动，要求投诉升级", "要求工作人员上门处理"}},
	{"SVC", 10,
	 {"营业员服务态度差", "承诺回电未兑现", "热线等待时间过长", "业务办理时未告知资费",
	  "投诉后无人处理", "营业厅排队时间过长", "客服解释前后不一", "工作人员推诿"},
	 {"在营业厅办理业务时营业员态度恶劣", "上周来电后承诺四十八小时内回电但一直没有回复",
	  "拨打热线等了二十分钟才接通", "办理时营业员没有说明需要额外收费", "多次反映问题一直没有结果",
	  "不同客服人员给出的答复不一样"},
	 {"要求道歉", "要求给出明确答复", "要求处理相关人员", "要求尽快回电"}},
	{"BIZ", 10,
	 {"业务办理失败", "号码过户办理问题", "携号转网受阻", "集团业务办理问题",
	  "套餐变更未生效", "补卡办理问题", "实名登记信息有误", "销户后仍在扣费"},
	 {"在网上营业厅办理套餐变更后一直没有生效", "办理过户时被告知需要原机主到场", "申请携号转网被拒绝",
	  "单位集团业务开通后部分号码无法使用", "补卡后原号码无法接收短信", "实名信息登记错误需要更正"},
	 {"要求尽快办理", "要求说明原因", "要求恢复原套餐", "要求退还费用"}},
};

static const char *const times_words[] = {"近一周", "今天上午", "昨天开始", "本月以来", "这几天", "最近三天"};
static const char *const places[] = {"小区", "花园", "村", "街道", "工业园区", "学校附近", "商业中心"};
static const char *const place_names[] = {"翠湖", "金碧", "滇池", "盘龙", "五华", "官渡", "西山", "呈贡", "麒麟",
					  "红塔", "隆阳", "古城", "思茅", "大理古城", "景洪", "芒市"};
static const char *const handsets[] = {"华为 Mate 40", "华为 P40", "小米 11", "OPPO Reno5", "vivo X60",
				       "iPhone 12", "荣耀 30", "三星 S21"};
static const char *const announcements[] = {"无提示音", "您拨打的电话暂时无法接通", "网络忙，请稍后再拨",
					    "您拨打的号码不在服务区", "无"};
static const char *const symptoms[] = {"室内信号弱", "通话中断", "无信号", "通话有杂音", "无法上网", "网速慢",
				       "掉话频繁"};
static const char *const surnames[] = {"张", "李", "王", "杨", "赵", "刘", "陈", "段", "和", "普"};
static const char *const mobile_prefixes[] = {"139", "138", "137", "136", "135", "150", "151", "152",
					      "157", "158", "159", "182", "183", "187", "188", "147"};

static const char *const dispatch_notes[] = {"请核查处理", "请尽快联系用户", "用户情绪激动，请优先处理",
					     "重复投诉，请重点关注", "请核实后回复"};
static const char *const resolutions[] = {
	"经核查，您反映的问题已处理完毕，现已恢复正常，给您带来的不便深表歉意。",
	"经核查，该业务系用户未定制而被收费，已为用户取消该业务并退还相关费用。",
	"已安排工程师现场测试，优化基站参数后信号恢复正常，用户确认。",
	"经核实为充值到账延迟，已为用户手工复机并致歉。",
	"已向用户解释扣费原因并提供详单，用户表示理解。",
	"已为用户办理退费，费用将在下月话费中返还。",
	"已联系用户说明情况，承诺的业务已办理完成。",
};
static const char *const summaries[] = {
	"问题已解决，用户满意。",
	"已退费并致歉，用户接受处理结果。",
	"网络优化后恢复正常，回访用户确认。",
	"已向用户解释清楚，用户表示理解。",
	"一次解决：查询后当场处理完毕，用户满意。",
};
static const char *const return_notes[] = {"信息不全，请补充故障地点和手机型号", "投诉类型选择有误，请重新核实",
					   "请补充用户联系方式"};
static const char *const handler_returns[] = {"非本部门处理范围，请重新派单", "该问题属其他部门职责，退回重派"};
static const char *const transfer_notes[] = {"该问题属于其他部门职责，转派处理", "用户所在地属分公司辖区，转派处理",
					     "需要网络部门配合，转派处理"};
static const char *const reject_notes[] = {"用户反映问题仍未解决，请继续处理", "回复内容不完整，请补充处理过程"};
static const char *const reopen_notes[] = {"用户再次来电反映问题未解决", "回访时用户表示不满意，重新处理"};
static const char *const urge_notes[] = {"用户来电催促处理进度", "用户多次来电催办", ""};
static const char *const comment_notes[] = {"已电话联系用户，用户不在，稍后再联系", "已与用户约定明日上门",
					    "已向用户说明处理进度"};

/* --- the centre's reference data and staff ------------------------------ */

struct leaf {
	int64_t id;
	char code[48];
	int64_t department_id; /* default handling department */
	int topic;             /* index into topics */
	json_t *schema;        /* the extra fields */
};

struct region {
	char code[16];
	char name[32];
	char area[8];
	int64_t branch_id;     /* its handling branch, 0 if none */
};

struct staff {
	struct principal *p;
	int n;
};

static struct {
	struct leaf *leaves;
	int nleaves;
	double *leaf_weight;
	double leaf_total;
	struct region regions[64];
	int nregions;
	double region_weight[64];
	double region_total;
	int64_t *handling;     /* handling department ids */
	char (*handling_code)[32];
	int nhandling;
	struct staff agents, dispatchers, supervisors;
	struct staff *handlers; /* per handling department, same order */
	char (*frequent)[16];  /* callers with very many tickets */
	int nfrequent;
	uint64_t repeat_pool;  /* numbers that call again now and then */
} ref;

static const char *const region_weights[] = {"KM:30", "QJ:12", "HH:9", "DL:8", "YX:6", "ZT:6", "WS:5", "CX:5",
					     "PE:4", "BS:4", "LC:3", "LJ:3", "XSBN:2", "DH:2", "NJ:0.5", "DQ:0.5",
					     "PROV:1"};

static double region_weight_of(const char *code)
{
	for (size_t i = 0; i < sizeof region_weights / sizeof region_weights[0]; i++) {
		size_t n = strcspn(region_weights[i], ":");
		if (strlen(code) == n && !strncmp(code, region_weights[i], n))
			return atof(region_weights[i] + n + 1);
	}
	return 1;
}

static int topic_of(const char *code)
{
	for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
		size_t n = strlen(topics[i].top);
		if (!strncmp(code, topics[i].top, n) && (code[n] == '.' || !code[n]))
			return (int)i;
	}
	return 0;
}

static enum gd_status load_leaves(struct db *d)
{
	static const char sql[] =
		"SELECT c.id, c.code, coalesce(c.department_id, 0), c.fields_schema FROM categories c"
		" WHERE c.active AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY c.id";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	int cap = 64;
	ref.leaves = xcalloc((size_t)cap, sizeof *ref.leaves);
	while (!(s = db_step(st, &row)) && row) {
		if (ref.nleaves == cap) {
			cap *= 2;
			ref.leaves = xrealloc(ref.leaves, (size_t)cap * sizeof *ref.leaves);
		}
		struct leaf *l = &ref.leaves[ref.nleaves++];
		memset(l, 0, sizeof *l);
		l->id = db_col_int64(st, 0);
		snprintf(l->code, sizeof l->code, "%s", db_col_text(st, 1));
		l->department_id = db_col_int64(st, 2);
		l->schema = json_loads(db_col_text(st, 3), 0, NULL);
		l->topic = topic_of(l->code);
	}
	db_reset(st);
	if (s)
		return s;
	/* uneven: a topic's share, and within it a few leaves take most */
	ref.leaf_weight = xcalloc((size_t)ref.nleaves, sizeof *ref.leaf_weight);
	for (size_t t = 0; t < sizeof topics / sizeof topics[0]; t++) {
		int rank = 0;
		double sum = 0;
		for (int i = 0; i < ref.nleaves; i++)
			if (ref.leaves[i].topic == (int)t)
				sum += 1.0 / ++rank;
		rank = 0;
		for (int i = 0; i < ref.nleaves; i++)
			if (ref.leaves[i].topic == (int)t)
				ref.leaf_weight[i] = topics[t].weight * (1.0 / ++rank) / sum;
	}
	for (int i = 0; i < ref.nleaves; i++)
		ref.leaf_total += ref.leaf_weight[i];
	return ref.nleaves ? GD_OK : GD_E_NOT_FOUND;
}

static enum gd_status load_regions_and_departments(struct db *d)
{
	static const char regions_sql[] =
		"SELECT r.code, r.name, coalesce(r.area_code, ''),"
		" coalesce((SELECT id FROM departments WHERE region = r.code AND kind = 'handling' AND active), 0)"
		" FROM regions r ORDER BY r.sort, r.code";
	static const char depts_sql[] =
		"SELECT id, code FROM departments WHERE kind = 'handling' AND active ORDER BY sort, id";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, regions_sql, &st)))
		return s;
	while (!(s = db_step(st, &row)) && row && ref.nregions < 64) {
		struct region *r = &ref.regions[ref.nregions];
		snprintf(r->code, sizeof r->code, "%s", db_col_text(st, 0));
		snprintf(r->name, sizeof r->name, "%s", db_col_text(st, 1));
		snprintf(r->area, sizeof r->area, "%s", db_col_text(st, 2));
		r->branch_id = db_col_int64(st, 3);
		ref.region_weight[ref.nregions] = region_weight_of(r->code);
		ref.region_total += ref.region_weight[ref.nregions];
		ref.nregions++;
	}
	db_reset(st);
	if (s || (s = db_prepare(d, depts_sql, &st)))
		return s;
	int cap = 16;
	ref.handling = xcalloc((size_t)cap, sizeof *ref.handling);
	ref.handling_code = xcalloc((size_t)cap, sizeof *ref.handling_code);
	while (!(s = db_step(st, &row)) && row) {
		if (ref.nhandling == cap) {
			cap *= 2;
			ref.handling = xrealloc(ref.handling, (size_t)cap * sizeof *ref.handling);
			ref.handling_code = xrealloc(ref.handling_code, (size_t)cap * sizeof *ref.handling_code);
		}
		snprintf(ref.handling_code[ref.nhandling], sizeof ref.handling_code[0], "%s", db_col_text(st, 1));
		ref.handling[ref.nhandling++] = db_col_int64(st, 0);
	}
	db_reset(st);
	return s ? s : ref.nregions && ref.nhandling ? GD_OK : GD_E_NOT_FOUND;
}

static int handling_index(int64_t department_id)
{
	for (int i = 0; i < ref.nhandling; i++)
		if (ref.handling[i] == department_id)
			return i;
	return -1;
}

static void staff_add(struct staff *s, int64_t id, const char *username, const char *role, int64_t dept)
{
	s->p = xrealloc(s->p, (size_t)(s->n + 1) * sizeof *s->p);
	struct principal *p = &s->p[s->n++];
	memset(p, 0, sizeof *p);
	p->user_id = id;
	p->department_id = dept;
	snprintf(p->username, sizeof p->username, "%s", username);
	p->role = role_parse(role);
}

static enum gd_status load_staff(struct db *d)
{
	static const char sql[] = "SELECT id, username, role, coalesce(department_id, 0) FROM users"
				  " WHERE NOT disabled ORDER BY id";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	free(ref.agents.p), free(ref.dispatchers.p), free(ref.supervisors.p);
	memset(&ref.agents, 0, sizeof ref.agents);
	memset(&ref.dispatchers, 0, sizeof ref.dispatchers);
	memset(&ref.supervisors, 0, sizeof ref.supervisors);
	if (!ref.handlers)
		ref.handlers = xcalloc((size_t)ref.nhandling, sizeof *ref.handlers);
	for (int i = 0; i < ref.nhandling; i++) {
		free(ref.handlers[i].p);
		memset(&ref.handlers[i], 0, sizeof ref.handlers[i]);
	}
	while (!(s = db_step(st, &row)) && row) {
		const char *role = db_col_text(st, 2);
		int64_t id = db_col_int64(st, 0), dept = db_col_int64(st, 3);
		const char *name = db_col_text(st, 1);
		int h;
		switch (role_parse(role)) {
		case ROLE_AGENT:
			staff_add(&ref.agents, id, name, role, dept);
			break;
		case ROLE_DISPATCHER:
			staff_add(&ref.dispatchers, id, name, role, dept);
			break;
		case ROLE_SUPERVISOR:
			staff_add(&ref.supervisors, id, name, role, dept);
			break;
		case ROLE_HANDLER:
			if ((h = handling_index(dept)) >= 0)
				staff_add(&ref.handlers[h], id, name, role, dept);
			break;
		default:
			break;
		}
	}
	db_reset(st);
	return s;
}

/* Staff the centre needs and lacks: agents, dispatchers, supervisors and
 * handlers for every handling department. They get no password (they
 * cannot log in; `gongdan token create` gives scripts a token for one). */
static enum gd_status hire_staff(struct db *d, int agents)
{
	struct {
		const char *role;
		struct staff *have;
		int want;
		const char *prefix, *label;
	} roles[] = {
		{"agent", &ref.agents, agents, "gen_agent", "受理员"},
		{"dispatcher", &ref.dispatchers, 8, "gen_dispatcher", "派单员"},
		{"supervisor", &ref.supervisors, 4, "gen_supervisor", "班长"},
	};
	enum gd_status s = GD_OK;
	struct gd_err e = GD_ERR_INIT;
	for (size_t r = 0; r < sizeof roles / sizeof roles[0] && !s; r++) {
		for (int i = roles[r].have->n; i < roles[r].want && !s; i++) {
			char name[64], display[64];
			snprintf(name, sizeof name, "%s%03d", roles[r].prefix, i + 1);
			snprintf(display, sizeof display, "%s%03d", roles[r].label, i + 1);
			struct user_spec spec = {.username = name, .role = roles[r].role, .display_name = display};
			int64_t id;
			s = users_create(d, &spec, &id, &e);
		}
	}
	for (int h = 0; h < ref.nhandling && !s; h++) {
		const char *code = ref.handling_code[h];
		for (int i = ref.handlers[h].n; i < 3 && !s; i++) {
			char name[64], display[64];
			snprintf(name, sizeof name, "gen_handler_%s%d", code, i + 1);
			snprintf(display, sizeof display, "%s处理员%d", code, i + 1);
			for (char *c = name; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			struct user_spec spec = {.username = name, .role = "handler", .department = code,
						 .display_name = display};
			int64_t id;
			s = users_create(d, &spec, &id, &e);
		}
	}
	if (s) {
		char *why = e.fields ? json_dumps(e.fields, JSON_COMPACT) : NULL;
		fprintf(stderr, "gongdan generate: cannot create the staff: %s %s\n", status_message(s), why ? why : "");
		free(why);
	}
	gd_err_release(&e);
	return s ? s : load_staff(db_reader());
}

/* --- one complaint's life ------------------------------------------------- */

enum next { N_SUBMIT, N_RESOLVE, N_RETURN_DRAFT, N_DISPATCH, N_HANDLER_RETURN, N_TRANSFER, N_ACCEPT, N_REPLY,
	    N_REJECT, N_CLOSE, N_REOPEN, N_URGE, N_COMMENT, N_DONE };

/* A ticket between its creation and the end of the simulation. */
struct life {
	struct ticket_row row, created;   /* now, and as created */
	struct history_chain chain;
	int agent, region, leaf;
	int handler;                      /* index into its department's handlers; -1: not chosen */
	int moves;                        /* bounds the loops (return, transfer, reject, reopen) */
	json_t *texts;                    /* the resolution and summary its row ends with */
	bool summary_cleared;             /* a reopen cleared a summary */
};

/* First SLA sweep strictly after t: the server sweeps every hour. */
static int64_t sweep_after(int64_t t, int64_t origin)
{
	return origin + ((t - origin) / GEN_SWEEP_EVERY + 1) * GEN_SWEEP_EVERY;
}

static void mobile(char out[16], const char *prefix)
{
	snprintf(out, 16, "%s%08" PRIu64, prefix, below(100000000));
}

static void fault_number(const struct region *r, char out[16])
{
	double x = unit();
	if (x < 0.02 && ref.nfrequent) { /* a few callers with very many tickets */
		int i = (int)(below((uint64_t)ref.nfrequent) * below((uint64_t)ref.nfrequent) / (uint64_t)ref.nfrequent);
		snprintf(out, 16, "%s", ref.frequent[i]);
	} else if (x < 0.15) { /* repeat callers: a pool of numbers that call again */
		uint64_t k = below(ref.repeat_pool);
		snprintf(out, 16, "139%08" PRIu64, (k * 2654435761u) % 100000000);
	} else if (x < 0.27 && r->area[0]) { /* fixed line: area code + 7-8 digits */
		snprintf(out, 16, "%s%07" PRIu64, r->area, 2000000 + below(7000000));
	} else {
		mobile(out, PICK(mobile_prefixes));
	}
}

static json_t *extra_fields(const struct leaf *l, const struct region *r, const char *number)
{
	json_t *out = json_object();
	size_t i;
	json_t *f;
	json_array_foreach(l->schema, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *type = json_string_value(json_object_get(f, "type"));
		bool required = json_is_true(json_object_get(f, "required"));
		if (!name || !type || (!required && chance(0.5)))
			continue;
		char buf[128];
		if (!strcmp(type, "yesno")) {
			json_object_set_new(out, name, json_string(chance(0.6) ? "yes" : "no"));
		} else if (!strcmp(type, "phone")) {
			if (!strcmp(name, "calling_number") && number[0] == '1')
				snprintf(buf, sizeof buf, "%s", number);
			else
				mobile(buf, PICK(mobile_prefixes));
			json_object_set_new(out, name, json_string(buf));
		} else if (!strcmp(type, "choice")) {
			json_t *opts = json_object_get(f, "options");
			if (json_array_size(opts))
				json_object_set(out, name, json_array_get(opts, below(json_array_size(opts))));
		} else if (!strcmp(type, "number")) {
			json_t *mn = json_object_get(f, "min"), *mx = json_object_get(f, "max");
			double lo = mn ? json_number_value(mn) : 0, hi = mx ? json_number_value(mx) : 1000;
			json_object_set_new(out, name, json_integer((json_int_t)(lo + unit() * (hi - lo))));
		} else if (!strcmp(name, "location")) {
			snprintf(buf, sizeof buf, "%s市%s%s", r->name, PICK(place_names), PICK(places));
			json_object_set_new(out, name, json_string(buf));
		} else if (!strcmp(name, "handset_model")) {
			json_object_set_new(out, name, json_string(PICK(handsets)));
		} else if (!strcmp(name, "announcement")) {
			json_object_set_new(out, name, json_string(PICK(announcements)));
		} else {
			json_object_set_new(out, name, json_string(PICK(symptoms)));
		}
	}
	return out;
}

/* The create request an agent would send for this caller. */
static json_t *complaint(const struct leaf *l, const struct region *r, const char *number)
{
	const struct topic *t = &topics[l->topic];
	char name[32], description[512];
	if (chance(0.8))
		snprintf(name, sizeof name, "%s", chance(0.5) ? "一位先生" : "一位女士");
	else
		snprintf(name, sizeof name, "%s%s", PICK(surnames), chance(0.5) ? "先生" : "女士");
	snprintf(description, sizeof description, "用户反映%s%s，%s。%s%s", PICK(times_words), PICK(t->details),
		 PICK(t->demands), chance(0.3) ? "用户称已多次来电。" : "",
		 chance(0.4) ? "已安抚用户情绪，承诺尽快处理。" : "");
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "category", l->code, "fault_number", number,
			       "subject", PICK(t->subjects), "customer_name", name, "region", r->code, "description",
			       description, "fields", extra_fields(l, r, number));
	if (chance(0.3)) {
		char contact[16];
		mobile(contact, PICK(mobile_prefixes));
		json_object_set_new(in, "contact_number", json_string(contact));
	}
	return in;
}

/* The handling department a dispatcher picks: mostly the category's, else
 * the caller's regional branch, now and then another one. */
static int64_t pick_department(const struct life *l)
{
	int64_t dflt = ref.leaves[l->leaf].department_id, branch = ref.regions[l->region].branch_id;
	double x = unit();
	if (x < 0.7 && dflt)
		return dflt;
	if (x < 0.95 && branch)
		return branch;
	return ref.handling[below((uint64_t)ref.nhandling)];
}

static const char *department_code(int64_t id)
{
	int h = handling_index(id);
	return h < 0 ? "" : ref.handling_code[h];
}

/* The next step from the state the ticket is in, and when it comes. */
static enum next plan(const struct life *l, int64_t now, int64_t *at)
{
	const char *st = l->row.state;
	bool loops = l->moves < 8;
	if (!strcmp(st, "draft"))
		return *at = now + delay(120, 1800), N_SUBMIT;
	if (!strcmp(st, "pending_dispatch")) {
		if (loops && chance(0.02))
			return *at = now + delay(600, 3600), N_RETURN_DRAFT;
		return *at = now + delay(300, 4 * 3600), N_DISPATCH;
	}
	if (!strcmp(st, "dispatched")) {
		if (loops && chance(0.03))
			return *at = now + delay(1800, 5 * 3600), N_HANDLER_RETURN;
		if (loops && chance(0.06))
			return *at = now + delay(1800, 10 * 3600), N_TRANSFER;
		return *at = now + delay(600, 10 * 3600), N_ACCEPT;
	}
	if (!strcmp(st, "in_progress")) {
		if (loops && chance(0.03))
			return *at = now + delay(3600, 12 * 3600), N_TRANSFER;
		return *at = now + delay(3600, 70 * 3600), N_REPLY;
	}
	if (!strcmp(st, "replied")) {
		if (loops && chance(0.04))
			return *at = now + delay(3600, 10 * 3600), N_REJECT;
		return *at = now + delay(1800, 24 * 3600), N_CLOSE;
	}
	if (!strcmp(st, "closed") && l->moves < 6 && chance(0.02))
		return *at = now + delay(86400, 14 * 86400), N_REOPEN;
	return N_DONE;
}

static struct principal *handler_of(struct life *l)
{
	int h = handling_index(l->row.department_id);
	if (h < 0 || !ref.handlers[h].n)
		return NULL;
	if (l->handler < 0 || l->handler >= ref.handlers[h].n)
		l->handler = (int)below((uint64_t)ref.handlers[h].n);
	return &ref.handlers[h].p[l->handler];
}

static struct principal *centre_staff(void)
{
	if (ref.supervisors.n && chance(0.2))
		return &ref.supervisors.p[below((uint64_t)ref.supervisors.n)];
	return &ref.dispatchers.p[below((uint64_t)ref.dispatchers.n)];
}

/* Who takes step n and with which inputs (added to in). NULL: nobody can. */
static struct principal *actor(struct life *l, enum next n, json_t *in, const char **action)
{
	struct principal *agent = &ref.agents.p[l->agent], *who = agent;
	switch (n) {
	case N_SUBMIT:
		*action = "submit";
		break;
	case N_RESOLVE:
		*action = "resolve";
		json_object_set_new(in, "resolution", json_string(PICK(resolutions)));
		json_object_set_new(in, "summary", json_string(summaries[4]));
		break;
	case N_RETURN_DRAFT:
		*action = "return", who = centre_staff();
		json_object_set_new(in, "comment", json_string(PICK(return_notes)));
		break;
	case N_DISPATCH:
		*action = "dispatch", who = centre_staff();
		json_object_set_new(in, "department", json_string(department_code(pick_department(l))));
		if (chance(0.4))
			json_object_set_new(in, "comment", json_string(PICK(dispatch_notes)));
		l->handler = -1;
		break;
	case N_HANDLER_RETURN:
		*action = "return", who = handler_of(l);
		json_object_set_new(in, "comment", json_string(PICK(handler_returns)));
		break;
	case N_TRANSFER: {
		*action = "transfer", who = chance(0.7) ? handler_of(l) : centre_staff();
		int64_t to = pick_department(l);
		if (to == l->row.department_id)
			to = ref.handling[(handling_index(to) + 1) % ref.nhandling];
		json_object_set_new(in, "department", json_string(department_code(to)));
		json_object_set_new(in, "comment", json_string(PICK(transfer_notes)));
		l->handler = -1;
		break;
	}
	case N_ACCEPT:
		*action = "accept", who = handler_of(l);
		break;
	case N_REPLY:
		*action = "reply", who = handler_of(l);
		json_object_set_new(in, "resolution", json_string(PICK(resolutions)));
		break;
	case N_REJECT:
		*action = "reject", who = centre_staff();
		json_object_set_new(in, "comment", json_string(PICK(reject_notes)));
		break;
	case N_CLOSE:
		*action = "close", who = centre_staff();
		json_object_set_new(in, "summary", json_string(PICK(summaries)));
		if (chance(0.8)) {
			static const int scores[] = {5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 1};
			json_object_set_new(in, "satisfaction", json_integer(PICK(scores)));
		}
		break;
	case N_REOPEN:
		*action = "reopen", who = chance(0.5) ? agent : centre_staff();
		json_object_set_new(in, "comment", json_string(PICK(reopen_notes)));
		break;
	case N_URGE:
	case N_COMMENT: {
		*action = n == N_URGE ? "urge" : "comment";
		if (n == N_COMMENT && !(who = handler_of(l)))
			who = centre_staff();
		const char *note = n == N_URGE ? PICK(urge_notes) : PICK(comment_notes);
		if (*note)
			json_object_set_new(in, "comment", json_string(note));
		break;
	}
	case N_DONE:
		return NULL;
	}
	return who;
}

/* Appends a decided step to the ticket's chain (its history row). */
static enum gd_status record(struct db *w, struct life *l, const struct wf_step *step, const struct principal *who)
{
	struct history_entry h;
	enum gd_status s;
	if (step->after.department_id != step->before.department_id &&
	    (s = wf_visit(w, step->after.id, step->after.department_id)))
		return s;
	/* the step's events now; the row and the counters of its state once,
	 * at the end of its life (wf_store) */
	if ((s = report_step(w, step)))
		return s;
	wf_step_history(step, who, &h);
	if ((s = history_append_after(w, &h, &l->chain)))
		return s;
	l->row = step->after;
	return GD_OK;
}

/* Takes a call at `created` and lives the ticket's whole life up to `end`
 * through the engine: every step is decided by wf_decide (the rules and
 * effects the server applies) and the SLA sweep's wf_overdue, written to the
 * history chain as it happens; the row itself is written once, at the end,
 * by wf_store (counters and visits included). */
static enum gd_status live(struct db *w, int64_t created, int64_t end, int64_t origin)
{
	struct life l;
	memset(&l, 0, sizeof l);
	l.handler = -1;
	/* a few agents take more calls than the rest */
	l.agent = (int)(below((uint64_t)ref.agents.n) * (below(4) ? 1 : below((uint64_t)ref.agents.n) + 1) %
			(uint64_t)ref.agents.n);
	l.region = weighted(ref.region_weight, ref.nregions, ref.region_total);
	l.leaf = weighted(ref.leaf_weight, ref.nleaves, ref.leaf_total);
	char number[16];
	fault_number(&ref.regions[l.region], number);
	json_t *in = complaint(&ref.leaves[l.leaf], &ref.regions[l.region], number);
	struct gd_err e = GD_ERR_INIT;
	void *job = NULL;
	time_set_now(created);
	enum gd_status s = ticket_create_prepare(&ref.agents.p[l.agent], in, &job, &e);
	if (!s)
		s = ticket_create_insert(w, job, &l.row, &l.chain);
	if (!s) { /* the texts stay as created: a life has no edits */
		const char *subject, *description, *fields;
		ticket_create_job_texts(job, &subject, &description, &fields);
		search_index_bulk_add(l.row.id, subject, description, fields);
	}
	if (s) {
		char *body = json_dumps(in, JSON_COMPACT);
		if (job)
			gd_err_move(&e, ticket_create_job_err(job));
		fprintf(stderr, "gongdan generate: cannot create a ticket: %s %s\n  %s\n", status_message(s), e.message,
			body ? body : "");
		free(body);
	}
	ticket_create_job_free(job);
	gd_err_release(&e);
	json_decref(in);
	if (s)
		return s;
	l.created = l.row;
	l.texts = json_object();

	int64_t now = created, at = 0;
	enum next n;
	double x = unit();
	if (x < 0.01)
		n = N_DONE; /* left as a draft */
	else if (x < 0.13)
		n = N_RESOLVE, at = now + delay(180, 900); /* 一次解决 at intake */
	else
		n = N_SUBMIT, at = now + delay(60, 480);
	enum next delayed = N_DONE; /* the step an urge or comment came before */
	while (n != N_DONE && !s) {
		struct wf_step step;
		/* the SLA sweep comes first if the deadline passes before the step */
		int64_t sweep = l.row.deadline ? sweep_after(l.row.deadline, origin) : INT64_MAX;
		if (sweep <= at && sweep <= end && wf_overdue(&l.row, sweep, &step)) {
			s = record(w, &l, &step, NULL);
			continue;
		}
		if (at > end)
			break;
		json_t *inputs = json_object();
		const char *action = "";
		struct principal *who = actor(&l, n, inputs, &action);
		if (who) {
			s = wf_decide(w, who, &l.row, action, inputs, at, &step, &e);
			if (s)
				fprintf(stderr, "gongdan generate: %s %s by %s: %s %s\n", l.row.number, action, who->username,
					status_message(s), e.message);
			else
				s = record(w, &l, &step, who);
			/* the texts the row ends with (kept: inputs goes below) */
			if (!s && step.resolution)
				json_object_set(l.texts, "resolution", json_object_get(inputs, "resolution"));
			if (!s && step.summary)
				json_object_set(l.texts, "summary", json_object_get(inputs, "summary"));
			if (!s && step.clears_summary)
				json_object_del(l.texts, "summary");
			l.summary_cleared = l.summary_cleared || step.clears_summary;
		}
		gd_err_release(&e);
		json_decref(inputs);
		now = at;
		if (n == N_URGE || n == N_COMMENT) {
			n = delayed, at = now + delay(600, 6 * 3600);
			continue;
		}
		if (n != N_ACCEPT && n != N_REPLY && n != N_SUBMIT && n != N_DISPATCH && n != N_CLOSE && n != N_RESOLVE)
			l.moves++;
		n = plan(&l, now, &at);
		bool open = strcmp(l.row.state, "closed") && strcmp(l.row.state, "draft");
		if (n != N_DONE && open && chance(0.12)) {
			delayed = n;
			n = chance(0.6) ? N_URGE : N_COMMENT;
			at = now + (at - now) / 2;
		}
	}
	/* the row as its life left it, counted in the queues once */
	struct wf_step final = {
		.before = l.created,
		.after = l.row,
		.resolution = json_string_value(json_object_get(l.texts, "resolution")),
		.summary = json_string_value(json_object_get(l.texts, "summary")),
		.clears_summary = l.summary_cleared,
		.at = now,
	};
	if (!s)
		s = wf_store(w, &final, l.chain.hash);
	json_decref(l.texts);
	return s;
}

/* --- the calendar ---------------------------------------------------------- */

/* Calls per hour of the day, from a centre's usual curve (busy 9-12, 14-18). */
static const double hourly[24] = {0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2, 4, 6.5, 7, 6.5, 5, 5.5, 6.5, 6.5, 6, 5.5,
				  4.5, 4, 3.5, 2.5, 1.5, 0.7};

/* Creation times of a day's calls, ascending. */
static void day_calls(int64_t day_start, int64_t count, int64_t *times)
{
	double total = 0;
	for (int h = 0; h < 24; h++)
		total += hourly[h];
	for (int64_t i = 0; i < count; i++) {
		int h = weighted(hourly, 24, total);
		times[i] = day_start + h * 3600 + (int64_t)below(3600);
	}
	/* insertion sort is plenty for a few thousand a day */
	for (int64_t i = 1; i < count; i++) {
		int64_t x = times[i], j = i;
		while (j > 0 && times[j - 1] > x) {
			times[j] = times[j - 1];
			j--;
		}
		times[j] = x;
	}
}

static int64_t local_midnight(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* The `days` whole local days before today, ticket by ticket in order of
 * creation (ids grow with creation time, as in the server). */
static enum gd_status simulate(int64_t tickets, int days, int64_t end)
{
	enum gd_status s = GD_OK;
	int64_t origin = end - (int64_t)days * 86400;
	/* the centre grows a little over the period, and weekends are quieter */
	double *share = xcalloc((size_t)days, sizeof *share), sum = 0;
	for (int d = 0; d < days; d++) {
		time_t tt = (time_t)(origin + d * 86400 + 43200);
		struct tm tm;
		localtime_r(&tt, &tm);
		share[d] = (0.85 + 0.3 * d / (days > 1 ? days - 1 : 1)) * (tm.tm_wday == 0 || tm.tm_wday == 6 ? 0.75 : 1);
		sum += share[d];
	}
	int64_t *times = NULL, made = 0;
	double carry = 0;
	int batch = 0;
	struct db *w = NULL;
	time_t began = time(NULL), shown = began;
	for (int d = 0; d < days && !s; d++) {
		double want = (double)tickets * share[d] / sum + carry;
		int64_t count = d == days - 1 ? tickets - made : (int64_t)want;
		carry = want - (double)count;
		if (count < 0)
			count = 0;
		times = xrealloc(times, (size_t)(count + 1) * sizeof *times);
		/* local days: a day is not always 86400 s where clocks change */
		int64_t day_start = local_midnight(origin + (int64_t)d * 86400 + 43200);
		day_calls(day_start, count, times);
		for (int64_t i = 0; i < count && !s; i++) {
			if (!w && (s = db_write_begin(&w)))
				break;
			s = live(w, times[i], end, origin);
			made++;
			if (++batch == GEN_BATCH) {
				if (!s && report_deferred() > GEN_CELLS)
					s = report_flush(w);
				s = db_write_end(w, s);
				w = NULL;
				batch = 0;
			}
		}
		/* the SLA sweep of the day: nothing left for it, every life
		 * above already marked its ticket at the sweep's hour */
		if (time(NULL) != shown) {
			shown = time(NULL);
			fprintf(stderr, "\rgenerate: %" PRId64 " tickets, %lds", made, (long)(shown - began));
		}
	}
	if (!s && !w)
		s = db_write_begin(&w);
	if (!s)
		s = report_flush(w);
	if (w)
		s = db_write_end(w, s);
	free(times);
	free(share);
	fprintf(stderr, "\rgenerate: %" PRId64 " tickets in %lds\n", made, (long)(time(NULL) - began));
	return s;
}

static bool parse_count(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	if (!v || !*v || *v == '+' || *v == '-')
		return false;
	long long n = strtoll(v, &end, 10);
	if (*end || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

int cli_generate(int argc, char **argv)
{
	static const char *const opts[] = {"--db=", "--tickets=", "--days=", "--seed=", NULL};
	struct cli_args a;
	if (cli_parse("generate", opts, argc, argv, &a))
		return 2;
	int64_t tickets, days = 365, seed = 1;
	if (!parse_count(cli_opt(&a, "--tickets"), 1, GEN_MAX_TICKETS, &tickets)) {
		fprintf(stderr, "gongdan generate: --tickets N is required (1 to %lld)\n", GEN_MAX_TICKETS);
		return 2;
	}
	if (cli_opt(&a, "--days") && !parse_count(cli_opt(&a, "--days"), 1, 3650, &days)) {
		fprintf(stderr, "gongdan generate: --days must be 1 to 3650\n");
		return 2;
	}
	if (cli_opt(&a, "--seed") && !parse_count(cli_opt(&a, "--seed"), 0, INT64_MAX, &seed)) {
		fprintf(stderr, "gongdan generate: --seed must be a non-negative integer\n");
		return 2;
	}
	const char *path = cli_db_path(&a);
	rng_state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if (db_global_open(path) || wf_load(db_reader())) {
		fprintf(stderr, "gongdan generate: cannot open %s\n", path);
		db_global_close();
		return 1;
	}
	int rc = 1;
	struct db_stmt *st;
	bool row = true;
	if (!db_prepare(db_reader(), "SELECT 1 FROM tickets LIMIT 1", &st)) {
		if (db_step(st, &row))
			row = true;
		db_reset(st);
	}
	if (row) {
		/* ids must grow with creation time; a year placed before
		 * existing tickets would break that */
		fprintf(stderr, "gongdan generate: %s already holds tickets; generate into a new database\n", path);
		goto out;
	}
	struct db *r = db_reader();
	if (load_leaves(r) || load_regions_and_departments(r) || load_staff(r)) {
		fprintf(stderr, "gongdan generate: cannot read the reference data of %s\n", path);
		goto out;
	}
	/* a centre of 3,000 calls a day has about 60 agents on its shifts */
	int64_t per_day = tickets / days;
	int agents = (int)(per_day / 50 < 4 ? 4 : per_day / 50 > 400 ? 400 : per_day / 50);
	if (hire_staff(NULL, agents))
		goto out;
	/* a pool that about one in ten callers of a month comes back from */
	ref.repeat_pool = (uint64_t)(9 * per_day > 20 ? 9 * per_day : 20);
	ref.nfrequent = 200;
	ref.frequent = xcalloc((size_t)ref.nfrequent, sizeof *ref.frequent);
	for (int i = 0; i < ref.nfrequent; i++)
		mobile(ref.frequent[i], PICK(mobile_prefixes));
	/* the index the simulation reads (repeat counts) stays; the others
	 * are built once at the end, much faster than kept up to date */
	static const char *const keep[] = {"tickets_fault_number", NULL};
	enum gd_status s = db_bulk_begin("tickets", keep);
	/* the report counters are summed in memory and written cell by cell */
	report_defer(true);
	if (!s)
		s = simulate(tickets, (int)days, local_midnight((int64_t)time(NULL)));
	report_defer(false);
	time_t building = time(NULL);
	enum gd_status b = db_bulk_end();
	if (!s && !b)
		fprintf(stderr, "generate: indexes rebuilt in %lds\n", (long)(time(NULL) - building));
	s = s ? s : b;
	time_set_now(0);
	if (s) {
		fprintf(stderr, "gongdan generate: stopped: %s\n", status_message(s));
		goto out;
	}
	printf("generated %" PRId64 " tickets over %" PRId64 " days into %s (seed %" PRId64 ")\n", tickets, days, path,
	       seed);
	rc = 0;
out:
	for (int i = 0; i < ref.nleaves; i++)
		json_decref(ref.leaves[i].schema);
	free(ref.leaves);
	free(ref.leaf_weight);
	free(ref.handling);
	free(ref.handling_code);
	free(ref.agents.p), free(ref.dispatchers.p), free(ref.supervisors.p);
	for (int i = 0; ref.handlers && i < ref.nhandling; i++)
		free(ref.handlers[i].p);
	free(ref.handlers);
	free(ref.frequent);
	memset(&ref, 0, sizeof ref);
	db_global_close();
	return rc;
}
