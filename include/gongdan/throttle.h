/* throttle.h - login throttling: after THROTTLE_MAX_FAILURES failed logins
 * for one username, or from one client address, within THROTTLE_WINDOW
 * seconds, further logins for it answer 429 with Retry-After until the
 * oldest of those failures leaves the window. A successful login clears
 * that username's failures (not the address's).
 *
 * The counts live in memory, behind one mutex, in a fixed table of
 * THROTTLE_SLOTS entries (the least recently failed entry is reused when
 * full): a restart forgets them, and several server processes would not
 * share them. The address is the TCP peer; X-Forwarded-For is not trusted. */
#ifndef GD_THROTTLE_H
#define GD_THROTTLE_H

#include <stdint.h>

#define THROTTLE_MAX_FAILURES 5
#define THROTTLE_WINDOW (15 * 60)
#define THROTTLE_SLOTS 4096

/* 0 when a login for username from addr may proceed; else the seconds to
 * wait (for Retry-After). */
int64_t throttle_check(const char *username, const char *addr, int64_t now);
/* Records a failed login for both the username and the address. */
void throttle_fail(const char *username, const char *addr, int64_t now);
/* Clears the username's failures after a successful login. */
void throttle_success(const char *username);
/* Forgets everything (tests). */
void throttle_reset(void);

#endif
