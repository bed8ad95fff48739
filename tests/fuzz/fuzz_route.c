/* fuzz_route.c - the route matcher on arbitrary decoded paths: captures must
 * stay inside their buffer whatever the path looks like. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gongdan/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct request req;
	memset(&req, 0, sizeof req);
	req.method = (enum http_method)(1u << (data[0] % 7));
	req.path = malloc(size);
	memcpy(req.path, data + 1, size - 1);
	req.path[size - 1] = '\0';
	unsigned allowed;
	if (route_find(&req, &allowed) == ROUTE_FOUND)
		for (int i = 0; i < GD_MAX_ROUTE_PARAMS && req.params[i]; i++)
			(void)strlen(req.params[i]);
	free(req.param_buf);
	free(req.path);
	return 0;
}
