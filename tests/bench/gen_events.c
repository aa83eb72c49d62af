/*
 * gen_events: a notification-heavy bgcopy trace, fast, through the real
 * provider's hook table (tests/tools/tpemit.h; only enabled events are
 * emitted, as the engine does).  Keeps LIVE jobs going round-robin; each
 * job has FILES files, each file PROGRESS progress events (every one arming
 * or coalescing JobModification), a JobModification callback every 4
 * progress events, a flag change now and then, FileTransferred per file,
 * then TRANSFERRED, JobTransferred, ACKNOWLEDGED.  The modification
 * interval is 0 and every callback returns 0 at once, so the trace obeys
 * the contract: bgcopy-analyze must say PASS.  Stops once at least EVENTS
 * events were emitted and every job it started has ended.
 *
 *   gen_events LIBBGCOPY-TP.SO EVENTS [LIVE [FILES [PROGRESS]]]
 *
 * Prints "events N jobs J".  Record with a blocking channel and
 * LTTNG_UST_ALLOW_BLOCKING=1 so nothing is lost.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/tools/tpemit.h"

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED
#define M BGCOPY_TP_KIND_JOB_MODIFICATION
#define F BGCOPY_TP_KIND_FILE_TRANSFERRED
#define FILE_BYTES (1u << 20)

struct gjob {
	struct tpe_job t;
	bool active, m_armed;
	unsigned step;			/* progress events done so far */
	int file;
};

static unsigned n_files = 4, n_progress = 64;
static unsigned long jobs_started;

static void modified(struct gjob *g)
{
	if (g->m_armed) {
		tpe_coalesced(&g->t);
	} else {
		g->m_armed = true;
		tpe_armed(&g->t, M, -1);
	}
}

static void deliver_m(struct gjob *g)
{
	if (!g->m_armed)
		return;
	g->m_armed = false;
	tpe_callback(&g->t, M, 1, -1, 0, 0);
}

static void start(struct gjob *g, struct tpe_engine *e)
{
	unsigned f;

	tpe_job_init(&g->t, e, (unsigned) ++jobs_started);
	g->active = true;
	g->m_armed = false;
	g->step = 0;
	g->file = 0;
	tpe_job_created(&g->t, "bench", 600000, 0);
	tpe_flags(&g->t, 0x1b);
	for (f = 0; f < n_files; f++) {
		tpe_file_added(&g->t, (int32_t) f);
		modified(g);
	}
	tpe_iface(&g->t, 0xbe00 + (jobs_started & 0xff));
	tpe_state(&g->t, BGCOPY_TP_SUSPENDED, BGCOPY_TP_QUEUED,
		  BGCOPY_TP_CAUSE_RESUME);
	modified(g);
	deliver_m(g);
	tpe_state(&g->t, BGCOPY_TP_QUEUED, BGCOPY_TP_CONNECTING,
		  BGCOPY_TP_CAUSE_SCHEDULED);
	modified(g);
	tpe_state(&g->t, BGCOPY_TP_CONNECTING, BGCOPY_TP_TRANSFERRING,
		  BGCOPY_TP_CAUSE_SERVER_ANSWERED);
	modified(g);
}

/* One step of one job: a progress event, and what follows from it. */
static void step(struct gjob *g)
{
	uint64_t done = (uint64_t) FILE_BYTES * (g->step + 1) / n_progress;

	tpe_progress(&g->t, g->file, done, FILE_BYTES);
	modified(g);
	if (++g->step % 4 == 0)
		deliver_m(g);
	if (g->step % 50 == 0)	/* still allows everything: arms nothing */
		tpe_flags(&g->t, 0x1b);
	if (g->step < n_progress)
		return;
	deliver_m(g);
	tpe_transfer(&g->t, g->file, FILE_BYTES);
	tpe_file_complete(&g->t, g->file, FILE_BYTES);
	tpe_armed(&g->t, F, g->file);
	tpe_callback(&g->t, F, 1, g->file, 0, 0);
	g->step = 0;
	if (++g->file < (int) n_files)
		return;
	tpe_state(&g->t, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED,
		  BGCOPY_TP_CAUSE_ALL_FILES_DONE);
	g->m_armed = false;
	tpe_armed(&g->t, T, -1);
	tpe_callback(&g->t, T, 1, -1, 0, 0);
	tpe_state(&g->t, BGCOPY_TP_TRANSFERRED, BGCOPY_TP_ACKNOWLEDGED,
		  BGCOPY_TP_CAUSE_COMPLETE);
	tpe_release(&g->t, g->t.iface, g->t.epoch);
	g->active = false;
}

static uint64_t seq_total(const struct gjob *jobs, unsigned n,
			  uint64_t ended)
{
	uint64_t sum = ended;
	unsigned i;

	for (i = 0; i < n; i++)
		sum += jobs[i].t.seq;
	return sum;
}

int main(int argc, char **argv)
{
	struct tpe_engine e;
	struct gjob *jobs;
	unsigned live = 64, i, active;
	uint64_t target, ended = 0;

	if (argc < 3 || argc > 6) {
		fprintf(stderr, "usage: gen_events LIBBGCOPY-TP.SO EVENTS "
			"[LIVE [FILES [PROGRESS]]]\n");
		return 2;
	}
	target = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		live = (unsigned) strtoul(argv[3], NULL, 10);
	if (argc > 4)
		n_files = (unsigned) strtoul(argv[4], NULL, 10);
	if (argc > 5)
		n_progress = (unsigned) strtoul(argv[5], NULL, 10);
	if (!live || !n_files || !n_progress)
		return 2;
	e.h = tpe_load(argv[1]);
	jobs = calloc(live, sizeof(*jobs));
	if (!e.h || !jobs)
		return 2;
	e.id = ((uint64_t) getpid() << 32) ^ (uint64_t) time(NULL);
	tpe_engine_open(&e, "/tmp/gen-events-store", 4);
	for (;;) {
		bool more = seq_total(jobs, live, ended) + 2 < target;

		active = 0;
		for (i = 0; i < live; i++) {
			struct gjob *g = &jobs[i];

			if (!g->active) {
				ended += g->t.seq;
				g->t.seq = 0;
				if (!more)
					continue;
				start(g, &e);
			}
			step(g);
			active++;
		}
		if (!more && !active)
			break;
	}
	tpe_engine_close(&e);
	printf("events %llu jobs %lu\n",
	       (unsigned long long) seq_total(jobs, live, ended) + 2,
	       jobs_started);
	free(jobs);
	return 0;
}
