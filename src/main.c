/* main.c - the command line: a table of subcommands (git's commands[]), option
 * parsing, and the serve loop with its signal handling and periodic work. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gongdan/api.h"
#include "gongdan/cli.h"
#include "gongdan/config.h"
#include "gongdan/db.h"
#include "gongdan/events.h"
#include "gongdan/demo.h"
#include "gongdan/gd_time.h"
#include "gongdan/workflow.h"
#include "gongdan/http.h"
#include "gongdan/idempotency.h"
#include "gongdan/limits.h"
#include "gongdan/log.h"
#include "gongdan/number.h"
#include "gongdan/proxy.h"
#include "gongdan/route.h"
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

/* Builds made for installing (make install, make deb) know where they live:
 * GD_SYSCONFDIR and GD_DATADIR. A build run from the source tree has no
 * default configuration file and finds www/ beside itself. */
#ifdef GD_SYSCONFDIR
#define DEFAULT_CONFIG GD_SYSCONFDIR "/gongdan/gongdan.conf"
#else
#define DEFAULT_CONFIG NULL
#endif

/* The default www/: the installed one; from the source tree ./www, else
 * next to the binary (../www from build/). */
static char *default_www(void)
{
#ifdef GD_DATADIR
	return xstrdup(GD_DATADIR "/gongdan/www");
#else
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
#endif
}

static const char *check_listen(const char *v)
{
	char host[256];
	unsigned port;
	return parse_listen(v, host, sizeof host, &port) ? NULL : "must be HOST:PORT, e.g. 127.0.0.1:8080";
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* What `serve` reads: each one a flag, a key of the configuration file and
 * a GONGDAN_* variable (config.h). */
struct serve_options {
	char *db, *listen, *www, *tls_cert, *tls_key, *trusted_proxy, *log_format;
	int64_t threads, max_body, sla_interval, list_budget, max_connections, max_per_address, max_event_clients,
	    event_keepalive, nearly_overdue_hours;
	bool quiet;
};

_Static_assert(GD_CAP_BODY_DEFAULT == 1048576, "max-body's default in the table below");
#define SO(f) offsetof(struct serve_options, f)
static const struct config_item serve_items[] = {
	{"db", CONFIG_STRING, SO(db), "gongdan.db", 1, PATH_MAX - 1, false, NULL, NULL, "PATH",
	 "the SQLite database file (created and migrated at start)"},
	{"listen", CONFIG_STRING, SO(listen), "127.0.0.1:8080", 3, 300, false, NULL, check_listen, "HOST:PORT",
	 "the address to serve on; port 0 picks a free one"},
	{"www", CONFIG_STRING, SO(www), NULL, 1, PATH_MAX - 1, false, NULL, NULL, "DIR",
	 "the folder of the browser UI's files [default: the installed www/]"},
	{"threads", CONFIG_INT, SO(threads), "0", 0, 64, false, NULL, NULL, "N",
	 "server threads; 0: one per core"},
	{"tls-cert", CONFIG_STRING, SO(tls_cert), NULL, 1, PATH_MAX - 1, false, NULL, NULL, "FILE",
	 "PEM certificate chain for HTTPS (with tls-key)"},
	{"tls-key", CONFIG_STRING, SO(tls_key), NULL, 1, PATH_MAX - 1, false, NULL, NULL, "FILE",
	 "PEM private key for HTTPS (with tls-cert)"},
	{"max-body", CONFIG_INT, SO(max_body), "1048576", 1024, 1LL << 30, false, NULL, NULL, "BYTES",
	 "the largest request body"},
	{"sla-interval", CONFIG_INT, SO(sla_interval), "60", 1, 86400, false, NULL, NULL, "SECONDS",
	 "how often overdue tickets are marked"},
	{"nearly-overdue-hours", CONFIG_INT, SO(nearly_overdue_hours), "4", 0, 720, false, NULL, NULL, "HOURS",
	 "the UI marks open tickets this close to their deadline as nearly overdue; 0: off"},
	{"list-budget", CONFIG_INT, SO(list_budget), STR(TICKET_LIST_BUDGET), TICKET_LIST_BUDGET_MIN,
	 TICKET_LIST_BUDGET_MAX, false, NULL, NULL, "N", "tickets one list or search request may examine"},
	{"max-connections", CONFIG_INT, SO(max_connections), STR(GD_MAX_CONNECTIONS), 16, 65536, false, NULL, NULL,
	 "N", "connections open at once"},
	{"max-per-address", CONFIG_INT, SO(max_per_address), STR(GD_MAX_PER_ADDRESS), 1, 65536, false, NULL, NULL,
	 "N", "connections open at once from one address (trusted proxies are exempt)"},
	{"max-event-clients", CONFIG_INT, SO(max_event_clients), STR(EVENTS_MAX_CLIENTS_DEFAULT), 1, 65536, false, NULL,
	 NULL, "N", "live update streams (GET /api/v1/events) open at once; each is also a connection"},
	{"event-keepalive", CONFIG_INT, SO(event_keepalive), STR(EVENTS_KEEPALIVE_DEFAULT), 1, 300, false, NULL, NULL,
	 "SECONDS", "how often an idle live update stream gets a keep-alive and checks its login"},
	{"trusted-proxy", CONFIG_LIST, SO(trusted_proxy), NULL, 0, 4096, false, NULL, proxy_check, "CIDR",
	 "reverse proxies whose X-Forwarded-For is believed (repeatable; comma-separated in the file)"},
	{"log-format", CONFIG_ENUM, SO(log_format), "text", 0, 0, false, "text|json", NULL, "FORMAT",
	 "log lines on stderr as text or as one JSON object each"},
	{"quiet", CONFIG_BOOL, SO(quiet), "false", 0, 0, false, NULL, NULL, NULL,
	 "log warnings and errors only (no access lines)"},
};
#undef SO
#define SERVE_ITEMS (sizeof serve_items / sizeof serve_items[0])

/* Every --trusted-proxy, checked already by the configuration. */
static bool trusted_proxies(const struct config *c, const char *list)
{
	proxy_reset();
	if (!list)
		return true;
	char *copy = xstrdup(list);
	bool ok = true;
	for (char *save = NULL, *item = strtok_r(copy, ", \t", &save); item && ok;
	     item = strtok_r(NULL, ", \t", &save)) {
		if (proxy_add(item)) {
			char where[512];
			config_where(c, "trusted-proxy", where, sizeof where);
			fprintf(stderr, "gongdan serve: %s: more than %d trusted proxy ranges\n", where, PROXY_MAX);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

static int serve_usage(FILE *f)
{
	struct strbuf sb = STRBUF_INIT(1 << 16);
	config_usage(serve_items, SERVE_ITEMS, &sb);
	fprintf(f,
		"usage: gongdan serve [--config FILE] [OPTION VALUE]...\n"
		"  --config FILE                  `key = value` lines, one key per option below%s%s%s\n%s"
		"Precedence: defaults < the file < GONGDAN_<KEY> environment variables < options.\n",
		DEFAULT_CONFIG ? " [default " : "", DEFAULT_CONFIG ? DEFAULT_CONFIG : "", DEFAULT_CONFIG ? "]" : "",
		strbuf_str(&sb));
	strbuf_release(&sb);
	return f == stdout ? 0 : 2;
}

static int cmd_serve(int argc, char **argv)
{
	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")))
		return serve_usage(stdout);
	struct serve_options o;
	struct config conf;
	memset(&o, 0, sizeof o);
	if (config_load(&conf, serve_items, SERVE_ITEMS, &o, DEFAULT_CONFIG, argc, (const char *const *)argv)) {
		fprintf(stderr, "gongdan serve: %s\n", conf.error);
		config_release(&conf);
		return 2;
	}
	struct http_config cfg = {0};
	char host[256];
	char *www = NULL;
	int rc = 2;
	parse_listen(o.listen, host, sizeof host, &cfg.port); /* checked by the configuration */
	cfg.host = host;
	if (!trusted_proxies(&conf, o.trusted_proxy))
		goto out;
	ticket_list_set_budget(o.list_budget);
	api_set_nearly_overdue_hours(o.nearly_overdue_hours);
	cfg.threads = (unsigned)o.threads;
	cfg.max_body = (size_t)o.max_body;
	cfg.max_connections = (unsigned)o.max_connections;
	cfg.max_per_address = (unsigned)o.max_per_address;
	if (!o.tls_cert != !o.tls_key) {
		char where[512];
		config_where(&conf, o.tls_cert ? "tls-cert" : "tls-key", where, sizeof where);
		fprintf(stderr, "gongdan serve: %s: tls-cert and tls-key go together\n", where);
		goto out;
	}
	rc = 1;
	if (o.tls_cert) {
		cfg.tls_cert_pem = cli_read_file(o.tls_cert, 1 << 20, NULL);
		cfg.tls_key_pem = cli_read_file(o.tls_key, 1 << 20, NULL);
		if (!cfg.tls_cert_pem || !cfg.tls_key_pem) {
			fprintf(stderr, "gongdan serve: cannot read %s\n", cfg.tls_cert_pem ? o.tls_key : o.tls_cert);
			goto out;
		}
	}
	if (o.quiet)
		log_set_level(LOG_WARN);
	log_set_format(strcmp(o.log_format, "json") ? LOG_FORMAT_TEXT : LOG_FORMAT_JSON);
	if (conf.file)
		log_at(LOG_INFO, "configuration from %s", conf.file);
	www = o.www ? xstrdup(o.www) : default_www();
	cfg.www = www;
	const char *listen = o.listen;
	int64_t sla_interval = o.sla_interval;

	/* signals are taken synchronously by this thread; block them first so
	 * the server's threads inherit the mask */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (db_global_open(o.db)) {
		fprintf(stderr, "gongdan serve: cannot open database %s\n", o.db);
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
	if (events_start((unsigned)o.max_event_clients, (unsigned)o.event_keepalive)) {
		fprintf(stderr, "gongdan serve: cannot read the history for live updates\n");
		db_global_close();
		goto out;
	}
	if (http_start(&cfg)) {
		fprintf(stderr, "gongdan serve: cannot serve on %s\n", listen);
		events_stop();
		db_global_close();
		goto out;
	}
	printf("listening on http%s://%s%s%s:%u\n", o.tls_cert ? "s" : "", strchr(host, ':') ? "[" : "", host,
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
			idem_purge_later(time_now());
			next_sweep = now + sla_interval;
		}
		if (db_storage_full(NULL) && now >= next_probe) {
			db_write_probe();
			next_probe = now + STORAGE_PROBE_SECONDS;
		}
	}
	http_stop();
	events_stop();
	db_global_close();
	log_at(LOG_INFO, "stopped");
	rc = 0;
out:
	free(www);
	free(cfg.tls_cert_pem);
	free(cfg.tls_key_pem);
	config_release(&conf);
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
	const char *from = cli_db_path(&a);
	/* opening a missing path would create an empty database: refuse it */
	if (access(from, F_OK)) {
		fprintf(stderr, "gongdan backup: no database at %s\n", from);
		return 1;
	}
	struct db *d = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (db_open(from, &d) || db_backup(d, to)) {
		fprintf(stderr, "gongdan backup: backup to %s failed\n", to);
		db_close(d);
		return 1;
	}
	db_close(d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct stat sb;
	long long bytes = stat(to, &sb) ? -1 : (long long)sb.st_size;
	printf("backed up %s to %s: %lld bytes in %.3f s\n", from, to, bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/* --- routes: the route table, one line each (for proxies' rules and for
 * the test that holds the API document to it) ----------------------------- */

static int cmd_routes(int argc, char **argv)
{
	static const char *const opts[] = {NULL};
	struct cli_args a;
	if (cli_parse("routes", opts, argc, argv, &a))
		return 2;
	static const struct {
		unsigned flag;
		const char *name;
	} flags[] = {{ROUTE_AUTH, "auth"}, {ROUTE_ADMIN, "admin"}, {ROUTE_REVALIDATE, "revalidate"},
		     {ROUTE_SLOW, "slow"}, {ROUTE_IDEMPOTENT, "idempotent"}};
	for (size_t i = 0; i < route_count(); i++) {
		const struct route *r = route_at(i);
		char methods[64];
		route_methods_text(r->methods, methods, sizeof methods);
		printf("%s\t%s\t", methods, r->pattern);
		bool any = false;
		for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
			if (r->flags & flags[f].flag) {
				printf("%s%s", any ? "," : "", flags[f].name);
				any = true;
			}
		printf("%s\n", any ? "" : "public");
	}
	return 0;
}

/* --- the command table --------------------------------------------------- */

static const struct {
	const char *name;   /* one word, or two ("user add") */
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{"serve", cmd_serve, "serve [--config FILE] [--db PATH] [--listen HOST:PORT] [--www DIR] [--threads N] [--tls-cert F --tls-key F] [--max-body BYTES] [--sla-interval SECONDS] [--nearly-overdue-hours N] [--list-budget N] [--max-connections N] [--max-per-address N] [--max-event-clients N] [--event-keepalive SECONDS] [--trusted-proxy CIDR]... [--log-format text|json] [--quiet]   # serve --help: every option"},
	{"init", cmd_init, "init [--db PATH] [--demo | --demo-users]   # --demo: users and tickets"},
	{"backup", cmd_backup, "backup --to FILE [--db PATH]"},
	{"user add", cli_user_add, "user add --username U --role R [--department CODE] [--display-name NAME] [--password-stdin] [--db PATH]"},
	{"audit verify", cli_audit_verify, "audit verify [--db PATH]"},
	{"generate", cli_generate, "generate --db PATH --tickets N [--days D] [--seed S]   # realistic data for benchmarks and demos"},
	{"segments import", cli_segments_import, "segments import FILE.csv [--db PATH]   # prefix,region rows"},
	{"routes", cmd_routes, "routes   # the HTTP route table: methods, pattern, checks"},
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
