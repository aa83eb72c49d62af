/*
 * sync.c itself (issue 17): the transfer worker lets the threads already
 * waiting for the engine lock go first, an application's call and a
 * dispatcher it just woke alike, though glibc's mutex would give the
 * lock back to the worker, which asks again at once.  Nothing is timed:
 * each test waits for the other thread to be counted as waiting.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"

static bgcopy_engine *engine;
static char order[4];		/* who had the lock, in turn: written under it */
static bool work_due;		/* under the lock */
static unsigned waiting_after_wake;

/* On the test's threads, where cmocka cannot fail a test: checked later. */
static void took_turn(char who)
{
	size_t n = strlen(order);

	if (!engine_locked(engine) || n + 1 >= sizeof(order))
		abort();
	order[n] = who;
}

static int setup(void **state)
{
	(void)state;
	engine = calloc(1, sizeof(*engine));
	if (!engine || pthread_mutex_init(&engine->lock, NULL) ||
	    pthread_cond_init(&engine->dispatch_cond, NULL))
		return -1;
	memset(order, 0, sizeof(order));
	work_due = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pthread_cond_destroy(&engine->dispatch_cond);
	pthread_mutex_destroy(&engine->lock);
	free(engine);
	return 0;
}

static unsigned waiting_now(void)
{
	return __atomic_load_n(&engine->lock_waiting, __ATOMIC_SEQ_CST);
}

static void *application_call(void *arg)
{
	(void)arg;
	engine_lock(engine);
	took_turn('A');
	engine_unlock(engine);
	return NULL;
}

/* The worker's round: let go of the lock and take it again at once. */
static void worker_goes_round(void)
{
	engine_unlock(engine);
	engine_lock(engine);
	took_turn('W');
	engine_unlock(engine);
}

static void *worker_after_call(void *arg)
{
	pthread_t caller;

	(void)arg;
	worker_thread_begin(engine);
	engine_lock(engine);
	if (pthread_create(&caller, NULL, application_call, NULL))
		abort();
	while (waiting_now() == 0)
		usleep(1000);
	worker_goes_round();
	pthread_join(caller, NULL);
	return NULL;
}

/* The worker's part on a thread of its own: worker_of is per thread. */
static void run_worker(void *(*part)(void *))
{
	pthread_t worker;

	assert_int_equal(pthread_create(&worker, NULL, part, NULL), 0);
	pthread_join(worker, NULL);
}

static void an_application_call_waiting_goes_before_the_worker(void **state)
{
	(void)state;
	run_worker(worker_after_call);
	assert_string_equal(order, "AW");
	assert_int_equal(waiting_now(), 0);
}

static void *dispatcher(void *arg)
{
	(void)arg;
	engine_lock(engine);
	while (!work_due)
		dispatcher_wait(engine, now_ms() + 600000);
	took_turn('D');
	engine_unlock(engine);
	return NULL;
}

static bool dispatcher_asleep(void)
{
	bool asleep;

	engine_lock(engine);
	asleep = engine->dispatchers_asleep == 1;
	engine_unlock(engine);
	return asleep;
}

static void *worker_waking_dispatcher(void *arg)
{
	pthread_t woken;

	(void)arg;
	worker_thread_begin(engine);
	if (pthread_create(&woken, NULL, dispatcher, NULL))
		abort();
	while (!dispatcher_asleep())
		usleep(1000);
	engine_lock(engine);
	work_due = true;
	wake_dispatchers(engine);
	waiting_after_wake = waiting_now();
	worker_goes_round();
	pthread_join(woken, NULL);
	return NULL;
}

static void a_dispatcher_woken_goes_before_the_worker(void **state)
{
	(void)state;
	run_worker(worker_waking_dispatcher);
	assert_int_equal(waiting_after_wake, 1);
	assert_string_equal(order, "DW");
	assert_int_equal(waiting_now(), 0);
	assert_int_equal(engine->dispatchers_asleep, 0);
}

/* A dispatcher whose wait ended by its time is not counted as woken. */
static void a_dispatcher_timed_out_is_not_counted(void **state)
{
	(void)state;
	engine_lock(engine);
	dispatcher_wait(engine, now_ms() + 1);
	assert_int_equal(engine->dispatchers_asleep, 0);
	engine_unlock(engine);
	assert_int_equal(waiting_now(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_application_call_waiting_goes_before_the_worker,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_dispatcher_woken_goes_before_the_worker,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_dispatcher_timed_out_is_not_counted,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
