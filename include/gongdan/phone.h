/* phone.h - the one phone-number rule, shared by the ticket's fault_number
 * and contact_number and by "phone" extra fields (fields.h).
 *
 * A number is ASCII digits only (no spaces, '-', '+', letters or full-width
 * digits ０-９) and is either
 *   - a mobile number: 11 digits starting with 1, e.g. 13987654321; or
 *   - a fixed-line number: 0 + area code + 7-8 subscriber digits, 10-12
 *     digits in all. The area code is 2 digits after the 0 when the second
 *     digit is 1 or 2 (010 Beijing, 021 Shanghai, 020-029), else 3 (0871
 *     Kunming, 0691 Xishuangbanna), so 0871 1234567, 0871 12345678,
 *     010 12345678 and 021 1234567 are valid; it never starts with 00.
 * The rule is syntactic: it does not know which area codes exist. Mapping an
 * area code or a mobile segment to a region is the regions module's job.
 */
#ifndef GD_PHONE_H
#define GD_PHONE_H

#include <stddef.h>

/* Longest area code phone_area_code() copies, without its NUL. */
#define GD_PHONE_AREA_CODE_MAX 4

/* NULL when s[0..n) is a valid number; otherwise a short English reason
 * (static storage, never freed), e.g. "a mobile number has 11 digits".
 * s need not be NUL-terminated; an empty number is refused too. */
const char *phone_check(const char *s, size_t n);

/* 1 when s[0..n) is a valid mobile number, else 0. */
int phone_is_mobile(const char *s, size_t n);

/* When s[0..n) is a valid fixed-line number, copies its area code with the
 * leading 0 ("0871", "010") into out, NUL-terminated, and returns its length
 * (3 or 4). Otherwise sets out to "" and returns 0. */
int phone_area_code(const char *s, size_t n, char out[GD_PHONE_AREA_CODE_MAX + 1]);

#endif
