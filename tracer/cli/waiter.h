/* The notify interface the bgcopy command waits on (waiter.c). */
#ifndef BGCOPY_CLI_WAITER_H
#define BGCOPY_CLI_WAITER_H

#include <pthread.h>
#include <stdbool.h>

#include "bgcopy.h"

/* What a waiter's notifications ring: its own, or one that the waiters
 * of several jobs share, so that a wait on one of them wakes when any
 * is notified (bgcopy download commits each job as it comes). */
struct waiter_bell {
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

struct waiter {
	struct bgcopy_callback base;
	struct waiter_bell *bell;	/* &own, or a shared one */
	struct waiter_bell own;
	int refs;			/* bell->lock, as the fields below */
	bool transferred, errored;
	struct bgcopy_error error;
};

enum outcome { OUTCOME_TRANSFERRED, OUTCOME_ERROR, OUTCOME_STOPPED };

void waiter_bell_init(struct waiter_bell *bell);
void waiter_bell_destroy(struct waiter_bell *bell);
/* `shared`: a bell that outlives the waiter; NULL: its own. */
void waiter_init(struct waiter *w, struct waiter_bell *shared);
/* Waits until the engine holds no reference on it. */
void waiter_destroy(struct waiter *w);
/* What came so far, without waiting: JobTransferred, JobError, or
 * neither (OUTCOME_STOPPED). */
enum outcome waiter_outcome(const struct waiter *w);
/* Waits for JobTransferred or JobError (or, with `by_state`, for the
 * states themselves).  `tick` runs about five times a second, and at
 * each ring of a shared bell, without the lock; when it returns false
 * the wait stops. */
enum outcome waiter_wait(struct waiter *w, bgcopy_job *job, bool by_state,
			 bool (*tick)(void *arg), void *arg);

#endif
