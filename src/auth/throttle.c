/* throttle.c - the in-memory failed-login counts behind login throttling
 * (see throttle.h): three fixed open-addressed tables, for pairs, usernames
 * and addresses, each entry remembering how many failures it has had in
 * the window and the times of the latest few. */
#include "gongdan/throttle.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gongdan/log.h"
#include "gongdan/secret.h"

#define THROTTLE_PROBE 16
#define THROTTLE_KEY 128 /* "address username": 46 + 1 + 64 bytes, and the NUL */

struct slot {
	char key[THROTTLE_KEY];                /* "" when free */
	int64_t fails[THROTTLE_PAIR_FAILURES]; /* pairs: ring of the latest failure times */
	int next;                              /* ring position of the next write */
	int n;                                 /* failures counted at `last` */
	int64_t last;                          /* latest failure */
};

/* One table and the rule that decides when its entries hold someone back.
 * A gentle count forgets one failure every THROTTLE_WINDOW / free_failures
 * seconds (a leaky bucket: failures spread that thinly never add up). */
struct table {
	struct slot *slots;
	size_t size;
	int free_failures; /* gentle: failures before delays start; 0: strict (pairs) */
};

static struct slot pair_slots[THROTTLE_SLOTS], user_slots[THROTTLE_SLOTS], addr_slots[THROTTLE_ADDR_SLOTS];
static struct table pairs = {pair_slots, THROTTLE_SLOTS, 0};
static struct table users = {user_slots, THROTTLE_SLOTS, THROTTLE_USER_FREE};
static struct table addrs = {addr_slots, THROTTLE_ADDR_SLOTS, THROTTLE_ADDR_FREE};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t seed;
static bool seeded;
static struct log_limit full_log = LOG_LIMIT_INIT;

/* FNV-1a with a random start, so no one can aim keys at one neighbourhood. */
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

/* The failures s counts at now. */
static int count_of(const struct table *t, const struct slot *s, int64_t now)
{
	if (!s->key[0])
		return 0;
	if (!t->free_failures)
		return s->last > now - THROTTLE_WINDOW ? s->n : 0;
	int64_t forgiven = (now - s->last) / (THROTTLE_WINDOW / t->free_failures);
	return forgiven >= s->n ? 0 : s->n - (int)forgiven;
}

static bool stale(const struct table *t, const struct slot *s, int64_t now)
{
	return count_of(t, s, now) == 0;
}

/* Seconds s holds its key back at now (0: not at all). */
static int64_t wait_of(const struct table *t, const struct slot *s, int64_t now)
{
	int n = count_of(t, s, now);
	if (!t->free_failures) {
		if (n < THROTTLE_PAIR_FAILURES)
			return 0;
		/* a full ring: the next write position holds the oldest failure */
		int64_t until = s->fails[s->next] + THROTTLE_WINDOW;
		return until > now ? until - now : 0;
	}
	if (n < t->free_failures)
		return 0;
	int excess = n - t->free_failures;
	int64_t delay = excess >= 6 ? THROTTLE_DELAY_MAX : (int64_t)1 << excess;
	if (delay > THROTTLE_DELAY_MAX)
		delay = THROTTLE_DELAY_MAX;
	int64_t until = s->last + delay;
	return until > now ? until - now : 0;
}

/* Whether s may be given to another key: free, stale, or counting failures
 * that hold no one back yet. */
static bool evictable(const struct table *t, const struct slot *s, int64_t now)
{
	int limit = t->free_failures ? t->free_failures : THROTTLE_PAIR_FAILURES;
	return count_of(t, s, now) < limit;
}

/* The slot of key; with create, a free or stale slot, else the evictable
 * entry with the fewest failures, is taken for it. NULL when absent (or,
 * with create, when every slot near it is holding someone back). */
static struct slot *find(struct table *t, const char *key, bool create, int64_t now)
{
	uint64_t h = hash(key);
	struct slot *spare = NULL;
	for (int i = 0; i < THROTTLE_PROBE; i++) {
		struct slot *s = &t->slots[(h + (uint64_t)i) % t->size];
		if (s->key[0] && !strcmp(s->key, key))
			return s;
		if (!create || !evictable(t, s, now))
			continue;
		if (!spare || (!stale(t, spare, now) && (stale(t, s, now) || count_of(t, s, now) < count_of(t, spare, now))))
			spare = s;
	}
	if (!spare)
		return NULL;
	memset(spare, 0, sizeof *spare);
	snprintf(spare->key, sizeof spare->key, "%s", key);
	return spare;
}

/* Seconds key must wait; a key that has no entry and no room for one is
 * held back as if it had failed too often (fail closed). */
static int64_t check_one(struct table *t, const char *key, int64_t now)
{
	uint64_t h = hash(key);
	bool room = false;
	for (int i = 0; i < THROTTLE_PROBE; i++) {
		struct slot *s = &t->slots[(h + (uint64_t)i) % t->size];
		if (s->key[0] && !strcmp(s->key, key))
			return wait_of(t, s, now);
		room |= evictable(t, s, now);
	}
	if (room)
		return 0;
	log_limited(&full_log, 60, LOG_WARN, "login throttle: no room for a new name (a flood of failed logins?)");
	return THROTTLE_DELAY_MAX;
}

static void record(struct table *t, const char *key, int64_t now)
{
	struct slot *s = find(t, key, true, now);
	if (!s)
		return; /* check_one holds it back */
	int n = count_of(t, s, now);
	if (!n)
		s->next = 0; /* its failures left the window */
	s->fails[s->next] = now;
	s->next = (s->next + 1) % THROTTLE_PAIR_FAILURES;
	s->n = n + 1;
	s->last = now;
}

static void pair_key(char out[THROTTLE_KEY], const char *username, const char *addr)
{
	snprintf(out, THROTTLE_KEY, "%s %s", addr, username);
}

int64_t throttle_check(const char *username, const char *addr, int64_t now)
{
	char kp[THROTTLE_KEY];
	pair_key(kp, username, addr);
	pthread_mutex_lock(&lock);
	int64_t a = check_one(&pairs, kp, now), b = check_one(&users, username, now), c = check_one(&addrs, addr, now);
	pthread_mutex_unlock(&lock);
	int64_t w = a > b ? a : b;
	return w > c ? w : c;
}

void throttle_fail(const char *username, const char *addr, int64_t now)
{
	char kp[THROTTLE_KEY];
	pair_key(kp, username, addr);
	pthread_mutex_lock(&lock);
	record(&pairs, kp, now);
	record(&users, username, now);
	record(&addrs, addr, now);
	pthread_mutex_unlock(&lock);
}

static void forget(struct table *t, const char *key)
{
	struct slot *s = find(t, key, false, 0);
	if (s)
		memset(s, 0, sizeof *s);
}

void throttle_success(const char *username, const char *addr)
{
	char kp[THROTTLE_KEY];
	pair_key(kp, username, addr);
	pthread_mutex_lock(&lock);
	forget(&pairs, kp);
	forget(&users, username);
	pthread_mutex_unlock(&lock);
}

void throttle_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(pair_slots, 0, sizeof pair_slots);
	memset(user_slots, 0, sizeof user_slots);
	memset(addr_slots, 0, sizeof addr_slots);
	pthread_mutex_unlock(&lock);
}
