/*
 * Notifications (docs/CONTRACT.md sections 3-6): one test per rule, each
 * against real transfers from the test server.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define SHORT BGCOPY_TEST_SHORT_RETRY
#define WAIT_MS 10000
#define MAX_SEEN 256

enum { T = 1, E = 2, M = 3, F = 4 };

/* A notify interface that records what it is told. */
struct probe {
	struct bgcopy_callback base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	int calls[5];
	long begin_ms[5][MAX_SEEN];
	int seen[MAX_SEEN];		/* kinds in delivery order */
	int seen_file[MAX_SEEN];
	int nseen;
	int fail_first;			/* T/E/F calls that fail before success */
	int sleep_ms;
	bool block;			/* T waits until unblocked */
	bool blocked_inside;
	void (*inside)(struct probe *p, bgcopy_job *job, int kind);
	int inside_errors;
	int running, max_running;	/* this probe's own calls */
};

/* Engine-wide concurrency, across every probe. */
static int global_running, global_max;
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;

static struct probe *P(struct bgcopy_callback *cb) { return (struct probe *)cb; }

static void probe_add_ref(struct bgcopy_callback *cb)
{
	__atomic_add_fetch(&P(cb)->refs, 1, __ATOMIC_SEQ_CST);
}

static void probe_release(struct bgcopy_callback *cb)
{
	__atomic_sub_fetch(&P(cb)->refs, 1, __ATOMIC_SEQ_CST);
}

static int probe_call(struct probe *p, bgcopy_job *job, int kind, int file)
{
	int result = 0;

	pthread_mutex_lock(&global_lock);
	if (++global_running > global_max)
		global_max = global_running;
	pthread_mutex_unlock(&global_lock);

	pthread_mutex_lock(&p->lock);
	if (++p->running > p->max_running)
		p->max_running = p->running;
	if (p->calls[kind] < MAX_SEEN)
		p->begin_ms[kind][p->calls[kind]] = harness_now_ms();
	p->calls[kind]++;
	if (p->nseen < MAX_SEEN) {
		p->seen_file[p->nseen] = file;
		p->seen[p->nseen++] = kind;
	}
	if (kind != M && p->fail_first > 0) {
		p->fail_first--;
		result = 1;
	}
	if (kind == T && p->block) {
		p->blocked_inside = true;
		pthread_cond_broadcast(&p->cond);
		while (p->block)
			pthread_cond_wait(&p->cond, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);

	if (p->sleep_ms)
		harness_sleep_ms(p->sleep_ms);
	if (p->inside)
		p->inside(p, job, kind);

	pthread_mutex_lock(&p->lock);
	p->running--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_lock(&global_lock);
	global_running--;
	pthread_mutex_unlock(&global_lock);
	return result;
}

static int on_transferred(struct bgcopy_callback *cb, bgcopy_job *job)
{
	return probe_call(P(cb), job, T, -1);
}

static int on_error(struct bgcopy_callback *cb, bgcopy_job *job,
		    const struct bgcopy_error *err)
{
	(void)err;
	return probe_call(P(cb), job, E, -1);
}

static int on_modification(struct bgcopy_callback *cb, bgcopy_job *job)
{
	return probe_call(P(cb), job, M, -1);
}

static int on_file(struct bgcopy_callback *cb, bgcopy_job *job, unsigned index)
{
	return probe_call(P(cb), job, F, (int)index);
}

static const struct bgcopy_callback_ops probe_ops = {
	.add_ref = probe_add_ref, .release = probe_release,
	.job_transferred = on_transferred, .job_error = on_error,
	.job_modification = on_modification, .file_transferred = on_file,
};

static struct probe *probe_new(void)
{
	struct probe *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->base.ops = &probe_ops;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	return p;
}

static void probe_free(struct probe *p)
{
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static int calls(struct probe *p, int kind)
{
	int n;

	pthread_mutex_lock(&p->lock);
	n = p->calls[kind];
	pthread_mutex_unlock(&p->lock);
	return n;
}

static bool wait_calls(struct probe *p, int kind, int n, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (calls(p, kind) < n) {
		if (harness_now_ms() > deadline)
			return false;
		harness_sleep_ms(5);
	}
	return true;
}

static bgcopy_job *new_job(struct harness *h, bgcopy_engine *e, const char *path,
			   int nfiles, uint32_t flags)
{
	char out[64];
	bgcopy_job *job;
	static int serial;

	assert_int_equal(bgcopy_job_create(e, "notify", &job), BGCOPY_OK);
	for (int i = 0; i < nfiles; i++) {
		snprintf(out, sizeof(out), "n%d-%d.bin", ++serial, i);
		assert_int_equal(bgcopy_job_add_file(job, harness_url(h, path),
						     harness_out(h, out)), BGCOPY_OK);
	}
	assert_int_equal(bgcopy_job_set_notify_flags(job, flags), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 300), BGCOPY_OK);
	return job;
}

static void finish(bgcopy_engine *e, bgcopy_job *job)
{
	bgcopy_job_cancel(job);
	bgcopy_job_set_notify_interface(job, NULL);
	(void)e;
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (!rc) {
		harness_make_file(*state, "n.bin", 20000);
		harness_make_file(*state, "big.bin", 600000);
	}
	return rc;
}

static char *read_text(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

/* Sets a command line that appends its event name to `log` (a path it
 * fills in under the test directory). */
static void log_events_by_cmdline(struct harness *h, bgcopy_job *job,
				  const char *name, char *log, size_t size)
{
	char script[1200];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };

	snprintf(log, size, "%s/%s", h->dir, name);
	snprintf(script, sizeof(script), "echo \"$2\" >> %s", log);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
}

/* ---- flags -------------------------------------------------------------- */

static void default_flags_deliver_transferred_and_error_only(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new(), *q = probe_new();
	bgcopy_job *ok, *bad;

	ok = new_job(h, e, "/n.bin", 2, BGCOPY_NOTIFY_DEFAULT);
	bad = new_job(h, e, "/fault/404/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	assert_int_equal(bgcopy_job_set_notify_interface(ok, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(bad, &q->base), BGCOPY_OK);
	bgcopy_job_resume(ok);
	bgcopy_job_resume(bad);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	assert_true(wait_calls(q, E, 1, WAIT_MS));
	harness_sleep_ms(700);
	assert_int_equal(calls(p, T), 1);
	assert_int_equal(calls(p, M) + calls(p, F) + calls(p, E), 0);
	assert_int_equal(calls(q, E), 1);
	assert_int_equal(calls(q, M) + calls(q, F) + calls(q, T), 0);
	finish(e, ok);
	finish(e, bad);
	bgcopy_engine_close(e);
	probe_free(p);
	probe_free(q);
}

static void disable_masks_every_flag_until_cleared(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, 0x1f);

	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	harness_sleep_ms(700);
	assert_int_equal(calls(p, T) + calls(p, M) + calls(p, F), 0);
	/* A flag change that newly allows it while TRANSFERRED arms it. */
	assert_int_equal(bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_JOB_TRANSFERRED),
			 BGCOPY_OK);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void invalid_bits_change_nothing(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, 0x9);

	assert_int_equal(bgcopy_job_set_notify_flags(job, 0x9 | 0x40), BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "0x40"));
	assert_int_equal(bgcopy_job_get_notify_flags(job), 0x9);
	bgcopy_job_cancel(job);
	assert_int_equal(bgcopy_job_set_notify_flags(job, 0x1), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_get_notify_flags(job), 0x9);
	bgcopy_engine_close(e);
}

static void a_flag_change_that_still_allows_it_does_not_redeliver(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_set_notify_flags(job, 0xb), BGCOPY_OK);
	harness_sleep_ms(400);
	assert_int_equal(calls(p, T), 1);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

/* ---- epochs ------------------------------------------------------------- */

static void registering_after_the_event_redelivers(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *a = probe_new(), *b = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	assert_int_equal(bgcopy_job_set_notify_interface(job, &a->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_epoch(job), 1);
	bgcopy_job_resume(job);
	assert_true(wait_calls(a, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_set_notify_interface(job, &b->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_epoch(job), 2);
	assert_true(wait_calls(b, T, 1, WAIT_MS));
	harness_sleep_ms(300);
	assert_int_equal(calls(a, T), 1);
	assert_int_equal(calls(b, T), 1);
	/* The engine let go of a once b replaced it. */
	assert_int_equal(__atomic_load_n(&a->refs, __ATOMIC_SEQ_CST), 0);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(a);
	probe_free(b);
}

static void old_interface_gets_nothing_after_set_returns(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *a = probe_new(), *b = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	long set_returned;

	a->block = true;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &a->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	pthread_mutex_lock(&a->lock);
	while (!a->blocked_inside)
		pthread_cond_wait(&a->cond, &a->lock);
	pthread_mutex_unlock(&a->lock);
	/* a's callback is running on a dispatcher thread: replace it. */
	assert_int_equal(bgcopy_job_set_notify_interface(job, &b->base), BGCOPY_OK);
	set_returned = harness_now_ms();
	/* The running call keeps a alive until it returns. */
	assert_true(__atomic_load_n(&a->refs, __ATOMIC_SEQ_CST) > 0);
	pthread_mutex_lock(&a->lock);
	a->block = false;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	assert_true(wait_calls(b, T, 1, WAIT_MS));
	harness_sleep_ms(200);
	assert_int_equal(calls(a, T), 1);
	assert_true(a->begin_ms[T][0] <= set_returned);
	assert_int_equal(__atomic_load_n(&a->refs, __ATOMIC_SEQ_CST), 0);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(a);
	probe_free(b);
}

static void final_jobs_let_go_of_their_interface(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	uint64_t epoch;

	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	epoch = bgcopy_job_get_notify_epoch(job);
	assert_int_equal(bgcopy_job_set_notify_interface(job, NULL), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_E_INVALID_STATE);
	assert_int_equal(bgcopy_job_get_notify_epoch(job), epoch);
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void a_read_only_engine_takes_no_interface(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options ro = { .flags = BGCOPY_OPEN_READ_ONLY };
	bgcopy_engine *e = harness_engine(h, SHORT), *reader;
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	bgcopy_engine_close(e);
	assert_int_equal(bgcopy_engine_open(h->store, &ro, &reader), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_list_jobs(reader, &job, 1), 1);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_E_READ_ONLY);
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	bgcopy_engine_close(reader);
	probe_free(p);
}

/* ---- retries and the command line -------------------------------------- */

static void a_waiting_retry_does_not_hold_back_modifications(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_JOB_MODIFICATION);
	long changed;

	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 3000), BGCOPY_OK);
	p->fail_first = 1;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 1, WAIT_MS));	/* failed: retry in 3 s */
	harness_sleep_ms(600);				/* past the throttle */
	int before = calls(p, M);
	changed = harness_now_ms();
	assert_int_equal(bgcopy_job_set_description(job, "changed"), BGCOPY_OK);
	assert_true(wait_calls(p, M, before + 1, 1500));
	assert_true(harness_now_ms() - changed < 1500);
	assert_int_equal(calls(p, T), 1);		/* still waiting */
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void removing_the_interface_does_not_reowe_a_delivered_notification(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400];

	log_events_by_cmdline(h, job, "removed-log", log, sizeof(log));
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_set_notify_interface(job, NULL), BGCOPY_OK);
	harness_sleep_ms(400);
	assert_false(harness_exists(log));
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void a_delivered_notification_stays_delivered_after_reopening(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400], id[37];

	log_events_by_cmdline(h, job, "reopen-log", log, sizeof(log));
	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_string_equal(read_text(log), "transferred\n");
	bgcopy_engine_close(e);
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRED);
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	harness_sleep_ms(300);
	assert_string_equal(read_text(log), "transferred\n");
	finish(e, job);
	bgcopy_engine_close(e);
}

static void files_owed_mid_job_survive_reopening(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job;
	char id[37];

	assert_int_equal(bgcopy_job_create(e, "mid", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/n.bin"),
					     harness_out(h, "mid0.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/fault/slow:100000/big.bin"),
					     harness_out(h, "mid1.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_FILE_TRANSFERRED),
			 BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	while (!(bgcopy_job_get_pending_notifications(job) & BGCOPY_NOTIFY_FILE_TRANSFERRED))
		harness_sleep_ms(5);
	bgcopy_engine_close(e);		/* the second file is still coming */
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_pending_notifications(job),
			 BGCOPY_NOTIFY_FILE_TRANSFERRED);
	finish(e, job);
	bgcopy_engine_close(e);
}

static void removing_the_interface_does_not_rerun_a_running_command_line(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char started[400], log[400], script[1200];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };

	snprintf(started, sizeof(started), "%s/running-started", h->dir);
	snprintf(log, sizeof(log), "%s/running-log", h->dir);
	snprintf(script, sizeof(script), ": > %s; sleep 0.3; echo \"$2\" >> %s",
		 started, log);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	bgcopy_job_resume(job);
	long t0 = harness_now_ms();
	while (!harness_exists(started) && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(5);
	assert_int_equal(bgcopy_job_set_notify_interface(job, NULL), BGCOPY_OK);
	harness_sleep_ms(1000);
	assert_string_equal(read_text(log), "transferred\n");
	finish(e, job);
	bgcopy_engine_close(e);
}

static void an_undelivered_notification_is_owed_after_reopening(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 3,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);
	char id[37];

	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_engine_close(e);		/* nobody was listening */
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_pending_notifications(job),
			 BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	pthread_mutex_lock(&p->lock);
	assert_int_equal(p->nseen, 4);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p->seen[i], F);
		assert_int_equal(p->seen_file[i], i);
	}
	assert_int_equal(p->seen[3], T);
	pthread_mutex_unlock(&p->lock);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void failed_callback_is_retried_after_the_delay(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	p->fail_first = 2;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 3, WAIT_MS));
	assert_true(p->begin_ms[T][1] - p->begin_ms[T][0] >= 295);
	assert_true(p->begin_ms[T][2] - p->begin_ms[T][1] >= 295);
	harness_sleep_ms(500);
	assert_int_equal(calls(p, T), 3);	/* success ends it */
	assert_int_equal(bgcopy_job_get_pending_notifications(job), 0);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void command_line_runs_without_interface_and_is_retried(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char marker[400], log[400], script[1400], id[37], expect[64];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };

	snprintf(marker, sizeof(marker), "%s/cmd-marker", h->dir);
	snprintf(log, sizeof(log), "%s/cmd-log", h->dir);
	/* Fails the first time, succeeds the second. */
	snprintf(script, sizeof(script),
		 "if [ -e %s ]; then echo \"$1 $2\" >> %s; else : > %s; exit 3; fi",
		 marker, log, marker);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_job_resume(job);
	long t0 = harness_now_ms();
	while (!strstr(read_text(log), "transferred") && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(10);
	snprintf(expect, sizeof(expect), "%s transferred\n", id);
	assert_string_equal(read_text(log), expect);
	assert_true(harness_exists(marker));
	assert_int_equal(bgcopy_engine_wait_idle(e, 2000), BGCOPY_OK);
	harness_sleep_ms(400);
	assert_string_equal(read_text(log), expect);	/* once */
	finish(e, job);
	bgcopy_engine_close(e);
}

static void failed_callback_hands_over_to_the_command_line(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	char log[400];

	log_events_by_cmdline(h, job, "handover-log", log, sizeof(log));
	p->fail_first = 1;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	long t0 = harness_now_ms();
	while (!strstr(read_text(log), "transferred") && harness_now_ms() - t0 < WAIT_MS)
		harness_sleep_ms(10);
	assert_string_equal(read_text(log), "transferred\n");
	harness_sleep_ms(400);
	assert_int_equal(calls(p, T), 1);	/* the callback is not called again */
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

/* ---- order, coalescing, throttling ------------------------------------- */

static void files_in_completion_order_before_transferred(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 5,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);

	p->fail_first = 1;	/* the first file's callback is retried */
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	pthread_mutex_lock(&p->lock);
	assert_int_equal(p->nseen, 7);
	assert_int_equal(p->seen[0], F);
	assert_int_equal(p->seen_file[0], 0);
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(p->seen[i], F);
		assert_int_equal(p->seen_file[i], i - 1);
	}
	assert_int_equal(p->seen[6], T);
	pthread_mutex_unlock(&p->lock);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void a_parked_file_notification_holds_back_the_command_line(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 2,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);
	char log[400];

	log_events_by_cmdline(h, job, "parked-log", log, sizeof(log));
	bgcopy_job_resume(job);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	/* FileTransferred has no route without an interface, and
	 * JobTransferred may not overtake it through the command line. */
	harness_sleep_ms(300);
	assert_false(harness_exists(log));
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	pthread_mutex_lock(&p->lock);
	assert_int_equal(p->nseen, 3);
	assert_int_equal(p->seen[0], F);
	assert_int_equal(p->seen[1], F);
	assert_int_equal(p->seen[2], T);
	pthread_mutex_unlock(&p->lock);
	assert_false(harness_exists(log));
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void modifications_are_coalesced_and_throttled(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/fault/slow:500000/big.bin", 1,
				  BGCOPY_NOTIFY_JOB_MODIFICATION | BGCOPY_NOTIFY_JOB_TRANSFERRED);
	struct bgcopy_progress prog;
	int n;

	assert_int_equal(bgcopy_job_set_modification_interval_ms(job, 200), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	n = calls(p, M);
	bgcopy_job_get_progress(job, &prog);
	/* About one second of trickling: a few deliveries, far fewer than
	 * the progress events that armed them. */
	assert_true(n >= 3);
	assert_true(n <= 12);
	for (int i = 1; i < n && i < MAX_SEEN; i++)
		assert_true(p->begin_ms[M][i] - p->begin_ms[M][i - 1] >= 195);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void entering_transferred_voids_a_throttled_modification(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_MODIFICATION);

	assert_int_equal(bgcopy_job_set_modification_interval_ms(job, 1500), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	/* QUEUED arms the first one at once; CONNECTING and progress re-arm
	 * it, throttled, and entering TRANSFERRED voids that. */
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	harness_sleep_ms(2000);
	assert_int_equal(calls(p, M), 1);
	finish(e, job);
	bgcopy_engine_close(e);
	probe_free(p);
}

/* ---- the dispatcher ---------------------------------------------------- */

static void dispatcher_serializes_jobs_and_caps_concurrency(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	enum { JOBS = 200 };
	struct probe *probes[JOBS];
	bgcopy_job *jobs[JOBS];

	global_running = global_max = 0;
	for (int i = 0; i < JOBS; i++) {
		probes[i] = probe_new();
		probes[i]->sleep_ms = 5;
		jobs[i] = new_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED |
				  BGCOPY_NOTIFY_FILE_TRANSFERRED |
				  BGCOPY_NOTIFY_JOB_MODIFICATION);
		assert_int_equal(bgcopy_job_set_notify_interface(jobs[i], &probes[i]->base),
				 BGCOPY_OK);
		bgcopy_job_resume(jobs[i]);
	}
	for (int i = 0; i < JOBS; i++)
		assert_true(wait_calls(probes[i], T, 1, 60000));
	assert_true(global_max <= 4);
	assert_true(global_max >= 2);	/* different jobs do run in parallel */
	for (int i = 0; i < JOBS; i++) {
		assert_int_equal(probes[i]->max_running, 1);
		finish(e, jobs[i]);
	}
	bgcopy_engine_close(e);
	for (int i = 0; i < JOBS; i++)
		probe_free(probes[i]);
}

/* ---- calling back into the engine -------------------------------------- */

static void check(struct probe *p, int status)
{
	if (status != BGCOPY_OK)
		__atomic_add_fetch(&p->inside_errors, 1, __ATOMIC_SEQ_CST);
}

static void reenter(struct probe *p, bgcopy_job *job, int kind)
{
	struct bgcopy_progress prog;
	struct bgcopy_file_info info;
	char name[64];

	bgcopy_job_get_display_name(job, name, sizeof(name));
	check(p, bgcopy_job_get_progress(job, &prog));
	(void)bgcopy_job_get_state(job);
	(void)bgcopy_job_get_notify_epoch(job);
	switch (kind) {
	case F:
		check(p, bgcopy_job_get_file(job, 0, &info));
		check(p, bgcopy_job_set_display_name(job, "renamed inside"));
		break;
	case M:
		check(p, bgcopy_job_set_notify_flags(job, bgcopy_job_get_notify_flags(job)));
		break;
	case T:
		check(p, bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_DEFAULT));
		check(p, bgcopy_job_set_notify_interface(job, NULL));
		check(p, bgcopy_job_complete(job));
		break;
	case E:
		check(p, bgcopy_job_suspend(job));
		check(p, bgcopy_job_resume(job));
		check(p, bgcopy_job_set_notify_interface(job, NULL));
		check(p, bgcopy_job_cancel(job));
		break;
	}
}

static void callbacks_may_call_back_into_the_engine(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new(), *q = probe_new();
	bgcopy_job *ok = new_job(h, e, "/n.bin", 2, 0x1b);
	bgcopy_job *bad = new_job(h, e, "/fault/404/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	p->inside = q->inside = reenter;
	assert_int_equal(bgcopy_job_set_notify_interface(ok, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(bad, &q->base), BGCOPY_OK);
	bgcopy_job_resume(ok);
	bgcopy_job_resume(bad);
	assert_true(harness_wait_state(ok, BGCOPY_ACKNOWLEDGED, WAIT_MS));
	assert_true(harness_wait_state(bad, BGCOPY_CANCELLED, WAIT_MS));
	harness_sleep_ms(100);
	assert_int_equal(p->inside_errors, 0);
	assert_int_equal(q->inside_errors, 0);
	assert_int_equal(calls(p, F), 2);
	assert_int_equal(calls(q, E), 1);
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	assert_int_equal(__atomic_load_n(&q->refs, __ATOMIC_SEQ_CST), 0);
	bgcopy_engine_close(e);
	probe_free(p);
	probe_free(q);
}

static bgcopy_engine *engine_to_close;

static void close_from_inside(struct probe *p, bgcopy_job *job, int kind)
{
	(void)p;
	(void)job;
	if (kind == T)
		bgcopy_engine_close(engine_to_close);
}

static void the_engine_may_be_closed_from_inside_a_callback(void **state)
{
	struct harness *h = *state;
	struct probe *p = probe_new();
	bgcopy_job *job;
	long deadline;

	engine_to_close = harness_engine(h, SHORT);
	job = new_job(h, engine_to_close, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	p->inside = close_from_inside;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(wait_calls(p, T, 1, WAIT_MS));
	/* The engine closes once the callback has returned, and lets go of
	 * the interface; the store is free again. */
	deadline = harness_now_ms() + WAIT_MS;
	while ((__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST) > 0 ||
		bgcopy_engine_store_holder(h->store)) && harness_now_ms() < deadline)
		harness_sleep_ms(10);
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	assert_int_equal(bgcopy_engine_store_holder(h->store), 0);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_flags_deliver_transferred_and_error_only),
		cmocka_unit_test(disable_masks_every_flag_until_cleared),
		cmocka_unit_test(invalid_bits_change_nothing),
		cmocka_unit_test(a_flag_change_that_still_allows_it_does_not_redeliver),
		cmocka_unit_test(registering_after_the_event_redelivers),
		cmocka_unit_test(final_jobs_let_go_of_their_interface),
		cmocka_unit_test(a_read_only_engine_takes_no_interface),
		cmocka_unit_test(a_waiting_retry_does_not_hold_back_modifications),
		cmocka_unit_test(removing_the_interface_does_not_reowe_a_delivered_notification),
		cmocka_unit_test(a_delivered_notification_stays_delivered_after_reopening),
		cmocka_unit_test(an_undelivered_notification_is_owed_after_reopening),
		cmocka_unit_test(files_owed_mid_job_survive_reopening),
		cmocka_unit_test(removing_the_interface_does_not_rerun_a_running_command_line),
		cmocka_unit_test(old_interface_gets_nothing_after_set_returns),
		cmocka_unit_test(failed_callback_is_retried_after_the_delay),
		cmocka_unit_test(command_line_runs_without_interface_and_is_retried),
		cmocka_unit_test(failed_callback_hands_over_to_the_command_line),
		cmocka_unit_test(files_in_completion_order_before_transferred),
		cmocka_unit_test(a_parked_file_notification_holds_back_the_command_line),
		cmocka_unit_test(modifications_are_coalesced_and_throttled),
		cmocka_unit_test(entering_transferred_voids_a_throttled_modification),
		cmocka_unit_test(dispatcher_serializes_jobs_and_caps_concurrency),
		cmocka_unit_test(callbacks_may_call_back_into_the_engine),
		cmocka_unit_test(the_engine_may_be_closed_from_inside_a_callback),
	};

	return cmocka_run_group_tests_name("notify", tests, group_setup,
					   harness_group_teardown);
}
