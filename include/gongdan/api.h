/* api.h - the resource handlers (src/api/, one file per resource). Each takes
 * the request, makes one core call, and renders JSON. The route table in
 * src/web/routes.c maps paths to them. */
#ifndef GD_API_H
#define GD_API_H

#include "gongdan/request.h"

/* health.c */
enum gd_status api_healthz(struct request *req);

#endif
