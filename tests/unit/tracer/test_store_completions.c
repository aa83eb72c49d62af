/* When a completed file's row is stored: with its job's next row (its active time a second old, at the latest), and by a clean close. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "harness.h"

/* While its files complete, a job's row keeps the time it has been
 * active (the maximum download time's clock, which a restart takes up
 * from the row) no more than a second old, FileTransferred or not: 20
 * files of a quarter second each, and the stored time must pass one
 * second before the last is done (it stayed at 0 when the row was
 * written only for a FileTransferred). */
static void the_active_time_is_stored_as_files_complete(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	const char *urls[20], *paths[20];
	char url[600], outs[20][600], sql[128], id[37];
	bgcopy_job *job;
	int stored;

	harness_make_file(h, "act.bin", 25000);
	snprintf(url, sizeof(url), "%s", harness_url(h, "/fault/slow:100000/act.bin"));
	for (unsigned i = 0; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "act%u.bin", i);
		snprintf(outs[i], sizeof(outs[i]), "%s", harness_out(h, name));
		urls[i] = url;
		paths[i] = outs[i];
	}
	assert_int_equal(bgcopy_job_create(e, "active", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_files(job, 20, urls, paths), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	snprintf(sql, sizeof(sql), "SELECT active_ms FROM jobs WHERE id = '%s'", id);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* The row read before the state: a job still moving then had not
	 * written its TRANSFERRED row yet. */
	do {
		harness_sleep_ms(50);
		stored = harness_count_rows(harness_store_db(h), sql);
		if (bgcopy_job_get_state(job) == BGCOPY_TRANSFERRED)
			fail_msg("the stored active time was %d ms when the job's 20 "
				 "files (5 s at least) were done", stored);
	} while (stored < 1000);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
}

/* A file's completion is stored with its job's next row, not at once;
 * a clean close stores those still waiting, though the job moves on. */
static void a_clean_close_keeps_the_completions_of_a_moving_job(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	bgcopy_job *job;
	struct bgcopy_file_info info;
	char id[37], sql[160];

	harness_skip_through_daemon("bgcopyd's engine, not the test's, closes");
	e = harness_engine(h, 0);
	harness_make_file(h, "moving0.bin", 3000);
	harness_make_file(h, "stall.bin", 200000);
	assert_int_equal(bgcopy_job_create(e, "moving", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/moving0.bin"),
					     harness_out(h, "moving0.bin")), BGCOPY_OK);
	/* Its answer never ends: the job is still TRANSFERRING at the close. */
	assert_int_equal(bgcopy_job_add_file(job, harness_raw_url(h, "/raw/stall:3004/stall.bin"),
					     harness_out(h, "moving1.bin")), BGCOPY_OK);
	/* No FileTransferred, which would store the file at once. */
	assert_int_equal(bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_JOB_TRANSFERRED |
						      BGCOPY_NOTIFY_JOB_ERROR), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	do {
		harness_sleep_ms(10);
		assert_int_equal(bgcopy_job_get_file(job, 0, &info), BGCOPY_OK);
	} while (!info.completed);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRING);
	bgcopy_engine_close(e);
	snprintf(sql, sizeof(sql), "SELECT completed FROM files WHERE job_id = '%s' "
		 "AND local_path LIKE '%%moving0.bin'", id);
	assert_int_equal(harness_count_rows(harness_store_db(h), sql), 1);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_file(job, 0, &info), BGCOPY_OK);
	assert_true(info.completed);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_active_time_is_stored_as_files_complete),
		cmocka_unit_test(a_clean_close_keeps_the_completions_of_a_moving_job),
	};

	return cmocka_run_group_tests_name("store completions", tests, harness_group_setup,
					   harness_group_teardown);
}
