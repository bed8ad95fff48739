/* gd_time.c - clock, ISO 8601 rendering and parsing. */
#include "gongdan/gd_time.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t set_now; /* 0: the real clock */

int64_t time_now(void)
{
	int64_t t = atomic_load_explicit(&set_now, memory_order_relaxed);
	return t ? t : (int64_t)time(NULL);
}

void time_set_now(int64_t t)
{
	atomic_store(&set_now, t);
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void time_iso(int64_t t, char out[32])
{
	/* every ticket in a list has six times: without strftime, which
	 * formats through the locale machinery, rendering a list is a third
	 * cheaper */
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	int year = tm.tm_year + 1900;
	if (year < 0 || year > 9999) {
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	put2(out, year / 100);
	put2(out + 2, year % 100);
	out[4] = '-';
	put2(out + 5, tm.tm_mon + 1);
	out[7] = '-';
	put2(out + 8, tm.tm_mday);
	out[10] = 'T';
	put2(out + 11, tm.tm_hour);
	out[13] = ':';
	put2(out + 14, tm.tm_min);
	out[16] = ':';
	put2(out + 17, tm.tm_sec);
	out[19] = 'Z';
	out[20] = '\0';
}

void time_local_day(int64_t t, char out[16])
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	strftime(out, 16, "%Y%m%d", &tm);
}

int time_local_date(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int64_t time_local_start(int ymd)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = ymd / 10000 - 1900;
	tm.tm_mon = ymd / 100 % 100 - 1;
	tm.tm_mday = ymd % 100;
	tm.tm_isdst = -1;
	int64_t t = (int64_t)mktime(&tm);
	/* where midnight does not exist mktime may answer the day before */
	while (time_local_date(t) < ymd)
		t += 3600;
	return t;
}

bool time_parse(const char *s, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end && !*end) {
		*out = (int64_t)timegm(&tm);
		return true;
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end && !*end && strlen(s) == 10) {
		tm.tm_isdst = -1;
		*out = (int64_t)mktime(&tm);
		return true;
	}
	return false;
}
