/* The engine lock, which thread holds it, and the wake-ups of its threads. */
#include <curl/curl.h>
#include <time.h>

#include "internal.h"

/* pthread mutexes cannot say who holds them; SQLite's mutex_held asserts
 * need the same, so the holder is noted beside the lock. */
static unsigned long self_id(void)
{
	return (unsigned long)pthread_self();
}

void engine_lock(bgcopy_engine *engine)
{
	pthread_mutex_lock(&engine->lock);
	assert(__atomic_load_n(&engine->lock_owner, __ATOMIC_RELAXED) == 0);
	__atomic_store_n(&engine->lock_owner, self_id(), __ATOMIC_RELAXED);
}

void engine_unlock(bgcopy_engine *engine)
{
	assert(engine_locked(engine));
	__atomic_store_n(&engine->lock_owner, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&engine->lock);
}

bool engine_locked(const bgcopy_engine *engine)
{
	return __atomic_load_n(&engine->lock_owner, __ATOMIC_RELAXED) == self_id();
}

void engine_wait(bgcopy_engine *engine, pthread_cond_t *cond, int64_t at_ms)
{
	struct timespec ts;

	assert(engine_locked(engine));
	deadline_to_timespec(at_ms, &ts);
	__atomic_store_n(&engine->lock_owner, 0, __ATOMIC_RELAXED);
	pthread_cond_timedwait(cond, &engine->lock, &ts);
	__atomic_store_n(&engine->lock_owner, self_id(), __ATOMIC_RELAXED);
}

/* The engine whose worker this thread is, if any. */
static __thread bgcopy_engine *worker_of;

void worker_thread_begin(bgcopy_engine *engine)
{
	worker_of = engine;
}

bool worker_again(bgcopy_engine *engine)
{
	bool again = engine->worker_woken;

	assert(worker_of == engine);
	engine->worker_woken = false;
	return again;
}

/* The worker sleeps in curl_multi_poll. */
void wake_worker(bgcopy_engine *engine)
{
	if (worker_of == engine)
		engine->worker_woken = true;
	else if (engine->multi)
		curl_multi_wakeup(engine->multi);
}

void wake_dispatchers(bgcopy_engine *engine)
{
	pthread_cond_broadcast(&engine->dispatch_cond);
}

/* bgcopy_engine_wait_idle() callers: something may have settled. */
void wake_waiters(bgcopy_engine *engine)
{
	pthread_cond_broadcast(&engine->idle_cond);
}
