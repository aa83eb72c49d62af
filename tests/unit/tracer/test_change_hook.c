/*
 * The change hook (bgcopy_engine_set_change_hook) and job owners
 * (bgcopy_job_create_as, bgcopy_job_take_ownership) on a real engine.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define WAIT_MS 10000
#define MAX_CALLS 4096

/* What the hook was told, from whichever thread called it. */
struct calls {
	pthread_mutex_t lock;
	size_t n;
	bgcopy_job *job[MAX_CALLS];
	unsigned what[MAX_CALLS];
	enum bgcopy_state state[MAX_CALLS];
};

static void record(bgcopy_job *job, unsigned what, enum bgcopy_state state, void *data)
{
	struct calls *c = data;

	pthread_mutex_lock(&c->lock);
	if (c->n < MAX_CALLS) {
		c->job[c->n] = job;
		c->what[c->n] = what;
		c->state[c->n++] = state;
	}
	pthread_mutex_unlock(&c->lock);
}

static size_t count(struct calls *c, unsigned what)
{
	size_t k = 0;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++)
		k += (c->what[i] & what) != 0;
	pthread_mutex_unlock(&c->lock);
	return k;
}

/* The states reported, joined by spaces. */
static void states(struct calls *c, char *out, size_t size)
{
	size_t len = 0;

	out[0] = 0;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n && len < size; i++)
		if (c->what[i] & BGCOPY_CHANGE_STATE)
			len += snprintf(out + len, size - len, "%s%s", len ? " " : "",
					bgcopy_state_name(c->state[i]));
	pthread_mutex_unlock(&c->lock);
}

static void every_state_a_job_passes_is_reported_in_order(void **state)
{
	/* bgcopyd's clients read its PropertiesChanged signals instead. */
	harness_skip_through_daemon("a client engine refuses a change hook");
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	static struct calls c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	char seen[512];
	bgcopy_job *job;

	harness_make_file(h, "hooked.bin", 200000);
	assert_int_equal(bgcopy_engine_set_change_hook(e, record, &c), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "hooked", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_display_name(job, "renamed"), BGCOPY_OK);
	assert_int_equal(count(&c, BGCOPY_CHANGE_PROPERTY), 1);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/hooked.bin"),
					     harness_out(h, "hooked.bin")), BGCOPY_OK);
	assert_int_equal(count(&c, BGCOPY_CHANGE_PROGRESS), 1);	/* the file added */
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	states(&c, seen, sizeof(seen));
	assert_string_equal(seen, "QUEUED CONNECTING TRANSFERRING TRANSFERRED ACKNOWLEDGED");
	assert_true(count(&c, BGCOPY_CHANGE_PROGRESS) >= 2);	/* bytes moved */
	for (size_t i = 0; i < c.n; i++)
		assert_ptr_equal(c.job[i], job);

	/* Removed, it is told nothing more. */
	assert_int_equal(bgcopy_engine_set_change_hook(e, NULL, NULL), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "quiet", &job), BGCOPY_OK);
	size_t before = c.n;
	assert_int_equal(bgcopy_job_set_description(job, "unheard"), BGCOPY_OK);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(c.n, before);
	unlink(harness_out(h, "hooked.bin"));
	bgcopy_engine_close(e);
}

static void root_names_the_owner_and_takes_ownership(void **state)
{
	harness_skip_through_daemon("root names another owner in its own engine alone");
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	const char *const argv[] = { "/bin/true", NULL };
	char cmdline[256];
	bgcopy_job *job;

	if (geteuid() != 0) {
		bgcopy_engine_close(e);
		skip();
	}
	assert_int_equal(bgcopy_job_create_as(e, "theirs", 4242, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_owner(job), 4242);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_credentials(job, BGCOPY_AUTH_BASIC, "u", "p"),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_proxy_credentials(job, BGCOPY_AUTH_DIGEST, "pu", "pp"),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_headers(job, "X-Token: t"), BGCOPY_OK);
	assert_int_equal(bgcopy_job_take_ownership(job, 0), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_auth_scheme(job), BGCOPY_AUTH_NONE);
	assert_int_equal(bgcopy_job_get_proxy_auth_scheme(job), BGCOPY_AUTH_NONE);
	bgcopy_job_get_header_names(job, cmdline, sizeof(cmdline));
	assert_string_equal(cmdline, "");	/* their headers are gone too */
	assert_int_equal(bgcopy_job_get_owner(job), 0);
	bgcopy_job_get_notify_cmdline(job, cmdline, sizeof(cmdline));
	assert_string_equal(cmdline, "");	/* the previous owner's is gone */
	bgcopy_engine_close(e);

	/* The owner is stored. */
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_list_jobs(e, &job, 1), 1);
	assert_int_equal(bgcopy_job_get_owner(job), 0);
	assert_int_equal(bgcopy_job_get_auth_scheme(job), BGCOPY_AUTH_NONE);
	assert_int_equal(bgcopy_job_get_proxy_auth_scheme(job), BGCOPY_AUTH_NONE);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_state_a_job_passes_is_reported_in_order),
		cmocka_unit_test(root_names_the_owner_and_takes_ownership),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("change hook and owners", tests, harness_group_setup,
					   harness_group_teardown);
}
