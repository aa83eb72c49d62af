/* sync.c: the engine lock, who goes first, and the wake-ups of the engine's threads; not installed. */
#ifndef BGCOPY_SYNC_H
#define BGCOPY_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bgcopy.h"

void engine_lock(bgcopy_engine *engine);
void engine_unlock(bgcopy_engine *engine);
bool engine_locked(const bgcopy_engine *engine);
/* Whether another thread waits for the lock, or was woken to take it. */
bool engine_lock_wanted(bgcopy_engine *engine);
/* pthread_cond_timedwait on the engine lock until `at_ms` (CLOCK_MONOTONIC). */
void engine_wait(bgcopy_engine *engine, pthread_cond_t *cond, int64_t at_ms);
void wake_worker(bgcopy_engine *engine);	/* go round again (worker_again) */
void worker_thread_begin(bgcopy_engine *engine);	/* on the worker */
bool worker_again(bgcopy_engine *engine);	/* and forgets it */
void wake_dispatchers(bgcopy_engine *engine);
void dispatcher_wait(bgcopy_engine *engine, int64_t at_ms);	/* on a dispatcher */
void wake_waiters(bgcopy_engine *engine);

#endif
