/* Arming and voiding notifications (docs/CONTRACT.md sections 3 to 5): what a job is owed. */
#include <stdlib.h>

#include "internal.h"
#include "trace.h"

/*
 * Each job holds one obligation per kind (FileTransferred for the head of
 * its queue of completed files).  An obligation is armed by a state, flag,
 * interface or file event and discharged when a delivery in the same epoch
 * succeeds (notify_deliver.c).  Every function here runs with the lock held.
 */

bool flags_allow(uint32_t flags, uint32_t flag)
{
	return !(flags & BGCOPY_NOTIFY_DISABLE) && (flags & flag);
}

static void arm(bgcopy_job *job, struct obligation *ob, int kind, int file_index)
{
	assert(engine_locked(job->engine));
	assert(!job_is_final(job));
	*ob = (struct obligation){ .armed = true, .armed_ms = now_ms(),
				   .arming = ++job->armings };
	TRACE(notify_armed, TRACE_JOB(job),
	      (&(struct bgcopy_tp_notification){
		      .kind = kind, .epoch = job->epoch, .file_index = file_index,
		      .arming = ob->arming }));
	jobq_mark(job);
	wake_dispatchers(job->engine);
}

void notify_arm_file_head(bgcopy_job *job)
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

	assert(engine_locked(job->engine));
	if (!flags_allow(job->notify_flags, BGCOPY_NOTIFY_JOB_MODIFICATION))
		return;
	if (ob->armed) {
		TRACE(notify_coalesced, TRACE_JOB(job),
		      (&(struct bgcopy_tp_notification){
			      .kind = BGCOPY_TP_KIND_JOB_MODIFICATION,
			      .epoch = job->epoch, .file_index = -1,
			      .arming = ob->arming }));
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

/* A new epoch (an interface set or cleared): what is still owed starts
 * over, and with an interface an event that already happened is owed
 * again, delivered or not: registering after the event still delivers it. */
void notify_on_new_epoch(bgcopy_job *job)
{
	struct obligation *ob;
	int kind;

	if (job->ob_file.armed)
		notify_arm_file_head(job);
	if (job->ob_modification.armed)
		arm(job, &job->ob_modification, BGCOPY_TP_KIND_JOB_MODIFICATION, -1);
	if (job->iface && (ob = state_obligation(job, job->notify_flags, &kind)))
		arm(job, ob, kind, -1);
}

/* New flags void what they no longer allow, and arm the state's
 * notification only when they newly allow it: one already delivered in
 * this epoch stays delivered. */
void notify_on_flags(bgcopy_job *job, uint32_t old_flags)
{
	uint32_t flags = job->notify_flags;
	struct obligation *ob;
	int kind, old_kind;

	if (!flags_allow(flags, BGCOPY_NOTIFY_JOB_TRANSFERRED))
		job->ob_transferred.armed = false;
	if (!flags_allow(flags, BGCOPY_NOTIFY_JOB_ERROR))
		job->ob_error.armed = false;
	if (!flags_allow(flags, BGCOPY_NOTIFY_JOB_MODIFICATION))
		job->ob_modification.armed = false;
	if (!flags_allow(flags, BGCOPY_NOTIFY_FILE_TRANSFERRED))
		void_files(job);
	ob = state_obligation(job, flags, &kind);
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
		notify_arm_file_head(job);
}

/* A final job owes nothing and holds on to no interface: the engine's
 * registration is dropped (released once no call is running). */
static void notify_job_final(bgcopy_job *job)
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

	assert(engine_locked(job->engine));
	assert(job->state == to);
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

bool notify_on_file_completed(bgcopy_job *job, unsigned index)
{
	assert(engine_locked(job->engine));
	assert(index < job->nfiles && job->files[index].completed);
	if (!flags_allow(job->notify_flags, BGCOPY_NOTIFY_FILE_TRANSFERRED))
		return false;
	/* Never more entries than the job has files, which have room. */
	assert(job->file_queue && job->file_queue_len < job->nfiles);
	job->file_queue[job->file_queue_len++] = index;
	if (job->file_queue_len == 1)
		notify_arm_file_head(job);
	return true;
}
