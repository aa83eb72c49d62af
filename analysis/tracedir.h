/*
 * Finding CTF traces on disk for bgcopy-analyze: every directory holding
 * a `metadata' file, with that file and the data streams beside it
 * checked first, because babeltrace2 2.0.4 loops forever on a packetized
 * metadata file cut short and aborts on a packet bigger than its file.
 */
#ifndef BGCOPY_TRACEDIR_H
#define BGCOPY_TRACEDIR_H

#include <stddef.h>

struct tracedirs {
	char **dirs;
	size_t n, cap;
};

/*
 * Appends the trace directories under `path' (a trace directory itself
 * or any parent).  0, or -1 with a one-line reason in `why'.
 */
int tracedirs_find(struct tracedirs *t, const char *path, char *why,
		   size_t why_len);
void tracedirs_fini(struct tracedirs *t);

#endif /* BGCOPY_TRACEDIR_H */
