/* Choosing a job's next delivery and making it: by callback or command line, and settling its outcome. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "trace.h"

#define SLOW_SPAWN_US (250 * 1000)	/* BGCOPY_TEST_SLOW_SPAWN */
#define SLOW_BEGIN_US (5 * 1000)	/* BGCOPY_TEST_SLOW_BEGIN */

static enum route route_for(const bgcopy_job *job, int kind,
			    const struct obligation *ob)
{
	bool job_kind = kind == BGCOPY_TP_KIND_JOB_TRANSFERRED ||
			kind == BGCOPY_TP_KIND_JOB_ERROR;

	/* Once a callback failed and the command line took over, the
	 * callback is not called again for that notification. */
	if (job_kind && ob->via_cmdline)
		return job->cmdline ? ROUTE_CMDLINE : ROUTE_NONE;
	if (job_kind && job->cmdline && !job->iface)
		return ROUTE_CMDLINE;
	return job->iface ? ROUTE_CALLBACK : ROUTE_NONE;
}

static bool candidate(bgcopy_job *job, struct obligation *ob, int kind,
		      struct delivery *d, int64_t *due)
{
	enum route route;

	if (!ob->armed || (route = route_for(job, kind, ob)) == ROUTE_NONE)
		return false;	/* parked until a route appears */
	*d = (struct delivery){
		.job = job, .ob = ob, .kind = kind, .route = route,
		.file_index = kind == BGCOPY_TP_KIND_FILE_TRANSFERRED ?
			      (int)job->file_queue[0] : -1,
	};
	*due = ob->not_before_ms;
	if (kind == BGCOPY_TP_KIND_JOB_MODIFICATION && job->last_modification_ms &&
	    job->last_modification_ms + job->modification_ms > *due)
		*due = job->last_modification_ms + job->modification_ms;
	return true;
}

/* The job's next delivery: of FileTransferred (in completion order),
 * JobTransferred and JobError, the first armed one, since files come
 * first even while parked; JobModification runs beside them.  Prefers
 * whichever is due by `now`; *due says when the chosen one may begin.
 * Returns false when nothing has a route. */
static bool next_delivery(bgcopy_job *job, int64_t now, struct delivery *d,
			  int64_t *due)
{
	struct delivery ordered, mod;
	int64_t ordered_due = 0, mod_due = 0;
	bool has_ordered, has_mod;

	if (job->ob_file.armed)
		has_ordered = candidate(job, &job->ob_file,
					BGCOPY_TP_KIND_FILE_TRANSFERRED,
					&ordered, &ordered_due);
	else
		has_ordered = candidate(job, &job->ob_transferred,
					BGCOPY_TP_KIND_JOB_TRANSFERRED,
					&ordered, &ordered_due) ||
			      candidate(job, &job->ob_error, BGCOPY_TP_KIND_JOB_ERROR,
					&ordered, &ordered_due);
	has_mod = candidate(job, &job->ob_modification,
			    BGCOPY_TP_KIND_JOB_MODIFICATION, &mod, &mod_due);
	if (has_ordered && (!has_mod || ordered_due <= now || ordered_due <= mod_due)) {
		*d = ordered;
		*due = ordered_due;
		return true;
	}
	if (has_mod) {
		*d = mod;
		*due = mod_due;
	}
	return has_mod;
}

/* A job waits in the due queue while it has a delivery with a route and
 * none under way, keyed by when that delivery became (or becomes) due:
 * armed, or out of its retry delay or modification spacing, whichever is
 * later.  The key only grows as time passes (the delivery a job offers
 * switches to an ordered one only once that is due, and it became due
 * later), so a key read at the top is checked and, if stale, corrected. */
static void due_rekey(bgcopy_job *job, int64_t now)
{
	struct delivery d;
	int64_t due;

	if (job->busy || !next_delivery(job, now, &d, &due)) {
		jobq_remove(job, JOBQ_DUE);
		return;
	}
	/* With no memory to queue it, it stays marked: looked at again. */
	if (!jobq_set(job, JOBQ_DUE, due > d.ob->armed_ms ? due : d.ob->armed_ms, 0))
		jobq_mark(job);
}

static void due_refresh(bgcopy_engine *engine, int64_t now)
{
	bgcopy_job *job;

	while ((job = jobq_next_marked(engine, JOBQ_NOTIFY))) {
		due_rekey(job, now);
		if (job->marked[JOBQ_NOTIFY])
			break;	/* no memory: looked at again next time */
	}
}

bool notify_settled(bgcopy_job *job)
{
	struct delivery d;
	int64_t due, now = now_ms();

	assert(engine_locked(job->engine));
	if (job->busy)
		return false;
	/* An obligation waiting out its retry delay counts as settled: the
	 * caller is told it is pending. */
	return !next_delivery(job, now, &d, &due) ||
	       (d.ob->attempt > 0 && due > now);
}

bool notify_all_settled(bgcopy_engine *engine)
{
	assert(engine_locked(engine));
	due_refresh(engine, now_ms());
	if (engine->busy_jobs)
		return false;
	/* Jobs out of the queue owe nothing that has a route. */
	for (size_t i = 0; i < jobq_len(engine, JOBQ_DUE); i++)
		if (!notify_settled(jobq_at(engine, JOBQ_DUE, i)))
			return false;
	return true;
}

/* Of every job's next delivery due now, the one that became due first
 * (armed, or out of its retry delay or modification spacing, earliest;
 * ties to the older job), so that busy jobs cannot starve the rest;
 * otherwise false, and *wake_at says when to look again. */
bool notify_pick_due(bgcopy_engine *engine, struct delivery *d,
		     int64_t *wake_at)
{
	int64_t now = now_ms(), key, due;
	bgcopy_job *job;

	assert(engine_locked(engine));
	*wake_at = now + 1000;
	due_refresh(engine, now);
	while ((job = jobq_top(engine, JOBQ_DUE))) {
		key = job->qkey[JOBQ_DUE][0];
		due_rekey(job, now);
		if (!jobq_holds(job, JOBQ_DUE) || job->qkey[JOBQ_DUE][0] != key)
			continue;	/* it was stale: look at the top again */
		if (key > now) {
			if (key < *wake_at)
				*wake_at = key;
			return false;
		}
		next_delivery(job, now, d, &due);
		jobq_remove(job, JOBQ_DUE);	/* busy until notify_deliver ends */
		return true;
	}
	return false;
}

static struct bgcopy_tp_notification tp_note(const bgcopy_job *job, int kind,
					     const struct obligation *ob,
					     int file_index)
{
	return (struct bgcopy_tp_notification){
		.kind = kind, .epoch = job->epoch, .attempt = ob->attempt,
		.file_index = file_index, .arming = ob->arming,
	};
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int call_back(struct bgcopy_callback *cb, const struct delivery *d,
		     const struct bgcopy_error *err)
{
	const struct bgcopy_callback_ops *ops = cb->ops;

	switch (d->kind) {
	case BGCOPY_TP_KIND_JOB_TRANSFERRED:
		return ops->job_transferred ? ops->job_transferred(cb, d->job) : 0;
	case BGCOPY_TP_KIND_JOB_ERROR:
		return ops->job_error ? ops->job_error(cb, d->job, err) : 0;
	case BGCOPY_TP_KIND_JOB_MODIFICATION:
		return ops->job_modification ? ops->job_modification(cb, d->job) : 0;
	default:
		return ops->file_transferred ?
		       ops->file_transferred(cb, d->job, (unsigned)d->file_index) : 0;
	}
}

/* Records the outcome of a delivery, lock held. */
static void settle(struct delivery *d, struct bgcopy_tp_notification *n,
		   int result)
{
	bgcopy_job *job = d->job;
	struct obligation *ob = d->ob;

	assert(engine_locked(job->engine));
	if (d->kind == BGCOPY_TP_KIND_JOB_MODIFICATION)
		return;		/* discharged when it began; result ignored */
	/* A state or flag change voided it, or a new interface re-armed it,
	 * while we were out: this outcome belongs to an arming that is gone.
	 * A callback's outcome also belongs to its epoch; a command line has
	 * none. */
	if (!ob->armed || ob->arming != n->arming || ob->attempt != n->attempt ||
	    (d->route == ROUTE_CALLBACK && job->epoch != n->epoch))
		return;
	if (result == 0) {
		ob->armed = false;
		ob->discharged = true;
		if (d->kind == BGCOPY_TP_KIND_FILE_TRANSFERRED) {
			memmove(job->file_queue, job->file_queue + 1,
				--job->file_queue_len * sizeof(*job->file_queue));
			notify_arm_file_head(job);
		}
		store_save_job(job);	/* at least once, not again and again */
		return;
	}
	/* +1: the clock counts whole milliseconds, the delay must not be
	 * cut short by the part of one that already went by. */
	ob->not_before_ms = now_ms() + (int64_t)job->min_retry_ms + 1;
	if (job->cmdline && d->kind != BGCOPY_TP_KIND_FILE_TRANSFERRED)
		ob->via_cmdline = true;
	TRACE(retry_scheduled, TRACE_JOB(job), n, job->min_retry_ms);
}

/* BGCOPY_TEST_SLOW_BEGIN: every other call sleeps with the lock held, as
 * a lossless tracepoint waiting for buffer space would. */
static void slow_begin_for_tests(bgcopy_engine *engine)
{
	static atomic_uint calls;

	if ((engine->opt.test_options & BGCOPY_TEST_SLOW_BEGIN) &&
	    atomic_fetch_add(&calls, 1) % 2 == 0)
		usleep(SLOW_BEGIN_US);
}

/* The attempt the callback running on this thread serves, for
 * bgcopy_callback_forward(); zero outside a callback. */
struct running_attempt {
	struct delivery *d;
	const struct bgcopy_tp_notification *n;
};
static __thread struct running_attempt running;

int notify_forward_running(int32_t to, struct bgcopy_callback_attempt *out)
{
	bgcopy_job *job = running.d ? running.d->job : NULL;

	if (!job)
		return set_error(BGCOPY_E_INVALID_STATE, "bgcopy_callback_forward() "
				 "was called outside a notify interface's method");
	engine_lock(job->engine);
	TRACE(callback_forwarded, TRACE_JOB(job), running.n, to, trace_process_start(to));
	engine_unlock(job->engine);
	*out = (struct bgcopy_callback_attempt){ .engine = job->engine->trace_id,
						  .arming = running.n->arming,
						  .attempt = running.n->attempt };
	return BGCOPY_OK;
}

static void deliver_by_callback(bgcopy_engine *engine, struct delivery *d,
				struct bgcopy_tp_notification *n)
{
	bgcopy_job *job = d->job;
	struct notify_iface *ni = job->iface;
	struct bgcopy_callback *cb = ni->cb, *release;
	struct bgcopy_error err = job->error;
	uint64_t t0;
	int result;

	ni->refs++;
	if (d->kind == BGCOPY_TP_KIND_JOB_MODIFICATION)
		slow_begin_for_tests(engine);
	TRACE(callback_begin, TRACE_JOB(job), n, notify_iface_id(ni));
	/* The next JobModification is spaced from a reading taken after the
	 * begin event's own timestamp, so the recorded gap is never short;
	 * +1 for the part of a millisecond already gone (see settle). */
	if (d->kind == BGCOPY_TP_KIND_JOB_MODIFICATION)
		job->last_modification_ms = now_ms() + 1;
	engine_unlock(engine);

	cb->ops->add_ref(cb);
	t0 = mono_ns();
	running = (struct running_attempt){ .d = d, .n = n };
	result = call_back(cb, d, &err);
	running = (struct running_attempt){ 0 };
	t0 = mono_ns() - t0;
	cb->ops->release(cb);

	engine_lock(engine);
	TRACE(callback_end, TRACE_JOB(job), n, result, t0);
	settle(d, n, result);
	notify_iface_put_locked(job, ni, &release);
	if (release) {
		engine_unlock(engine);
		release->ops->release(release);
		engine_lock(engine);
	}
}

/* After the lock was let go to start a command line: is this attempt
 * still the one owed, to this program? */
static bool cmdline_still_owed(const struct delivery *d,
			       const struct bgcopy_tp_notification *n,
			       uint64_t cmdline_gen)
{
	const bgcopy_job *job = d->job;

	return d->ob->armed && d->ob->arming == n->arming &&
	       d->ob->attempt == n->attempt &&
	       job->cmdline_gen == cmdline_gen &&
	       route_for(job, d->kind, d->ob) == ROUTE_CMDLINE;
}

static void deliver_by_cmdline(bgcopy_engine *engine, struct delivery *d,
			       struct bgcopy_tp_notification *n)
{
	bgcopy_job *job = d->job;
	uint64_t cmdline_gen = job->cmdline_gen;
	char **argv = cmdline_argv(job, d->kind);
	char **env = cmdline_env(job, d->kind);
	struct gated_cmdline run = { .pid = -1, .gate = -1 };
	uint32_t limit_s = job->cmdline_timeout_s;
	bool timed_out;
	uid_t owner = job->owner;	/* bgcopyd: run as the owner */
	int status;

	engine_unlock(engine);
	if (argv && env)
		cmdline_spawn_gated(argv, env, owner, &run);
	if (engine->opt.test_options & BGCOPY_TEST_SLOW_SPAWN)
		usleep(SLOW_SPAWN_US);
	engine_lock(engine);
	/* A resume, cancel, new interface or command line while the lock was
	 * out: nothing runs, and the attempt never happened. */
	if (!cmdline_still_owed(d, n, cmdline_gen)) {
		cmdline_drop(&run);
		if (d->ob->arming == n->arming && d->ob->attempt == n->attempt)
			d->ob->attempt--;
		argv_free(argv);
		argv_free(env);
		return;
	}
	TRACE(cmdline_run, TRACE_JOB(job), n, argv ? argv[0] : "", run.pid);
	cmdline_open_gate(&run);
	engine_unlock(engine);
	status = child_wait_limited(run.pid, (int64_t)limit_s * 1000, &timed_out);
	engine_lock(engine);
	TRACE(cmdline_exit, TRACE_JOB(job), n, run.pid, status, timed_out);
	settle(d, n, status);
	argv_free(argv);
	argv_free(env);
}

/* Makes one attempt, with the lock released while it runs; the job is
 * busy meanwhile, so it has one delivery at a time. */
void notify_deliver(bgcopy_engine *engine, struct delivery *d)
{
	bgcopy_job *job = d->job;
	struct bgcopy_tp_notification n;

	assert(engine_locked(engine));
	assert(!job->busy);
	job_pin(job);	/* the application may forget a job gone final meanwhile */
	job->busy = true;
	engine->busy_jobs++;
	d->ob->attempt++;
	n = tp_note(job, d->kind, d->ob, d->file_index);
	/* Begins discharge every modification armed so far. */
	if (d->kind == BGCOPY_TP_KIND_JOB_MODIFICATION)
		d->ob->armed = false;
	if (d->route == ROUTE_CALLBACK)
		deliver_by_callback(engine, d, &n);
	else
		deliver_by_cmdline(engine, d, &n);
	assert(job->busy && engine->busy_jobs > 0);
	job->busy = false;
	engine->busy_jobs--;
	jobq_mark(job);
	job_unpin(job);
	wake_dispatchers(engine);
	wake_waiters(engine);
}
