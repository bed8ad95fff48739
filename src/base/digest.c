/* digest.c - SHA-256 with an EVP_MD fetched once per process. */
#include "gongdan/digest.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>

#include "gongdan/xalloc.h"

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	GD_ASSERT(sha256_md);
}

void digest_sha256(const void *data, size_t n, unsigned char out[DIGEST_SHA256_LEN])
{
	unsigned int len = DIGEST_SHA256_LEN;
	pthread_once(&sha256_once, fetch);
	GD_ASSERT(EVP_Digest(data, n, out, &len, sha256_md, NULL) == 1);
}

void digest_sha256_hex(const void *data, size_t n, char out[2 * DIGEST_SHA256_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[DIGEST_SHA256_LEN];
	digest_sha256(data, n, md);
	for (int i = 0; i < DIGEST_SHA256_LEN; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * DIGEST_SHA256_LEN] = '\0';
}
