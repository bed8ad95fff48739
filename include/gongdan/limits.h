/* limits.h - every cap in one place (curl's DYN_* constants). */
#ifndef GD_LIMITS_H
#define GD_LIMITS_H

#define GD_CAP_BODY_DEFAULT (1u << 20)  /* request body, bytes (--max-body) */
#define GD_DRAIN_FACTOR 8                /* drain at most 8x the cap before dropping */
#define GD_CAP_RESPONSE (64u << 20)     /* rendered response, bytes */
#define GD_CAP_PATH 2048                /* request path, bytes */
#define GD_CAP_ERROR 512                /* error message, bytes */
#define GD_MAX_ROUTE_PARAMS 4           /* {param} captures per route */
#define GD_CAP_QUERY 8192               /* request query string, bytes */
#define GD_MAX_QUERY_PARAMS 100         /* parameters in a query string */
#define GD_MAX_CONNECTIONS 1024         /* concurrent connections (--max-connections) */
#define GD_MAX_PER_ADDRESS 128          /* concurrent connections per address (--max-per-address) */
#define GD_HEAD_TIMEOUT_MS 10000        /* a whole request head within this of waiting for it */
#define GD_BODY_GRACE_MS 10000          /* then a body or answer must keep up GD_MIN_RATE */
#define GD_MIN_RATE 16384               /* bytes per second */
#define GD_PRESSURE_GRACE_MS 1000       /* the same two, near the connection limit */
#define GD_CONNECTION_TIMEOUT 30        /* MHD's own idle timeout, a backstop, seconds */
#define GD_MEMORY_PER_CONNECTION (64u << 10) /* MHD header/read buffer */
#define GD_SHUTDOWN_GRACE_MS 10000      /* wait for in-flight requests on stop */
#define GD_SLOW_QUEUE_MAX 256           /* requests waiting for the slow lane */
#define GD_MAX_BULK_TICKETS 200         /* tickets in one bulk action (bulk.h) */

#endif
