/* limits.h - every cap in one place (curl's DYN_* constants). */
#ifndef GD_LIMITS_H
#define GD_LIMITS_H

#define GD_CAP_BODY_DEFAULT (1u << 20)  /* request body, bytes (--max-body) */
#define GD_DRAIN_FACTOR 8                /* drain at most 8x the cap before dropping */
#define GD_CAP_RESPONSE (64u << 20)     /* rendered response, bytes */
#define GD_CAP_PATH 2048                /* request path, bytes */
#define GD_CAP_ERROR 512                /* error message, bytes */
#define GD_MAX_ROUTE_PARAMS 4           /* {param} captures per route */
#define GD_MAX_CONNECTIONS 1024         /* concurrent connections */
#define GD_MAX_PER_IP 256               /* concurrent connections per address */
#define GD_CONNECTION_TIMEOUT 30        /* idle seconds before a connection closes */
#define GD_MEMORY_PER_CONNECTION (64u << 10) /* MHD header/read buffer */
#define GD_SHUTDOWN_GRACE_MS 10000      /* wait for in-flight requests on stop */

#endif
