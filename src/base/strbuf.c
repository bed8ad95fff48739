/* strbuf.c - growable capped byte buffer. */
#include "gongdan/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/xalloc.h"

void strbuf_init(struct strbuf *sb, size_t cap)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	sb->cap = cap;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb, sb->cap);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	if (len)
		*len = sb->len;
	strbuf_init(sb, sb->cap);
	return p;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static enum gd_status grow(struct strbuf *sb, size_t extra)
{
	if (extra > sb->cap || sb->len > sb->cap - extra)
		return GD_E_TOO_LARGE;
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return GD_OK;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	sb->buf = xrealloc(sb->buf, n);
	sb->alloc = n;
	return GD_OK;
}

enum gd_status strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	enum gd_status st = grow(sb, n);
	if (st)
		return st;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return GD_OK;
}

enum gd_status strbuf_adds(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

enum gd_status strbuf_addch(struct strbuf *sb, char c)
{
	return strbuf_add(sb, &c, 1);
}

enum gd_status strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return GD_E_INTERNAL;
	enum gd_status st = grow(sb, (size_t)n);
	if (st)
		return st;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return GD_OK;
}

enum gd_status strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum gd_status st = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return st;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

enum gd_status strbuf_read_file(struct strbuf *sb, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return GD_E_NOT_FOUND;
	char chunk[8192];
	size_t n;
	enum gd_status st = GD_OK;
	while (!st && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		st = strbuf_add(sb, chunk, n);
	if (!st && ferror(f))
		st = GD_E_NOT_FOUND;
	fclose(f);
	return st;
}
