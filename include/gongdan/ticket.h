/* ticket.h - complaint tickets (SPEC §4): create, edit a draft, read, list
 * and search. State changes go through the workflow engine (workflow.h),
 * the only writer of tickets.state. */
#ifndef GD_TICKET_H
#define GD_TICKET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/history.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"
#include "gongdan/strbuf.h"

struct db;

#define TICKET_NUMBER_MAX 32
#define TICKET_SUBJECT_MAX 100      /* characters */
#define TICKET_DESCRIPTION_MAX 4000 /* characters */
#define TICKET_CUSTOMER_MAX 50      /* characters */
#define TICKET_REPEAT_DAYS 30
#define TICKET_REPEAT_CAP 100       /* repeat_count counts at most this many */

/* What the engine needs of a ticket. */
struct ticket_row {
	int64_t id;
	char number[TICKET_NUMBER_MAX];
	char state[24];
	int64_t category_id;
	int64_t department_id;  /* 0: none */
	int64_t assignee_id;    /* 0: none */
	int64_t created_by;
	int64_t version;
	int64_t deadline;       /* 0: none */
	bool overdue;
	char priority[16];
	char fault_number[24];
	int64_t submitted_at;   /* 0: never submitted */
	int64_t closed_at;      /* 0: open */
	char closed_by[16];     /* the action that closed it, "" while open */
	int satisfaction;       /* 0: not given */
	int64_t urge_count;
	int sla_hours;          /* of its category */
	int64_t created_at;
	char region[72];       /* region code (at most 16 characters) */
	int64_t repeat_count;
};

/* Loads the row by number; GD_E_NOT_FOUND when absent or invisible to who
 * (who may be NULL for the server itself). */
enum gd_status ticket_load(struct db *d, const struct principal *who, const char *number, struct ticket_row *out);

/* Creates a draft owned by who from a JSON object of ticket fields; with
 * "submit": true it is submitted in the same transaction. */
enum gd_status ticket_create(const struct principal *who, const json_t *in, char number[TICKET_NUMBER_MAX],
			     struct gd_err *e);

/* The same in two steps, for group commit: prepare validates (reads only,
 * on the caller's thread) and returns a job; write runs it inside the
 * writer's transaction (a db_job run function). The job holds the new
 * number and any error details; free it with ticket_create_job_free. */
enum gd_status ticket_create_prepare(const struct principal *who, const json_t *in, void **job, struct gd_err *e);
enum gd_status ticket_create_write(struct db *w, void *job);
/* What ticket_create_write does without rendering the answer: inserts the
 * ticket (and submits it when asked) inside the caller's write transaction;
 * *out (may be NULL) is the engine's view of the new row, *chain (may be
 * NULL) the end of its history after the creation row (before any submit). */
enum gd_status ticket_create_insert(struct db *w, void *job, struct ticket_row *out, struct history_chain *chain);
const char *ticket_create_job_number(const void *job);
/* The texts the job writes (for the bulk loader's full-text index);
 * description and fields may be NULL. */
void ticket_create_job_texts(const void *job, const char **subject, const char **description, const char **fields);
struct gd_err *ticket_create_job_err(void *job);
/* The created ticket as its creator sees it (ownership moves to the caller). */
json_t *ticket_create_job_result(void *job, int64_t *version);
void ticket_create_job_free(void *job);

/* Edits a draft (creator only), in two steps like creation: prepare copies
 * the request into a job, write runs it in the writer's transaction and
 * renders the result. if_match < 0: no precondition. An edit that changes
 * no value writes nothing (no version, no history row) and answers the
 * ticket as it is. */
void *ticket_patch_prepare(const struct principal *who, const char *number, const json_t *in, int64_t if_match);
enum gd_status ticket_patch_write(struct db *w, void *job);
struct gd_err *ticket_patch_job_err(void *job);
/* The ticket after the edit, as its editor sees it (ownership moves). */
json_t *ticket_patch_job_result(void *job, int64_t *version);
void ticket_patch_job_free(void *job);

/* The ticket as JSON, with allowed_actions for who. */
enum gd_status ticket_get(const struct principal *who, const char *number, json_t **out, int64_t *version,
			  struct gd_err *e);

/* Checks every field of the stored ticket, required extra fields included
 * (the engine calls it for actions flagged requires_complete, e.g. submit). */
enum gd_status ticket_check_complete(struct db *d, const struct ticket_row *t, struct gd_err *e);

/* The ticket with this id as JSON for who, with allowed_actions; *version
 * for the ETag. No visibility check (the write jobs answer their actor). */
enum gd_status ticket_render(struct db *d, const struct principal *who, int64_t id, json_t **out, int64_t *version);
/* The texts a search highlights, copied (free each). */
struct ticket_texts {
	char *subject, *description, *fields;
};

/* A list item as JSON text: its members, comma-separated, without the
 * braces (a list adds its own members, e.g. highlight); the same values as
 * ticket_render, without allowed_actions (open the ticket for them). texts
 * (may be NULL) gets the texts to highlight. */
enum gd_status ticket_write_item(struct db *d, int64_t id, struct strbuf *out, struct ticket_texts *texts);

#endif
