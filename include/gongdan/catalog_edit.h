/* catalog_edit.h - the admin's changes to the reference data: departments
 * and complaint categories (their tree, SLA, default department and
 * extra-field schema). Each change runs on w, a connection inside a write
 * transaction (a writer job), and records itself in the admin audit log
 * (admin_audit.h) in that transaction. Validation reasons go to e per
 * field (GD_E_VALIDATION); nothing is written then.
 *
 * Departments {code, name, kind, region, active, sort}:
 *   code    create only, immutable: [A-Z][A-Z0-9_]{0,15}, unique
 *   name    1..CATALOG_NAME_MAX characters
 *   kind    create only, immutable: centre | handling
 *   region  a region code or null (a regional branch names its region)
 *   active  true | false (default true); deactivating one that still
 *           holds open tickets, or the last active centre, is
 *           GD_E_CONFLICT: its tickets must be transferred first
 *   sort    integer (default 0): the order of lists
 *
 * Categories {code, parent, name, description, sla_hours, department,
 * fields_schema, active, sort}:
 *   code    create only, immutable: up to four segments [A-Z0-9][A-Z0-9_]{0,19}
 *           joined by '.'; a child's code is its parent's plus one
 *           segment (NET.SIGNAL.INDOOR under NET.SIGNAL), a root's is one
 *   parent  create only, immutable: the parent's code, or null for a root
 *   name    1..CATALOG_NAME_MAX characters (and under 128 bytes)
 *   description  at most CATALOG_DESCRIPTION_MAX characters
 *   sla_hours    1..360 (default: the parent's, else 48)
 *   department   an active handling department's code or null (default:
 *                the parent's)
 *   fields_schema the extra fields (fields.h), checked by fields_schema_check;
 *                a bad definition is reported under its path, e.g.
 *                "fields_schema[2].type" (default [])
 *   active, sort as for departments; a category's tickets keep it whatever
 *                is changed, and schema changes apply to tickets written
 *                afterwards. */
#ifndef GD_CATALOG_EDIT_H
#define GD_CATALOG_EDIT_H

#include <jansson.h>

#include "gongdan/gd_err.h"
#include "gongdan/principal.h"
#include "gongdan/status.h"

struct db;

#define CATALOG_NAME_MAX 40          /* characters of a department or category name */
#define CATALOG_DESCRIPTION_MAX 2000 /* characters of a category's description */
#define CATALOG_SORT_MAX 1000000000  /* |sort| */

/* The department or category by code as the admin sees it (inactive ones
 * too); GD_E_NOT_FOUND when there is none. */
enum gd_status department_get(struct db *d, const char *code, json_t **out);
enum gd_status category_get(struct db *d, const char *code, json_t **out);
/* Every department or category in that shape, inactive ones too, as an
 * array (by sort, then id); the reference tables are small (tens to a few
 * hundred rows), so one answer holds them all. */
enum gd_status department_all(struct db *d, json_t **out);
enum gd_status category_all(struct db *d, json_t **out);

/* Creates from in; code_out (64 bytes) receives the new code. */
enum gd_status department_create(struct db *w, const struct principal *who, const json_t *in, char code_out[64],
				 struct gd_err *e);
enum gd_status category_create(struct db *w, const struct principal *who, const json_t *in, char code_out[64],
			       struct gd_err *e);
/* Changes the members present in in; GD_E_NOT_FOUND for an unknown code. */
enum gd_status department_update(struct db *w, const struct principal *who, const char *code, const json_t *in,
				 struct gd_err *e);
enum gd_status category_update(struct db *w, const struct principal *who, const char *code, const json_t *in,
			       struct gd_err *e);

#endif
