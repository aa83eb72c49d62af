/*
 * One version of every file: a file that changes on the server between
 * two attempts ends whole, as the new version, never as the first bytes
 * of one and the rest of the other (with a strong ETag, with only a
 * Last-Modified date, with neither, and when the server ignores If-Range).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define WAIT_MS 10000
#define SIZE 300000
#define CUT "100000"

/* `name` (version A) and `name`.v2 (version B): the same size, other
 * bytes, and a modification date 100 s later, as a changed file has. */
static void make_two_versions(struct harness *h, const char *name)
{
	char v2[300], path[PATH_MAX];
	struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct stat st;

	snprintf(v2, sizeof(v2), "%s.v2", name);
	harness_make_file(h, name, SIZE);
	harness_make_file(h, v2, SIZE);
	snprintf(path, sizeof(path), "%s/%s", h->www, name);
	assert_int_equal(stat(path, &st), 0);
	times[1].tv_sec = st.st_mtim.tv_sec + 100;
	snprintf(path, sizeof(path), "%s/%s", h->www, v2);
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	assert_false(harness_same(h, name, path));
}

static bgcopy_job *start_job(struct harness *h, bgcopy_engine *e,
			     const char *path, const char *out)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "versions", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, path),
					     harness_out(h, out)), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 200), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	return job;
}

/* Completes the job and checks the destination holds version B whole. */
static void ends_as_the_new_version(struct harness *h, bgcopy_job *job,
				    const char *name, const char *out)
{
	char v2[300];

	snprintf(v2, sizeof(v2), "%s.v2", name);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, v2, harness_out(h, out)));
	unlink(harness_out(h, out));
}

/* The file changes between the two attempts the fault `spec` makes; the
 * destination must end as version B, whole. */
static void changes_between_attempts(struct harness *h, const char *spec,
				     const char *name)
{
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	char path[300];

	make_two_versions(h, name);
	snprintf(path, sizeof(path), "/fault/%s:" CUT "/%s", spec, name);
	ends_as_the_new_version(h, start_job(h, e, path, name), name, name);
	bgcopy_engine_close(e);
}

static void with_an_etag_the_changed_file_starts_over(void **state)
{
	struct harness *h = *state;

	changes_between_attempts(h, "swap", "etag.bin");
	/* The resume named version A; the server answered with all of B. */
	assert_true(harness_log_has(h, "/etag.bin range=bytes=" CUT "- status=200 if-range=\""));
}

static void with_only_a_date_the_changed_file_starts_over(void **state)
{
	struct harness *h = *state;

	changes_between_attempts(h, "swap-date", "date.bin");
	assert_true(harness_log_has(h, "/date.bin range=bytes=" CUT "- status=200 if-range="));
	assert_false(harness_log_has(h, "/date.bin range=bytes=" CUT "- status=200 if-range=\""));
}

static void with_no_validator_a_file_is_never_resumed(void **state)
{
	struct harness *h = *state;

	changes_between_attempts(h, "swap-none", "none.bin");
	/* Nothing could prove the bytes held were of the current version. */
	assert_false(harness_log_has(h, "/none.bin range=bytes="));
}

static void a_server_ignoring_if_range_cannot_splice(void **state)
{
	struct harness *h = *state;

	changes_between_attempts(h, "swap-blind", "blind.bin");
	/* Its 206 carried B's ETag: refused, then B asked for whole. */
	assert_true(harness_log_has(h, "/blind.bin range=bytes=" CUT "- status=206"));
	assert_true(harness_log_has(h, "/blind.bin range=- status=200"));
}

static void an_unchanged_file_still_resumes(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;

	harness_make_file(h, "same.bin", SIZE);
	job = start_job(h, e, "/fault/reset:" CUT "/same.bin", "same.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_log_has(h, "/same.bin range=bytes=" CUT "- status=206 if-range=\""));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "same.bin", harness_out(h, "same.bin")));
	unlink(harness_out(h, "same.bin"));
	bgcopy_engine_close(e);
}

/* The validators are in the store: an engine closed between the two
 * attempts (or killed) resumes with the same proof. */
static void the_version_survives_reopening_the_store(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	char id[37];

	make_two_versions(h, "kept.bin");
	job = start_job(h, e, "/fault/swap:" CUT "/kept.bin", "kept.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSIENT_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);

	e = harness_reopen(h, BGCOPY_TEST_SHORT_RETRY);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	ends_as_the_new_version(h, job, "kept.bin", "kept.bin");
	assert_true(harness_log_has(h, "/kept.bin range=bytes=" CUT "- status=200 if-range=\""));
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(with_an_etag_the_changed_file_starts_over),
		cmocka_unit_test(with_only_a_date_the_changed_file_starts_over),
		cmocka_unit_test(with_no_validator_a_file_is_never_resumed),
		cmocka_unit_test(a_server_ignoring_if_range_cannot_splice),
		cmocka_unit_test(an_unchanged_file_still_resumes),
		cmocka_unit_test(the_version_survives_reopening_the_store),
	};

	return cmocka_run_group_tests_name("versions", tests, harness_group_setup,
					   harness_group_teardown);
}
