/*
 * Temporary files: where a file's bytes wait beside their destination
 * until complete.  Opened so that nothing another user planted at the
 * name is followed or written through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* A full disk may empty; anything else wrong with a local file won't. */
bool transient_errno(int code)
{
	return code == ENOSPC || code == EDQUOT;
}

/*
 * Opened O_NONBLOCK and checked by fstat before any I/O: the worker holds
 * the engine lock here, and a FIFO planted at the name would block open()
 * or write() for ever.  *planted says a file that is not a regular file
 * of ours is in the way.
 */
static int open_checked(const char *path, int flags, bool *planted)
{
	/* Read too: a finished file is hashed through it (transfer_verify.c). */
	int fd = open(path, flags | O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		      0600);
	struct stat st;

	*planted = false;
	if (fd < 0) {
		/* ENXIO: a FIFO nobody reads; ELOOP: a symbolic link. */
		*planted = errno == ENXIO || errno == ELOOP ||
			   (errno == EEXIST && lstat(path, &st) == 0 &&
			    (!S_ISREG(st.st_mode) || st.st_uid != geteuid()));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    fcntl(fd, F_SETFL, 0) != 0) {
		*planted = true;
		close(fd);
		return -1;
	}
	return fd;
}

static void temp_error(const bgcopy_job *job, unsigned index, bool planted,
		       struct bgcopy_error *err)
{
	const struct job_file *f = &job->files[index];

	*err = (struct bgcopy_error){
		.context = BGCOPY_ERRCTX_LOCAL_FILE, .code = planted ? EEXIST : errno,
		.file_index = (int)index,
	};
	if (planted)
		error_describe(err, "the temporary file '%s' for '%s' is not a "
			       "regular file of ours (a FIFO, device, link or "
			       "another user's file); remove it and resume",
			       f->temp_path, f->local_path);
	else
		error_describe(err, "cannot create temporary file for '%s': %s",
			       f->local_path, strerror(err->code));
}

/* Opens the file's temporary file for writing at bytes_done, never
 * following a symlink; a new one is created O_EXCL with mode 0600. */
int open_temp(bgcopy_job *job, unsigned index, struct bgcopy_error *err)
{
	struct job_file *f = &job->files[index];
	bool planted = false;
	struct stat st;
	int fd = -1;

	assert(engine_locked(job->engine));
	if (job_temp_path(job, index))
		goto fail;
	if (f->bytes_done > 0) {
		fd = open_checked(f->temp_path, 0, &planted);
		if (fd >= 0 && fstat(fd, &st) == 0) {
			if ((uint64_t)st.st_size < f->bytes_done)
				f->bytes_done = (uint64_t)st.st_size;
			if (ftruncate(fd, (off_t)f->bytes_done) == 0 &&
			    lseek(fd, (off_t)f->bytes_done, SEEK_SET) >= 0)
				return fd;
		}
		if (fd >= 0)
			close(fd);
		if (planted)
			goto fail;
		f->bytes_done = 0;
	}
	/* Noted before it exists: a crash right after must not orphan it. */
	store_note_temp(job, f->temp_path);
	fd = open_checked(f->temp_path, O_CREAT | O_EXCL, &planted);
	if (fd < 0 && errno == EEXIST && !planted) {
		/* Our own leftover from an attempt whose progress was lost. */
		unlink(f->temp_path);
		fd = open_checked(f->temp_path, O_CREAT | O_EXCL, &planted);
	}
	if (fd >= 0)
		return fd;
fail:
	temp_error(job, index, planted, err);
	return -1;
}
