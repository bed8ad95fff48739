/* static_files.c - serves www/. The path is checked segment by segment (no
 * "..", no hidden files), then resolved with realpath() and must still lie
 * inside the folder, which also refuses symlinks that point out of it.
 * ETag is size-mtime; If-None-Match answers 304. */
#include "gongdan/static_files.h"

#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gongdan/log.h"
#include "gongdan/request.h"
#include "gongdan/xalloc.h"

static char *root;      /* realpath of www, no trailing slash */
static size_t root_len;

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
	{".webmanifest", "application/manifest+json"},
};

enum gd_status static_init(const char *www)
{
	char buf[PATH_MAX];
	if (!realpath(www, buf)) {
		log_at(LOG_ERROR, "--www %s: no such folder", www);
		return GD_E_NOT_FOUND;
	}
	free(root);
	root = xstrdup(buf);
	root_len = strlen(root);
	return GD_OK;
}

void static_release(void)
{
	free(root);
	root = NULL;
}

const char *static_mime_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot)
		for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
			if (!strcasecmp(dot, mime_types[i].ext))
				return mime_types[i].type;
	return "application/octet-stream";
}

/* Refuses "..", "." and hidden segments, backslashes and empty segments. */
static bool safe_path(const char *path)
{
	if (strchr(path, '\\'))
		return false;
	for (const char *s = path; *s;) {
		while (*s == '/')
			s++;
		size_t n = strcspn(s, "/");
		if (n && s[0] == '.')
			return false;
		s += n;
	}
	return true;
}

enum gd_status static_serve(struct request *req, struct MHD_Response **resp, unsigned *http_status)
{
	if (!root || !safe_path(req->path))
		return GD_E_NOT_FOUND;
	const char *rel = req->path;
	char want[PATH_MAX], real[PATH_MAX];
	int n = snprintf(want, sizeof want, "%s%s%s", root, rel, rel[strlen(rel) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof want)
		return GD_E_NOT_FOUND;
	if (!realpath(want, real) || strncmp(real, root, root_len) || real[root_len] != '/')
		return GD_E_NOT_FOUND;
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return GD_E_NOT_FOUND;
	struct stat sb;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return GD_E_NOT_FOUND;
	}
	char etag[64];
	snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)sb.st_size, (unsigned long long)sb.st_mtime);
	const char *inm = req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm && (strstr(inm, etag) || !strcmp(inm, "*"))) {
		close(fd);
		*resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		*http_status = MHD_HTTP_NOT_MODIFIED;
	} else {
		*resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd); /* takes fd */
		if (!*resp) {
			close(fd);
			return GD_E_INTERNAL;
		}
		MHD_add_response_header(*resp, MHD_HTTP_HEADER_CONTENT_TYPE, static_mime_type(real));
		*http_status = MHD_HTTP_OK;
		req->bytes_out = (uint64_t)sb.st_size;
	}
	MHD_add_response_header(*resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(*resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return GD_OK;
}
