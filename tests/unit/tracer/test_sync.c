/* A finished file's sync (issue 17): a job's next file starts while the one before is synced, whose completion waits for it; a file that cannot be synced fails its job; a file let go while its temporary file is made off the lock; the store's checkpoints off the lock. */
/*
 * This program defines syncfs, fdatasync and open, so the engine it
 * loads calls these: each does its work for real unless the test holds
 * or fails the syncs of temporary files, holds the store's syncs (those
 * of its checkpoints, never failed), or holds the creation of temporary
 * files.  The engine must be in this process: through bgcopyd the tests
 * are skipped.  Nothing here is timed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define LONG_WAIT_MS 60000

static pthread_mutex_t sync_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
#define TEMPORARY ".bgcopy-tmp"
static const char *holding;	/* files named so have their syncs wait, NULL: none */
static unsigned held;		/* syncs waiting now */
static unsigned passed;		/* temporary files' syncs that went through */
static bool holding_creates;	/* temporary files wait before they are made */
static unsigned creates_held;	/* creations waiting now, or that waited */
static int failing;		/* their errno, 0: they succeed */

static bool fd_path(int fd, char *path, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, size - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	return true;
}

/* Lock held: while syncs of files named as `path` are to wait. */
static void wait_if_held(const char *path)
{
	if (!holding || !strstr(path, holding))
		return;
	held++;
	pthread_cond_broadcast(&sync_cond);
	while (holding && strstr(path, holding))
		pthread_cond_wait(&sync_cond, &sync_mu);
	held--;
}

/* 0 to sync, else the errno to fail with. */
static int judge(const char *path)
{
	int code;

	pthread_mutex_lock(&sync_mu);
	wait_if_held(path);
	code = strstr(path, TEMPORARY) ? failing : 0;
	pthread_mutex_unlock(&sync_mu);
	return code;
}

static int synced(int fd, long call)
{
	char path[PATH_MAX];
	int code, rc;

	if (!fd_path(fd, path, sizeof(path)))
		return (int)syscall(call, fd);
	code = judge(path);
	if (code) {
		errno = code;
		return -1;
	}
	rc = (int)syscall(call, fd);
	pthread_mutex_lock(&sync_mu);
	passed += strstr(path, TEMPORARY) != NULL;
	pthread_mutex_unlock(&sync_mu);
	return rc;
}

int syncfs(int fd)
{
	return synced(fd, SYS_syncfs);
}

int fdatasync(int fd)
{
	return synced(fd, SYS_fdatasync);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
		pthread_mutex_lock(&sync_mu);
		if (holding_creates && strstr(path, TEMPORARY)) {
			creates_held++;
			while (holding_creates)
				pthread_cond_wait(&sync_cond, &sync_mu);
		}
		pthread_mutex_unlock(&sync_mu);
	}
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

static void hold_creates(bool hold)
{
	pthread_mutex_lock(&sync_mu);
	holding_creates = hold;
	if (hold)
		creates_held = 0;
	pthread_cond_broadcast(&sync_cond);
	pthread_mutex_unlock(&sync_mu);
}

/* Temporary files in the download directory. */
static int temporaries(struct harness *h)
{
	DIR *d = opendir(h->out);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strstr(e->d_name, TEMPORARY) != NULL;
	closedir(d);
	return n;
}

/* Syncs of files whose path holds `names` wait (NULL: none); those of
 * temporary files fail with `fail_with` (0: they succeed). */
static void hold_syncs(const char *names, int fail_with)
{
	pthread_mutex_lock(&sync_mu);
	holding = names;
	failing = fail_with;
	pthread_cond_broadcast(&sync_cond);
	pthread_mutex_unlock(&sync_mu);
}

/* Until at least `n` syncs wait, or have gone through. */
static bool wait_count(const unsigned *count, unsigned n)
{
	long deadline = harness_now_ms() + LONG_WAIT_MS;
	bool ok;

	pthread_mutex_lock(&sync_mu);
	while (*count < n && harness_now_ms() < deadline) {
		pthread_mutex_unlock(&sync_mu);
		harness_sleep_ms(5);
		pthread_mutex_lock(&sync_mu);
	}
	ok = *count >= n;
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
	hold_syncs(TEMPORARY, 0);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* Every file fetched, one at a time, with no sync done: not one
	 * of them complete until theirs is. */
	assert_true(wait_count(&held, 1));
	while (harness_log_count(h, "GET /s2.bin ") < 1 && harness_now_ms() < deadline)
		harness_sleep_ms(5);
	assert_int_equal(harness_log_count(h, "GET /s2.bin "), 1);
	assert_int_equal(harness_log_count(h, "GET /s0.bin "), 1);
	assert_int_equal(harness_log_count(h, "GET /s1.bin "), 1);
	assert_int_equal(harness_progress(job).files_transferred, 0);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRING);
	hold_syncs(NULL, 0);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	assert_int_equal(harness_progress(job).files_transferred, 3);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	for (unsigned i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%u.bin", i);
		assert_int_equal(bgcopy_job_get_file(job, i, &info), BGCOPY_OK);
		assert_true(harness_same(h, name, info.local_path));
	}
	bgcopy_engine_close(e);
}

static bool file_completed(bgcopy_job *job, unsigned index)
{
	struct bgcopy_file_info info;

	assert_int_equal(bgcopy_job_get_file(job, index, &info), BGCOPY_OK);
	return info.completed;
}

static void a_serial_job_completes_its_files_in_index_order(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	bgcopy_job *job;

	harness_skip_through_daemon("the syncs are this process's");
	e = harness_engine(h, 0);
	job = serial_job(h, e, 2);
	hold_syncs("-0" TEMPORARY, 0);	/* the first file's only */
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(wait_count(&held, 1));
	/* The second file is fetched and synced while the first one's sync
	 * waits: it must not complete before it (a window to, had it). */
	assert_true(wait_count(&passed, 1));
	harness_sleep_ms(300);
	assert_false(file_completed(job, 1));
	assert_int_equal(harness_progress(job).files_transferred, 0);
	hold_syncs(NULL, 0);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	assert_true(file_completed(job, 0) && file_completed(job, 1));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
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
	hold_syncs(NULL, EIO);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, LONG_WAIT_MS));
	hold_syncs(NULL, 0);
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_LOCAL_FILE);
	assert_int_equal(err.code, EIO);
	assert_int_equal(err.file_index, 0);
	assert_non_null(strstr(err.description, "cannot sync"));
	assert_non_null(strstr(err.description, ".bgcopy-tmp"));
	/* Nothing of it counts as done; a resume fetches it again. */
	assert_int_equal(harness_progress(job).files_transferred, 0);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	bgcopy_engine_close(e);
}

/* A new file's temporary file is made by its body's first write, off
 * the engine lock.  A cancel that comes after that write claimed the
 * name but before the file exists removes nothing: the file's maker must
 * remove what it made. */
static void a_file_cancelled_while_its_temporary_file_is_made_leaves_none(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	bgcopy_job *job;

	harness_skip_through_daemon("the files are made in this process");
	e = harness_engine(h, 0);
	job = serial_job(h, e, 1);
	hold_creates(true);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(wait_count(&creates_held, 1));
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(temporaries(h), 0);
	hold_creates(false);
	/* Closing takes every transfer back, its file made by then. */
	bgcopy_engine_close(e);
	assert_int_equal(temporaries(h), 0);
}

/* Suspended and resumed while its temporary file is made: the file's
 * next transfer waits until that one is taken back (one maker of a name
 * at a time), then fetches it whole. */
static void a_file_resumed_while_its_temporary_file_is_made_waits_for_it(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	bgcopy_job *job;
	struct bgcopy_file_info info;
	int gets = harness_log_count(h, "GET /s0.bin ");

	harness_skip_through_daemon("the files are made in this process");
	e = harness_engine(h, 0);
	job = serial_job(h, e, 1);
	hold_creates(true);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(wait_count(&creates_held, 1));
	assert_int_equal(bgcopy_job_suspend(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	/* A window for a second GET, had the file been let go at once. */
	harness_sleep_ms(300);
	assert_int_equal(harness_log_count(h, "GET /s0.bin "), gets + 1);
	hold_creates(false);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, LONG_WAIT_MS));
	assert_int_equal(harness_log_count(h, "GET /s0.bin "), gets + 2);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_file(job, 0, &info), BGCOPY_OK);
	assert_true(harness_same(h, "s0.bin", info.local_path));
	assert_int_equal(temporaries(h), 0);
	bgcopy_engine_close(e);
}

/* Jobs created one after another, each a transaction of the store. */
struct writer {
	bgcopy_engine *engine;
	unsigned after_held;	/* how many to create once a store sync waits */
	unsigned done;		/* under sync_mu, as is failed */
	bool failed;
};

#define MANY_JOBS 20000u	/* far more than a checkpoint needs */

static void *create_jobs(void *arg)
{
	struct writer *w = arg;
	unsigned after = 0;
	bgcopy_job *job;
	bool failed = false;

	for (unsigned i = 0; i < MANY_JOBS && after < w->after_held; i++) {
		if (bgcopy_job_create(w->engine, "checkpoint", &job) != BGCOPY_OK) {
			failed = true;
			break;
		}
		pthread_mutex_lock(&sync_mu);
		after += held > 0;
		pthread_mutex_unlock(&sync_mu);
	}
	pthread_mutex_lock(&sync_mu);
	w->done = 1;
	w->failed = failed || after < w->after_held;
	pthread_mutex_unlock(&sync_mu);
	return NULL;
}

/* A checkpoint syncs the store's log and database: made in the commit
 * that crossed its threshold, with the engine lock held, every call
 * waited for it. */
static void a_checkpoint_held_in_its_sync_stalls_no_call(void **state)
{
	struct harness *h = *state;
	struct writer w = { .after_held = 200 };
	pthread_t thread;

	harness_skip_through_daemon("the store's syncs are this process's");
	w.engine = harness_engine(h, 0);
	hold_syncs("jobs.db", 0);
	assert_int_equal(pthread_create(&thread, NULL, create_jobs, &w), 0);
	assert_true(wait_count(&held, 1));
	/* 200 more jobs made while the checkpoint's sync is held. */
	assert_true(wait_count(&w.done, 1));
	pthread_mutex_lock(&sync_mu);
	assert_true(held > 0);
	pthread_mutex_unlock(&sync_mu);
	hold_syncs(NULL, 0);
	pthread_join(thread, NULL);
	assert_false(w.failed);
	bgcopy_engine_close(w.engine);
}

/* The log starts over only at a write that finds all of it copied into
 * the database, which a checkpoint made beside a steady stream of writes
 * never does by itself. */
static void a_steady_stream_of_writes_keeps_the_log_short(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	/* The engine starts the log over from 4,000 frames of 4 KiB (and
	 * 24 bytes) on; SQLite leaves the file at its longest. */
	const off_t limit = 2 * 4000 * (4096 + 24);
	char wal[400];
	struct stat st;

	harness_skip_through_daemon("the store is this process's");
	e = harness_engine(h, 0);
	for (unsigned i = 0; i < 8000; i++) {
		bgcopy_job *job;

		assert_int_equal(bgcopy_job_create(e, "log", &job), BGCOPY_OK);
		assert_int_equal(bgcopy_job_set_description(job, "a change"), BGCOPY_OK);
	}
	snprintf(wal, sizeof(wal), "%s-wal", harness_store_db(h));
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_size > 0);
	assert_true(st.st_size < limit);
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
		cmocka_unit_test(a_serial_job_completes_its_files_in_index_order),
		cmocka_unit_test(a_file_that_cannot_be_synced_fails_its_job),
		cmocka_unit_test(a_file_cancelled_while_its_temporary_file_is_made_leaves_none),
		cmocka_unit_test(a_file_resumed_while_its_temporary_file_is_made_waits_for_it),
		cmocka_unit_test(a_checkpoint_held_in_its_sync_stalls_no_call),
		cmocka_unit_test(a_steady_stream_of_writes_keeps_the_log_short),
	};

	return cmocka_run_group_tests_name("syncs", tests, group_setup,
					   harness_group_teardown);
}
