/* static_files.c - serves www/. The path is checked segment by segment (no
 * "..", no hidden files), then resolved with realpath() and must still lie
 * inside the folder, which also refuses symlinks that point out of it.
 * ETag is size-mtime; If-None-Match answers 304. Small files are served
 * from memory (see the cache below). A path without a file extension that
 * names no file is one of the browser UI's pages: it gets index.html. */
#include "gongdan/static_files.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
	static_cache_clear();
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

/* Small files are kept in memory, keyed by request path, and checked
 * against the disk (one stat) at most once a second: a reply is then a
 * memory copy instead of realpath + open + fstat + sendfile. Entries are
 * reference-counted because a response may outlive its cache slot. */
#define CACHE_SLOTS 256
#define CACHE_FILE_MAX (256u << 10)
#define CACHE_RECHECK_SECONDS 1

struct cached_file {
	atomic_int refs;   /* the slot's reference + one per response */
	char *path;        /* request path (the key) */
	char *real;        /* resolved file */
	const char *mime;
	char etag[64];
	off_t size;
	time_t mtime;
	atomic_llong checked; /* when the disk was last asked */
	char data[];
};

static struct cached_file *cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void cached_unref(struct cached_file *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
		free(c->path);
		free(c->real);
		free(c);
	}
}

static void cached_release_cb(void *cls)
{
	cached_unref(cls);
}

static unsigned slot_of(const char *path)
{
	unsigned h = 2166136261u;
	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	return h % CACHE_SLOTS;
}

static void make_etag(char etag[64], const struct stat *sb)
{
	snprintf(etag, 64, "\"%llx-%llx\"", (unsigned long long)sb->st_size, (unsigned long long)sb->st_mtime);
}

/* The cached entry for path, with a reference for the caller, or NULL. */
static struct cached_file *cache_get(const char *path)
{
	unsigned i = slot_of(path);
	pthread_mutex_lock(&cache_lock);
	struct cached_file *c = cache[i];
	if (c && strcmp(c->path, path))
		c = NULL;
	if (c)
		atomic_fetch_add(&c->refs, 1);
	pthread_mutex_unlock(&cache_lock);
	if (!c)
		return NULL;
	time_t now = time(NULL);
	if (now - (time_t)atomic_load(&c->checked) < CACHE_RECHECK_SECONDS)
		return c;
	struct stat sb;
	if (!stat(c->real, &sb) && sb.st_size == c->size && sb.st_mtime == c->mtime) {
		atomic_store(&c->checked, (long long)now);
		return c;
	}
	/* changed or gone: forget it and go to the disk */
	pthread_mutex_lock(&cache_lock);
	if (cache[i] == c) {
		cache[i] = NULL;
		cached_unref(c);
	}
	pthread_mutex_unlock(&cache_lock);
	cached_unref(c);
	return NULL;
}

/* Reads a small regular file into a new entry and puts it in its slot. */
static struct cached_file *cache_put(const char *path, const char *real, int fd, const struct stat *sb)
{
	struct cached_file *c = xmalloc(sizeof *c + (size_t)sb->st_size + 1);
	size_t got = 0;
	while (got < (size_t)sb->st_size) {
		ssize_t n = pread(fd, c->data + got, (size_t)sb->st_size - got, (off_t)got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != (size_t)sb->st_size) {
		free(c);
		return NULL;
	}
	atomic_init(&c->refs, 2); /* the slot and the caller */
	c->path = xstrdup(path);
	c->real = xstrdup(real);
	c->mime = static_mime_type(real);
	c->size = sb->st_size;
	c->mtime = sb->st_mtime;
	atomic_init(&c->checked, (long long)time(NULL));
	make_etag(c->etag, sb);
	unsigned i = slot_of(path);
	pthread_mutex_lock(&cache_lock);
	struct cached_file *old = cache[i];
	cache[i] = c;
	pthread_mutex_unlock(&cache_lock);
	cached_unref(old);
	return c;
}

static bool not_modified(struct request *req, const char *etag)
{
	const char *inm = req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	return inm && (strstr(inm, etag) || !strcmp(inm, "*"));
}

static void finish(struct MHD_Response *resp, const char *etag)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
}

/* Answers from a cached entry (consumes the caller's reference). */
static void serve_cached(struct request *req, struct cached_file *c, struct MHD_Response **resp, unsigned *status)
{
	if (not_modified(req, c->etag)) {
		*resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		*status = MHD_HTTP_NOT_MODIFIED;
		finish(*resp, c->etag);
		cached_unref(c);
		return;
	}
	*resp = MHD_create_response_from_buffer_with_free_callback_cls((size_t)c->size, c->data, cached_release_cb, c);
	MHD_add_response_header(*resp, MHD_HTTP_HEADER_CONTENT_TYPE, c->mime);
	*status = MHD_HTTP_OK;
	req->bytes_out = (uint64_t)c->size;
	finish(*resp, c->etag);
}

void static_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < CACHE_SLOTS; i++) {
		cached_unref(cache[i]);
		cache[i] = NULL;
	}
	pthread_mutex_unlock(&cache_lock);
}

/* A path the browser UI routes itself: not under /api, and its last segment
 * has no file extension (/tickets/TS20261129000042, /intake). */
static bool is_page_path(const char *path)
{
	if (!strncmp(path, "/api", 4) && (path[4] == '\0' || path[4] == '/'))
		return false;
	const char *last = strrchr(path, '/');
	return !strchr(last ? last : path, '.');
}

/* Serves the file at rel (a checked request path). */
static enum gd_status serve_path(struct request *req, const char *rel, struct MHD_Response **resp,
				 unsigned *http_status)
{
	struct cached_file *c = cache_get(rel);
	if (c) {
		serve_cached(req, c, resp, http_status);
		return GD_OK;
	}
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
	if ((size_t)sb.st_size <= CACHE_FILE_MAX && (c = cache_put(rel, real, fd, &sb))) {
		close(fd);
		serve_cached(req, c, resp, http_status);
		return GD_OK;
	}
	char etag[64];
	make_etag(etag, &sb);
	if (not_modified(req, etag)) {
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
	finish(*resp, etag);
	return GD_OK;
}

enum gd_status static_serve(struct request *req, struct MHD_Response **resp, unsigned *http_status)
{
	if (!root || !safe_path(req->path))
		return GD_E_NOT_FOUND;
	enum gd_status st = serve_path(req, req->path, resp, http_status);
	/* the browser UI's own URLs load the page, whose router shows them */
	if (st == GD_E_NOT_FOUND && is_page_path(req->path))
		st = serve_path(req, "/index.html", resp, http_status);
	return st;
}
