/* NULL-terminated string vectors: the notify command line's shape. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

char **argv_dup(const char *const *argv)
{
	size_t n = 0;
	char **copy;

	while (argv[n])
		n++;
	copy = xcalloc(n + 1, sizeof(*copy));
	for (size_t i = 0; copy && i < n; i++) {
		if (!(copy[i] = xstrdup(argv[i]))) {
			argv_free(copy);
			return NULL;
		}
	}
	return copy;
}

void argv_free(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

/* What traces and property events show: the program and how many
 * arguments follow it, never the arguments, which may hold tokens. */
void argv_describe(char *const *argv, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	out[0] = '\0';
	if (!argv || !argv[0])
		return;
	while (argv[n + 1])
		n++;
	if (n)
		snprintf(out, size, "%s (+%zu argument%s)", argv[0], n, n == 1 ? "" : "s");
	else
		snprintf(out, size, "%s", argv[0]);
}

/* Space-separated, cut to fit: for display, never for running. */
void argv_join(char *const *argv, char *out, size_t size)
{
	size_t len = 0;

	if (size)
		out[0] = '\0';
	for (; argv && *argv && len + 1 < size; argv++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len ? " " : "", *argv);
}
