/* Benchmark driver: N files in jobs of K through the public API, each job completed from its JobTransferred callback; notification latency from the change hook. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgcopy.h"

/*
 *   bgcopy_drive STORE URL_FORMAT NFILES PER_JOB OUTDIR [CONNECTIONS [PARALLEL]]
 *
 * URL_FORMAT is a printf format given the file's number (it may ignore
 * it: every file the same URL); file i goes to OUTDIR/%05u.  Prints one line:
 * jobs, files, seconds to create and add, seconds until every job is
 * ACKNOWLEDGED, the spread of JobTransferred arrival after resume, and
 * the notification latency (from the job entering TRANSFERRED, as the
 * change hook reports it, to its JobTransferred call): p50, p99, max.
 * Files are added with one bgcopy_job_add_files call per job; PARALLEL
 * (default 1, BITS' serial job) is how many of a job's files move at once.
 */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static unsigned finished, failed, njobs;
static double *arrivals;
static double t_resumed;

/* Each job's index by its handle (open addressing), filled before any
 * resume; the hook and the callbacks only read it. */
static bgcopy_job **slot_job;
static unsigned *slot_index, slots;
static double *entered_transferred, *latencies;
static unsigned nlatencies;

static unsigned slot_of(const bgcopy_job *job)
{
	unsigned i = (unsigned)(((uintptr_t)job >> 4) * 2654435761u) & (slots - 1);

	while (slot_job[i] && slot_job[i] != job)
		i = (i + 1) & (slots - 1);
	return i;
}

static void remember(bgcopy_job *job, unsigned index)
{
	unsigned i = slot_of(job);

	slot_job[i] = job;
	slot_index[i] = index;
}

/* -1 for a job not (yet) remembered. */
static long index_of(const bgcopy_job *job)
{
	unsigned i = slot_of(job);

	return slot_job[i] ? (long)slot_index[i] : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void one_finished(bool ok)
{
	pthread_mutex_lock(&mu);
	arrivals[finished + failed] = now_s() - t_resumed;
	if (ok)
		finished++;
	else
		failed++;
	if (finished + failed == njobs)
		pthread_cond_signal(&all_done);
	pthread_mutex_unlock(&mu);
}

static void nothing(struct bgcopy_callback *self) { (void)self; }

/* Engine lock held: a time stamp and nothing else. */
static void on_change(bgcopy_job *job, unsigned what, enum bgcopy_state state,
		      void *data)
{
	long index = index_of(job);

	(void)data;
	if ((what & BGCOPY_CHANGE_STATE) && state == BGCOPY_TRANSFERRED && index >= 0)
		entered_transferred[index] = now_s();
}

static int transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	double called = now_s();
	long index = index_of(job);
	int status;

	pthread_mutex_lock(&mu);
	if (index >= 0 && entered_transferred[index] > 0 && nlatencies < njobs)
		latencies[nlatencies++] = called - entered_transferred[index];
	pthread_mutex_unlock(&mu);
	status = bgcopy_job_complete(job);

	(void)self;
	if (status)
		fprintf(stderr, "complete: %s\n", bgcopy_last_error());
	one_finished(status == 0);
	return 0;
}

static int errored(struct bgcopy_callback *self, bgcopy_job *job,
		   const struct bgcopy_error *err)
{
	(void)self;
	fprintf(stderr, "job error: %s\n", err->description);
	bgcopy_job_cancel(job);
	one_finished(false);
	return 0;
}

static const struct bgcopy_callback_ops ops = {
	.add_ref = nothing, .release = nothing,
	.job_transferred = transferred, .job_error = errored,
};
static struct bgcopy_callback cb = { &ops };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void check(int status, const char *what)
{
	if (status) {
		fprintf(stderr, "%s: %s\n", what, bgcopy_last_error());
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct bgcopy_engine_options opt = { 0 };
	bgcopy_engine *engine;
	bgcopy_job **jobs;
	unsigned nfiles, per_job;
	uint32_t parallel;
	double t0, t_added, t_end;
	char **urls, **paths;

	if (argc < 6) {
		fprintf(stderr, "usage: bgcopy_drive STORE URL_FORMAT NFILES PER_JOB OUTDIR "
			"[CONNECTIONS [PARALLEL]]\n");
		return 2;
	}
	nfiles = (unsigned)atoi(argv[3]);
	per_job = (unsigned)atoi(argv[4]);
	if (!nfiles || !per_job)
		return 2;
	njobs = (nfiles + per_job - 1) / per_job;
	opt.max_connections = opt.max_per_host = argc > 6 ? (unsigned)atoi(argv[6]) : 16;
	parallel = argc > 7 ? (uint32_t)atoi(argv[7]) : 1;
	for (slots = 64; slots < 2 * njobs; slots *= 2)
		;
	jobs = calloc(njobs, sizeof(*jobs));
	arrivals = calloc(njobs, sizeof(*arrivals));
	entered_transferred = calloc(njobs, sizeof(*entered_transferred));
	latencies = calloc(njobs, sizeof(*latencies));
	slot_job = calloc(slots, sizeof(*slot_job));
	slot_index = calloc(slots, sizeof(*slot_index));
	urls = calloc(nfiles, sizeof(*urls));
	paths = calloc(nfiles, sizeof(*paths));
	if (!jobs || !arrivals || !entered_transferred || !latencies || !slot_job ||
	    !slot_index || !urls || !paths)
		return 1;
	for (unsigned i = 0; i < nfiles; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
		if (asprintf(&urls[i], argv[2], i) < 0 ||
		    asprintf(&paths[i], "%s/%05u", argv[5], i) < 0)
			return 1;
#pragma GCC diagnostic pop
	}
	t0 = now_s();
	check(bgcopy_engine_open(argv[1], &opt, &engine), "open");
	/* A client engine's hook is called late, by its own thread, when
	 * the daemon's signal comes: no latency is printed then. */
	if (!bgcopy_engine_is_client(engine))
		check(bgcopy_engine_set_change_hook(engine, on_change, NULL), "hook");
	for (unsigned j = 0; j < njobs; j++) {
		unsigned first = j * per_job;
		unsigned n = nfiles - first < per_job ? nfiles - first : per_job;

		check(bgcopy_job_create(engine, "bench", &jobs[j]), "create");
		remember(jobs[j], j);
		if (parallel > 1)
			check(bgcopy_job_set_parallel_files(jobs[j], parallel), "parallel files");
		check(bgcopy_job_add_files(jobs[j], n, (const char *const *)urls + first,
					   (const char *const *)paths + first), "add");
		check(bgcopy_job_set_notify_interface(jobs[j], &cb), "interface");
	}
	t_added = now_s();
	pthread_mutex_lock(&mu);
	t_resumed = now_s();
	pthread_mutex_unlock(&mu);
	for (unsigned j = 0; j < njobs; j++)
		check(bgcopy_job_resume(jobs[j]), "resume");
	pthread_mutex_lock(&mu);
	while (finished + failed < njobs)
		pthread_cond_wait(&all_done, &mu);
	pthread_mutex_unlock(&mu);
	t_end = now_s();
	bgcopy_engine_set_change_hook(engine, NULL, NULL);
	bgcopy_engine_close(engine);
	qsort(arrivals, njobs, sizeof(*arrivals), cmp_double);
	printf("jobs %u files %u add_s %.3f run_s %.3f total_s %.3f "
	       "first_s %.3f p50_s %.3f last_s %.3f failed %u",
	       njobs, nfiles, t_added - t0, t_end - t_resumed, now_s() - t0,
	       arrivals[0], arrivals[njobs / 2], arrivals[njobs - 1], failed);
	if (nlatencies) {
		qsort(latencies, nlatencies, sizeof(*latencies), cmp_double);
		printf(" notify_p50_ms %.3f notify_p99_ms %.3f notify_max_ms %.3f",
		       latencies[nlatencies / 2] * 1e3,
		       latencies[(size_t)(nlatencies * 0.99)] * 1e3,
		       latencies[nlatencies - 1] * 1e3);
	}
	printf("\n");
	for (unsigned i = 0; i < nfiles; i++) {
		free(urls[i]);
		free(paths[i]);
	}
	free(urls);
	free(paths);
	free(slot_job);
	free(slot_index);
	free(entered_transferred);
	free(latencies);
	free(jobs);
	free(arrivals);
	return failed ? 1 : 0;
}
