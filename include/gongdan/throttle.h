/* throttle.h - login throttling that an attacker cannot turn against a user.
 *
 * Three counts of failed logins:
 *   - per username and client address (the pair): strict. After
 *     THROTTLE_PAIR_FAILURES failures within the window that pair answers
 *     429 until the oldest of them leaves the window. Someone guessing from
 *     one place is stopped; the user elsewhere is not.
 *   - per username alone: gentle. From THROTTLE_USER_FREE failures on (from
 *     anywhere), each attempt must wait a delay after the latest failure
 *     that doubles with every further failure, 1 s, 2 s, 4 s … up to
 *     THROTTLE_DELAY_MAX. Guessing across many addresses is slowed to one
 *     try per THROTTLE_DELAY_MAX; the user waits at most that long.
 *   - per address alone: gentle, the same delays from THROTTLE_ADDR_FREE
 *     failures on (one address trying many usernames).
 * The gentle counts forget one failure every THROTTLE_WINDOW /
 * THROTTLE_*_FREE seconds (3 minutes per username failure, 45 s per
 * address failure): failures spread that thinly never add up to a delay.
 * A successful login clears its pair and its username (not the address).
 *
 * The counts live in memory (a restart forgets them) in three fixed tables
 * (bounded memory: THROTTLE_SLOTS pairs and usernames, THROTTLE_ADDR_SLOTS
 * addresses) hashed with a random seed. An entry that is holding someone
 * back is never evicted to make room: a flood of other names can only take
 * slots whose counts are below their limits. Should an entry's
 * neighbourhood be full of holding entries, the new name is throttled too
 * (fail closed) until they age out; filling a table that way takes about
 * 80,000 failed logins within the window, each costing a scrypt hash.
 *
 * The address is the one the request is from: the TCP peer, or with
 * --trusted-proxy the client named by X-Forwarded-For (request.h). */
#ifndef GD_THROTTLE_H
#define GD_THROTTLE_H

#include <stdint.h>

#define THROTTLE_WINDOW (15 * 60)
#define THROTTLE_PAIR_FAILURES 5
#define THROTTLE_USER_FREE 5
#define THROTTLE_ADDR_FREE 20
#define THROTTLE_DELAY_MAX 60
#define THROTTLE_SLOTS 16384
#define THROTTLE_ADDR_SLOTS 4096

/* 0 when a login for username from addr may proceed now; else the seconds
 * to wait (for Retry-After). */
int64_t throttle_check(const char *username, const char *addr, int64_t now);
/* Records a failed login for the pair, the username and the address. */
void throttle_fail(const char *username, const char *addr, int64_t now);
/* Clears the pair's and the username's failures after a successful login. */
void throttle_success(const char *username, const char *addr);
/* Forgets everything (tests). */
void throttle_reset(void);

#endif
