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

/* Opens the file's temporary file for writing at bytes_done, never
 * following a symlink; a new one is created O_EXCL with mode 0600. */
int open_temp(bgcopy_job *job, unsigned index, struct bgcopy_error *err)
{
	struct job_file *f = &job->files[index];
	struct stat st;
	int fd = -1;

	if (job_temp_path(job, index))
		goto fail;
	if (f->bytes_done > 0) {
		fd = open(f->temp_path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid()) {
			if ((uint64_t)st.st_size < f->bytes_done)
				f->bytes_done = (uint64_t)st.st_size;
			if (ftruncate(fd, (off_t)f->bytes_done) == 0 &&
			    lseek(fd, (off_t)f->bytes_done, SEEK_SET) >= 0)
				return fd;
		}
		if (fd >= 0)
			close(fd);
		f->bytes_done = 0;
	}
	/* Noted before it exists: a crash right after must not orphan it. */
	store_note_temp(job, f->temp_path);
	fd = open(f->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST && lstat(f->temp_path, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_uid == geteuid()) {
		/* Our own leftover from an attempt whose progress was lost. */
		unlink(f->temp_path);
		fd = open(f->temp_path,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd >= 0)
		return fd;
fail:
	*err = (struct bgcopy_error){
		.context = BGCOPY_ERRCTX_LOCAL_FILE, .code = errno,
		.file_index = (int)index,
	};
	error_describe(err, "cannot create temporary file for '%s': %s",
		       f->local_path, strerror(err->code));
	return -1;
}
