/* gd_err.c - error details carried from core to the web layer. */
#include "gongdan/gd_err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "gongdan/utf8.h"
#include <string.h>

void gd_err_release(struct gd_err *e)
{
	json_decref(e->fields);
	e->fields = NULL;
	e->message[0] = '\0';
}

enum gd_status gd_errf(struct gd_err *e, enum gd_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	utf8_sanitize(e->message); /* a %.Ns may cut inside a character */
	return st;
}

void gd_err_field(struct gd_err *e, const char *name, const char *reason)
{
	if (!e->fields)
		e->fields = json_object();
	json_object_set_new(e->fields, name, json_string(reason));
}

void gd_err_unknown(struct gd_err *e, const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, key);
		if (!ok)
			gd_err_field(e, key, "unknown field");
	}
}

int gd_err_has_fields(const struct gd_err *e)
{
	return e->fields && json_object_size(e->fields) > 0;
}

void gd_err_merge(struct gd_err *dst, struct gd_err *src)
{
	if (src->message[0])
		memcpy(dst->message, src->message, sizeof dst->message);
	if (src->fields && !dst->fields) {
		dst->fields = src->fields;
		src->fields = NULL;
	} else if (src->fields) {
		json_object_update(dst->fields, src->fields);
	}
	gd_err_release(src);
}

void gd_err_move(struct gd_err *dst, struct gd_err *src)
{
	gd_err_release(dst);
	*dst = *src;
	src->fields = NULL;
	src->message[0] = '\0';
}
