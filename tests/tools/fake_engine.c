/*
 * fake_engine: emits, through the real provider, the events of a
 * realistic two-file job (flags 0x1b, an interface, JobModification,
 * FileTransferred, JobTransferred), with one deliberate contract
 * violation chosen by the scenario.  Only enabled events are emitted,
 * as the engine does.  Record it under a session; bgcopy-analyze
 * (with --grace-ms=100 --max-latency-ms=200) must then say:
 *
 *   clean        PASS
 *   lost-t       G1  JobTransferred owed, never delivered
 *   duplicate-t  G2  JobTransferred delivered twice in one epoch
 *   spurious-t   G3  JobTransferred while the job is TRANSFERRING
 *   old-epoch    G4  a callback on epoch 1 after epoch 2 began
 *   overlap      G5  JobModification begins while FileTransferred runs
 *   concurrency  G6  two jobs' callbacks at once, one dispatcher
 *   m-too-close  G7  two JobModification 10 ms apart (interval 100 ms)
 *   f-after-t    G7  JobTransferred before the last FileTransferred
 *   late-t       G8  JobTransferred 400 ms after it was due
 *
 *   fake_engine LIBBGCOPY-TP.SO SCENARIO
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tools/tpemit.h"

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED
#define M BGCOPY_TP_KIND_JOB_MODIFICATION
#define F BGCOPY_TP_KIND_FILE_TRANSFERRED

#define INTERVAL_MS 100
#define RETRY_MS 50
#define FILE_BYTES 100000u

static const char *scenario;
static const char *const scenarios[] = {
	"clean", "lost-t", "duplicate-t", "spurious-t", "old-epoch",
	"overlap", "concurrency", "m-too-close", "f-after-t", "late-t", NULL,
};

static bool is(const char *name)
{
	return strcmp(scenario, name) == 0;
}

/* What the fake engine keeps per job to obey the contract. */
struct job {
	struct tpe_job t;
	bool m_armed;
	struct timespec last_m;
	bool have_last_m;
};

static long ms_since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - then->tv_sec) * 1000 +
	       (now.tv_nsec - then->tv_nsec) / 1000000;
}

/* A modification: arms JobModification, or coalesces into it. */
static void modified(struct job *j)
{
	if (!(j->t.flags & 0x08) || (j->t.flags & 0x04))
		return;
	if (j->m_armed) {
		tpe_coalesced(&j->t);
	} else {
		j->m_armed = true;
		tpe_armed(&j->t, M, -1);
	}
}

/* Delivers an armed JobModification, no sooner than the interval. */
static void deliver_m(struct job *j)
{
	long wait;

	if (!j->m_armed)
		return;
	if (j->have_last_m) {
		wait = INTERVAL_MS + 5 - ms_since(&j->last_m);
		if (wait > 0)
			tpe_sleep_ms(wait);
	}
	clock_gettime(CLOCK_MONOTONIC, &j->last_m);
	j->have_last_m = true;
	j->m_armed = false;
	tpe_callback(&j->t, M, 1, -1, 0, 1);
}

static void state(struct job *j, int from, int to, int cause)
{
	tpe_state(&j->t, from, to, cause);
	if (to == BGCOPY_TP_TRANSFERRED || to == BGCOPY_TP_ERROR ||
	    to == BGCOPY_TP_ACKNOWLEDGED || to == BGCOPY_TP_CANCELLED)
		j->m_armed = false;
	else
		modified(j);
	if (to == BGCOPY_TP_TRANSFERRED)
		tpe_armed(&j->t, T, -1);
}

static void job_start(struct job *j, struct tpe_engine *e, unsigned n,
		      const char *name)
{
	memset(j, 0, sizeof(*j));
	tpe_job_init(&j->t, e, n);
	tpe_job_created(&j->t, name, RETRY_MS, INTERVAL_MS);
	tpe_file_added(&j->t, 0);
	tpe_file_added(&j->t, 1);
	tpe_flags(&j->t, 0x1b);
	tpe_iface(&j->t, 0x5000 + n);
	state(j, BGCOPY_TP_SUSPENDED, BGCOPY_TP_QUEUED, BGCOPY_TP_CAUSE_RESUME);
}

static void transfer_file(struct job *j, int file)
{
	uint64_t done;

	for (done = FILE_BYTES / 5; done <= FILE_BYTES; done += FILE_BYTES / 5) {
		tpe_progress(&j->t, file, done, FILE_BYTES);
		modified(j);
	}
	tpe_transfer(&j->t, file, FILE_BYTES);
	tpe_file_complete(&j->t, file, FILE_BYTES);
	tpe_armed(&j->t, F, file);
}

/* The one job of every scenario but `concurrency'. */
static void run_job(struct tpe_engine *e)
{
	struct job j;
	uint64_t old_iface;

	job_start(&j, e, 1, scenario);
	deliver_m(&j);
	state(&j, BGCOPY_TP_QUEUED, BGCOPY_TP_CONNECTING,
	      BGCOPY_TP_CAUSE_SCHEDULED);
	state(&j, BGCOPY_TP_CONNECTING, BGCOPY_TP_TRANSFERRING,
	      BGCOPY_TP_CAUSE_SERVER_ANSWERED);
	if (is("spurious-t"))
		tpe_callback(&j.t, T, 1, -1, 0, 1);
	transfer_file(&j, 0);
	if (is("overlap")) {
		/* M begins while F(0) still runs. */
		tpe_begin(&j.t, F, 1, 0);
		deliver_m(&j);
		tpe_end(&j.t, F, 1, 0, 0);
	} else {
		tpe_callback(&j.t, F, 1, 0, 0, 1);
		deliver_m(&j);
	}
	if (is("m-too-close")) {
		tpe_property(&j.t, BGCOPY_TP_PROP_DESCRIPTION, "again");
		modified(&j);
		tpe_sleep_ms(10);
		j.m_armed = false;
		tpe_callback(&j.t, M, 1, -1, 0, 1);	/* 10 ms after */
	}
	/* Between files the job stays TRANSFERRING. */
	transfer_file(&j, 1);
	deliver_m(&j);
	state(&j, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED,
	      BGCOPY_TP_CAUSE_ALL_FILES_DONE);
	if (is("f-after-t")) {
		tpe_callback(&j.t, T, 1, -1, 0, 1);
		tpe_callback(&j.t, F, 1, 1, 0, 1);
	} else {
		tpe_callback(&j.t, F, 1, 1, 0, 1);
		if (is("old-epoch")) {
			old_iface = j.t.iface;
			tpe_iface(&j.t, 0x6000);
			tpe_release(&j.t, old_iface, j.t.epoch - 1);
			j.t.epoch--;		/* a stale dispatcher */
			tpe_callback(&j.t, T, 1, -1, 0, 1);
			j.t.epoch++;
		}
		if (is("late-t"))
			tpe_sleep_ms(400);
		if (!is("lost-t"))
			tpe_callback(&j.t, T, 1, -1, 0, 1);
		if (is("duplicate-t")) {
			tpe_sleep_ms(20);
			tpe_callback(&j.t, T, 1, -1, 0, 1);
		}
	}
	if (is("lost-t")) {
		/* Owed, registered, never delivered: the engine lives on. */
		tpe_sleep_ms(400);
		tpe_release(&j.t, j.t.iface, j.t.epoch);
		return;
	}
	state(&j, BGCOPY_TP_TRANSFERRED, BGCOPY_TP_ACKNOWLEDGED,
	      BGCOPY_TP_CAUSE_COMPLETE);
	tpe_release(&j.t, j.t.iface, j.t.epoch);
}

/* Two jobs, one dispatcher: their JobModification callbacks overlap. */
static void run_concurrency(struct tpe_engine *e)
{
	struct job a, b;

	job_start(&a, e, 1, "concurrency a");
	job_start(&b, e, 2, "concurrency b");
	tpe_begin(&a.t, M, 1, -1);
	tpe_begin(&b.t, M, 1, -1);
	tpe_sleep_ms(1);
	tpe_end(&b.t, M, 1, -1, 0);
	tpe_end(&a.t, M, 1, -1, 0);
	state(&a, BGCOPY_TP_QUEUED, BGCOPY_TP_CANCELLED, BGCOPY_TP_CAUSE_CANCEL);
	tpe_release(&a.t, a.t.iface, a.t.epoch);
	state(&b, BGCOPY_TP_QUEUED, BGCOPY_TP_CANCELLED, BGCOPY_TP_CAUSE_CANCEL);
	tpe_release(&b.t, b.t.iface, b.t.epoch);
}

int main(int argc, char **argv)
{
	struct tpe_engine e;
	const char *const *s;
	char store[64];

	if (argc == 3) {
		for (s = scenarios; *s && strcmp(*s, argv[2]); s++)
			;
		scenario = *s;
	}
	if (!scenario) {
		fprintf(stderr, "usage: fake_engine LIBBGCOPY-TP.SO SCENARIO\n"
			"scenarios:");
		for (s = scenarios; *s; s++)
			fprintf(stderr, " %s", *s);
		fputc('\n', stderr);
		return 2;
	}
	e.h = tpe_load(argv[1]);
	if (!e.h)
		return 2;
	e.id = ((uint64_t) getpid() << 32) ^ (uint64_t) time(NULL);
	snprintf(store, sizeof(store), "/tmp/fake-store-%d", (int) getpid());
	tpe_engine_open(&e, store, is("concurrency") ? 1 : 4);
	if (is("concurrency"))
		run_concurrency(&e);
	else
		run_job(&e);
	tpe_engine_close(&e);
	return 0;
}
