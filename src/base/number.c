/* number.c - strict decimal integers (number.h): one spelling per number, so
 * "5", "+5", " 5" and "05" never mean different things in different places. */
#include "gongdan/number.h"

#include <string.h>

bool number_parse(const char *s, ptrdiff_t n, int64_t min, int64_t max, int64_t *out)
{
	if (!s)
		return false;
	size_t len = n < 0 ? strlen(s) : (size_t)n;
	size_t i = 0;
	bool negative = len > 0 && s[0] == '-';
	if (negative)
		i++;
	if (i == len || len - i > 19 || (s[i] == '0' && len - i > 1) || (negative && s[i] == '0'))
		return false;
	/* accumulated as a negative number: INT64_MIN has no positive twin */
	int64_t v = 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		int d = s[i] - '0';
		if (v < (INT64_MIN + d) / 10)
			return false;
		v = v * 10 - d;
	}
	if (!negative) {
		if (v == INT64_MIN)
			return false;
		v = -v;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}
