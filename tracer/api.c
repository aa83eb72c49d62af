/* The one entry guard of every public verb: the lock, the read-only and final-state rules, the store-failure mark. */
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

int api_enter_engine(bgcopy_engine *engine, enum api_rule rule)
{
	assert(!engine_locked(engine));
	engine_lock(engine);
	/* Writes that fail from here on are this call's to report. */
	engine->call_mark = store_failures(engine);
	return rule == API_CHANGE ? check_writable(engine, NULL) : BGCOPY_OK;
}

int api_enter(bgcopy_job *job, enum api_rule rule)
{
	int status;

	assert(job);
	api_enter_engine(job->engine, API_READ);
	if (rule == API_READ)
		return BGCOPY_OK;
	status = check_writable(job->engine, job);
	if (!status && job_is_final(job))
		status = set_error(BGCOPY_E_INVALID_STATE,
				   "job %s is %s; a final job cannot change",
				   job->id, bgcopy_state_name(job->state));
	return status;
}

int api_leave(bgcopy_engine *engine, int status)
{
	status = store_check(engine, engine->call_mark, status);
	engine_unlock(engine);
	return status;
}
