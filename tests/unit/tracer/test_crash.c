/*
 * Crash safety: a child process runs 20 jobs of 20 files each, with
 * transient faults, and is killed with SIGKILL at random moments again and
 * again.  After the last restart and a fresh registration every job
 * reaches TRANSFERRED, every file matches its source, no job is lost or
 * doubled, and every job's JobTransferred arrives.
 * BGCOPY_CRASH_SEED fixes the seed; it is printed either way.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

enum { JOBS = 20, FILES = 20, KILLS = 30 };

static void create_jobs(struct harness *h)
{
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	char name[64], path[96], out[64];
	bgcopy_job *job;

	for (int j = 0; j < JOBS; j++) {
		snprintf(name, sizeof(name), "crash-%02d", j);
		assert_int_equal(bgcopy_job_create(e, name, &job), BGCOPY_OK);
		for (int f = 0; f < FILES; f++) {
			/* A mix of servers that fail once, connections cut in
			 * the middle of the body, and slow ones that keep
			 * transfers running when the kills come. */
			const char *fault = f % 5 == 1 ? "/fault/503-then-ok:1" :
					    f % 5 == 3 ? "/fault/reset:30000" :
					    "/fault/slow:1000000";
			snprintf(path, sizeof(path), "%s/c%02d.bin", fault, f);
			snprintf(out, sizeof(out), "j%02d-c%02d.bin", j, f);
			/* Per-job query: the server counts faults per path. */
			char url_path[128];
			snprintf(url_path, sizeof(url_path), "%s?job=%d", path, j);
			assert_int_equal(bgcopy_job_add_file(job, harness_url(h, url_path),
							     harness_out(h, out)), BGCOPY_OK);
		}
		assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 100), BGCOPY_OK);
		assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	}
	bgcopy_engine_close(e);
}

/* The child: open the store (which resumes everything) and keep going
 * until killed. */
static void run_until_killed(struct harness *h)
{
	struct bgcopy_engine_options opt = { .test_options = BGCOPY_TEST_SHORT_RETRY };
	bgcopy_engine *e;

	if (bgcopy_engine_open(h->store, &opt, &e) != BGCOPY_OK) {
		fprintf(stderr, "child: %s\n", bgcopy_last_error());
		_exit(3);
	}
	for (;;)
		pause();
}

struct counter {
	struct bgcopy_callback base;
	int refs;
	int transferred;
};

static void c_add(struct bgcopy_callback *cb) { __atomic_add_fetch(&((struct counter *)cb)->refs, 1, __ATOMIC_SEQ_CST); }
static void c_release(struct bgcopy_callback *cb) { __atomic_sub_fetch(&((struct counter *)cb)->refs, 1, __ATOMIC_SEQ_CST); }
static int c_transferred(struct bgcopy_callback *cb, bgcopy_job *job)
{
	(void)job;
	__atomic_add_fetch(&((struct counter *)cb)->transferred, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static const struct bgcopy_callback_ops counter_ops = {
	.add_ref = c_add, .release = c_release, .job_transferred = c_transferred,
};

static void killed_again_and_again_loses_nothing(void **state)
{
	struct harness *h = *state;
	const char *env = getenv("BGCOPY_CRASH_SEED");
	unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
	struct counter counters[JOBS];
	bgcopy_job *jobs[JOBS + 1];
	char name[64], src[32], out[64];
	bgcopy_engine *e;
	size_t n;

	printf("crash test seed %u (BGCOPY_CRASH_SEED=%u reproduces it)\n", seed, seed);
	fflush(stdout);
	srand(seed);
	for (int f = 0; f < FILES; f++) {
		snprintf(src, sizeof(src), "c%02d.bin", f);
		harness_make_file(h, src, 40000 + (size_t)(rand() % 160000));
	}
	create_jobs(h);
	for (int k = 0; k < KILLS; k++) {
		pid_t child = fork();
		int wstatus;

		assert_true(child >= 0);
		if (child == 0)
			run_until_killed(h);
		harness_sleep_ms(20 + rand() % 250);
		kill(child, SIGKILL);
		assert_int_equal(waitpid(child, &wstatus, 0), child);
		if (!WIFSIGNALED(wstatus))
			fail_msg("seed %u: child ended by itself (status %d) before kill %d",
				 seed, wstatus, k);
	}

	/* The final process registers and must hear about every job. */
	e = harness_reopen(h, BGCOPY_TEST_SHORT_RETRY);
	n = bgcopy_engine_list_jobs(e, jobs, JOBS + 1);
	if (n != JOBS)
		fail_msg("seed %u: %zu jobs in the store, expected %d", seed, n, JOBS);
	memset(counters, 0, sizeof(counters));
	for (int j = 0, unfinished = 0; j < JOBS; j++) {
		unfinished += bgcopy_job_get_state(jobs[j]) != BGCOPY_TRANSFERRED;
		if (j == JOBS - 1)
			printf("%d of %d jobs unfinished at the final restart\n",
			       unfinished, JOBS);
	}
	for (int j = 0; j < JOBS; j++) {
		bgcopy_job_get_display_name(jobs[j], name, sizeof(name));
		snprintf(src, sizeof(src), "crash-%02d", j);
		if (strcmp(name, src))
			fail_msg("seed %u: job %d is '%s', expected '%s' (lost or doubled)",
				 seed, j, name, src);
		counters[j].base.ops = &counter_ops;
		assert_int_equal(bgcopy_job_set_notify_interface(jobs[j], &counters[j].base),
				 BGCOPY_OK);
	}
	for (int j = 0; j < JOBS; j++) {
		long deadline = harness_now_ms() + 60000;

		while (__atomic_load_n(&counters[j].transferred, __ATOMIC_SEQ_CST) < 1) {
			if (harness_now_ms() > deadline)
				fail_msg("seed %u: job %d is %s, JobTransferred never came",
					 seed, j, bgcopy_state_name(bgcopy_job_get_state(jobs[j])));
			harness_sleep_ms(10);
		}
		assert_int_equal(bgcopy_job_get_state(jobs[j]), BGCOPY_TRANSFERRED);
		assert_int_equal(bgcopy_job_complete(jobs[j]), BGCOPY_OK);
		for (int f = 0; f < FILES; f++) {
			snprintf(src, sizeof(src), "c%02d.bin", f);
			snprintf(out, sizeof(out), "j%02d-c%02d.bin", j, f);
			if (!harness_same(h, src, harness_out(h, out)))
				fail_msg("seed %u: %s differs from its source", seed, out);
		}
	}
	bgcopy_engine_close(e);
	for (int j = 0; j < JOBS; j++)
		assert_int_equal(counters[j].refs, 0);
	/* Only the committed files are left: no temporary file survives. */
	assert_int_equal(harness_out_count(h), JOBS * FILES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(killed_again_and_again_loses_nothing),
	};

	return cmocka_run_group_tests_name("crash", tests, harness_group_setup,
					   harness_group_teardown);
}
