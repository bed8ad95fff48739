/* static_files.h - serving www/: MIME types, ETag/304, and no way out of the
 * folder (.., encoded dots, symlinks). Part of src/web/. */
#ifndef GD_STATIC_FILES_H
#define GD_STATIC_FILES_H

#include "gongdan/status.h"

struct request;
struct MHD_Response;

/* Sets the folder (resolved with realpath once at start). */
enum gd_status static_init(const char *www);
void static_release(void);
/* Answers a GET/HEAD for req->path from the folder: on GD_OK *resp and
 * *http_status are set. A path outside /api whose last segment has no
 * extension and names no file gets index.html (the browser UI routes it).
 * GD_E_NOT_FOUND when there is no such file. */
enum gd_status static_serve(struct request *req, struct MHD_Response **resp, unsigned *http_status);
/* Drops every file held in memory. */
void static_cache_clear(void);
/* MIME type for a file name, by extension. */
const char *static_mime_type(const char *name);

#endif
