/* log.c - one line per event on stderr: ISO time, level, message; and the
 * rate limit for warnings that an attacker or a bad day can repeat. */
#include "gongdan/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;

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

static void vlog(enum log_level level, const char *suffix, const char *fmt, va_list ap)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(line + n, sizeof line - (size_t)n, "%s ", names[level]);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	/* one fputs per line so lines from pool threads never interleave */
	fprintf(stderr, "%s%s\n", line, suffix);
}
