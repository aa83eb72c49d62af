/* The notify interface the bgcopy command waits on: JobTransferred, JobError, or a stop. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "waiter.h"

static struct waiter *waiter_of(struct bgcopy_callback *cb)
{
	return (struct waiter *)cb;
}

static void waiter_add_ref(struct bgcopy_callback *cb)
{
	struct waiter *w = waiter_of(cb);

	pthread_mutex_lock(&w->bell->lock);
	w->refs++;
	pthread_mutex_unlock(&w->bell->lock);
}

static void waiter_release(struct bgcopy_callback *cb)
{
	struct waiter *w = waiter_of(cb);

	pthread_mutex_lock(&w->bell->lock);
	w->refs--;
	pthread_cond_broadcast(&w->bell->cond);
	pthread_mutex_unlock(&w->bell->lock);
}

static void waiter_signal(struct waiter *w, bool transferred,
			  const struct bgcopy_error *err)
{
	pthread_mutex_lock(&w->bell->lock);
	if (transferred)
		w->transferred = true;
	else {
		w->errored = true;
		w->error = *err;
	}
	pthread_cond_broadcast(&w->bell->cond);
	pthread_mutex_unlock(&w->bell->lock);
}

static int waiter_transferred(struct bgcopy_callback *cb, bgcopy_job *job)
{
	(void)job;
	waiter_signal(waiter_of(cb), true, NULL);
	return 0;
}

static int waiter_error(struct bgcopy_callback *cb, bgcopy_job *job,
			const struct bgcopy_error *err)
{
	(void)job;
	waiter_signal(waiter_of(cb), false, err);
	return 0;
}

static const struct bgcopy_callback_ops waiter_ops = {
	.add_ref = waiter_add_ref,
	.release = waiter_release,
	.job_transferred = waiter_transferred,
	.job_error = waiter_error,
};

void waiter_bell_init(struct waiter_bell *bell)
{
	pthread_mutex_init(&bell->lock, NULL);
	pthread_cond_init(&bell->cond, NULL);
}

void waiter_bell_destroy(struct waiter_bell *bell)
{
	pthread_cond_destroy(&bell->cond);
	pthread_mutex_destroy(&bell->lock);
}

void waiter_init(struct waiter *w, struct waiter_bell *shared)
{
	memset(w, 0, sizeof(*w));
	w->base.ops = &waiter_ops;
	w->bell = shared ? shared : &w->own;
	if (!shared)
		waiter_bell_init(&w->own);
}

/* The engine may still be returning from a callback on another thread:
 * the object lives until the engine's last reference is gone. */
void waiter_destroy(struct waiter *w)
{
	pthread_mutex_lock(&w->bell->lock);
	while (w->refs > 0)
		pthread_cond_wait(&w->bell->cond, &w->bell->lock);
	pthread_mutex_unlock(&w->bell->lock);
	if (w->bell == &w->own)
		waiter_bell_destroy(&w->own);
}

/* w->bell->lock held. */
static enum outcome outcome_of(const struct waiter *w)
{
	if (w->transferred)
		return OUTCOME_TRANSFERRED;
	return w->errored ? OUTCOME_ERROR : OUTCOME_STOPPED;
}

enum outcome waiter_outcome(const struct waiter *w)
{
	enum outcome outcome;

	pthread_mutex_lock(&w->bell->lock);
	outcome = outcome_of(w);
	pthread_mutex_unlock(&w->bell->lock);
	return outcome;
}

/* A job's outcome seen in its state, for when the flags keep the
 * notification from coming.  w->bell->lock held. */
static void outcome_from_state(struct waiter *w, bgcopy_job *job)
{
	enum bgcopy_state state = bgcopy_job_get_state(job);

	if (state == BGCOPY_TRANSFERRED)
		w->transferred = true;
	if (state == BGCOPY_ERROR) {
		w->errored = true;
		bgcopy_job_get_error(job, &w->error);
	}
}

/* Another process (through bgcopyd) may cancel or complete the job we
 * wait for, or bgcopyd may die: no notification would ever come.
 * w->bell->lock held. */
static void outcome_from_final_state(struct waiter *w, bgcopy_job *job)
{
	enum bgcopy_state state = bgcopy_job_get_state(job);

	if ((int)state == BGCOPY_E_IO) {	/* bgcopyd is gone (bgcopy.h) */
		w->errored = true;
		snprintf(w->error.description, sizeof(w->error.description), "%s",
			 bgcopy_last_error());
		return;
	}
	if (state != BGCOPY_CANCELLED && state != BGCOPY_ACKNOWLEDGED)
		return;
	w->errored = true;
	snprintf(w->error.description, sizeof(w->error.description),
		 "the job was %s by another program", state == BGCOPY_CANCELLED ?
		 "cancelled" : "completed");
}

static void wait_a_tick(struct waiter *w)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&w->bell->cond, &w->bell->lock, &ts);
}

enum outcome waiter_wait(struct waiter *w, bgcopy_job *job, bool by_state,
			 bool (*tick)(void *arg), void *arg)
{
	enum outcome outcome;
	bool go_on = true;

	pthread_mutex_lock(&w->bell->lock);
	while (!w->transferred && !w->errored && go_on) {
		/* The engine never calls back with its lock held, so
		 * asking it with ours held cannot deadlock. */
		if (by_state)
			outcome_from_state(w, job);
		outcome_from_final_state(w, job);
		if (w->transferred || w->errored)
			break;
		wait_a_tick(w);
		pthread_mutex_unlock(&w->bell->lock);
		go_on = tick(arg);
		pthread_mutex_lock(&w->bell->lock);
	}
	outcome = outcome_of(w);
	pthread_mutex_unlock(&w->bell->lock);
	return outcome;
}
