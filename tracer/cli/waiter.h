/* The notify interface the bgcopy command waits on (waiter.c). */
#ifndef BGCOPY_CLI_WAITER_H
#define BGCOPY_CLI_WAITER_H

#include <pthread.h>
#include <stdbool.h>

#include "bgcopy.h"

struct waiter {
	struct bgcopy_callback base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	bool transferred, errored;
	struct bgcopy_error error;
};

enum outcome { OUTCOME_TRANSFERRED, OUTCOME_ERROR, OUTCOME_STOPPED };

void waiter_init(struct waiter *w);
/* Waits until the engine holds no reference on it. */
void waiter_destroy(struct waiter *w);
/* JobError came (no waiting). */
bool waiter_failed(struct waiter *w);
/* Waits for JobTransferred or JobError (or, with `by_state`, for the
 * states themselves).  `tick` runs about five times a second without
 * the lock; when it returns false the wait stops. */
enum outcome waiter_wait(struct waiter *w, bgcopy_job *job, bool by_state,
			 bool (*tick)(void *arg), void *arg);

#endif
