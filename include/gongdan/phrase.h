/* phrase.h - standard phrases (常用语): short texts agents and handlers insert
 * while writing a description, resolution or summary, optionally tied to a
 * category (and so to everything under it) or to a state. Admins edit them. */
#ifndef GD_PHRASE_H
#define GD_PHRASE_H

#include <jansson.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"

#define PHRASE_TEXT_MAX 500 /* characters */

/* Phrases for a category code and/or state (either may be NULL = any). */
enum gd_status phrase_list(const char *category, const char *state, json_t **out, struct gd_err *e);
struct db;

/* The changes run on w, a connection inside a write transaction (a writer
 * job), and record themselves for who in the admin audit log
 * (admin_audit.h). Creates from {kind, text, category?, state?, sort?};
 * *id_out is the new id. */
enum gd_status phrase_create(struct db *w, const struct principal *who, const json_t *in, int64_t *id_out,
			     struct gd_err *e);
/* Changes the members present in `in`. */
enum gd_status phrase_update(struct db *w, const struct principal *who, int64_t id, const json_t *in,
			     struct gd_err *e);
enum gd_status phrase_delete(struct db *w, const struct principal *who, int64_t id, struct gd_err *e);
/* One phrase as JSON. */
enum gd_status phrase_get(int64_t id, json_t **out);

#endif
