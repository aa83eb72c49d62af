/* Notify interface registrations: references, their release, and releases deferred out of the lock. */
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "trace.h"

/* How traces name an interface: the application's object address. */
uint64_t notify_iface_id(const struct notify_iface *ni)
{
	return ni ? (uint64_t)(uintptr_t)ni->cb : 0;
}

/* Drops one reference; the last one hands the application's object back
 * in *release_now, to be released once the lock is let go. */
void notify_iface_put_locked(bgcopy_job *job, struct notify_iface *ni,
			     struct bgcopy_callback **release_now)
{
	assert(engine_locked(job->engine));
	assert(ni->refs > 0);
	*release_now = NULL;
	if (--ni->refs)
		return;
	TRACE(interface_release, TRACE_JOB(job), notify_iface_id(ni), ni->epoch);
	*release_now = ni->cb;
	free(ni);
}

/* Releases that became due with the lock held (a job turning final) wait
 * here for the first thread that can make them safely. */
void defer_release(bgcopy_engine *engine, struct bgcopy_callback *cb)
{
	struct deferred_release *r = xcalloc(1, sizeof(*r));

	assert(engine_locked(engine));
	if (!r)
		return;		/* a leaked reference beats a call under the lock */
	r->cb = cb;
	r->next = engine->deferred;
	engine->deferred = r;
	wake_dispatchers(engine);
}

void notify_flush_releases(bgcopy_engine *engine)
{
	struct deferred_release *r, *next;

	assert(!engine_locked(engine));
	engine_lock(engine);
	r = engine->deferred;
	engine->deferred = NULL;
	engine_unlock(engine);
	for (; r; r = next) {
		next = r->next;
		r->cb->ops->release(r->cb);
		free(r);
	}
}
