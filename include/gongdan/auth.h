/* auth.h - who is calling and may they: session cookies, bearer tokens, CSRF.
 * http.c calls auth_identify() for every routed request and
 * auth_check_csrf() for every request that changes something.
 *
 * Credentials: "Authorization: Bearer gd_<43 base64url>" (an API token, see
 * token.h) wins over the cookie "gd_session=<43 base64url>" (see session.h).
 * Both are looked up by their SHA-256 and joined to the user on every
 * request, so a disabled user, a revoked token or a deleted session stops
 * working at once. */
#ifndef GD_AUTH_H
#define GD_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "gongdan/request.h"

struct db;

/* Fills req->who from "Authorization: Bearer <token>" or the session cookie.
 * No credentials: GD_OK with req->who.user_id == 0. Credentials that are
 * present but forged, expired, revoked or belong to a disabled user:
 * GD_E_UNAUTHORIZED. On public routes (no ROUTE_AUTH/ROUTE_ADMIN) a bad
 * session cookie counts as no cookie, so a browser holding a stale cookie
 * can still log in; a bad bearer token is refused everywhere. */
enum gd_status auth_identify(struct request *req);
/* auth_identify again for a request still being answered (a live update
 * stream checking that its login still holds), without counting as use of
 * the session: an open page alone does not keep an idle session alive. */
enum gd_status auth_recheck(struct request *req);

/* For a cookie-authenticated request: X-CSRF-Token must match the session's
 * token (constant-time compare), else GD_E_FORBIDDEN. Bearer and anonymous
 * requests pass, as do public routes (they act on no one's behalf; the login
 * itself is protected by requiring a JSON body, which a cross-site form
 * cannot send). */
enum gd_status auth_check_csrf(struct request *req);

/* priv (a private connection: tools), or this thread's reader. */
struct db *auth_reader(struct db *priv);

struct db_stmt;
/* Copies the user columns (id, username, role, department_id, disabled) that
 * start at column col of a session or token lookup into who. Returns false
 * when the user is disabled, a value does not fit or the role is unknown. */
bool auth_principal_from_row(struct db_stmt *st, int col, struct principal *who);

#endif
