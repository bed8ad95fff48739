/* events.h - live updates (GET /api/v1/events): the change log as a stream.
 *
 * The history table is the change log: every change of a ticket appends a
 * history row in the same transaction, and history.id only grows. An event
 * is a committed history row, and its id is the row's id. After every group
 * commit (db_set_after_commit) one publisher thread reads the new rows with
 * what an event shows (number, state, department, version, action, time)
 * and what visibility needs (vis_facts), renders each event's text once,
 * and appends it to a ring of EVENTS_RING events. At start the ring is
 * filled with the newest rows, so a client resumes across a restart.
 *
 * A subscriber holds only a position in the ring and its caller's
 * principal; events it may not see (vis_can_see_facts) are skipped. One
 * that falls more than the ring behind, or resumes from an id the ring no
 * longer holds, gets a `reset` event (reload what you show) and goes on
 * from the newest event: nothing is ever queued per subscriber.
 *
 * The text a subscriber receives (Server-Sent Events):
 *   retry: 3000                       once, first
 *   id: 42                            a ticket changed
 *   event: ticket
 *   data: {"number":"TS…","state":"dispatched","department":"NET","version":4,"action":"dispatch","at":"…Z"}
 *
 *   event: queues                     counts may have changed: refetch
 *   data: {}                          /api/v1/queues (at most one a second)
 *
 *   id: 42                            the ring cannot replay what was
 *   event: reset                      missed ("behind": too far behind,
 *   data: {"reason":"behind"}         "unknown": an id the server never had)
 *
 *   : keep-alive                      every keep-alive interval when idle
 *
 *   event: end                        the stream ends: "logged_out" (the
 *   data: {"reason":"logged_out"}     session or token no longer valid, or
 *                                     the user changed) or "stopping"
 *
 * Threads: events_fill runs on the thread that sends the subscriber's
 * answer; when it has nothing to send it calls park() (which suspends the
 * connection) and wake() is called later from the publisher's thread. Both
 * are called with the events lock held, so a wake never overtakes its park.
 */
#ifndef GD_EVENTS_H
#define GD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/principal.h"
#include "gongdan/status.h"

#define EVENTS_RING 4096               /* events kept for resuming */
#define EVENTS_QUEUES_MS 1000          /* `queues` events at most this often */
#define EVENTS_KEEPALIVE_DEFAULT 20    /* seconds (--event-keepalive) */
#define EVENTS_MAX_CLIENTS_DEFAULT 512 /* live subscribers (--max-event-clients) */
#define EVENTS_CUSTOMER_AGENTS_MAX 1024 /* creators of one fault number an event remembers */

/* Fills the ring with the newest history rows and starts the publisher
 * (after db_global_open, before serving); events_stop after the server. */
enum gd_status events_start(unsigned max_clients, unsigned keepalive_s);
void events_stop(void);

/* The credentials of user_id's subscribers (0: anyone's) may have ended (a
 * logout, a revoked token, a changed user): they check theirs again now. */
void events_recheck(int64_t user_id);

struct events_sub;

/* A subscriber for who; last_id: the Last-Event-ID it resumes after, or -1
 * for only what happens from now on. park(ctx) must suspend the sender and
 * return true, or return false when the server is stopping; wake(ctx)
 * resumes it. NULL when max_clients subscribers exist already. */
struct events_sub *events_subscribe(const struct principal *who, int64_t last_id, bool (*park)(void *ctx),
				    void (*wake)(void *ctx), void *ctx);
void events_unsubscribe(struct events_sub *s);

enum events_step {
	EVENTS_DATA,  /* *len bytes written to buf */
	EVENTS_WAIT,  /* nothing now: park() was called, wake() will follow */
	EVENTS_CHECK, /* check the credentials again, tell events_checked, fill again */
	EVENTS_END,   /* the stream is over */
};

/* The next bytes of the stream, at most cap (a few kilobytes at least). */
enum events_step events_fill(struct events_sub *s, char *buf, size_t cap, size_t *len);
/* The answer to EVENTS_CHECK: whether the subscriber's credentials still
 * name the same user, role and department. */
void events_checked(struct events_sub *s, bool still_valid);

/* For /metrics. */
struct events_stats {
	unsigned clients;
	unsigned long long published, resets, refused;
	int64_t last_id;
};
void events_stats(struct events_stats *out);

#endif
