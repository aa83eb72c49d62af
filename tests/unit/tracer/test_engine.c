/*
 * The job engine against a real HTTP server: states, transitions,
 * failures and their classification, temporary files and resume.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define SHORT BGCOPY_TEST_SHORT_RETRY
#define WAIT_MS 10000

/* A job with one file from `path`, resumed, retry delay 200 ms. */
static bgcopy_job *start_job(struct harness *h, bgcopy_engine *e,
			     const char *path, const char *out)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "test", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, path),
					     harness_out(h, out)), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 200), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	return job;
}

static void expect_error(bgcopy_job *job, int context, int http_status)
{
	struct bgcopy_error err;

	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, context);
	assert_int_equal(err.http_status, http_status);
	assert_int_equal(err.file_index, 0);
	assert_true(strlen(err.description) > 0);
}

static void new_job_is_suspended_with_defaults(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;
	char id[37];

	assert_int_equal(bgcopy_job_create(e, "defaults", &job), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(strlen(id), 36);
	assert_int_equal(id[14], '4');	/* random UUID, version 4 */
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_SUSPENDED);
	assert_int_equal(bgcopy_job_get_priority(job), BGCOPY_PRIORITY_NORMAL);
	assert_int_equal(bgcopy_job_get_notify_flags(job), 0x3);
	assert_int_equal(bgcopy_job_get_min_retry_delay(job), 600);
	assert_int_equal(bgcopy_job_get_no_progress_timeout(job), 1209600);
	assert_int_equal(bgcopy_job_get_owner(job), getuid());
	/* Nothing to transfer: resume is refused. */
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_E_INVALID_STATE);
	/* Below the 5 s floor without the test option. */
	assert_int_equal(bgcopy_job_set_min_retry_delay(job, 4), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_get_min_retry_delay(job), 600);
	bgcopy_engine_close(e);
}

static void download_commits_on_complete(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	const char *out = harness_out(h, "ok.bin");
	struct bgcopy_progress p;
	bgcopy_job *job;

	harness_make_file(h, "ok.bin", 200000);
	job = start_job(h, e, "/ok.bin", "ok.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	/* Not committed yet: only a temporary file exists. */
	assert_false(harness_exists(out));
	assert_int_equal(harness_out_count(h), 1);
	bgcopy_job_get_progress(job, &p);
	assert_int_equal(p.bytes_total, 200000);
	assert_int_equal(p.bytes_transferred, 200000);
	assert_int_equal(p.files_transferred, 1);
	assert_true(bgcopy_job_get_time(job, BGCOPY_TIME_TRANSFERRED) > 0);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_ACKNOWLEDGED);
	assert_true(harness_same(h, "ok.bin", out));
	assert_int_equal(harness_out_count(h), 1);	/* temp file gone */
	unlink(out);
	bgcopy_engine_close(e);
}

static void http_404_and_403_are_permanent(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *a, *b;

	harness_make_file(h, "p.bin", 1000);
	a = start_job(h, e, "/fault/404/p.bin", "a.bin");
	b = start_job(h, e, "/fault/403/p.bin", "b.bin");
	expect_error(a, BGCOPY_ERRCTX_REMOTE_FILE, 404);
	expect_error(b, BGCOPY_ERRCTX_REMOTE_FILE, 403);
	assert_int_equal(bgcopy_job_cancel(a), BGCOPY_OK);
	assert_int_equal(bgcopy_job_cancel(b), BGCOPY_OK);
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

static void a_final_redirect_status_is_no_file(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "nm.bin", 1000);
	job = start_job(h, e, "/fault/304/nm.bin", "nm.bin");
	expect_error(job, BGCOPY_ERRCTX_REMOTE_FILE, 304);
	bgcopy_job_cancel(job);
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

static void adding_a_file_restarts_the_no_progress_clock(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "np1.bin", 1000);
	job = start_job(h, e, "/np1.bin", "np1.bin");
	assert_int_equal(bgcopy_job_set_no_progress_timeout(job, 1), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	harness_sleep_ms(1500);		/* longer than the timeout, idle */
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/np1.bin"),
					     harness_out(h, "np2.bin")), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void waiting_for_a_connection_is_not_a_stall(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options one = {
		.test_options = SHORT, .max_connections = 1,
	};
	bgcopy_engine *e = harness_engine_with(h, &one);
	bgcopy_job *blocker, *job;

	harness_make_file(h, "blk3.bin", 400000);
	harness_make_file(h, "wq.bin", 1000);
	blocker = start_job(h, e, "/fault/slow:200000/blk3.bin", "blk3.bin");
	assert_true(harness_wait_state(blocker, BGCOPY_TRANSFERRING, WAIT_MS));
	assert_int_equal(bgcopy_job_create(e, "queued", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/wq.bin"),
					     harness_out(h, "wq.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_no_progress_timeout(job, 1), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* Two seconds in the queue behind the blocker, then a connection. */
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_job_cancel(job);
	bgcopy_job_cancel(blocker);
	bgcopy_engine_close(e);
}

static void http_503_is_transient_then_retried(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_error err;
	bgcopy_job *job;

	harness_make_file(h, "t.bin", 5000);
	job = start_job(h, e, "/fault/503-then-ok:2/t.bin", "t.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSIENT_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.http_status, 503);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "t.bin", harness_out(h, "t.bin")));
	unlink(harness_out(h, "t.bin"));
	bgcopy_engine_close(e);
}

static void reset_mid_body_resumes_with_range(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "r.bin", 300000);
	job = start_job(h, e, "/fault/reset:100000/r.bin", "r.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_log_has(h, "GET /fault/reset:100000/r.bin range=bytes="));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "r.bin", harness_out(h, "r.bin")));
	unlink(harness_out(h, "r.bin"));
	bgcopy_engine_close(e);
}

static void ignored_range_starts_the_file_over(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "nr.bin", 300000);
	job = start_job(h, e, "/fault/reset-no-range:100000/nr.bin", "nr.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	/* The resume asked for a range and got the whole file instead. */
	assert_true(harness_log_has(h, "GET /fault/reset-no-range:100000/nr.bin "
				    "range=bytes=100000- status=200"));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "nr.bin", harness_out(h, "nr.bin")));
	unlink(harness_out(h, "nr.bin"));
	bgcopy_engine_close(e);
}

static void misreported_range_is_refused_and_refetched(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "mm.bin", 300000);
	job = start_job(h, e, "/fault/reset-mismatch:100000/mm.bin", "mm.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_log_has(h, "GET /fault/reset-mismatch:100000/mm.bin "
				    "range=bytes=100000- status=206"));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	/* Bytes at the wrong offset never reached the file. */
	assert_true(harness_same(h, "mm.bin", harness_out(h, "mm.bin")));
	unlink(harness_out(h, "mm.bin"));
	bgcopy_engine_close(e);
}

static void retry_after_is_transient(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_error err;
	bgcopy_job *job;

	harness_make_file(h, "ra.bin", 4000);
	job = start_job(h, e, "/fault/retry-after:1/ra.bin", "ra.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSIENT_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.http_status, 503);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void short_body_is_transient(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_error err;
	bgcopy_job *job;

	harness_make_file(h, "s.bin", 50000);
	job = start_job(h, e, "/fault/short:1000/s.bin", "s.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSIENT_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_TRANSPORT);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

static void redirects_are_bounded_and_stay_on_http(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *loop, *to_file, *ok;

	harness_make_file(h, "d.bin", 3000);
	loop = start_job(h, e, "/fault/redirect-loop/d.bin", "loop.bin");
	to_file = start_job(h, e, "/fault/redirect-file/d.bin", "file.bin");
	ok = start_job(h, e, "/fault/redirect/d.bin", "ok.bin");
	expect_error(loop, BGCOPY_ERRCTX_TRANSPORT, 302);
	expect_error(to_file, BGCOPY_ERRCTX_TRANSPORT, 302);
	assert_true(harness_wait_state(ok, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_job_cancel(loop);
	bgcopy_job_cancel(to_file);
	bgcopy_job_cancel(ok);
	bgcopy_engine_close(e);
}

static void bad_input_is_refused_before_any_byte(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "bad", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, "ftp://127.0.0.1/x",
					     harness_out(h, "x")), BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "ftp"));
	assert_int_equal(bgcopy_job_add_file(job, "file:///etc/passwd",
					     harness_out(h, "x")), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_add_file(job, "not a url", harness_out(h, "x")),
			 BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/x"),
					     "/nonexistent-dir/x"), BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "/nonexistent-dir"));
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/x"), ""),
			 BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_set_notify_flags(job, 0x20), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_set_priority(job, 7), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_E_INVALID_STATE);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void final_jobs_refuse_every_mutator(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	const char *const argv[] = { "true", NULL };
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "final", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_CANCELLED);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/x"),
					     harness_out(h, "x")), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_set_display_name(job, "n"), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_set_priority(job, BGCOPY_PRIORITY_HIGH),
			 BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_set_notify_flags(job, 0x1), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_CANCELLED);
	assert_int_equal(bgcopy_job_get_priority(job), BGCOPY_PRIORITY_NORMAL);
	assert_int_equal(bgcopy_job_get_notify_flags(job), 0x3);
	bgcopy_engine_close(e);
}

static void complete_only_from_transferred_error_or_suspended(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "slow.bin", 200000);
	job = start_job(h, e, "/fault/slow:100000/slow.bin", "slow.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRING, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_SUSPENDED);
	/* Complete from SUSPENDED: the unfinished file is removed. */
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_ACKNOWLEDGED);
	harness_sleep_ms(100);
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

static void suspend_then_resume_continues_with_range(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_progress p;
	bgcopy_job *job;

	harness_make_file(h, "sr.bin", 400000);
	job = start_job(h, e, "/fault/slow:400000/sr.bin", "sr.bin");
	do {
		harness_sleep_ms(20);
		bgcopy_job_get_progress(job, &p);
	} while (p.bytes_transferred < 50000);
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_log_has(h, "GET /fault/slow:400000/sr.bin range=bytes="));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "sr.bin", harness_out(h, "sr.bin")));
	unlink(harness_out(h, "sr.bin"));
	bgcopy_engine_close(e);
}

static void adding_a_file_requeues_a_transferred_job(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "one.bin", 1000);
	harness_make_file(h, "two.bin", 2000);
	job = start_job(h, e, "/one.bin", "one.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/two.bin"),
					     harness_out(h, "two.bin")), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "one.bin", harness_out(h, "one.bin")));
	assert_true(harness_same(h, "two.bin", harness_out(h, "two.bin")));
	unlink(harness_out(h, "one.bin"));
	unlink(harness_out(h, "two.bin"));
	bgcopy_engine_close(e);
}

static void cancel_removes_temporary_files(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_progress p;
	bgcopy_job *job;

	harness_make_file(h, "c.bin", 400000);
	job = start_job(h, e, "/fault/slow:200000/c.bin", "c.bin");
	do {
		harness_sleep_ms(20);
		bgcopy_job_get_progress(job, &p);
	} while (p.bytes_transferred == 0);
	assert_int_equal(harness_out_count(h), 1);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

static void no_progress_timeout_ends_in_error(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_error err;
	bgcopy_job *job;

	harness_make_file(h, "np.bin", 1000);
	assert_int_equal(bgcopy_job_create(e, "np", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/fault/503/np.bin"),
					     harness_out(h, "np.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 200), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_no_progress_timeout(job, 1), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_ENGINE);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void many_jobs_complete_byte_identical(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	enum { JOBS = 20, FILES = 10 };
	bgcopy_job *jobs[JOBS];
	char name[64], out[64];

	for (int f = 0; f < FILES; f++) {
		snprintf(name, sizeof(name), "m%d.bin", f);
		harness_make_file(h, name, 20000 + (size_t)f * 3001);
	}
	for (int j = 0; j < JOBS; j++) {
		assert_int_equal(bgcopy_job_create(e, "many", &jobs[j]), BGCOPY_OK);
		for (int f = 0; f < FILES; f++) {
			snprintf(name, sizeof(name), "/m%d.bin", f);
			snprintf(out, sizeof(out), "j%d-m%d.bin", j, f);
			assert_int_equal(bgcopy_job_add_file(jobs[j], harness_url(h, name),
							     harness_out(h, out)), BGCOPY_OK);
		}
		assert_int_equal(bgcopy_job_resume(jobs[j]), BGCOPY_OK);
	}
	for (int j = 0; j < JOBS; j++) {
		assert_true(harness_wait_state(jobs[j], BGCOPY_TRANSFERRED, 30000));
		assert_int_equal(bgcopy_job_complete(jobs[j]), BGCOPY_OK);
		for (int f = 0; f < FILES; f++) {
			snprintf(name, sizeof(name), "m%d.bin", f);
			snprintf(out, sizeof(out), "j%d-m%d.bin", j, f);
			assert_true(harness_same(h, name, harness_out(h, out)));
			unlink(harness_out(h, out));
		}
	}
	bgcopy_engine_close(e);
}

static void jobs_survive_reopening_the_store(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job, *again;
	char id[37];

	harness_make_file(h, "keep.bin", 1000);
	assert_int_equal(bgcopy_job_create(e, "kept", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/keep.bin?x=1"),
					     harness_out(h, "keep.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_priority(job, BGCOPY_PRIORITY_HIGH), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_flags(job, 0x9), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);

	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &again), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(again), BGCOPY_SUSPENDED);
	assert_int_equal(bgcopy_job_get_priority(again), BGCOPY_PRIORITY_HIGH);
	assert_int_equal(bgcopy_job_get_notify_flags(again), 0x9);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 1);
	assert_int_equal(bgcopy_job_resume(again), BGCOPY_OK);
	assert_true(harness_wait_state(again, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(again), BGCOPY_OK);
	bgcopy_engine_close(e);
	/* An acknowledged job leaves the store. */
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 0);
	bgcopy_engine_close(e);
	unlink(harness_out(h, "keep.bin"));
}

static void a_second_engine_is_told_who_holds_the_store(void **state)
{
	harness_skip_through_daemon("a client engine shares the daemon's store: none is busy");
	struct harness *h = *state;
	struct bgcopy_engine_options ro = { .flags = BGCOPY_OPEN_READ_ONLY };
	bgcopy_engine *e = harness_engine(h, 0), *other = NULL, *reader = NULL;
	bgcopy_job *job;
	char expect[64];

	assert_int_equal(bgcopy_job_create(e, "held", &job), BGCOPY_OK);
	/* fcntl locks are per process: a child must try. */
	pid_t child = fork();
	if (child == 0) {
		int status = bgcopy_engine_open(h->store, NULL, &other);

		snprintf(expect, sizeof(expect), "in use by pid %ld", (long)getppid());
		_exit(status == BGCOPY_E_STORE_BUSY &&
		      strstr(bgcopy_last_error(), expect) ? 0 : 1);
	}
	int wstatus;
	assert_int_equal(waitpid(child, &wstatus, 0), child);
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	assert_int_equal(bgcopy_engine_store_holder(h->store), getpid());
	/* A second engine in this very process is refused too. */
	assert_int_equal(bgcopy_engine_open(h->store, NULL, &other), BGCOPY_E_STORE_BUSY);
	assert_int_equal(bgcopy_engine_open(h->store, &ro, &reader), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_list_jobs(reader, NULL, 0), 1);
	assert_int_equal(bgcopy_engine_list_jobs(reader, &job, 1), 1);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_E_READ_ONLY);
	bgcopy_engine_close(reader);
	bgcopy_engine_close(e);
}

static void foreground_goes_first_and_equals_take_turns(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options one = {
		.test_options = SHORT, .max_connections = 1,
	};
	bgcopy_engine *e = harness_engine_with(h, &one);
	bgcopy_job *blocker, *low, *normal, *fg, *a, *b;
	const char *names[] = { "pa0", "pb0", "pa1", "pb1" };

	harness_make_file(h, "blk.bin", 100000);
	for (int i = 0; i < 4; i++)
		harness_make_file(h, names[i], 1000);
	harness_make_file(h, "plow", 1000);
	harness_make_file(h, "pnormal", 1000);
	harness_make_file(h, "pfg", 1000);
	/* One connection, held by a slow file while the others queue. */
	blocker = start_job(h, e, "/fault/slow:200000/blk.bin", "blk.bin");
	assert_true(harness_wait_state(blocker, BGCOPY_TRANSFERRING, WAIT_MS));
	low = start_job(h, e, "/plow", "plow");
	normal = start_job(h, e, "/pnormal", "pnormal");
	assert_int_equal(bgcopy_job_set_priority(low, BGCOPY_PRIORITY_LOW), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "fg", &fg), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_priority(fg, BGCOPY_PRIORITY_FOREGROUND), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(fg, harness_url(h, "/pfg"),
					     harness_out(h, "pfg")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(fg), BGCOPY_OK);
	assert_true(harness_wait_state(low, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_log_order(h, "/pfg") < harness_log_order(h, "/pnormal"));
	assert_true(harness_log_order(h, "/pnormal") < harness_log_order(h, "/plow"));

	/* Two jobs of equal priority, two files each: they alternate. */
	assert_int_equal(bgcopy_job_create(e, "a", &a), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "b", &b), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(a, harness_url(h, "/pa0"), harness_out(h, "pa0")), 0);
	assert_int_equal(bgcopy_job_add_file(a, harness_url(h, "/pa1"), harness_out(h, "pa1")), 0);
	assert_int_equal(bgcopy_job_add_file(b, harness_url(h, "/pb0"), harness_out(h, "pb0")), 0);
	assert_int_equal(bgcopy_job_add_file(b, harness_url(h, "/pb1"), harness_out(h, "pb1")), 0);
	bgcopy_job_cancel(blocker);
	blocker = start_job(h, e, "/fault/slow:200000/blk.bin", "blk2.bin");
	assert_true(harness_wait_state(blocker, BGCOPY_TRANSFERRING, WAIT_MS));
	assert_int_equal(bgcopy_job_resume(a), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(b), BGCOPY_OK);
	assert_true(harness_wait_state(a, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_wait_state(b, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_log_order(h, "/pa0") < harness_log_order(h, "/pb0"));
	assert_true(harness_log_order(h, "/pb0") < harness_log_order(h, "/pa1"));
	assert_true(harness_log_order(h, "/pa1") < harness_log_order(h, "/pb1"));
	bgcopy_job *all[] = { blocker, low, normal, fg, a, b };
	for (size_t i = 0; i < 6; i++)
		bgcopy_job_cancel(all[i]);
	bgcopy_engine_close(e);
}

static void the_per_host_cap_holds_the_second_connection(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options one_per_host = {
		.test_options = SHORT, .max_per_host = 1,
	};
	bgcopy_engine *e = harness_engine_with(h, &one_per_host);
	bgcopy_job *a, *b;

	harness_make_file(h, "ph.bin", 300000);
	a = start_job(h, e, "/fault/slow:300000/ph.bin", "ph-a.bin");
	assert_true(harness_wait_state(a, BGCOPY_TRANSFERRING, WAIT_MS));
	b = start_job(h, e, "/fault/slow:300000/ph.bin", "ph-b.bin");
	harness_sleep_ms(400);
	/* One connection to 127.0.0.1: b waits for a's. */
	assert_int_equal(bgcopy_job_get_state(a), BGCOPY_TRANSFERRING);
	assert_int_equal(bgcopy_job_get_state(b), BGCOPY_CONNECTING);
	assert_true(harness_wait_state(b, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_job_cancel(a);
	bgcopy_job_cancel(b);
	bgcopy_engine_close(e);
}

static void error_can_be_resumed_or_completed(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "er.bin", 1000);
	job = start_job(h, e, "/fault/404/er.bin", "er.bin");
	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);	/* ERROR -> QUEUED */
	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);	/* ERROR -> ACKNOWLEDGED */
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_ACKNOWLEDGED);
	assert_false(harness_exists(harness_out(h, "er.bin")));
	assert_int_equal(harness_out_count(h), 0);	/* no temporary file */
	bgcopy_engine_close(e);
}

static void transferred_can_be_suspended_but_not_resumed(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "ts.bin", 1000);
	job = start_job(h, e, "/ts.bin", "ts.bin");
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRED);
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_SUSPENDED);
	/* Nothing is left to fetch: resuming finds every file done. */
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "ts.bin", harness_out(h, "ts.bin")));
	unlink(harness_out(h, "ts.bin"));
	bgcopy_engine_close(e);
}

static void transient_error_can_be_suspended(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;

	harness_make_file(h, "te.bin", 1000);
	job = start_job(h, e, "/fault/503/te.bin", "te.bin");
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 5000), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSIENT_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_OK);
	harness_sleep_ms(300);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_SUSPENDED);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void tls_certificates_are_verified(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_error err;
	bgcopy_job *job;
	char url[128];
	int port, wstatus;
	pid_t server = harness_start_tls(h, &port);

	harness_make_file(h, "tls.bin", 1000);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/tls.bin", port);
	assert_int_equal(bgcopy_job_create(e, "tls", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, url, harness_out(h, "tls.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* A self-signed certificate is not trusted: a permanent TLS error. */
	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_TLS);
	assert_int_equal(err.curl_code, 60);	/* CURLE_PEER_FAILED_VERIFICATION */
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
	kill(server, SIGTERM);
	waitpid(server, &wstatus, 0);
}

static void file_urls_need_the_engine_option(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT | BGCOPY_TEST_ALLOW_FILE);
	char url[600];
	bgcopy_job *job;

	harness_make_file(h, "local.bin", 5000);
	snprintf(url, sizeof(url), "file://%s/local.bin", h->www);
	assert_int_equal(bgcopy_job_create(e, "file", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, url, harness_out(h, "local.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "local.bin", harness_out(h, "local.bin")));
	unlink(harness_out(h, "local.bin"));
	bgcopy_engine_close(e);
}

static void the_file_cap_is_enforced(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options cap = { .max_files_per_job = 3 };
	bgcopy_engine *e = harness_engine_with(h, &cap);
	const char *dest[] = { "x0", "x1", "x2", "x3" };
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "cap", &job), BGCOPY_OK);
	/* Each to a destination of its own: a path belongs to one file. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/x"),
						     harness_out(h, dest[i])), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/x"),
					     harness_out(h, dest[3])), BGCOPY_E_LIMIT);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_job_is_suspended_with_defaults),
		cmocka_unit_test(download_commits_on_complete),
		cmocka_unit_test(http_404_and_403_are_permanent),
		cmocka_unit_test(a_final_redirect_status_is_no_file),
		cmocka_unit_test(adding_a_file_restarts_the_no_progress_clock),
		cmocka_unit_test(waiting_for_a_connection_is_not_a_stall),
		cmocka_unit_test(http_503_is_transient_then_retried),
		cmocka_unit_test(reset_mid_body_resumes_with_range),
		cmocka_unit_test(ignored_range_starts_the_file_over),
		cmocka_unit_test(misreported_range_is_refused_and_refetched),
		cmocka_unit_test(retry_after_is_transient),
		cmocka_unit_test(short_body_is_transient),
		cmocka_unit_test(redirects_are_bounded_and_stay_on_http),
		cmocka_unit_test(bad_input_is_refused_before_any_byte),
		cmocka_unit_test(final_jobs_refuse_every_mutator),
		cmocka_unit_test(complete_only_from_transferred_error_or_suspended),
		cmocka_unit_test(suspend_then_resume_continues_with_range),
		cmocka_unit_test(adding_a_file_requeues_a_transferred_job),
		cmocka_unit_test(cancel_removes_temporary_files),
		cmocka_unit_test(no_progress_timeout_ends_in_error),
		cmocka_unit_test(many_jobs_complete_byte_identical),
		cmocka_unit_test(foreground_goes_first_and_equals_take_turns),
		cmocka_unit_test(the_per_host_cap_holds_the_second_connection),
		cmocka_unit_test(error_can_be_resumed_or_completed),
		cmocka_unit_test(transferred_can_be_suspended_but_not_resumed),
		cmocka_unit_test(transient_error_can_be_suspended),
		cmocka_unit_test(tls_certificates_are_verified),
		cmocka_unit_test(file_urls_need_the_engine_option),
		cmocka_unit_test(the_file_cap_is_enforced),
		cmocka_unit_test(jobs_survive_reopening_the_store),
		cmocka_unit_test(a_second_engine_is_told_who_holds_the_store),
	};

	return cmocka_run_group_tests_name("engine", tests, harness_group_setup,
					   harness_group_teardown);
}
