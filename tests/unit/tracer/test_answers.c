/*
 * Answers a hostile or broken server may give, and a full disk: each
 * ends in a stated error, never in a file that is not the server's file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define WAIT_MS 10000

static bgcopy_job *new_job(struct harness *h, bgcopy_engine *e,
			   const char *path, const char *out)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "answers", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, path), out),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 200), BGCOPY_OK);
	return job;
}

static void error_says(bgcopy_job *job, enum bgcopy_state state, int context,
		       const char *needle)
{
	struct bgcopy_error err;

	assert_true(harness_wait_state(job, state, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, context);
	if (!strstr(err.description, needle))
		fail_msg("error '%s' does not say '%s'", err.description, needle);
}

static void a_206_to_a_request_without_range_is_refused(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;

	harness_make_file(h, "half.bin", 100000);
	job = new_job(h, e, "/fault/unasked-206:1/half.bin", harness_out(h, "half.bin"));
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	error_says(job, BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_REMOTE_FILE,
		   "206 to a request without Range");
	/* The half it sent was not taken for the file: the retry is whole. */
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "half.bin", harness_out(h, "half.bin")));
	unlink(harness_out(h, "half.bin"));
	bgcopy_engine_close(e);
}

static void an_endless_body_stops_at_the_cap(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	struct bgcopy_progress p;
	bgcopy_job *job;

	job = new_job(h, e, "/fault/endless/x", harness_out(h, "endless.bin"));
	assert_int_equal(bgcopy_job_get_max_download_size(job), 0);
	assert_int_equal(bgcopy_job_set_max_download_size(job, 1000000), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_max_download_size(job), 1000000);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	error_says(job, BGCOPY_ERROR, BGCOPY_ERRCTX_REMOTE_FILE,
		   "maximum download size of 1000000 bytes");
	bgcopy_job_get_progress(job, &p);
	assert_true(p.bytes_transferred <= 1000000);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

static void a_file_announced_over_the_cap_is_refused(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	struct bgcopy_progress p;
	bgcopy_job *job;
	char id[37];

	harness_make_file(h, "big.bin", 200000);
	job = new_job(h, e, "/big.bin", harness_out(h, "big.bin"));
	assert_int_equal(bgcopy_job_set_max_download_size(job, 199999), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	error_says(job, BGCOPY_ERROR, BGCOPY_ERRCTX_REMOTE_FILE,
		   "maximum download size");
	bgcopy_job_get_progress(job, &p);
	assert_int_equal(p.bytes_transferred, 0);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	/* The cap is stored with the job. */
	e = harness_reopen(h, BGCOPY_TEST_SHORT_RETRY);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_max_download_size(job), 199999);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

/* Downloads `size` bytes into a 64 KiB file system that `filler` bytes
 * already take: the job must say the disk is full, a local and transient
 * error, whatever the moment the write fails (while the body arrives, or
 * at the last write, after libcurl saw the whole body). */
static void download_to_a_small_disk(struct harness *h, size_t size, size_t filler)
{
	bgcopy_engine *e;
	bgcopy_job *job;
	char small[400], out[500], fill[500];
	static char zeros[4096];
	FILE *f;

	snprintf(small, sizeof(small), "%s/small-disk", h->dir);
	assert_int_equal(mkdir(small, 0700), 0);
	if (mount("tmpfs", small, "tmpfs", 0, "size=64k") != 0) {
		rmdir(small);
		skip();		/* needs root: no small file system to fill */
	}
	snprintf(fill, sizeof(fill), "%s/filler", small);
	assert_non_null(f = fopen(fill, "w"));
	for (size_t done = 0; done < filler; done += sizeof(zeros))
		fwrite(zeros, 1, sizeof(zeros), f);
	fclose(f);	/* past the size, what did not fit is simply not there */
	e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	harness_make_file(h, "full.bin", size);
	snprintf(out, sizeof(out), "%s/full.bin", small);
	job = new_job(h, e, "/full.bin", out);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	error_says(job, BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_LOCAL_FILE,
		   "the disk is full");
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
	assert_int_equal(umount(small), 0);
	rmdir(small);
}

static void a_full_disk_is_transient_and_says_so(void **state)
{
	download_to_a_small_disk(*state, 300000, 0);
}

/* The whole body in one read: libcurl ends well and only the last write
 * fails (once reported as "server sent 0 of 16384 bytes"). */
static void a_small_file_on_a_full_disk_is_a_local_error(void **state)
{
	download_to_a_small_disk(*state, 16384, 128 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_206_to_a_request_without_range_is_refused),
		cmocka_unit_test(an_endless_body_stops_at_the_cap),
		cmocka_unit_test(a_file_announced_over_the_cap_is_refused),
		cmocka_unit_test(a_full_disk_is_transient_and_says_so),
		cmocka_unit_test(a_small_file_on_a_full_disk_is_a_local_error),
	};

	return cmocka_run_group_tests_name("answers", tests, harness_group_setup,
					   harness_group_teardown);
}
