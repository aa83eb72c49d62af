/* The daemon benchmark's arming clock: when each job entered TRANSFERRED, as the engine's change hook saw it. */
#ifndef BENCH_ARMING_H
#define BENCH_ARMING_H

#include "bgcopy.h"

/* The environment variable naming the log: one "ID NANOSECONDS" line per
 * job entering TRANSFERRED, CLOCK_MONOTONIC, appended by whichever
 * process runs the engine (the driver, or bgcopyd with the preload). */
#define ARMING_LOG_ENV "BENCH_ARMING_LOG"

/* A bgcopy_change_hook: quick, no libbgcopy call but the lock-free id. */
void arming_hook(bgcopy_job *job, unsigned what, enum bgcopy_state state, void *data);

#endif /* BENCH_ARMING_H */
