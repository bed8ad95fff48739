/* secret.h - the small cryptographic helpers every credential uses (OpenSSL
 * libcrypto): random secrets rendered as base64url, SHA-256, constant-time
 * comparison and standard base64 for the stored password hashes. */
#ifndef GD_SECRET_H
#define GD_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "gongdan/status.h"

#define SECRET_RANDOM_BYTES 32 /* 256 bits for session ids, tokens, CSRF tokens */
#define SECRET_B64URL_LEN 43   /* base64url of 32 bytes, without padding */

/* Writes base64url(SECRET_RANDOM_BYTES random bytes) and a NUL into out
 * (at least SECRET_B64URL_LEN + 1 bytes). GD_E_INTERNAL when RAND_bytes fails. */
enum gd_status secret_random_b64url(char *out);
/* Fills buf with n random bytes. */
enum gd_status secret_random_bytes(unsigned char *buf, size_t n);
/* Constant-time equality of a[0..an) and b[0..bn) (length leaks, contents do not). */
bool secret_equal(const void *a, size_t an, const void *b, size_t bn);
/* True when s[0..n) only holds base64url characters (A-Z a-z 0-9 - _). */
bool secret_is_b64url(const char *s, size_t n);

/* Standard base64 with padding; out must hold 4 * ((n + 2) / 3) + 1 bytes. */
void secret_b64_encode(const unsigned char *in, size_t n, char *out);
/* Decodes standard padded base64 into out (at most outcap bytes); returns the
 * decoded length, or -1 when malformed or too long. */
long secret_b64_decode(const char *in, size_t n, unsigned char *out, size_t outcap);

#endif
