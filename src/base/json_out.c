/* json_out.c - JSON text into a strbuf (see json_out.h). */
#include "gongdan/json_out.h"

#include <string.h>

enum gd_status json_out_string(struct strbuf *sb, const char *s)
{
	static const char hexdigits[] = "0123456789ABCDEF";
	if (!s)
		return strbuf_adds(sb, "null");
	enum gd_status st = strbuf_addch(sb, '"');
	const char *run = s; /* bytes copied as they are, in one append */
	for (const char *p = s; !st; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (p > run)
			st = strbuf_add(sb, run, (size_t)(p - run));
		if (!c || st)
			break;
		char esc[7] = {'\\', (char)c, 0};
		switch (c) {
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '"': case '\\': break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hexdigits[c >> 4];
			esc[5] = hexdigits[c & 15];
		}
		st = strbuf_adds(sb, esc);
		run = p + 1;
	}
	return st ? st : strbuf_addch(sb, '"');
}

enum gd_status json_out_key(struct strbuf *sb, const char *key, int first)
{
	enum gd_status st = first ? GD_OK : strbuf_addch(sb, ',');
	if (!st)
		st = json_out_string(sb, key);
	return st ? st : strbuf_addch(sb, ':');
}
