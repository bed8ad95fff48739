/* events.c - the live updates (events.h): the ring of recent changes, the
 * publisher thread that fills it after each commit, and the subscribers'
 * positions in it. One lock guards the ring and the subscribers; the
 * database is read only by the publisher, never under that lock. */
#include "gongdan/events.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/log.h"
#include "gongdan/queue.h"
#include "gongdan/strbuf.h"
#include "gongdan/visibility.h"
#include "gongdan/xalloc.h"

#define TICK_MS 250   /* keep-alives, deferred `queues` and checks are this punctual */
#define BATCH 512     /* history rows one read takes */
#define TEXT_MAX 2048 /* one event's text; longer ones are not sent (none is near it) */

struct event {
	int64_t id;
	int64_t created_by;
	int64_t *departments, *agents; /* vis_facts */
	size_t ndepartments, nagents;
	int64_t dept_before, dept_after;
	bool queues;                   /* it moved the ticket between queue cells */
	char *text;                    /* the whole SSE event */
	size_t len;
};

struct events_sub {
	struct principal who;
	uint64_t pos;                  /* the next ring slot to look at */
	int64_t last_write_ms, last_check_ms, queues_ms;
	bool recheck;                  /* events_recheck: check the credentials at once */
	bool started, queues_pending, parked, end_sent;
	const char *reset_reason, *end_reason;
	bool (*park)(void *ctx);
	void (*wake)(void *ctx);
	void *ctx;
	struct events_sub *prev, *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct event ring[EVENTS_RING];
static uint64_t first_seq, next_seq; /* ring slots first_seq .. next_seq-1 hold events */
static int64_t base_id, last_id;     /* every row with base_id < id <= last_id is in the ring */
static struct events_sub *subs;
static unsigned nsubs, max_subs = EVENTS_MAX_CLIENTS_DEFAULT;
static int64_t keepalive_ms = EVENTS_KEEPALIVE_DEFAULT * 1000;
static unsigned long long published, resets, refused;

static pthread_t publisher;
static bool running;
static pthread_mutex_t pub_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pub_cond = PTHREAD_COND_INITIALIZER;
static bool pub_dirty, pub_stop;
static struct log_limit read_log = LOG_LIMIT_INIT;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void event_release(struct event *e)
{
	free(e->departments);
	free(e->agents);
	free(e->text);
	memset(e, 0, sizeof *e);
}

/* --- reading the change log ---------------------------------------------- */

/* The ids a one-column statement (bound already) returns; at most max. */
static enum gd_status collect_ids(struct db_stmt *st, size_t max, int64_t **out, size_t *n)
{
	enum gd_status s;
	bool row;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while (!(s = db_step(st, &row)) && row && *n < max) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = db_col_int64(st, 0);
	}
	db_reset(st);
	return s;
}

/* What visibility needs beyond the row: the departments the ticket has
 * visited (one primary-key probe per department: ticket_departments is
 * keyed by department first), and who created tickets of its customer. */
static enum gd_status read_facts(struct db *r, int64_t ticket_id, const char *fault_number, struct event *e)
{
	static const char departments_sql[] =
		"SELECT v.department_id FROM departments d CROSS JOIN ticket_departments v"
		" ON v.department_id = d.id AND v.ticket_id = ?1";
	static const char agents_sql[] = "SELECT DISTINCT created_by FROM tickets WHERE fault_number = ?1 LIMIT ?2";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(r, departments_sql, &st)))
		return s;
	db_bind_int64(st, 1, ticket_id);
	if ((s = collect_ids(st, 1u << 16, &e->departments, &e->ndepartments)))
		return s;
	if ((s = db_prepare(r, agents_sql, &st)))
		return s;
	db_bind_text(st, 1, fault_number, -1);
	db_bind_int64(st, 2, EVENTS_CUSTOMER_AGENTS_MAX);
	return collect_ids(st, EVENTS_CUSTOMER_AGENTS_MAX, &e->agents, &e->nagents);
}

static bool same_text(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The event of the current row of rows_sql (below). */
static enum gd_status read_event(struct db *r, struct db_stmt *st, struct event *e)
{
	char at[32];
	const char *from = db_col_null(st, 3) ? NULL : db_col_text(st, 3);
	const char *to = db_col_null(st, 4) ? NULL : db_col_text(st, 4);
	const char *action = db_col_text(st, 2);
	e->id = db_col_int64(st, 0);
	e->created_by = db_col_int64(st, 7);
	e->dept_after = db_col_null(st, 11) ? 0 : db_col_int64(st, 11);
	e->dept_before = db_col_null(st, 12) ? 0 : db_col_int64(st, 12);
	/* the same test as queue_move: state, department or overdue changed */
	e->queues = !same_text(from, to) || e->dept_before != e->dept_after || !strcmp(action, "overdue");
	time_iso(db_col_int64(st, 1), at);
	json_t *data = json_pack("{s:s, s:s?, s:o, s:I, s:s, s:s}", "number", db_col_text(st, 6), "state", to,
				 "department", db_col_null(st, 5) ? json_null() : json_string(db_col_text(st, 5)),
				 "version", (json_int_t)db_col_int64(st, 10), "action", action, "at", at);
	char *json = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	if (!json)
		return GD_E_INTERNAL;
	struct strbuf sb = STRBUF_INIT(TEXT_MAX);
	enum gd_status s = strbuf_addf(&sb, "id: %lld\nevent: ticket\ndata: %s\n\n", (long long)e->id, json);
	free(json);
	e->text = strbuf_detach(&sb, &e->len);
	if (s) /* over TEXT_MAX: kept as an empty event, so that ids stay in order */
		e->len = 0;
	/* the facts last: they step other statements, and this row's text
	 * columns are copied already */
	char *fault = xstrdup(db_col_text(st, 8));
	int64_t ticket_id = db_col_int64(st, 9);
	s = read_facts(r, ticket_id, fault, e);
	free(fault);
	return s;
}

/* The committed rows after `after`, at most max, into out. */
static enum gd_status read_rows(struct db *r, int64_t after, struct event *out, size_t max, size_t *n)
{
	/* the version after each row: the ticket's version less the rows that
	 * came after it (every history row is one version, and seq counts
	 * them: 1, 2, ... per ticket) */
	static const char rows_sql[] =
		"SELECT h.id, h.at, h.action, h.from_state, h.to_state, d.code, t.number, t.created_by, t.fault_number,"
		" t.id, t.version - ((SELECT max(x.seq) FROM history x WHERE x.ticket_id = h.ticket_id) - h.seq),"
		" h.department_id,"
		" (SELECT p.department_id FROM history p WHERE p.ticket_id = h.ticket_id AND p.seq = h.seq - 1)"
		" FROM history h JOIN tickets t ON t.id = h.ticket_id LEFT JOIN departments d ON d.id = h.department_id"
		" WHERE h.id > ?1 ORDER BY h.id LIMIT ?2";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	*n = 0;
	if ((s = db_read_begin(r)))
		return s;
	if ((s = db_prepare(r, rows_sql, &st)))
		goto out;
	db_bind_int64(st, 1, after);
	db_bind_int64(st, 2, (int64_t)max);
	while (!(s = db_step(st, &row)) && row) {
		struct event *e = &out[*n];
		if ((s = read_event(r, st, e))) {
			event_release(e);
			break;
		}
		(*n)++;
	}
	db_reset(st);
out:
	db_read_end(r);
	if (s) {
		for (size_t i = 0; i < *n; i++)
			event_release(&out[i]);
		*n = 0;
	}
	return s;
}

/* --- the ring -------------------------------------------------------------- */

static bool sees_ticket(const struct events_sub *s, const struct event *e)
{
	struct vis_facts f = {e->created_by, e->departments, e->ndepartments, e->agents, e->nagents};
	return vis_can_see_facts(&s->who, &f);
}

static bool sees_queues(const struct events_sub *s, const struct event *e)
{
	return e->queues && queue_counts_touched(&s->who, e->dept_before, e->dept_after);
}

/* Whether a parked subscriber has something to do at now (lock held). */
static bool due(const struct events_sub *s, int64_t now)
{
	return s->end_reason || s->recheck || now - s->last_check_ms >= keepalive_ms ||
	       now - s->last_write_ms >= keepalive_ms ||
	       (s->queues_pending && now - s->queues_ms >= EVENTS_QUEUES_MS);
}

static void wake(struct events_sub *s)
{
	s->parked = false;
	s->wake(s->ctx);
}

/* Appends n events (taking them) and wakes the subscribers they concern. */
static void publish(struct event *evs, size_t n)
{
	pthread_mutex_lock(&lock);
	uint64_t from = next_seq;
	for (size_t i = 0; i < n; i++) {
		struct event *slot = &ring[next_seq % EVENTS_RING];
		if (next_seq - first_seq == EVENTS_RING) {
			base_id = slot->id;
			event_release(slot);
			first_seq++;
		}
		*slot = evs[i];
		last_id = evs[i].id;
		next_seq++;
	}
	published += n;
	for (struct events_sub *s = subs; s; s = s->next) {
		if (!s->parked)
			continue;
		for (uint64_t q = from > first_seq ? from : first_seq; q < next_seq; q++) {
			const struct event *e = &ring[q % EVENTS_RING];
			if (sees_ticket(s, e) || sees_queues(s, e)) {
				wake(s);
				break;
			}
		}
	}
	pthread_mutex_unlock(&lock);
}

/* Reads and publishes every committed row not in the ring yet. */
static enum gd_status catch_up(struct db *r)
{
	struct event *evs = xcalloc(BATCH, sizeof *evs);
	enum gd_status s;
	for (;;) {
		pthread_mutex_lock(&lock);
		int64_t after = last_id;
		pthread_mutex_unlock(&lock);
		size_t n = 0;
		if ((s = read_rows(r, after, evs, BATCH, &n)))
			break;
		publish(evs, n);
		if (n < BATCH)
			break;
	}
	free(evs);
	return s;
}

static void tick(void)
{
	int64_t now = now_ms();
	pthread_mutex_lock(&lock);
	for (struct events_sub *s = subs; s; s = s->next)
		if (s->parked && due(s, now))
			wake(s);
	pthread_mutex_unlock(&lock);
}

static void after_commit(void)
{
	pthread_mutex_lock(&pub_lock);
	pub_dirty = true;
	pthread_cond_signal(&pub_cond);
	pthread_mutex_unlock(&pub_lock);
}

static void *publisher_main(void *arg)
{
	(void)arg;
	struct db *r = db_reader();
	pthread_mutex_lock(&pub_lock);
	while (!pub_stop) {
		if (!pub_dirty) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += TICK_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L)
				until.tv_sec++, until.tv_nsec -= 1000000000L;
			pthread_cond_timedwait(&pub_cond, &pub_lock, &until);
		}
		if (pub_stop)
			break;
		bool dirty = pub_dirty;
		pub_dirty = false;
		pthread_mutex_unlock(&pub_lock);
		if (dirty && catch_up(r)) {
			log_limited(&read_log, 60, LOG_WARN, "events: cannot read the new history rows; trying again");
			pthread_mutex_lock(&pub_lock);
			pub_dirty = true; /* at the next tick */
			pthread_mutex_unlock(&pub_lock);
		}
		tick();
		pthread_mutex_lock(&pub_lock);
	}
	pthread_mutex_unlock(&pub_lock);
	return NULL;
}

enum gd_status events_start(unsigned max_clients, unsigned keepalive_s)
{
	static const char oldest_sql[] = "SELECT id FROM history ORDER BY id DESC LIMIT 1 OFFSET ?1";
	struct db *r = db_reader();
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	max_subs = max_clients ? max_clients : EVENTS_MAX_CLIENTS_DEFAULT;
	keepalive_ms = (int64_t)(keepalive_s ? keepalive_s : EVENTS_KEEPALIVE_DEFAULT) * 1000;
	if ((s = db_prepare(r, oldest_sql, &st)))
		return s;
	db_bind_int64(st, 1, EVENTS_RING);
	s = db_step(st, &row);
	int64_t base = !s && row ? db_col_int64(st, 0) : 0;
	db_reset(st);
	if (s)
		return s;
	first_seq = next_seq = 0;
	base_id = last_id = base;
	/* the newest rows, so that a client resumes across a restart */
	if ((s = catch_up(r)))
		return s;
	pub_stop = pub_dirty = false;
	if (pthread_create(&publisher, NULL, publisher_main, NULL))
		return GD_E_INTERNAL;
	running = true;
	db_set_after_commit(after_commit);
	return GD_OK;
}

void events_stop(void)
{
	if (!running)
		return;
	db_set_after_commit(NULL);
	pthread_mutex_lock(&pub_lock);
	pub_stop = true;
	pthread_cond_signal(&pub_cond);
	pthread_mutex_unlock(&pub_lock);
	pthread_join(publisher, NULL);
	running = false;
	pthread_mutex_lock(&lock);
	for (uint64_t q = first_seq; q < next_seq; q++)
		event_release(&ring[q % EVENTS_RING]);
	first_seq = next_seq = 0;
	pthread_mutex_unlock(&lock);
}

void events_recheck(int64_t user_id)
{
	pthread_mutex_lock(&lock);
	for (struct events_sub *s = subs; s; s = s->next) {
		if (user_id && s->who.user_id != user_id)
			continue;
		s->recheck = true;
		if (s->parked)
			wake(s);
	}
	pthread_mutex_unlock(&lock);
}

/* --- subscribers ----------------------------------------------------------- */

struct events_sub *events_subscribe(const struct principal *who, int64_t after, bool (*park)(void *ctx),
				    void (*wake_fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&lock);
	if (nsubs >= max_subs) {
		refused++;
		pthread_mutex_unlock(&lock);
		return NULL;
	}
	struct events_sub *s = xcalloc(1, sizeof *s);
	s->who = *who;
	s->park = park;
	s->wake = wake_fn;
	s->ctx = ctx;
	s->last_write_ms = s->last_check_ms = now_ms();
	s->queues_ms = s->last_write_ms - EVENTS_QUEUES_MS;
	s->pos = next_seq;
	if (after >= 0 && (after < base_id || after > last_id)) {
		s->reset_reason = after > last_id ? "unknown" : "behind";
	} else if (after >= 0) {
		/* the first slot with an id above `after`: ids grow along the ring */
		uint64_t lo = first_seq, hi = next_seq;
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			if (ring[mid % EVENTS_RING].id <= after)
				lo = mid + 1;
			else
				hi = mid;
		}
		s->pos = lo;
	}
	s->next = subs;
	if (subs)
		subs->prev = s;
	subs = s;
	nsubs++;
	pthread_mutex_unlock(&lock);
	return s;
}

void events_unsubscribe(struct events_sub *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	nsubs--;
	pthread_mutex_unlock(&lock);
	free(s);
}

/* Appends text to buf if it fits. */
__attribute__((format(printf, 4, 5))) static bool put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - *n)
		return false;
	*n += (size_t)k;
	return true;
}

enum events_step events_fill(struct events_sub *s, char *buf, size_t cap, size_t *len)
{
	enum events_step step = EVENTS_DATA;
	int64_t now = now_ms();
	size_t n = 0;
	*len = 0;
	pthread_mutex_lock(&lock);
	if (s->end_sent) {
		step = EVENTS_END;
		goto out;
	}
	if (!s->end_reason && (s->recheck || now - s->last_check_ms >= keepalive_ms)) {
		s->recheck = false; /* a recheck asked for during this check sets it again */
		step = EVENTS_CHECK;
		goto out;
	}
	if (!s->started)
		s->started = put(buf, cap, &n, "retry: 3000\n\n");
	if (s->end_reason) {
		if (put(buf, cap, &n, "event: end\ndata: {\"reason\":\"%s\"}\n\n", s->end_reason))
			s->end_sent = true;
		goto out;
	}
	if (s->pos < first_seq) {
		s->reset_reason = "behind"; /* the ring went round while it was not reading */
		s->pos = next_seq;
	}
	if (s->reset_reason &&
	    put(buf, cap, &n, "id: %lld\nevent: reset\ndata: {\"reason\":\"%s\"}\n\n", (long long)last_id,
		s->reset_reason)) {
		s->reset_reason = NULL;
		resets++;
	}
	for (; s->pos < next_seq; s->pos++) {
		const struct event *e = &ring[s->pos % EVENTS_RING];
		if (sees_ticket(s, e) && e->len && e->len <= cap) {
			if (e->len > cap - n)
				break; /* in the next chunk */
			memcpy(buf + n, e->text, e->len);
			n += e->len;
		}
		if (sees_queues(s, e))
			s->queues_pending = true;
	}
	if (s->queues_pending && now - s->queues_ms >= EVENTS_QUEUES_MS &&
	    put(buf, cap, &n, "event: queues\ndata: {}\n\n")) {
		s->queues_pending = false;
		s->queues_ms = now;
	}
	if (!n && now - s->last_write_ms >= keepalive_ms)
		put(buf, cap, &n, ": keep-alive\n\n");
	if (n)
		goto out;
	if (s->park(s->ctx)) {
		s->parked = true;
		step = EVENTS_WAIT;
	} else if (put(buf, cap, &n, "event: end\ndata: {\"reason\":\"stopping\"}\n\n")) {
		s->end_reason = "stopping";
		s->end_sent = true;
	} else {
		step = EVENTS_END;
	}
out:
	if (n) {
		s->last_write_ms = now;
		*len = n;
	} else if (step == EVENTS_DATA) {
		step = EVENTS_END; /* not even the end fitted: close */
	}
	pthread_mutex_unlock(&lock);
	return step;
}

void events_checked(struct events_sub *s, bool still_valid)
{
	pthread_mutex_lock(&lock);
	s->last_check_ms = now_ms();
	if (!still_valid && !s->end_reason)
		s->end_reason = "logged_out";
	pthread_mutex_unlock(&lock);
}

void events_stats(struct events_stats *out)
{
	pthread_mutex_lock(&lock);
	out->clients = nsubs;
	out->published = published;
	out->resets = resets;
	out->refused = refused;
	out->last_id = last_id;
	pthread_mutex_unlock(&lock);
}
