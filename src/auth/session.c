/* session.c - browser sessions: creating them at login, identifying the
 * gd_session cookie, idle and absolute expiry, logout, the cookie text. */
#include "gongdan/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/auth.h"
#include "gongdan/db.h"
#include "gongdan/digest.h"
#include "gongdan/gd_time.h"
#include "gongdan/log.h"
#include "gongdan/xalloc.h"

enum gd_status session_new(char *id_out, char *csrf_out)
{
	enum gd_status s;
	if ((s = secret_random_b64url(id_out)) || (s = secret_random_b64url(csrf_out)))
		return s;
	return GD_OK;
}

enum gd_status session_store(struct db *w, int64_t user_id, const char *id, const char *csrf)
{
	enum gd_status s;
	unsigned char hash[DIGEST_SHA256_LEN];
	digest_sha256(id, SESSION_ID_LEN, hash);
	int64_t now = time_now();
	struct db_stmt *st;
	if ((s = db_prepare(w, "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen <= ?2", &st)))
		return s;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, now - SESSION_IDLE_SECONDS);
	if ((s = db_run(st)))
		return s;
	if ((s = db_prepare(w,
			    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, expires_at) "
			    "VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
			    &st)))
		return s;
	db_bind_blob(st, 1, hash, sizeof hash);
	db_bind_int64(st, 2, user_id);
	db_bind_text(st, 3, csrf, -1);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, now + SESSION_MAX_SECONDS);
	return db_run(st);
}

/* A session row to change in the writer's next batch, nobody waiting. */
struct session_write {
	unsigned char hash[DIGEST_SHA256_LEN];
	int64_t now;
};

static enum gd_status delete_row(struct db *w, const unsigned char *hash)
{
	struct db_stmt *st;
	enum gd_status s;
	if (!(s = db_prepare(w, "DELETE FROM sessions WHERE id_hash = ?1", &st))) {
		db_bind_blob(st, 1, hash, DIGEST_SHA256_LEN);
		s = db_run(st);
	}
	return s;
}

static enum gd_status delete_run(struct db *w, void *ctx)
{
	return delete_row(w, ((struct session_write *)ctx)->hash);
}

static enum gd_status touch_run(struct db *w, void *ctx)
{
	struct session_write *t = ctx;
	struct db_stmt *st;
	enum gd_status s;
	if (!(s = db_prepare(w, "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1", &st))) {
		db_bind_blob(st, 1, t->hash, DIGEST_SHA256_LEN);
		db_bind_int64(st, 2, t->now);
		s = db_run(st);
	}
	return s;
}

/* Queues a write nobody waits for: a failure (busy, full disk) only means
 * the next request tries again. */
static void later(enum gd_status (*run)(struct db *w, void *ctx), const unsigned char *hash, int64_t now)
{
	struct session_write *t = xmalloc(sizeof *t);
	memcpy(t->hash, hash, sizeof t->hash);
	t->now = now;
	db_write_detached(run, t, db_free_ctx);
}

enum gd_status session_identify(const char *id, size_t n, bool touch, struct principal *who)
{
	if (n != SESSION_ID_LEN || !secret_is_b64url(id, n))
		return GD_E_UNAUTHORIZED;
	unsigned char hash[DIGEST_SHA256_LEN];
	digest_sha256(id, n, hash);
	struct db *r = db_reader();
	struct db_stmt *st;
	enum gd_status s;
	bool row, usable = false;
	int64_t last_seen = 0, expires = 0, now = time_now();
	if ((s = db_prepare(r,
			    "SELECT s.csrf_token, s.last_seen, s.expires_at, u.id, u.username, u.role, u.department_id, "
			    "u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?1",
			    &st)))
		return s;
	db_bind_blob(st, 1, hash, sizeof hash);
	if (!(s = db_step(st, &row)) && row) {
		last_seen = db_col_int64(st, 1);
		expires = db_col_int64(st, 2);
		usable = auth_principal_from_row(st, 3, who) &&
			 (size_t)db_col_bytes(st, 0) < sizeof who->session_csrf;
		if (usable)
			snprintf(who->session_csrf, sizeof who->session_csrf, "%s", db_col_text(st, 0));
	}
	db_reset(st);
	if (s)
		return s;
	if (!row || !usable) {
		memset(who, 0, sizeof *who);
		return GD_E_UNAUTHORIZED;
	}
	if (expires <= now || last_seen + SESSION_IDLE_SECONDS <= now) {
		memset(who, 0, sizeof *who);
		later(delete_run, hash, now);
		return GD_E_UNAUTHORIZED;
	}
	if (touch && now - last_seen >= SESSION_TOUCH_SECONDS)
		later(touch_run, hash, now);
	who->via_session = true;
	return GD_OK;
}

enum gd_status session_delete(struct db *w, const char *id, size_t n)
{
	if (n != SESSION_ID_LEN)
		return GD_OK;
	unsigned char hash[DIGEST_SHA256_LEN];
	digest_sha256(id, n, hash);
	return delete_row(w, hash);
}

void session_cookie(const char *id, int secure, char *out, size_t outlen)
{
	if (id)
		snprintf(out, outlen, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", SESSION_COOKIE, id,
			 SESSION_MAX_SECONDS, secure ? "; Secure" : "");
	else
		snprintf(out, outlen, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", SESSION_COOKIE,
			 secure ? "; Secure" : "");
}

const char *session_cookie_find(const char *header, size_t *n)
{
	static const size_t namelen = sizeof SESSION_COOKIE - 1;
	const char *p = header;
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > namelen && !strncmp(p, SESSION_COOKIE, namelen) && p[namelen] == '=') {
			const char *v = p + namelen + 1;
			size_t vn = len - namelen - 1;
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
				vn--;
			/* RFC 6265 allows a quoted value */
			if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"')
				v++, vn -= 2;
			*n = vn;
			return v;
		}
		p += len;
	}
	return NULL;
}

enum gd_status session_count_active(struct db *d, int64_t now, int64_t *n)
{
	static const char sql[] = "SELECT count(*) FROM sessions WHERE expires_at > ?1 AND last_seen > ?2";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	*n = 0;
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, now - SESSION_IDLE_SECONDS);
	if (!(s = db_step(st, &row)) && row)
		*n = db_col_int64(st, 0);
	db_reset(st);
	return s;
}
