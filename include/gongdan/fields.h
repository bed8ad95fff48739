/* fields.h - the extra-field schema language of complaint categories and its
 * one generic validator. A category's fields are data (categories.fields_schema
 * in the database), not code: a new category with new fields needs no rebuild.
 *
 * Schema: a JSON array (possibly empty) of at most GD_FIELDS_MAX field
 * objects, shown in this order in the form:
 *
 *   [{"name":"symptom","label":"故障现象","type":"text","required":true,"max":500},
 *    {"name":"calling_number","label":"主叫号码","type":"phone","required":true},
 *    {"name":"tried_other_device","label":"是否换卡/换机试过","type":"yesno"},
 *    {"name":"network_mode","label":"连接的网络","type":"choice","options":["3G","2G"]},
 *    {"name":"disputed_amount","label":"争议金额（元）","type":"number","min":0,"max":100000}]
 *
 * Members of a field object (any other member is refused):
 *   name      required; [a-z][a-z0-9_]{0,39}, unique within the schema. The
 *             value lives under this key in the ticket's "fields" object.
 *   label     required; non-empty string shown in the UI (Chinese), at most
 *             GD_FIELDS_LABEL_MAX characters.
 *   type      required; one of
 *               text    value is a JSON string
 *               phone   value is a JSON string obeying phone.h's rule
 *               yesno   value is the JSON string "yes" or "no"
 *               choice  value is a JSON string equal to one of "options"
 *               number  value is a JSON number (integer or real)
 *   required  optional boolean, default false.
 *   max       text: maximum length in Unicode characters (not bytes), an
 *             integer 1..GD_FIELDS_TEXT_LIMIT, default GD_FIELDS_TEXT_DEFAULT;
 *             number: maximum value (inclusive). Refused on other types.
 *   min       number only: minimum value (inclusive); min <= max.
 *   options   choice only, and required there: a non-empty array of at most
 *             GD_FIELDS_OPTIONS_MAX distinct non-empty strings, each at most
 *             GD_FIELDS_OPTION_CHARS characters.
 *   help      optional string shown under the input, at most
 *             GD_FIELDS_HELP_MAX characters.
 * Every string must be valid UTF-8 without NUL.
 *
 * Values: a JSON object {name: value}. A member that is missing, JSON null or
 * the empty string "" counts as absent, which is an error only when the
 * field is required. Members the schema does not name are refused.
 */
#ifndef GD_FIELDS_H
#define GD_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "gongdan/gd_err.h"
#include "gongdan/status.h"

#define GD_FIELDS_MAX 50           /* fields per schema */
#define GD_FIELDS_NAME_MAX 40      /* bytes in a name */
#define GD_FIELDS_LABEL_MAX 50     /* characters in a label */
#define GD_FIELDS_HELP_MAX 200     /* characters in a help text */
#define GD_FIELDS_TEXT_DEFAULT 500 /* characters in a text value without "max" */
#define GD_FIELDS_TEXT_LIMIT 4000  /* the largest "max" a text field may have */
#define GD_FIELDS_OPTIONS_MAX 50   /* options of a choice field */
#define GD_FIELDS_OPTION_CHARS 50  /* characters in one option */
#define GD_FIELDS_UNKNOWN_MAX 20   /* "unknown field" errors reported per call */

/* Checks that schema is a valid schema (for admins adding or editing
 * categories). GD_OK, or GD_E_VALIDATION with a one-line English message in
 * e->message (e may be NULL), e.g.
 * "schema[2].type: must be one of text, phone, yesno, choice, number". */
enum gd_status fields_schema_check(const json_t *schema, struct gd_err *e);

/* Validates values (a JSON object; NULL or JSON null = no values) against
 * schema (NULL = the empty schema). For each problem adds the field error
 * "fields.<name>" to e with a short English reason ("required",
 * "at most 500 characters", "must be \"yes\" or \"no\"", "unknown field",
 * the phone.h reason…); a values that is not an object adds
 * "fields" = "must be an object". Unknown members beyond
 * GD_FIELDS_UNKNOWN_MAX are summarised in "fields"; long unknown
 * names are shortened in the key.
 * e is the caller's and may already hold other errors (the message is left
 * alone). Returns GD_E_VALIDATION when this call added an error, else GD_OK;
 * GD_E_INTERNAL (e untouched) when e is NULL or the schema itself
 * fails fields_schema_check(): stored schemas are checked on the way in, so
 * that is a server fault, not the user's.
 * require: false for drafts, which may be saved before every required
 * field is known (types and limits are still checked); true on submit. */
enum gd_status fields_validate(const json_t *schema, const json_t *values, bool require, struct gd_err *e);

#endif
