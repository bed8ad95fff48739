/* main.c - the command line: a table of subcommands (git's commands[]), option
 * parsing, and the serve loop with its signal handling and periodic work. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gongdan/cli.h"
#include "gongdan/db.h"
#include "gongdan/demo.h"
#include "gongdan/gd_time.h"
#include "gongdan/workflow.h"
#include "gongdan/http.h"
#include "gongdan/limits.h"
#include "gongdan/log.h"
#include "gongdan/number.h"
#include "gongdan/proxy.h"
#include "gongdan/strbuf.h"
#include "gongdan/ticket_list.h"
#include "gongdan/xalloc.h"

/* --- options: cli_parse() and friends live in src/cli/args.c ---------- */

#define STORAGE_PROBE_SECONDS 10

/* --- serve ------------------------------------------------------------- */

static bool parse_listen(const char *listen, char *host, size_t hostlen, unsigned *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return false;
	const char *h = listen;
	size_t hn = (size_t)(colon - listen);
	if (h[0] == '[' && hn >= 2 && h[hn - 1] == ']')
		h++, hn -= 2;
	if (hn >= hostlen)
		return false;
	memcpy(host, h, hn);
	host[hn] = '\0';
	char *end = NULL;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p > 65535)
		return false;
	*port = (unsigned)p;
	return true;
}

/* The default www/: ./www, else next to the binary (../www from build/). */
static char *default_www(void)
{
	if (!access("www/index.html", R_OK))
		return xstrdup("www");
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			struct strbuf sb = STRBUF_INIT(PATH_MAX);
			strbuf_addf(&sb, "%s/../www", exe);
			if (!access(sb.buf, R_OK))
				return strbuf_detach(&sb, NULL);
			strbuf_release(&sb);
		}
	}
	return xstrdup("/usr/share/gongdan/www");
}

/* An integer option within [min, max] into *out (absent: left alone);
 * false (after saying why) when it is not one. */
static bool int_opt(const struct cli_args *a, const char *name, int64_t min, int64_t max, const char *unit,
		    int64_t *out)
{
	const char *v = cli_opt(a, name);
	if (!v || number_parse(v, -1, min, max, out))
		return true;
	fprintf(stderr, "gongdan serve: %s must be %lld to %lld%s\n", name, (long long)min, (long long)max, unit);
	return false;
}

/* Every --trusted-proxy (repeatable, or comma-separated). */
static bool trusted_proxies(const struct cli_args *a)
{
	for (int i = 0; i < a->n; i++) {
		if (strcmp(a->names[i], "--trusted-proxy"))
			continue;
		char *list = xstrdup(a->values[i]);
		for (char *save = NULL, *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
			if (proxy_add(item)) {
				fprintf(stderr, "gongdan serve: --trusted-proxy '%s' is not an address or CIDR range "
						"(e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8), or there are more than %d\n",
					item, PROXY_MAX);
				free(list);
				return false;
			}
		}
		free(list);
	}
	return true;
}

static int cmd_serve(int argc, char **argv)
{
	static const char *const opts[] = {"--db=", "--listen=", "--www=", "--threads=", "--tls-cert=", "--tls-key=",
					   "--max-body=", "--sla-interval=", "--list-budget=", "--max-connections=",
					   "--max-per-address=", "--trusted-proxy=", "--quiet", NULL};
	struct cli_args a;
	if (cli_parse("serve", opts, argc, argv, &a))
		return 2;
	struct http_config cfg = {0};
	char host[256];
	const char *listen = cli_opt(&a, "--listen");
	if (!parse_listen(listen ? listen : "127.0.0.1:8080", host, sizeof host, &cfg.port)) {
		fprintf(stderr, "gongdan serve: --listen must be HOST:PORT, e.g. 127.0.0.1:8080\n");
		return 2;
	}
	cfg.host = host;
	int64_t threads = 0, max_body = 0, max_conns = GD_MAX_CONNECTIONS, per_address = GD_MAX_PER_ADDRESS;
	int64_t sla_interval = 60, list_budget = 0;
	if (!int_opt(&a, "--threads", 1, 64, "", &threads) ||
	    !int_opt(&a, "--max-body", 1024, 1LL << 30, " bytes", &max_body) ||
	    !int_opt(&a, "--max-connections", 16, 65536, "", &max_conns) ||
	    !int_opt(&a, "--max-per-address", 1, 65536, "", &per_address) ||
	    !int_opt(&a, "--sla-interval", 1, 86400, " seconds", &sla_interval) ||
	    !int_opt(&a, "--list-budget", TICKET_LIST_BUDGET_MIN, TICKET_LIST_BUDGET_MAX, " tickets", &list_budget) ||
	    !trusted_proxies(&a))
		return 2;
	if (list_budget)
		ticket_list_set_budget(list_budget);
	cfg.threads = (unsigned)threads;
	cfg.max_body = (size_t)max_body;
	cfg.max_connections = (unsigned)max_conns;
	cfg.max_per_address = (unsigned)per_address;
	const char *cert = cli_opt(&a, "--tls-cert"), *key = cli_opt(&a, "--tls-key");
	if (!cert != !key) {
		fprintf(stderr, "gongdan serve: --tls-cert and --tls-key go together\n");
		return 2;
	}
	if (cert) {
		cfg.tls_cert_pem = cli_read_file(cert, 1 << 20, NULL);
		cfg.tls_key_pem = cli_read_file(key, 1 << 20, NULL);
		if (!cfg.tls_cert_pem || !cfg.tls_key_pem) {
			fprintf(stderr, "gongdan serve: cannot read %s\n", cfg.tls_cert_pem ? key : cert);
			return 1;
		}
	}
	if (cli_flag(&a, "--quiet"))
		log_set_level(LOG_WARN);
	char *www = cli_opt(&a, "--www") ? xstrdup(cli_opt(&a, "--www")) : default_www();
	cfg.www = www;

	/* signals are taken synchronously by this thread; block them first so
	 * the server's threads inherit the mask */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = 1;
	if (db_global_open(cli_db_path(&a))) {
		fprintf(stderr, "gongdan serve: cannot open database %s\n", cli_db_path(&a));
		goto out;
	}
	if (wf_load(db_reader())) {
		fprintf(stderr, "gongdan serve: cannot load the workflow tables\n");
		db_global_close();
		goto out;
	}
	if (db_writer_start()) {
		fprintf(stderr, "gongdan serve: cannot start the writer thread\n");
		db_global_close();
		goto out;
	}
	if (http_start(&cfg)) {
		fprintf(stderr, "gongdan serve: cannot serve on %s\n", listen ? listen : "127.0.0.1:8080");
		db_global_close();
		goto out;
	}
	printf("listening on http%s://%s%s%s:%u\n", cert ? "s" : "", strchr(host, ':') ? "[" : "", host,
	       strchr(host, ':') ? "]" : "", http_port());
	fflush(stdout);

	/* this thread waits for signals and runs the periodic work: the SLA
	 * sweep, and while the disk is full a probe that finds out when writes
	 * work again */
	for (time_t next_sweep = 0, next_probe = 0;;) {
		struct timespec tick = {1, 0};
		int sig = sigtimedwait(&sigs, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM) {
			log_at(LOG_INFO, "signal %d: stopping", sig);
			break;
		}
		time_t now = time(NULL);
		if (now >= next_sweep) {
			wf_sla_sweep(time_now());
			next_sweep = now + sla_interval;
		}
		if (db_storage_full(NULL) && now >= next_probe) {
			db_write_probe();
			next_probe = now + STORAGE_PROBE_SECONDS;
		}
	}
	http_stop();
	db_global_close();
	log_at(LOG_INFO, "stopped");
	rc = 0;
out:
	free(www);
	free(cfg.tls_cert_pem);
	free(cfg.tls_key_pem);
	return rc;
}

/* --- init, backup -------------------------------------------------------- */

static int cmd_init(int argc, char **argv)
{
	static const char *const opts[] = {"--db=", "--demo", "--demo-users", NULL};
	struct cli_args a;
	if (cli_parse("init", opts, argc, argv, &a))
		return 2;
	struct db *d = NULL;
	const char *path = cli_db_path(&a);
	if (db_open(path, &d) || db_migrate(d)) {
		fprintf(stderr, "gongdan init: cannot initialise %s\n", path);
		db_close(d);
		return 1;
	}
	int rc = 0;
	if (cli_flag(&a, "--demo") || cli_flag(&a, "--demo-users"))
		rc = demo_users_seed(d) ? 1 : 0;
	db_exec(d, "PRAGMA wal_checkpoint(TRUNCATE)");
	db_close(d);
	if (!rc && cli_flag(&a, "--demo"))
		rc = demo_tickets_seed(path);
	if (!rc)
		printf("database %s is ready\n", path);
	return rc;
}

static int cmd_backup(int argc, char **argv)
{
	static const char *const opts[] = {"--db=", "--to=", NULL};
	struct cli_args a;
	if (cli_parse("backup", opts, argc, argv, &a))
		return 2;
	const char *to = cli_opt(&a, "--to");
	if (!to) {
		fprintf(stderr, "gongdan backup: --to FILE is required\n");
		return 2;
	}
	if (!access(to, F_OK)) {
		fprintf(stderr, "gongdan backup: %s exists; refusing to overwrite it\n", to);
		return 1;
	}
	struct db *d = NULL;
	if (db_open(cli_db_path(&a), &d) || db_backup(d, to)) {
		fprintf(stderr, "gongdan backup: backup to %s failed\n", to);
		db_close(d);
		return 1;
	}
	db_close(d);
	printf("backed up %s to %s\n", cli_db_path(&a), to);
	return 0;
}

/* --- the command table --------------------------------------------------- */

static const struct {
	const char *name;   /* one word, or two ("user add") */
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{"serve", cmd_serve, "serve [--db PATH] [--listen HOST:PORT] [--www DIR] [--threads N] [--tls-cert F --tls-key F] [--max-body BYTES] [--sla-interval SECONDS] [--list-budget N] [--max-connections N] [--max-per-address N] [--trusted-proxy CIDR]... [--quiet]"},
	{"init", cmd_init, "init [--db PATH] [--demo | --demo-users]   # --demo: users and tickets"},
	{"backup", cmd_backup, "backup --to FILE [--db PATH]"},
	{"user add", cli_user_add, "user add --username U --role R [--department CODE] [--display-name NAME] [--password-stdin] [--db PATH]"},
	{"audit verify", cli_audit_verify, "audit verify [--db PATH]"},
	{"generate", cli_generate, "generate --db PATH --tickets N [--days D] [--seed S]   # realistic data for benchmarks and demos"},
	{"segments import", cli_segments_import, "segments import FILE.csv [--db PATH]   # prefix,region rows"},
	{"token create", cli_token_create, "token create --username U [--name LABEL] [--db PATH]   # prints the token once"},
};

static int usage(FILE *f)
{
	fprintf(f, "usage:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  gongdan %s\n", commands[i].usage);
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout);
	/* two-word commands ("user add") match on both words */
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const char *name = commands[i].name;
		size_t n1 = strcspn(name, " ");
		if (strncmp(argv[1], name, n1) || argv[1][n1])
			continue;
		if (!name[n1])
			return commands[i].run(argc - 2, argv + 2);
		if (argc > 2 && !strcmp(argv[2], name + n1 + 1))
			return commands[i].run(argc - 3, argv + 3);
	}
	fprintf(stderr, "gongdan: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
