/* auth.h - who is calling and may they: session cookies, bearer tokens, CSRF.
 * http.c calls auth_identify() for every routed request and
 * auth_check_csrf() for every request that changes something. */
#ifndef GD_AUTH_H
#define GD_AUTH_H

#include "gongdan/request.h"

/* Fills req->who from "Authorization: Bearer <token>" or the session cookie.
 * No credentials: GD_OK with req->who.user_id == 0. Credentials that are
 * present but forged, expired, revoked or belong to a disabled user:
 * GD_E_UNAUTHORIZED. */
enum gd_status auth_identify(struct request *req);

/* For a cookie-authenticated request: X-CSRF-Token must match the session's
 * token (constant-time compare), else GD_E_FORBIDDEN. Bearer and anonymous
 * requests pass. */
enum gd_status auth_check_csrf(struct request *req);

#endif
