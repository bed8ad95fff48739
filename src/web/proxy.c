/* proxy.c - trusted proxy ranges and the client X-Forwarded-For names
 * (proxy.h). Addresses are compared as 16 bytes, IPv4 as ::ffff:a.b.c.d. */
#include "gongdan/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gongdan/number.h"

struct range {
	unsigned char addr[16];
	int bits;
};

static struct range ranges[PROXY_MAX];
static int nranges;

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* A textual address (no port, no brackets) as 16 bytes; *v4 when IPv4. */
static bool parse_addr(const char *text, unsigned char out[16], bool *v4)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, text, &a4) == 1) {
		memcpy(out, v4_mapped, 12);
		memcpy(out + 12, &a4, 4);
		*v4 = true;
		return true;
	}
	if (inet_pton(AF_INET6, text, &a6) == 1) {
		memcpy(out, &a6, 16);
		*v4 = false;
		return true;
	}
	return false;
}

static bool from_sockaddr(const struct sockaddr *sa, unsigned char out[16])
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		memcpy(out, v4_mapped, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

static void to_text(const unsigned char a[16], char *out, size_t outlen)
{
	if (!memcmp(a, v4_mapped, 12))
		inet_ntop(AF_INET, a + 12, out, (socklen_t)outlen);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
}

/* "10.0.0.0/8" as a range; false when it is not one. */
static bool parse_range(const char *cidr, struct range *r)
{
	char text[64];
	const char *slash = strchr(cidr, '/');
	size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, cidr, n);
	text[n] = '\0';
	bool v4;
	if (!parse_addr(text, r->addr, &v4))
		return false;
	int64_t bits = v4 ? 32 : 128;
	if (slash && !number_parse(slash + 1, -1, 0, v4 ? 32 : 128, &bits))
		return false;
	r->bits = (int)bits + (v4 ? 96 : 0);
	/* the address bits past the prefix must be zero: 10.0.0.1/8 is a typo */
	for (int i = r->bits; i < 128; i++)
		if (r->addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

const char *proxy_check(const char *cidr)
{
	struct range r;
	return parse_range(cidr, &r) ? NULL
				     : "is not an address or a CIDR range with zero host bits (e.g. 10.0.0.0/8, "
				       "192.0.2.7, fd00::/8)";
}

enum gd_status proxy_add(const char *cidr)
{
	struct range r;
	if (nranges == PROXY_MAX || !parse_range(cidr, &r))
		return GD_E_BAD_REQUEST;
	ranges[nranges++] = r;
	return GD_OK;
}

void proxy_reset(void)
{
	nranges = 0;
}

bool proxy_any(void)
{
	return nranges > 0;
}

static bool in_range(const unsigned char a[16])
{
	for (int k = 0; k < nranges; k++) {
		const struct range *r = &ranges[k];
		int full = r->bits / 8, rest = r->bits % 8;
		if (memcmp(a, r->addr, (size_t)full))
			continue;
		if (rest && ((a[full] ^ r->addr[full]) & (0xff << (8 - rest))))
			continue;
		return true;
	}
	return false;
}

bool proxy_trusted(const struct sockaddr *sa)
{
	unsigned char a[16];
	return nranges && from_sockaddr(sa, a) && in_range(a);
}

/* The element of a comma-separated list that ends at end (exclusive): its
 * address into out; false when it is not one. "1.2.3.4", "1.2.3.4:5678",
 * "2001:db8::1", "[2001:db8::1]:443" are understood. */
static bool element(const char *start, const char *end, unsigned char out[16])
{
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	char text[64];
	size_t n = (size_t)(end - start);
	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, start, n);
	text[n] = '\0';
	char *p = text;
	if (*p == '[') {
		char *close = strchr(p, ']');
		if (!close)
			return false;
		*close = '\0';
		p++;
	} else {
		char *colon = strchr(p, ':');
		if (colon && !strchr(colon + 1, ':'))
			*colon = '\0'; /* IPv4 with a port */
	}
	bool v4;
	return parse_addr(p, out, &v4);
}

void proxy_client(const struct sockaddr *peer, const char *xff, char *out, size_t outlen)
{
	unsigned char client[16];
	snprintf(out, outlen, "unknown");
	if (!from_sockaddr(peer, client))
		return;
	const char *end = xff ? xff + strlen(xff) : NULL;
	/* right to left: while the hop in hand is a trusted proxy, the one it
	 * names before it is the client */
	while (end && nranges && in_range(client)) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		unsigned char hop[16];
		if (!element(start, end, hop))
			break; /* garbage: keep the last address we can trust */
		memcpy(client, hop, 16);
		end = start > xff ? start - 1 : NULL;
	}
	to_text(client, out, outlen);
}
