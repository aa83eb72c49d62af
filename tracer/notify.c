/*
 * Notifications: docs/CONTRACT.md sections 3 to 6.
 *
 * Each job holds one obligation per kind (FileTransferred for the head of
 * its queue of completed files).  An obligation is armed by a state, flag,
 * interface or file event and discharged when a delivery in the same epoch
 * succeeds.  Dispatcher threads pick due obligations under the engine lock,
 * mark the job busy (one delivery per job at a time) and deliver with the
 * lock released, so a callback may call any bgcopy_job_* function.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "trace.h"

extern char **environ;

bool flags_allow(uint32_t flags, uint32_t flag)
{
	return !(flags & BGCOPY_NOTIFY_DISABLE) && (flags & flag);
}

static uint64_t iface_id(const struct notify_iface *ni)
{
	return ni ? (uint64_t)(uintptr_t)ni->cb : 0;
}

static void wake_dispatchers(bgcopy_engine *engine)
{
	pthread_cond_broadcast(&engine->dispatch_cond);
}

static struct bgcopy_tp_notification tp_note(const bgcopy_job *job, int kind,
					     const struct obligation *ob,
					     int file_index)
{
	return (struct bgcopy_tp_notification){
		.kind = kind, .epoch = job->epoch, .attempt = ob->attempt,
		.file_index = file_index,
	};
}

static void arm(bgcopy_job *job, struct obligation *ob, int kind, int file_index)
{
	*ob = (struct obligation){ .armed = true, .armed_ms = now_ms() };
	TRACE(notify_armed, TRACE_JOB(job),
	      (&(struct bgcopy_tp_notification){
		      .kind = kind, .epoch = job->epoch, .file_index = file_index }));
	wake_dispatchers(job->engine);
}

static void arm_file_head(bgcopy_job *job)
{
	if (job->file_queue_len)
		arm(job, &job->ob_file, BGCOPY_TP_KIND_FILE_TRANSFERRED,
		    (int)job->file_queue[0]);
	else
		job->ob_file.armed = false;
}

static void void_files(bgcopy_job *job)
{
	job->file_queue_len = 0;
	job->ob_file.armed = false;
}

void notify_on_modification(bgcopy_job *job)
{
	struct obligation *ob = &job->ob_modification;

	if (!flags_allow(job->notify_flags, BGCOPY_NOTIFY_JOB_MODIFICATION))
		return;
	if (ob->armed) {
		TRACE(notify_coalesced, TRACE_JOB(job),
		      (&(struct bgcopy_tp_notification){
			      .kind = BGCOPY_TP_KIND_JOB_MODIFICATION,
			      .epoch = job->epoch, .file_index = -1 }));
		return;
	}
	arm(job, ob, BGCOPY_TP_KIND_JOB_MODIFICATION, -1);
}

/* JobTransferred or JobError: the notification the job's state calls
 * for, if the flags allow it; NULL otherwise. */
static struct obligation *state_obligation(bgcopy_job *job, uint32_t flags,
					   int *kind)
{
	if (job->state == BGCOPY_TRANSFERRED &&
	    flags_allow(flags, BGCOPY_NOTIFY_JOB_TRANSFERRED)) {
		*kind = BGCOPY_TP_KIND_JOB_TRANSFERRED;
		return &job->ob_transferred;
	}
	if (job->state == BGCOPY_ERROR &&
	    flags_allow(flags, BGCOPY_NOTIFY_JOB_ERROR)) {
		*kind = BGCOPY_TP_KIND_JOB_ERROR;
		return &job->ob_error;
	}
	return NULL;
}

/* Registering after the event still delivers it: a new interface arms the
 * state's notification afresh, delivered or not. */
static void arm_for_new_interface(bgcopy_job *job)
{
	int kind;
	struct obligation *ob = state_obligation(job, job->notify_flags, &kind);

	if (ob)
		arm(job, ob, kind, -1);
}

/* A flag change arms the state's notification only when it newly allows
 * it: one already delivered in this epoch stays delivered. */
static void arm_for_flags(bgcopy_job *job, uint32_t old_flags)
{
	int kind, old_kind;
	struct obligation *ob = state_obligation(job, job->notify_flags, &kind);

	if (ob && !ob->armed && !state_obligation(job, old_flags, &old_kind))
		arm(job, ob, kind, -1);
}

/* A restored job in TRANSFERRED or ERROR whose notification was never
 * delivered is owed it: it parks until an interface or a command line
 * takes it. */
void notify_on_restore(bgcopy_job *job)
{
	int kind;
	struct obligation *ob = state_obligation(job, job->notify_flags, &kind);

	if (ob && !ob->discharged)
		arm(job, ob, kind, -1);
	if (job->file_queue_len &&
	    flags_allow(job->notify_flags, BGCOPY_NOTIFY_FILE_TRANSFERRED))
		arm_file_head(job);
}

/* A final job owes nothing and holds on to no interface: the engine's
 * registration is dropped (released once no call is running). */
void notify_job_final(bgcopy_job *job)
{
	struct bgcopy_callback *release;

	job->ob_transferred.armed = false;
	job->ob_error.armed = false;
	job->ob_modification.armed = false;
	void_files(job);
	if (job->iface) {
		notify_iface_put_locked(job, job->iface, &release);
		job->iface = NULL;
		if (release)
			defer_release(job->engine, release);
	}
}

void notify_on_state(bgcopy_job *job, enum bgcopy_state from,
		     enum bgcopy_state to)
{
	struct obligation *ob;
	int kind;

	if (from == BGCOPY_TRANSFERRED)
		job->ob_transferred.armed = false;
	if (from == BGCOPY_ERROR)
		job->ob_error.armed = false;
	if (job_is_final(job)) {
		notify_job_final(job);
		return;
	}
	if (to == BGCOPY_TRANSFERRED || to == BGCOPY_ERROR) {
		job->ob_modification.armed = false;
		if ((ob = state_obligation(job, job->notify_flags, &kind)))
			arm(job, ob, kind, -1);
		return;
	}
	notify_on_modification(job);
}

void notify_on_file_completed(bgcopy_job *job, unsigned index)
{
	unsigned *queue;

	if (!flags_allow(job->notify_flags, BGCOPY_NOTIFY_FILE_TRANSFERRED))
		return;
	/* Never more entries than the job has files. */
	queue = realloc(job->file_queue, job->nfiles * sizeof(*queue));
	if (!queue)
		return;
	job->file_queue = queue;
	job->file_queue[job->file_queue_len++] = index;
	if (job->file_queue_len == 1)
		arm_file_head(job);
}

/* ---- choosing what to deliver ---------------------------------------- */

enum route { ROUTE_NONE, ROUTE_CALLBACK, ROUTE_CMDLINE };

struct delivery {
	bgcopy_job *job;
	struct obligation *ob;
	int kind;
	int file_index;
	enum route route;
};

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

bool notify_settled(bgcopy_job *job)
{
	struct delivery d;
	int64_t due, now = now_ms();

	if (job->busy)
		return false;
	/* An obligation waiting out its retry delay counts as settled: the
	 * caller is told it is pending. */
	return !next_delivery(job, now, &d, &due) ||
	       (d.ob->attempt > 0 && due > now);
}

static bool pick_due(bgcopy_engine *engine, struct delivery *d,
		     int64_t *wake_at)
{
	int64_t now = now_ms();

	*wake_at = now + 1000;
	for (bgcopy_job *job = engine->jobs; job; job = job->next) {
		int64_t due;

		if (job->busy || !next_delivery(job, now, d, &due))
			continue;
		if (due <= now)
			return true;
		if (due < *wake_at)
			*wake_at = due;
	}
	return false;
}

/* ---- delivering ------------------------------------------------------ */

void notify_iface_put_locked(bgcopy_job *job, struct notify_iface *ni,
			     struct bgcopy_callback **release_now)
{
	*release_now = NULL;
	if (--ni->refs)
		return;
	TRACE(interface_release, TRACE_JOB(job), iface_id(ni), ni->epoch);
	*release_now = ni->cb;
	free(ni);
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

/* Program, arguments, job id and event name, all copied: the job's
 * command line may be replaced while the program starts.  NULL on no
 * memory. */
static char **cmdline_argv(const bgcopy_job *job, int kind)
{
	const char *extra[] = {
		job->id,
		kind == BGCOPY_TP_KIND_JOB_TRANSFERRED ? "transferred" : "error",
	};
	size_t n = 0;
	char **argv;

	while (job->cmdline[n])
		n++;
	argv = xcalloc(n + 3, sizeof(*argv));
	for (size_t i = 0; argv && i < n + 2; i++) {
		argv[i] = xstrdup(i < n ? job->cmdline[i] : extra[i - n]);
		if (!argv[i]) {
			argv_free(argv);
			return NULL;
		}
	}
	return argv;
}

/* Starts the command line with no shell, its output going nowhere;
 * returns its pid or -1. */
static pid_t spawn_cmdline(char **argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : pid;
}

/* Its exit status, the negated signal that killed it, or 127 if it never
 * ran. */
static int wait_cmdline(pid_t pid)
{
	int wstatus;

	if (pid < 0)
		return 127;
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return WIFSIGNALED(wstatus) ? -WTERMSIG(wstatus) : 127;
}

/* Records the outcome of a delivery, lock held. */
static void settle(struct delivery *d, struct bgcopy_tp_notification *n,
		   int result)
{
	bgcopy_job *job = d->job;
	struct obligation *ob = d->ob;

	if (d->kind == BGCOPY_TP_KIND_JOB_MODIFICATION)
		return;		/* discharged when it began; result ignored */
	/* A state or flag change voided it, or a new interface re-armed it,
	 * while we were out: this outcome no longer counts.  A callback's
	 * outcome also belongs to its epoch; a command line has none. */
	if (!ob->armed || ob->attempt != n->attempt ||
	    (d->route == ROUTE_CALLBACK && job->epoch != n->epoch))
		return;
	if (result == 0) {
		ob->armed = false;
		ob->discharged = true;
		if (d->kind == BGCOPY_TP_KIND_FILE_TRANSFERRED) {
			memmove(job->file_queue, job->file_queue + 1,
				--job->file_queue_len * sizeof(*job->file_queue));
			arm_file_head(job);
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
	TRACE(callback_begin, TRACE_JOB(job), n, iface_id(ni));
	pthread_mutex_unlock(&engine->lock);

	cb->ops->add_ref(cb);
	t0 = mono_ns();
	result = call_back(cb, d, &err);
	t0 = mono_ns() - t0;
	cb->ops->release(cb);

	pthread_mutex_lock(&engine->lock);
	TRACE(callback_end, TRACE_JOB(job), n, result, t0);
	settle(d, n, result);
	notify_iface_put_locked(job, ni, &release);
	if (release) {
		pthread_mutex_unlock(&engine->lock);
		release->ops->release(release);
		pthread_mutex_lock(&engine->lock);
	}
}

static void deliver_by_cmdline(bgcopy_engine *engine, struct delivery *d,
			       struct bgcopy_tp_notification *n)
{
	bgcopy_job *job = d->job;
	char **argv = cmdline_argv(job, d->kind);
	pid_t pid = -1;
	int status;

	pthread_mutex_unlock(&engine->lock);
	if (argv)
		pid = spawn_cmdline(argv);
	pthread_mutex_lock(&engine->lock);
	TRACE(cmdline_run, TRACE_JOB(job), n, argv ? argv[0] : "", pid);
	pthread_mutex_unlock(&engine->lock);
	status = wait_cmdline(pid);
	pthread_mutex_lock(&engine->lock);
	TRACE(cmdline_exit, TRACE_JOB(job), n, pid, status);
	settle(d, n, status);
	argv_free(argv);
}

static void deliver(bgcopy_engine *engine, struct delivery *d)
{
	bgcopy_job *job = d->job;
	struct bgcopy_tp_notification n;

	job->busy = true;
	d->ob->attempt++;
	n = tp_note(job, d->kind, d->ob, d->file_index);
	if (d->kind == BGCOPY_TP_KIND_JOB_MODIFICATION) {
		/* Begins discharge every modification armed so far.  +1 for
		 * the part of a millisecond already gone (see settle). */
		d->ob->armed = false;
		job->last_modification_ms = now_ms() + 1;
	}
	if (d->route == ROUTE_CALLBACK)
		deliver_by_callback(engine, d, &n);
	else
		deliver_by_cmdline(engine, d, &n);
	job->busy = false;
	wake_dispatchers(engine);
	pthread_cond_broadcast(&engine->idle_cond);
}

/* The engine whose dispatcher this thread is, if any. */
static __thread bgcopy_engine *dispatcher_of;

bool notify_on_dispatcher(const bgcopy_engine *engine)
{
	return dispatcher_of == engine;
}

static void *dispatcher_main(void *arg)
{
	bgcopy_engine *engine = arg;

	dispatcher_of = engine;
	struct delivery d;
	struct timespec ts;
	int64_t wake_at;

	pthread_mutex_lock(&engine->lock);
	while (!engine->stopping) {
		if (engine->deferred) {
			pthread_mutex_unlock(&engine->lock);
			notify_flush_releases(engine);
			pthread_mutex_lock(&engine->lock);
			continue;
		}
		if (pick_due(engine, &d, &wake_at)) {
			deliver(engine, &d);
			continue;
		}
		deadline_to_timespec(wake_at, &ts);
		pthread_cond_timedwait(&engine->dispatch_cond, &engine->lock, &ts);
	}
	pthread_mutex_unlock(&engine->lock);
	return NULL;
}

int notify_start(bgcopy_engine *engine)
{
	unsigned n = engine->opt.dispatcher_threads;

	engine->dispatchers = xcalloc(n, sizeof(*engine->dispatchers));
	if (!engine->dispatchers)
		return BGCOPY_E_NOMEM;
	for (; engine->ndispatchers < n; engine->ndispatchers++)
		if (pthread_create(&engine->dispatchers[engine->ndispatchers],
				   NULL, dispatcher_main, engine))
			return set_error(BGCOPY_E_NOMEM,
					 "cannot start dispatcher thread");
	return BGCOPY_OK;
}

void notify_stop(bgcopy_engine *engine)
{
	for (unsigned i = 0; i < engine->ndispatchers; i++)
		pthread_join(engine->dispatchers[i], NULL);
	engine->ndispatchers = 0;
}

/* ---- entry points ---------------------------------------------------- */

#define NOTIFY_VALID_FLAGS 0x1fu

int bgcopy_job_set_notify_flags(bgcopy_job *job, uint32_t flags)
{
	unsigned mark;
	uint32_t old;
	int status = BGCOPY_OK;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	pthread_mutex_lock(&job->engine->lock);
	mark = store_failures(job->engine);
	old = job->notify_flags;
	if (flags & ~NOTIFY_VALID_FLAGS)
		status = set_error(BGCOPY_E_INVALID_ARG,
				   "notify flags 0x%x have unknown bits 0x%x",
				   flags, flags & ~NOTIFY_VALID_FLAGS);
	else if (job->engine->opt.flags & BGCOPY_OPEN_READ_ONLY)
		status = set_error(BGCOPY_E_READ_ONLY,
				   "the engine was opened read-only");
	else if (job_is_final(job))
		status = set_error(BGCOPY_E_INVALID_STATE,
				   "job %s is %s; its flags cannot change",
				   job->id, bgcopy_state_name(job->state));
	TRACE(flags_change, TRACE_JOB(job), old, flags, status);
	if (status)
		goto end;
	job->notify_flags = flags;
	if (!flags_allow(flags, BGCOPY_NOTIFY_JOB_TRANSFERRED))
		job->ob_transferred.armed = false;
	if (!flags_allow(flags, BGCOPY_NOTIFY_JOB_ERROR))
		job->ob_error.armed = false;
	if (!flags_allow(flags, BGCOPY_NOTIFY_JOB_MODIFICATION))
		job->ob_modification.armed = false;
	if (!flags_allow(flags, BGCOPY_NOTIFY_FILE_TRANSFERRED))
		void_files(job);
	arm_for_flags(job, old);
	job_touch(job);
	store_save_job(job);
	status = store_check(job->engine, mark, status);
end:
	pthread_mutex_unlock(&job->engine->lock);
	return status;
}

int bgcopy_job_set_notify_interface(bgcopy_job *job, struct bgcopy_callback *cb)
{
	struct notify_iface *ni = NULL, *old;
	struct bgcopy_callback *release = NULL;
	uint64_t old_epoch;
	unsigned mark;
	int status;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (cb && (!cb->ops || !cb->ops->add_ref || !cb->ops->release))
		return set_error(BGCOPY_E_INVALID_ARG,
				 "a notify interface needs add_ref and release");
	if (cb) {
		ni = xcalloc(1, sizeof(*ni));
		if (!ni)
			return BGCOPY_E_NOMEM;
		cb->ops->add_ref(cb);
		ni->cb = cb;
		ni->refs = 1;
	}
	pthread_mutex_lock(&job->engine->lock);
	mark = store_failures(job->engine);
	if (job->engine->opt.flags & BGCOPY_OPEN_READ_ONLY)
		status = set_error(BGCOPY_E_READ_ONLY, "the engine was opened "
				   "read-only: it delivers no notification");
	else if (job_is_final(job))
		status = set_error(BGCOPY_E_INVALID_STATE,
				   "job %s is %s; its notify interface cannot change",
				   job->id, bgcopy_state_name(job->state));
	else
		status = BGCOPY_OK;
	if (status) {
		pthread_mutex_unlock(&job->engine->lock);
		if (cb)
			cb->ops->release(cb);
		free(ni);
		return status;
	}
	old = job->iface;
	old_epoch = job->epoch++;
	if (ni)
		ni->epoch = job->epoch;
	job->iface = ni;
	TRACE(interface_set, TRACE_JOB(job), old_epoch, job->epoch, iface_id(ni));
	/* A new epoch: what is still owed starts over on the new interface,
	 * and an event that already happened is owed again. */
	if (job->ob_file.armed)
		arm_file_head(job);
	if (job->ob_modification.armed)
		arm(job, &job->ob_modification, BGCOPY_TP_KIND_JOB_MODIFICATION, -1);
	if (ni)
		arm_for_new_interface(job);
	store_save_job(job);	/* epochs only grow, across restarts too */
	status = store_check(job->engine, mark, BGCOPY_OK);
	if (old)
		notify_iface_put_locked(job, old, &release);
	pthread_mutex_unlock(&job->engine->lock);
	if (release)
		release->ops->release(release);
	return status;
}

/* Releases that became due with the lock held (a job turning final) wait
 * here for the first thread that can make them safely. */
void defer_release(bgcopy_engine *engine, struct bgcopy_callback *cb)
{
	struct deferred_release *r = xcalloc(1, sizeof(*r));

	if (!r)
		return;		/* a leaked reference beats a call under the lock */
	r->cb = cb;
	r->next = engine->deferred;
	engine->deferred = r;
	pthread_cond_broadcast(&engine->dispatch_cond);
}

void notify_flush_releases(bgcopy_engine *engine)
{
	struct deferred_release *r, *next;

	pthread_mutex_lock(&engine->lock);
	r = engine->deferred;
	engine->deferred = NULL;
	pthread_mutex_unlock(&engine->lock);
	for (; r; r = next) {
		next = r->next;
		r->cb->ops->release(r->cb);
		free(r);
	}
}

void join_argv(char *const *argv, char *out, size_t size)
{
	size_t len = 0;

	if (size)
		out[0] = '\0';
	for (; argv && *argv && len + 1 < size; argv++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len ? " " : "", *argv);
}

void argv_free(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

static char **argv_dup(const char *const *argv)
{
	size_t n = 0;
	char **copy;

	while (argv[n])
		n++;
	copy = xcalloc(n + 1, sizeof(*copy));
	for (size_t i = 0; copy && i < n; i++) {
		if (!(copy[i] = xstrdup(argv[i]))) {
			argv_free(copy);
			return NULL;
		}
	}
	return copy;
}

int bgcopy_job_set_notify_cmdline(bgcopy_job *job, const char *const *argv)
{
	char **copy = NULL;
	char shown[1024];
	unsigned mark;
	int status;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (argv && argv[0]) {
		if (!*argv[0])
			return set_error(BGCOPY_E_INVALID_ARG,
					 "notify command line has an empty program");
		if (!(copy = argv_dup(argv)))
			return BGCOPY_E_NOMEM;
	}
	pthread_mutex_lock(&job->engine->lock);
	mark = store_failures(job->engine);
	if (job_is_final(job) || (job->engine->opt.flags & BGCOPY_OPEN_READ_ONLY)) {
		status = set_error(job_is_final(job) ? BGCOPY_E_INVALID_STATE :
				       BGCOPY_E_READ_ONLY,
				       "job %s cannot change its command line",
				       job->id);

		pthread_mutex_unlock(&job->engine->lock);
		argv_free(copy);
		return status;
	}
	argv_free(job->cmdline);
	job->cmdline = copy;
	if (!copy) {
		/* With no command line left to take them, notifications a
		 * callback once failed go back to the interface. */
		job->ob_transferred.via_cmdline = false;
		job->ob_error.via_cmdline = false;
	}
	join_argv(copy, shown, sizeof(shown));
	job_property_changed(job, BGCOPY_TP_PROP_NOTIFY_CMDLINE, shown);
	wake_dispatchers(job->engine);
	status = store_check(job->engine, mark, BGCOPY_OK);
	pthread_mutex_unlock(&job->engine->lock);
	return status;
}

void bgcopy_job_get_notify_cmdline(bgcopy_job *job, char *out, size_t size)
{
	pthread_mutex_lock(&job->engine->lock);
	join_argv(job->cmdline, out, size);
	pthread_mutex_unlock(&job->engine->lock);
}

uint32_t bgcopy_job_get_pending_notifications(bgcopy_job *job)
{
	uint32_t pending = 0;

	pthread_mutex_lock(&job->engine->lock);
	if (job->ob_transferred.armed)
		pending |= BGCOPY_NOTIFY_JOB_TRANSFERRED;
	if (job->ob_error.armed)
		pending |= BGCOPY_NOTIFY_JOB_ERROR;
	if (job->ob_modification.armed)
		pending |= BGCOPY_NOTIFY_JOB_MODIFICATION;
	if (job->file_queue_len)
		pending |= BGCOPY_NOTIFY_FILE_TRANSFERRED;
	pthread_mutex_unlock(&job->engine->lock);
	return pending;
}
