/* history.c - append-only, hash-chained ticket history and its audit. The
 * hash covers a canonical encoding of the row: each field as <length>:<bytes>
 * in a fixed order, then the previous row's hash. */
#include "gongdan/history.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/digest.h"
#include "gongdan/gd_time.h"
#include "gongdan/strbuf.h"

#define HASH_HEX 65
static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

struct row_fields {
	int64_t ticket_id, seq, at, actor_id, department_id;
	const char *actor_role, *action, *from_state, *to_state, *text, *inputs, *prev_hash;
};

/* Appends the decimal digits of v (no printf: this runs for every row). */
static void add_int(struct strbuf *sb, int64_t v)
{
	char digits[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		digits[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		strbuf_addch(sb, '-');
	while (n)
		strbuf_addch(sb, digits[--n]);
}

static void add_field(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	add_int(sb, (int64_t)n);
	strbuf_addch(sb, ':');
	strbuf_add(sb, s, n);
	strbuf_addch(sb, '|');
}

static void row_hash(const struct row_fields *r, char out[HASH_HEX])
{
	struct strbuf sb = STRBUF_INIT(1u << 24);
	const int64_t numbers[] = {r->ticket_id, r->seq, r->at, r->actor_id, r->department_id};
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		add_int(&sb, numbers[i]);
		strbuf_addch(&sb, '|');
	}
	add_field(&sb, r->actor_role);
	add_field(&sb, r->action);
	add_field(&sb, r->from_state);
	add_field(&sb, r->to_state);
	add_field(&sb, r->text);
	add_field(&sb, r->inputs);
	add_field(&sb, r->prev_hash);
	digest_sha256_hex(sb.buf, sb.len, out);
	strbuf_release(&sb);
}

/* Inserts the row that follows *chain and moves the chain on. */
static enum gd_status insert_row(struct db *w, const struct history_entry *h, struct history_chain *chain)
{
	static const char insert_sql[] =
		"INSERT INTO history (ticket_id, seq, at, actor_id, actor_role, action, from_state, to_state,"
		" department_id, text, inputs, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	struct db_stmt *st;
	enum gd_status s;
	char hash[HASH_HEX];
	char *inputs = h->inputs && json_object_size(h->inputs) ? json_dumps(h->inputs, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct row_fields r = {
		.ticket_id = h->ticket_id,
		.seq = chain->seq + 1,
		.at = h->at ? h->at : time_now(),
		.actor_id = h->actor ? h->actor->user_id : 0,
		.department_id = h->department_id,
		.actor_role = h->actor ? role_code(h->actor->role) : "system",
		.action = h->action,
		.from_state = h->from_state ? h->from_state : "",
		.to_state = h->to_state ? h->to_state : "",
		.text = h->text ? h->text : "",
		.inputs = inputs ? inputs : "",
		.prev_hash = chain->hash,
	};
	row_hash(&r, hash);
	if ((s = db_prepare(w, insert_sql, &st)))
		goto out;
	db_bind_int64(st, 1, r.ticket_id);
	db_bind_int64(st, 2, r.seq);
	db_bind_int64(st, 3, r.at);
	if (r.actor_id)
		db_bind_int64(st, 4, r.actor_id);
	db_bind_text(st, 5, r.actor_role, -1);
	db_bind_text(st, 6, r.action, -1);
	db_bind_text(st, 7, h->from_state, -1);
	db_bind_text(st, 8, h->to_state, -1);
	if (r.department_id)
		db_bind_int64(st, 9, r.department_id);
	db_bind_text(st, 10, h->text, -1);
	db_bind_text(st, 11, inputs, -1);
	db_bind_text(st, 12, chain->hash, -1);
	db_bind_text(st, 13, hash, -1);
	if (!(s = db_run(st))) {
		chain->seq = r.seq;
		memcpy(chain->hash, hash, sizeof hash);
	}
out:
	free(inputs);
	return s;
}

enum gd_status history_append_after(struct db *w, const struct history_entry *h, struct history_chain *chain)
{
	return insert_row(w, h, chain);
}

enum gd_status history_append(struct db *w, const struct history_entry *h, struct history_chain *end)
{
	static const char last_sql[] = "SELECT seq, hash FROM history WHERE ticket_id = ?1 ORDER BY seq DESC LIMIT 1";
	static const char anchor_sql[] = "UPDATE tickets SET history_hash = ?2 WHERE id = ?1";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	struct history_chain chain = {.seq = 0};
	memcpy(chain.hash, genesis, sizeof genesis);
	if ((s = db_prepare(w, last_sql, &st)))
		return s;
	db_bind_int64(st, 1, h->ticket_id);
	if (!(s = db_step(st, &row)) && row) {
		chain.seq = db_col_int64(st, 0);
		snprintf(chain.hash, sizeof chain.hash, "%s", db_col_text(st, 1));
	}
	db_reset(st);
	if (s || (s = insert_row(w, h, &chain)) || (s = db_prepare(w, anchor_sql, &st)))
		return s;
	db_bind_int64(st, 1, h->ticket_id);
	db_bind_text(st, 2, chain.hash, -1);
	if ((s = db_run(st)))
		return s;
	if (end)
		*end = chain;
	return GD_OK;
}

enum gd_status history_list(struct db *d, int64_t ticket_id, json_t **out)
{
	static const char sql[] =
		"SELECT h.seq, h.at, u.username, u.display_name, h.actor_role, h.action, a.name, h.from_state,"
		" h.to_state, dep.code, dep.name, h.text, h.inputs, fs.name, ts.name"
		" FROM history h LEFT JOIN users u ON u.id = h.actor_id"
		" LEFT JOIN departments dep ON dep.id = h.department_id"
		" LEFT JOIN wf_actions a ON a.code = h.action"
		" LEFT JOIN wf_states fs ON fs.code = h.from_state LEFT JOIN wf_states ts ON ts.code = h.to_state"
		" WHERE h.ticket_id = ?1 ORDER BY h.seq";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_int64(st, 1, ticket_id);
	json_t *list = json_array();
	while (!(s = db_step(st, &row)) && row) {
		char at[32];
		time_iso(db_col_int64(st, 1), at);
		json_t *inputs = db_col_null(st, 12) ? NULL : json_loads(db_col_text(st, 12), 0, NULL);
#define TEXT_OR_NULL(i) (db_col_null(st, (i)) ? json_null() : json_string(db_col_text(st, (i))))
		json_array_append_new(
			list, json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
					"seq", (json_int_t)db_col_int64(st, 0), "at", at, "actor", TEXT_OR_NULL(2),
					"actor_name", TEXT_OR_NULL(3), "role", db_col_text(st, 4), "action",
					db_col_text(st, 5), "action_name", TEXT_OR_NULL(6), "from_state",
					TEXT_OR_NULL(7), "to_state", TEXT_OR_NULL(8), "department", TEXT_OR_NULL(9),
					"department_name", TEXT_OR_NULL(10), "text", TEXT_OR_NULL(11), "inputs",
					inputs ? inputs : json_null(), "from_state_name", TEXT_OR_NULL(13),
					"to_state_name", TEXT_OR_NULL(14)));
#undef TEXT_OR_NULL
	}
	db_reset(st);
	if (s) {
		json_decref(list);
		return s;
	}
	*out = list;
	return GD_OK;
}

enum gd_status history_verify(struct db *d, FILE *report, long *rows_checked)
{
	static const char sql[] =
		"SELECT t.id, t.number, coalesce(t.history_hash, ''), h.seq, h.at, coalesce(h.actor_id, 0),"
		" coalesce(h.department_id, 0), coalesce(h.actor_role, ''), h.action, coalesce(h.from_state, ''),"
		" coalesce(h.to_state, ''), coalesce(h.text, ''), coalesce(h.inputs, ''), h.prev_hash, h.hash"
		" FROM tickets t LEFT JOIN history h ON h.ticket_id = t.id ORDER BY t.id, h.seq";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	int64_t cur = -1, expect_seq = 1;
	char prev[HASH_HEX] = "", anchor[HASH_HEX] = "", number[64] = "";
	bool broken = false;
	*rows_checked = 0;
	/* checks the end of the previous ticket's chain against its anchor */
#define CLOSE_CHAIN()                                                                                          \
	do {                                                                                                   \
		if (cur >= 0 && !broken && strcmp(prev, anchor)) {                                             \
			fprintf(report, "ticket %s: history ends at row %lld but the ticket's anchor differs "  \
					"(a newest row was deleted or edited)\n",                               \
				number, (long long)(expect_seq - 1));                                          \
			broken = true;                                                                         \
		}                                                                                              \
	} while (0)
	while (!broken && !(s = db_step(st, &row)) && row) {
		int64_t tid = db_col_int64(st, 0);
		if (tid != cur) {
			CLOSE_CHAIN();
			if (broken)
				break;
			cur = tid;
			expect_seq = 1;
			snprintf(prev, sizeof prev, "%s", genesis);
			snprintf(anchor, sizeof anchor, "%s", db_col_text(st, 2));
			snprintf(number, sizeof number, "%s", db_col_text(st, 1));
		}
		if (db_col_null(st, 3)) {
			/* every ticket has at least its creation row, whatever its anchor says */
			fprintf(report, "ticket %s: history row 1 is missing (the ticket has no history at all)\n", number);
			broken = true;
			break;
		}
		(*rows_checked)++;
		int64_t seq = db_col_int64(st, 3);
		struct row_fields r = {
			.ticket_id = tid,
			.seq = seq,
			.at = db_col_int64(st, 4),
			.actor_id = db_col_int64(st, 5),
			.department_id = db_col_int64(st, 6),
			.actor_role = db_col_text(st, 7),
			.action = db_col_text(st, 8),
			.from_state = db_col_text(st, 9),
			.to_state = db_col_text(st, 10),
			.text = db_col_text(st, 11),
			.inputs = db_col_text(st, 12),
			.prev_hash = db_col_text(st, 13),
		};
		char hash[HASH_HEX];
		row_hash(&r, hash);
		if (seq != expect_seq) {
			fprintf(report, "ticket %s: history row %lld is missing (next row is %lld)\n", number,
				(long long)expect_seq, (long long)seq);
			broken = true;
		} else if (strcmp(r.prev_hash, prev)) {
			fprintf(report, "ticket %s: history row %lld does not follow row %lld (chain broken)\n", number,
				(long long)seq, (long long)seq - 1);
			broken = true;
		} else if (strcmp(hash, db_col_text(st, 14))) {
			fprintf(report, "ticket %s: history row %lld was altered (hash mismatch)\n", number,
				(long long)seq);
			broken = true;
		}
		snprintf(prev, sizeof prev, "%s", db_col_text(st, 14));
		expect_seq = seq + 1;
	}
	if (!s)
		CLOSE_CHAIN();
#undef CLOSE_CHAIN
	db_reset(st);
	if (s)
		return s;
	return broken ? GD_E_CONFLICT : GD_OK;
}
