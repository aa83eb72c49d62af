/*
 * Redirect policy as BITS has it: http to http or https and https to
 * https are followed; https to http is a permanent error unless the job
 * allows it; a job may follow none.  The policy and where a redirected
 * file came from survive a restart.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define OPTIONS (BGCOPY_TEST_SHORT_RETRY | BGCOPY_TEST_TRUST_ANY_TLS)
#define WAIT_MS 10000

static bgcopy_job *start(bgcopy_engine *e, const char *url, const char *dest,
			 enum bgcopy_redirect_policy policy)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "redirected", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_redirect_policy(job, policy), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, url, dest), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	return job;
}

static void assert_final_url(bgcopy_job *job, const char *want)
{
	char url[2048];

	assert_int_equal(bgcopy_job_get_file_final_url(job, 0, url, sizeof(url)),
			 BGCOPY_OK);
	assert_string_equal(url, want);
}

static void https_to_http_is_refused_unless_the_job_allows_it(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, OPTIONS);
	char insecure[256], secure[256], final[256];
	struct bgcopy_error err;
	bgcopy_job *refused, *allowed, *https_only;
	int tls_port, wstatus;
	pid_t tls = harness_start_tls(h, &tls_port);

	harness_make_file(h, "down.bin", 20000);
	snprintf(insecure, sizeof(insecure),
		 "https://127.0.0.1:%d/fault/redirect-http:%d/down.bin", tls_port, h->port);
	refused = start(e, insecure, harness_out(h, "refused.bin"), BGCOPY_REDIRECT_ALLOW);
	assert_true(harness_wait_state(refused, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(refused, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_REMOTE_FILE);
	assert_non_null(strstr(err.description, "redirect from https to a URL that is not https refused"));
	/* Not a byte asked over plain http. */
	assert_int_equal(harness_log_order(h, "/down.bin"), -1);
	assert_final_url(refused, "");

	allowed = start(e, insecure, harness_out(h, "allowed.bin"),
			BGCOPY_REDIRECT_ALLOW_INSECURE);
	assert_true(harness_wait_state(allowed, BGCOPY_TRANSFERRED, WAIT_MS));
	snprintf(final, sizeof(final), "http://127.0.0.1:%d/down.bin", h->port);
	assert_final_url(allowed, final);
	assert_int_equal(bgcopy_job_complete(allowed), BGCOPY_OK);
	assert_true(harness_same(h, "down.bin", harness_out(h, "allowed.bin")));

	/* https to https is followed under the default policy. */
	snprintf(secure, sizeof(secure), "https://127.0.0.1:%d/fault/redirect/down.bin",
		 tls_port);
	https_only = start(e, secure, harness_out(h, "secure.bin"), BGCOPY_REDIRECT_ALLOW);
	assert_true(harness_wait_state(https_only, BGCOPY_TRANSFERRED, WAIT_MS));
	snprintf(final, sizeof(final), "https://127.0.0.1:%d/down.bin", tls_port);
	assert_final_url(https_only, final);

	bgcopy_job_cancel(refused);
	bgcopy_job_cancel(https_only);
	unlink(harness_out(h, "allowed.bin"));
	bgcopy_engine_close(e);
	kill(tls, SIGTERM);
	waitpid(tls, &wstatus, 0);
}

static void a_job_may_follow_no_redirect(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, OPTIONS);
	struct bgcopy_error err;
	bgcopy_job *none, *followed;

	harness_make_file(h, "r.bin", 3000);
	none = start(e, harness_url(h, "/fault/redirect/r.bin"), harness_out(h, "none.bin"),
		     BGCOPY_REDIRECT_DISALLOW);
	assert_true(harness_wait_state(none, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(none, &err), BGCOPY_OK);
	assert_int_equal(err.http_status, 302);
	if (!strstr(err.description, "follows no redirect")) fail_msg("%s", err.description);
	followed = start(e, harness_url(h, "/fault/redirect/r.bin"),
			 harness_out(h, "followed.bin"), BGCOPY_REDIRECT_ALLOW);
	assert_true(harness_wait_state(followed, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_final_url(followed, harness_url(h, "/r.bin"));
	assert_int_equal(bgcopy_job_set_redirect_policy(followed, 7), BGCOPY_E_INVALID_ARG);
	bgcopy_job_cancel(none);
	bgcopy_job_cancel(followed);
	bgcopy_engine_close(e);
}

static void the_policy_and_the_final_url_survive_a_restart(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, OPTIONS);
	bgcopy_job *job;
	char id[37];

	harness_make_file(h, "kept.bin", 3000);
	job = start(e, harness_url(h, "/fault/redirect/kept.bin"), harness_out(h, "kept.bin"),
		    BGCOPY_REDIRECT_ALLOW_INSECURE);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	e = harness_reopen(h, OPTIONS);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_redirect_policy(job), BGCOPY_REDIRECT_ALLOW_INSECURE);
	assert_final_url(job, harness_url(h, "/kept.bin"));
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(https_to_http_is_refused_unless_the_job_allows_it),
		cmocka_unit_test(a_job_may_follow_no_redirect),
		cmocka_unit_test(the_policy_and_the_final_url_survive_a_restart),
	};

	return cmocka_run_group_tests_name("redirects", tests, harness_group_setup,
					   harness_group_teardown);
}
