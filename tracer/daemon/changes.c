/* bgcopyd: the changes libbgcopy's threads report through the change hook, queued for the event loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon.h"

/* Past this many changes waiting, the loop compares every job instead
 * (a loop that fell behind must not make the engine's threads allocate
 * without bound). */
#define CHANGES_MAX 4096

struct job_change;

/* Appends, or merges into the last change when it is the same job's
 * and this one enters no state: each state is kept, progress is not.
 * False when the queue is full.  changes_lock held. */
static bool append(struct daemon *d, bgcopy_job *job, unsigned what, enum bgcopy_state state)
{
	struct job_change *last = d->nchanges ? &d->changes[d->nchanges - 1] : NULL, *grown;
	size_t cap;

	if (last && last->job == job && !(what & BGCOPY_CHANGE_STATE)) {
		last->what |= what;
		return true;
	}
	if (d->nchanges == d->changes_cap) {
		cap = d->changes_cap ? 2 * d->changes_cap : 64;
		if (cap > CHANGES_MAX)
			return false;
		grown = realloc(d->changes, cap * sizeof(*grown));
		if (!grown)
			return false;
		d->changes = grown;
		d->changes_cap = cap;
	}
	d->changes[d->nchanges++] = (struct job_change){ .job = job, .what = what,
							 .state = state };
	return true;
}

/* The change hook: any thread, the engine's lock held.  Never sd-bus
 * here: the loop alone owns the connections; the eventfd wakes it. */
static void on_change(bgcopy_job *job, unsigned what, enum bgcopy_state state, void *data)
{
	changes_report(data, job, what, state);
}

void changes_report(struct daemon *d, bgcopy_job *job, unsigned what, enum bgcopy_state state)
{
	static const uint64_t one = 1;
	bool wake;

	pthread_mutex_lock(&d->changes_lock);
	wake = d->nchanges == 0 && !d->changes_overflow;
	if (!append(d, job, what, state))
		d->changes_overflow = true;
	pthread_mutex_unlock(&d->changes_lock);
	/* The counter only grows: a failed write means it is already set. */
	if (wake && write(d->changes_fd, &one, sizeof(one)) < 0)
		return;
}

int changes_open(struct daemon *d)
{
	d->changes_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->changes_fd < 0)
		return -errno;
	if (bgcopy_engine_set_change_hook(d->engine, on_change, d) != BGCOPY_OK)
		return -EINVAL;
	return 0;
}

/* Resets the eventfd, so that it wakes the loop for later changes only. */
void changes_ack(struct daemon *d)
{
	uint64_t count;

	if (read(d->changes_fd, &count, sizeof(count)) < 0)
		return;	/* EAGAIN: nothing was counted */
}

bool changes_waiting(struct daemon *d)
{
	bool waiting;

	pthread_mutex_lock(&d->changes_lock);
	waiting = d->nchanges > 0 || d->changes_overflow;
	pthread_mutex_unlock(&d->changes_lock);
	return waiting;
}

/* Hands the queued changes over (the caller frees *out); *overflow when
 * some were dropped and every job must be compared. */
size_t changes_take(struct daemon *d, struct job_change **out, bool *overflow)
{
	size_t n;

	pthread_mutex_lock(&d->changes_lock);
	*out = d->changes;
	n = d->nchanges;
	*overflow = d->changes_overflow;
	d->changes = NULL;
	d->nchanges = d->changes_cap = 0;
	d->changes_overflow = false;
	pthread_mutex_unlock(&d->changes_lock);
	return n;
}

/* The engine let go of the job: no change of it may reach the loop.
 * None comes after the engine's bgcopy_engine_forget_job. */
void changes_forget(struct daemon *d, bgcopy_job *job)
{
	size_t k = 0;

	pthread_mutex_lock(&d->changes_lock);
	for (size_t i = 0; i < d->nchanges; i++)
		if (d->changes[i].job != job)
			d->changes[k++] = d->changes[i];
	d->nchanges = k;
	pthread_mutex_unlock(&d->changes_lock);
}

/* The hook is gone before the queue: once bgcopy_engine_set_change_hook
 * returns, no engine thread is inside on_change. */
void changes_close(struct daemon *d)
{
	if (d->engine)
		bgcopy_engine_set_change_hook(d->engine, NULL, NULL);
	if (d->changes_fd >= 0)
		close(d->changes_fd);
	d->changes_fd = -1;
	free(d->changes);
	d->changes = NULL;
	d->nchanges = d->changes_cap = 0;
}
