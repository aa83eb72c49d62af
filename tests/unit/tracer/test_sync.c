/* A finished file's sync (issue 17): a job's next file starts while the one before is synced, whose completion waits for it; a file that cannot be synced fails its job. */
/*
 * This program defines syncfs and fdatasync, so the engine it loads
 * calls these: each syncs for real unless the test holds or fails the
 * syncs of temporary files (the store's own syncs always go through,
 * as they are made with the engine lock held).  The engine must be in
 * this process: through bgcopyd the tests are skipped.  Nothing here is
 * timed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define LONG_WAIT_MS 60000

static pthread_mutex_t sync_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
static bool holding;		/* temporary files' syncs wait */
static unsigned held;		/* syncs waiting now */
static int failing;		/* their errno, 0: they succeed */

static bool is_temporary(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	return strstr(path, ".bgcopy-tmp") != NULL;
}

/* 0 to sync, else the errno to fail with. */
static int judge(int fd)
{
	int code;

	if (!is_temporary(fd))
		return 0;
	pthread_mutex_lock(&sync_mu);
	held++;
	pthread_cond_broadcast(&sync_cond);
	while (holding)
		pthread_cond_wait(&sync_cond, &sync_mu);
	held--;
	code = failing;
	pthread_mutex_unlock(&sync_mu);
	return code;
}

static int synced(int fd, long call)
{
	int code = judge(fd);

	if (code) {
		errno = code;
		return -1;
	}
	return (int)syscall(call, fd);
}

int syncfs(int fd)
{
	return synced(fd, SYS_syncfs);
}

int fdatasync(int fd)
{
	return synced(fd, SYS_fdatasync);
}

static void hold_syncs(bool hold, int fail_with)
{
	pthread_mutex_lock(&sync_mu);
	holding = hold;
	failing = fail_with;
	pthread_cond_broadcast(&sync_cond);
	pthread_mutex_unlock(&sync_mu);
}

/* Until at least `n` syncs wait. */
static bool wait_held(unsigned n)
{
	long deadline = harness_now_ms() + LONG_WAIT_MS;
	bool ok;

	pthread_mutex_lock(&sync_mu);
	while (held < n && harness_now_ms() < deadline) {
		pthread_mutex_unlock(&sync_mu);
		harness_sleep_ms(5);
		pthread_mutex_lock(&sync_mu);
	}
	ok = held >= n;
	pthread_mutex_unlock(&sync_mu);
	return ok;
}

static bgcopy_job *serial_job(struct harness *h, bgcopy_engine *e, unsigned n)
{
	bgcopy_job *job;
	char path[32], out[32];

	assert_int_equal(bgcopy_job_create(e, "sync", &job), BGCOPY_OK);
	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/s%u.bin", i);
		snprintf(out, sizeof(out), "s%p-%u.bin", (void *)job, i);
		assert_int_equal(bgcopy_job_add_file(job, harness_url(h, path),
						     harness_out(h, out)), BGCOPY_OK);
	}
	assert_int_equal(bgcopy_job_get_parallel_files(job), 1);
	return job;
}

static unsigned files_done(bgcopy_job *job)
{
	struct bgcopy_progress progress;

	assert_int_equal(bgcopy_job_get_progress(job, &progress), BGCOPY_OK);
	return progress.files_transferred;
}

static void the_next_file_starts_while_the_last_is_synced(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	bgcopy_job *job;
	struct bgcopy_file_info info;
	long deadline = harness_now_ms() + LONG_WAIT_MS;

	harness_skip_through_daemon("the syncs are this process's");
	e = harness_engine(h, 0);
	job = serial_job(h, e, 3);
	hold_syncs(true, 0);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* Every file fetched, one at a time, with no sync done: not one
	 * of them complete until theirs is. */
	assert_true(wait_held(1));
	while (harness_log_count(h, "GET /s2.bin ") < 1 && harness_now_ms() < deadline)
		harness_sleep_ms(5);
	assert_int_equal(harness_log_count(h, "GET /s2.bin "), 1);
	assert_int_equal(harness_log_count(h, "GET /s0.bin "), 1);
	assert_int_equal(harness_log_count(h, "GET /s1.bin "), 1);
	assert_int_equal(files_done(job), 0);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRING);
	hold_syncs(false, 0);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	assert_int_equal(files_done(job), 3);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	for (unsigned i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%u.bin", i);
		assert_int_equal(bgcopy_job_get_file(job, i, &info), BGCOPY_OK);
		assert_true(harness_same(h, name, info.local_path));
	}
	bgcopy_engine_close(e);
}

static void a_file_that_cannot_be_synced_fails_its_job(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	bgcopy_job *job;
	struct bgcopy_error err;

	harness_skip_through_daemon("the syncs are this process's");
	e = harness_engine(h, 0);
	job = serial_job(h, e, 2);
	hold_syncs(false, EIO);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, LONG_WAIT_MS));
	hold_syncs(false, 0);
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_LOCAL_FILE);
	assert_int_equal(err.code, EIO);
	assert_int_equal(err.file_index, 0);
	assert_non_null(strstr(err.description, "cannot sync"));
	assert_non_null(strstr(err.description, ".bgcopy-tmp"));
	/* Nothing of it counts as done; a resume fetches it again. */
	assert_int_equal(files_done(job), 0);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	bgcopy_engine_close(e);
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (rc)
		return rc;
	harness_make_file(*state, "s0.bin", 3000);
	harness_make_file(*state, "s1.bin", 5000);
	harness_make_file(*state, "s2.bin", 7000);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_next_file_starts_while_the_last_is_synced),
		cmocka_unit_test(a_file_that_cannot_be_synced_fails_its_job),
	};

	return cmocka_run_group_tests_name("syncs", tests, group_setup,
					   harness_group_teardown);
}
