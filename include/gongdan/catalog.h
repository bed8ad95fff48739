/* catalog.h - reference data: complaint categories (the tree, leaf lookup),
 * departments, regions and the region suggested for a phone number
 * (area codes, then imported mobile number segments, else 省公司). */
#ifndef GD_CATALOG_H
#define GD_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gongdan/gd_err.h"
#include "gongdan/status.h"

struct db;

#define REGION_DEFAULT "PROV" /* 省公司, the system default of the deck */

struct category {
	int64_t id;
	char code[64];
	char name[128];
	bool is_leaf;
	bool active;
	int sla_hours;
	int64_t department_id;  /* default handling department, 0 if none */
	json_t *fields_schema;  /* owned; release with category_release */
};

/* Finds a category by code. GD_E_NOT_FOUND when there is none. */
enum gd_status category_find(struct db *d, const char *code, struct category *out);
void category_release(struct category *c);
/* The whole tree with descriptions, SLA and field schemas. */
enum gd_status category_tree(struct db *d, json_t **out);

/* [{code, name, kind, region}] */
enum gd_status department_list(struct db *d, json_t **out);
/* Department id by code; GD_E_NOT_FOUND when absent. *kind is 'c' (centre)
 * or 'h' (handling). */
enum gd_status department_find(struct db *d, const char *code, int64_t *id, char *kind);
/* The same, inactive departments too: *active tells. */
enum gd_status department_lookup(struct db *d, const char *code, int64_t *id, char *kind, bool *active);

/* [{code, name, area_code}] */
enum gd_status region_list(struct db *d, json_t **out);
/* *found tells whether a region has this code; a failed lookup is returned
 * as such (never "unknown region"). */
enum gd_status region_exists(struct db *d, const char *code, bool *found);
/* The region suggested for a fault number (any string; garbage maps to the
 * default). out holds at least 16 bytes. */
enum gd_status region_suggest(struct db *d, const char *number, char out[16]);

#endif
