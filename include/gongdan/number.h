/* number.h - the one parser of decimal integers that come from outside: ids
 * in paths, numbers in query strings and headers, command-line options. */
#ifndef GD_NUMBER_H
#define GD_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..n) is exactly a decimal integer within [min, max] (then
 * *out is set): ASCII digits, a '-' in front only for negative numbers, no
 * '+', no white space, no leading zeros ("0" itself is fine). n < 0: up to
 * the NUL. */
bool number_parse(const char *s, ptrdiff_t n, int64_t min, int64_t max, int64_t *out);

#endif
