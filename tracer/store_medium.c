/* Stores on read-only media: whether and how SQLite is to read them. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "internal.h"

/* A store on a read-only file system: no one can write it, so SQLite may
 * read it as immutable (it could not create the WAL index it otherwise
 * needs).  A write-ahead log left there could never be applied: that
 * store is refused rather than shown without its last writes. */
int store_medium_read_only(const char *dir, bool *immutable)
{
	struct statvfs vfs;
	struct stat wal;
	char *path;

	*immutable = false;
	if (statvfs(dir, &vfs) != 0 || !(vfs.f_flag & ST_RDONLY))
		return BGCOPY_OK;
	if (asprintf(&path, "%s/jobs.db-wal", dir) < 0)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	if (lstat(path, &wal) == 0 && wal.st_size > 0) {
		free(path);
		return set_error(BGCOPY_E_STORE, "store '%s' is on a read-only file "
				 "system with a write-ahead log that cannot be "
				 "applied there; mount it writable to read it", dir);
	}
	free(path);
	*immutable = true;
	return BGCOPY_OK;
}

/* jobs.db as an SQLite URI: '%', '?' and '#' of the directory escaped. */
char *store_medium_uri(const char *dir)
{
	size_t n = strlen(dir);
	char *uri = malloc(sizeof("file:/jobs.db?immutable=1") + 3 * n), *p = uri;

	if (!uri)
		return NULL;
	p += sprintf(p, "file:");
	for (const char *c = dir; *c; c++) {
		if (strchr("%?#", *c))
			p += sprintf(p, "%%%02X", (unsigned char)*c);
		else
			*p++ = *c;
	}
	strcpy(p, "/jobs.db?immutable=1");
	return uri;
}
