/* Restoring a store's jobs into an engine: what each is owed after a restart, and which have expired. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "trace.h"

static int64_t inactivity_s(const bgcopy_engine *engine)
{
	return engine->opt.inactivity_timeout_s ?
	       (int64_t)engine->opt.inactivity_timeout_s :
	       BGCOPY_DEFAULT_INACTIVITY_S;
}

/* A restored job's clocks start now: the last process's are gone. */
static void restart_clocks(bgcopy_job *job)
{
	job->last_progress_ms = now_ms();
	if (job->state == BGCOPY_TRANSIENT_ERROR)
		job->retry_at_ms = now_ms() + (int64_t)job->min_retry_ms + 1;
}

/* The stored modification time comes from a file: a value far in the
 * past or future must not overflow the subtraction. */
static bool expired(const bgcopy_engine *engine, const bgcopy_job *job)
{
	int64_t idle;

	if (__builtin_sub_overflow(now_wall_s(), job->mtime, &idle))
		return job->mtime < 0;
	return idle > inactivity_s(engine);
}

static void restore_policy(bgcopy_engine *engine, bgcopy_job *job)
{
	/* BITS: abandoned jobs expire.  Judged on the stored modification
	 * time, before anything below touches the job. */
	if (expired(engine, job)) {
		job_cancel_now(job);
		return;
	}
	/* A transfer cut off by the end of the last process is queued
	 * again; it resumes its temporary file with Range. */
	if (job->state == BGCOPY_CONNECTING || job->state == BGCOPY_TRANSFERRING)
		job_set_state(job, BGCOPY_QUEUED, BGCOPY_TP_CAUSE_RESTORED);
	notify_on_restore(job);
}

/* The engine-wide bandwidth cap and schedule last set (store_settings.c).
 * A value that does not parse is left out: the store is not trusted to
 * hold only what the engine wrote. */
static void restore_settings(bgcopy_engine *engine)
{
	char *cap = store_load_setting(engine, SETTING_MAX_BANDWIDTH);
	char *schedule = store_load_setting(engine, SETTING_BANDWIDTH_SCHEDULE);
	struct bandwidth_schedule parsed;
	char *end;

	if (cap) {
		unsigned long long bps = strtoull(cap, &end, 10);

		if (end != cap && !*end)
			engine->max_bandwidth = bps;
	}
	if (schedule && schedule_parse(schedule, &parsed) == BGCOPY_OK)
		engine->schedule = parsed;
	free(cap);
	free(schedule);
}

/* The layout recorded in the engine's store, recorded there by the first
 * open that asks for the per-owner one (BGCOPY_OPEN_PER_OWNER). */
static int restore_layout(bgcopy_engine *engine)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	bool asked = engine->opt.flags & BGCOPY_OPEN_PER_OWNER;
	char *layout = store_load_setting(engine, SETTING_LAYOUT);
	int status = BGCOPY_OK;

	if (layout && strcmp(layout, LAYOUT_PER_OWNER))
		status = set_error(BGCOPY_E_STORE, "store '%s' has the layout '%s', "
				   "which this bgcopy does not know", engine->store_dir,
				   layout);
	else if (!layout && asked && !read_only)
		status = store_save_setting(engine, SETTING_LAYOUT, LAYOUT_PER_OWNER);
	if (!status && (layout || asked))
		status = store_open_owners(engine);
	free(layout);
	return status;
}

int restore_jobs(bgcopy_engine *engine, uint32_t schema)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	bgcopy_job *job, *next;
	uint32_t restored = 0;
	int status;
	bool claimed = true;

	status = restore_layout(engine);
	if (!status)
		status = store_load_jobs(engine, &job);
	if (status)
		return status;
	engine_lock(engine);
	restore_settings(engine);
	for (; job; job = next) {
		next = job->next;
		engine_link_job(engine, job);
		for (unsigned i = 0; i < job->nfiles; i++)
			claimed = !job_claim_destination(job, i) && claimed;
		restart_clocks(job);
		trace_job_event(job, BGCOPY_TP_EV_job_restored);
		restored++;
		/* An inspecting engine shows the jobs as stored and owes
		 * nothing. */
		if (!read_only)
			restore_policy(engine, job);
	}
	if (!read_only)
		store_remove_orphan_temps(engine);
	TRACE(store_open, engine->trace_id, engine->store_dir, schema, restored);
	engine_unlock(engine);
	return claimed ? BGCOPY_OK : set_error(BGCOPY_E_NOMEM, "out of memory");
}
