/* log.h - leveled logging to stderr. log_at() checks the level before
 * formatting. Never log secrets or request bodies. */
#ifndef GD_LOG_H
#define GD_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
void log_at(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
