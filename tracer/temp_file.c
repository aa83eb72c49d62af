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

/* Why open() failed: something planted at the name (ENXIO: a FIFO
 * nobody reads; ELOOP: a symbolic link; EEXIST: anything but a regular
 * file of ours). */
static bool planted_at(const char *path, uid_t owner, struct stat *st)
{
	return errno == ENXIO || errno == ELOOP ||
	       (errno == EEXIST && lstat(path, st) == 0 &&
		(!S_ISREG(st->st_mode) || st->st_uid != owner));
}

/*
 * Opened O_NONBLOCK and checked by fstat before any I/O: a FIFO planted
 * at the name would block open() or write() for ever.  Read too: a
 * finished file is hashed through it (transfer_verify.c).
 */
int temp_file_open(const char *path, int flags, uid_t owner, bool *planted, struct stat *st)
{
	int fd = open(path, flags | O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	*planted = fd < 0 && planted_at(path, owner, st);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_uid != owner ||
	    (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, 0) != 0)) {
		*planted = true;
		close(fd);
		return -1;
	}
	return fd;
}

/* O_EXCL makes the file or fails: nothing planted at the name is ever
 * opened, so the new file is opened blocking (no fcntl a file of
 * thousands).  Its owner is still asked: a file system that gives it to
 * someone else (root squashed on NFS) fails the transfer now, not its
 * commit after the download. */
static int make_temp(const char *path, uid_t owner, bool *planted, struct stat *st)
{
	int fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);

	*planted = fd < 0 && planted_at(path, owner, st);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || st->st_uid != owner) {
		*planted = true;
		close(fd);
		return -1;
	}
	assert(S_ISREG(st->st_mode));
	return fd;
}

int temp_file_create(const char *path, uid_t owner, bool *planted, struct stat *st)
{
	int fd = make_temp(path, owner, planted, st);

	if (fd < 0 && errno == EEXIST && !*planted) {
		/* Our own leftover from an attempt whose progress was lost. */
		unlink(path);
		fd = make_temp(path, owner, planted, st);
	}
	return fd;
}
