/* The job state machine (docs/CONTRACT.md section 2): the only writer of a job's state. */
#include "internal.h"
#include "trace.h"

/* How old the stored active time may get while files complete: what a
 * crash may give back to the maximum download time. */
#define ACTIVE_TIME_SAVE_MS 1000

/* Every state, property and flag change comes here: the engine's queues
 * look at the job again. */
void job_touch(bgcopy_job *job)
{
	job->mtime = now_wall_s();
	jobq_mark(job);
}

static int cause_error_context(const bgcopy_job *job, enum bgcopy_state to)
{
	return (to == BGCOPY_ERROR || to == BGCOPY_TRANSIENT_ERROR) &&
	       job->has_error ? (int)job->error.context : BGCOPY_ERRCTX_NONE;
}

/* Tells the change hook, if any (bgcopyd's wake-up). */
void job_changed(bgcopy_job *job, unsigned what)
{
	bgcopy_engine *engine = job->engine;

	assert(engine_locked(engine));
	if (engine->change_hook && !job->forgotten)
		engine->change_hook(job, what, job->state, engine->change_data);
}

static bool state_is_active(enum bgcopy_state state)
{
	return state == BGCOPY_CONNECTING || state == BGCOPY_TRANSFERRING;
}

/* The maximum download time's clock runs in CONNECTING and TRANSFERRING
 * only; a resume starts it again, as BITS' does. */
static void count_active(bgcopy_job *job, enum bgcopy_state to, int cause)
{
	int64_t now = now_ms();

	if (cause == BGCOPY_TP_CAUSE_RESUME)
		job->active_ms = 0;
	else if (job->active_since_ms && !state_is_active(to))
		job->active_ms = job_active_ms(job, now);
	if (!state_is_active(to))
		job->active_since_ms = 0;
	else if (!job->active_since_ms)
		job->active_since_ms = now;
}

void job_save_completed_files(bgcopy_job *job)
{
	assert(engine_locked(job->engine));
	for (unsigned i = 0; job->completions_unsaved && i < job->nfiles; i++) {
		if (!job->files[i].completion_unsaved)
			continue;
		job->files[i].completion_unsaved = false;
		job->completions_unsaved--;
		store_save_file(job, i);
	}
	assert(!job->completions_unsaved);
}

/* The job's row, and the completed files' rows waiting for it, in one
 * transaction: a job stored TRANSFERRED has every file stored complete. */
static void save_job_with_files(bgcopy_job *job)
{
	unsigned before = store_failures(job->engine);

	store_begin(job->engine);
	job_save_completed_files(job);	/* none written for a final job */
	store_save_job(job);
	store_end(job->engine, store_check(job->engine, before, BGCOPY_OK));
}

void job_set_state(bgcopy_job *job, enum bgcopy_state to, int cause)
{
	enum bgcopy_state from = job->state;
	bool with_error = cause_error_context(job, to) != BGCOPY_ERRCTX_NONE;

	assert(engine_locked(job->engine));
	if (from == to)
		return;
	assert(state_change_allowed(from, to));
	job->state = to;
	job_touch(job);
	count_active(job, to, cause);
	/* The no-progress clock starts when the job starts wanting bytes,
	 * and stops while it waits in the queue for a connection: the
	 * contract counts it in CONNECTING, TRANSFERRING, TRANSIENT_ERROR. */
	if (!state_wants_bytes(from) && state_wants_bytes(to))
		job->last_progress_ms = now_ms();
	if (to == BGCOPY_QUEUED)
		job->queued_since_ms = now_ms();
	if (from == BGCOPY_QUEUED && job->queued_since_ms)
		job->last_progress_ms += now_ms() - job->queued_since_ms;
	if (to == BGCOPY_TRANSFERRED)
		job->ttime = job->mtime;
	TRACE(state_change, TRACE_JOB(job),
	      (&(struct bgcopy_tp_state_change){
		      .from = from, .to = to, .cause = cause,
		      .error_context = cause_error_context(job, to),
		      .error_code = with_error ? job->error.code : 0,
		      .http_status = with_error ? job->error.http_status : 0,
		      .curl_code = with_error ? job->error.curl_code : 0,
		      .error_file = with_error ? job->error.file_index : -1,
		      .description = with_error ? job->error.description : "",
	      }));
	notify_on_state(job, from, to);
	save_job_with_files(job);
	job_changed(job, BGCOPY_CHANGE_STATE);
	wake_waiters(job->engine);
	wake_worker(job->engine);
}

void job_fail(bgcopy_job *job, bool transient, const struct bgcopy_error *err)
{
	job->error = *err;
	job->has_error = true;
	if (transient) {
		/* +1: whole milliseconds must not cut the delay short. */
		job->retry_at_ms = now_ms() + (int64_t)job->min_retry_ms + 1;
		job_set_state(job, BGCOPY_TRANSIENT_ERROR,
			      BGCOPY_TP_CAUSE_TRANSIENT_FAILURE);
	} else {
		job_set_state(job, BGCOPY_ERROR, BGCOPY_TP_CAUSE_PERMANENT_FAILURE);
	}
}

void job_note_progress(bgcopy_job *job, unsigned index)
{
	assert(engine_locked(job->engine));
	job->last_progress_ms = now_ms();
	if (TRACE_ENABLED(progress)) {
		struct bgcopy_progress p;
		struct job_file *f = &job->files[index];

		job_progress(job, &p);
		TRACE(progress, TRACE_JOB(job),
		      (&(struct bgcopy_tp_progress){
			      .file_index = (int32_t)index,
			      .file_bytes = f->bytes_done,
			      .file_total = f->bytes_total,
			      .job_bytes = p.bytes_transferred,
			      .job_total = p.bytes_total,
		      }));
	}
	notify_on_modification(job);
	job_changed(job, BGCOPY_CHANGE_PROGRESS);
}

/* current_file past every completed file: files complete in any order
 * when several move at once, and a restored job may start past some. */
unsigned job_first_incomplete(bgcopy_job *job)
{
	assert(engine_locked(job->engine));
	while (job->current_file < job->nfiles && job->files[job->current_file].completed)
		job->current_file++;
	return job->current_file;
}

void job_file_completed(bgcopy_job *job, unsigned index)
{
	struct job_file *f = &job->files[index];
	bool queued;

	assert(engine_locked(job->engine));
	assert(index < job->nfiles && !f->completed && !f->completion_unsaved);
	f->completed = true;
	f->bytes_total = (int64_t)f->bytes_done;
	job_first_incomplete(job);
	TRACE(file_complete, TRACE_JOB(job), (int32_t)index, f->bytes_done);
	job_changed(job, BGCOPY_CHANGE_PROGRESS);
	queued = notify_on_file_completed(job, index);
	f->completion_unsaved = true;
	job->completions_unsaved++;
	/* Between files the job stays TRANSFERRING; the worker starts the
	 * next one.  Every file complete: none is moving either.  A file's
	 * completion is stored with the job's next row (its state, a
	 * FileTransferred queued, which must not be lost with the file, or
	 * a second after the last write, to keep the maximum download
	 * time's clock): one transaction a second, not one a file.  A crash
	 * meanwhile fetches those files again. */
	if (job->current_file >= job->nfiles) {
		job_set_state(job, BGCOPY_TRANSFERRED, BGCOPY_TP_CAUSE_ALL_FILES_DONE);
		return;
	}
	if (queued || now_ms() - job->row_saved_ms >= ACTIVE_TIME_SAVE_MS)
		save_job_with_files(job);
	wake_worker(job->engine);
}

void job_property_changed(bgcopy_job *job, int property, const char *value)
{
	assert(engine_locked(job->engine));
	job_touch(job);
	TRACE(property_change, TRACE_JOB(job), property, value);
	notify_on_modification(job);
	store_save_job(job);
	job_changed(job, BGCOPY_CHANGE_PROPERTY);
}
