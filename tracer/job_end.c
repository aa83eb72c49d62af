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

static void remove_temp(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		set_error(BGCOPY_E_IO, "cannot remove '%s': %s", path, strerror(errno));
}

/* One file of a commit, copied out of the job so that the file-system
 * step runs without the engine lock. */
struct commit_item {
	unsigned index;
	bool rename;		/* a finished file; else an unfinished one's leftover */
	bool done;
	char *temp, *dest;
	uint64_t temp_dev, temp_ino, size;	/* what the temporary file was */
};

struct commit {
	struct commit_item *items;
	unsigned n;
	mode_t mode;
	enum bgcopy_state state;	/* the job's, when the plan was made */
	uid_t fsuid;			/* the files' owner: ours as the steps run */
};

static void commit_free(struct commit *c)
{
	for (unsigned i = 0; i < c->n; i++) {
		free(c->items[i].temp);
		free(c->items[i].dest);
	}
	free(c->items);
}

/* Lock held: what the commit will do, as copies. */
static int commit_plan(const bgcopy_job *job, struct commit *c)
{
	*c = (struct commit){ .mode = job->engine->file_mode, .state = job->state };
	c->items = xcalloc(job->nfiles ? job->nfiles : 1, sizeof(*c->items));
	if (!c->items)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	for (unsigned i = 0; i < job->nfiles; i++) {
		const struct job_file *f = &job->files[i];
		struct commit_item *it = &c->items[c->n];

		if (!f->temp_path)
			continue;
		*it = (struct commit_item){
			.index = i, .rename = f->completed, .temp_dev = f->temp_dev,
			.temp_ino = f->temp_ino, .size = f->bytes_done,
		};
		c->n++;
		it->temp = xstrdup(f->temp_path);
		it->dest = xstrdup(f->local_path);
		if (!it->temp || !it->dest)
			return set_error(BGCOPY_E_NOMEM, "out of memory");
	}
	return BGCOPY_OK;
}

/* A destination that exists must be a regular file: a rename would
 * replace a FIFO or device someone else relies on. */
static int check_destinations(const struct commit *c)
{
	struct stat st;

	for (unsigned i = 0; i < c->n; i++)
		if (c->items[i].rename && stat(c->items[i].dest, &st) == 0 &&
		    !S_ISREG(st.st_mode))
			return set_error(BGCOPY_E_IO, "destination '%s' exists and is "
					 "not a regular file: nothing was committed",
					 c->items[i].dest);
	return BGCOPY_OK;
}

/* `st` is the temporary file the transfer wrote: a regular file of ours
 * with its recorded device, inode and size. */
static bool is_the_temp(const struct commit *c, const struct commit_item *it,
			const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == c->fsuid &&
	       (uint64_t)st->st_dev == it->temp_dev &&
	       (uint64_t)st->st_ino == it->temp_ino && (uint64_t)st->st_size == it->size;
}

/* The temporary file is missing and the destination is that very file:
 * a complete killed after its rename, before its record.  Identity, not
 * name or size, tells it from an older file at the destination. */
static bool renamed_before(const struct commit *c, const struct commit_item *it)
{
	struct stat st;

	return it->temp_ino != 0 && lstat(it->dest, &st) == 0 && is_the_temp(c, it, &st);
}

/* The temporary file is still the one this job wrote: a regular file of
 * ours, not a link (temp_file_open) and, when its identity was recorded,
 * that very file.  Anyone who may write the directory could have put a
 * FIFO, a link or another file there, and the rename would commit it as
 * the download.  On success it gets the destination's mode through that
 * descriptor (no I/O: it stays non-blocking): temporary files are
 * private (0600), the result is not. */
static int take_temp(const struct commit *c, const struct commit_item *it)
{
	struct stat st;
	bool planted;
	int fd = temp_file_open(it->temp, O_NONBLOCK, c->fsuid, &planted, &st);

	if (fd < 0 && !planted)
		return errno == ENOENT ? BGCOPY_OK :	/* the rename tells it */
		       set_error(BGCOPY_E_IO, "cannot open the temporary file '%s' "
				 "of '%s': %s: nothing was committed", it->temp,
				 it->dest, strerror(errno));
	if (fd >= 0 && it->temp_ino && !is_the_temp(c, it, &st)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return set_error(BGCOPY_E_IO, "the temporary file '%s' of '%s' is not the "
				 "file bgcopy wrote (replaced by another file, a link or "
				 "a special file): nothing was committed and the job is "
				 "kept; cancel it to give up", it->temp, it->dest);
	fchmod(fd, c->mode);
	close(fd);
	return BGCOPY_OK;
}

/* Lock not held: stat, rename and unlink may hang on a FUSE or NFS mount,
 * and must not stall every other job meanwhile.  Renames nothing unless
 * every destination and temporary file passes; stops at the first rename
 * that fails; unfinished files' leftovers go only when all did. */
static int commit_files_unlocked(struct commit *c)
{
	int status = check_destinations(c);

	c->fsuid = fs_uid();
	for (unsigned i = 0; !status && i < c->n; i++)
		if (c->items[i].rename)
			status = take_temp(c, &c->items[i]);
	test_delay("BGCOPY_TEST_SLOW_COMMIT_MS");
	for (unsigned i = 0; !status && i < c->n; i++) {
		struct commit_item *it = &c->items[i];
		int failed;

		if (!it->rename)
			continue;
		failed = rename(it->temp, it->dest) == 0 ? 0 : errno;
		if (!failed || (failed == ENOENT && renamed_before(c, it)))
			it->done = true;
		else
			status = set_error(BGCOPY_E_IO, failed == ENOENT ?
					   "the temporary file '%s' of '%s' is missing "
					   "(%s): the file was not committed and the job "
					   "is kept; cancel it to give up" :
					   "cannot rename '%s' to '%s': %s",
					   it->temp, it->dest, strerror(failed));
	}
	for (unsigned i = 0; !status && i < c->n; i++)
		if (!c->items[i].rename)
			remove_temp(c->items[i].temp);
	return status;
}

/* Lock held again: a committed file forgets its temporary file, in the
 * store at once when the job stays, so an interrupted complete, taken
 * again, skips it.  One transaction for them all: the renames are all
 * done by now, so a crash finds the same rows stale either way, and 200
 * files cost one commit.  A job that leaves the store next takes its
 * rows with it: rewriting each first was a tenth of a small file's cost,
 * and a crash in between finds each file renamed (renamed_before). */
static void commit_record(bgcopy_job *job, const struct commit *c, bool job_stays)
{
	store_begin(job->engine);
	for (unsigned i = 0; i < c->n; i++) {
		struct job_file *f = &job->files[c->items[i].index];

		if (!c->items[i].done || !f->temp_path ||
		    strcmp(f->temp_path, c->items[i].temp))
			continue;
		free(f->temp_path);
		f->temp_path = NULL;
		if (job_stays)
			store_save_file(job, c->items[i].index);
	}
	store_end(job->engine, BGCOPY_OK);
}

/* Commits finished files as the job's owner, with the lock released for
 * the file-system step.  A rename that fails leaves the job as it was; any finished
 * file whose temporary file is gone is an error, not an older file at
 * the destination passed off as this one.  A job that changed meanwhile
 * (cancelled, or another complete) is not completed by this call.  On
 * success the caller acknowledges the job at once, which removes its
 * rows: they are not rewritten first. */
int job_commit_files(bgcopy_job *job)
{
	struct as_owner as;
	struct call_pause pause;
	struct commit c;
	int status;

	assert(engine_locked(job->engine));
	if (job->files_busy)
		return set_error(BGCOPY_E_INVALID_STATE, "job %s is being completed "
				 "or cancelled by another call", job->id);
	status = commit_plan(job, &c);
	if (!status)
		status = job_as_owner(job, &as);
	if (status)
		goto end;
	job->files_busy = true;
	store_unlock_in_call(job->engine, &pause);
	status = commit_files_unlocked(&c);
	as_owner_end(&as);
	store_relock_in_call(job->engine, &pause);
	job->files_busy = false;
	jobq_mark(job);		/* it may want a connection again */
	if (!status && job->state != c.state)
		status = set_error(BGCOPY_E_INVALID_STATE, "job %s became %s while "
				   "its files were committed; it is not completed",
				   job->id, bgcopy_state_name(job->state));
	/* Success: the caller acknowledges the job at once. */
	commit_record(job, &c, status != BGCOPY_OK);
end:
	commit_free(&c);
	return status;
}

/* Removes every temporary file as the job's owner, with the lock
 * released (a hung mount must not stall the other jobs) but no transfer
 * started meanwhile, then ends the job.  What could be planned is
 * removed, even short of memory; nothing when the owner cannot be taken
 * on (root must not unlink where a user points). */
void job_cancel_now(bgcopy_job *job)
{
	struct as_owner as;
	struct call_pause pause;
	struct commit c;
	bool owner_taken;

	assert(engine_locked(job->engine));
	transfer_abort_job(job);
	for (unsigned i = 0; i < job->nfiles; i++)
		job_temp_path(job, i);
	commit_plan(job, &c);
	owner_taken = job_as_owner(job, &as) == BGCOPY_OK;
	job->files_busy = true;
	store_unlock_in_call(job->engine, &pause);
	test_delay("BGCOPY_TEST_SLOW_REMOVE_MS");
	for (unsigned i = 0; owner_taken && i < c.n; i++)
		remove_temp(c.items[i].temp);
	if (owner_taken)
		as_owner_end(&as);
	store_relock_in_call(job->engine, &pause);
	job->files_busy = false;
	jobq_mark(job);		/* it may want a connection again */
	/* Another cancel may have ended it meanwhile. */
	if (!job_is_final(job))
		job_set_state(job, BGCOPY_CANCELLED, BGCOPY_TP_CAUSE_CANCEL);
	commit_free(&c);
}
