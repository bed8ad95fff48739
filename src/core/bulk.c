/* bulk.c - one workflow action on a list of tickets, in one group-commit
 * job, each ticket in its own savepoint (bulk.h). */
#include "gongdan/bulk.h"

#include <stdlib.h>
#include <string.h>

#include "gongdan/db.h"
#include "gongdan/workflow.h"
#include "gongdan/xalloc.h"

struct bulk_job {
	struct principal who;
	char *action;
	json_t *inputs; /* a private copy: the writer thread reads it */
	struct bulk_ticket *items;
	size_t n;
	json_t *results;
	size_t done, skipped;
	struct gd_err e; /* why the whole job failed */
};

/* The refusals a ticket is skipped for; any other failure fails the job. */
static const struct {
	enum gd_status status;
	const char *reason;
} skip_reasons[] = {
	{GD_E_NOT_FOUND, "not_found"},	{GD_E_PRECONDITION, "stale_version"}, {GD_E_FORBIDDEN, "not_allowed"},
	{GD_E_CONFLICT, "not_allowed"}, {GD_E_VALIDATION, "invalid"},	      {GD_E_BAD_REQUEST, "invalid"},
};

static const char *skip_reason(enum gd_status st)
{
	for (size_t i = 0; i < sizeof skip_reasons / sizeof skip_reasons[0]; i++)
		if (skip_reasons[i].status == st)
			return skip_reasons[i].reason;
	return NULL;
}

void *bulk_prepare(const struct principal *who, const char *action, const json_t *inputs,
		   const struct bulk_ticket *items, size_t n)
{
	GD_ASSERT(n > 0 && n <= GD_MAX_BULK_TICKETS);
	struct bulk_job *j = xcalloc(1, sizeof *j);
	j->who = *who;
	j->action = xstrdup(action);
	j->inputs = inputs ? json_deep_copy(inputs) : json_object();
	j->items = xmalloc(n * sizeof *j->items);
	memcpy(j->items, items, n * sizeof *j->items);
	j->n = n;
	return j;
}

/* One ticket of the list, run inside its savepoint. */
struct one {
	const struct bulk_job *j;
	const struct bulk_ticket *item;
	struct ticket_row t;
	struct gd_err e;
};

static enum gd_status apply_one(struct db *w, void *ctx)
{
	struct one *o = ctx;
	return wf_act_on(w, &o->j->who, o->item->number, o->j->action, o->j->inputs, o->item->if_match, &o->t, &o->e);
}

static json_t *done_result(const struct one *o)
{
	return json_pack("{s:s, s:s, s:I, s:s}", "number", o->item->number, "status", "done", "version",
			 (json_int_t)o->t.version, "state", o->t.state);
}

static json_t *skipped_result(struct one *o, enum gd_status st, const char *reason)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s}", "number", o->item->number, "status", "skipped", "reason", reason,
			      "message", o->e.message[0] ? o->e.message : status_message(st));
	if (o->e.fields)
		json_object_set(r, "fields", o->e.fields);
	return r;
}

enum gd_status bulk_write(struct db *w, void *ctx)
{
	struct bulk_job *j = ctx;
	json_decref(j->results);
	j->results = json_array();
	j->done = j->skipped = 0;
	for (size_t i = 0; i < j->n; i++) {
		struct one o = {.j = j, .item = &j->items[i], .e = GD_ERR_INIT};
		enum gd_status st, s = db_savepoint(w, apply_one, &o, &st);
		const char *reason = st ? skip_reason(st) : NULL;
		if (!s && st && !reason)
			s = st; /* the server could not do its part: nothing of the list is kept */
		if (s) {
			gd_err_move(&j->e, &o.e);
			return s;
		}
		if (reason)
			j->skipped++;
		else
			j->done++;
		json_array_append_new(j->results, reason ? skipped_result(&o, st, reason) : done_result(&o));
		gd_err_release(&o.e);
	}
	return GD_OK;
}

json_t *bulk_job_result(void *ctx)
{
	struct bulk_job *j = ctx;
	if (!j->results)
		return NULL;
	json_t *out = json_pack("{s:s, s:I, s:I, s:o}", "action", j->action, "done", (json_int_t)j->done, "skipped",
				(json_int_t)j->skipped, "results", j->results);
	j->results = NULL;
	return out;
}

struct gd_err *bulk_job_err(void *ctx)
{
	return &((struct bulk_job *)ctx)->e;
}

void bulk_job_free(void *ctx)
{
	struct bulk_job *j = ctx;
	if (!j)
		return;
	json_decref(j->inputs);
	json_decref(j->results);
	gd_err_release(&j->e);
	free(j->items);
	free(j->action);
	free(j);
}
