/* Client mode: the caller's engine options reach the daemon started on demand, and a running daemon with other ones refuses the open. */
#define _GNU_SOURCE
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

#include "harness.h"

#define NINETY_DAYS_S 7776000u

/* The command line of the process that holds h->store (its daemon), the
 * words joined by spaces. */
static void daemon_cmdline(struct harness *h, char *out, size_t size)
{
	long pid = bgcopy_engine_store_holder(h->store);
	char path[64];
	size_t n;
	FILE *f;

	assert_true(pid > 0);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(out, 1, size - 1, f);
	fclose(f);
	for (size_t i = 0; i + 1 < n; i++)
		if (!out[i])
			out[i] = ' ';
	out[n] = '\0';
}

static const struct bgcopy_engine_options asked = {
	.flags = BGCOPY_OPEN_SERVICE, .dispatcher_threads = 2, .max_connections = 3,
	.max_per_host = 1, .max_files_per_job = 2, .inactivity_timeout_s = 3600,
};

static void the_options_are_the_on_demand_daemons(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine_with(h, &asked);
	struct bgcopy_engine_options got;
	char cmdline[4096];
	bgcopy_job *job;

	assert_int_equal(bgcopy_engine_is_client(e), 1);
	daemon_cmdline(h, cmdline, sizeof(cmdline));
	assert_non_null(strstr(cmdline, " --dispatcher-threads 2 --max-connections 3 "
			       "--max-per-host 1 --max-files-per-job 2 --inactivity-timeout 3600"));
	assert_int_equal(bgcopy_engine_get_options(e, &got), BGCOPY_OK);
	assert_int_equal(got.dispatcher_threads, 2);
	assert_int_equal(got.max_connections, 3);
	assert_int_equal(got.max_per_host, 1);
	assert_int_equal(got.max_files_per_job, 2);
	assert_int_equal(got.inactivity_timeout_s, 3600);
	assert_int_equal(got.flags, BGCOPY_OPEN_SERVICE);
	/* The daemon's engine applies them: a third file is past the cap. */
	assert_int_equal(bgcopy_job_create(e, "capped", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/a"), harness_out(h, "a")),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/b"), harness_out(h, "b")),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/c"), harness_out(h, "c")),
			 BGCOPY_E_LIMIT);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
}

/* The engine is the daemon's, shared by its clients: an option it does
 * not have is refused, naming it and both values; 0 takes the daemon's. */
static void a_running_daemon_with_other_options_refuses_the_open(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *first = harness_engine_with(h, &asked), *e;
	struct bgcopy_engine_options other = asked, any = { .flags = BGCOPY_OPEN_SERVICE };
	struct bgcopy_engine_options got;

	other.max_per_host = 0;
	other.max_connections = 5;
	assert_int_equal(bgcopy_engine_open(h->store, &other, &e), BGCOPY_E_STORE_BUSY);
	assert_null(e);
	assert_non_null(strstr(bgcopy_last_error(), "with max_connections 3, not the 5 asked"));
	assert_int_equal(bgcopy_engine_open(h->store, &any, &e), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_get_options(e, &got), BGCOPY_OK);
	assert_int_equal(got.max_connections, 3);
	bgcopy_engine_close(e);
	assert_int_equal(bgcopy_engine_open(h->store, &asked, &e), BGCOPY_OK);
	bgcopy_engine_close(e);
	bgcopy_engine_close(first);
	harness_stop_daemon(h);
}

/* Options left 0 put none on the daemon's command line: its defaults. */
static void defaults_are_not_on_the_command_line(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options service = { .flags = BGCOPY_OPEN_SERVICE };
	struct bgcopy_engine_options embedded = { .flags = BGCOPY_OPEN_EMBEDDED }, got;
	bgcopy_engine *e = harness_engine_with(h, &service);
	char cmdline[4096];

	daemon_cmdline(h, cmdline, sizeof(cmdline));
	assert_null(strstr(cmdline, "--max-connections"));
	assert_null(strstr(cmdline, "--dispatcher-threads"));
	assert_int_equal(bgcopy_engine_get_options(e, &got), BGCOPY_OK);
	assert_int_equal(got.dispatcher_threads, 4);
	assert_int_equal(got.max_connections, 16);
	assert_int_equal(got.max_per_host, 6);
	assert_int_equal(got.max_files_per_job, 200);
	assert_int_equal(got.inactivity_timeout_s, NINETY_DAYS_S);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
	/* An embedded engine gives its own, the defaults filled in alike. */
	e = harness_engine_with(h, &embedded);
	assert_int_equal(bgcopy_engine_is_client(e), 0);
	assert_int_equal(bgcopy_engine_get_options(e, &got), BGCOPY_OK);
	assert_int_equal(got.max_per_host, 6);
	assert_int_equal(got.inactivity_timeout_s, NINETY_DAYS_S);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_options_are_the_on_demand_daemons),
		cmocka_unit_test(a_running_daemon_with_other_options_refuses_the_open),
		cmocka_unit_test(defaults_are_not_on_the_command_line),
	};

	unsetenv("BGCOPY_EMBEDDED");
	setenv("BGCOPYD_IDLE_EXIT", "5", 1);	/* a failed test's daemon goes too */
	return cmocka_run_group_tests_name("client engine options", tests,
					   harness_group_setup, harness_group_teardown);
}
