/* admin_audit.h - the admin audit log (管理操作日志, sql/0018): who changed
 * which user, token, department, category, phrase or number segments, when,
 * and the values before and after.
 *
 * Every admin change writes its row on w, inside the change's own write
 * transaction (the writer job's savepoint): the change and its row commit
 * or roll back together. Refused attempts change nothing and write nothing
 * (the access log has them). Callers never pass secrets: snapshots hold no
 * password, hash or token, and a password reset shows as "password":
 * "reset". */
#ifndef GD_ADMIN_AUDIT_H
#define GD_ADMIN_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"

struct db;

#define ADMIN_AUDIT_CLI "(cli)"      /* the actor of command-line changes (no username has parentheses) */
#define ADMIN_AUDIT_LIMIT_DEFAULT 50 /* rows per page */
#define ADMIN_AUDIT_LIMIT_MAX 200

/* Records action on object (kind, e.g. "department", and its id or code)
 * by who (NULL or user_id 0: the command line). before/after are the
 * object's JSON snapshots (borrowed; NULL for none: before of a create,
 * after of a delete). With both, only the members whose values differ are
 * stored (a member absent on one side is null there); when none differ
 * and force is false nothing is written - a change to the same values
 * changed nothing. */
enum gd_status admin_audit_record(struct db *w, const struct principal *who, const char *action, const char *kind,
				  const char *object, const json_t *before, const json_t *after, bool force);

/* A page of the log, newest first. NULL filters match everything; object
 * needs kind. limit 1..ADMIN_AUDIT_LIMIT_MAX; cursor 0 or the next_cursor
 * of the page before. *out = {"items": [{id, at, actor, actor_id, action,
 * object_kind, object, before, after}], "next_cursor": "<id>" | null}.
 * An unknown kind, or object without kind, is GD_E_VALIDATION naming the
 * parameter in e. */
struct admin_audit_query {
	const char *kind, *object, *actor;
	int64_t limit, cursor;
};
enum gd_status admin_audit_list(const struct admin_audit_query *q, json_t **out, struct gd_err *e);

#endif
