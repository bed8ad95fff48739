/* idempotency.c - stored first answers of keyed requests (idempotency.h):
 * the key check, the fingerprint, the lookup, the job wrapper that stores
 * an answer in the same transaction as its write, and the purge of keys
 * past their 24 hours. */
#include "gongdan/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/gd_time.h"
#include "gongdan/log.h"
#include "gongdan/strbuf.h"
#include "gongdan/xalloc.h"

void idem_answer_release(struct idem_answer *a)
{
	free(a->body);
	a->body = NULL;
	gd_err_release(&a->err);
}

const char *idem_key_problem(const char *text)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++, n++) {
		if (*p < 0x20 || *p == 0x7f)
			return "must not hold control characters";
		if (*p > 0x7e)
			return "must be printable ASCII (a UUID, for example)";
	}
	if (n == 0)
		return "must not be empty";
	if (n > IDEM_KEY_MAX)
		return "must be at most 200 characters";
	return NULL;
}

void idem_fingerprint(const char *method, const char *path, const json_t *body, unsigned char out[DIGEST_SHA256_LEN])
{
	char *canonical = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	struct strbuf sb = STRBUF_INIT(SIZE_MAX / 2);
	strbuf_addf(&sb, "%s\n%s\n%s", method, path, canonical ? canonical : "");
	digest_sha256(sb.buf, sb.len, out);
	strbuf_release(&sb);
	free(canonical);
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static enum gd_status status_of_slug(const char *slug)
{
	for (int s = 1; s < GD_STATUS_COUNT; s++)
		if (!strcmp(status_slug((enum gd_status)s), slug))
			return (enum gd_status)s;
	return GD_E_INTERNAL;
}

enum gd_status idem_find(struct db *d, const struct idem_key *k, int64_t now, enum idem_found *found,
			 struct idem_answer *out)
{
	static const char sql[] =
		"SELECT fingerprint, status, body, etag, location, error_code, error_message, error_fields"
		" FROM idempotency_keys WHERE user_id = ?1 AND key = ?2 AND created_at > ?3";
	struct db_stmt *st;
	enum gd_status s;
	bool row;
	*found = IDEM_NONE;
	memset(out, 0, sizeof *out);
	if ((s = db_prepare(d, sql, &st)))
		return s;
	db_bind_int64(st, 1, k->user_id);
	db_bind_text(st, 2, k->key, -1);
	db_bind_int64(st, 3, now - IDEM_TTL_SECONDS);
	if ((s = db_step(st, &row)) || !row) {
		db_reset(st);
		return s;
	}
	if (db_col_bytes(st, 0) != DIGEST_SHA256_LEN || memcmp(db_col_blob(st, 0), k->fingerprint, DIGEST_SHA256_LEN)) {
		*found = IDEM_OTHER;
		db_reset(st);
		return GD_OK;
	}
	*found = IDEM_SAME;
	out->status = (int)db_col_int64(st, 1);
	if (!db_col_null(st, 2))
		out->body = xstrdup(db_col_text(st, 2));
	copy(out->etag, sizeof out->etag, db_col_text(st, 3));
	copy(out->location, sizeof out->location, db_col_text(st, 4));
	if (!out->body) {
		out->error = status_of_slug(db_col_text(st, 5));
		copy(out->err.message, sizeof out->err.message, db_col_text(st, 6));
		if (!db_col_null(st, 7))
			out->err.fields = json_loads(db_col_text(st, 7), 0, NULL);
	}
	db_reset(st);
	return GD_OK;
}

static enum gd_status store(struct db *w, const struct idem_key *k, const struct idem_answer *a, int64_t now)
{
	/* an expired row of the same key gives way */
	static const char drop_sql[] = "DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2";
	static const char sql[] =
		"INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, etag, location, error_code,"
		" error_message, error_fields, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(w, drop_sql, &st)))
		return s;
	db_bind_int64(st, 1, k->user_id);
	db_bind_text(st, 2, k->key, -1);
	if ((s = db_run(st)) || (s = db_prepare(w, sql, &st)))
		return s;
	char *fields = a->err.fields ? json_dumps(a->err.fields, JSON_COMPACT) : NULL;
	db_bind_int64(st, 1, k->user_id);
	db_bind_text(st, 2, k->key, -1);
	db_bind_blob(st, 3, k->fingerprint, DIGEST_SHA256_LEN);
	db_bind_int64(st, 4, a->status);
	db_bind_text(st, 5, a->body, -1);
	db_bind_text(st, 6, a->etag[0] ? a->etag : NULL, -1);
	db_bind_text(st, 7, a->location[0] ? a->location : NULL, -1);
	db_bind_text(st, 8, a->body ? NULL : status_slug(a->error), -1);
	db_bind_text(st, 9, a->body || !a->err.message[0] ? NULL : a->err.message, -1);
	db_bind_text(st, 10, fields, -1);
	db_bind_int64(st, 11, now);
	s = db_run(st);
	free(fields);
	return s;
}

/* Whether the job's outcome is an answer to keep: it wrote, or it was
 * refused for what the request said or the ticket's state (4xx). Not when
 * the server could not do its part (5xx): then a retry must try again. */
static bool final(enum gd_status st)
{
	int http = status_http(st);
	return st == GD_OK || (http >= 400 && http < 500);
}

enum gd_status idem_job_run(struct db *w, void *ctx)
{
	struct idem_job *j = ctx;
	int64_t now = time_now();
	enum idem_found found;
	enum gd_status s = idem_find(w, &j->key, now, &found, &j->answer);
	if (s)
		return s;
	if (found != IDEM_NONE) {
		/* the first request with this key committed before this one ran */
		j->outcome = found == IDEM_SAME ? IDEM_REPLAYED : IDEM_MISMATCH;
		return GD_OK;
	}
	/* a refusal leaves nothing of its own behind, only its answer */
	if ((s = db_savepoint(w, j->run, j->ctx, &j->status)))
		return s;
	if (!final(j->status)) {
		j->outcome = IDEM_NOT_STORED;
		return j->status;
	}
	j->describe(j->ctx, j->status, &j->answer);
	if ((s = store(w, &j->key, &j->answer, now))) {
		/* the write goes with it: never one without the other */
		idem_answer_release(&j->answer);
		return s;
	}
	j->outcome = IDEM_STORED;
	return GD_OK;
}

void idem_job_release(struct idem_job *j)
{
	idem_answer_release(&j->answer);
}

enum gd_status idem_purge(struct db *w, int64_t now, int *deleted)
{
	static const char sql[] =
		"DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key FROM idempotency_keys"
		" WHERE created_at <= ?1 ORDER BY created_at LIMIT ?2)";
	struct db_stmt *st;
	enum gd_status s;
	if ((s = db_prepare(w, sql, &st)))
		return s;
	db_bind_int64(st, 1, now - IDEM_TTL_SECONDS);
	db_bind_int64(st, 2, IDEM_PURGE_BATCH);
	if ((s = db_run(st)))
		return s;
	if (deleted)
		*deleted = db_changes(w);
	return GD_OK;
}

struct purge {
	int64_t now;
	int deleted;
};

static enum gd_status purge_run(struct db *w, void *ctx)
{
	struct purge *p = ctx;
	return idem_purge(w, p->now, &p->deleted);
}

static void purge_finish(void *ctx, enum gd_status st)
{
	struct purge *p = ctx;
	if (!st && p->deleted)
		log_at(LOG_DEBUG, "idempotency: %d expired key(s) deleted", p->deleted);
	free(p);
}

void idem_purge_later(int64_t now)
{
	struct purge *p = xcalloc(1, sizeof *p);
	p->now = now;
	db_write_detached(purge_run, p, purge_finish);
}
