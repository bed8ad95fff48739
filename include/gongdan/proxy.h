/* proxy.h - the reverse proxies gongdan trusts (`serve --trusted-proxy
 * CIDR`, repeatable). A request whose TCP peer is a trusted proxy names its
 * client in X-Forwarded-For: gongdan walks that list from the right, past
 * every address that is itself a trusted proxy, and the first one that is
 * not is the client (what login throttling and the logs use). Without a
 * trusted proxy, or from any other peer, X-Forwarded-For is ignored: anyone
 * can send one. A trusted proxy is also exempt from the per-address
 * connection limit, since everyone's requests come through it. */
#ifndef GD_PROXY_H
#define GD_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "gongdan/status.h"

#define PROXY_MAX 16 /* trusted ranges */

/* Adds a range: "10.0.0.0/8", "192.0.2.7" (one address), "fd00::/8".
 * GD_E_BAD_REQUEST when malformed, or past PROXY_MAX. */
enum gd_status proxy_add(const char *cidr);
/* Why cidr is not a range proxy_add takes, or NULL when it is one (the
 * configuration's check of trusted-proxy). */
const char *proxy_check(const char *cidr);
/* Forgets every range (tests). */
void proxy_reset(void);
/* Whether any range is configured. */
bool proxy_any(void);

/* Whether sa (IPv4 or IPv6) is in a trusted range. */
bool proxy_trusted(const struct sockaddr *sa);
/* The client address as text into out: peer's own, or, when peer is a
 * trusted proxy, the one X-Forwarded-For (xff, may be NULL) names. */
void proxy_client(const struct sockaddr *peer, const char *xff, char *out, size_t outlen);

#endif
