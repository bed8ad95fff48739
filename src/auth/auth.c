/* auth.c - identifying the caller (TEMPORARY foundation version: anonymous
 * only; the accounts work replaces it with sessions and tokens). */
#include "gongdan/auth.h"

enum gd_status auth_identify(struct request *req)
{
	if (req_header(req, "Authorization"))
		return GD_E_UNAUTHORIZED;
	return GD_OK;
}

enum gd_status auth_check_csrf(struct request *req)
{
	(void)req;
	return GD_OK;
}
