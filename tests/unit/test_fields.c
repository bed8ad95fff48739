/* test_fields.c - unit tests of the extra-field schema language (fields.h):
 * schema_check() and validate(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/fields.h"
#include "gongdan/utf8.h"

/* The 网络质量 leaves' schema, as seeded by sql/0003_categories.sql. */
static const char network_schema[] =
	"[{\"name\":\"symptom\",\"label\":\"故障现象\",\"type\":\"text\",\"required\":true,\"max\":500},"
	" {\"name\":\"calling_number\",\"label\":\"主叫号码\",\"type\":\"phone\",\"required\":true},"
	" {\"name\":\"called_number\",\"label\":\"被叫号码\",\"type\":\"phone\",\"required\":true},"
	" {\"name\":\"announcement\",\"label\":\"听到的提示音\",\"type\":\"text\",\"required\":true,\"max\":200},"
	" {\"name\":\"location\",\"label\":\"故障地点\",\"type\":\"text\",\"required\":true,\"max\":200},"
	" {\"name\":\"tried_other_device\",\"label\":\"是否换卡/换机试过\",\"type\":\"yesno\",\"required\":true},"
	" {\"name\":\"persists_after_restart\",\"label\":\"开关机后是否依旧\",\"type\":\"yesno\",\"required\":true},"
	" {\"name\":\"handset_model\",\"label\":\"手机型号\",\"type\":\"text\",\"required\":true,\"max\":100}]";

/* One field of each type, all optional. */
static const char mixed_schema[] =
	"[{\"name\":\"note\",\"label\":\"备注\",\"type\":\"text\"},"
	" {\"name\":\"short\",\"label\":\"简述\",\"type\":\"text\",\"max\":5},"
	" {\"name\":\"contact\",\"label\":\"联系电话\",\"type\":\"phone\"},"
	" {\"name\":\"tried\",\"label\":\"是否试过\",\"type\":\"yesno\",\"help\":\"问用户\"},"
	" {\"name\":\"mode\",\"label\":\"网络\",\"type\":\"choice\",\"options\":[\"3G\",\"2G\",\"无信号\"]},"
	" {\"name\":\"amount\",\"label\":\"金额\",\"type\":\"number\",\"min\":0,\"max\":100},"
	" {\"name\":\"ratio\",\"label\":\"比例\",\"type\":\"number\",\"min\":-1.5,\"max\":2.5},"
	" {\"name\":\"any\",\"label\":\"任意数\",\"type\":\"number\"}]";

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON (%s): %s", e.text, text);
	return j;
}

/* fields_validate with the reasons copied into the object errors (NULL:
 * no struct gd_err at all), so the tests read them as {"key": "reason"}.
 * What errors already holds is in e before the call, as a caller's would. */
static enum gd_status validate(const json_t *schema, const json_t *values, bool require, json_t *errors)
{
	struct gd_err e = GD_ERR_INIT;
	if (errors && json_object_size(errors))
		e.fields = json_deep_copy(errors);
	enum gd_status st = fields_validate(schema, values, require, errors ? &e : NULL);
	if (errors && e.fields)
		json_object_update(errors, e.fields);
	gd_err_release(&e);
	return st;
}

/* fields_schema_check with the message copied into err. */
static enum gd_status schema_check(const json_t *schema, char *err, size_t errlen)
{
	struct gd_err e = GD_ERR_INIT;
	enum gd_status st = fields_schema_check(schema, err ? &e : NULL);
	if (err)
		snprintf(err, errlen, "%s", e.message);
	gd_err_release(&e);
	return st;
}

/* Validates values_text against schema_text; returns the errors object. */
static json_t *run(const char *schema_text, const char *values_text, enum gd_status want)
{
	json_t *schema = load(schema_text);
	json_t *values = values_text ? load(values_text) : NULL;
	json_t *errors = json_object();
	enum gd_status st = validate(schema, values, true, errors);
	if (st != want) {
		char *dump = json_dumps(errors, JSON_COMPACT);
		fail_msg("status %d, want %d; values %s; errors %s", st, want,
			 values_text ? values_text : "NULL", dump);
	}
	json_decref(schema);
	json_decref(values);
	return errors;
}

static void assert_error(const json_t *errors, const char *key, const char *reason)
{
	const json_t *v = json_object_get(errors, key);
	if (!json_is_string(v)) {
		char *dump = json_dumps(errors, JSON_COMPACT);
		fail_msg("no error \"%s\" in %s", key, dump);
	}
	if (reason && strcmp(json_string_value(v), reason) != 0)
		fail_msg("errors[\"%s\"] = \"%s\", want \"%s\"", key, json_string_value(v), reason);
}

/* Validates {"<name>": <value_json>} against mixed_schema and expects either
 * no error (reason NULL) or errors["fields.<name>"] == reason. */
static void one(const char *name, const char *value_json, const char *reason)
{
	char values[8192];
	snprintf(values, sizeof(values), "{\"%s\": %s}", name, value_json);
	json_t *errors = run(mixed_schema, values, reason ? GD_E_VALIDATION : GD_OK);
	if (reason) {
		char key[64];
		snprintf(key, sizeof(key), "fields.%s", name);
		assert_error(errors, key, reason);
		assert_int_equal(json_object_size(errors), 1);
	} else {
		assert_int_equal(json_object_size(errors), 0);
	}
	json_decref(errors);
}

/* A JSON string literal of n copies of the UTF-8 character c. */
static char *repeat_json(const char *c, size_t n)
{
	size_t cl = strlen(c);
	char *s = malloc(n * cl + 3);
	assert_non_null(s);
	s[0] = '"';
	for (size_t i = 0; i < n; i++)
		memcpy(s + 1 + i * cl, c, cl);
	s[1 + n * cl] = '"';
	s[2 + n * cl] = '\0';
	return s;
}

static void test_text(void **state)
{
	(void)state;
	one("note", "\"信号很差\"", NULL);
	one("note", "\"<script>alert(1)</script>' OR 1=1 --\"", NULL);
	one("note", "42", "must be a string");
	one("note", "true", "must be a string");
	one("note", "[\"a\"]", "must be a string");
	one("note", "{}", "must be a string");
	one("short", "\"12345\"", NULL);
	one("short", "\"123456\"", "at most 5 characters");
	one("short", "\"五个汉字啊\"", NULL);          /* 5 characters, 15 bytes */
	one("short", "\"六个汉字啊啊\"", "at most 5 characters");
	one("short", "\"😀😀😀😀😀\"", NULL);       /* 4-byte characters */
}

static void test_text_default_max_counts_characters(void **state)
{
	(void)state;
	char *ok = repeat_json("信", 500);   /* 1500 bytes */
	char *bad = repeat_json("信", 501);
	char *ascii = repeat_json("a", 501);
	one("note", ok, NULL);
	one("note", bad, "at most 500 characters");
	one("note", ascii, "at most 500 characters");
	free(ok);
	free(bad);
	free(ascii);
}

static void test_text_nul_refused(void **state)
{
	(void)state;
	json_t *schema = load(mixed_schema);
	json_t *values = json_object();
	json_t *errors = json_object();
	json_object_set_new(values, "note", json_stringn("a\0b", 3));
	assert_int_equal(validate(schema, values, true, errors), GD_E_VALIDATION);
	assert_error(errors, "fields.note", "must be valid UTF-8 text without NUL");
	json_decref(schema);
	json_decref(values);
	json_decref(errors);
}

static void test_phone(void **state)
{
	(void)state;
	one("contact", "\"13987654321\"", NULL);
	one("contact", "\"08711234567\"", NULL);
	one("contact", "\"087112345678\"", NULL);
	one("contact", "\"01012345678\"", NULL);
	one("contact", "\"139 8765 4321\"", "digits only (no spaces, letters or full-width digits)");
	one("contact", "\"0871-1234567\"", "digits only (no spaces, letters or full-width digits)");
	one("contact", "\"１３９８７６５４３２１\"", "digits only (no spaces, letters or full-width digits)");
	one("contact", "\"1398765432\"", "a mobile number has 11 digits");
	one("contact", "\"139876543210\"", "a mobile number has 11 digits");
	one("contact", "13987654321", "must be a string");
}

static void test_yesno(void **state)
{
	(void)state;
	one("tried", "\"yes\"", NULL);
	one("tried", "\"no\"", NULL);
	one("tried", "\"YES\"", "must be \"yes\" or \"no\"");
	one("tried", "\"是\"", "must be \"yes\" or \"no\"");
	one("tried", "\"yes \"", "must be \"yes\" or \"no\"");
	one("tried", "true", "must be \"yes\" or \"no\"");
	one("tried", "1", "must be \"yes\" or \"no\"");
}

static void test_choice(void **state)
{
	(void)state;
	one("mode", "\"3G\"", NULL);
	one("mode", "\"无信号\"", NULL);
	one("mode", "\"4G\"", "must be one of: 3G, 2G, 无信号");
	one("mode", "\"3g\"", "must be one of: 3G, 2G, 无信号");
	one("mode", "3", "must be one of: 3G, 2G, 无信号");
}

static void test_choice_long_list_shortened(void **state)
{
	(void)state;
	/* 50 options of 50 characters: far more than fits in one message */
	json_t *options = json_array();
	for (int i = 0; i < 50; i++) {
		char opt[256];
		int n = snprintf(opt, sizeof(opt), "%02d", i);
		while (n < 2 + 48 * 3) /* 48 CJK characters */
			n += snprintf(opt + n, sizeof(opt) - (size_t)n, "选");
		json_array_append_new(options, json_string(opt));
	}
	json_t *schema = json_pack("[{s:s, s:s, s:s, s:o}]", "name", "c", "label", "选项",
				   "type", "choice", "options", options);
	assert_non_null(schema);
	assert_int_equal(schema_check(schema, NULL, 0), GD_OK);
	json_t *values = json_pack("{s:s}", "c", "none");
	json_t *errors = json_object();
	assert_int_equal(validate(schema, values, true, errors), GD_E_VALIDATION);
	const char *r = json_string_value(json_object_get(errors, "fields.c"));
	assert_non_null(r);
	assert_true(strncmp(r, "must be one of: 00", 18) == 0);
	assert_non_null(strstr(r, ", \xe2\x80\xa6"));
	assert_true(utf8_valid(r, strlen(r)));
	json_decref(schema);
	json_decref(values);
	json_decref(errors);
}

static void test_number(void **state)
{
	(void)state;
	one("amount", "0", NULL);
	one("amount", "100", NULL);
	one("amount", "99.99", NULL);
	one("amount", "-1", "must be at least 0");
	one("amount", "-0.5", "must be at least 0");
	one("amount", "101", "must be at most 100");
	one("amount", "100.01", "must be at most 100");
	one("amount", "\"12\"", "must be a number");
	one("amount", "true", "must be a number");
	one("ratio", "-1.5", NULL);
	one("ratio", "2", NULL);
	one("ratio", "2.6", "must be at most 2.5");
	one("ratio", "-2", "must be at least -1.5");
	one("any", "-9007199254740993", NULL);
	one("any", "1e300", NULL);
}

static void test_required_and_absent(void **state)
{
	(void)state;
	static const char schema[] =
		"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"required\":true},"
		" {\"name\":\"b\",\"label\":\"乙\",\"type\":\"number\",\"required\":true},"
		" {\"name\":\"c\",\"label\":\"丙\",\"type\":\"yesno\",\"required\":false},"
		" {\"name\":\"d\",\"label\":\"丁\",\"type\":\"phone\"}]";
	json_t *errors;

	/* missing */
	errors = run(schema, "{}", GD_E_VALIDATION);
	assert_error(errors, "fields.a", "required");
	assert_error(errors, "fields.b", "required");
	assert_int_equal(json_object_size(errors), 2);
	json_decref(errors);

	/* null and "" count as absent, for every type */
	errors = run(schema, "{\"a\":null,\"b\":\"\",\"c\":null,\"d\":\"\"}", GD_E_VALIDATION);
	assert_error(errors, "fields.a", "required");
	assert_error(errors, "fields.b", "required");
	assert_int_equal(json_object_size(errors), 2);
	json_decref(errors);

	/* C NULL and JSON null values = no values */
	errors = run(schema, NULL, GD_E_VALIDATION);
	assert_int_equal(json_object_size(errors), 2);
	json_decref(errors);
	errors = run(schema, "null", GD_E_VALIDATION);
	assert_int_equal(json_object_size(errors), 2);
	json_decref(errors);

	/* present; optional ones absent */
	errors = run(schema, "{\"a\":\" \",\"b\":0}", GD_OK);
	assert_int_equal(json_object_size(errors), 0);
	json_decref(errors);
}

static void test_unknown_members(void **state)
{
	(void)state;
	json_t *errors = run(mixed_schema, "{\"note\":\"x\",\"Note\":\"x\",\"extra\":1,\"故障\":\"x\"}",
			     GD_E_VALIDATION);
	assert_error(errors, "fields.Note", "unknown field");
	assert_error(errors, "fields.extra", "unknown field");
	assert_error(errors, "fields.故障", "unknown field");
	assert_int_equal(json_object_size(errors), 3);
	json_decref(errors);

	/* no schema: every member is unknown, no member is fine */
	errors = run("[]", "{\"x\":1}", GD_E_VALIDATION);
	assert_error(errors, "fields.x", "unknown field");
	json_decref(errors);
	errors = run("[]", "{}", GD_OK);
	json_decref(errors);
	errors = json_object();
	assert_int_equal(validate(NULL, NULL, true, errors), GD_OK);
	json_decref(errors);
}

static void test_unknown_long_and_many(void **state)
{
	(void)state;
	/* a 200-character Chinese key is shortened in the error key, validly */
	char *key = repeat_json("长", 200);
	char values[1024];
	snprintf(values, sizeof(values), "{%s: 1}", key);
	free(key);
	json_t *errors = run("[]", values, GD_E_VALIDATION);
	assert_int_equal(json_object_size(errors), 1);
	const char *k = json_object_iter_key(json_object_iter(errors));
	assert_true(strncmp(k, "fields.长", strlen("fields.长")) == 0);
	assert_true(strlen(k) < 80);
	assert_true(utf8_valid(k, strlen(k)));
	assert_string_equal(json_string_value(json_object_get(errors, k)), "unknown field");
	json_decref(errors);

	/* hundreds of unknown members: a bounded number of errors */
	json_t *many = json_object();
	for (int i = 0; i < 500; i++) {
		char name[16];
		snprintf(name, sizeof(name), "x%d", i);
		json_object_set_new(many, name, json_integer(i));
	}
	errors = json_object();
	json_t *schema = load("[]");
	assert_int_equal(validate(schema, many, true, errors), GD_E_VALIDATION);
	assert_int_equal(json_object_size(errors), GD_FIELDS_UNKNOWN_MAX + 1);
	assert_error(errors, "fields", "too many unknown fields");
	json_decref(schema);
	json_decref(many);
	json_decref(errors);
}

static void test_values_not_object(void **state)
{
	(void)state;
	static const char *const bad[] = {"[]", "\"x\"", "1", "true", "[{\"symptom\":\"x\"}]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *errors = run(network_schema, bad[i], GD_E_VALIDATION);
		assert_error(errors, "fields", "must be an object");
		assert_int_equal(json_object_size(errors), 1);
		json_decref(errors);
	}
}

static void test_existing_errors_kept(void **state)
{
	(void)state;
	json_t *schema = load(mixed_schema);
	json_t *values = load("{\"tried\":\"yes\"}");
	json_t *errors = json_object();
	json_object_set_new(errors, "fault_number", json_string("required"));
	/* only errors this call adds decide the status */
	assert_int_equal(validate(schema, values, true, errors), GD_OK);
	assert_int_equal(json_object_size(errors), 1);
	json_decref(values);
	values = load("{\"tried\":\"maybe\"}");
	assert_int_equal(validate(schema, values, true, errors), GD_E_VALIDATION);
	assert_error(errors, "fault_number", "required");
	assert_error(errors, "fields.tried", NULL);
	json_decref(schema);
	json_decref(values);
	json_decref(errors);
}

static void test_validate_internal_errors(void **state)
{
	(void)state;
	json_t *bad_schema = load("[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"date\"}]");
	json_t *values = load("{\"a\":\"x\"}");
	json_t *errors = json_object();
	assert_int_equal(validate(bad_schema, values, true, errors), GD_E_INTERNAL);
	assert_int_equal(json_object_size(errors), 0);
	assert_int_equal(validate(bad_schema, values, true, NULL), GD_E_INTERNAL);
	json_decref(bad_schema);
	json_decref(values);
	json_decref(errors);
}

static void test_good_schemas(void **state)
{
	(void)state;
	static const char *const good[] = {
		"[]",
		network_schema,
		mixed_schema,
		"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"max\":4000}]",
		"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"max\":1,\"help\":\"\"}]",
		"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"number\",\"min\":5,\"max\":5}]",
		"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"number\",\"min\":-1e9}]",
		"[{\"name\":\"a_12345678901234567890123456789012345678\",\"label\":\"甲\",\"type\":\"yesno\"}]",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		json_t *s = load(good[i]);
		char err[256] = "unset";
		if (schema_check(s, err, sizeof(err)) != GD_OK)
			fail_msg("refused: %s\n%s", err, good[i]);
		assert_string_equal(err, "");
		json_decref(s);
	}
}

static void test_bad_schemas(void **state)
{
	(void)state;
	static const struct {
		const char *schema;
		const char *message; /* a part of the message */
	} bad[] = {
		{"{}", "schema: must be an array"},
		{"\"[]\"", "schema: must be an array"},
		{"[1]", "schema[0]: must be an object"},
		{"[{\"label\":\"甲\",\"type\":\"text\"}]", "schema[0].name: required"},
		{"[{\"name\":\"\",\"label\":\"甲\",\"type\":\"text\"}]", "schema[0].name"},
		{"[{\"name\":\"Symptom\",\"label\":\"甲\",\"type\":\"text\"}]", "schema[0].name"},
		{"[{\"name\":\"1a\",\"label\":\"甲\",\"type\":\"text\"}]", "schema[0].name"},
		{"[{\"name\":\"a-b\",\"label\":\"甲\",\"type\":\"text\"}]", "schema[0].name"},
		{"[{\"name\":\"故障\",\"label\":\"甲\",\"type\":\"text\"}]", "schema[0].name"},
		{"[{\"name\":\"a_12345678901234567890123456789012345678x\",\"label\":\"甲\",\"type\":\"text\"}]",
		 "schema[0].name"},
		{"[{\"name\":7,\"label\":\"甲\",\"type\":\"text\"}]", "schema[0].name"},
		{"[{\"name\":\"a\",\"type\":\"text\"}]", "schema[0].label: required"},
		{"[{\"name\":\"a\",\"label\":\"\",\"type\":\"text\"}]", "schema[0].label"},
		{"[{\"name\":\"a\",\"label\":1,\"type\":\"text\"}]", "schema[0].label"},
		{"[{\"name\":\"a\",\"label\":\"甲\"}]", "schema[0].type: must be one of"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"date\"}]", "schema[0].type"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"Text\"}]", "schema[0].type"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"required\":\"yes\"}]",
		 "schema[0].required: must be true or false"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"required\":1}]", "schema[0].required"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"max\":0}]", "schema[0].max"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"max\":4001}]", "schema[0].max"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"max\":10.5}]", "schema[0].max"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"max\":\"10\"}]", "schema[0].max"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"min\":1}]",
		 "schema[0].min: only for number fields"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"yesno\",\"max\":1}]",
		 "schema[0].max: only for text and number fields"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"phone\",\"max\":11}]", "schema[0].max"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"number\",\"max\":\"9\"}]",
		 "schema[0].max: must be a number"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"number\",\"min\":null}]",
		 "schema[0].min: must be a number"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"number\",\"min\":5,\"max\":4}]",
		 "schema[0]: min is greater than max"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"choice\"}]", "schema[0].options: required"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"choice\",\"options\":[]}]",
		 "schema[0].options: required"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"choice\",\"options\":\"x\"}]",
		 "schema[0].options"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"choice\",\"options\":[\"x\",1]}]",
		 "schema[0].options[1]"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"choice\",\"options\":[\"x\",\"\"]}]",
		 "schema[0].options[1]"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"choice\",\"options\":[\"x\",\"y\",\"x\"]}]",
		 "schema[0].options[2]: duplicate"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"options\":[\"x\"]}]",
		 "schema[0].options: only for choice fields"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"help\":3}]", "schema[0].help"},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",\"requird\":true}]",
		 "schema[0]: unknown member \"requird\""},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\"},"
		 " {\"name\":\"a\",\"label\":\"乙\",\"type\":\"yesno\"}]",
		 "schema[1].name: duplicate \"a\""},
		{"[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\"}, null]", "schema[1]: must be an object"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *s = load(bad[i].schema);
		char err[256] = "";
		if (schema_check(s, err, sizeof(err)) != GD_E_VALIDATION)
			fail_msg("accepted: %s", bad[i].schema);
		if (!strstr(err, bad[i].message))
			fail_msg("message \"%s\" lacks \"%s\" for %s", err, bad[i].message, bad[i].schema);
		json_decref(s);
	}
	assert_int_equal(schema_check(NULL, NULL, 0), GD_E_VALIDATION);
}

static void test_bad_schema_limits(void **state)
{
	(void)state;
	char err[256];
	json_t *s;

	/* too many fields */
	s = json_array();
	for (int i = 0; i <= GD_FIELDS_MAX; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		json_array_append_new(s, json_pack("{s:s,s:s,s:s}", "name", name, "label", "甲",
						   "type", "text"));
	}
	assert_int_equal(schema_check(s, err, sizeof(err)), GD_E_VALIDATION);
	assert_non_null(strstr(err, "at most 50 fields"));
	json_array_remove(s, 0);
	assert_int_equal(schema_check(s, err, sizeof(err)), GD_OK);
	json_decref(s);

	/* a label of 51 characters */
	char *label = repeat_json("标", GD_FIELDS_LABEL_MAX + 1);
	char text[1024];
	snprintf(text, sizeof(text), "[{\"name\":\"a\",\"label\":%s,\"type\":\"text\"}]", label);
	free(label);
	s = load(text);
	assert_int_equal(schema_check(s, err, sizeof(err)), GD_E_VALIDATION);
	assert_non_null(strstr(err, "schema[0].label"));
	json_decref(s);

	/* a label holding NUL (built, since the parser refuses \u0000) */
	s = json_pack("[{s:s,s:o,s:s}]", "name", "a", "label", json_stringn("a\0b", 3),
		      "type", "text");
	assert_int_equal(schema_check(s, err, sizeof(err)), GD_E_VALIDATION);
	json_decref(s);
}

static void test_schema_message_is_valid_utf8(void **state)
{
	(void)state;
	/* a long Chinese unknown member, quoted in the message: cut to fit the
	 * message, never inside a character */
	char *member = repeat_json("错", 300);
	char text[2048];
	snprintf(text, sizeof(text), "[{\"name\":\"a\",\"label\":\"甲\",\"type\":\"text\",%s:1}]",
		 member);
	free(member);
	json_t *s = load(text);
	struct gd_err e = GD_ERR_INIT;
	assert_int_equal(fields_schema_check(s, &e), GD_E_VALIDATION);
	assert_true(strlen(e.message) > 0 && strlen(e.message) < sizeof e.message);
	assert_true(utf8_valid(e.message, strlen(e.message)));
	assert_int_equal(fields_schema_check(s, NULL), GD_E_VALIDATION);
	gd_err_release(&e);
	json_decref(s);
}

static void test_network_schema(void **state)
{
	(void)state;
	json_t *schema = load(network_schema);
	assert_int_equal(schema_check(schema, NULL, 0), GD_OK);
	assert_int_equal(json_array_size(schema), 8);
	json_decref(schema);

	/* everything the deck asks for */
	json_t *errors = run(network_schema,
			     "{\"symptom\":\"室内通话经常断断续续\",\"calling_number\":\"13987654321\","
			     "\"called_number\":\"08711234567\",\"announcement\":\"您拨打的用户暂时无法接通\","
			     "\"location\":\"昆明市五华区翠湖南路\",\"tried_other_device\":\"yes\","
			     "\"persists_after_restart\":\"no\",\"handset_model\":\"华为 C8500\"}",
			     GD_OK);
	json_decref(errors);

	/* nothing: eight times "required" */
	errors = run(network_schema, "{}", GD_E_VALIDATION);
	assert_int_equal(json_object_size(errors), 8);
	static const char *const names[] = {
		"symptom", "calling_number", "called_number", "announcement", "location",
		"tried_other_device", "persists_after_restart", "handset_model",
	};
	for (size_t i = 0; i < 8; i++) {
		char key[64];
		snprintf(key, sizeof(key), "fields.%s", names[i]);
		assert_error(errors, key, "required");
	}
	json_decref(errors);

	/* a mix of mistakes */
	char *long_place = repeat_json("地", 201);
	char values[4096];
	snprintf(values, sizeof(values),
		 "{\"symptom\":\"掉话\",\"calling_number\":\"139-8765-4321\",\"called_number\":\"1398765432\","
		 "\"announcement\":\"无\",\"location\":%s,\"tried_other_device\":\"是\","
		 "\"persists_after_restart\":true,\"handset_model\":\"\",\"imei\":\"x\"}",
		 long_place);
	free(long_place);
	errors = run(network_schema, values, GD_E_VALIDATION);
	assert_error(errors, "fields.calling_number",
		     "digits only (no spaces, letters or full-width digits)");
	assert_error(errors, "fields.called_number", "a mobile number has 11 digits");
	assert_error(errors, "fields.location", "at most 200 characters");
	assert_error(errors, "fields.tried_other_device", "must be \"yes\" or \"no\"");
	assert_error(errors, "fields.persists_after_restart", "must be \"yes\" or \"no\"");
	assert_error(errors, "fields.handset_model", "required");
	assert_error(errors, "fields.imei", "unknown field");
	assert_int_equal(json_object_size(errors), 7);
	json_decref(errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_default_max_counts_characters),
		cmocka_unit_test(test_text_nul_refused),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_yesno),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_choice_long_list_shortened),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_required_and_absent),
		cmocka_unit_test(test_unknown_members),
		cmocka_unit_test(test_unknown_long_and_many),
		cmocka_unit_test(test_values_not_object),
		cmocka_unit_test(test_existing_errors_kept),
		cmocka_unit_test(test_validate_internal_errors),
		cmocka_unit_test(test_good_schemas),
		cmocka_unit_test(test_bad_schemas),
		cmocka_unit_test(test_bad_schema_limits),
		cmocka_unit_test(test_schema_message_is_valid_utf8),
		cmocka_unit_test(test_network_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
