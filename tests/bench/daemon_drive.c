/* Benchmark driver for bgcopyd: API round trips, notification latency and memory of one engine, embedded or a client of the daemon. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arming.h"
#include "bgcopy.h"

/*
 *   daemon_drive embedded|service calls STORE N
 *   daemon_drive embedded|service latency STORE URL NJOBS DIR
 *   daemon_drive embedded|service memory STORE URL NJOBS DIR
 *   daemon_drive embedded|service finished STORE URL NJOBS DIR
 *
 * service: a client of the bgcopyd already serving STORE (BGCOPY_SOCKET),
 * whose arming clock is the preloaded arming_preload.so; embedded: the
 * engine in this process, with the same clock as its change hook.  Each
 * prints one line of "name value" pairs (daemon.sh says what they mean).
 */

#define LATENCY_TIMEOUT_S 600

struct stamp {
	char id[37];
	int64_t ns;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_arrived = PTHREAD_COND_INITIALIZER;
static struct stamp *arrivals;
static unsigned narrived, nfailed, nexpected;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check(int status, const char *what)
{
	if (status) {
		fprintf(stderr, "daemon_drive: %s: %s\n", what, bgcopy_last_error());
		exit(1);
	}
}

static void arrived(bgcopy_job *job, int64_t t, bool ok)
{
	pthread_mutex_lock(&mu);
	if (ok && narrived + nfailed < nexpected) {
		bgcopy_job_get_id(job, arrivals[narrived].id);
		arrivals[narrived++].ns = t;
	} else if (!ok) {
		nfailed++;
	}
	if (narrived + nfailed == nexpected)
		pthread_cond_signal(&all_arrived);
	pthread_mutex_unlock(&mu);
}

/* The clock is read first: the driver's own lock is not the notification's. */
static int transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	(void)self;
	arrived(job, now_ns(), true);
	return 0;
}

static int errored(struct bgcopy_callback *self, bgcopy_job *job,
		   const struct bgcopy_error *err)
{
	(void)self;
	fprintf(stderr, "daemon_drive: job error: %s\n", err->description);
	arrived(job, 0, false);
	return 0;
}

static void nothing(struct bgcopy_callback *self) { (void)self; }

static const struct bgcopy_callback_ops ops = {
	.add_ref = nothing, .release = nothing,
	.job_transferred = transferred, .job_error = errored,
};
static struct bgcopy_callback cb = { &ops };

/* The engine the mode asks for, and nothing else: a bench of the wrong
 * one would measure nothing it claims. */
static bgcopy_engine *open_engine(const char *mode, const char *store)
{
	struct bgcopy_engine_options opt = { 0 };
	bool service = !strcmp(mode, "service");
	bgcopy_engine *engine;

	if (!service && strcmp(mode, "embedded")) {
		fprintf(stderr, "daemon_drive: mode '%s' is neither embedded nor service\n", mode);
		exit(2);
	}
	opt.flags = service ? BGCOPY_OPEN_SERVICE : BGCOPY_OPEN_EMBEDDED;
	opt.test_options = BGCOPY_TEST_ALLOW_FILE;	/* the daemon has its own */
	check(bgcopy_engine_open(store, &opt, &engine), "open");
	if (bgcopy_engine_is_client(engine) != service) {
		fprintf(stderr, "daemon_drive: asked for %s, got the other engine\n", mode);
		exit(1);
	}
	if (!service)
		check(bgcopy_engine_set_change_hook(engine, arming_hook, NULL), "change hook");
	return engine;
}

static double us_since(int64_t t0, unsigned n)
{
	return (double)(now_ns() - t0) / 1e3 / n;
}

static void bench_calls(bgcopy_engine *engine, unsigned n)
{
	bgcopy_job *job, *other;
	double get_us, set_us, create_us;
	int64_t t0;
	char text[32];

	check(bgcopy_job_create(engine, "calls", &job), "create");
	t0 = now_ns();
	for (unsigned i = 0; i < n; i++)
		if (bgcopy_job_get_state(job) != BGCOPY_SUSPENDED)
			check(-1, "get_state: not SUSPENDED");
	get_us = us_since(t0, n);
	t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "round %u", i);
		check(bgcopy_job_set_description(job, text), "set_description");
	}
	set_us = us_since(t0, n);
	t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		check(bgcopy_job_create(engine, "create-cancel", &other), "create");
		check(bgcopy_job_cancel(other), "cancel");
	}
	create_us = us_since(t0, n);
	check(bgcopy_job_cancel(job), "cancel");
	printf("get_state_us %.2f set_description_us %.2f create_cancel_us %.2f\n",
	       get_us, set_us, create_us);
}

static bgcopy_job **one_file_jobs(bgcopy_engine *engine, const char *url,
				  unsigned njobs, const char *dir, bool notify)
{
	bgcopy_job **jobs = calloc(njobs, sizeof(*jobs));
	char path[4096];

	if (!jobs)
		check(-1, "out of memory");
	for (unsigned i = 0; i < njobs; i++) {
		snprintf(path, sizeof(path), "%s/%05u", dir, i);
		check(bgcopy_job_create(engine, "bench", &jobs[i]), "create");
		check(bgcopy_job_add_file(jobs[i], url, path), "add");
		if (notify)
			check(bgcopy_job_set_notify_interface(jobs[i], &cb), "interface");
	}
	return jobs;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct stamp *)a)->id, ((const struct stamp *)b)->id);
}

static int by_ns(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The arming log's lines, sorted by id. */
static struct stamp *read_armings(unsigned *n)
{
	const char *path = getenv(ARMING_LOG_ENV);
	struct stamp *s = NULL, one;
	size_t cap = 0;
	long long ns;
	FILE *f;

	*n = 0;
	f = path ? fopen(path, "r") : NULL;
	if (!f) {
		fprintf(stderr, "daemon_drive: cannot read the arming log %s\n",
			path ? path : "(" ARMING_LOG_ENV " is not set)");
		exit(1);
	}
	while (fscanf(f, "%36s %lld", one.id, &ns) == 2) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			s = realloc(s, cap * sizeof(*s));
			if (!s)
				check(-1, "out of memory");
		}
		one.ns = ns;
		s[(*n)++] = one;
	}
	fclose(f);
	qsort(s, *n, sizeof(*s), by_id);
	return s;
}

static void bench_latency(bgcopy_engine *engine, const char *url, unsigned njobs,
			  const char *dir)
{
	struct stamp *armings, *armed;
	struct timespec deadline;
	unsigned narmings;
	int64_t *latency;

	arrivals = calloc(njobs, sizeof(*arrivals));
	latency = calloc(njobs, sizeof(*latency));
	if (!arrivals || !latency)
		check(-1, "out of memory");
	nexpected = njobs;
	bgcopy_job **jobs = one_file_jobs(engine, url, njobs, dir, true);
	for (unsigned i = 0; i < njobs; i++)
		check(bgcopy_job_resume(jobs[i]), "resume");
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += LATENCY_TIMEOUT_S;
	pthread_mutex_lock(&mu);
	while (narrived + nfailed < nexpected)
		if (pthread_cond_timedwait(&all_arrived, &mu, &deadline)) {
			fprintf(stderr, "daemon_drive: %u of %u JobTransferred after %d s\n",
				narrived, nexpected, LATENCY_TIMEOUT_S);
			exit(1);
		}
	pthread_mutex_unlock(&mu);
	if (nfailed)
		check(-1, "some jobs failed");
	armings = read_armings(&narmings);
	for (unsigned i = 0; i < njobs; i++) {
		armed = bsearch(&arrivals[i], armings, narmings, sizeof(*armings), by_id);
		if (!armed) {
			fprintf(stderr, "daemon_drive: job %s was never armed in the log\n",
				arrivals[i].id);
			exit(1);
		}
		latency[i] = arrivals[i].ns - armed->ns;
	}
	qsort(latency, njobs, sizeof(*latency), by_ns);
	printf("jobs %u p50_us %.1f p99_us %.1f max_us %.1f\n", njobs,
	       latency[njobs / 2] / 1e3, latency[(njobs * 99) / 100] / 1e3,
	       latency[njobs - 1] / 1e3);
	free(jobs);
	free(armings);
	free(latency);
	free(arrivals);
}

/* VmRSS of `pid` in KiB. */
static long rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Until the daemon has let go of every final job (job_forget.c): a new
 * client lists what the daemon lists. */
static void wait_daemon_let_go(const char *mode, const char *store)
{
	for (;;) {
		bgcopy_engine *probe = open_engine(mode, store);
		size_t listed = bgcopy_engine_list_jobs(probe, NULL, 0);

		bgcopy_engine_close(probe);
		if (!listed)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	}
}

/* NJOBS jobs made, cancelled and let go of. */
static void finished_jobs(bgcopy_engine *engine, const char *mode, const char *store,
			  const char *url, unsigned njobs, const char *dir)
{
	bgcopy_job **jobs = one_file_jobs(engine, url, njobs, dir, false);

	for (unsigned i = 0; i < njobs; i++) {
		check(bgcopy_job_cancel(jobs[i]), "cancel");
		check(bgcopy_engine_forget_job(engine, jobs[i]), "forget");
	}
	free(jobs);
	if (bgcopy_engine_is_client(engine))
		wait_daemon_let_go(mode, store);
}

/* The store's holder is the engine: this process, or the daemon.  With
 * `finished`, what a job's history costs: the growth over a second batch
 * of jobs made, cancelled and let go of (the first one warms the heap,
 * which keeps what was freed). */
static void bench_memory(const char *mode, const char *store, const char *url,
			 unsigned njobs, const char *dir, bool finished)
{
	bgcopy_engine *engine = open_engine(mode, store);
	long holder = bgcopy_engine_store_holder(store), before, after;
	bgcopy_job **jobs = NULL;

	if (holder <= 0)
		check(-1, "nobody holds the store");
	if (finished)
		finished_jobs(engine, mode, store, url, njobs, dir);
	bgcopy_engine_list_jobs(engine, NULL, 0);	/* the daemon has served a call */
	before = rss_kib(holder);
	if (finished) {
		finished_jobs(engine, mode, store, url, njobs, dir);
	} else {
		jobs = one_file_jobs(engine, url, njobs, dir, false);
		if (bgcopy_engine_list_jobs(engine, NULL, 0) != njobs)
			check(-1, "the store does not hold the jobs just created");
	}
	after = rss_kib(holder);
	printf("pid %ld jobs %u rss_before_kib %ld rss_after_kib %ld %s %.1f\n",
	       holder, njobs, before, after, finished ? "finished_per_1000_kib" : "per_1000_kib",
	       (double)(after - before) * 1000.0 / njobs);
	free(jobs);
	bgcopy_engine_close(engine);
}

static unsigned count(const char *arg)
{
	unsigned long n = strtoul(arg, NULL, 10);

	if (!n || n > 1000000) {
		fprintf(stderr, "daemon_drive: '%s' is not a count from 1 to 1000000\n", arg);
		exit(2);
	}
	return (unsigned)n;
}

int main(int argc, char **argv)
{
	bgcopy_engine *engine;

	if (argc == 5 && !strcmp(argv[2], "calls")) {
		engine = open_engine(argv[1], argv[3]);
		bench_calls(engine, count(argv[4]));
	} else if (argc == 7 && !strcmp(argv[2], "latency")) {
		engine = open_engine(argv[1], argv[3]);
		bench_latency(engine, argv[4], count(argv[5]), argv[6]);
	} else if (argc == 7 && (!strcmp(argv[2], "memory") || !strcmp(argv[2], "finished"))) {
		bench_memory(argv[1], argv[3], argv[4], count(argv[5]), argv[6],
			     !strcmp(argv[2], "finished"));
		return 0;
	} else {
		fprintf(stderr, "usage: daemon_drive embedded|service calls STORE N\n"
			"       daemon_drive embedded|service latency|memory|finished STORE URL "
			"NJOBS DIR\n");
		return 2;
	}
	bgcopy_engine_close(engine);
	return 0;
}
