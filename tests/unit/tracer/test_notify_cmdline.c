/* The notify command line's surroundings: its environment and descriptors. */
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

/* Runs a shell script (script_fmt: %1$s is `out`, a path under the test
 * directory) as the job's JobTransferred command line and waits until it
 * has written "done" there. */
static void run_script(struct harness *h, const char *name, const char *script_fmt,
		       char *out, size_t size, char *id)
{
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char script[1200];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };
	long t0;

	snprintf(out, size, "%s/%s", h->dir, name);
	snprintf(script, sizeof(script), script_fmt, out);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	t0 = harness_now_ms();
	while (!strstr(probe_read_text(out), "done") && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(10);
	assert_non_null(strstr(probe_read_text(out), "done"));
	probe_job_finish(job);
	bgcopy_engine_close(e);
}

/* The program sees PATH, HOME and LANG, the job and the event, and none
 * of the engine's other variables (which may hold credentials). */
static void the_command_line_gets_a_documented_environment(void **state)
{
	struct harness *h = *state;
	char out[400], id[37], expect[80];
	const char *text;

	setenv("BGCOPY_TEST_SECRET", "hunter2", 1);
	run_script(h, "env-log", "env > %1$s.tmp; echo done >> %1$s.tmp; mv %1$s.tmp %1$s",
		   out, sizeof(out), id);
	text = probe_read_text(out);
	snprintf(expect, sizeof(expect), "BGCOPY_JOB_ID=%s\n", id);
	assert_non_null(strstr(text, expect));
	assert_non_null(strstr(text, "BGCOPY_EVENT=transferred\n"));
	assert_non_null(strstr(text, "PATH="));
	assert_null(strstr(text, "hunter2"));
	unsetenv("BGCOPY_TEST_SECRET");
}

/* Nothing of the engine reaches the program: no socket, store, lock,
 * pipe or file.  Its 0, 1 and 2 are /dev/null; the shell that runs the
 * script keeps a copy of its stdin (fd 10, /dev/null too). */
static void the_command_line_inherits_no_descriptor(void **state)
{
	struct harness *h = *state;
	char out[400], id[37];

	/* Listed before the shell makes a pipe of its own for grep; the
	 * listing's own output file is the shell's doing. */
	run_script(h, "fd-log", "ls -l /proc/$$/fd > %1$s.all; grep ' -> ' %1$s.all |"
		   " grep -v -e ' -> /dev/null$' -e '[.]all$' > %1$s.tmp; echo done >> %1$s.tmp;"
		   " mv %1$s.tmp %1$s",
		   out, sizeof(out), id);
	assert_string_equal(probe_read_text(out), "done\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_command_line_gets_a_documented_environment),
		cmocka_unit_test(the_command_line_inherits_no_descriptor),
	};

	return cmocka_run_group_tests_name("notify command line", tests, probe_group_setup,
					   harness_group_teardown);
}
