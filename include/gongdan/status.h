/* status.h - the one error vocabulary: every fallible function returns an
 * enum gd_status; GD_OK is 0 so callers write `if ((st = f())) return st;`.
 * status.c maps each status to its HTTP code, JSON slug and default message. */
#ifndef GD_STATUS_H
#define GD_STATUS_H

enum gd_status {
	GD_OK = 0,
	GD_E_BAD_REQUEST,   /* 400 malformed request */
	GD_E_UNAUTHORIZED,  /* 401 no or bad credentials */
	GD_E_FORBIDDEN,     /* 403 authenticated but not allowed */
	GD_E_NOT_FOUND,     /* 404 */
	GD_E_METHOD,        /* 405 */
	GD_E_CONFLICT,      /* 409 not allowed in this state */
	GD_E_PRECONDITION,  /* 412 stale If-Match */
	GD_E_TOO_LARGE,     /* 413 */
	GD_E_URI_TOO_LONG,  /* 414 */
	GD_E_MEDIA_TYPE,    /* 415 */
	GD_E_VALIDATION,    /* 422 */
	GD_E_RATE_LIMIT,    /* 429 */
	GD_E_INTERNAL,      /* 500 */
	GD_E_NOT_IMPLEMENTED, /* 501 a transfer coding the server does not know */
	GD_E_UNAVAILABLE,   /* 503 database busy, shutting down */
	GD_E_STORAGE_FULL,  /* 507 the disk is full: nothing was written */
	GD_STATUS_COUNT
};

/* HTTP status code for st (200 for GD_OK). */
int status_http(enum gd_status st);
/* Stable machine-readable slug, e.g. "validation_failed". */
const char *status_slug(enum gd_status st);
/* Default English message for st. */
const char *status_message(enum gd_status st);

#endif
