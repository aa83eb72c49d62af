/* Ending a job: committing its temporary files on complete, removing them on cancel. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "trace.h"

static void remove_temp(struct job_file *f)
{
	if (f->temp_path && unlink(f->temp_path) != 0 && errno != ENOENT)
		set_error(BGCOPY_E_IO, "cannot remove '%s': %s", f->temp_path,
			  strerror(errno));
}

/* fchmod through a descriptor that follows no symlink: someone who can
 * write the directory must not get us to chmod a file of theirs choosing. */
static void share_temp(const char *path, mode_t mode)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
		fchmod(fd, mode);
	close(fd);
}

/* A destination that exists must be a regular file: a rename would
 * replace a FIFO or device someone else relies on. */
static int check_destinations(const bgcopy_job *job)
{
	struct stat st;

	for (unsigned i = 0; i < job->nfiles; i++) {
		const struct job_file *f = &job->files[i];

		if (f->completed && f->temp_path && stat(f->local_path, &st) == 0 &&
		    !S_ISREG(st.st_mode))
			return set_error(BGCOPY_E_IO, "destination '%s' exists and is "
					 "not a regular file: nothing was committed",
					 f->local_path);
	}
	return BGCOPY_OK;
}

/* Commits finished files.  A rename that fails leaves the job as it was.
 * A committed file forgets its temporary file in the store at once, so
 * an interrupted complete, taken again, skips it; any other finished
 * file whose temporary file is gone is an error, not an older file at
 * the destination passed off as this one. */
int job_commit_files(bgcopy_job *job)
{
	int status;

	assert(engine_locked(job->engine));
	status = check_destinations(job);
	if (status)
		return status;
	for (unsigned i = 0; i < job->nfiles; i++) {
		struct job_file *f = &job->files[i];

		if (!f->completed || !f->temp_path)
			continue;
		/* Temporary files are private (0600); the result is not. */
		share_temp(f->temp_path, job->engine->file_mode);
		if (rename(f->temp_path, f->local_path) != 0)
			return set_error(BGCOPY_E_IO, errno == ENOENT ?
					 "the temporary file '%s' of '%s' is missing "
					 "(%s): the file was not committed and the job "
					 "is kept; cancel it to give up" :
					 "cannot rename '%s' to '%s': %s",
					 f->temp_path, f->local_path, strerror(errno));
		free(f->temp_path);
		f->temp_path = NULL;
		store_save_file(job, i);
	}
	for (unsigned i = 0; i < job->nfiles; i++)
		if (!job->files[i].completed)
			remove_temp(&job->files[i]);
	return BGCOPY_OK;
}

void job_cancel_now(bgcopy_job *job)
{
	assert(engine_locked(job->engine));
	transfer_abort_job(job);
	for (unsigned i = 0; i < job->nfiles; i++) {
		job_temp_path(job, i);
		remove_temp(&job->files[i]);
	}
	job_set_state(job, BGCOPY_CANCELLED, BGCOPY_TP_CAUSE_CANCEL);
}
