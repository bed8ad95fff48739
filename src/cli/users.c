/* users.c - the account subcommands: `gongdan user add` and `gongdan token
 * create`, on a private connection to the database (safe while the server
 * runs: SQLite serialises the writes). */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gongdan/cli.h"
#include "gongdan/db.h"
#include "gongdan/password.h"
#include "gongdan/secret.h"
#include "gongdan/token.h"
#include "gongdan/users.h"

#define CLI_GENERATED_PASSWORD_CHARS 16

/* Opens an existing, initialised database (migrations applied). */
static struct db *open_db(const char *cmd, const char *path)
{
	struct db *d = NULL;
	if (access(path, F_OK)) {
		fprintf(stderr, "gongdan %s: no database at %s; run gongdan init first\n", cmd, path);
		return NULL;
	}
	if (db_open(path, &d) || db_migrate(d)) {
		fprintf(stderr, "gongdan %s: cannot open database %s\n", cmd, path);
		db_close(d);
		return NULL;
	}
	return d;
}

/* Reads the password from stdin: one line, the trailing newline dropped. */
static bool read_password(char *buf, size_t cap, size_t *len)
{
	size_t n = fread(buf, 1, cap, stdin);
	if (n == cap)
		return false; /* longer than PASSWORD_MAX_BYTES plus a newline */
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	if (memchr(buf, '\0', n) || memchr(buf, '\n', n))
		return false;
	buf[n] = '\0';
	*len = n;
	return true;
}

int cli_user_add(int argc, char **argv)
{
	static const char *const opts[] = {"--username=", "--role=", "--department=", "--display-name=",
					   "--password-stdin", "--db=", NULL};
	struct cli_args a;
	if (cli_parse("user add", opts, argc, argv, &a))
		return 2;
	if (!cli_opt(&a, "--username") || !cli_opt(&a, "--role")) {
		fprintf(stderr, "gongdan user add: --username U and --role R are required\n");
		return 2;
	}
	char password[PASSWORD_MAX_BYTES + 4];
	size_t pwlen = 0;
	bool generated = false;
	if (cli_flag(&a, "--password-stdin")) {
		if (!read_password(password, sizeof password - 1, &pwlen) || pwlen > PASSWORD_MAX_BYTES) {
			fprintf(stderr, "gongdan user add: the password on stdin must be one line of at most %d bytes\n",
				PASSWORD_MAX_BYTES);
			return 2;
		}
	} else {
		/* no password given: make one and show it once */
		if (secret_random_b64url(password))
			return 1;
		password[CLI_GENERATED_PASSWORD_CHARS] = '\0';
		pwlen = CLI_GENERATED_PASSWORD_CHARS;
		generated = true;
	}
	struct db *d = open_db("user add", cli_db_path(&a));
	if (!d)
		return 1;
	struct user_spec spec = {
		.username = cli_opt(&a, "--username"),
		.role = cli_opt(&a, "--role"),
		.department = cli_opt(&a, "--department"),
		.display_name = cli_opt(&a, "--display-name"),
		.password = password,
		.password_len = pwlen,
	};
	struct gd_err e = GD_ERR_INIT;
	int64_t id = 0;
	enum gd_status st = users_create(d, &spec, &id, &e);
	int rc = 0;
	if (st) {
		const char *k;
		json_t *v;
		json_object_foreach(e.fields, k, v)
			fprintf(stderr, "gongdan user add: %s: %s\n", k, json_string_value(v));
		if (st != GD_E_VALIDATION)
			fprintf(stderr, "gongdan user add: %s\n", status_message(st));
		rc = 1;
	} else {
		printf("user %s created (id %lld, role %s)\n", spec.username, (long long)id, spec.role);
		if (generated)
			printf("password (shown only now): %s\n", password);
	}
	gd_err_release(&e);
	OPENSSL_cleanse(password, sizeof password);
	db_close(d);
	return rc;
}

struct token_args {
	int64_t user_id;
	const char *name;
	char *token;
	int64_t *id;
};

static enum gd_status token_run(struct db *w, void *ctx)
{
	struct token_args *t = ctx;
	return token_create(w, t->user_id, t->name, t->token, t->id);
}

int cli_token_create(int argc, char **argv)
{
	static const char *const opts[] = {"--username=", "--name=", "--db=", NULL};
	struct cli_args a;
	if (cli_parse("token create", opts, argc, argv, &a))
		return 2;
	const char *username = cli_opt(&a, "--username"), *name = cli_opt(&a, "--name");
	if (!username) {
		fprintf(stderr, "gongdan token create: --username U is required\n");
		return 2;
	}
	if (name && strlen(name) > 4 * TOKEN_NAME_MAX) {
		fprintf(stderr, "gongdan token create: --name is too long\n");
		return 2;
	}
	struct db *d = open_db("token create", cli_db_path(&a));
	if (!d)
		return 1;
	int rc = 1;
	int64_t user_id = 0, id = 0;
	bool disabled = false;
	char token[TOKEN_LEN + 1];
	enum gd_status st = users_find(d, username, &user_id, &disabled);
	struct token_args t = {user_id, name, token, &id};
	if (st == GD_E_NOT_FOUND)
		fprintf(stderr, "gongdan token create: no user %s\n", username);
	else if (!st && disabled)
		fprintf(stderr, "gongdan token create: user %s is disabled\n", username);
	else if (!st && (st = db_write_on(d, token_run, &t)))
		fprintf(stderr, "gongdan token create: %s\n", status_message(st));
	else if (!st) {
		/* the token alone on stdout, so scripts can capture it */
		printf("%s\n", token);
		fflush(stdout);
		fprintf(stderr, "token %lld for %s created; it is shown only now\n", (long long)id, username);
		OPENSSL_cleanse(token, sizeof token);
		rc = 0;
	}
	db_close(d);
	return rc;
}
