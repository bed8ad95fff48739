/* fuzz_text.c - the byte-level parsers of user input: UTF-8 validation and
 * counting, phone-number rules, ISO date parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/gd_time.h"
#include "gongdan/phone.h"
#include "gongdan/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (utf8_valid(s, size))
		(void)utf8_chars(s, size);
	(void)phone_check(s, size);
	char area[5];
	(void)phone_area_code(s, size, area);
	(void)phone_is_mobile(s, size);
	int64_t t;
	(void)time_parse(s, &t);
	free(s);
	return 0;
}
