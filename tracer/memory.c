/* Allocation that records "out of memory" as the thread's last error. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		set_error(BGCOPY_E_NOMEM, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		set_error(BGCOPY_E_NOMEM, "out of memory");
	return p;
}

void free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}
