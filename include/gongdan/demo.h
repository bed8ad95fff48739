/* demo.h - demo accounts for `gongdan init --demo`: one user per role with
 * known passwords ("demo-<username>"), for trying gongdan out and for the
 * tests. Never use them on a real installation: disable them or change
 * their passwords (PATCH /api/v1/users/{id}). */
#ifndef GD_DEMO_H
#define GD_DEMO_H

struct db;

/* Creates the demo users that do not exist yet (on the private connection
 * d) and prints every demo login (username, password, role, department) on
 * stdout. Safe to run again. Returns 0, or non-zero after printing why on
 * stderr. */
int demo_users_seed(struct db *d);

/* Creates the demo tickets (in several states, with their history) when the
 * database at path has no tickets yet. Needs the demo users. Returns 0, or
 * non-zero after printing why on stderr. */
int demo_tickets_seed(const char *path);

#endif
