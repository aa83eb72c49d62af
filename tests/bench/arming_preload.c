/* Preloaded into bgcopyd by tests/bench/daemon.sh: the arming clock runs before the daemon's own change hook. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

#include "arming.h"

typedef int (*set_hook_fn)(bgcopy_engine *, bgcopy_change_hook, void *);

static bgcopy_change_hook daemon_hook;

static void chained(bgcopy_job *job, unsigned what, enum bgcopy_state state, void *data)
{
	arming_hook(job, what, state, data);
	daemon_hook(job, what, state, data);
}

/* bgcopyd sets its hook once at start and removes it at exit. */
int bgcopy_engine_set_change_hook(bgcopy_engine *engine, bgcopy_change_hook hook, void *data)
{
	set_hook_fn real = (set_hook_fn)dlsym(RTLD_NEXT, "bgcopy_engine_set_change_hook");

	if (!real) {
		fprintf(stderr, "arming preload: no bgcopy_engine_set_change_hook after this one\n");
		return BGCOPY_E_INVALID_STATE;
	}
	if (!hook)
		return real(engine, NULL, NULL);
	daemon_hook = hook;
	return real(engine, chained, data);
}
