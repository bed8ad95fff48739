/* fuzz_fields.c - the field-schema language and its validator on arbitrary
 * JSON: input is "schema\0values"; neither may crash, leak or misreport. */
#include <stdint.h>
#include <string.h>

#include "gongdan/fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *sep = memchr(text, '\0', size);
	size_t n1 = sep ? (size_t)(sep - text) : size;
	json_t *schema = json_loadb(text, n1, 0, NULL);
	json_t *values = sep ? json_loadb(sep + 1, size - n1 - 1, 0, NULL) : NULL;
	struct gd_err e = GD_ERR_INIT;
	if (schema && fields_schema_check(schema, &e) == GD_OK) {
		fields_validate(schema, values, true, &e);
		fields_validate(schema, values, false, &e);
	}
	gd_err_release(&e);
	json_decref(schema);
	json_decref(values);
	return 0;
}
