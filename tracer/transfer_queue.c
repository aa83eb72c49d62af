/* The transfer worker's queues: which job gets the next connection, and which job's timer is due next. */
#include <stdint.h>

#include "internal.h"

/* The job's next timer: the end of its retry delay, of its no-progress
 * timeout or of its maximum download time; none while it waits in the
 * queue. */
static int64_t timer_deadline(const bgcopy_job *job)
{
	int64_t stall_at = job->last_progress_ms + (int64_t)job->no_progress_ms + 1;

	if (job->state == BGCOPY_QUEUED)
		return INT64_MAX;
	if (job->active_since_ms && job->max_download_time_ms) {
		int64_t left = job->active_ms >= job->max_download_time_ms ? 0 :
			       (int64_t)(job->max_download_time_ms - job->active_ms);

		if (job->active_since_ms + left < stall_at)
			stall_at = job->active_since_ms + left;
	}
	if (job->state == BGCOPY_TRANSIENT_ERROR && job->retry_at_ms < stall_at)
		return job->retry_at_ms;
	return stall_at;
}

unsigned sched_next_file(const bgcopy_job *job)
{
	unsigned i = job->current_file;

	while (i < job->nfiles && (job->files[i].completed || job->files[i].in_flight))
		i++;
	return i;
}

/* With no transfer, QUEUED or TRANSFERRING between files (the worker
 * then starts a file or finds them all done); with fewer transfers than
 * its parallel_files, CONNECTING or TRANSFERRING with a file to start. */
static bool wants_connection(const bgcopy_job *job)
{
	if (job->files_busy || job->xfers - job->xfers_syncing >= job->parallel_files)
		return false;
	if (!job->xfers)
		return job->state == BGCOPY_QUEUED || job->state == BGCOPY_TRANSFERRING;
	return (job->state == BGCOPY_CONNECTING || job->state == BGCOPY_TRANSFERRING) &&
	       sched_next_file(job) < job->nfiles;
}

/* A job waits for a connection while wants_connection: highest priority
 * first, among equals the one that waited longest since it last had a
 * connection (each file started is one), then the older.
 * A job whose files a complete or cancel works on (files_busy) waits,
 * looked at again when it comes to the top.  A job that wants bytes has
 * a timer.
 * Both keys change only with what marks the job, but for progress, which
 * only moves a timer later: it is checked when it comes to the top. */
void sched_rekey(bgcopy_job *job)
{
	bool ok = true;

	assert(engine_locked(job->engine));
	if (wants_connection(job))
		ok = jobq_set(job, JOBQ_RUNNABLE, job->priority,
			      (int64_t)job->sched_stamp);
	else
		jobq_remove(job, JOBQ_RUNNABLE);
	if (state_wants_bytes(job->state))
		ok = jobq_set(job, JOBQ_TIMERS, timer_deadline(job), 0) && ok;
	else
		jobq_remove(job, JOBQ_TIMERS);
	if (!ok)
		jobq_mark(job);	/* no memory: looked at again next time */
}

static void sched_refresh(bgcopy_engine *engine)
{
	bgcopy_job *job;

	assert(engine_locked(engine));
	while ((job = jobq_next_marked(engine, JOBQ_TRANSFER))) {
		sched_rekey(job);
		if (job->marked[JOBQ_TRANSFER])
			break;
	}
}

bool transfer_wanting(bgcopy_engine *engine)
{
	sched_refresh(engine);
	return jobq_len(engine, JOBQ_TIMERS) > 0;
}

bgcopy_job *sched_next_runnable(bgcopy_engine *engine)
{
	bgcopy_job *job;

	sched_refresh(engine);
	/* files_busy is set without a mark (its end marks the job). */
	while ((job = jobq_top(engine, JOBQ_RUNNABLE)) && job->files_busy)
		sched_rekey(job);
	return job;
}

bgcopy_job *sched_due_timer(bgcopy_engine *engine, int64_t now, int64_t *next)
{
	bgcopy_job *job;
	int64_t at;

	sched_refresh(engine);
	*next = -1;
	while ((job = jobq_top(engine, JOBQ_TIMERS))) {
		at = timer_deadline(job);
		if (at != job->qkey[JOBQ_TIMERS][0]) {
			sched_rekey(job);	/* progress moved it later */
			continue;
		}
		if (at <= now)
			return job;
		*next = at == INT64_MAX ? -1 : at;
		return NULL;
	}
	return NULL;
}
