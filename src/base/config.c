/* config.c - settings from one table (config.h): defaults, the `key = value`
 * file, GONGDAN_* environment variables and command-line flags, in that
 * order of precedence, each value checked against its item wherever it
 * comes from. */
#include "gongdan/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/number.h"
#include "gongdan/utf8.h"
#include "gongdan/xalloc.h"

static char **str_field(const struct config *c, size_t i)
{
	return (char **)(void *)((char *)c->target + c->items[i].field);
}

static bool holds_string(enum config_type t)
{
	return t == CONFIG_STRING || t == CONFIG_ENUM || t == CONFIG_LIST;
}

__attribute__((format(printf, 2, 3))) static enum gd_status fail(struct config *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
	return GD_E_BAD_REQUEST;
}

static void env_name(const char *name, char *out, size_t outlen)
{
	size_t o = 0;
	for (const char *p = "GONGDAN_"; *p && o + 1 < outlen; p++)
		out[o++] = *p;
	for (const char *p = name; *p && o + 1 < outlen; p++)
		out[o++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	out[o] = '\0';
}

/* How an error names the place a value came from. */
static void describe(const struct config *c, size_t i, enum config_origin from, int line, char *out, size_t outlen)
{
	switch (from) {
	case CONFIG_FROM_FILE:
		snprintf(out, outlen, "%s:%d: %s", c->file ? c->file : "(config)", line, c->items[i].name);
		break;
	case CONFIG_FROM_ENV: {
		char env[96];
		env_name(c->items[i].name, env, sizeof env);
		snprintf(out, outlen, "environment %s", env);
		break;
	}
	case CONFIG_FROM_FLAG:
		snprintf(out, outlen, "--%s", c->items[i].name);
		break;
	case CONFIG_FROM_DEFAULT:
		snprintf(out, outlen, "the default of %s", c->items[i].name);
		break;
	}
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
	for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++) {
		if (!strcmp(v, yes[k]))
			return *out = true, true;
		if (!strcmp(v, no[k]))
			return *out = false, true;
	}
	return false;
}

static bool in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = choices; p && *p;) {
		size_t k = strcspn(p, "|");
		if (k == n && !strncmp(p, v, n))
			return true;
		p += k;
		if (*p == '|')
			p++;
	}
	return false;
}

/* Why value does not fit item (NULL: it does). A list is checked item by
 * item: no empty items, each one through check(). */
static const char *why_not(const struct config_item *it, const char *v, char *buf, size_t buflen)
{
	size_t len = strlen(v);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "holds a control character";
	if (!utf8_valid(v, len))
		return "is not valid UTF-8";
	switch (it->type) {
	case CONFIG_INT: {
		int64_t n;
		if (!number_parse(v, -1, it->min, it->max, &n)) {
			snprintf(buf, buflen, "must be a whole number from %lld to %lld", (long long)it->min,
				 (long long)it->max);
			return buf;
		}
		break;
	}
	case CONFIG_BOOL: {
		bool b;
		if (!parse_bool(v, &b))
			return "must be true or false (yes/no, on/off, 1/0)";
		break;
	}
	case CONFIG_ENUM:
		if (!in_choices(it->choices, v)) {
			snprintf(buf, buflen, "must be one of: %s", it->choices);
			return buf;
		}
		break;
	case CONFIG_STRING:
		if ((int64_t)len < it->min || (int64_t)len > it->max) {
			snprintf(buf, buflen, "must be %lld to %lld bytes long", (long long)it->min, (long long)it->max);
			return buf;
		}
		break;
	case CONFIG_LIST: {
		if ((int64_t)len > it->max) {
			snprintf(buf, buflen, "must be at most %lld bytes long", (long long)it->max);
			return buf;
		}
		/* reasons name the item they are about, so set() shows no more */
		char *copy = xstrdup(v);
		const char *why = NULL;
		for (char *p = copy, *next; p && !why; p = next) {
			next = strchr(p, ',');
			if (next)
				*next++ = '\0';
			while (*p == ' ' || *p == '\t')
				p++;
			size_t k = strlen(p);
			while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
				p[--k] = '\0';
			if (!*p) {
				snprintf(buf, buflen, "'%.80s' has an empty item (items are separated by commas)", v);
				why = buf;
			}
			else if (it->check && (why = it->check(p))) {
				snprintf(buf, buflen, "'%.80s' %s", p, why);
				why = buf;
			}
		}
		free(copy);
		return why;
	}
	}
	if (it->type != CONFIG_LIST && it->check)
		return it->check(v);
	return NULL;
}

/* Checks and stores one value for item i. */
static enum gd_status set(struct config *c, size_t i, const char *v, enum config_origin from, int line)
{
	const struct config_item *it = &c->items[i];
	char why_buf[256], where[512];
	const char *why = why_not(it, v, why_buf, sizeof why_buf);
	if (why) {
		describe(c, i, from, line, where, sizeof where);
		if (it->secret)
			return fail(c, "%s: the value %s", where, why);
		if (it->type == CONFIG_LIST && (int64_t)strlen(v) <= it->max)
			return fail(c, "%s: %s", where, why);
		return fail(c, "%s: '%.80s' %s", where, v, why);
	}
	void *field = (char *)c->target + it->field;
	switch (it->type) {
	case CONFIG_INT:
		number_parse(v, -1, it->min, it->max, (int64_t *)field);
		break;
	case CONFIG_BOOL:
		parse_bool(v, (bool *)field);
		break;
	case CONFIG_STRING:
	case CONFIG_ENUM:
	case CONFIG_LIST: {
		char **s = str_field(c, i);
		if (it->type == CONFIG_LIST && from == CONFIG_FROM_FLAG && c->origin[i] == CONFIG_FROM_FLAG && *s) {
			/* a repeated flag adds to the list it started */
			size_t a = strlen(*s), b = strlen(v);
			if ((int64_t)(a + 1 + b) > it->max) {
				describe(c, i, from, line, where, sizeof where);
				return fail(c, "%s: the list is longer than %lld bytes", where, (long long)it->max);
			}
			char *joined = xmalloc(a + b + 2);
			memcpy(joined, *s, a);
			joined[a] = ',';
			memcpy(joined + a + 1, v, b + 1);
			free(*s);
			*s = joined;
		} else {
			free(*s);
			*s = xstrdup(v);
		}
		break;
	}
	}
	c->origin[i] = from;
	c->line[i] = line;
	return GD_OK;
}

static long find(const struct config *c, const char *name, size_t n)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->items[i].name) == n && !strncmp(c->items[i].name, name, n))
			return (long)i;
	return -1;
}

enum gd_status config_defaults(struct config *c, const struct config_item *items, size_t n, void *target)
{
	memset(c, 0, sizeof *c);
	GD_ASSERT(n <= CONFIG_MAX_ITEMS);
	c->items = items;
	c->n = n;
	c->target = target;
	for (size_t i = 0; i < n; i++) {
		if (holds_string(items[i].type))
			*str_field(c, i) = NULL;
		if (items[i].def) {
			enum gd_status st = set(c, i, items[i].def, CONFIG_FROM_DEFAULT, 0);
			GD_ASSERT(!st); /* a bad default is a bug in the table */
		}
		c->origin[i] = CONFIG_FROM_DEFAULT;
	}
	return GD_OK;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* One line of the file (without its newline). */
static enum gd_status parse_line(struct config *c, const char *name, int lineno, char *s, size_t len)
{
	if (len && s[len - 1] == '\r')
		s[--len] = '\0';
	if (!utf8_valid(s, len))
		return fail(c, "%s:%d: the line is not valid UTF-8 (or holds a NUL byte)", name, lineno);
	while (blank(*s))
		s++, len--;
	while (len && blank(s[len - 1]))
		s[--len] = '\0';
	if (!*s || *s == '#')
		return GD_OK;
	char *eq = strchr(s, '=');
	if (!eq)
		return fail(c, "%s:%d: expected 'key = value', got '%.80s'", name, lineno, s);
	size_t klen = (size_t)(eq - s);
	while (klen && blank(s[klen - 1]))
		klen--;
	if (!klen)
		return fail(c, "%s:%d: a key is needed before '='", name, lineno);
	long i = find(c, s, klen);
	if (i < 0) {
		char known[CONFIG_CAP_ERROR / 2];
		size_t o = 0;
		known[0] = '\0';
		for (size_t k = 0; k < c->n && o + 1 < sizeof known; k++) {
			int w = snprintf(known + o, sizeof known - o, "%s%s", k ? ", " : "", c->items[k].name);
			if (w < 0)
				break;
			o += (size_t)w;
		}
		if (o >= sizeof known)
			o = sizeof known - 1;
		known[o] = '\0';
		return fail(c, "%s:%d: unknown key '%.*s' (the keys are: %s)", name, lineno, (int)(klen > 60 ? 60 : klen),
			    s, known);
	}
	if (c->origin[i] == CONFIG_FROM_FILE)
		return fail(c, "%s:%d: duplicate key '%s' (first set on line %d)", name, lineno, c->items[i].name,
			    c->line[i]);
	char *v = eq + 1;
	while (blank(*v))
		v++;
	if (!*v)
		return fail(c, "%s:%d: %s: a value is needed after '='", name, lineno, c->items[i].name);
	return set(c, (size_t)i, v, CONFIG_FROM_FILE, lineno);
}

enum gd_status config_parse_text(struct config *c, const char *name, const char *text, size_t len)
{
	if (!c->file)
		c->file = xstrdup(name);
	enum gd_status st = GD_OK;
	char *line = xmalloc(CONFIG_CAP_LINE + 1);
	int lineno = 0;
	for (size_t pos = 0; pos < len && !st;) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		if (n > CONFIG_CAP_LINE) {
			st = fail(c, "%s:%d: the line is longer than %d bytes", name, lineno, CONFIG_CAP_LINE);
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		st = parse_line(c, name, lineno, line, n);
		pos += n + 1;
	}
	free(line);
	return st;
}

static enum gd_status load_file(struct config *c, const char *path, bool required)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (!required && errno == ENOENT)
			return GD_OK;
		return fail(c, "%s: cannot read the configuration file: %s", path, strerror(errno));
	}
	struct strbuf sb = STRBUF_INIT(CONFIG_CAP_FILE);
	char chunk[8192];
	size_t got;
	enum gd_status st = GD_OK;
	while (!st && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (strbuf_add(&sb, chunk, got))
			st = fail(c, "%s: the configuration file is larger than %u bytes", path, CONFIG_CAP_FILE);
	if (!st && ferror(f))
		st = fail(c, "%s: cannot read the configuration file: %s", path, strerror(errno));
	fclose(f);
	if (!st) {
		free(c->file);
		c->file = xstrdup(path);
		st = config_parse_text(c, path, strbuf_str(&sb), sb.len);
	}
	strbuf_release(&sb);
	return st;
}

enum gd_status config_load(struct config *c, const struct config_item *items, size_t n, void *target,
			   const char *default_file, int argc, const char *const *argv)
{
	enum gd_status st = config_defaults(c, items, n, target);
	if (st)
		return st;
	/* the flags are read twice: first for --config and to refuse unknown
	 * ones before anything else happens, then to apply them last */
	const char *file = default_file;
	bool required = false;
	for (int a = 0; a < argc; a++) {
		const char *arg = argv[a];
		if (strncmp(arg, "--", 2))
			return fail(c, "unexpected argument '%.80s'", arg);
		if (!strcmp(arg, "--config")) {
			if (a + 1 >= argc)
				return fail(c, "--config needs a file");
			file = argv[++a];
			required = true;
			continue;
		}
		long i = find(c, arg + 2, strlen(arg + 2));
		if (i < 0)
			return fail(c, "unknown option '%.80s'", arg);
		if (items[i].type != CONFIG_BOOL && ++a >= argc)
			return fail(c, "option '%s' needs a value", arg);
	}
	if (file && (st = load_file(c, file, required)))
		return st;
	for (size_t i = 0; i < n; i++) {
		char env[96];
		env_name(items[i].name, env, sizeof env);
		const char *v = getenv(env);
		if (v && (st = set(c, i, v, CONFIG_FROM_ENV, 0)))
			return st;
	}
	for (int a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--config")) {
			a++;
			continue;
		}
		long i = find(c, argv[a] + 2, strlen(argv[a] + 2));
		const char *v = items[i].type == CONFIG_BOOL ? "true" : argv[++a];
		if ((st = set(c, (size_t)i, v, CONFIG_FROM_FLAG, 0)))
			return st;
	}
	return GD_OK;
}

void config_release(struct config *c)
{
	if (c->target)
		for (size_t i = 0; i < c->n; i++)
			if (holds_string(c->items[i].type)) {
				char **s = str_field(c, i);
				free(*s);
				*s = NULL;
			}
	free(c->file);
	c->file = NULL;
	c->target = NULL;
}

void config_where(const struct config *c, const char *name, char *out, size_t outlen)
{
	long i = find(c, name, strlen(name));
	if (i < 0) {
		snprintf(out, outlen, "%s", name);
		return;
	}
	if (c->origin[i] == CONFIG_FROM_DEFAULT)
		snprintf(out, outlen, "the default %s", name);
	else
		describe(c, (size_t)i, c->origin[i], c->line[i], out, outlen);
}

enum gd_status config_usage(const struct config_item *items, size_t n, struct strbuf *out)
{
	enum gd_status st = GD_OK;
	for (size_t i = 0; i < n && !st; i++) {
		const struct config_item *it = &items[i];
		char flag[96];
		snprintf(flag, sizeof flag, "--%s%s%s", it->name, it->type == CONFIG_BOOL ? "" : " ",
			 it->type == CONFIG_BOOL ? "" : it->arg ? it->arg : "VALUE");
		st = strbuf_addf(out, "  %-30s %s", flag, it->help ? it->help : "");
		if (!st && it->type == CONFIG_INT)
			st = strbuf_addf(out, " (%lld to %lld)", (long long)it->min, (long long)it->max);
		if (!st && it->type == CONFIG_ENUM)
			st = strbuf_addf(out, " (%s)", it->choices);
		if (!st && it->def && !it->secret)
			st = strbuf_addf(out, " [default %s]", it->def);
		if (!st)
			st = strbuf_addch(out, '\n');
	}
	return st;
}
