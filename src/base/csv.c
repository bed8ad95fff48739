/* csv.c - RFC 4180 fields and rows (see csv.h). */
#include "gongdan/csv.h"

#include <inttypes.h>
#include <string.h>

enum gd_status csv_text(struct strbuf *sb, const char *text, int first)
{
	enum gd_status s;
	if (!first && (s = strbuf_addch(sb, ',')))
		return s;
	if (!text)
		return GD_OK;
	if (!text[strcspn(text, ",\"\r\n")])
		return strbuf_adds(sb, text);
	if ((s = strbuf_addch(sb, '"')))
		return s;
	for (const char *p = text; *p; p++) {
		size_t n = strcspn(p, "\"");
		if ((s = strbuf_add(sb, p, n)))
			return s;
		p += n;
		if (!*p)
			break;
		if ((s = strbuf_add(sb, "\"\"", 2)))
			return s;
	}
	return strbuf_addch(sb, '"');
}

enum gd_status csv_int(struct strbuf *sb, int64_t v, int first)
{
	return strbuf_addf(sb, "%s%" PRId64, first ? "" : ",", v);
}

enum gd_status csv_end(struct strbuf *sb)
{
	return strbuf_add(sb, "\r\n", 2);
}
