/* The store's lock file: one engine per store, and the pid of the one holding it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static char *lock_path(const char *dir)
{
	char *path;

	return asprintf(&path, "%s/lock", dir) < 0 ? NULL : path;
}

/*
 * Open-file-description locks: owned by our descriptor, not our process,
 * so a second engine in this very process is refused too, and closing
 * some other descriptor of the file (store_lock_holder) cannot drop ours.
 * They carry no pid, so the holder writes its own into the file.
 */
long store_lock_holder(const char *dir)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char *path = lock_path(dir);
	char text[32] = "";
	ssize_t n;
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_OFD_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) {
		close(fd);
		return 0;
	}
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return strtol(text, NULL, 10);
}

/* Takes the store's lock into *fd (closed by the caller) and says
 * whether the last holder left jobs.db closed cleanly (store_clean.c). */
int store_lock_take(const char *dir, int *fd, bool *closed_clean)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char *path = lock_path(dir);
	char pid[32], before[256];
	ssize_t n;

	if (!path)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(path);
	if (*fd < 0)
		return set_error(BGCOPY_E_IO, "cannot open the lock of store '%s': %s",
				 dir, strerror(errno));
	if (fcntl(*fd, F_OFD_SETLK, &fl) != 0)
		return set_error(BGCOPY_E_STORE_BUSY, "store '%s' in use by pid %ld",
				 dir, store_lock_holder(dir));
	/* The last holder's mark, read before our pid replaces it. */
	n = pread(*fd, before, sizeof(before) - 1, 0);
	before[n > 0 ? n : 0] = '\0';
	*closed_clean = store_clean_since_close(dir, before);
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) != 0 ||
	    pwrite(*fd, pid, strlen(pid), 0) < 0)
		return set_error(BGCOPY_E_IO, "cannot write the lock of store '%s'",
				 dir);
	return BGCOPY_OK;
}
