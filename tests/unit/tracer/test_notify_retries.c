/* Notifications: retries, reopening the store, the command line. */
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

/* ---- retries and the command line -------------------------------------- */

static void a_waiting_retry_does_not_hold_back_modifications(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_JOB_MODIFICATION);
	long changed;

	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 3000), BGCOPY_OK);
	p->fail_first = 1;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));	/* failed: retry in 3 s */
	harness_sleep_ms(600);				/* past the throttle */
	int before = probe_calls(p, M);
	changed = harness_now_ms();
	assert_int_equal(bgcopy_job_set_description(job, "changed"), BGCOPY_OK);
	assert_true(probe_wait_calls(p, M, before + 1, 1500));
	assert_true(harness_now_ms() - changed < 1500);
	assert_int_equal(probe_calls(p, T), 1);		/* still waiting */
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void removing_the_interface_does_not_reowe_a_delivered_notification(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400];

	probe_log_by_cmdline(h, job, "removed-log", log, sizeof(log));
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	/* Delivered once its success is recorded, not when the call begins:
	 * through bgcopyd the answer comes back over the bus meanwhile. */
	assert_true(harness_wait_owed_none(job, BGCOPY_NOTIFY_JOB_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_set_notify_interface(job, NULL), BGCOPY_OK);
	harness_sleep_ms(400);
	assert_false(harness_exists(log));
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void a_delivered_notification_stays_delivered_after_reopening(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400], id[37];

	probe_log_by_cmdline(h, job, "reopen-log", log, sizeof(log));
	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_string_equal(probe_read_text(log), "transferred\n");
	bgcopy_engine_close(e);
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRED);
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	harness_sleep_ms(300);
	assert_string_equal(probe_read_text(log), "transferred\n");
	probe_job_finish(job);
	bgcopy_engine_close(e);
}

static void files_owed_mid_job_survive_reopening(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;
	char id[37];

	assert_int_equal(bgcopy_job_create(e, "mid", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/n.bin"),
					     harness_out(h, "mid0.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/fault/slow:100000/big.bin"),
					     harness_out(h, "mid1.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_FILE_TRANSFERRED),
			 BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	while (!(bgcopy_job_get_pending_notifications(job) & BGCOPY_NOTIFY_FILE_TRANSFERRED))
		harness_sleep_ms(5);
	bgcopy_engine_close(e);		/* the second file is still coming */
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_pending_notifications(job),
			 BGCOPY_NOTIFY_FILE_TRANSFERRED);
	probe_job_finish(job);
	bgcopy_engine_close(e);
}

static void removing_the_interface_does_not_rerun_a_running_command_line(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char started[400], log[400], script[1200];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };

	snprintf(started, sizeof(started), "%s/running-started", h->dir);
	snprintf(log, sizeof(log), "%s/running-log", h->dir);
	snprintf(script, sizeof(script), ": > %s; sleep 0.3; echo \"$2\" >> %s",
		 started, log);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	bgcopy_job_resume(job);
	long t0 = harness_now_ms();
	while (!harness_exists(started) && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(5);
	assert_int_equal(bgcopy_job_set_notify_interface(job, NULL), BGCOPY_OK);
	harness_sleep_ms(1000);
	assert_string_equal(probe_read_text(log), "transferred\n");
	probe_job_finish(job);
	bgcopy_engine_close(e);
}

static void an_undelivered_notification_is_owed_after_reopening(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 3,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);
	char id[37];

	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_engine_close(e);		/* nobody was listening */
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_pending_notifications(job),
			 BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	pthread_mutex_lock(&p->lock);
	assert_int_equal(p->nseen, 4);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p->seen[i], F);
		assert_int_equal(p->seen_file[i], i);
	}
	assert_int_equal(p->seen[3], T);
	pthread_mutex_unlock(&p->lock);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void failed_callback_is_retried_after_the_delay(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	p->fail_first = 2;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 3, WAIT_MS));
	assert_true(p->begin_ms[T][1] - p->begin_ms[T][0] >= 295);
	assert_true(p->begin_ms[T][2] - p->begin_ms[T][1] >= 295);
	harness_sleep_ms(500);
	assert_int_equal(probe_calls(p, T), 3);	/* success ends it */
	assert_int_equal(bgcopy_job_get_pending_notifications(job), 0);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void command_line_runs_without_interface_and_is_retried(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char marker[400], log[400], script[1400], id[37], expect[64];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };

	snprintf(marker, sizeof(marker), "%s/cmd-marker", h->dir);
	snprintf(log, sizeof(log), "%s/cmd-log", h->dir);
	/* Fails the first time, succeeds the second. */
	snprintf(script, sizeof(script),
		 "if [ -e %s ]; then echo \"$1 $2\" >> %s; else : > %s; exit 3; fi",
		 marker, log, marker);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	long t0 = harness_now_ms();
	while (!strstr(probe_read_text(log), "transferred") && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(10);
	snprintf(expect, sizeof(expect), "%s transferred\n", id);
	assert_string_equal(probe_read_text(log), expect);
	assert_true(harness_exists(marker));
	assert_int_equal(bgcopy_engine_wait_idle(e, 2000), BGCOPY_OK);
	harness_sleep_ms(400);
	assert_string_equal(probe_read_text(log), expect);	/* once */
	probe_job_finish(job);
	bgcopy_engine_close(e);
}

static void failed_callback_hands_over_to_the_command_line(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400];

	probe_log_by_cmdline(h, job, "handover-log", log, sizeof(log));
	p->fail_first = 1;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	long t0 = harness_now_ms();
	while (!strstr(probe_read_text(log), "transferred") && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(10);
	assert_string_equal(probe_read_text(log), "transferred\n");
	harness_sleep_ms(400);
	assert_int_equal(probe_calls(p, T), 1);	/* the callback is not called again */
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_waiting_retry_does_not_hold_back_modifications),
		cmocka_unit_test(removing_the_interface_does_not_reowe_a_delivered_notification),
		cmocka_unit_test(a_delivered_notification_stays_delivered_after_reopening),
		cmocka_unit_test(an_undelivered_notification_is_owed_after_reopening),
		cmocka_unit_test(files_owed_mid_job_survive_reopening),
		cmocka_unit_test(removing_the_interface_does_not_rerun_a_running_command_line),
		cmocka_unit_test(failed_callback_is_retried_after_the_delay),
		cmocka_unit_test(command_line_runs_without_interface_and_is_retried),
		cmocka_unit_test(failed_callback_hands_over_to_the_command_line),
	};

	return cmocka_run_group_tests_name("notify retries", tests, probe_group_setup,
					   harness_group_teardown);
}
