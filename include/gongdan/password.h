/* password.h - password hashing with scrypt (OpenSSL EVP_KDF "SCRYPT").
 *
 * Stored form, one string beside the user:
 *     scrypt$N$r$p$<salt, base64>$<hash, base64>
 * The parameters travel with the hash, so raising them later only changes
 * new hashes; old ones keep verifying with their own parameters. Every
 * user gets a fresh 16-byte random salt; the hash is 32 bytes. Verification
 * compares in constant time (CRYPTO_memcmp). With N=16384, r=8, p=1 one
 * hash costs about 50 ms and 16 MiB on this machine. */
#ifndef GD_PASSWORD_H
#define GD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/status.h"

#define PASSWORD_SCRYPT_N 16384
#define PASSWORD_SCRYPT_R 8
#define PASSWORD_SCRYPT_P 1
#define PASSWORD_SALT_BYTES 16
#define PASSWORD_HASH_BYTES 32
#define PASSWORD_MAX_BYTES 1024   /* longer passwords are refused before hashing */
#define PASSWORD_MIN_CHARS 8      /* for new passwords */
#define PASSWORD_STORED_MAX 160   /* room for the stored string and its NUL */

/* Hashes pw[0..n) with the current parameters and a new random salt into
 * out (PASSWORD_STORED_MAX bytes). GD_E_TOO_LARGE past PASSWORD_MAX_BYTES. */
enum gd_status password_hash(const char *pw, size_t n, char out[PASSWORD_STORED_MAX]);

/* True when pw[0..n) matches the stored string. A malformed stored string
 * (or NULL) never matches, but still costs one hash, as does an unknown
 * user through password_burn(), so timing does not tell them apart. */
bool password_verify(const char *pw, size_t n, const char *stored);

/* Spends the time of one verification against a dummy hash: call it when
 * the user is unknown or cannot log in. */
void password_burn(const char *pw, size_t n);

/* Parameters of a stored string (for tests and future rehashing); false
 * when malformed. */
bool password_params(const char *stored, uint64_t *N, uint32_t *r, uint32_t *p);

#endif
