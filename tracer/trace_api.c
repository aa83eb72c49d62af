/* Tracing on a service's side: a traced client's requests, and the provider loaded for it. */
#include "internal.h"
#include "trace.h"

int bgcopy_engine_trace_for(bgcopy_engine *engine, long pid, uint32_t uid,
			    int *recording)
{
	int status;

	if (!engine || !recording)
		return set_error(BGCOPY_E_INVALID_ARG, "engine or recording is NULL");
	*recording = 0;
	status = trace_load_now();
	if (status)
		return status;
	/* Events emitted before a session records them are lost. */
	if (!trace_recording())
		return BGCOPY_OK;
	*recording = 1;
	/* The request first: it tells a check that the engine_open after
	 * it is of an engine serving the run (analysis/filter.c). */
	trace_peer_request(engine, NULL, pid, uid, "EnableTracing");
	trace_engine_open(engine);
	return BGCOPY_OK;
}

void bgcopy_engine_trace_request(bgcopy_engine *engine, bgcopy_job *job, long pid,
				 uint32_t uid, const char *verb)
{
	assert(engine && verb);
	assert(!job || job->engine == engine);
	trace_peer_request(engine, job, pid, uid, verb);
}
