/* bgcopy_callback_forward(): the attempt a callback serves, for the process it forwards the callback to; bgcopy_callback_received() and _returned(): that process's side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "harness_probe.h"

#define TRIES 2

/* What each JobTransferred attempt was told, in order. */
static struct bgcopy_callback_attempt seen[TRIES];
static int seen_status[TRIES], n_seen;

static void forward_inside(struct probe *p, bgcopy_job *job, int kind)
{
	(void)p;
	(void)job;
	if (kind != T || n_seen >= TRIES)
		return;
	seen_status[n_seen] = bgcopy_callback_forward(4242, &seen[n_seen]);
	n_seen++;
}

static void a_callback_learns_its_attempt_and_arming(void **state)
{
	harness_skip_through_daemon("the callback runs in the client, not in the engine that forwards it");
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED);

	p->inside = forward_inside;
	p->fail_first = 1;		/* attempt 1 fails: attempt 2 of one arming */
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, TRIES, WAIT_MS));
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_int_equal(n_seen, TRIES);
	for (int i = 0; i < TRIES; i++) {
		assert_int_equal(seen_status[i], BGCOPY_OK);
		assert_int_equal(seen[i].attempt, i + 1);
	}
	assert_true(seen[0].arming >= 1);
	assert_int_equal(seen[1].arming, seen[0].arming);
	assert_true(seen[0].engine != 0);
	assert_true(seen[1].engine == seen[0].engine);
	probe_job_finish(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

static void outside_a_callback_it_is_refused(void **state)
{
	struct bgcopy_callback_attempt at;

	(void)state;
	assert_int_equal(bgcopy_callback_forward(4242, &at), BGCOPY_E_INVALID_STATE);
	assert_non_null(strstr(bgcopy_last_error(), "outside a notify interface"));
	assert_int_equal(bgcopy_callback_forward(4242, NULL), BGCOPY_E_INVALID_ARG);
}

/* Runs before any open in this process: the receiver state is global. */
static void a_receiver_names_what_is_wrong_with_a_receipt(void **state)
{
	struct bgcopy_callback_receipt rc = {
		.member = "JobTransferred", .job = "6c3a4d1e-0000-4000-8000-000000000001",
		.attempt = { .engine = 0x1234, .arming = 1, .attempt = 1 },
	};

	(void)state;
	assert_int_equal(bgcopy_callback_received(&rc), BGCOPY_E_INVALID_STATE);
	assert_non_null(strstr(bgcopy_last_error(), "bgcopy_callback_receiver_open"));
	assert_int_equal(bgcopy_callback_receiver_open(), BGCOPY_OK);
	assert_int_equal(bgcopy_callback_received(&rc), BGCOPY_OK);
	assert_int_equal(bgcopy_callback_returned(&rc, 0), BGCOPY_OK);
	assert_int_equal(bgcopy_callback_received(NULL), BGCOPY_E_INVALID_ARG);
	rc.job = NULL;
	assert_int_equal(bgcopy_callback_returned(&rc, 0), BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "bgcopy_callback_returned"));
	rc.job = "6c3a4d1e-0000-4000-8000-000000000001";
	rc.member = "JobFinished";
	assert_int_equal(bgcopy_callback_received(&rc), BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "'JobFinished' is not a method"));
	/* A sender that forwarded nothing: accepted, nothing to join. */
	rc = (struct bgcopy_callback_receipt){ .member = "FileTransferred", .job = "j",
					       .file_index = 3 };
	assert_int_equal(bgcopy_callback_received(&rc), BGCOPY_OK);
	assert_int_equal(bgcopy_callback_receiver_open(), BGCOPY_OK);	/* again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_receiver_names_what_is_wrong_with_a_receipt),
		cmocka_unit_test(a_callback_learns_its_attempt_and_arming),
		cmocka_unit_test(outside_a_callback_it_is_refused),
	};

	return cmocka_run_group_tests_name("callback forward", tests, probe_group_setup,
					   harness_group_teardown);
}
