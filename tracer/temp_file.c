/* Temporary files opened so that nothing another user planted at the name is followed, blocks us or is written through. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Tests widen a window: the step named by `env` (BGCOPY_TEST_SLOW_*_MS)
 * takes that long, as on a hung FUSE or NFS mount or a loaded machine. */
void test_delay(const char *env)
{
	const char *ms = getenv(env);

	if (ms)
		usleep((useconds_t)strtoul(ms, NULL, 10) * 1000u);
}

/*
 * Opened O_NONBLOCK and checked by fstat before any I/O: a FIFO planted
 * at the name would block open() or write() for ever.  Read too: a
 * finished file is hashed through it (transfer_verify.c).
 */
int temp_file_open(const char *path, int flags, bool *planted, struct stat *st)
{
	int fd = open(path, flags | O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		      0600);

	*planted = false;
	if (fd < 0) {
		/* ENXIO: a FIFO nobody reads; ELOOP: a symbolic link. */
		*planted = errno == ENXIO || errno == ELOOP ||
			   (errno == EEXIST && lstat(path, st) == 0 &&
			    (!S_ISREG(st->st_mode) || st->st_uid != fs_uid()));
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_uid != fs_uid() ||
	    fcntl(fd, F_SETFL, 0) != 0) {
		*planted = true;
		close(fd);
		return -1;
	}
	return fd;
}

int temp_file_create(const char *path, bool *planted, struct stat *st)
{
	int fd = temp_file_open(path, O_CREAT | O_EXCL, planted, st);

	if (fd < 0 && errno == EEXIST && !*planted) {
		/* Our own leftover from an attempt whose progress was lost. */
		unlink(path);
		fd = temp_file_open(path, O_CREAT | O_EXCL, planted, st);
	}
	return fd;
}
