/* log.h - leveled logging to stderr. log_at() checks the level before
 * formatting. Never log secrets or request bodies.
 *
 * A warning that can repeat once per request or per connection (a refused
 * connection, a full disk, a busy database, libmicrohttpd's own complaints)
 * goes through log_limited(): at most one line per interval, which says how
 * many like it were left out. This holds under --quiet too, which keeps
 * warnings. */
#ifndef GD_LOG_H
#define GD_LOG_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* text: "2026-11-29T08:30:00Z info message"; json: one object per line,
 * {"time":"2026-11-29T08:30:00.123Z","level":"info","msg":"message",...}
 * for log shippers (non-ASCII escaped, so every line is plain ASCII). */
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };
void log_set_format(enum log_format format);
bool log_is_json(void);

void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
void log_at(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line with structured fields (takes fields, an object of strings,
 * integers and booleans): in JSON its members join the line's object; in
 * text they follow the message as key=value. */
void log_fields(enum log_level level, const char *msg, json_t *fields);

/* One rate limit: a static per kind of message. */
struct log_limit {
	_Atomic int64_t next_ms;          /* monotonic time of the next allowed line */
	_Atomic unsigned long suppressed; /* lines left out since the last one */
};
#define LOG_LIMIT_INIT {0, 0}

/* Logs like log_at, but at most once every `seconds` for l. */
void log_limited(struct log_limit *l, int seconds, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
