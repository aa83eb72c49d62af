/* bgcopyd: a final job is let go of a while after every peer was told its state, so that the daemon's memory follows its live jobs, not its history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

/*
 * An embedded engine keeps a final job's handle until it closes; a
 * daemon that runs for weeks must not.  job_watch.c queues a job in
 * d->finals, oldest first, once its ACKNOWLEDGED or CANCELLED went out.
 * KEEP_FINAL_USEC later (a client that completes a job may still read it
 * back) this timer, run by the loop between two events, so with no
 * method holding the job on the stack (nor one on offload.c's threads:
 * offload_holds), has the engine forget it, then
 * drops whatever here named it.  A call on its object then finds no
 * job, as after a restart.  BGCOPYD_KEEP_FINAL_MS shortens the wait for
 * tests.
 */
#define KEEP_FINAL_USEC (60 * 1000000ull)

static void let_go(struct daemon *d, bgcopy_job *job)
{
	char id[37];

	if (bgcopy_engine_forget_job(d->engine, job) != BGCOPY_OK) {
		bgcopy_job_get_id(job, id);	/* kept: still the engine's */
		fprintf(stderr, "bgcopyd: job %s is kept: %s\n", id, bgcopy_last_error());
		return;
	}
	/* No change of it is reported after the forget: the queued ones go. */
	changes_forget(d, job);
	bus_callback_forget_job(d, job);
	job_watch_remove(d, job);
}

/* A job a call still holds (offload.c: a Complete that hangs in a rename
 * after a Cancel ended the job) waits its time again, last in line. */
static int on_forget(sd_event_source *s, uint64_t now, void *userdata)
{
	struct daemon *d = userdata;
	size_t n = 0, kept = 0;

	(void)s;
	while (n < d->nfinals && d->finals[n].at_usec + d->keep_final_usec <= now) {
		if (offload_holds(d, d->finals[n].job))
			d->finals[kept++] = (struct final_job){ d->finals[n].job, now };
		else
			let_go(d, d->finals[n].job);
		n++;
	}
	/* Those not yet due first, then the kept ones (the oldest first). */
	memmove(d->finals + kept, d->finals + n, (d->nfinals - n) * sizeof(*d->finals));
	d->nfinals -= n - kept;
	for (size_t i = 0; i < kept; i++) {
		struct final_job k = d->finals[0];

		memmove(d->finals, d->finals + 1, (d->nfinals - 1) * sizeof(*d->finals));
		d->finals[d->nfinals - 1] = k;
	}
	job_watch_arm_forget(d);
	return 0;
}

int job_forget_start(struct daemon *d)
{
	const char *ms = getenv("BGCOPYD_KEEP_FINAL_MS");
	int r;

	d->keep_final_usec = ms ? strtoull(ms, NULL, 10) * 1000ull : KEEP_FINAL_USEC;
	r = sd_event_add_time(d->event, &d->forget_source, CLOCK_MONOTONIC, UINT64_MAX,
			      0, on_forget, d);
	if (r >= 0)
		r = sd_event_source_set_enabled(d->forget_source, SD_EVENT_OFF);
	return r;
}

void job_forget_free(struct daemon *d)
{
	d->forget_source = sd_event_source_disable_unref(d->forget_source);
	free(d->finals);
	d->finals = NULL;
	d->nfinals = d->finals_cap = 0;
}
