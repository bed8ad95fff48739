/* throttle.c - the in-memory failed-login counts behind login throttling:
 * a fixed open-addressed table keyed by "u:<username>" and "a:<address>",
 * each entry remembering the times of its last THROTTLE_MAX_FAILURES
 * failures. */
#include "gongdan/throttle.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gongdan/secret.h"

#define THROTTLE_PROBE 16
#define THROTTLE_KEY 80

struct slot {
	char key[THROTTLE_KEY];        /* "" when free */
	int64_t fails[THROTTLE_MAX_FAILURES]; /* ring of failure times */
	int n;                         /* failures recorded, up to MAX */
	int next;                      /* ring position of the next write */
	int64_t last;                  /* latest failure */
};

static struct slot slots[THROTTLE_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t seed;
static bool seeded;

/* FNV-1a with a random start, so no one can aim keys at one bucket. */
static uint64_t hash(const char *key)
{
	if (!seeded) {
		if (secret_random_bytes((unsigned char *)&seed, sizeof seed))
			seed = 0x9e3779b97f4a7c15ull;
		seeded = true;
	}
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return h;
}

static void make_key(char *out, char kind, const char *s)
{
	snprintf(out, THROTTLE_KEY, "%c:%s", kind, s);
}

/* The slot holding key, or NULL; with create, a free, stale or least
 * recently used slot is taken for it. */
static struct slot *find(const char *key, bool create, int64_t now)
{
	uint64_t h = hash(key);
	struct slot *free_slot = NULL, *lru = NULL;
	for (int i = 0; i < THROTTLE_PROBE; i++) {
		struct slot *s = &slots[(h + (uint64_t)i) % THROTTLE_SLOTS];
		if (s->key[0] && !strcmp(s->key, key))
			return s;
		/* an entry whose latest failure left the window counts for nothing */
		if (!free_slot && (!s->key[0] || s->last <= now - THROTTLE_WINDOW))
			free_slot = s;
		if (!lru || s->last < lru->last)
			lru = s;
	}
	struct slot *spare = free_slot ? free_slot : lru;
	if (!create)
		return NULL;
	memset(spare, 0, sizeof *spare);
	snprintf(spare->key, sizeof spare->key, "%s", key);
	return spare;
}

/* Seconds until key may try again (0: now). */
static int64_t wait_for(const char *key, int64_t now)
{
	struct slot *s = find(key, false, now);
	if (!s || s->n < THROTTLE_MAX_FAILURES)
		return 0;
	/* with a full ring, the next write position holds the oldest failure */
	int64_t oldest = s->fails[s->next];
	int64_t until = oldest + THROTTLE_WINDOW;
	return until > now ? until - now : 0;
}

int64_t throttle_check(const char *username, const char *addr, int64_t now)
{
	char ku[THROTTLE_KEY], ka[THROTTLE_KEY];
	make_key(ku, 'u', username);
	make_key(ka, 'a', addr);
	pthread_mutex_lock(&lock);
	int64_t a = wait_for(ku, now), b = wait_for(ka, now);
	pthread_mutex_unlock(&lock);
	return a > b ? a : b;
}

static void record(const char *key, int64_t now)
{
	struct slot *s = find(key, true, now);
	s->fails[s->next] = now;
	s->next = (s->next + 1) % THROTTLE_MAX_FAILURES;
	if (s->n < THROTTLE_MAX_FAILURES)
		s->n++;
	s->last = now;
}

void throttle_fail(const char *username, const char *addr, int64_t now)
{
	char ku[THROTTLE_KEY], ka[THROTTLE_KEY];
	make_key(ku, 'u', username);
	make_key(ka, 'a', addr);
	pthread_mutex_lock(&lock);
	record(ku, now);
	record(ka, now);
	pthread_mutex_unlock(&lock);
}

void throttle_success(const char *username)
{
	char ku[THROTTLE_KEY];
	make_key(ku, 'u', username);
	pthread_mutex_lock(&lock);
	struct slot *s = find(ku, false, 0);
	if (s)
		memset(s, 0, sizeof *s);
	pthread_mutex_unlock(&lock);
}

void throttle_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(slots, 0, sizeof slots);
	pthread_mutex_unlock(&lock);
}
