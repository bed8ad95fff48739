/* log.c - one line per event on stderr: ISO time, level, message (or the
 * same as one JSON object, --log-format json); and the
 * rate limit for warnings that an attacker or a bad day can repeat. */
#include "gongdan/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gongdan/strbuf.h"
#include "gongdan/utf8.h"

static enum log_level min_level = LOG_INFO;
static atomic_bool json_lines; /* --log-format json */

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_enabled(enum log_level level)
{
	return level >= min_level;
}

static void vlog(enum log_level level, const char *suffix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void log_at(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(level, "", fmt, ap);
	va_end(ap);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void log_limited(struct log_limit *l, int seconds, enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	int64_t now = now_ms(), next = atomic_load(&l->next_ms);
	/* one thread wins the slot; the others count themselves as suppressed */
	if (now < next || !atomic_compare_exchange_strong(&l->next_ms, &next, now + (int64_t)seconds * 1000)) {
		atomic_fetch_add(&l->suppressed, 1);
		return;
	}
	unsigned long n = atomic_exchange(&l->suppressed, 0);
	char suffix[96] = "";
	if (n)
		snprintf(suffix, sizeof suffix, " (and %lu more like it in the last %d s)", n, seconds);
	va_list ap;
	va_start(ap, fmt);
	vlog(level, suffix, fmt, ap);
	va_end(ap);
}

static const char *const level_names[] = {"debug", "info", "warn", "error"};

/* "2026-11-29T08:30:00Z", or with milliseconds for JSON lines. */
static void stamp(char *out, size_t outlen, bool millis)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
	if (millis)
		snprintf(out + n, outlen - n, ".%03ldZ", ts.tv_nsec / 1000000);
	else
		snprintf(out + n, outlen - n, "Z");
}

/* One JSON object per line: time, level, msg, then fields' members. */
static void emit_json(enum log_level level, const char *msg, json_t *fields)
{
	char when[40], text[2048];
	stamp(when, sizeof when, true);
	snprintf(text, sizeof text, "%s", msg);
	utf8_sanitize(text); /* a message may hold a cut character */
	json_t *line = json_pack("{s:s, s:s, s:s}", "time", when, "level", level_names[level], "msg", text);
	if (line && fields)
		json_object_update(line, fields);
	char *out = line ? json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	if (out)
		fprintf(stderr, "%s\n", out);
	free(out);
	json_decref(line);
}

static void vlog(enum log_level level, const char *suffix, const char *fmt, va_list ap)
{
	char line[2048];
	if (atomic_load(&json_lines)) {
		int n = vsnprintf(line, sizeof line, fmt, ap);
		if (n >= 0 && (size_t)n < sizeof line)
			snprintf(line + n, sizeof line - (size_t)n, "%s", suffix);
		emit_json(level, line, NULL);
		return;
	}
	stamp(line, sizeof line, false);
	size_t n = strlen(line);
	n += (size_t)snprintf(line + n, sizeof line - n, " %s ", level_names[level]);
	vsnprintf(line + n, sizeof line - n, fmt, ap);
	/* one fputs per line so lines from pool threads never interleave */
	fprintf(stderr, "%s%s\n", line, suffix);
}

void log_set_format(enum log_format format)
{
	atomic_store(&json_lines, format == LOG_FORMAT_JSON);
}

bool log_is_json(void)
{
	return atomic_load(&json_lines);
}

void log_fields(enum log_level level, const char *msg, json_t *fields)
{
	if (!log_enabled(level)) {
		json_decref(fields);
		return;
	}
	if (atomic_load(&json_lines)) {
		emit_json(level, msg, fields);
		json_decref(fields);
		return;
	}
	/* text: "msg key=value key=value", strings as they are */
	struct strbuf sb = STRBUF_INIT(2048);
	const char *key;
	json_t *v;
	strbuf_adds(&sb, msg);
	json_object_foreach(fields, key, v) {
		if (json_is_string(v))
			strbuf_addf(&sb, " %s=%s", key, json_string_value(v));
		else if (json_is_integer(v))
			strbuf_addf(&sb, " %s=%lld", key, (long long)json_integer_value(v));
		else if (json_is_boolean(v))
			strbuf_addf(&sb, " %s=%s", key, json_is_true(v) ? "true" : "false");
	}
	char when[40];
	stamp(when, sizeof when, false);
	fprintf(stderr, "%s %s %s\n", when, level_names[level], strbuf_str(&sb));
	strbuf_release(&sb);
	json_decref(fields);
}
