/*
 * Emitting trace events from the engine.  `tp` is NULL unless the
 * provider was loaded, so an untraced engine pays one predictable branch
 * per event and maps no LTTng library.
 */
#ifndef BGCOPY_TRACE_H
#define BGCOPY_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bgcopy.h"
#include "tp/bgcopy_tp_abi.h"

extern const struct bgcopy_tp_hooks *bgcopy_tp;

/* The hook table, NULL until loaded; bgcopyd may load it while the
 * engine's threads run (trace_load_now). */
#define TRACE_HOOKS() __atomic_load_n(&bgcopy_tp, __ATOMIC_ACQUIRE)

/* True when the provider is loaded and a session enabled `event`. */
#define TRACE_ENABLED(event)						\
	(__builtin_expect(TRACE_HOOKS() != NULL, 0) &&			\
	 __builtin_expect(__atomic_load_n(TRACE_HOOKS()->enabled[BGCOPY_TP_EV_##event], \
					  __ATOMIC_RELAXED), 0))

#define TRACE(event, ...)						\
	do {								\
		if (TRACE_ENABLED(event))				\
			TRACE_HOOKS()->event(__VA_ARGS__);		\
	} while (0)

/* The job fields every job event starts with; bumps the job's sequence. */
#define TRACE_JOB(job_)							\
	(&(struct bgcopy_tp_job){ .engine = (job_)->engine->trace_id,	\
				  .job = (job_)->id,			\
				  .seq = ++(job_)->seq })

/* Loads the provider if BGCOPY_TRACE asks for it (once per process). */
void trace_load(void);
/* Begins that load on a thread of its own, to overlap LTTng-UST's
 * registration with the session daemon (8 to 11 ms measured) with the
 * caller's work; the caller's trace_load() waits for it, and must come
 * before the caller's first event or look at the provider. */
void trace_load_start(void);
/* Loads it now, whatever BGCOPY_TRACE says (bgcopyd, for a traced
 * client): BGCOPY_OK, or BGCOPY_E_IO with the error set. */
int trace_load_now(void);
bool trace_loaded(void);
/* Whether an active session records some of the provider's events now. */
bool trace_recording(void);
/* engine_open, at the open and again for a session that began later. */
void trace_engine_open(bgcopy_engine *engine);
/* peer_request: process pid (uid) asked for verb on job (NULL: on no
 * job yet); its UTS namespace is read from /proc. */
void trace_peer_request(bgcopy_engine *engine, bgcopy_job *job, long pid,
			uint32_t uid, const char *verb);
uint64_t trace_process_start(pid_t pid);
/* A random id, never 0, for an engine or a receiver in the trace. */
uint64_t trace_new_id(void);
/* The trace's kind (BGCOPY_TP_KIND_*) of an org.bgcopy1.Callback method;
 * -1 for another name. */
int trace_callback_kind(const char *member);
void trace_job_event(struct bgcopy_job *job, enum bgcopy_tp_event event);

#endif /* BGCOPY_TRACE_H */
