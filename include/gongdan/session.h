/* session.h - browser sessions behind the gd_session cookie.
 *
 * A session id is 256 random bits (RAND_bytes) in base64url (43
 * characters); the database keeps only its SHA-256 (sessions.id_hash), so a
 * copy of the database lets no one in. Each session has its own CSRF token
 * (also 256 bits), which the client echoes in X-CSRF-Token.
 *
 * Expiry: idle after SESSION_IDLE_SECONDS without a request, and at the
 * latest SESSION_MAX_SECONDS after login. last_seen is written at most once
 * a minute per session, so browsing does not queue on the single writer. */
#ifndef GD_SESSION_H
#define GD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/principal.h"
#include "gongdan/secret.h"
#include "gongdan/status.h"

#define SESSION_COOKIE "gd_session"
#define SESSION_IDLE_SECONDS (8 * 3600)
#define SESSION_MAX_SECONDS (12 * 3600)
#define SESSION_TOUCH_SECONDS 60
#define SESSION_ID_LEN SECRET_B64URL_LEN

struct db;

/* Makes a new session id and CSRF token (each SESSION_ID_LEN + 1 bytes with
 * the NUL); nothing is stored yet. */
enum gd_status session_new(char *id_out, char *csrf_out);
/* Stores the session for user_id on w (a connection inside a write
 * transaction: a writer job). Also purges expired sessions. */
enum gd_status session_store(struct db *w, int64_t user_id, const char *id, const char *csrf);

/* Fills who from the session id id[0..n): GD_E_UNAUTHORIZED when malformed,
 * unknown, expired (the row is then deleted) or the user is disabled. With
 * touch the lookup counts as use (it keeps an idle session alive). */
enum gd_status session_identify(const char *id, size_t n, bool touch, struct principal *who);

/* Ends the session (deletes its row) on w, inside a write transaction; an
 * unknown id is not an error. */
enum gd_status session_delete(struct db *w, const char *id, size_t n);

/* Writes the Set-Cookie value for id (NULL: a cookie that clears it) into
 * out (at least 160 bytes); secure adds "; Secure". */
void session_cookie(const char *id, int secure, char *out, size_t outlen);

/* Finds the gd_session value in a Cookie header; *n is its length. NULL
 * when absent. */
const char *session_cookie_find(const char *header, size_t *n);

/* Sessions neither expired nor idle at now (for /metrics). */
enum gd_status session_count_active(struct db *d, int64_t now, int64_t *n);

#endif
