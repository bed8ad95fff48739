/* strbuf.h - a growable NUL-terminated byte buffer with a hard cap (git's
 * strbuf, curl's dynbuf). Every append that would pass the cap fails with
 * GD_E_TOO_LARGE and leaves the buffer as it was.
 *
 *   struct strbuf sb = STRBUF_INIT(GD_CAP_BODY);
 *   strbuf_addf(&sb, "%d tickets", n);
 *   ... sb.buf, sb.len ...
 *   strbuf_release(&sb);
 */
#ifndef GD_STRBUF_H
#define GD_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "gongdan/status.h"

struct strbuf {
	char *buf;    /* NULL until the first append; then always NUL-terminated */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len */
};

#define STRBUF_INIT(capacity) {NULL, 0, 0, (capacity)}

void strbuf_init(struct strbuf *sb, size_t cap);
/* Frees the contents; sb can be reused after strbuf_init. */
void strbuf_release(struct strbuf *sb);
/* Hands the buffer to the caller (who frees it) and empties sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);

enum gd_status strbuf_add(struct strbuf *sb, const void *data, size_t n);
enum gd_status strbuf_adds(struct strbuf *sb, const char *s);
enum gd_status strbuf_addch(struct strbuf *sb, char c);
enum gd_status strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum gd_status strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Appends the whole file at path; GD_E_NOT_FOUND when it cannot be read,
 * GD_E_TOO_LARGE past the cap (git's strbuf_read_file). */
enum gd_status strbuf_read_file(struct strbuf *sb, const char *path);
/* Returns the contents, "" when empty (never NULL). */
const char *strbuf_str(const struct strbuf *sb);

#endif
