/* gd_time.h - the server's clock and ISO 8601 rendering. Times are Unix
 * seconds (UTC) in the database and ISO 8601 "2026-11-29T08:30:00Z" in JSON.
 * Local dates (ticket numbers, daily reports) follow the TZ environment
 * variable (the centre runs with TZ=Asia/Shanghai). */
#ifndef GD_TIME_H
#define GD_TIME_H

#include <stdbool.h>
#include <stdint.h>

int64_t time_now(void);
/* Sets the clock time_now() reads (`gongdan generate` replays a year of a
 * centre through the server's own code); 0 returns it to the real clock. */
void time_set_now(int64_t t);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" (out holds at least 21 bytes). */
void time_iso(int64_t t, char out[32]);
/* Writes the local date "YYYYMMDD". */
void time_local_day(int64_t t, char out[16]);
/* Parses "YYYY-MM-DD" (local midnight) or "YYYY-MM-DDTHH:MM:SSZ". */
bool time_parse(const char *s, int64_t *out);

#endif
