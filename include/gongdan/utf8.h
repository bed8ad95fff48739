/* utf8.h - UTF-8 checks. Lengths users see count Unicode characters. */
#ifndef GD_UTF8_H
#define GD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL byte. */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n). */
size_t utf8_chars(const char *s, size_t n);
/* Decodes one code point at s (n bytes available); returns its byte length,
 * or 0 when malformed. */
size_t utf8_decode(const char *s, size_t n, unsigned *cp);

/* Replaces in place every byte that is not part of valid UTF-8 (e.g. a
 * character cut by a "%.40s" in a message) with '?'. */
void utf8_sanitize(char *s);

#endif
