/* args.c - the command-line helpers every subcommand shares (cli.h):
 * option parsing against a list of allowed names, option lookup, the
 * database path, reading a whole file. Kept out of main.c so that code in
 * src/cli/ links into the unit tests too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/cli.h"
#include "gongdan/strbuf.h"

const char *cli_opt(const struct cli_args *a, const char *name)
{
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->names[i], name))
			return a->values[i];
	return NULL;
}

bool cli_flag(const struct cli_args *a, const char *name)
{
	return cli_opt(a, name) != NULL;
}

/* Parses argv against the command's option list ("--db=", "--demo"): names
 * ending in '=' take a value. Returns 0, or prints why and returns 2. */
int cli_parse(const char *cmd, const char *const *allowed, int argc, char **argv, struct cli_args *a)
{
	a->n = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *known = NULL;
		for (const char *const *o = allowed; *o; o++) {
			size_t n = strcspn(*o, "=");
			if (!strncmp(arg, *o, n) && arg[n] == '\0') {
				known = *o;
				break;
			}
		}
		if (!known) {
			fprintf(stderr, "gongdan %s: unknown option '%s'\n", cmd, arg);
			return 2;
		}
		if (a->n >= CLI_MAX_OPTS) {
			fprintf(stderr, "gongdan %s: too many options\n", cmd);
			return 2;
		}
		a->names[a->n] = arg;
		if (known[strlen(known) - 1] == '=') {
			if (i + 1 >= argc) {
				fprintf(stderr, "gongdan %s: option '%s' needs a value\n", cmd, arg);
				return 2;
			}
			a->values[a->n] = argv[++i];
		} else {
			a->values[a->n] = "";
		}
		a->n++;
	}
	return 0;
}

const char *cli_db_path(const struct cli_args *a)
{
	const char *db = cli_opt(a, "--db");
	if (!db)
		db = getenv("GONGDAN_DB");
	return db ? db : "gongdan.db";
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
	struct strbuf sb = STRBUF_INIT(max);
	if (strbuf_read_file(&sb, path)) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, len);
}
