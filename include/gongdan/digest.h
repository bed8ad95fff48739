/* digest.h - SHA-256 through OpenSSL, for everyone who hashes: session ids
 * and tokens (auth), the history chain (core). The algorithm is fetched once,
 * not on every call (OpenSSL 3's implicit fetch is costly on hot paths). */
#ifndef GD_DIGEST_H
#define GD_DIGEST_H

#include <stddef.h>

#define DIGEST_SHA256_LEN 32

void digest_sha256(const void *data, size_t n, unsigned char out[DIGEST_SHA256_LEN]);
/* Lower-case hex of the SHA-256 of data (out holds 65 bytes). */
void digest_sha256_hex(const void *data, size_t n, char out[2 * DIGEST_SHA256_LEN + 1]);

#endif
