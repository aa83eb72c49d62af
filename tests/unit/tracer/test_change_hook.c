/*
 * The change hook (bgcopy_engine_set_change_hook), embedded and in a
 * client of a real bgcopyd, and job owners (bgcopy_job_create_as,
 * bgcopy_job_take_ownership) on a real engine.
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

static size_t ncalls(struct calls *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* Whether every call so far was about `job`. */
static bool all_about(struct calls *c, bgcopy_job *job)
{
	bool all = true;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++)
		all = all && c->job[i] == job;
	pthread_mutex_unlock(&c->lock);
	return all;
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

/* Polls (calling nothing of the engine) until the hook was told that
 * `job` (any job when NULL) entered `state`; false after WAIT_MS. */
static bool wait_told(struct calls *c, bgcopy_job *job, enum bgcopy_state state)
{
	long deadline = harness_now_ms() + WAIT_MS;
	bool told = false;

	while (!told && harness_now_ms() < deadline) {
		pthread_mutex_lock(&c->lock);
		for (size_t i = 0; i < c->n && !told; i++)
			told = (!job || c->job[i] == job) && (c->what[i] & BGCOPY_CHANGE_STATE) &&
			       c->state[i] == state;
		pthread_mutex_unlock(&c->lock);
		if (!told)
			harness_sleep_ms(5);
	}
	return told;
}

/* Creates a job of one file, runs it to ACKNOWLEDGED and waits until
 * the hook was told so. */
static bgcopy_job *run_one_job(struct harness *h, bgcopy_engine *e, struct calls *c,
			       const char *name)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, name, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/hooked.bin"),
					     harness_out(h, name)), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	if (c)
		assert_true(wait_told(c, job, BGCOPY_ACKNOWLEDGED));
	unlink(harness_out(h, name));
	return job;
}

/* Embedded, or through bgcopyd (bgcopyd_client_engine.sh): the hook is
 * told of every state, from the creation on, in order. */
static void every_state_a_job_passes_is_reported_in_order(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	static struct calls c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	char seen[512];
	bgcopy_job *job;

	harness_make_file(h, "hooked.bin", 200000);
	assert_int_equal(bgcopy_engine_set_change_hook(e, record, &c), BGCOPY_OK);
	job = run_one_job(h, e, &c, "hooked");
	states(&c, seen, sizeof(seen));
	assert_string_equal(seen, "SUSPENDED QUEUED CONNECTING TRANSFERRING TRANSFERRED "
			    "ACKNOWLEDGED");
	assert_true(count(&c, BGCOPY_CHANGE_PROGRESS) >= 2);	/* added, then bytes moved */
	assert_true(all_about(&c, job));

	/* Removed, it is told nothing more. */
	assert_int_equal(bgcopy_engine_set_change_hook(e, NULL, NULL), BGCOPY_OK);
	size_t before = ncalls(&c);
	assert_int_equal(bgcopy_job_create(e, "quiet", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_description(job, "unheard"), BGCOPY_OK);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	harness_sleep_ms(100);	/* a late call would show by now (not a wait) */
	assert_int_equal(ncalls(&c), before);
	bgcopy_engine_close(e);
}

/* A property set is one BGCOPY_CHANGE_PROPERTY call, at once, in the
 * embedded engine (a client is told when the daemon's signal comes). */
static void an_embedded_hook_is_called_by_the_change_itself(void **state)
{
	harness_skip_through_daemon("a client's hook is called later, by its own thread");
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	static struct calls c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	bgcopy_job *job;

	assert_int_equal(bgcopy_engine_set_change_hook(e, record, &c), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "at-once", &job), BGCOPY_OK);
	assert_int_equal(count(&c, BGCOPY_CHANGE_STATE), 1);		/* SUSPENDED */
	assert_int_equal(bgcopy_job_set_display_name(job, "renamed"), BGCOPY_OK);
	assert_int_equal(count(&c, BGCOPY_CHANGE_PROPERTY), 1);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/at-once.bin"),
					     harness_out(h, "at-once.bin")), BGCOPY_OK);
	assert_int_equal(count(&c, BGCOPY_CHANGE_PROGRESS), 1);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
}

static bgcopy_engine *client_engine(struct harness *h, bool fresh_store)
{
	struct bgcopy_engine_options opt = { .flags = BGCOPY_OPEN_SERVICE };
	bgcopy_engine *e = fresh_store ? harness_engine_with(h, &opt) : harness_open(h, &opt);

	assert_int_equal(bgcopy_engine_is_client(e), 1);
	return e;
}

/* The same transfer, made embedded and then by another client of
 * bgcopyd while this one calls nothing: its hook is told the same
 * states in the same order, for a job it had never heard of, whose
 * handle is the engine's own. */
static void a_client_hook_is_told_what_an_embedded_one_is(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options embedded_opt = { .flags = BGCOPY_OPEN_EMBEDDED };
	static struct calls embedded = { .lock = PTHREAD_MUTEX_INITIALIZER };
	static struct calls client = { .lock = PTHREAD_MUTEX_INITIALIZER };
	bgcopy_engine *e = harness_engine_with(h, &embedded_opt), *watcher, *driver;
	char want[512], seen[512], id[37];
	bgcopy_job *job, *found;

	harness_make_file(h, "hooked.bin", 200000);
	assert_int_equal(bgcopy_engine_is_client(e), 0);
	assert_int_equal(bgcopy_engine_set_change_hook(e, record, &embedded), BGCOPY_OK);
	run_one_job(h, e, &embedded, "embedded");
	bgcopy_engine_close(e);
	states(&embedded, want, sizeof(want));

	watcher = client_engine(h, true);
	assert_int_equal(bgcopy_engine_set_change_hook(watcher, record, &client), BGCOPY_OK);
	driver = client_engine(h, false);
	job = run_one_job(h, driver, NULL, "driven");
	assert_true(wait_told(&client, NULL, BGCOPY_ACKNOWLEDGED));
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_engine_find_job(watcher, id, &found), BGCOPY_OK);
	states(&client, seen, sizeof(seen));
	assert_string_equal(seen, want);
	assert_true(all_about(&client, found));
	bgcopy_engine_close(driver);
	bgcopy_engine_close(watcher);
	harness_stop_daemon(h);
}

/* A hook that keeps the pump waiting while more changes come than the
 * client keeps (4,096) is told so, then given every job's state; a
 * lost connection is told too. */
struct blocking {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool entered, released;
	struct calls calls;
};

static void record_after_release(bgcopy_job *job, unsigned what, enum bgcopy_state state,
				 void *data)
{
	struct blocking *b = data;

	pthread_mutex_lock(&b->lock);
	b->entered = true;
	pthread_cond_broadcast(&b->cond);
	while (!b->released)
		pthread_cond_wait(&b->cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	record(job, what, state, &b->calls);
}

/* The index of the first call told `what` at or after `from`, or -1. */
static long find_call(struct calls *c, size_t from, unsigned what)
{
	long at = -1;

	pthread_mutex_lock(&c->lock);
	for (size_t i = from; i < c->n && at < 0; i++)
		if (c->what[i] == what)
			at = (long)i;
	pthread_mutex_unlock(&c->lock);
	return at;
}

static long wait_call(struct calls *c, size_t from, unsigned what)
{
	long deadline = harness_now_ms() + WAIT_MS, at;

	while ((at = find_call(c, from, what)) < 0 && harness_now_ms() < deadline)
		harness_sleep_ms(10);
	return at;
}

static void a_client_hook_that_falls_behind_is_told_of_the_loss(void **state)
{
	struct harness *h = *state;
	static struct blocking b = {
		.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER,
		.calls = { .lock = PTHREAD_MUTEX_INITIALIZER },
	};
	bgcopy_engine *e = client_engine(h, true);
	bgcopy_job *job;
	char text[32];
	long lost;

	assert_int_equal(bgcopy_job_create(e, "busy", &job), BGCOPY_OK);
	/* Its first call, this job's state, waits for the release. */
	assert_int_equal(bgcopy_engine_set_change_hook(e, record_after_release, &b),
			 BGCOPY_OK);
	pthread_mutex_lock(&b.lock);
	while (!b.entered)
		pthread_cond_wait(&b.cond, &b.lock);
	pthread_mutex_unlock(&b.lock);
	for (int i = 0; i < 4200; i++) {
		snprintf(text, sizeof(text), "change %d", i);
		assert_int_equal(bgcopy_job_set_description(job, text), BGCOPY_OK);
	}
	pthread_mutex_lock(&b.lock);
	b.released = true;
	pthread_cond_broadcast(&b.cond);
	pthread_mutex_unlock(&b.lock);
	lost = wait_call(&b.calls, 0, BGCOPY_CHANGE_LOST);
	assert_int_equal(lost, 1);
	assert_null(b.calls.job[lost]);
	assert_true(wait_call(&b.calls, (size_t)lost, BGCOPY_CHANGE_STATE) == lost + 1);
	assert_ptr_equal(b.calls.job[lost + 1], job);
	assert_int_equal(b.calls.state[lost + 1], BGCOPY_SUSPENDED);
	assert_true(ncalls(&b.calls) < 8);	/* what was dropped is not replayed */

	harness_stop_daemon(h);
	assert_true(wait_call(&b.calls, (size_t)lost + 1, BGCOPY_CHANGE_LOST) > lost + 1);
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
		cmocka_unit_test(an_embedded_hook_is_called_by_the_change_itself),
		cmocka_unit_test(a_client_hook_is_told_what_an_embedded_one_is),
		cmocka_unit_test(a_client_hook_that_falls_behind_is_told_of_the_loss),
		cmocka_unit_test(root_names_the_owner_and_takes_ownership),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("change hook and owners", tests, harness_group_setup,
					   harness_group_teardown);
}
