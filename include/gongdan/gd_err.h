/* gd_err.h - the details that go with a failing enum gd_status from core:
 * a message and per-field reasons, rendered by the web layer as
 * {"error":{"code","message","fields"}}. Core fills it; api hands it to the
 * request with req_fail(). */
#ifndef GD_ERR_H
#define GD_ERR_H

#include <jansson.h>

#include "gongdan/limits.h"
#include "gongdan/status.h"

struct gd_err {
	char message[GD_CAP_ERROR]; /* "" when the status's default will do */
	json_t *fields;             /* NULL or {"field": "reason"}; owned */
};

#define GD_ERR_INIT {"", NULL}

void gd_err_release(struct gd_err *e);
/* Sets the message; returns st so callers can `return gd_errf(e, st, ...)`. */
enum gd_status gd_errf(struct gd_err *e, enum gd_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds fields[name] = reason. */
void gd_err_field(struct gd_err *e, const char *name, const char *reason);
/* Moves the details of src into dst (dst's are released); src is left empty. */
void gd_err_move(struct gd_err *dst, struct gd_err *src);
/* Adds src's details to dst (src's message, when it has one, replaces
 * dst's; its fields join dst's); src is left empty. */
void gd_err_merge(struct gd_err *dst, struct gd_err *src);
/* Adds fields[key] = "unknown field" for each member of the object obj
 * not named in allowed (a NULL-terminated list). */
void gd_err_unknown(struct gd_err *e, const json_t *obj, const char *const *allowed);
/* True when at least one field error was added. */
int gd_err_has_fields(const struct gd_err *e);

#endif
