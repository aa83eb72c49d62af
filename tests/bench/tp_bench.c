/*
 * Nanoseconds per call of a representative notification event
 * (bgcopy:callback_begin through the engine's hook table) next to a raw
 * lttng-ust event with one integer field, in the same process.
 * tests/bench/run.sh runs it with no session, with the events disabled and
 * with them enabled (lossless), and prints the ratios.
 *   tp_bench LIBBGCOPY-TP.SO ITERATIONS
 */
#define _GNU_SOURCE
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "tests/bench/raw_tp.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tp/bgcopy_tp_abi.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The engine's own guard: an untraced engine pays this branch only. */
static const struct bgcopy_tp_hooks *volatile hooks_or_null;

int main(int argc, char **argv)
{
	const struct bgcopy_tp_hooks *hooks;
	bgcopy_tp_hooks_fn get;
	struct bgcopy_tp_job job = {
		.engine = 0x1234, .job = "8b0f5a3e-1c2d-4e5f-9a8b-7c6d5e4f3a2b",
	};
	struct bgcopy_tp_notification n = {
		.kind = BGCOPY_TP_KIND_JOB_TRANSFERRED, .epoch = 1, .attempt = 1,
		.file_index = -1,
	};
	long iterations;
	double t0, unloaded, project, raw, same;
	void *handle;

	if (argc != 3 || (iterations = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: tp_bench LIBBGCOPY-TP.SO ITERATIONS\n");
		return 2;
	}
	hooks_or_null = NULL;
	t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		job.seq++;
		if (__builtin_expect(hooks_or_null != NULL, 0))
			hooks_or_null->callback_begin(&job, &n, 0);
	}
	unloaded = (now_ns() - t0) / (double)iterations;

	handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!handle || !(get = (bgcopy_tp_hooks_fn)dlsym(handle, BGCOPY_TP_HOOKS_SYMBOL)) ||
	    !(hooks = get(BGCOPY_TP_ABI))) {
		fprintf(stderr, "tp_bench: cannot load %s: %s\n", argv[1], dlerror());
		return 1;
	}
	/* Warm up: the first events of a session fault in its buffers. */
	for (long i = 0; i < iterations / 4; i++) {
		hooks->callback_begin(&job, &n, 0);
		lttng_ust_tracepoint(bgcopy_bench, raw, (int)i);
		lttng_ust_tracepoint(bgcopy_bench, same_fields, job.job, job.seq);
	}
	/* Exactly what tracer/trace.h's TRACE() does. */
	t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		job.seq++;
		if (__builtin_expect(__atomic_load_n(hooks->enabled[BGCOPY_TP_EV_callback_begin],
						     __ATOMIC_RELAXED), 0))
			hooks->callback_begin(&job, &n, 0);
	}
	project = (now_ns() - t0) / (double)iterations;

	t0 = now_ns();
	for (long i = 0; i < iterations; i++)
		lttng_ust_tracepoint(bgcopy_bench, raw, (int)i);
	raw = (now_ns() - t0) / (double)iterations;

	t0 = now_ns();
	for (long i = 0; i < iterations; i++)
		lttng_ust_tracepoint(bgcopy_bench, same_fields, job.job, (uint64_t)i);
	same = (now_ns() - t0) / (double)iterations;

	printf("unloaded %.3f project %.3f raw %.3f same %.3f\n", unloaded, project,
	       raw, same);
	return 0;
}
