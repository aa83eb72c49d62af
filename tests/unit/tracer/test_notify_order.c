/* Notifications: order, coalescing, the dispatcher, calling back in. */
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

#include "harness_probe.h"

/* ---- order, coalescing, throttling ------------------------------------- */

static void files_in_completion_order_before_transferred(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 5,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);

	p->fail_first = 1;	/* the first file's callback is retried */
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
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
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void a_parked_file_notification_holds_back_the_command_line(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 2,
				  BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_FILE_TRANSFERRED);
	char log[400];

	probe_log_by_cmdline(h, job, "parked-log", log, sizeof(log));
	bgcopy_job_resume(job);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	/* FileTransferred has no route without an interface, and
	 * JobTransferred may not overtake it through the command line. */
	harness_sleep_ms(300);
	assert_false(harness_exists(log));
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	pthread_mutex_lock(&p->lock);
	assert_int_equal(p->nseen, 3);
	assert_int_equal(p->seen[0], F);
	assert_int_equal(p->seen[1], F);
	assert_int_equal(p->seen[2], T);
	pthread_mutex_unlock(&p->lock);
	assert_false(harness_exists(log));
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void modifications_are_coalesced_and_throttled(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/fault/slow:500000/big.bin", 1,
				  BGCOPY_NOTIFY_JOB_MODIFICATION | BGCOPY_NOTIFY_JOB_TRANSFERRED);
	struct bgcopy_progress prog;
	int n;

	assert_int_equal(bgcopy_job_set_modification_interval_ms(job, 200), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	n = probe_calls(p, M);
	bgcopy_job_get_progress(job, &prog);
	/* About one second of trickling: a few deliveries, far fewer than
	 * the progress events that armed them. */
	assert_true(n >= 3);
	assert_true(n <= 12);
	/* The engine spaces the calls it starts; a client of bgcopyd sees
	 * them a socket hop later, each hop as late as a loaded machine
	 * makes it, so only an embedded engine's spacing is measured. */
	for (int i = 1; !harness_through_daemon() && i < n && i < MAX_SEEN; i++)
		assert_true(p->begin_ms[M][i] - p->begin_ms[M][i - 1] >= 195);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

/* Entering TRANSFERRED voids a JobModification the throttle holds back.
 * Nothing here races the clock: the first one is delivered while the job
 * is SUSPENDED, and the interval outlasts any run however loaded the
 * machine, so the throttled one is still held when the job arrives.
 * (With 1.5 s and the first one armed by resume, a loaded machine could
 * finish the transfer before the first was delivered, voiding it, or
 * take longer than 1.5 s, delivering the second.) */
static void entering_transferred_voids_a_throttled_modification(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_MODIFICATION);

	assert_int_equal(bgcopy_job_set_modification_interval_ms(job, 600000), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_true(probe_wait_calls(p, M, 1, WAIT_MS));
	/* A change now is held back by the throttle. */
	assert_int_equal(bgcopy_job_set_priority(job, BGCOPY_PRIORITY_HIGH), BGCOPY_OK);
	assert_true(bgcopy_job_get_pending_notifications(job) &
		    BGCOPY_NOTIFY_JOB_MODIFICATION);
	bgcopy_job_resume(job);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_false(bgcopy_job_get_pending_notifications(job) &
		     BGCOPY_NOTIFY_JOB_MODIFICATION);
	assert_int_equal(probe_calls(p, M), 1);
	probe_job_finish(job);
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

	probe_reset_global_max();
	for (int i = 0; i < JOBS; i++) {
		probes[i] = probe_new();
		probes[i]->sleep_ms = 5;
		jobs[i] = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED |
				  BGCOPY_NOTIFY_FILE_TRANSFERRED |
				  BGCOPY_NOTIFY_JOB_MODIFICATION);
		assert_int_equal(bgcopy_job_set_notify_interface(jobs[i], &probes[i]->base),
				 BGCOPY_OK);
		bgcopy_job_resume(jobs[i]);
	}
	for (int i = 0; i < JOBS; i++)
		assert_true(probe_wait_calls(probes[i], T, 1, 60000));
	assert_true(probe_global_max() <= 4);
	assert_true(probe_global_max() >= 2);	/* different jobs do run in parallel */
	for (int i = 0; i < JOBS; i++) {
		assert_int_equal(probes[i]->max_running, 1);
		probe_job_finish(jobs[i]);
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
	bgcopy_job *ok = probe_job(h, e, "/n.bin", 2, 0x1b);
	bgcopy_job *bad = probe_job(h, e, "/fault/404/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

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
	assert_int_equal(probe_calls(p, F), 2);
	assert_int_equal(probe_calls(q, E), 1);
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
	job = probe_job(h, engine_to_close, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	p->inside = close_from_inside;
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
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
		cmocka_unit_test(files_in_completion_order_before_transferred),
		cmocka_unit_test(a_parked_file_notification_holds_back_the_command_line),
		cmocka_unit_test(modifications_are_coalesced_and_throttled),
		cmocka_unit_test(entering_transferred_voids_a_throttled_modification),
		cmocka_unit_test(dispatcher_serializes_jobs_and_caps_concurrency),
		cmocka_unit_test(callbacks_may_call_back_into_the_engine),
		cmocka_unit_test(the_engine_may_be_closed_from_inside_a_callback),
	};

	return cmocka_run_group_tests_name("notify order", tests, probe_group_setup,
					   harness_group_teardown);
}
