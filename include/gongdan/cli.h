/* cli.h - shared command-line helpers and the subcommands implemented outside
 * main.c (src/cli/, one file per command group). main.c holds the table. */
#ifndef GD_CLI_H
#define GD_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_MAX_OPTS 32

struct cli_args {
	int n;
	const char *names[CLI_MAX_OPTS];
	const char *values[CLI_MAX_OPTS]; /* "" for flags */
};

/* Parses argv against allowed option names ("--db=" takes a value, "--demo"
 * does not). Returns 0, or prints the reason and returns 2. */
int cli_parse(const char *cmd, const char *const *allowed, int argc, char **argv, struct cli_args *a);
/* Value of an option, or NULL when absent. */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);
/* --db, else $GONGDAN_DB, else gongdan.db */
const char *cli_db_path(const struct cli_args *a);
/* Reads a whole file (at most max bytes) into a new NUL-terminated buffer. */
char *cli_read_file(const char *path, size_t max, size_t *len);

/* src/cli/users.c: `gongdan user add`, `gongdan token create` */
int cli_user_add(int argc, char **argv);
int cli_token_create(int argc, char **argv);

/* audit.c: gongdan audit verify [--db PATH] */
int cli_audit_verify(int argc, char **argv);
/* generate.c: gongdan generate --db PATH --tickets N [--days D] [--seed S] */
int cli_generate(int argc, char **argv);
/* segments.c: gongdan segments import FILE.csv [--db PATH] */
int cli_segments_import(int argc, char **argv);

#endif
