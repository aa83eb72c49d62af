/* The one entry guard of every public verb: the lock, the read-only and final-state rules, the store-failure mark. */
#include "client/client.h"
#include "internal.h"

static int check_writable(bgcopy_engine *engine, const bgcopy_job *job)
{
	if (!(engine->opt.flags & BGCOPY_OPEN_READ_ONLY))
		return BGCOPY_OK;
	if (!job)
		return set_error(BGCOPY_E_READ_ONLY, "the engine was opened "
				 "read-only; no job can be created");
	return set_error(BGCOPY_E_READ_ONLY, "the engine was opened read-only; "
			 "job %s cannot change", job->id);
}

static void lock_for(bgcopy_engine *engine, enum api_rule rule)
{
	assert(!engine_locked(engine));
	engine_lock(engine);
	/* Writes that fail from here on are this call's to report: it keeps
	 * the lock until api_leave(), so no other thread writes meanwhile. */
	if (rule == API_CHANGE)
		engine->call_mark = store_failures(engine);
}

int api_enter_engine(bgcopy_engine *engine, enum api_rule rule)
{
	lock_for(engine, rule);
	return rule == API_CHANGE ? check_writable(engine, NULL) : BGCOPY_OK;
}

int api_enter(bgcopy_job *job, enum api_rule rule)
{
	int status;

	assert(job);
	lock_for(job->engine, rule);
	/* A client engine's job is a mirror: a reader sees the daemon's
	 * values.  Changes never get here (CLIENT_DISPATCH). */
	if (job->engine->client) {
		assert(rule != API_CHANGE);
		status = client_mirror_read(job, rule);
		if (status)
			return status;
	}
	if (rule != API_CHANGE)
		return BGCOPY_OK;
	status = check_writable(job->engine, job);
	if (!status && job_is_final(job))
		status = set_error(BGCOPY_E_INVALID_STATE,
				   "job %s is %s; a final job cannot change",
				   job->id, bgcopy_state_name(job->state));
	return status;
}

/* A reader makes no write, and one that waits (bgcopy_engine_wait_idle)
 * lets other threads write meanwhile: their failures are not its own. */
void api_leave_read(bgcopy_engine *engine)
{
	engine_unlock(engine);
}

int api_leave(bgcopy_engine *engine, int status)
{
	status = store_check(engine, engine->call_mark, status);
	engine_unlock(engine);
	return status;
}
