/* Notifications (docs/CONTRACT.md 3-6): flags, and epochs of interfaces. */
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

/* ---- flags -------------------------------------------------------------- */

static void default_flags_deliver_transferred_and_error_only(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new(), *q = probe_new();
	bgcopy_job *ok, *bad;

	ok = probe_job(h, e, "/n.bin", 2, BGCOPY_NOTIFY_DEFAULT);
	bad = probe_job(h, e, "/fault/404/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	assert_int_equal(bgcopy_job_set_notify_interface(ok, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(bad, &q->base), BGCOPY_OK);
	bgcopy_job_resume(ok);
	bgcopy_job_resume(bad);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	assert_true(probe_wait_calls(q, E, 1, WAIT_MS));
	harness_sleep_ms(700);
	assert_int_equal(probe_calls(p, T), 1);
	assert_int_equal(probe_calls(p, M) + probe_calls(p, F) + probe_calls(p, E), 0);
	assert_int_equal(probe_calls(q, E), 1);
	assert_int_equal(probe_calls(q, M) + probe_calls(q, F) + probe_calls(q, T), 0);
	probe_job_finish(ok);
	probe_job_finish(bad);
	bgcopy_engine_close(e);
	probe_free(p);
	probe_free(q);
}

static void disable_masks_every_flag_until_cleared(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, 0x1f);

	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	harness_sleep_ms(700);
	assert_int_equal(probe_calls(p, T) + probe_calls(p, M) + probe_calls(p, F), 0);
	/* A flag change that newly allows it while TRANSFERRED arms it. */
	assert_int_equal(bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_JOB_TRANSFERRED),
			 BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void invalid_bits_change_nothing(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, 0x9);

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
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_set_notify_flags(job, 0xb), BGCOPY_OK);
	harness_sleep_ms(400);
	assert_int_equal(probe_calls(p, T), 1);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

/* ---- epochs ------------------------------------------------------------- */

static void registering_after_the_event_redelivers(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *a = probe_new(), *b = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	assert_int_equal(bgcopy_job_set_notify_interface(job, &a->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_epoch(job), 1);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(a, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_set_notify_interface(job, &b->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_epoch(job), 2);
	assert_true(probe_wait_calls(b, T, 1, WAIT_MS));
	harness_sleep_ms(300);
	assert_int_equal(probe_calls(a, T), 1);
	assert_int_equal(probe_calls(b, T), 1);
	/* The engine let go of a once b replaced it. */
	assert_int_equal(__atomic_load_n(&a->refs, __ATOMIC_SEQ_CST), 0);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(a);
	probe_free(b);
}

static void old_interface_gets_nothing_after_set_returns(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *a = probe_new(), *b = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
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
	assert_true(probe_wait_calls(b, T, 1, WAIT_MS));
	harness_sleep_ms(200);
	assert_int_equal(probe_calls(a, T), 1);
	assert_true(a->begin_ms[T][0] <= set_returned);
	assert_int_equal(__atomic_load_n(&a->refs, __ATOMIC_SEQ_CST), 0);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(a);
	probe_free(b);
}

static void final_jobs_let_go_of_their_interface(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);
	uint64_t epoch;

	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	bgcopy_job_resume(job);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(probe_wait_released(p, WAIT_MS));
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
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_DEFAULT);

	bgcopy_engine_close(e);
	assert_int_equal(bgcopy_engine_open(h->store, &ro, &reader), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_list_jobs(reader, &job, 1), 1);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_E_READ_ONLY);
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	bgcopy_engine_close(reader);
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
		cmocka_unit_test(old_interface_gets_nothing_after_set_returns),
	};

	return cmocka_run_group_tests_name("notify flags and epochs", tests, probe_group_setup,
					   harness_group_teardown);
}
