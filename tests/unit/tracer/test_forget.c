/* A final job the application lets go of (bgcopy_engine_forget_job): gone from the engine, freed only once the engine's own threads are done with it. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness_probe.h"

static void only_a_final_job_can_be_forgotten(void **state)
{
	harness_skip_through_daemon("bgcopyd forgets final jobs itself, a while after "
				    "announcing them (bgcopyd_forget.sh)");
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job, *kept, *found;
	char id[37];

	assert_int_equal(bgcopy_job_create(e, "let go", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "kept", &kept), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_engine_forget_job(e, job), BGCOPY_E_INVALID_STATE);
	assert_non_null(strstr(bgcopy_last_error(), "SUSPENDED"));
	assert_int_equal(bgcopy_engine_forget_job(e, NULL), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 2);
	assert_int_equal(bgcopy_engine_forget_job(e, job), BGCOPY_OK);
	/* Listed and found no more; the others are untouched. */
	assert_int_equal(bgcopy_engine_list_jobs(e, &found, 1), 1);
	assert_ptr_equal(found, kept);
	assert_int_equal(bgcopy_engine_find_job(e, id, &found), BGCOPY_E_NOT_FOUND);
	assert_int_equal(bgcopy_job_get_state(kept), BGCOPY_SUSPENDED);
	bgcopy_engine_close(e);
}

/* A JobTransferred callback that cancels its own job and lets go of it:
 * the dispatcher still holds the job until the callback has returned. */
static bgcopy_engine *engine_of_job;

static void cancel_and_forget(struct probe *p, bgcopy_job *job, int kind)
{
	(void)p;
	if (kind != T)
		return;
	if (bgcopy_job_cancel(job) != BGCOPY_OK ||
	    bgcopy_engine_forget_job(engine_of_job, job) != BGCOPY_OK)
		p->inside_errors++;
}

static void a_job_forgotten_in_its_own_callback_goes_when_it_returns(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job = probe_job(h, e, "/n.bin", 1, BGCOPY_NOTIFY_JOB_TRANSFERRED);

	engine_of_job = e;
	p->inside = cancel_and_forget;
	p->sleep_ms = 50;	/* the job is final and forgotten before the return */
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(probe_wait_calls(p, T, 1, WAIT_MS));
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_int_equal(p->inside_errors, 0);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 0);
	bgcopy_engine_close(e);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_a_final_job_can_be_forgotten),
		cmocka_unit_test(a_job_forgotten_in_its_own_callback_goes_when_it_returns),
	};

	return cmocka_run_group_tests_name("forget", tests, probe_group_setup,
					   harness_group_teardown);
}
