/*
 * The notify command line's time limit: a program that hangs has its
 * whole process group killed at the job's limit, the attempt counts as
 * failed and is retried, and the engine serves callers meanwhile.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness_probe.h"

/* Gone, or a zombie nobody has reaped yet: either way no longer running. */
static bool running(long pid)
{
	char path[64], state = 'X';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 'X';
	fclose(f);
	return state != 'Z' && state != 'X';
}

/* Each run appends the pid of a sleeper it left in its process group,
 * then hangs. */
static void a_hung_command_line_is_killed_and_retried(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400], script[600];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };
	long first_sleeper, t0;
	const char *text;

	snprintf(log, sizeof(log), "%s/hung.log", h->dir);
	snprintf(script, sizeof(script), "sleep 60 & echo $! >> %s; sleep 60", log);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_cmdline_timeout(job), 300);
	assert_int_equal(bgcopy_job_set_notify_cmdline_timeout(job, 0), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_set_notify_cmdline_timeout(job, 1), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	t0 = harness_now_ms();
	while (!*probe_read_text(log) && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(10);
	first_sleeper = strtol(probe_read_text(log), NULL, 10);
	assert_true(first_sleeper > 0);
	/* While it hangs the engine answers at once: no lock is held. */
	t0 = harness_now_ms();
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRED);
	assert_true(harness_now_ms() - t0 < 200);
	/* Killed at the limit with its group, then tried again. */
	t0 = harness_now_ms();
	do {
		harness_sleep_ms(20);
		text = probe_read_text(log);
	} while (!strchr(strchr(text, '\n') + 1, '\n') && harness_now_ms() - t0 < WAIT_MS);
	assert_non_null(strchr(strchr(text, '\n') + 1, '\n'));
	assert_false(running(first_sleeper));
	assert_true(bgcopy_job_get_pending_notifications(job) & BGCOPY_NOTIFY_JOB_TRANSFERRED);
	probe_job_finish(job);
	bgcopy_engine_close(e);
}

static void the_time_limit_survives_a_restart(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;
	char id[37], summary[128];
	const char *argv[] = { "/usr/bin/notify-me", "--token", "s3cret", NULL };

	assert_int_equal(bgcopy_job_create(e, "limit", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_cmdline_timeout(job, 42), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_cmdline_timeout(job), 42);
	bgcopy_job_get_notify_cmdline_summary(job, summary, sizeof(summary));
	assert_string_equal(summary, "/usr/bin/notify-me (+2 arguments)");
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_hung_command_line_is_killed_and_retried),
		cmocka_unit_test(the_time_limit_survives_a_restart),
	};

	return cmocka_run_group_tests_name("command line limits", tests, probe_group_setup,
					   harness_group_teardown);
}
