/* password.c - scrypt password hashing and verification (OpenSSL EVP_KDF),
 * the stored 'scrypt$N$r$p$salt$hash' format, and the dummy work that makes
 * an unknown user cost as much as a wrong password. */
#include "gongdan/password.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/log.h"
#include "gongdan/secret.h"

/* Bounds on parameters read back from the database, so a damaged row can
 * neither crash us nor make one login take minutes. */
#define SCRYPT_N_MAX (1u << 20)
#define SCRYPT_R_MAX 32
#define SCRYPT_P_MAX 16
#define SCRYPT_MAXMEM (1100ull << 20)

static EVP_KDF *scrypt_kdf;
static pthread_once_t scrypt_once = PTHREAD_ONCE_INIT;

static void scrypt_fetch(void)
{
	scrypt_kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	if (!scrypt_kdf)
		log_at(LOG_ERROR, "OpenSSL has no SCRYPT KDF");
}

static bool scrypt(const char *pw, size_t n, const unsigned char *salt, size_t saltlen, uint64_t N, uint32_t r,
		   uint32_t p, unsigned char *out, size_t outlen)
{
	pthread_once(&scrypt_once, scrypt_fetch);
	if (!scrypt_kdf)
		return false;
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(scrypt_kdf);
	if (!ctx)
		return false;
	uint64_t maxmem = SCRYPT_MAXMEM;
	OSSL_PARAM params[] = {
		/* an empty password still needs a non-NULL pointer */
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)(n ? pw : ""), n),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &N),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
		OSSL_PARAM_construct_end(),
	};
	bool ok = EVP_KDF_derive(ctx, out, outlen, params) == 1;
	EVP_KDF_CTX_free(ctx);
	if (!ok)
		log_at(LOG_ERROR, "scrypt derivation failed");
	return ok;
}

enum gd_status password_hash(const char *pw, size_t n, char out[PASSWORD_STORED_MAX])
{
	if (n > PASSWORD_MAX_BYTES)
		return GD_E_TOO_LARGE;
	unsigned char salt[PASSWORD_SALT_BYTES], hash[PASSWORD_HASH_BYTES];
	enum gd_status st = secret_random_bytes(salt, sizeof salt);
	if (st)
		return st;
	if (!scrypt(pw, n, salt, sizeof salt, PASSWORD_SCRYPT_N, PASSWORD_SCRYPT_R, PASSWORD_SCRYPT_P, hash,
		    sizeof hash))
		return GD_E_INTERNAL;
	char salt64[4 * ((PASSWORD_SALT_BYTES + 2) / 3) + 1], hash64[4 * ((PASSWORD_HASH_BYTES + 2) / 3) + 1];
	secret_b64_encode(salt, sizeof salt, salt64);
	secret_b64_encode(hash, sizeof hash, hash64);
	snprintf(out, PASSWORD_STORED_MAX, "scrypt$%u$%u$%u$%s$%s", (unsigned)PASSWORD_SCRYPT_N,
		 (unsigned)PASSWORD_SCRYPT_R, (unsigned)PASSWORD_SCRYPT_P, salt64, hash64);
	OPENSSL_cleanse(hash, sizeof hash);
	return GD_OK;
}

/* Reads one decimal field ending at '$'; advances *s past the '$'. */
static bool read_u64(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		x = x * 10 + (uint64_t)(*p - '0');
		if (x > SCRYPT_N_MAX)
			return false;
	}
	if (*p != '$')
		return false;
	*v = x;
	*s = p + 1;
	return true;
}

struct parsed {
	uint64_t N;
	uint32_t r, p;
	unsigned char salt[64];
	long saltlen;
	unsigned char hash[64];
	long hashlen;
};

static bool parse(const char *stored, struct parsed *out)
{
	if (!stored || strncmp(stored, "scrypt$", 7))
		return false;
	const char *s = stored + 7;
	uint64_t N, r, p;
	if (!read_u64(&s, &N) || !read_u64(&s, &r) || !read_u64(&s, &p))
		return false;
	/* N a power of two > 1; r*p within scrypt's limits */
	if (N < 2 || (N & (N - 1)) || r < 1 || r > SCRYPT_R_MAX || p < 1 || p > SCRYPT_P_MAX)
		return false;
	const char *dollar = strchr(s, '$');
	if (!dollar)
		return false;
	out->saltlen = secret_b64_decode(s, (size_t)(dollar - s), out->salt, sizeof out->salt);
	out->hashlen = secret_b64_decode(dollar + 1, strlen(dollar + 1), out->hash, sizeof out->hash);
	if (out->saltlen < 8 || out->hashlen < 16)
		return false;
	out->N = N;
	out->r = (uint32_t)r;
	out->p = (uint32_t)p;
	return true;
}

bool password_params(const char *stored, uint64_t *N, uint32_t *r, uint32_t *p)
{
	struct parsed ps;
	if (!parse(stored, &ps))
		return false;
	*N = ps.N;
	*r = ps.r;
	*p = ps.p;
	return true;
}

bool password_verify(const char *pw, size_t n, const char *stored)
{
	struct parsed ps;
	if (n > PASSWORD_MAX_BYTES)
		return false;
	if (!parse(stored, &ps)) {
		password_burn(pw, n);
		return false;
	}
	unsigned char got[64];
	if (!scrypt(pw, n, ps.salt, (size_t)ps.saltlen, ps.N, ps.r, ps.p, got, (size_t)ps.hashlen))
		return false;
	bool ok = CRYPTO_memcmp(got, ps.hash, (size_t)ps.hashlen) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return ok;
}

void password_burn(const char *pw, size_t n)
{
	/* the same work as a verification with the current parameters; the
	 * result is thrown away, so the salt need not be secret or random */
	static const unsigned char salt[PASSWORD_SALT_BYTES] = "gongdan-dummy!!";
	unsigned char got[PASSWORD_HASH_BYTES];
	if (n > PASSWORD_MAX_BYTES)
		return;
	scrypt(pw, n, salt, sizeof salt, PASSWORD_SCRYPT_N, PASSWORD_SCRYPT_R, PASSWORD_SCRYPT_P, got, sizeof got);
	OPENSSL_cleanse(got, sizeof got);
}
