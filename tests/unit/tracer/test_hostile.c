/*
 * Hostile servers: every kind of bad answer ends in a stated state and
 * error context, and the destination holds one whole version or nothing.
 *
 * The kinds of hostile server behaviour the suite covers, and where:
 *
 *  #  behaviour                                   test
 *  1  file changed between attempts, strong ETag  test_versions with_an_etag_...
 *  2  changed, only Last-Modified                 test_versions with_only_a_date_...
 *  3  changed, no validator at all                test_versions with_no_validator_...
 *  4  changed, server ignores If-Range            test_versions a_server_ignoring_if_range_...
 *  5  206 to a request without Range              test_answers a_206_to_a_request_without_range_...
 *  6  Content-Range start is not the one asked    test_engine misreported_range_is_refused_...
 *     Content-Range end short of the file         here: a_range_short_of_the_end_is_refused
 *  7  Range ignored (200 to a resume)             test_engine ignored_range_starts_the_file_over
 *  8  body shorter than Content-Length            test_engine short_body_is_transient
 *  9  body longer than Content-Length             here: a_body_longer_than_announced_...
 * 10  endless body, with a size cap               test_answers an_endless_body_stops_at_the_cap
 * 11  announced size over the cap                 test_answers a_file_announced_over_the_cap_...
 * 12  https redirected to http (both policies)    test_redirects https_to_http_is_refused_...
 * 13  redirect loop                               test_engine redirects_are_bounded_...
 * 14  redirect to file://                         test_engine redirects_are_bounded_...
 * 15  final 3xx without a file (304)              test_engine a_final_redirect_status_is_no_file
 * 16  404 and 403 permanent                       test_engine http_404_and_403_are_permanent
 * 17  410 permanent                               here: gone_is_permanent_...
 * 18  500 transient                               here: a_server_error_is_transient_...
 * 19  503 storm, then the file                    test_engine http_503_is_transient_then_retried
 * 20  503 with Retry-After                        test_engine retry_after_is_transient
 * 21  503 with a huge Retry-After (10^12 s)       here: a_huge_retry_after_...
 * 22  slow trickle under the no-progress timeout  here: a_trickle_is_progress_...
 * 23  real stall mid-body                         here: a_stall_ends_in_the_no_progress_...
 * 24  header bytes trickled for ever (slow loris) here: trickled_headers_are_no_progress
 * 25  connection reset at 0, mid-header, 1 body
 *     byte, mid-body, last byte                   here: a_reset_at_any_offset_...
 * 26  HTTP/1.0 without Content-Length, closed     here: a_body_ended_by_close_is_refused
 * 27  bad chunked encoding                        here: bad_chunking_is_transient_...
 * 28  0-byte file                                 here: an_empty_file_is_a_file
 * 29  untrusted TLS certificate                   test_engine tls_certificates_are_verified
 * 30  full disk (ENOSPC)                          test_answers a_full_disk_is_transient_...
 *
 * Answers libmicrohttpd will not give come from testd's raw port
 * (/raw/<spec>/<name>, tests/server/README.md).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define WAIT_MS 10000
#define SIZE 200000

static bgcopy_job *start_url(bgcopy_engine *e, const char *url, const char *out,
			     unsigned retry_ms)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "hostile", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, url, out), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, retry_ms), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	return job;
}

/* The job reaches `state` with an error of `context` (earlier errors of
 * other contexts are passed by) that says `needle` (NULL: anything) and,
 * when http_status is not 0, that status. */
static void fails_with(bgcopy_job *job, enum bgcopy_state state, int context,
		       int http_status, const char *needle)
{
	long deadline = harness_now_ms() + WAIT_MS;
	struct bgcopy_error err;

	do {
		assert_true(harness_wait_state(job, state, deadline - harness_now_ms()));
		assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
		if ((int)err.context != context)
			harness_sleep_ms(5);
	} while ((int)err.context != context && harness_now_ms() < deadline);
	assert_int_equal(err.context, context);
	if (http_status)
		assert_int_equal(err.http_status, http_status);
	if (needle && !strstr(err.description, needle))
		fail_msg("error '%s' does not say '%s'", err.description, needle);
}

/* One whole version: TRANSFERRED, then complete commits the server's file. */
static void ends_whole(struct harness *h, bgcopy_job *job, const char *name)
{
	struct bgcopy_error err;

	if (!harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS)) {
		bgcopy_job_get_error(job, &err);
		fail_msg("%s is %s, last error '%s'", name,
			 bgcopy_state_name(bgcopy_job_get_state(job)), err.description);
	}
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, name, harness_out(h, name)));
	unlink(harness_out(h, name));
}

/* Nothing: cancelled, no destination and no temporary file left. */
static void ends_with_nothing(struct harness *h, bgcopy_job *job)
{
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(harness_out_count(h), 0);
}

/* One hostile answer: the file `name` of `size` bytes, fetched from
 * `path` (on the raw port when `raw`), first fails in `state` with an
 * error of `context` (and `status`, `needle` when given) and nothing at
 * the destination; a transient failure then ends whole, a permanent one
 * with nothing. */
struct hostile {
	const char *name, *path;
	size_t size;
	bool raw;
	enum bgcopy_state state;
	int context, status;
	const char *needle;
};

static void answered(struct harness *h, const struct hostile *k)
{
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;

	harness_make_file(h, k->name, k->size);
	job = start_url(e, k->raw ? harness_raw_url(h, k->path) : harness_url(h, k->path),
			harness_out(h, k->name), 1000);
	fails_with(job, k->state, k->context, k->status, k->needle);
	assert_false(harness_exists(harness_out(h, k->name)));
	if (k->state == BGCOPY_ERROR)
		ends_with_nothing(h, job);
	else
		ends_whole(h, job, k->name);
	bgcopy_engine_close(e);
}

static void a_body_longer_than_announced_is_refused(void **state)
{
	/* Small: libcurl sees extra bytes only when they come with the end
	 * of the body in one read. */
	answered(*state, &(struct hostile){ "long.bin", "/raw/long:100/long.bin",
		 1000, true, BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_REMOTE_FILE, 0,
		 "more bytes than its Content-Length" });
	/* Its bytes were not kept: the next answer started over. */
	assert_true(harness_log_has(*state, "GET /raw/long:100/long.bin range=- status=200"));
}

static void gone_is_permanent_and_server_error_transient(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *gone, *broken;

	harness_make_file(h, "g.bin", 1000);
	gone = start_url(e, harness_url(h, "/fault/410/g.bin"), harness_out(h, "g.bin"), 200);
	broken = start_url(e, harness_url(h, "/fault/500/g.bin"), harness_out(h, "b.bin"), 200);
	fails_with(gone, BGCOPY_ERROR, BGCOPY_ERRCTX_REMOTE_FILE, 410, "HTTP 410");
	fails_with(broken, BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_REMOTE_FILE, 500,
		   "HTTP 500");
	assert_int_equal(bgcopy_job_cancel(gone), BGCOPY_OK);
	ends_with_nothing(h, broken);
	bgcopy_engine_close(e);
}

/* A job of one file with a no-progress timeout of 1 s, resumed. */
static bgcopy_job *start_timed(bgcopy_engine *e, const char *url, const char *out)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "timed", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, url, out), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_no_progress_timeout(job, 1), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	return job;
}

static void a_huge_retry_after_waits_no_longer_than_the_engine(void **state)
{
	long start = harness_now_ms();

	answered(*state, &(struct hostile){ "ra.bin",
		 "/fault/retry-after:1000000000000/ra.bin", 5000, false,
		 BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_REMOTE_FILE, 503, NULL });
	/* The job's own retry delay, not 31 700 years. */
	assert_true(harness_now_ms() - start < 5000);
}

static void a_trickle_is_progress_under_the_timeout(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	long start = harness_now_ms();

	/* 2.5 s of body at ten writes a second, against a 1 s timeout. */
	harness_make_file(h, "trickle.bin", 20000);
	job = start_timed(e, harness_url(h, "/fault/slow:8000/trickle.bin"),
			  harness_out(h, "trickle.bin"));
	ends_whole(h, job, "trickle.bin");
	assert_true(harness_now_ms() - start >= 1500);
	bgcopy_engine_close(e);
}

/* A job whose only file comes from the raw port's `path`, with a 1 s
 * no-progress timeout: it must end in ERROR, said to be the timeout,
 * with nothing kept. */
static void times_out(struct harness *h, const char *path)
{
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;

	harness_make_file(h, "stall.bin", SIZE);
	job = start_timed(e, harness_raw_url(h, path), harness_out(h, "stall.bin"));
	fails_with(job, BGCOPY_ERROR, BGCOPY_ERRCTX_ENGINE, 0, "no progress for 1000 ms");
	assert_false(harness_exists(harness_out(h, "stall.bin")));
	ends_with_nothing(h, job);
	bgcopy_engine_close(e);
}

static void a_stall_ends_in_the_no_progress_timeout(void **state)
{
	times_out(*state, "/raw/stall:5000/stall.bin");
}

static void trickled_headers_are_no_progress(void **state)
{
	times_out(*state, "/raw/drip-headers/stall.bin");
}

static void a_reset_at_any_offset_resumes_to_one_version(void **state)
{
	static const char *const specs[] = {
		"reset:0", "reset:20", "reset-body:1", "reset-body:100000",
		"reset-body:199999",
	};
	enum { N = sizeof(specs) / sizeof(*specs) };
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *jobs[N];
	char path[200], name[40];

	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "reset%zu.bin", i);
		harness_make_file(h, name, SIZE);
		snprintf(path, sizeof(path), "/raw/%s/%s", specs[i], name);
		jobs[i] = start_url(e, harness_raw_url(h, path), harness_out(h, name), 1500);
	}
	for (size_t i = 0; i < N; i++)
		fails_with(jobs[i], BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_TRANSPORT, 0, NULL);
	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "reset%zu.bin", i);
		ends_whole(h, jobs[i], name);
	}
	/* Cut inside the body: the rest was asked for, not the whole. */
	assert_true(harness_log_has(h, "GET /raw/reset-body:199999/reset4.bin "
				    "range=bytes=199999- status=206"));
	bgcopy_engine_close(e);
}

static void a_range_short_of_the_end_is_refused(void **state)
{
	answered(*state, &(struct hostile){ "end.bin",
		 "/fault/reset-short-end:100000/end.bin", SIZE, false,
		 BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_REMOTE_FILE, 206,
		 "server answered range 100000-199998 to a request for 100000-" });
	/* Its bytes were not taken: the file started over. */
	assert_true(harness_log_has(*state, "GET /fault/reset-short-end:100000/end.bin "
				    "range=- status=200"));
}

static void a_body_ended_by_close_is_refused(void **state)
{
	answered(*state, &(struct hostile){ "old.bin", "/raw/http10/old.bin", SIZE,
		 true, BGCOPY_ERROR, BGCOPY_ERRCTX_REMOTE_FILE, 200,
		 "neither a Content-Length nor a chunked body" });
}

static void bad_chunking_is_transient_then_whole(void **state)
{
	answered(*state, &(struct hostile){ "chunk.bin", "/raw/bad-chunk/chunk.bin",
		 SIZE, true, BGCOPY_TRANSIENT_ERROR, BGCOPY_ERRCTX_TRANSPORT, 0, NULL });
}

static void an_empty_file_is_a_file(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	struct bgcopy_progress p;
	bgcopy_job *job;
	struct stat st;

	harness_make_file(h, "empty.bin", 0);
	job = start_url(e, harness_url(h, "/empty.bin"), harness_out(h, "empty.bin"), 200);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_job_get_progress(job, &p);
	assert_int_equal(p.bytes_total, 0);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_int_equal(stat(harness_out(h, "empty.bin"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 0);
	unlink(harness_out(h, "empty.bin"));
	bgcopy_engine_close(e);
}

/* A complete or cancel running in a thread of its own. */
struct ender {
	pthread_t thread;
	bgcopy_job *job;
	int (*verb)(bgcopy_job *job);
	int status;
};

static void *end_job(void *arg)
{
	struct ender *c = arg;

	c->status = c->verb(c->job);
	return NULL;
}

/* Transfers `name`, then starts `verb` on its job in a thread; the verb's
 * file-system step takes 1.5 s (a hung mount, as tests have it). */
static void start_ending(struct harness *h, bgcopy_engine *e, const char *name,
			 int (*verb)(bgcopy_job *), struct ender *c)
{
	harness_make_file(h, name, 5000);
	c->job = start_url(e, harness_url(h, name), harness_out(h, name + 1), 200);
	c->verb = verb;
	assert_true(harness_wait_state(c->job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(pthread_create(&c->thread, NULL, end_job, c), 0);
	harness_sleep_ms(200);		/* well inside the file-system step */
}

/* Another job is created, runs and transfers within a second. */
static bgcopy_job *another_job_runs(struct harness *h, bgcopy_engine *e)
{
	long before = harness_now_ms();
	bgcopy_job *other;

	harness_make_file(h, "other.bin", 5000);
	other = start_url(e, harness_url(h, "/other.bin"), harness_out(h, "other.bin"), 200);
	assert_true(harness_wait_state(other, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_true(harness_now_ms() - before < 1000);
	return other;
}

/* `verb` on a transferred job whose file-system step hangs 1.5 s (the
 * test delay `env`): another job runs meanwhile, a complete of the job
 * is refused meanwhile, and the verb ends the job in `final`.  Returns
 * the other job, TRANSFERRED. */
/* The daemon's environment is the one it started with. */
#define SLOW_AFTER_OPEN "it sets a slow-I/O variable after the daemon started"

static bgcopy_job *hung_verb(struct harness *h, bgcopy_engine *e, const char *env,
			     const char *name, int (*verb)(bgcopy_job *),
			     enum bgcopy_state final)
{
	struct ender slow;
	bgcopy_job *other;

	setenv(env, "1500", 1);
	start_ending(h, e, name, verb, &slow);
	other = another_job_runs(h, e);
	assert_int_equal(bgcopy_job_complete(slow.job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(pthread_join(slow.thread, NULL), 0);
	unsetenv(env);
	assert_int_equal(slow.status, BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(slow.job), final);
	return other;
}

static void a_hung_commit_stalls_no_other_job(void **state)
{
	harness_skip_through_daemon(SLOW_AFTER_OPEN);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	struct ender cancelled;
	bgcopy_job *other;

	other = hung_verb(h, e, "BGCOPY_TEST_SLOW_COMMIT_MS", "/slow.bin",
			  bgcopy_job_complete, BGCOPY_ACKNOWLEDGED);
	assert_true(harness_same(h, "slow.bin", harness_out(h, "slow.bin")));
	unlink(harness_out(h, "slow.bin"));

	/* Cancelled while its files were being committed: not completed,
	 * and nothing at the destination. */
	setenv("BGCOPY_TEST_SLOW_COMMIT_MS", "1500", 1);
	start_ending(h, e, "/gone.bin", bgcopy_job_complete, &cancelled);
	assert_int_equal(bgcopy_job_cancel(cancelled.job), BGCOPY_OK);
	assert_int_equal(pthread_join(cancelled.thread, NULL), 0);
	unsetenv("BGCOPY_TEST_SLOW_COMMIT_MS");
	assert_int_not_equal(cancelled.status, BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(cancelled.job), BGCOPY_CANCELLED);
	assert_false(harness_exists(harness_out(h, "gone.bin")));
	ends_whole(h, other, "other.bin");
	bgcopy_engine_close(e);
}

/* A write of another call that fails while a complete has the lock let
 * go (its files being committed) is that call's failure, not the
 * complete's, which did record what it did. */
static void a_write_failing_under_a_hung_commit_is_not_the_commits(void **state)
{
	harness_skip_through_daemon(SLOW_AFTER_OPEN);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	struct ender slow;
	bgcopy_job *other;
	sqlite3 *holder;

	assert_int_equal(bgcopy_job_create(e, "other", &other), BGCOPY_OK);
	setenv("BGCOPY_TEST_SLOW_COMMIT_MS", "3000", 1);
	start_ending(h, e, "/slow.bin", bgcopy_job_complete, &slow);
	/* Another connection holds the database longer than a write waits. */
	assert_int_equal(sqlite3_open(harness_store_db(h), &holder), SQLITE_OK);
	assert_int_equal(sqlite3_exec(holder, "BEGIN EXCLUSIVE;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(bgcopy_job_set_display_name(other, "renamed"), BGCOPY_E_STORE);
	assert_int_equal(sqlite3_exec(holder, "ROLLBACK;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(holder);
	assert_int_equal(pthread_join(slow.thread, NULL), 0);
	unsetenv("BGCOPY_TEST_SLOW_COMMIT_MS");
	assert_int_equal(slow.status, BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(slow.job), BGCOPY_ACKNOWLEDGED);
	assert_true(harness_same(h, "slow.bin", harness_out(h, "slow.bin")));
	unlink(harness_out(h, "slow.bin"));
	assert_int_equal(bgcopy_job_cancel(other), BGCOPY_OK);
	bgcopy_engine_close(e);
}

static void a_hung_cancel_stalls_no_other_job(void **state)
{
	harness_skip_through_daemon(SLOW_AFTER_OPEN);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *other;

	other = hung_verb(h, e, "BGCOPY_TEST_SLOW_REMOVE_MS", "/drop.bin",
			  bgcopy_job_cancel, BGCOPY_CANCELLED);
	assert_false(harness_exists(harness_out(h, "drop.bin")));
	ends_whole(h, other, "other.bin");
	assert_int_equal(harness_out_count(h), 0);	/* no temporary file left */
	bgcopy_engine_close(e);
}

static void a_hung_open_stalls_no_call(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	bgcopy_job *job;
	long before;

	setenv("BGCOPY_TEST_SLOW_OPEN_MS", "1500", 1);
	e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	harness_make_file(h, "open.bin", 5000);
	job = start_url(e, harness_url(h, "/open.bin"), harness_out(h, "open.bin"), 200);
	/* Inside the temporary file's open, which a new file's body makes
	 * at its first write: answered, and not done while it hangs. */
	before = harness_now_ms() + 1000;
	while (bgcopy_job_get_state(job) == BGCOPY_CONNECTING && harness_now_ms() < before)
		harness_sleep_ms(10);
	harness_sleep_ms(100);
	before = harness_now_ms();
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRING);
	assert_int_equal(harness_log_count(h, "GET /open.bin "), 1);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 1);
	/* Cancelled while its temporary file was being opened: whatever
	 * the open made is removed once it returns. */
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_true(harness_now_ms() - before < 500);
	harness_sleep_ms(1800);
	unsetenv("BGCOPY_TEST_SLOW_OPEN_MS");
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_CANCELLED);
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

struct adder {
	pthread_t thread;
	bgcopy_job *job;
	char url[512], path[PATH_MAX];
	int status;
	char error[256];	/* bgcopy_last_error is the thread's */
	bool done;
};

static void *add_one_file(void *arg)
{
	struct adder *a = arg;

	a->status = bgcopy_job_add_file(a->job, a->url, a->path);
	snprintf(a->error, sizeof(a->error), "%s", bgcopy_last_error());
	__atomic_store_n(&a->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* A destination's checks (stat, access) hang 1.5 s, as on a hung mount:
 * another job runs meanwhile and the job's cancel is answered at once;
 * the add, cancelled under it, adds nothing. */
static void a_hung_destination_check_stalls_no_other_job(void **state)
{
	harness_skip_through_daemon(SLOW_AFTER_OPEN);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	struct adder slow = { .done = false };
	bgcopy_job *other;
	long before;

	harness_make_file(h, "other.bin", 5000);
	assert_int_equal(bgcopy_job_create(e, "other", &other), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(other, harness_url(h, "/other.bin"),
					     harness_out(h, "other.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "checked", &slow.job), BGCOPY_OK);
	snprintf(slow.url, sizeof(slow.url), "%s", harness_url(h, "/checked.bin"));
	snprintf(slow.path, sizeof(slow.path), "%s", harness_out(h, "checked.bin"));
	setenv("BGCOPY_TEST_SLOW_CHECK_MS", "1500", 1);
	assert_int_equal(pthread_create(&slow.thread, NULL, add_one_file, &slow), 0);
	harness_sleep_ms(200);		/* well inside the checks */
	before = harness_now_ms();
	assert_int_equal(bgcopy_job_resume(other), BGCOPY_OK);
	assert_true(harness_wait_state(other, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_cancel(slow.job), BGCOPY_OK);
	assert_false(__atomic_load_n(&slow.done, __ATOMIC_ACQUIRE));
	assert_true(harness_now_ms() - before < 1000);
	assert_int_equal(pthread_join(slow.thread, NULL), 0);
	unsetenv("BGCOPY_TEST_SLOW_CHECK_MS");
	assert_int_equal(slow.status, BGCOPY_E_INVALID_STATE);
	assert_non_null(strstr(slow.error, "while its files were checked"));
	assert_int_equal(harness_progress(slow.job).files_total, 0);
	ends_whole(h, other, "other.bin");
	assert_int_equal(harness_out_count(h), 0);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_body_longer_than_announced_is_refused),
		cmocka_unit_test(gone_is_permanent_and_server_error_transient),
		cmocka_unit_test(a_huge_retry_after_waits_no_longer_than_the_engine),
		cmocka_unit_test(a_trickle_is_progress_under_the_timeout),
		cmocka_unit_test(a_stall_ends_in_the_no_progress_timeout),
		cmocka_unit_test(trickled_headers_are_no_progress),
		cmocka_unit_test(a_reset_at_any_offset_resumes_to_one_version),
		cmocka_unit_test(a_range_short_of_the_end_is_refused),
		cmocka_unit_test(a_body_ended_by_close_is_refused),
		cmocka_unit_test(bad_chunking_is_transient_then_whole),
		cmocka_unit_test(an_empty_file_is_a_file),
		cmocka_unit_test(a_hung_commit_stalls_no_other_job),
		cmocka_unit_test(a_write_failing_under_a_hung_commit_is_not_the_commits),
		cmocka_unit_test(a_hung_cancel_stalls_no_other_job),
		cmocka_unit_test(a_hung_open_stalls_no_call),
		cmocka_unit_test(a_hung_destination_check_stalls_no_other_job),
	};

	return cmocka_run_group_tests_name("hostile servers", tests,
					   harness_group_setup, harness_group_teardown);
}
