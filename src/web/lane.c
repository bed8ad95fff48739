/* lane.c - the slow lane's threads and bounded queue (lane.h). */
#include "gongdan/lane.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gongdan/limits.h"
#include "gongdan/log.h"
#include "gongdan/request.h"
#include "gongdan/xalloc.h"

#define LANE_MAX_THREADS 16
#define LANE_NICE 5 /* behind libmicrohttpd's threads for the CPU */

static pthread_t threads[LANE_MAX_THREADS];
static unsigned nthreads;
static lane_fn runner;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER, idle = PTHREAD_COND_INITIALIZER;
static struct request *head, *tail;
static unsigned queued, running;
static bool refusing, stopping;

static void *lane_main(void *arg)
{
	(void)arg;
	/* a thread's own nice value (Linux): cheap requests go first */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), LANE_NICE))
		log_at(LOG_DEBUG, "slow lane: cannot lower its priority");
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!head && !stopping)
			pthread_cond_wait(&work, &lock);
		if (!head)
			break;
		struct request *req = head;
		head = req->lane_next;
		if (!head)
			tail = NULL;
		queued--;
		running++;
		bool refused = refusing;
		pthread_mutex_unlock(&lock);
		runner(req, refused); /* req may be gone once this returns */
		pthread_mutex_lock(&lock);
		running--;
		if (!head && !running)
			pthread_cond_broadcast(&idle);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

enum gd_status lane_start(unsigned n, lane_fn run)
{
	runner = run;
	refusing = stopping = false;
	if (n < 1)
		n = 1;
	if (n > LANE_MAX_THREADS)
		n = LANE_MAX_THREADS;
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, lane_main, NULL)) {
			lane_stop();
			return GD_E_INTERNAL;
		}
	return GD_OK;
}

bool lane_has_room(void)
{
	pthread_mutex_lock(&lock);
	bool ok = queued < GD_SLOW_QUEUE_MAX;
	pthread_mutex_unlock(&lock);
	return ok;
}

void lane_submit(struct request *req)
{
	pthread_mutex_lock(&lock);
	req->lane_next = NULL;
	if (tail)
		tail->lane_next = req;
	else
		head = req;
	tail = req;
	queued++;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&lock);
}

void lane_refuse(void)
{
	pthread_mutex_lock(&lock);
	refusing = true;
	pthread_mutex_unlock(&lock);
}

void lane_drain(void)
{
	pthread_mutex_lock(&lock);
	while (head || running)
		pthread_cond_wait(&idle, &lock);
	pthread_mutex_unlock(&lock);
}

void lane_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}

unsigned lane_busy(void)
{
	pthread_mutex_lock(&lock);
	unsigned n = queued + running;
	pthread_mutex_unlock(&lock);
	return n;
}
