/* The dispatcher threads: each waits for a due delivery, makes it, and flushes deferred releases. */
#include "internal.h"

/* The engine whose dispatcher this thread is, if any. */
static __thread bgcopy_engine *dispatcher_of;

bool notify_on_dispatcher(const bgcopy_engine *engine)
{
	return dispatcher_of == engine;
}

static void *dispatcher_main(void *arg)
{
	bgcopy_engine *engine = arg;
	struct delivery d;
	int64_t wake_at;

	dispatcher_of = engine;
	engine_lock(engine);
	while (!engine->stopping) {
		if (engine->deferred) {
			engine_unlock(engine);
			notify_flush_releases(engine);
			engine_lock(engine);
			continue;
		}
		if (notify_pick_due(engine, &d, &wake_at)) {
			notify_deliver(engine, &d);
			continue;
		}
		dispatcher_wait(engine, wake_at);
	}
	engine_unlock(engine);
	return NULL;
}

int notify_start(bgcopy_engine *engine)
{
	unsigned n = engine->opt.dispatcher_threads;

	assert(n > 0 && !engine->dispatchers);
	engine->dispatchers = xcalloc(n, sizeof(*engine->dispatchers));
	if (!engine->dispatchers)
		return BGCOPY_E_NOMEM;
	for (; engine->ndispatchers < n; engine->ndispatchers++)
		if (pthread_create(&engine->dispatchers[engine->ndispatchers],
				   NULL, dispatcher_main, engine))
			return set_error(BGCOPY_E_NOMEM,
					 "cannot start dispatcher thread");
	return BGCOPY_OK;
}

void notify_stop(bgcopy_engine *engine)
{
	assert(!engine_locked(engine));
	for (unsigned i = 0; i < engine->ndispatchers; i++)
		pthread_join(engine->dispatchers[i], NULL);
	engine->ndispatchers = 0;
}
