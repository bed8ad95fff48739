/* secret.c - random secrets, SHA-256, constant-time compare and base64 for
 * the credentials (sessions, tokens, password hashes), over libcrypto. */
#include "gongdan/secret.h"
#include "gongdan/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "gongdan/log.h"

enum gd_status secret_random_bytes(unsigned char *buf, size_t n)
{
	if (RAND_bytes(buf, (int)n) != 1) {
		log_at(LOG_ERROR, "RAND_bytes failed");
		return GD_E_INTERNAL;
	}
	return GD_OK;
}

enum gd_status secret_random_b64url(char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[SECRET_RANDOM_BYTES + 1];
	enum gd_status st = secret_random_bytes(raw, SECRET_RANDOM_BYTES);
	if (st)
		return st;
	raw[SECRET_RANDOM_BYTES] = 0;
	/* 32 bytes = 10 groups of 3 plus 2 bytes: 40 + 3 characters */
	size_t o = 0;
	for (size_t i = 0; i < SECRET_RANDOM_BYTES; i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8;
		if (i + 2 < SECRET_RANDOM_BYTES)
			v |= raw[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		if (i + 2 < SECRET_RANDOM_BYTES)
			out[o++] = alphabet[v & 63];
	}
	out[o] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	return GD_OK;
}

bool secret_equal(const void *a, size_t an, const void *b, size_t bn)
{
	if (an != bn)
		return false;
	return CRYPTO_memcmp(a, b, an) == 0;
}

bool secret_is_b64url(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

void secret_b64_encode(const unsigned char *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

long secret_b64_decode(const char *in, size_t n, unsigned char *out, size_t outcap)
{
	if (n == 0 || n % 4 || n / 4 * 3 > outcap + 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
			  c == '/' || (c == '=' && i >= n - 2);
		if (!ok || (i == n - 2 && c == '=' && in[n - 1] != '='))
			return -1;
	}
	unsigned char tmp[1024];
	if (n / 4 * 3 > sizeof tmp)
		return -1;
	int len = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)n);
	if (len < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (in[n - 1] == '=')
		len--;
	if (in[n - 2] == '=')
		len--;
	if ((size_t)len > outcap)
		return -1;
	memcpy(out, tmp, (size_t)len);
	OPENSSL_cleanse(tmp, sizeof tmp);
	return len;
}
