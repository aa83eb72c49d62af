/* Ending a job: committing its temporary files on complete, removing them on cancel. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

/* Commits finished files.  A rename that fails leaves the job as it was;
 * a file already renamed by an earlier, interrupted complete counts as
 * committed. */
int job_commit_files(bgcopy_job *job)
{
	struct stat st;

	assert(engine_locked(job->engine));
	for (unsigned i = 0; i < job->nfiles; i++) {
		struct job_file *f = &job->files[i];

		if (!f->completed || !f->temp_path)
			continue;
		/* Temporary files are private (0600); the result is not. */
		share_temp(f->temp_path, job->engine->file_mode);
		if (rename(f->temp_path, f->local_path) == 0)
			continue;
		if (errno == ENOENT && lstat(f->local_path, &st) == 0)
			continue;
		return set_error(BGCOPY_E_IO, "cannot rename '%s' to '%s': %s",
				 f->temp_path, f->local_path, strerror(errno));
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
