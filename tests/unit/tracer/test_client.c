/* Client mode: the engine through a real bgcopyd started on demand, and notify interfaces across the process boundary. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness_probe.h"

/* A client engine on a fresh store: the first open starts its daemon. */
static bgcopy_engine *client_engine(struct harness *h)
{
	struct bgcopy_engine_options opt = {
		.flags = BGCOPY_OPEN_SERVICE, .test_options = SHORT,
	};
	bgcopy_engine *e = harness_engine_with(h, &opt);

	assert_int_equal(bgcopy_engine_is_client(e), 1);
	return e;
}

static bool wait_epoch_above(bgcopy_job *job, uint64_t epoch, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (bgcopy_job_get_notify_epoch(job) <= epoch)
		if (harness_now_ms() > deadline)
			return false;
		else
			harness_sleep_ms(10);
	return true;
}

static void verbs_and_callbacks_go_through_the_daemon(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = client_engine(h), *embedded;
	struct bgcopy_engine_options force = { .flags = BGCOPY_OPEN_EMBEDDED };
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 2,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);
	struct bgcopy_progress progress;
	struct bgcopy_file_info file;

	/* The daemon holds the store; the embedded engine cannot. */
	assert_int_equal(bgcopy_engine_open(h->store, &force, &embedded), BGCOPY_E_STORE_BUSY);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_epoch(job), 1);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	assert_true(probe_wait_calls(p, F, 2, WAIT_MS));
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_progress(job, &progress), BGCOPY_OK);
	assert_int_equal(progress.files_transferred, 2);
	/* The daemon's named errors are the embedded engine's codes. */
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_set_notify_flags(job, 0x40), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_ACKNOWLEDGED);
	assert_int_equal(bgcopy_job_get_file(job, 0, &file), BGCOPY_OK);
	assert_true(harness_same(h, "n.bin", file.local_path));
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
	probe_free(p);
}

/* A file's expected digest is the daemon's: the mirror carries it. */
static void a_file_digest_is_read_from_the_daemon(void **state)
{
	static const char upper[] =
		"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
	struct harness *h = *state;
	bgcopy_engine *e = client_engine(h);
	bgcopy_job *job;
	char hex[65];

	assert_int_equal(bgcopy_job_create(e, "digest", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file_sha256(job, harness_url(h, "/a.bin"),
						    harness_out(h, "a.bin"), upper), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/b.bin"),
					     harness_out(h, "b.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_file_sha256(job, 0, hex, sizeof(hex)), BGCOPY_OK);
	assert_string_equal(hex, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	assert_int_equal(bgcopy_job_get_file_sha256(job, 1, hex, sizeof(hex)), BGCOPY_OK);
	assert_string_equal(hex, "");
	assert_int_equal(bgcopy_job_get_file_sha256(job, 2, hex, sizeof(hex)), BGCOPY_E_NOT_FOUND);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
}

/* Names, descriptions and local paths are bytes: ones that are not
 * UTF-8 cross the daemon and come back as they were. */
static void bytes_that_are_not_utf8_cross_the_daemon(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = client_engine(h);
	struct bgcopy_file_info file;
	bgcopy_job *job;
	char text[64], path[4096];

	snprintf(path, sizeof(path), "%s", harness_out(h, "\xff.bin"));
	assert_int_equal(bgcopy_job_create(e, "caf\xe9", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_description(job, "\xfe\xff"), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/a.bin"), path), BGCOPY_OK);
	bgcopy_job_get_display_name(job, text, sizeof(text));
	assert_string_equal(text, "caf\xe9");
	bgcopy_job_get_description(job, text, sizeof(text));
	assert_string_equal(text, "\xfe\xff");
	assert_int_equal(bgcopy_job_get_file(job, 0, &file), BGCOPY_OK);
	assert_string_equal(file.local_path, path);
	assert_int_equal(bgcopy_job_set_display_name(job, "\xc0\x80"), BGCOPY_OK);
	bgcopy_job_get_display_name(job, text, sizeof(text));
	assert_string_equal(text, "\xc0\x80");	/* an overlong NUL, kept as bytes */
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
}

/* The child is told the store and the job's id, registers, takes
 * JobTransferred and dies inside it. */
static void die_inside_a_callback(struct harness *h, int id_fd, int ready)
{
	struct bgcopy_engine_options opt = { .flags = BGCOPY_OPEN_SERVICE, .test_options = SHORT };
	struct probe *p = probe_new();
	bgcopy_engine *e;
	bgcopy_job *job;
	char id[37];

	p->block = true;
	if (read(id_fd, h->store, sizeof(h->store)) != (ssize_t)sizeof(h->store) ||
	    read(id_fd, id, sizeof(id)) != (ssize_t)sizeof(id) ||
	    bgcopy_engine_open(h->store, &opt, &e) || bgcopy_engine_find_job(e, id, &job) ||
	    bgcopy_job_set_notify_interface(job, &p->base) ||
	    write(ready, "r", 1) != 1)
		_exit(2);
	probe_wait_calls(p, T, 1, WAIT_MS);
	if (write(ready, "c", 1) != 1)
		_exit(3);
	pause();	/* inside the callback until killed */
	_exit(4);
}

/* A second client process, forked before this one has a thread of its own
 * (a fork of a multi-threaded process may not start an engine's threads:
 * TSan refuses it), to be killed inside a callback. */
struct doomed_client {
	pid_t pid;
	int id_fd, ready_fd;
};

static void doomed_start(struct harness *h, struct doomed_client *d)
{
	int id_pipe[2], ready_pipe[2];

	assert_int_equal(pipe(id_pipe), 0);
	assert_int_equal(pipe(ready_pipe), 0);
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (d->pid == 0) {
		close(id_pipe[1]);
		close(ready_pipe[0]);
		die_inside_a_callback(h, id_pipe[0], ready_pipe[1]);
	}
	close(id_pipe[0]);
	close(ready_pipe[1]);	/* a child that dies ends our reads */
	d->id_fd = id_pipe[1];
	d->ready_fd = ready_pipe[0];
}

/* The client registers on `job`, which is resumed, and is killed inside
 * its JobTransferred: the epoch it was called in. */
static uint64_t doomed_kill_inside_a_callback(struct harness *h, struct doomed_client *d,
					      bgcopy_job *job)
{
	uint64_t epoch;
	int wstatus;
	char id[37], byte;

	bgcopy_job_get_id(job, id);
	assert_int_equal(write(d->id_fd, h->store, sizeof(h->store)), sizeof(h->store));
	assert_int_equal(write(d->id_fd, id, sizeof(id)), sizeof(id));
	assert_int_equal(read(d->ready_fd, &byte, 1), 1);	/* registered */
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_int_equal(read(d->ready_fd, &byte, 1), 1);	/* inside the callback */
	assert_int_equal(byte, 'c');
	epoch = bgcopy_job_get_notify_epoch(job);
	kill(d->pid, SIGKILL);
	assert_int_equal(waitpid(d->pid, &wstatus, 0), d->pid);
	close(d->id_fd);
	close(d->ready_fd);
	return epoch;
}

static void a_client_killed_in_a_callback_is_released_and_the_notification_redelivered(void **state)
{
	struct harness *h = *state;
	struct doomed_client d;
	struct probe *p = probe_new();
	bgcopy_engine *e;
	bgcopy_job *job;
	uint64_t epoch;

	doomed_start(h, &d);
	e = client_engine(h);
	job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED);
	epoch = doomed_kill_inside_a_callback(h, &d, job);
	/* Its registration is released: a new epoch, the notification owed. */
	assert_true(wait_epoch_above(job, epoch, WAIT_MS));
	assert_true(bgcopy_job_get_pending_notifications(job) & BGCOPY_NOTIFY_JOB_TRANSFERRED);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_pending_notifications(job), 0);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
	probe_free(p);
}

/* Released with no other client registered, the notification owed goes
 * to the job's command line, run by the daemon. */
static void a_client_killed_in_a_callback_leaves_the_notification_to_the_command_line(void **state)
{
	struct harness *h = *state;
	struct doomed_client d;
	char out[400], script[600];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };
	bgcopy_engine *e;
	bgcopy_job *job;
	uint64_t epoch;
	long t0;

	doomed_start(h, &d);
	e = client_engine(h);
	job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED);
	snprintf(out, sizeof(out), "%s/cmdline-after-release", h->dir);
	snprintf(script, sizeof(script), "echo \"$2\" >> %s", out);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	epoch = doomed_kill_inside_a_callback(h, &d, job);
	assert_true(wait_epoch_above(job, epoch, WAIT_MS));
	t0 = harness_now_ms();
	while (!strstr(probe_read_text(out), "transferred") && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(10);
	assert_string_equal(probe_read_text(out), "transferred\n");
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_pending_notifications(job), 0);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
}

static void a_client_that_does_not_answer_in_time_is_retried(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	struct probe *p = probe_new();
	bgcopy_job *job;

	setenv("BGCOPYD_CALLBACK_TIMEOUT_MS", "300", 1);	/* the daemon's */
	e = client_engine(h);
	unsetenv("BGCOPYD_CALLBACK_TIMEOUT_MS");
	job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED);
	p->sleep_ms = 1200;	/* every call: longer than the daemon waits */
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	/* Timed out: a failed attempt, retried 300 ms later, still owed. */
	assert_true(probe_wait_calls(p, T, 2, WAIT_MS));
	assert_true(bgcopy_job_get_pending_notifications(job) & BGCOPY_NOTIFY_JOB_TRANSFERRED);
	__atomic_store_n(&p->sleep_ms, 0, __ATOMIC_RELAXED);	/* in time from now on */
	harness_wait_owed_none(job, UINT32_MAX, WAIT_MS);
	assert_int_equal(bgcopy_job_get_pending_notifications(job), 0);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
	probe_free(p);
}

/* bgcopyd lets go of a final job a while after announcing it: the
 * client's handle still reads what the job ended as. */
static void a_final_job_reads_back_after_the_daemon_let_go(void **state)
{
	struct harness *h = *state;
	struct bgcopy_file_info file;
	bgcopy_engine *e, *other;
	bgcopy_job *job, *found;
	char id[37];

	setenv("BGCOPYD_KEEP_FINAL_MS", "100", 1);	/* the daemon's */
	e = client_engine(h);
	unsetenv("BGCOPYD_KEEP_FINAL_MS");
	job = probe_job(h, e, "/n.bin", 1, 0);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	/* A new client's list is the daemon's: empty once it let go. */
	for (long end = harness_now_ms() + WAIT_MS; harness_now_ms() < end;) {
		size_t listed;

		other = client_engine(h);
		listed = bgcopy_engine_list_jobs(other, NULL, 0);
		bgcopy_engine_close(other);
		if (!listed)
			break;
		harness_sleep_ms(20);
	}
	other = client_engine(h);
	assert_int_equal(bgcopy_engine_find_job(other, id, &found), BGCOPY_E_NOT_FOUND);
	bgcopy_engine_close(other);
	/* This client's handle is its own until it lets go, as embedded. */
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_ACKNOWLEDGED);
	assert_int_equal(bgcopy_job_get_file(job, 0, &file), BGCOPY_OK);
	assert_true(harness_same(h, "n.bin", file.local_path));
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_engine_find_job(e, id, &found), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_forget_job(e, job), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_find_job(e, id, &found), BGCOPY_E_NOT_FOUND);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
}

/* An interface whose add_ref takes a lock of the application's, as the
 * bgcopy command's waiter does; once `gate` is set, a call's add_ref
 * says in `entered` that it is about to take it. */
struct locking_iface {
	struct bgcopy_callback base;
	pthread_mutex_t lock;	/* the application's */
	int refs;		/* under lock */
	int gate, entered, transferred;	/* atomic */
};

static void locking_add_ref(struct bgcopy_callback *cb)
{
	struct locking_iface *li = (struct locking_iface *)cb;

	if (__atomic_load_n(&li->gate, __ATOMIC_ACQUIRE))
		__atomic_store_n(&li->entered, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&li->lock);
	li->refs++;
	pthread_mutex_unlock(&li->lock);
}

static void locking_release(struct bgcopy_callback *cb)
{
	struct locking_iface *li = (struct locking_iface *)cb;

	pthread_mutex_lock(&li->lock);
	li->refs--;
	pthread_mutex_unlock(&li->lock);
}

static int locking_transferred(struct bgcopy_callback *cb, bgcopy_job *job)
{
	(void)job;
	__atomic_store_n(&((struct locking_iface *)cb)->transferred, 1, __ATOMIC_RELEASE);
	return 0;
}

static const struct bgcopy_callback_ops locking_ops = {
	.add_ref = locking_add_ref, .release = locking_release,
	.job_transferred = locking_transferred,
};

struct state_reader {
	bgcopy_job *job;
	int done;		/* atomic */
};

static void *read_state(void *arg)
{
	struct state_reader *r = arg;

	bgcopy_job_get_state(r->job);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool wait_flag(int *flag, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE) && harness_now_ms() < deadline)
		harness_sleep_ms(10);
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

/* A call's add_ref runs with no lock of the engine's held, as in the
 * embedded engine: an application that calls the API while holding the
 * lock its add_ref takes does not deadlock with its own callback. */
static void add_ref_runs_with_no_engine_lock_held(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = client_engine(h);
	struct locking_iface li = { .base.ops = &locking_ops };
	struct state_reader reader;
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED);
	pthread_t tid;
	bool answered;

	pthread_mutex_init(&li.lock, NULL);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &li.base), BGCOPY_OK);
	__atomic_store_n(&li.gate, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&li.lock);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(wait_flag(&li.entered, WAIT_MS));	/* the call waits for our lock */
	reader = (struct state_reader){ .job = job };
	assert_int_equal(pthread_create(&tid, NULL, read_state, &reader), 0);
	answered = wait_flag(&reader.done, 5000);
	pthread_mutex_unlock(&li.lock);
	pthread_join(tid, NULL);
	assert_true(answered);		/* the API did not wait for the callback */
	assert_true(wait_flag(&li.transferred, WAIT_MS));
	probe_job_finish(job);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
	assert_int_equal(li.refs, 0);
	pthread_mutex_destroy(&li.lock);
}

/* A change one client makes is announced to the others before that
 * client's call returns: another's getter, called after it, sees it. */
static void a_change_another_client_made_is_seen_at_once(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options service = { .flags = BGCOPY_OPEN_SERVICE };
	bgcopy_engine *e = client_engine(h), *other = harness_open(h, &service);
	bgcopy_job *job, *theirs;
	char id[37], text[64];

	assert_int_equal(bgcopy_job_create(e, "seen", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/a.bin"),
					     harness_out(h, "a.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_priority(job), BGCOPY_PRIORITY_NORMAL);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_engine_find_job(other, id, &theirs), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_priority(theirs, BGCOPY_PRIORITY_LOW), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_priority(job), BGCOPY_PRIORITY_LOW);
	assert_int_equal(bgcopy_job_set_display_name(theirs, "renamed"), BGCOPY_OK);
	bgcopy_job_get_display_name(job, text, sizeof(text));
	assert_string_equal(text, "renamed");
	assert_int_equal(bgcopy_job_set_min_retry_delay(theirs, 7), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_min_retry_delay(job), 7);	/* named alone */
	assert_int_equal(bgcopy_job_set_max_download_time(theirs, 9), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_max_download_time(job), 9);	/* not announced */
	/* Our own change reads back at once, whatever the other read. */
	assert_int_equal(bgcopy_job_set_description(job, "mine"), BGCOPY_OK);
	bgcopy_job_get_description(theirs, text, sizeof(text));
	assert_string_equal(text, "mine");
	bgcopy_job_get_description(job, text, sizeof(text));
	assert_string_equal(text, "mine");
	assert_int_equal(bgcopy_job_cancel(theirs), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_CANCELLED);
	bgcopy_engine_close(other);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
}

static void assert_lost(const char *socket_word)
{
	assert_non_null(strstr(bgcopy_last_error(), "the connection to bgcopyd on '"));
	assert_non_null(strstr(bgcopy_last_error(), socket_word));
	assert_non_null(strstr(bgcopy_last_error(), "was lost"));
}

/* Once the daemon is gone, no getter gives the last value it mirrored:
 * every call fails naming the socket, and the engine still closes. */
static void every_call_fails_once_the_daemon_is_killed(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = client_engine(h);
	struct probe *p = probe_new();
	struct bgcopy_progress progress;
	struct bgcopy_file_info file;
	struct bgcopy_error error;
	bgcopy_job *job, *found, *list[1];
	long pid, deadline = harness_now_ms() + WAIT_MS;
	char id[37], text[64];
	int status;

	assert_int_equal(bgcopy_job_create(e, "orphan", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/a.bin"),
					     harness_out(h, "a.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_SUSPENDED);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	pid = bgcopy_engine_store_holder(h->store);
	assert_true(pid > 0);
	assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
	/* The connection closes once the kernel has reaped the daemon's
	 * descriptors: a getter fails from then on. */
	while ((status = bgcopy_job_get_progress(job, &progress)) == BGCOPY_OK &&
	       harness_now_ms() < deadline)
		harness_sleep_ms(10);
	assert_int_equal(status, BGCOPY_E_IO);
	assert_lost("bgcopyd");
	assert_int_equal((int)bgcopy_job_get_state(job), BGCOPY_E_IO);
	assert_lost("bgcopyd");
	assert_int_equal((int)bgcopy_job_get_priority(job), BGCOPY_E_IO);
	assert_int_equal(bgcopy_job_get_time(job, BGCOPY_TIME_CREATED), BGCOPY_E_IO);
	assert_int_equal(bgcopy_job_get_notify_flags(job), 0);
	assert_int_equal(bgcopy_job_get_pending_notifications(job), 0);
	bgcopy_job_get_display_name(job, text, sizeof(text));
	assert_string_equal(text, "");
	assert_int_equal(bgcopy_job_get_file(job, 0, &file), BGCOPY_E_IO);
	assert_int_equal(bgcopy_job_get_error(job, &error), BGCOPY_E_IO);
	assert_int_equal(bgcopy_job_get_header_names(job, text, sizeof(text)), BGCOPY_E_IO);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_E_IO);
	assert_lost("bgcopyd");
	assert_int_equal(bgcopy_job_set_display_name(job, "again"), BGCOPY_E_IO);
	assert_int_equal(bgcopy_job_create(e, "new", &found), BGCOPY_E_IO);
	assert_int_equal(bgcopy_engine_find_job(e, id, &found), BGCOPY_E_IO);
	assert_lost("bgcopyd");
	assert_int_equal(bgcopy_engine_list_jobs(e, list, 1), 0);
	assert_lost("bgcopyd");
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_E_IO);
	/* No daemon calls it back: the interface is let go at once. */
	assert_int_equal(bgcopy_job_set_notify_interface(job, NULL), BGCOPY_E_IO);
	assert_lost("bgcopyd");
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	bgcopy_engine_close(e);
	harness_stop_daemon(h);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verbs_and_callbacks_go_through_the_daemon),
		cmocka_unit_test(a_client_killed_in_a_callback_is_released_and_the_notification_redelivered),
		cmocka_unit_test(a_client_killed_in_a_callback_leaves_the_notification_to_the_command_line),
		cmocka_unit_test(a_client_that_does_not_answer_in_time_is_retried),
		cmocka_unit_test(a_final_job_reads_back_after_the_daemon_let_go),
		cmocka_unit_test(add_ref_runs_with_no_engine_lock_held),
		cmocka_unit_test(a_file_digest_is_read_from_the_daemon),
		cmocka_unit_test(bytes_that_are_not_utf8_cross_the_daemon),
		cmocka_unit_test(a_change_another_client_made_is_seen_at_once),
		cmocka_unit_test(every_call_fails_once_the_daemon_is_killed),
	};

	unsetenv("BGCOPY_EMBEDDED");
	setenv("BGCOPYD_IDLE_EXIT", "5", 1);	/* a failed test's daemon goes too */
	return cmocka_run_group_tests_name("client mode", tests, probe_group_setup,
					   harness_group_teardown);
}
