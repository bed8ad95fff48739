/* conn.h - the connections of libmicrohttpd as gongdan watches them
 * (src/web/ only; no libmicrohttpd types beyond opaque pointers).
 *
 * Every connection has a struct conn from the moment it is accepted until
 * libmicrohttpd reports it closed, and that struct owns what gongdan keeps
 * per connection: the raw path of the current request, and the request
 * itself as a backstop (a request libmicrohttpd gives up on without
 * completing it is freed when its connection closes).
 *
 * A connection is in one of four phases, each with a deadline that a
 * watchdog thread enforces by shutting the socket:
 *   WAIT  waiting for a whole request head (a new connection, or keep-alive
 *         after a response): the head must be complete within
 *         conn_limits.head_ms of the phase starting (however it dribbles in);
 *   BODY  the body is arriving: after conn_limits.grace_ms it must keep up
 *         an average of conn_limits.min_rate bytes a second;
 *   WORK  gongdan is working (or waiting for the writer): no deadline;
 *   SEND  the answer is going out: the same progress rule as BODY.
 * Near the connection limit (3/4 of it) the server is under pressure: WAIT
 * connections (idle keep-alive ones first, oldest first) are closed after
 * a second, and BODY/SEND get a one-second grace, until the count is back
 * under half the limit. Each address may hold conn_limits.per_address
 * connections (a trusted proxy any number); more are refused at accept. */
#ifndef GD_CONN_H
#define GD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "gongdan/status.h"

struct MHD_Connection;
struct request;

enum conn_phase { CONN_WAIT, CONN_BODY, CONN_WORK, CONN_SEND };

struct conn_limits {
	unsigned max_connections;
	unsigned per_address;
	unsigned head_ms;
	unsigned grace_ms;
	unsigned min_rate;  /* bytes per second */
	bool tls;           /* early answers cannot be written under TLS */
};

struct conn;

/* Applies the limits and starts the watchdog; conn_stop stops it. */
enum gd_status conn_start(const struct conn_limits *limits);
void conn_stop(void);

/* Accept policy: whether a new connection from addr may be taken. */
bool conn_admit(const struct sockaddr *addr);
/* A connection libmicrohttpd accepted / closed (on its worker thread). */
struct conn *conn_open(struct MHD_Connection *mhd);
void conn_close(struct conn *c);
/* The struct conn of a libmicrohttpd connection (NULL before conn_open). */
struct conn *conn_of(struct MHD_Connection *mhd);

/* Phase changes; bytes: the body or answer size when known (0 if not). */
void conn_phase(struct conn *c, enum conn_phase phase, uint64_t bytes);
/* Body bytes arrived (progress of a BODY phase). */
void conn_progress(struct conn *c, size_t bytes);

/* The request of the connection's current exchange (the conn owns it until
 * conn_take_request). */
void conn_set_request(struct conn *c, struct request *req);
struct request *conn_request(const struct conn *c);
void conn_take_request(struct conn *c);

/* The raw request line's URI as libmicrohttpd saw it: records the path
 * part (at most GD_CAP_PATH + 1 bytes kept) and the whole length. Returns
 * false when its query is longer than GD_CAP_QUERY or has
 * GD_MAX_QUERY_PARAMS parameters or more (the request is then answered 414,
 * and conn_uri_refused says so until the next request). */
bool conn_uri(struct conn *c, const char *uri);
bool conn_uri_refused(const struct conn *c);
/* The path recorded by conn_uri and the whole URI's length. */
const char *conn_raw_path(const struct conn *c, size_t *uri_len);
/* Whether conn_answer_early answered this connection. */
bool conn_answered(const struct conn *c);

/* Answers the connection now, beside libmicrohttpd (see conn.c), with the
 * JSON error body, then shuts its socket so nothing else is sent on it.
 * For the cases where libmicrohttpd 0.9.75 would answer with malformed
 * HTTP or not at all. Under TLS it only shuts the socket. */
void conn_answer_early(struct conn *c, enum gd_status st, const char *message);
/* libmicrohttpd reports (on this thread) that it refused the head of the
 * connection it is parsing, in a way that 0.9.75 answers with a doubled
 * status line: answer that connection early instead. */
void conn_refused_head(enum gd_status st, const char *message);

/* The connection's client address ("127.0.0.1") and whether it is a trusted
 * proxy. */
const char *conn_peer(const struct conn *c);

/* Connections now, and how many the watchdog closed (for /metrics). */
unsigned conn_count(void);
unsigned long long conn_closed_by_deadline(void);

#endif
