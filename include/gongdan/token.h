/* token.h - API tokens for scripts: "Authorization: Bearer gd_<43 base64url>".
 *
 * A token is "gd_" followed by 256 random bits in base64url. It is shown
 * once, when created; the database keeps its SHA-256 (api_tokens.token_hash)
 * and its first TOKEN_PREFIX_LEN characters (api_tokens.prefix) so people
 * can tell their tokens apart in lists. A token acts as the user it is bound
 * to, with that user's role and department, and stops working at once when
 * revoked or when the user is disabled. last_used_at is written at most
 * once a minute per token, by a queued write nobody waits for. */
#ifndef GD_TOKEN_H
#define GD_TOKEN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/principal.h"
#include "gongdan/secret.h"
#include "gongdan/status.h"

struct db;

#define TOKEN_PREFIX "gd_"
#define TOKEN_LEN (3 + SECRET_B64URL_LEN) /* 46 */
#define TOKEN_PREFIX_LEN 10                /* "gd_" + 7 characters */
#define TOKEN_NAME_MAX 100                 /* characters in a label */
#define TOKEN_TOUCH_SECONDS 60

/* Creates a token for user_id with label name (NULL: ""): writes the token
 * (TOKEN_LEN + 1 bytes) into out and its id into *id_out. w: a connection
 * inside a write transaction (a writer job, or db_write_on for tools). */
enum gd_status token_create(struct db *w, int64_t user_id, const char *name, char *out, int64_t *id_out);

/* Fills who from the token text[0..n): GD_E_UNAUTHORIZED when malformed,
 * unknown, revoked or the user is disabled. */
enum gd_status token_identify(const char *text, size_t n, struct principal *who);

/* Revokes token id on w (inside a write transaction). GD_E_NOT_FOUND for an
 * unknown id; revoking twice is not an error. */
enum gd_status token_revoke(struct db *w, int64_t id);

/* One token as JSON, without any secret: {id, name, prefix, user: {id,
 * username}, created_at, last_used_at, revoked, revoked_at}. priv: the
 * connection to read on (a writer job's), or NULL for this thread's reader. */
enum gd_status token_get_json(struct db *priv, int64_t id, json_t **out);
/* {"items": [token, ...]} newest first. */
enum gd_status token_list_json(json_t **out);

#endif
