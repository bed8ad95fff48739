/* auth.c - identifying the caller of every routed request (bearer token or
 * session cookie, see token.c and session.c), the CSRF check for changes
 * made under a session cookie, and the small helpers the auth modules share. */
#include "gongdan/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gongdan/db.h"
#include "gongdan/route.h"
#include "gongdan/session.h"
#include "gongdan/token.h"

static bool route_is_public(const struct request *req)
{
	return req->route && !(req->route->flags & (ROUTE_AUTH | ROUTE_ADMIN));
}

static void clear_cookie(struct request *req)
{
	char cookie[160];
	session_cookie(NULL, req->tls, cookie, sizeof cookie);
	req_add_header(req, "Set-Cookie", cookie);
}

static enum gd_status identify(struct request *req, bool touch)
{
	enum gd_status st;
	memset(&req->who, 0, sizeof req->who);
	const char *authz = req_header(req, "Authorization");
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7)) {
			req_errorf(req, "the Authorization header must be 'Bearer <token>'");
			return GD_E_UNAUTHORIZED;
		}
		const char *t = authz + 7;
		while (*t == ' ')
			t++;
		size_t n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			n--;
		if ((st = token_identify(t, n, &req->who))) {
			if (st == GD_E_UNAUTHORIZED)
				req_errorf(req, "the bearer token is invalid, revoked, or its user is disabled");
			return st;
		}
		return GD_OK;
	}
	const char *cookies = req_header(req, "Cookie");
	size_t n;
	const char *sid = cookies ? session_cookie_find(cookies, &n) : NULL;
	if (!sid)
		return GD_OK;
	st = session_identify(sid, n, touch, &req->who);
	if (st == GD_E_UNAUTHORIZED) {
		if (route_is_public(req))
			return GD_OK; /* e.g. logging in again with a stale cookie */
		clear_cookie(req);
		req_errorf(req, "the session has expired or is invalid; log in again");
	}
	return st;
}

enum gd_status auth_identify(struct request *req)
{
	return identify(req, true);
}

enum gd_status auth_recheck(struct request *req)
{
	return identify(req, false);
}

enum gd_status auth_check_csrf(struct request *req)
{
	if (!req->who.via_session || route_is_public(req))
		return GD_OK;
	const char *h = req_header(req, "X-CSRF-Token");
	const char *want = req->who.session_csrf;
	if (!h || !*want || !secret_equal(h, strlen(h), want, strlen(want))) {
		req_errorf(req, "a request made with the session cookie must carry the session's X-CSRF-Token header");
		return GD_E_FORBIDDEN;
	}
	return GD_OK;
}

struct db *auth_reader(struct db *priv)
{
	return priv ? priv : db_reader();
}

bool auth_principal_from_row(struct db_stmt *st, int col, struct principal *who)
{
	memset(who, 0, sizeof *who);
	if (db_col_int64(st, col + 4))
		return false; /* disabled */
	if ((size_t)db_col_bytes(st, col + 1) >= sizeof who->username)
		return false;
	who->role = role_parse(db_col_text(st, col + 2));
	if (who->role == ROLE_NONE)
		return false; /* a role this build does not know grants nothing */
	who->user_id = db_col_int64(st, col);
	snprintf(who->username, sizeof who->username, "%s", db_col_text(st, col + 1));
	who->department_id = db_col_null(st, col + 3) ? 0 : db_col_int64(st, col + 3);
	return true;
}
