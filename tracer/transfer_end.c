/* The engine's list of transfers, and transfers that end: let go by their job (suspend, cancel, a failure), held while their temporary file is made, reaped by the worker. */
#include <stdlib.h>
#include <unistd.h>

#include "transfer.h"

/* The transfer no longer holds its file (lock held): the worker reaps
 * it, or finishes with it, as the job's no more. */
void let_go(bgcopy_job *job, struct transfer *x)
{
	assert(x->job == job && job->xfers > 0 && job->files[x->index].in_flight);
	job->files[x->index].in_flight = false;
	job->xfers--;
	job->xfers_syncing -= x->syncing;
	job->files[x->index].syncing = false;
	x->job = NULL;
	jobq_mark(job);
}

/* A transfer let go while its temporary file is being made, or was
 * made, off the lock (flush_abandon): the file stays in flight until the
 * transfer is taken back, so that no other transfer of it makes one at
 * the same name meanwhile, nor has its own removed by this one's maker. */
static void hold_file(bgcopy_job *job, struct transfer *x)
{
	assert(engine_locked(job->engine) && !x->pinned);
	job->files[x->index].in_flight = true;
	job_pin(job);
	x->pinned = job;
}

void transfer_abort_job(bgcopy_job *job)
{
	assert(engine_locked(job->engine));
	if (!job->xfers)
		return;
	for (struct transfer *x = job->engine->transfers; x; x = x->next) {
		bool held;

		if (x->job != job)
			continue;
		/* What reached the disk survives a suspend and a restart. */
		store_save_file(job, x->index);
		held = flush_abandon(&x->flush);
		let_go(job, x);
		if (held)
			hold_file(job, x);
	}
	assert(job->xfers == 0);
	wake_worker(job->engine);
}

void transfer_link(bgcopy_engine *engine, struct transfer *x)
{
	assert(engine_locked(engine));
	x->next = engine->transfers;
	x->prev_next = &engine->transfers;
	if (x->next)
		x->next->prev_next = &x->next;
	engine->transfers = x;
}

/* Its handle and file closed, its memory freed. */
void unlink_transfer(bgcopy_engine *engine, struct transfer *x)
{
	assert(*x->prev_next == x);
	*x->prev_next = x->next;
	if (x->next)
		x->next->prev_next = x->prev_next;
	curl_multi_remove_handle(engine->multi, x->easy);
	curl_easy_cleanup(x->easy);
	transfer_free_options(x);
	wbuf_release(&x->wbuf);
	if (x->fd >= 0)
		close(x->fd);
	free(x->flush.create_path);
	if (x->pinned) {
		x->pinned->files[x->index].in_flight = false;
		jobq_mark(x->pinned);
		job_unpin(x->pinned);
	}
	engine->active--;
	engine->syncing -= x->syncing;
	free(x);
}

/* The transfers let go that no flush or earlier file holds. */
void reap_abandoned(bgcopy_engine *engine)
{
	struct transfer *x = engine->transfers, *next;

	for (; x; x = next) {
		next = x->next;
		if (!x->job && !x->flushing && !x->held)
			unlink_transfer(engine, x);
	}
}
