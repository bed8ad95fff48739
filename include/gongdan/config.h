/* config.h - configuration as one table (redis's config.c): every setting is
 * one struct config_item {name, type, field, default, min, max, secret}, and
 * the same table drives the configuration file, the environment and the
 * command-line flags, so a flag without a key (or the reverse) cannot exist.
 *
 * Precedence, lowest first: the item's default < the file < the environment
 * (GONGDAN_<NAME>, upper case, '-' as '_') < flags (--name VALUE). The file
 * is `key = value` lines; '#' starts a comment line; blank lines are
 * skipped; the key is the flag's name without "--". An unknown key, a key
 * given twice, or a value that does not fit its item stops the load with
 * "FILE:LINE: reason". Values are validated wherever they come from.
 *
 *   static const struct config_item items[] = {
 *       {"threads", CONFIG_INT, offsetof(struct opts, threads), "0", 0, 64, ...},
 *   };
 *   struct config c;
 *   if (config_load(&c, items, n, &opts, "/etc/gongdan/gongdan.conf", argc, argv))
 *       { fprintf(stderr, "%s\n", c.error); return 2; }
 *   ... opts.threads ...
 *   config_release(&c);
 */
#ifndef GD_CONFIG_H
#define GD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/status.h"
#include "gongdan/strbuf.h"

#define CONFIG_MAX_ITEMS 48
#define CONFIG_CAP_FILE (256u << 10) /* a configuration file, bytes */
#define CONFIG_CAP_LINE 4096         /* one line of it, bytes */
#define CONFIG_CAP_ERROR 1024        /* the error text */

enum config_type {
	CONFIG_STRING, /* char * (owned by the target; freed by config_release); min/max bound its length */
	CONFIG_INT,    /* int64_t within [min, max] */
	CONFIG_BOOL,   /* bool: true/false, yes/no, on/off, 1/0 in the file; a flag without a value sets it */
	CONFIG_ENUM,   /* char *: one of the '|'-separated words in choices */
	CONFIG_LIST,   /* char *: comma-separated items; the flag may repeat (its values join) */
};

/* Where a value came from. */
enum config_origin { CONFIG_FROM_DEFAULT, CONFIG_FROM_FILE, CONFIG_FROM_ENV, CONFIG_FROM_FLAG };

struct config_item {
	const char *name;      /* the key; the flag is "--" name */
	enum config_type type;
	size_t field;          /* offsetof() in the target struct */
	const char *def;       /* the default as text, parsed like any value; NULL: unset (NULL / 0 / false) */
	int64_t min, max;      /* CONFIG_INT: the range; CONFIG_STRING: the length in bytes */
	bool secret;           /* its value is never shown, not even in an error */
	const char *choices;   /* CONFIG_ENUM: "text|json" */
	/* optional further check of one value (one item of a list): NULL when
	 * it is fine, else why not ("must be HOST:PORT") */
	const char *(*check)(const char *value);
	const char *arg;       /* what the value is, for usage: "N", "PATH", "HOST:PORT" */
	const char *help;      /* one line */
};

struct config {
	const struct config_item *items;
	size_t n;
	void *target;
	enum config_origin origin[CONFIG_MAX_ITEMS];
	int line[CONFIG_MAX_ITEMS]; /* the file's line, for CONFIG_FROM_FILE */
	char *file;                 /* the file read, or NULL */
	char error[CONFIG_CAP_ERROR]; /* one line, on failure */
};

/* Fills target from the table's defaults, then file (when given and
 * readable: a missing default_file is skipped silently, a missing --config
 * FILE is an error), the environment and the flags in argv (plus
 * "--config FILE", which chooses the file). GD_OK, or GD_E_BAD_REQUEST
 * with c->error set ("gongdan.conf:7: unknown key 'thread'"). Release c
 * and the strings in target with config_release either way. */
enum gd_status config_load(struct config *c, const struct config_item *items, size_t n, void *target,
			   const char *default_file, int argc, const char *const *argv);
/* The file stage alone, from text (tests, and what config_load uses):
 * name is how errors call the file. Call after config_defaults. */
enum gd_status config_parse_text(struct config *c, const char *name, const char *text, size_t len);
/* Prepares c and sets every default into target. */
enum gd_status config_defaults(struct config *c, const struct config_item *items, size_t n, void *target);
/* Frees the strings config_load stored in target, and c's own. */
void config_release(struct config *c);

/* Where item name got its value: "gongdan.conf:7", "GONGDAN_THREADS",
 * "--threads" or "the default". */
void config_where(const struct config *c, const char *name, char *out, size_t outlen);
/* The usage text, one line per item: "  --threads N  (key threads, 0 to 64)  pool size". */
enum gd_status config_usage(const struct config_item *items, size_t n, struct strbuf *out);

#endif
