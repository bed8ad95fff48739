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
/* The local date of t as the number YYYYMMDD (reports key their counters
 * by it). */
int time_local_date(int64_t t);
/* The time local date ymd (YYYYMMDD) begins: its local midnight, or the
 * first second of the day where a clock change skips midnight. */
int64_t time_local_start(int ymd);
/* Parses "YYYY-MM-DD" (local midnight) or "YYYY-MM-DDTHH:MM:SSZ". */
bool time_parse(const char *s, int64_t *out);

#endif
