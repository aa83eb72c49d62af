/*
 * Emitting trace events from the engine.  `tp` is NULL unless the
 * provider was loaded, so an untraced engine pays one predictable branch
 * per event and maps no LTTng library.
 */
#ifndef BGCOPY_TRACE_H
#define BGCOPY_TRACE_H

#include <sys/types.h>

#include "tp/bgcopy_tp_abi.h"

extern const struct bgcopy_tp_hooks *bgcopy_tp;

/* True when the provider is loaded and a session enabled `event`. */
#define TRACE_ENABLED(event)						\
	(__builtin_expect(bgcopy_tp != NULL, 0) &&			\
	 __builtin_expect(__atomic_load_n(bgcopy_tp->enabled[BGCOPY_TP_EV_##event], \
					  __ATOMIC_RELAXED), 0))

#define TRACE(event, ...)						\
	do {								\
		if (TRACE_ENABLED(event))				\
			bgcopy_tp->event(__VA_ARGS__);			\
	} while (0)

/* The job fields every job event starts with; bumps the job's sequence. */
#define TRACE_JOB(job_)							\
	(&(struct bgcopy_tp_job){ .engine = (job_)->engine->trace_id,	\
				  .job = (job_)->id,			\
				  .seq = ++(job_)->seq })

void trace_load(void);
uint64_t trace_process_start(pid_t pid);
void trace_job_event(struct bgcopy_job *job, enum bgcopy_tp_event event);

#endif /* BGCOPY_TRACE_H */
