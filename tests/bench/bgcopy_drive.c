/* Benchmark driver: N files in jobs of K through the public API, each job completed from its JobTransferred callback. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgcopy.h"

/*
 *   bgcopy_drive STORE URL_FORMAT NFILES PER_JOB OUTDIR [CONNECTIONS]
 *
 * URL_FORMAT is a printf format given the file's number (it may ignore
 * it: every file the same URL); file i goes to OUTDIR/%05u.  Prints one line:
 * jobs, files, seconds to create and add, seconds until every job is
 * ACKNOWLEDGED, and the spread of JobTransferred arrival after resume.
 */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static unsigned finished, failed, njobs;
static double *arrivals;
static double t_resumed;

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

static int transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	int status = bgcopy_job_complete(job);

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
	double t0, t_added, t_end;
	char url[4096], path[4096];

	if (argc < 6) {
		fprintf(stderr, "usage: bgcopy_drive STORE URL_FORMAT NFILES PER_JOB OUTDIR [CONNECTIONS]\n");
		return 2;
	}
	nfiles = (unsigned)atoi(argv[3]);
	per_job = (unsigned)atoi(argv[4]);
	if (!nfiles || !per_job)
		return 2;
	njobs = (nfiles + per_job - 1) / per_job;
	opt.max_connections = opt.max_per_host = argc > 6 ? (unsigned)atoi(argv[6]) : 16;
	jobs = calloc(njobs, sizeof(*jobs));
	arrivals = calloc(njobs, sizeof(*arrivals));
	if (!jobs || !arrivals)
		return 1;
	t0 = now_s();
	check(bgcopy_engine_open(argv[1], &opt, &engine), "open");
	for (unsigned j = 0; j < njobs; j++) {
		check(bgcopy_job_create(engine, "bench", &jobs[j]), "create");
		for (unsigned i = j * per_job; i < nfiles && i < (j + 1) * per_job; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
			snprintf(url, sizeof(url), argv[2], i);
#pragma GCC diagnostic pop
			snprintf(path, sizeof(path), "%s/%05u", argv[5], i);
			check(bgcopy_job_add_file(jobs[j], url, path), "add");
		}
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
	bgcopy_engine_close(engine);
	qsort(arrivals, njobs, sizeof(*arrivals), cmp_double);
	printf("jobs %u files %u add_s %.3f run_s %.3f total_s %.3f "
	       "first_s %.3f p50_s %.3f last_s %.3f failed %u\n",
	       njobs, nfiles, t_added - t0, t_end - t_resumed, now_s() - t0,
	       arrivals[0], arrivals[njobs / 2], arrivals[njobs - 1], failed);
	free(jobs);
	free(arrivals);
	return failed ? 1 : 0;
}
