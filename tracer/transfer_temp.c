/*
 * Temporary files: where a file's bytes wait beside their destination
 * until complete.  Opened so that nothing another user planted at the
 * name is followed or written through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flush.h"

/* A full disk may empty; anything else wrong with a local file won't. */
bool transient_errno(int code)
{
	return code == ENOSPC || code == EDQUOT;
}

void temp_error(const bgcopy_job *job, unsigned index, bool planted, int code,
		struct bgcopy_error *err)
{
	const struct job_file *f = &job->files[index];

	*err = (struct bgcopy_error){
		.context = BGCOPY_ERRCTX_LOCAL_FILE, .code = planted ? EEXIST : code,
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

/* Lock not held.  Reopens the file at *done (no further than its size,
 * which it may lower) or creates it anew (*done 0), *st saying which
 * file it is.  -1 with errno. */
static int open_unlocked(const char *path, uint64_t *done, bool *planted, struct stat *st)
{
	uid_t me = fs_uid();
	int fd = -1;

	test_delay("BGCOPY_TEST_SLOW_OPEN_MS");
	if (*done > 0) {
		fd = temp_file_open(path, 0, me, planted, st);
		if (fd >= 0) {
			if ((uint64_t)st->st_size < *done)
				*done = (uint64_t)st->st_size;
			if (ftruncate(fd, (off_t)*done) == 0 &&
			    lseek(fd, (off_t)*done, SEEK_SET) >= 0)
				return fd;
			close(fd);
		}
		if (*planted)
			return -1;
		*done = 0;
	}
	return temp_file_create(path, me, planted, st);
}

/* Lock held again: the job still wants this file's transfer. */
static bool still_starting(const bgcopy_job *job, unsigned index,
			   enum bgcopy_state state, const char *path)
{
	return job->state == state && !job->files_busy && index < job->nfiles &&
	       !job->files[index].in_flight &&
	       job->files[index].temp_path &&
	       !strcmp(job->files[index].temp_path, path);
}

/* The temporary names of files `first` on, noted in the store in one
 * transaction (the caller's, when it has one) before any of them
 * exists: when files are added, and again at a restored job's first
 * transfer (a store write per file was one commit each).  A row whose
 * file never comes is passed over by the orphan sweep; the store keeps
 * them until the job leaves it. */
void job_note_temps(bgcopy_job *job, unsigned first)
{
	bool noted = first == 0 || job->temps_noted;

	assert(engine_locked(job->engine));
	store_begin(job->engine);
	for (unsigned i = first; i < job->nfiles; i++) {
		char *path = job->files[i].temp_path ? xstrdup(job->files[i].temp_path) :
			     job_temp_name(job, i);

		noted = noted && path;
		if (path)
			store_note_temp(job, path);
		free(path);
	}
	store_end(job->engine, BGCOPY_OK);
	job->temps_noted = noted;
}

/* The job's owner cannot be taken on (unknown user, no privilege). */
static void owner_error(const bgcopy_job *job, unsigned index, struct bgcopy_error *err)
{
	*err = (struct bgcopy_error){
		.context = BGCOPY_ERRCTX_LOCAL_FILE, .code = EPERM,
		.file_index = (int)index,
	};
	error_describe(err, "cannot write '%s' as the job's owner: %s",
		       job->files[index].local_path, bgcopy_last_error());
}

/* The file's temporary name, a copy for use without the lock, noted in
 * the store before the file exists: a crash right after must not orphan
 * it.  NULL, with `err` said, when out of memory. */
static char *named_temp(bgcopy_job *job, unsigned index, struct bgcopy_error *err)
{
	char *path = NULL;

	assert(engine_locked(job->engine));
	if (job_temp_path(job, index) || !(path = xstrdup(job->files[index].temp_path))) {
		temp_error(job, index, false, ENOMEM, err);
		return NULL;
	}
	if (!job->temps_noted)
		job_note_temps(job, 0);
	return path;
}

/* Opens the file's temporary file for writing at bytes_done, never
 * following a symlink; a new one is created O_EXCL with mode 0600, as
 * the job's owner.  The file-system calls run with the lock released (a
 * hung mount must not stall every API call); OPEN_TEMP_GONE when the job
 * changed meanwhile (cancelled, suspended), with nothing left behind. */
int open_temp(bgcopy_job *job, unsigned index, struct bgcopy_error *err)
{
	struct job_file *f = &job->files[index];
	enum bgcopy_state state = job->state;
	uint64_t done = f->bytes_done;
	bool planted = false;
	struct as_owner as;
	struct stat st;
	char *path;
	int fd, code;

	assert(engine_locked(job->engine));
	if (!(path = named_temp(job, index, err)))
		return -1;
	/* After the store's writes: its files are root's, not the owner's. */
	if (job_as_owner(job, &as)) {
		owner_error(job, index, err);
		free(path);
		return -1;
	}
	engine_unlock(job->engine);
	fd = open_unlocked(path, &done, &planted, &st);
	code = errno;
	engine_lock(job->engine);
	if (!still_starting(job, index, state, path)) {
		/* A cancel or complete meanwhile removed what was there
		 * before us. */
		bool cancelled = job_is_final(job) || job->files_busy;

		engine_unlock(job->engine);
		if (fd >= 0)
			close(fd);
		if (fd >= 0 && cancelled)
			unlink(path);
		engine_lock(job->engine);
		fd = OPEN_TEMP_GONE;
	} else {
		job->files[index].bytes_done = done;
		/* Saved with the file's completion, before any rename. */
		job->files[index].temp_dev = fd >= 0 ? (uint64_t)st.st_dev : 0;
		job->files[index].temp_ino = fd >= 0 ? (uint64_t)st.st_ino : 0;
		if (fd < 0)
			temp_error(job, index, planted, code, err);
	}
	as_owner_end(&as);
	free(path);
	return fd;
}

/* At a transfer's start: a file with bytes to keep, or a job of another
 * user (made as that user, on this thread), opens its temporary file now
 * (open_temp).  A new file of the engine's user is only named: it is
 * made by its body's first write (flush.h flush_create), by the flush
 * thread for a body that ends in the buffer, which is most small files:
 * the worker spent a fifth of its time creating them.  TEMP_LATER then. */
int temp_start(bgcopy_job *job, unsigned index, struct flush_req *r, struct bgcopy_error *err)
{
	assert(engine_locked(job->engine));
	if (job->files[index].bytes_done || fs_identity_switches(job->owner))
		return open_temp(job, index, err);
	if (!(r->create_path = named_temp(job, index, err)))
		return -1;
	atomic_init(&r->create_state, CREATE_PENDING);
	atomic_init(&r->abandoned, false);
	return TEMP_LATER;
}
