/* idempotency.h - Idempotency-Key (issue 12): the first answer to a keyed
 * request, stored with the write it answers so that a retry gets it again
 * and writes nothing.
 *
 * A key belongs to one user and lasts IDEM_TTL_SECONDS. The request it
 * first came with is remembered as a fingerprint (SHA-256 of the method,
 * the path and the body as canonical JSON): the same key with another
 * request is refused (422), never answered with the other one's answer.
 *
 * The write side is a wrapper around a group-commit job (db.h): inside the
 * writer's transaction it looks the key up first - a retry that arrived
 * while the first was still in flight, or an earlier job of the same batch,
 * is found here, since the writer runs one job at a time - and otherwise
 * runs the job and stores its answer in the same transaction, so the
 * answer is durable exactly when the write is. Outcomes that change
 * nothing because the server could not write (5xx: busy, disk full,
 * stopping, a failed commit) are not stored: a retry tries again.
 */
#ifndef GD_IDEMPOTENCY_H
#define GD_IDEMPOTENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "gongdan/digest.h"
#include "gongdan/gd_err.h"
#include "gongdan/status.h"

struct db;

#define IDEM_KEY_MAX 200            /* characters (printable ASCII) */
#define IDEM_TTL_SECONDS (24 * 3600)
#define IDEM_PURGE_BATCH 1000       /* expired rows deleted per sweep */

/* The key a request carries, and the request it came with. */
struct idem_key {
	bool present;
	int64_t user_id;
	char key[IDEM_KEY_MAX + 1];
	unsigned char fingerprint[DIGEST_SHA256_LEN];
};

/* A stored answer. A success has body (JSON text, owned), else error is
 * the refusal's status with err's message and fields. */
struct idem_answer {
	int status;               /* HTTP status */
	char *body;               /* success: the JSON body; NULL for a refusal */
	char etag[40];            /* "" when none */
	char location[128];       /* "" when none */
	enum gd_status error;     /* a refusal: its status; GD_OK for a success */
	struct gd_err err;
};

void idem_answer_release(struct idem_answer *a);

/* Why text cannot be a key (NULL: it can): 1 to IDEM_KEY_MAX printable
 * ASCII characters (space to '~'). */
const char *idem_key_problem(const char *text);
/* The fingerprint of a request: method, path and body (any JSON value; its
 * members sorted, so key order and white space do not matter). */
void idem_fingerprint(const char *method, const char *path, const json_t *body,
		      unsigned char out[DIGEST_SHA256_LEN]);

enum idem_found { IDEM_NONE, IDEM_SAME, IDEM_OTHER };
/* Looks k up among the unexpired keys (on a reader or the writer):
 * IDEM_SAME fills *out (release it), IDEM_OTHER means the key answered
 * another request. */
enum gd_status idem_find(struct db *d, const struct idem_key *k, int64_t now, enum idem_found *found,
			 struct idem_answer *out);

/* A keyed job. The caller fills key, run, ctx and answer, submits
 * idem_job_run with it (any job's run function), and after the commit reads
 * outcome: IDEM_STORED / IDEM_REPLAYED answer with `answer`, IDEM_MISMATCH
 * with 422, IDEM_NOT_STORED with what the job itself said (status). */
enum idem_outcome { IDEM_NOT_STORED, IDEM_STORED, IDEM_REPLAYED, IDEM_MISMATCH };
struct idem_job {
	struct idem_key key;
	enum gd_status (*run)(struct db *w, void *ctx); /* the write the key guards */
	void *ctx;
	/* describes the job's outcome st (GD_OK or a refusal) as the answer to
	 * store; runs on the writer thread, inside the transaction */
	void (*describe)(void *ctx, enum gd_status st, struct idem_answer *out);
	enum gd_status status;  /* what run returned */
	enum idem_outcome outcome;
	struct idem_answer answer;
};
/* The db_job run function of a keyed job (ctx: struct idem_job). */
enum gd_status idem_job_run(struct db *w, void *ctx);
void idem_job_release(struct idem_job *j);

/* Deletes keys older than IDEM_TTL_SECONDS, at most IDEM_PURGE_BATCH
 * (inside the caller's write transaction); *deleted may be NULL. */
enum gd_status idem_purge(struct db *w, int64_t now, int *deleted);
/* Queues idem_purge on the writer, nobody waiting (serve's periodic work). */
void idem_purge_later(int64_t now);

#endif
