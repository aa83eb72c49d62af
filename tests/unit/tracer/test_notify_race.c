/* Notifications against the clock: the command-line start window, fairness across jobs. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness_probe.h"

/* A JobError command line is decided as the job enters ERROR; the engine
 * then lets go of its lock to start it (250 ms with SLOW_SPAWN).  A
 * cancel in that window leaves nothing owed: the program must not run. */
static void a_command_line_no_longer_owed_never_runs(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT | BGCOPY_TEST_SLOW_SPAWN);
	bgcopy_job *job = probe_job(h, e, "/fault/404/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400];

	probe_log_by_cmdline(h, job, "window-log", log, sizeof(log));
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	harness_sleep_ms(40);		/* well inside the window */
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	harness_sleep_ms(400);		/* past the window: a run would show */
	assert_false(harness_exists(log));
	bgcopy_engine_close(e);
}

/* The same window, with the job resumed instead: the JobError it was
 * owed is voided, so the program does not run for it; the job fails
 * again (404) and is owed a new JobError, which does run, once. */
static void a_resume_in_the_window_runs_only_the_new_notification(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT | BGCOPY_TEST_SLOW_SPAWN);
	bgcopy_job *job = probe_job(h, e, "/fault/404/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400];

	probe_log_by_cmdline(h, job, "resume-log", log, sizeof(log));
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	harness_sleep_ms(40);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	harness_sleep_ms(400);
	assert_string_equal(probe_read_text(log), "error\n");
	probe_job_finish(job);
	bgcopy_engine_close(e);
}

/*
 * One dispatcher kept busy by five old jobs: each is owed a new
 * JobModification about ten times a second (a trickling body, no spacing)
 * and each delivery takes 40 ms, so one of them is always due.  Three
 * younger jobs owed one JobModification each must not wait for the old
 * ones to fall quiet.
 */
static void busy_jobs_do_not_starve_younger_modifications(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options opt = { .test_options = SHORT,
					     .dispatcher_threads = 1 };
	bgcopy_engine *e = harness_engine_with(h, &opt);
	enum { OLD = 5, YOUNG = 3 };
	struct probe *old[OLD], *young[YOUNG];
	bgcopy_job *old_jobs[OLD], *young_jobs[YOUNG];

	for (int i = 0; i < OLD; i++) {
		old[i] = probe_new();
		old[i]->sleep_ms = 40;
		old_jobs[i] = probe_job(h, e, "/fault/slow:100000/big.bin", 1,
					BGCOPY_NOTIFY_JOB_MODIFICATION);
		assert_int_equal(bgcopy_job_set_modification_interval_ms(old_jobs[i], 0),
				 BGCOPY_OK);
		assert_int_equal(bgcopy_job_set_notify_interface(old_jobs[i], &old[i]->base),
				 BGCOPY_OK);
		assert_int_equal(bgcopy_job_resume(old_jobs[i]), BGCOPY_OK);
	}
	for (int i = 0; i < OLD; i++)
		assert_true(probe_wait_calls(old[i], M, 2, WAIT_MS));
	for (int i = 0; i < YOUNG; i++) {
		young[i] = probe_new();
		young_jobs[i] = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_MODIFICATION);
		assert_int_equal(bgcopy_job_set_notify_interface(young_jobs[i], &young[i]->base),
				 BGCOPY_OK);
		assert_int_equal(bgcopy_job_set_display_name(young_jobs[i], "young"), BGCOPY_OK);
	}
	/* Served in the order they became due, each young one waits for at
	 * most the deliveries already running: well under two seconds. */
	for (int i = 0; i < YOUNG; i++)
		assert_true(probe_wait_calls(young[i], M, 1, 2000));
	for (int i = 0; i < OLD; i++)
		probe_job_finish(old_jobs[i]);
	for (int i = 0; i < YOUNG; i++)
		probe_job_finish(young_jobs[i]);
	bgcopy_engine_close(e);
	for (int i = 0; i < OLD; i++)
		probe_free(old[i]);
	for (int i = 0; i < YOUNG; i++)
		probe_free(young[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_command_line_no_longer_owed_never_runs),
		cmocka_unit_test(a_resume_in_the_window_runs_only_the_new_notification),
		cmocka_unit_test(busy_jobs_do_not_starve_younger_modifications),
	};

	return cmocka_run_group_tests_name("notify race", tests, probe_group_setup,
					   harness_group_teardown);
}
