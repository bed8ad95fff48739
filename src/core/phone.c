/* phone.c - the phone-number rule (phone.h): digits only, an 11-digit mobile
 * number or 0 + area code + 7-8 digits, and area-code extraction. */
#include "gongdan/phone.h"

#define MOBILE_LEN 11
#define SUBSCRIBER_MIN 7
#define SUBSCRIBER_MAX 8

static const char reason_empty[] =
	"must be digits: an 11-digit mobile number starting with 1, "
	"or 0 + area code + 7-8 digits";
static const char reason_digits[] =
	"digits only (no spaces, letters or full-width digits)";
static const char reason_mobile[] = "a mobile number has 11 digits";
static const char reason_fixed[] =
	"a fixed-line number is 0 + area code + 7-8 digits";
static const char reason_double_zero[] =
	"an area code does not start with 0 (no international numbers)";
static const char reason_no_area[] =
	"a fixed-line number needs its area code: 0 + area code + 7-8 digits";

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the area code with its 0 for a number starting with 0:
 * 01x/02x have 2 digits after the 0, all others 3. */
static size_t area_len(const char *s)
{
	return (s[1] == '1' || s[1] == '2') ? 3 : 4;
}

const char *phone_check(const char *s, size_t n)
{
	if (!s || n == 0)
		return reason_empty;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return reason_digits;
	if (s[0] == '1')
		return n == MOBILE_LEN ? NULL : reason_mobile;
	if (s[0] != '0')
		return reason_no_area;
	if (n < 2)
		return reason_fixed;
	if (s[1] == '0')
		return reason_double_zero;
	size_t area = area_len(s);
	if (n < area + SUBSCRIBER_MIN || n > area + SUBSCRIBER_MAX)
		return reason_fixed;
	return NULL;
}

int phone_is_mobile(const char *s, size_t n)
{
	return phone_check(s, n) == NULL && s[0] == '1';
}

int phone_area_code(const char *s, size_t n, char out[GD_PHONE_AREA_CODE_MAX + 1])
{
	out[0] = '\0';
	if (phone_check(s, n) != NULL || s[0] != '0')
		return 0;
	size_t len = area_len(s);
	for (size_t i = 0; i < len; i++)
		out[i] = s[i];
	out[len] = '\0';
	return (int)len;
}
