/* lane.h - the slow lane (src/web/ only): requests whose work is expensive
 * by nature (searches and lists, history, logins and password changes,
 * which hash with scrypt) run on a few threads of their own, at a lower
 * CPU priority, while their connection is suspended. libmicrohttpd's
 * threads own their connections, so a search on one of them would hold up
 * every cheap request (/healthz, /metrics, static files, single tickets)
 * that happens to share the thread; with the lane they never wait.
 *
 * The queue is bounded (GD_SLOW_QUEUE_MAX): past it the request is
 * refused at once (503) rather than kept waiting. */
#ifndef GD_LANE_H
#define GD_LANE_H

#include <stdbool.h>

#include "gongdan/status.h"

struct request;

/* run(req, refused) is called on a lane thread; refused is true when the
 * server is stopping and the work must not start. */
typedef void (*lane_fn)(struct request *req, bool refused);

enum gd_status lane_start(unsigned threads, lane_fn run);
/* Whether the queue has room (GD_SLOW_QUEUE_MAX); check before
 * lane_submit. */
bool lane_has_room(void);
/* Queues req (the room check is not repeated: a few over the bound by
 * racing threads are taken). */
void lane_submit(struct request *req);
/* Stopping: queued requests are run with refused = true. */
void lane_refuse(void);
/* Returns once nothing is queued or running. */
void lane_drain(void);
void lane_stop(void);
/* Requests queued or running now (for /metrics). */
unsigned lane_busy(void);

#endif
