/* token.c - API tokens: creation (the secret is returned once, only its
 * SHA-256 is kept), identification of bearer requests, revocation, lists. */
#include "gongdan/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/auth.h"
#include "gongdan/db.h"
#include "gongdan/digest.h"
#include "gongdan/gd_time.h"
#include "gongdan/log.h"
#include "gongdan/xalloc.h"

enum gd_status token_create(struct db *w, int64_t user_id, const char *name, char *out, int64_t *id_out)
{
	enum gd_status s;
	unsigned char hash[DIGEST_SHA256_LEN];
	memcpy(out, TOKEN_PREFIX, 3);
	if ((s = secret_random_b64url(out + 3)))
		return s;
	digest_sha256(out, TOKEN_LEN, hash);
	struct db_stmt *st;
	if (!(s = db_prepare(w,
			     "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) "
			     "VALUES (?1, ?2, ?3, ?4, ?5)",
			     &st))) {
		db_bind_int64(st, 1, user_id);
		db_bind_text(st, 2, name ? name : "", -1);
		db_bind_blob(st, 3, hash, sizeof hash);
		db_bind_text(st, 4, out, TOKEN_PREFIX_LEN);
		db_bind_int64(st, 5, time_now());
		s = db_run(st);
	}
	if (!s && id_out)
		*id_out = db_last_insert_id(w);
	return s;
}

struct touch {
	int64_t id, now;
};

static enum gd_status touch_run(struct db *w, void *ctx)
{
	struct touch *t = ctx;
	struct db_stmt *st;
	enum gd_status s;
	if (!(s = db_prepare(w, "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", &st))) {
		db_bind_int64(st, 1, t->id);
		db_bind_int64(st, 2, t->now);
		s = db_run(st);
	}
	return s;
}

/* Queued for the writer; nobody waits (a failure: the next request tries again). */
static void touch(int64_t id, int64_t now)
{
	struct touch *t = xmalloc(sizeof *t);
	t->id = id;
	t->now = now;
	db_write_detached(touch_run, t, db_free_ctx);
}

enum gd_status token_identify(const char *text, size_t n, struct principal *who)
{
	if (n != TOKEN_LEN || strncmp(text, TOKEN_PREFIX, 3) || !secret_is_b64url(text + 3, n - 3))
		return GD_E_UNAUTHORIZED;
	unsigned char hash[DIGEST_SHA256_LEN];
	digest_sha256(text, n, hash);
	struct db *r = db_reader();
	struct db_stmt *st;
	enum gd_status s;
	bool row, usable = false, revoked = false;
	int64_t id = 0, last_used = 0, now = time_now();
	if ((s = db_prepare(r,
			    "SELECT t.id, t.revoked_at, t.last_used_at, u.id, u.username, u.role, u.department_id, "
			    "u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1",
			    &st)))
		return s;
	db_bind_blob(st, 1, hash, sizeof hash);
	if (!(s = db_step(st, &row)) && row) {
		id = db_col_int64(st, 0);
		revoked = !db_col_null(st, 1);
		last_used = db_col_null(st, 2) ? 0 : db_col_int64(st, 2);
		usable = auth_principal_from_row(st, 3, who);
	}
	db_reset(st);
	if (s)
		return s;
	if (!row || !usable || revoked) {
		memset(who, 0, sizeof *who);
		return GD_E_UNAUTHORIZED;
	}
	if (now - last_used >= TOKEN_TOUCH_SECONDS)
		touch(id, now);
	who->via_token = true;
	return GD_OK;
}

enum gd_status token_revoke(struct db *w, int64_t id)
{
	struct db_stmt *st;
	enum gd_status s;
	if (!(s = db_prepare(w, "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1", &st))) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, time_now());
		if (!(s = db_run(st)) && db_changes(w) == 0)
			s = GD_E_NOT_FOUND;
	}
	return s;
}

static json_t *time_or_null(struct db_stmt *st, int col)
{
	if (db_col_null(st, col))
		return json_null();
	char t[32];
	time_iso(db_col_int64(st, col), t);
	return json_string(t);
}

static json_t *row_json(struct db_stmt *st)
{
	json_t *t = json_object();
	json_object_set_new(t, "id", json_integer(db_col_int64(st, 0)));
	json_object_set_new(t, "name", json_string(db_col_text(st, 1)));
	json_object_set_new(t, "prefix", json_string(db_col_text(st, 2)));
	json_object_set_new(t, "user",
			    json_pack("{s:I,s:s}", "id", (json_int_t)db_col_int64(st, 3), "username", db_col_text(st, 4)));
	json_object_set_new(t, "created_at", time_or_null(st, 5));
	json_object_set_new(t, "last_used_at", time_or_null(st, 6));
	json_object_set_new(t, "revoked", json_boolean(!db_col_null(st, 7)));
	json_object_set_new(t, "revoked_at", time_or_null(st, 7));
	return t;
}

enum gd_status token_get_json(struct db *priv, int64_t id, json_t **out)
{
	struct db *r = auth_reader(priv);
	struct db_stmt *st;
	enum gd_status s;
	*out = NULL;
	if ((s = db_prepare(r,
			    "SELECT t.id, t.name, t.prefix, u.id, u.username, t.created_at, t.last_used_at, t.revoked_at "
			    "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?1",
			    &st)))
		return s;
	db_bind_int64(st, 1, id);
	return db_fetch_one(st, row_json, out);
}

enum gd_status token_list_json(json_t **out)
{
	struct db *r = db_reader();
	struct db_stmt *st;
	enum gd_status s;
	*out = NULL;
	if ((s = db_prepare(r,
			    "SELECT t.id, t.name, t.prefix, u.id, u.username, t.created_at, t.last_used_at, t.revoked_at "
			    "FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
			    &st)))
		return s;
	json_t *items;
	if ((s = db_collect(st, row_json, &items)))
		return s;
	*out = json_pack("{s:o}", "items", items);
	return GD_OK;
}
