/* status.c - the table behind enum gd_status: HTTP code, slug, message. */
#include "gongdan/status.h"

static const struct {
	int http;
	const char *slug;
	const char *message;
} status_table[GD_STATUS_COUNT] = {
	[GD_OK] = {200, "ok", "OK"},
	[GD_E_BAD_REQUEST] = {400, "bad_request", "the request is malformed"},
	[GD_E_UNAUTHORIZED] = {401, "unauthorized", "authentication required"},
	[GD_E_FORBIDDEN] = {403, "forbidden", "you may not do this"},
	[GD_E_NOT_FOUND] = {404, "not_found", "no such resource"},
	[GD_E_METHOD] = {405, "method_not_allowed", "method not allowed on this resource"},
	[GD_E_CONFLICT] = {409, "conflict", "not allowed in the current state"},
	[GD_E_PRECONDITION] = {412, "precondition_failed", "the resource has changed (stale If-Match)"},
	[GD_E_TOO_LARGE] = {413, "payload_too_large", "the request body is too large"},
	[GD_E_URI_TOO_LONG] = {414, "uri_too_long", "the request URI is too long"},
	[GD_E_MEDIA_TYPE] = {415, "unsupported_media_type", "the body must be application/json"},
	[GD_E_VALIDATION] = {422, "validation_failed", "some fields are invalid"},
	[GD_E_RATE_LIMIT] = {429, "too_many_requests", "too many attempts; try again later"},
	[GD_E_INTERNAL] = {500, "internal_error", "internal server error"},
	[GD_E_NOT_IMPLEMENTED] = {501, "not_implemented", "the server does not support this"},
	[GD_E_UNAVAILABLE] = {503, "unavailable", "the service is busy; try again"},
	[GD_E_STORAGE_FULL] = {507, "storage_full",
			       "the server's disk is full, so nothing was saved; try again later "
			       "(the administrator must free space)"},
};

static int valid(enum gd_status st)
{
	return (unsigned)st < GD_STATUS_COUNT;
}

int status_http(enum gd_status st)
{
	return valid(st) ? status_table[st].http : 500;
}

const char *status_slug(enum gd_status st)
{
	return valid(st) ? status_table[st].slug : "internal_error";
}

const char *status_message(enum gd_status st)
{
	return valid(st) ? status_table[st].message : "internal server error";
}
