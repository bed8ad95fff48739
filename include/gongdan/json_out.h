/* json_out.h - JSON text written straight into a strbuf, for the hot lists
 * that would otherwise build a tree of jansson values only to dump it.
 * Strings are escaped as jansson's json_dumps escapes them without
 * JSON_ENSURE_ASCII (", \, and control characters; UTF-8 as it is), so the
 * text parses to what the jansson path would give. */
#ifndef GD_JSON_OUT_H
#define GD_JSON_OUT_H

#include "gongdan/status.h"
#include "gongdan/strbuf.h"

/* A string ("…" escaped), or null for NULL. */
enum gd_status json_out_string(struct strbuf *sb, const char *s);
/* "key": preceded by a comma unless first. */
enum gd_status json_out_key(struct strbuf *sb, const char *key, int first);

#endif
