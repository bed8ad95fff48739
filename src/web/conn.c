/* conn.c - every connection libmicrohttpd holds (conn.h): the registry, the
 * per-address counts, the deadlines and the pressure rule a watchdog thread
 * enforces, and the early answers for what libmicrohttpd 0.9.75 would
 * answer wrongly.
 *
 * Closing from outside: libmicrohttpd has no call to close a connection,
 * so the watchdog shuts its socket (shutdown(2), never close(2));
 * libmicrohttpd then sees the end of the stream or a failed send, closes
 * the connection itself and reports it. The registry lock is held across
 * the shutdown, and conn_close() takes it before libmicrohttpd closes the
 * descriptor, so the descriptor shut is always this connection's. */
#include "gongdan/conn.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gongdan/http.h"
#include "gongdan/limits.h"
#include "gongdan/log.h"
#include "gongdan/proxy.h"
#include "gongdan/request.h"
#include "gongdan/strbuf.h"
#include "gongdan/xalloc.h"

#define ADDR_BUCKETS 1024
#define WATCH_TICK_MS 200

struct conn {
	struct MHD_Connection *mhd;
	int fd;
	pthread_t owner;             /* the worker thread libmicrohttpd runs it on */
	unsigned char addr[16];      /* IPv4 as ::ffff:a.b.c.d */
	char peer[64];
	bool trusted;                /* a trusted proxy: no per-address limit */
	enum conn_phase phase;
	int64_t phase_ms;            /* when the phase began */
	uint64_t bytes;              /* BODY: received; SEND: the answer's size */
	bool shut;                   /* the watchdog or an early answer shut it */
	bool answered;               /* conn_answer_early wrote an answer */
	bool uri_refused;            /* the current request's query breaks the limits */
	struct request *req;
	char path[GD_CAP_PATH + 2];  /* the raw path of the current request */
	size_t uri_len;
	struct conn *prev, *next;
};

struct addr_count {
	unsigned char addr[16];
	unsigned n;
	struct addr_count *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;
static unsigned nconns;
static struct addr_count *by_addr[ADDR_BUCKETS];
static struct conn_limits lim = {GD_MAX_CONNECTIONS, GD_MAX_PER_ADDRESS, GD_HEAD_TIMEOUT_MS, GD_BODY_GRACE_MS,
				 GD_MIN_RATE, false};
static atomic_ullong closed_by_deadline;
static struct log_limit refuse_log = LOG_LIMIT_INIT, deadline_log = LOG_LIMIT_INIT, pressure_log = LOG_LIMIT_INIT,
			early_log = LOG_LIMIT_INIT;

static pthread_t watchdog;
static bool watching;
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cond = PTHREAD_COND_INITIALIZER;
static bool watch_stop;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void addr_key(const struct sockaddr *sa, unsigned char out[16])
{
	memset(out, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		memcpy(out, v4_mapped, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	}
}

static void addr_text(const unsigned char a[16], char *out, size_t outlen)
{
	if (!memcmp(a, v4_mapped, 12))
		inet_ntop(AF_INET, a + 12, out, (socklen_t)outlen);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
}

static unsigned addr_bucket(const unsigned char a[16])
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h % ADDR_BUCKETS;
}

/* The count of an address (lock held); with create, made when absent. */
static struct addr_count *addr_find(const unsigned char a[16], bool create)
{
	struct addr_count **head = &by_addr[addr_bucket(a)];
	for (struct addr_count *x = *head; x; x = x->next)
		if (!memcmp(x->addr, a, 16))
			return x;
	if (!create)
		return NULL;
	struct addr_count *x = xcalloc(1, sizeof *x);
	memcpy(x->addr, a, 16);
	x->next = *head;
	*head = x;
	return x;
}

static void addr_release(const unsigned char a[16])
{
	struct addr_count **p = &by_addr[addr_bucket(a)];
	for (; *p; p = &(*p)->next) {
		if (memcmp((*p)->addr, a, 16))
			continue;
		if (--(*p)->n == 0) {
			struct addr_count *gone = *p;
			*p = gone->next;
			free(gone);
		}
		return;
	}
}

bool conn_admit(const struct sockaddr *addr)
{
	if (proxy_trusted(addr))
		return true;
	unsigned char a[16];
	addr_key(addr, a);
	pthread_mutex_lock(&lock);
	struct addr_count *x = addr_find(a, false);
	bool ok = !x || x->n < lim.per_address;
	pthread_mutex_unlock(&lock);
	if (!ok) {
		char text[64];
		addr_text(a, text, sizeof text);
		log_limited(&refuse_log, 60, LOG_WARN, "refused a connection from %s: it holds %u, the most one address may",
			    text, lim.per_address);
	}
	return ok;
}

struct conn *conn_open(struct MHD_Connection *mhd)
{
	struct conn *c = xcalloc(1, sizeof *c);
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	ci = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
	c->mhd = mhd;
	c->fd = ci ? ci->connect_fd : -1;
	c->owner = pthread_self();
	addr_key(sa, c->addr);
	addr_text(c->addr, c->peer, sizeof c->peer);
	c->trusted = proxy_trusted(sa);
	c->phase = CONN_WAIT;
	c->phase_ms = now_ms();
	pthread_mutex_lock(&lock);
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	nconns++;
	if (!c->trusted)
		addr_find(c->addr, true)->n++;
	bool pressed = nconns * 4 >= lim.max_connections * 3;
	pthread_mutex_unlock(&lock);
	if (pressed) {
		/* wake the watchdog now rather than at its next tick */
		pthread_mutex_lock(&watch_lock);
		pthread_cond_signal(&watch_cond);
		pthread_mutex_unlock(&watch_lock);
	}
	return c;
}

void conn_close(struct conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	nconns--;
	if (!c->trusted)
		addr_release(c->addr);
	pthread_mutex_unlock(&lock);
	/* a request libmicrohttpd never completed (it gave up on the head, or
	 * closed while refusing it) is freed with its connection */
	if (c->req)
		http_request_abandon(c->req);
	/* libmicrohttpd closes the socket next; bytes of the refused request
	 * still unread would make the kernel reset the connection, and a reset
	 * can destroy the answer before the client reads it */
	if (c->answered)
		for (int i = 0; i < 16; i++) {
			char sink[4096];
			if (recv(c->fd, sink, sizeof sink, MSG_DONTWAIT) <= 0)
				break;
		}
	free(c);
}

struct conn *conn_of(struct MHD_Connection *mhd)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

void conn_phase(struct conn *c, enum conn_phase phase, uint64_t bytes)
{
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	c->phase = phase;
	c->phase_ms = now_ms();
	c->bytes = phase == CONN_SEND ? bytes : 0;
	pthread_mutex_unlock(&lock);
}

void conn_progress(struct conn *c, size_t bytes)
{
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	c->bytes += bytes;
	pthread_mutex_unlock(&lock);
}

void conn_set_request(struct conn *c, struct request *req)
{
	if (c)
		c->req = req;
}

struct request *conn_request(const struct conn *c)
{
	return c ? c->req : NULL;
}

void conn_take_request(struct conn *c)
{
	if (c)
		c->req = NULL;
}

const char *conn_peer(const struct conn *c)
{
	return c ? c->peer : "unknown";
}

bool conn_answered(const struct conn *c)
{
	return c && c->answered;
}

/* --- early answers ------------------------------------------------------ */

/* libmicrohttpd 0.9.75 answers some refusals wrongly: a malformed or
 * over-long Content-Length gets its status line and headers twice (its
 * state machine builds the error response again), and a query with more
 * parameters than fit its memory pool gets nothing at all. gongdan answers
 * those itself, with the same JSON error shape and security headers as
 * every other answer and "Connection: close", written straight to the
 * socket before libmicrohttpd has written anything for the request; then
 * the socket's sending side is shut, so that what libmicrohttpd builds
 * afterwards is never sent (its send fails and it closes the connection).
 * Under TLS nothing can be written beside the library: the socket is shut
 * without an answer (still never malformed). */
static void answer_early(struct conn *c, enum gd_status st, const char *message)
{
	if (c->shut || c->fd < 0)
		return;
	c->shut = true;
	if (!lim.tls) {
		struct strbuf out = STRBUF_INIT(8192);
		/* one send of a kilobyte to a socket nothing was sent on: it fits
		 * the socket buffer; if not, the client gets a closed connection,
		 * never half an answer followed by something else */
		if (!http_error_text(&out, st, message) &&
		    send(c->fd, out.buf, out.len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)out.len)
			c->answered = true;
		strbuf_release(&out);
	}
	shutdown(c->fd, c->answered ? SHUT_WR : SHUT_RDWR);
	log_limited(&early_log, 60, LOG_WARN, "answered %d to %s beside libmicrohttpd: %s", status_http(st), c->peer,
		    message ? message : status_message(st));
}

void conn_answer_early(struct conn *c, enum gd_status st, const char *message)
{
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	answer_early(c, st, message);
	pthread_mutex_unlock(&lock);
}

bool conn_uri(struct conn *c, const char *uri)
{
	if (!c)
		return true;
	size_t n = strlen(uri), path = strcspn(uri, "?#");
	c->uri_len = n;
	size_t keep = path < sizeof c->path - 1 ? path : sizeof c->path - 1;
	memcpy(c->path, uri, keep);
	c->path[keep] = '\0';
	/* no gongdan route takes more than a dozen query parameters */
	const char *q = uri[path] == '?' ? uri + path + 1 : NULL;
	size_t params = 0;
	for (const char *p = q; p && *p; p++)
		params += *p == '&';
	c->uri_refused = q && (strlen(q) > GD_CAP_QUERY || params >= GD_MAX_QUERY_PARAMS);
	return !c->uri_refused;
}

bool conn_uri_refused(const struct conn *c)
{
	return c && c->uri_refused;
}

const char *conn_raw_path(const struct conn *c, size_t *uri_len)
{
	if (uri_len)
		*uri_len = c ? c->uri_len : 0;
	return c ? c->path : "/";
}

void conn_refused_head(enum gd_status st, const char *message)
{
	/* The connection whose head is being refused is the one of this thread
	 * that has received its whole head (libmicrohttpd reports a header
	 * size only from then on), has no answer queued, and whose current
	 * request gongdan has not seen yet: a worker thread takes one
	 * connection from head to the access handler without stopping. */
	pthread_t self = pthread_self();
	struct conn *culprit = NULL;
	int found = 0;
	pthread_mutex_lock(&lock);
	for (struct conn *c = conns; c; c = c->next) {
		if (!pthread_equal(c->owner, self) || c->req || c->shut)
			continue;
		if (!MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE) ||
		    MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_HTTP_STATUS))
			continue;
		culprit = c;
		found++;
	}
	if (found == 1)
		answer_early(culprit, st, message);
	pthread_mutex_unlock(&lock);
	if (found != 1)
		log_limited(&early_log, 60, LOG_WARN, "libmicrohttpd refused a request head (%s); %d candidates, left to it",
			    message, found);
}

/* --- the watchdog ------------------------------------------------------- */

/* Whether c is past its deadline at now (lock held). */
static bool overdue(const struct conn *c, int64_t now, bool pressed)
{
	int64_t age = now - c->phase_ms;
	int64_t grace = pressed ? GD_PRESSURE_GRACE_MS : (int64_t)lim.grace_ms;
	switch (c->phase) {
	case CONN_WAIT:
		return age > (pressed ? GD_PRESSURE_GRACE_MS : (int64_t)lim.head_ms);
	case CONN_BODY:
	case CONN_SEND:
		/* progress, not idleness: bytes so far must keep up the rate (a
		 * SEND counts its whole answer, as libmicrohttpd reports no
		 * progress while sending) */
		return age > grace + (int64_t)(c->bytes * 1000 / (lim.min_rate ? lim.min_rate : 1));
	case CONN_WORK:
		return false;
	}
	return false;
}

static const char *phase_name(enum conn_phase p)
{
	static const char *const names[] = {"request head", "request body", "work", "answer"};
	return names[p];
}

static void sweep(void)
{
	int64_t now = now_ms();
	unsigned closed = 0;
	pthread_mutex_lock(&lock);
	bool pressed = nconns * 4 >= lim.max_connections * 3;
	if (pressed)
		log_limited(&pressure_log, 60, LOG_WARN, "%u connections (limit %u): closing idle and slow ones early",
			    nconns, lim.max_connections);
	/* the list is newest first: walking it from the tail closes the oldest
	 * waiting connections first */
	struct conn *tail = conns;
	while (tail && tail->next)
		tail = tail->next;
	for (struct conn *c = tail; c; c = c->prev) {
		if (c->shut || c->fd < 0)
			continue;
		/* under pressure waiting connections go after a second, oldest
		 * first, until half the limit is free again */
		bool late = overdue(c, now, false) ||
			    (pressed && overdue(c, now, true) &&
			     (c->phase != CONN_WAIT || nconns - closed > lim.max_connections / 2));
		if (!late)
			continue;
		shutdown(c->fd, SHUT_RDWR);
		c->shut = true;
		closed++;
		log_limited(&deadline_log, 60, LOG_WARN, "closed a connection from %s: its %s took too long",
			    c->peer, phase_name(c->phase));
	}
	pthread_mutex_unlock(&lock);
	atomic_fetch_add(&closed_by_deadline, closed);
}

static void *watch_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&watch_lock);
	while (!watch_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WATCH_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&watch_cond, &watch_lock, &until);
		if (watch_stop)
			break;
		pthread_mutex_unlock(&watch_lock);
		sweep();
		pthread_mutex_lock(&watch_lock);
	}
	pthread_mutex_unlock(&watch_lock);
	return NULL;
}

enum gd_status conn_start(const struct conn_limits *limits)
{
	if (limits)
		lim = *limits;
	watch_stop = false;
	if (pthread_create(&watchdog, NULL, watch_main, NULL))
		return GD_E_INTERNAL;
	watching = true;
	return GD_OK;
}

void conn_stop(void)
{
	if (!watching)
		return;
	pthread_mutex_lock(&watch_lock);
	watch_stop = true;
	pthread_cond_signal(&watch_cond);
	pthread_mutex_unlock(&watch_lock);
	pthread_join(watchdog, NULL);
	watching = false;
}

unsigned conn_count(void)
{
	pthread_mutex_lock(&lock);
	unsigned n = nconns;
	pthread_mutex_unlock(&lock);
	return n;
}

unsigned long long conn_closed_by_deadline(void)
{
	return atomic_load(&closed_by_deadline);
}
