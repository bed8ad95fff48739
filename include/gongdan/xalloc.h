/* xalloc.h - allocation that never returns NULL: out of memory aborts with a
 * message (as redis's zmalloc and git's xmalloc do), and GD_ASSERT, an
 * always-on invariant check. Never use GD_ASSERT for input validation. */
#ifndef GD_XALLOC_H
#define GD_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Logs file:line and the failed expression, then aborts. */
_Noreturn void gd_assert_fail(const char *expr, const char *file, int line);
#define GD_ASSERT(e) ((e) ? (void)0 : gd_assert_fail(#e, __FILE__, __LINE__))

#endif
