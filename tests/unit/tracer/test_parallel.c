/* Parallel files (issue 17): a job moves up to parallel_files of its files at once, within the per-host cap; one file's error is the job's; FileTransferred in completion order. */
/*
 * Nothing here is timed.  Overlap is seen on testd's raw port, whose
 * stall:K answers never end: a serial job asks for one of them and no
 * more.  Where files must end in a known order, the job's bandwidth cap
 * holds back the big one until the test lifts it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "harness_probe.h"

#define LONG_WAIT_MS 60000
#define STALL "/raw/stall:3000/stall.bin"

/* Polls until the server log has `n` lines holding `needle`. */
static bool wait_log_count(struct harness *h, const char *needle, int n)
{
	long deadline = harness_now_ms() + LONG_WAIT_MS;

	while (harness_log_count(h, needle) < n) {
		if (harness_now_ms() > deadline)
			return false;
		harness_sleep_ms(10);
	}
	return true;
}

static bgcopy_job *job_of(bgcopy_engine *e, struct harness *h, const char *const *urls,
			  unsigned n, uint32_t parallel)
{
	bgcopy_job *job;
	char out[32];

	assert_int_equal(bgcopy_job_create(e, "parallel", &job), BGCOPY_OK);
	for (unsigned i = 0; i < n; i++) {
		snprintf(out, sizeof(out), "p%p-%u.bin", (void *)job, i);
		assert_int_equal(bgcopy_job_add_file(job, urls[i], harness_out(h, out)),
				 BGCOPY_OK);
	}
	assert_int_equal(bgcopy_job_set_parallel_files(job, parallel), BGCOPY_OK);
	return job;
}

/* A copy of the URL, as harness_url and harness_raw_url reuse theirs. */
static const char *kept(const char *url)
{
	static char urls[8][512];
	static unsigned next;
	char *slot = urls[next++ % 8];

	snprintf(slot, sizeof(urls[0]), "%s", url);
	return slot;
}

static void the_value_is_checked_and_stored(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	const char *urls[] = { kept(harness_url(h, "/a.bin")) };
	bgcopy_job *job = job_of(e, h, urls, 1, 1);
	char id[37];

	assert_int_equal(bgcopy_job_get_parallel_files(job), 1);
	assert_int_equal(bgcopy_job_set_parallel_files(job, 0), BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "parallel files 0"));
	assert_int_equal(bgcopy_job_set_parallel_files(job, BGCOPY_PARALLEL_FILES_MAX + 1),
			 BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "17"));
	assert_int_equal(bgcopy_job_set_parallel_files(job, BGCOPY_PARALLEL_FILES_MAX),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_parallel_files(job, 3), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_parallel_files(job), 3);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void a_job_moves_its_files_at_once(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	const char *url = kept(harness_raw_url(h, STALL));
	const char *urls[] = { url, url, url, url };
	bgcopy_job *job = job_of(e, h, urls, 4, 4);

	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* Serial, the first stalled file would hold the job for ever. */
	assert_true(wait_log_count(h, "GET " STALL " ", 4));
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRING);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
}

static void the_per_host_cap_holds(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options opt = { .max_per_host = 2 };
	bgcopy_engine *e;
	const char *url = kept(harness_raw_url(h, "/raw/stall:3001/stall.bin"));
	const char *urls[] = { url, url, url, url };
	const char *other[] = { kept(harness_url(h, "/a.bin")) };
	bgcopy_job *job, *later;

	harness_skip_through_daemon("bgcopyd's engine has its own per-host cap");
	e = harness_engine_with(h, &opt);
	job = job_of(e, h, urls, 4, 4);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(wait_log_count(h, "GET /raw/stall:3001/stall.bin ", 2));
	/* Another host's job, started after, gets its connection and ends:
	 * the worker went round; the stalled host still has two. */
	later = job_of(e, h, other, 1, 1);
	assert_int_equal(bgcopy_job_resume(later), BGCOPY_OK);
	assert_true(harness_wait_state(later, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	assert_int_equal(harness_log_count(h, "GET /raw/stall:3001/stall.bin "), 2);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRING);
	bgcopy_job_cancel(job);
	bgcopy_job_cancel(later);
	bgcopy_engine_close(e);
}

static uint64_t file_bytes(bgcopy_job *job, unsigned index)
{
	struct bgcopy_file_info info;

	assert_int_equal(bgcopy_job_get_file(job, index, &info), BGCOPY_OK);
	return info.bytes_transferred;
}

/* The size of the file's temporary file (job_data.c names it), 0 when none. */
static off_t temp_size(bgcopy_job *job, unsigned index)
{
	struct bgcopy_file_info info;
	char id[37], dir[4096], path[4200];
	const char *base;
	struct stat st;

	assert_int_equal(bgcopy_job_get_file(job, index, &info), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	base = strrchr(info.local_path, '/') + 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - info.local_path), info.local_path);
	snprintf(path, sizeof(path), "%s.%s.%.8s-%u.bgcopy-tmp", dir, base, id, index);
	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* File 0 (on testd's raw port at `stall`) stalls after some bytes; file
 * 1 (`second`), started beside it, fails the job: ERROR (permanent, the
 * test then makes later.bin and resumes) or TRANSIENT_ERROR (the retry
 * goes on), naming file 1 and `http_status`.  File 0's written bytes are
 * kept and asked for again by Range, and file 1 is fetched. */
static void a_sibling_fails(struct harness *h, const char *stall, const char *second,
			    bool permanent, long http_status)
{
	bgcopy_engine *e = harness_engine(h, SHORT);
	const char *urls[] = { kept(harness_raw_url(h, stall)), kept(harness_url(h, second)) };
	bgcopy_job *job = job_of(e, h, urls, 2, 1);
	struct bgcopy_error err;
	long deadline = harness_now_ms() + LONG_WAIT_MS;
	uint64_t kept_bytes;
	char needle[256];

	/* Long enough to be seen in TRANSIENT_ERROR. */
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 5000), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* Written, though not yet counted: the stall sends no next write. */
	while (temp_size(job, 0) == 0 && harness_now_ms() < deadline)
		harness_sleep_ms(10);
	assert_true(temp_size(job, 0) > 0);
	/* The second file starts beside the stalled first. */
	assert_int_equal(bgcopy_job_set_parallel_files(job, 2), BGCOPY_OK);
	assert_true(harness_wait_state(job, permanent ? BGCOPY_ERROR : BGCOPY_TRANSIENT_ERROR,
				       LONG_WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.file_index, 1);
	assert_int_equal(err.http_status, http_status);
	kept_bytes = file_bytes(job, 0);
	assert_int_equal(kept_bytes, temp_size(job, 0));
	if (permanent) {	/* fixed on the server */
		harness_make_file(h, "later.bin", 1000);
		assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	}
	snprintf(needle, sizeof(needle), "GET %s range=bytes=%llu- ", stall,
		 (unsigned long long)kept_bytes);
	assert_true(wait_log_count(h, needle, 1));
	snprintf(needle, sizeof(needle), "GET %s range=- status=200", second);
	assert_true(wait_log_count(h, needle, 1));
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void one_file_error_stops_the_others_with_their_bytes(void **state)
{
	a_sibling_fails(*state, "/raw/stall:3002/stall.bin", "/later.bin", true, 404);
}

static void one_transient_error_stops_the_others_with_their_bytes(void **state)
{
	harness_make_file(*state, "flaky.bin", 1000);
	a_sibling_fails(*state, "/raw/stall:3003/stall.bin", "/fault/503-then-ok:1/flaky.bin",
			false, 503);
}

static void file_notifications_come_in_completion_order(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	const char *urls[] = { kept(harness_url(h, "/big.bin")),
			       kept(harness_url(h, "/small1.bin")),
			       kept(harness_url(h, "/small2.bin")) };
	bgcopy_job *job = job_of(e, h, urls, 3, 2);

	harness_make_file(h, "small1.bin", 300);
	harness_make_file(h, "small2.bin", 300);
	/* 4 MB at a share of 1000 B/s: the small files end first. */
	assert_int_equal(bgcopy_job_set_max_bandwidth(job, 2000), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_JOB_TRANSFERRED |
						      BGCOPY_NOTIFY_FILE_TRANSFERRED), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(probe_wait_calls(p, F, 2, LONG_WAIT_MS));
	assert_int_equal(bgcopy_job_set_max_bandwidth(job, 0), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, LONG_WAIT_MS));
	pthread_mutex_lock(&p->lock);
	assert_int_equal(p->nseen, 4);
	assert_int_equal(p->seen[0], F);
	assert_int_equal(p->seen_file[0], 1);
	assert_int_equal(p->seen[1], F);
	assert_int_equal(p->seen_file[1], 2);
	assert_int_equal(p->seen[2], F);
	assert_int_equal(p->seen_file[2], 0);
	assert_int_equal(p->seen[3], T);
	pthread_mutex_unlock(&p->lock);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

/* Files of the job with some bytes and not all, at one look. */
static unsigned partial_files(bgcopy_job *job, unsigned n, bool partial[])
{
	struct bgcopy_file_info info;
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(bgcopy_job_get_file(job, i, &info), BGCOPY_OK);
		partial[i] = info.bytes_transferred > 0 && !info.completed;
		count += partial[i];
	}
	return count;
}

static void a_suspended_parallel_job_resumes_every_file_whole(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	const char *names[] = { "s0.bin", "s1.bin", "s2.bin", "s3.bin" };
	const char *urls[4];
	bool partial[4];
	struct bgcopy_file_info info;
	long deadline = harness_now_ms() + LONG_WAIT_MS;
	char needle[128];
	bgcopy_job *job;

	for (unsigned i = 0; i < 4; i++) {
		harness_make_file(h, names[i], 300000);
		snprintf(needle, sizeof(needle), "/%s", names[i]);
		urls[i] = kept(harness_url(h, needle));
	}
	job = job_of(e, h, urls, 4, 4);
	/* 100 KB/s a file: seconds each, however fast the machine. */
	assert_int_equal(bgcopy_job_set_max_bandwidth(job, 400000), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	while (partial_files(job, 4, partial) < 2 && harness_now_ms() < deadline)
		harness_sleep_ms(5);
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_OK);
	assert_true(partial_files(job, 4, partial) >= 2);
	assert_int_equal(bgcopy_job_set_max_bandwidth(job, 0), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	for (unsigned i = 0; i < 4; i++) {
		if (!partial[i])
			continue;
		snprintf(needle, sizeof(needle), "GET /%s range=bytes=", names[i]);
		assert_true(harness_log_has(h, needle));
	}
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(bgcopy_job_get_file(job, i, &info), BGCOPY_OK);
		assert_true(harness_same(h, names[i], info.local_path));
	}
	bgcopy_engine_close(e);
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);
	struct harness *h = *state;

	if (rc)
		return rc;
	harness_make_file(h, "stall.bin", 200000);
	harness_make_file(h, "a.bin", 1000);
	harness_make_file(h, "big.bin", 4000000);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_value_is_checked_and_stored),
		cmocka_unit_test(a_job_moves_its_files_at_once),
		cmocka_unit_test(the_per_host_cap_holds),
		cmocka_unit_test(one_file_error_stops_the_others_with_their_bytes),
		cmocka_unit_test(one_transient_error_stops_the_others_with_their_bytes),
		cmocka_unit_test(file_notifications_come_in_completion_order),
		cmocka_unit_test(a_suspended_parallel_job_resumes_every_file_whole),
	};

	return cmocka_run_group_tests_name("parallel files", tests,
					   group_setup, harness_group_teardown);
}
