/* fields.c - the extra-field schema language (fields.h): checking a schema,
 * and validating a ticket's "fields" object against one. */
#include "gongdan/fields.h"

#include <stdbool.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gongdan/limits.h"
#include "gongdan/phone.h"
#include "gongdan/utf8.h"

enum field_type {
	FIELD_TEXT,
	FIELD_PHONE,
	FIELD_YESNO,
	FIELD_CHOICE,
	FIELD_NUMBER,
};

static const char *const type_names[] = {
	[FIELD_TEXT] = "text",
	[FIELD_PHONE] = "phone",
	[FIELD_YESNO] = "yesno",
	[FIELD_CHOICE] = "choice",
	[FIELD_NUMBER] = "number",
};
#define FIELD_TYPE_COUNT (sizeof(type_names) / sizeof(type_names[0]))

static const char *const member_names[] = {
	"name", "label", "type", "required", "max", "min", "options", "help",
};
#define MEMBER_COUNT (sizeof(member_names) / sizeof(member_names[0]))

/* One field of a checked schema; the pointers borrow from the schema. */
struct field {
	const char *name;
	enum field_type type;
	int required;
	size_t text_max;        /* text: characters */
	const json_t *min;      /* number: bound or NULL */
	const json_t *max;      /* number: bound or NULL */
	const json_t *options;  /* choice: array of strings */
};

/* Longest user-controlled text quoted in a message or an error key, bytes. */
#define QUOTE_MAX 48
/* "fields." + a quoted name + "…" + NUL */
#define ERROR_KEY_SIZE (sizeof("fields.") + QUOTE_MAX + sizeof("\xe2\x80\xa6"))

/* The byte length of the longest prefix of s[0..n) that is at most max
 * bytes and does not split a UTF-8 sequence. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

__attribute__((format(printf, 2, 3)))
static enum gd_status fail(struct gd_err *e, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->message, sizeof e->message, fmt, ap);
		va_end(ap);
		utf8_sanitize(e->message); /* a quoted name may be cut inside a character */
	}
	return GD_E_VALIDATION;
}

static int is_text(const json_t *v)
{
	return json_is_string(v)
		&& utf8_valid(json_string_value(v), json_string_length(v));
}

static size_t text_chars(const json_t *v)
{
	return utf8_chars(json_string_value(v), json_string_length(v));
}

static int text_equals(const json_t *v, const char *s, size_t n)
{
	return json_string_length(v) == n && memcmp(json_string_value(v), s, n) == 0;
}

static int valid_name(const json_t *v)
{
	if (!json_is_string(v))
		return 0;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n < 1 || n > GD_FIELDS_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

static int known_member(const char *key, size_t len)
{
	for (size_t i = 0; i < MEMBER_COUNT; i++)
		if (strlen(member_names[i]) == len && memcmp(member_names[i], key, len) == 0)
			return 1;
	return 0;
}

/* <0, 0, >0 as a < b, a == b, a > b; exact for two integers. */
static int number_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	double x = json_number_value(a), y = json_number_value(b);
	return (x > y) - (x < y);
}

static void number_format(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		snprintf(buf, len, "%.15g", json_real_value(v));
}

/* Checks schema[i] and fills *f. */
static enum gd_status field_parse(const json_t *obj, size_t i, struct field *f, struct gd_err *e)
{
	if (!json_is_object(obj))
		return fail(e, "schema[%zu]: must be an object", i);

	json_t *o = (json_t *)obj; /* Jansson's iterators take no const */
	for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		if (!known_member(key, klen))
			return fail(e, "schema[%zu]: unknown member \"%.*s\"", i,
				    (int)utf8_prefix(key, klen, QUOTE_MAX), key);
	}

	const json_t *name = json_object_get(obj, "name");
	if (!valid_name(name))
		return fail(e,
			    "schema[%zu].name: required, must match [a-z][a-z0-9_]{0,39}", i);
	f->name = json_string_value(name);

	const json_t *label = json_object_get(obj, "label");
	if (!is_text(label) || json_string_length(label) == 0
	    || text_chars(label) > GD_FIELDS_LABEL_MAX)
		return fail(e,
			    "schema[%zu].label: required, a string of 1 to %d characters",
			    i, GD_FIELDS_LABEL_MAX);

	const json_t *type = json_object_get(obj, "type");
	size_t t = FIELD_TYPE_COUNT;
	if (json_is_string(type))
		for (t = 0; t < FIELD_TYPE_COUNT; t++)
			if (text_equals(type, type_names[t], strlen(type_names[t])))
				break;
	if (t == FIELD_TYPE_COUNT)
		return fail(e,
			    "schema[%zu].type: must be one of text, phone, yesno, choice, number", i);
	f->type = (enum field_type)t;

	const json_t *required = json_object_get(obj, "required");
	if (required && !json_is_boolean(required))
		return fail(e, "schema[%zu].required: must be true or false", i);
	f->required = json_is_true(required);

	const json_t *max = json_object_get(obj, "max");
	const json_t *min = json_object_get(obj, "min");
	f->text_max = GD_FIELDS_TEXT_DEFAULT;
	f->min = f->max = NULL;
	if (max && f->type != FIELD_TEXT && f->type != FIELD_NUMBER)
		return fail(e, "schema[%zu].max: only for text and number fields", i);
	if (min && f->type != FIELD_NUMBER)
		return fail(e, "schema[%zu].min: only for number fields", i);
	if (f->type == FIELD_TEXT && max) {
		if (!json_is_integer(max) || json_integer_value(max) < 1
		    || json_integer_value(max) > GD_FIELDS_TEXT_LIMIT)
			return fail(e,
				    "schema[%zu].max: must be an integer from 1 to %d",
				    i, GD_FIELDS_TEXT_LIMIT);
		f->text_max = (size_t)json_integer_value(max);
	}
	if (f->type == FIELD_NUMBER) {
		if (max && !json_is_number(max))
			return fail(e, "schema[%zu].max: must be a number", i);
		if (min && !json_is_number(min))
			return fail(e, "schema[%zu].min: must be a number", i);
		if (min && max && number_cmp(min, max) > 0)
			return fail(e, "schema[%zu]: min is greater than max", i);
		f->min = min;
		f->max = max;
	}

	const json_t *options = json_object_get(obj, "options");
	f->options = NULL;
	if (options && f->type != FIELD_CHOICE)
		return fail(e, "schema[%zu].options: only for choice fields", i);
	if (f->type == FIELD_CHOICE) {
		size_t n = json_array_size(options);
		if (!json_is_array(options) || n == 0 || n > GD_FIELDS_OPTIONS_MAX)
			return fail(e,
				    "schema[%zu].options: required, an array of 1 to %d strings",
				    i, GD_FIELDS_OPTIONS_MAX);
		for (size_t k = 0; k < n; k++) {
			const json_t *opt = json_array_get(options, k);
			if (!is_text(opt) || json_string_length(opt) == 0
			    || text_chars(opt) > GD_FIELDS_OPTION_CHARS)
				return fail(e,
					    "schema[%zu].options[%zu]: must be a string of 1 to %d characters",
					    i, k, GD_FIELDS_OPTION_CHARS);
			for (size_t j = 0; j < k; j++)
				if (json_equal(json_array_get(options, j), opt))
					return fail(e,
						    "schema[%zu].options[%zu]: duplicate option", i, k);
		}
		f->options = options;
	}

	const json_t *help = json_object_get(obj, "help");
	if (help && (!is_text(help) || text_chars(help) > GD_FIELDS_HELP_MAX))
		return fail(e, "schema[%zu].help: must be a string of at most %d characters",
			    i, GD_FIELDS_HELP_MAX);
	return GD_OK;
}

/* Checks schema (NULL: empty) and fills defs[0..*count). */
static enum gd_status schema_parse(const json_t *schema, struct field defs[GD_FIELDS_MAX],
				   size_t *count, struct gd_err *e)
{
	enum gd_status st;
	*count = 0;
	if (!schema)
		return GD_OK;
	if (!json_is_array(schema))
		return fail(e, "schema: must be an array");
	size_t n = json_array_size(schema);
	if (n > GD_FIELDS_MAX)
		return fail(e, "schema: at most %d fields", GD_FIELDS_MAX);
	for (size_t i = 0; i < n; i++) {
		if ((st = field_parse(json_array_get(schema, i), i, &defs[i], e)))
			return st;
		for (size_t j = 0; j < i; j++)
			if (strcmp(defs[j].name, defs[i].name) == 0)
				return fail(e, "schema[%zu].name: duplicate \"%s\"",
					    i, defs[i].name);
	}
	*count = n;
	return GD_OK;
}

enum gd_status fields_schema_check(const json_t *schema, struct gd_err *e)
{
	struct field defs[GD_FIELDS_MAX];
	size_t count;
	if (!schema)
		return fail(e, "schema: must be an array");
	return schema_parse(schema, defs, &count, e);
}

/* Sets the field error "fields.<name>" = reason, the name shortened if need be. */
static void add_error(struct gd_err *e, const char *name, size_t len, const char *reason, size_t *added)
{
	char key[ERROR_KEY_SIZE];
	size_t keep = utf8_prefix(name, len, QUOTE_MAX);
	snprintf(key, sizeof(key), "fields.%.*s%s", (int)keep, name,
		 keep < len ? "\xe2\x80\xa6" : "");
	gd_err_field(e, key, reason);
	(*added)++;
}

/* "must be one of: a, b, c", shortened with "…" when the list is long. */
static void choice_reason(const json_t *options, char *buf, size_t len)
{
	static const char ellipsis[] = ", \xe2\x80\xa6";
	size_t used = (size_t)snprintf(buf, len, "must be one of: ");
	size_t n = json_array_size(options);
	for (size_t k = 0; k < n; k++) {
		const json_t *opt = json_array_get(options, k);
		size_t sep = k ? 2 : 0;
		size_t olen = json_string_length(opt);
		size_t room = len - used - 1;
		/* leave space for the ellipsis unless this is the last option */
		size_t reserve = k + 1 < n ? sizeof(ellipsis) - 1 : 0;
		if (sep + olen + reserve > room) {
			const char *tail = k ? ellipsis : ellipsis + 2;
			snprintf(buf + used, len - used, "%s", tail);
			return;
		}
		memcpy(buf + used, ", ", sep);
		memcpy(buf + used + sep, json_string_value(opt), olen);
		used += sep + olen;
		buf[used] = '\0';
	}
}

/* The reason value v (present) breaks f, or NULL; buf holds built reasons. */
static const char *value_reason(const struct field *f, const json_t *v, char *buf, size_t len)
{
	switch (f->type) {
	case FIELD_TEXT:
		if (!json_is_string(v))
			return "must be a string";
		if (!is_text(v))
			return "must be valid UTF-8 text without NUL";
		if (text_chars(v) > f->text_max) {
			snprintf(buf, len, "at most %zu characters", f->text_max);
			return buf;
		}
		return NULL;
	case FIELD_PHONE:
		if (!json_is_string(v))
			return "must be a string";
		return phone_check(json_string_value(v), json_string_length(v));
	case FIELD_YESNO:
		if (json_is_string(v) && (text_equals(v, "yes", 3) || text_equals(v, "no", 2)))
			return NULL;
		return "must be \"yes\" or \"no\"";
	case FIELD_CHOICE:
		if (json_is_string(v))
			for (size_t k = 0; k < json_array_size(f->options); k++)
				if (json_equal(json_array_get(f->options, k), v))
					return NULL;
		choice_reason(f->options, buf, len);
		return buf;
	case FIELD_NUMBER: {
		char num[64];
		if (!json_is_number(v))
			return "must be a number";
		if (f->min && number_cmp(v, f->min) < 0) {
			number_format(f->min, num, sizeof(num));
			snprintf(buf, len, "must be at least %s", num);
			return buf;
		}
		if (f->max && number_cmp(v, f->max) > 0) {
			number_format(f->max, num, sizeof(num));
			snprintf(buf, len, "must be at most %s", num);
			return buf;
		}
		return NULL;
	}
	}
	return "invalid";
}

static int is_absent(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

static int schema_has(const struct field *defs, size_t count, const char *key, size_t klen)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(defs[i].name) == klen && memcmp(defs[i].name, key, klen) == 0)
			return 1;
	return 0;
}

enum gd_status fields_validate(const json_t *schema, const json_t *values, bool require, struct gd_err *e)
{
	struct field defs[GD_FIELDS_MAX];
	size_t count, added = 0;
	char buf[GD_CAP_ERROR];

	if (!e)
		return GD_E_INTERNAL;
	if (schema_parse(schema, defs, &count, NULL))
		return GD_E_INTERNAL;
	if (values && json_is_null(values))
		values = NULL;
	if (values && !json_is_object(values)) {
		gd_err_field(e, "fields", "must be an object");
		return GD_E_VALIDATION;
	}

	for (size_t i = 0; i < count; i++) {
		const struct field *f = &defs[i];
		const json_t *v = values ? json_object_get(values, f->name) : NULL;
		const char *reason;
		if (is_absent(v))
			reason = f->required && require ? "required" : NULL;
		else
			reason = value_reason(f, v, buf, sizeof(buf));
		if (reason)
			add_error(e, f->name, strlen(f->name), reason, &added);
	}

	if (values) {
		size_t unknown = 0;
		json_t *o = (json_t *)values; /* Jansson's iterators take no const */
		for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
			const char *key = json_object_iter_key(it);
			size_t klen = json_object_iter_key_len(it);
			if (schema_has(defs, count, key, klen))
				continue;
			if (++unknown > GD_FIELDS_UNKNOWN_MAX) {
				gd_err_field(e, "fields", "too many unknown fields");
				added++;
				break;
			}
			add_error(e, key, klen, "unknown field", &added);
		}
	}
	return added ? GD_E_VALIDATION : GD_OK;
}
