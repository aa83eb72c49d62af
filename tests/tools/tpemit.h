/*
 * Emitting bgcopy trace events without the engine: loads the real
 * provider (libbgcopy-tp.so) and calls its hook table the way libbgcopy
 * does (tracer/trace.h): an event is emitted only when a session enabled
 * it (the table's enabled[] array), and a job's seq moves only then.
 * Shared by tests/tools/fake_engine.c and tests/bench/gen_events.c.
 */
#ifndef BGCOPY_TPEMIT_H
#define BGCOPY_TPEMIT_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tp/bgcopy_tp_abi.h"

struct tpe_engine {
	const struct bgcopy_tp_hooks *h;
	uint64_t id;
};

struct tpe_job {
	struct tpe_engine *e;
	char id[37];
	uint64_t seq;
	uint64_t epoch;
	uint64_t iface;
	uint32_t flags;
};

#define TPE_ON(h, ev) \
	__atomic_load_n((h)->enabled[BGCOPY_TP_EV_##ev], __ATOMIC_RELAXED)

/* An engine-scoped event. */
#define TPE_EMIT(eng, ev, ...)						\
	do {								\
		if (TPE_ON((eng)->h, ev))				\
			(eng)->h->ev(__VA_ARGS__);			\
	} while (0)

/* A job event: builds the common fields and bumps seq, when enabled. */
#define TPE_JOB(j, ev, ...)						\
	do {								\
		if (TPE_ON((j)->e->h, ev)) {				\
			struct bgcopy_tp_job tpe_j_ = {			\
				.engine = (j)->e->id, .job = (j)->id,	\
				.seq = ++(j)->seq };			\
			(j)->e->h->ev(&tpe_j_, __VA_ARGS__);		\
		}							\
	} while (0)

static inline const struct bgcopy_tp_hooks *tpe_load(const char *path)
{
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	bgcopy_tp_hooks_fn get;
	const struct bgcopy_tp_hooks *h;

	if (!handle) {
		fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
		return NULL;
	}
	get = (bgcopy_tp_hooks_fn) dlsym(handle, BGCOPY_TP_HOOKS_SYMBOL);
	h = get ? get(BGCOPY_TP_ABI) : NULL;
	if (!h)
		fprintf(stderr, "%s has no hook table of ABI %d\n", path,
			BGCOPY_TP_ABI);
	return h;
}

static inline void tpe_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

static inline void tpe_engine_open(struct tpe_engine *e, const char *store,
				   uint32_t dispatchers)
{
	struct bgcopy_tp_engine info = {
		.engine = e->id, .store = store,
		.dispatcher_threads = dispatchers, .test_options = 0x1,
		.min_retry_floor_ms = 0,
	};

	TPE_EMIT(e, engine_open, &info);
}

static inline void tpe_engine_close(struct tpe_engine *e)
{
	TPE_EMIT(e, engine_close, e->id);
}

static inline void tpe_job_init(struct tpe_job *j, struct tpe_engine *e,
				unsigned n)
{
	memset(j, 0, sizeof(*j));
	j->e = e;
	j->flags = 0x3;
	snprintf(j->id, sizeof(j->id), "%08x-%04x-4%03x-8%03x-%012llx",
		 (unsigned) (e->id & 0xffffffffu), n & 0xffffu,
		 (n >> 16) & 0xfffu, 0x123u, (unsigned long long) n);
}

/* job_created with the engine's defaults but the given timings. */
static inline void tpe_job_created(struct tpe_job *j, const char *name,
				   uint64_t retry_ms, uint64_t interval_ms)
{
	struct bgcopy_tp_job_info info = {
		.name = name, .priority = BGCOPY_TP_PRIORITY_NORMAL,
		.owner = (uint32_t) getuid(), .state = BGCOPY_TP_SUSPENDED,
		.notify_flags = 0x3, .min_retry_delay_ms = retry_ms,
		.no_progress_timeout_ms = 1209600000,
		.modification_interval_ms = interval_ms, .files = 0,
		.epoch = 0, .notify_cmdline = "",
	};

	TPE_JOB(j, job_created, &info);
}

static inline void tpe_file_added(struct tpe_job *j, int32_t index)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/fake/%.8s-%d", j->id, index);
	TPE_JOB(j, file_added, index, "http://127.0.0.1/fake.bin", path);
}

static inline void tpe_state(struct tpe_job *j, int32_t from, int32_t to,
			     int32_t cause)
{
	struct bgcopy_tp_state_change s = {
		.from = from, .to = to, .cause = cause, .error_file = -1,
		.description = "",
	};

	TPE_JOB(j, state_change, &s);
}

static inline void tpe_flags(struct tpe_job *j, uint32_t flags)
{
	TPE_JOB(j, flags_change, j->flags, flags, 0);
	j->flags = flags;
}

static inline void tpe_iface(struct tpe_job *j, uint64_t iface)
{
	uint64_t old = j->epoch++;

	j->iface = iface;
	TPE_JOB(j, interface_set, old, j->epoch, iface);
}

static inline void tpe_release(struct tpe_job *j, uint64_t iface,
			       uint64_t epoch)
{
	TPE_JOB(j, interface_release, iface, epoch);
}

static inline void tpe_property(struct tpe_job *j, int32_t prop,
				const char *value)
{
	TPE_JOB(j, property_change, prop, value);
}

static inline void tpe_progress(struct tpe_job *j, int32_t file,
				uint64_t bytes, uint64_t total)
{
	struct bgcopy_tp_progress p = {
		.file_index = file, .file_bytes = bytes,
		.file_total = (int64_t) total, .job_bytes = bytes,
		.job_total = (int64_t) total,
	};

	TPE_JOB(j, progress, &p);
}

static inline void tpe_file_complete(struct tpe_job *j, int32_t file,
				     uint64_t bytes)
{
	TPE_JOB(j, file_complete, file, bytes);
}

static inline struct bgcopy_tp_notification tpe_note(const struct tpe_job *j,
						     int kind, uint32_t attempt,
						     int32_t file)
{
	return (struct bgcopy_tp_notification) {
		.kind = kind, .epoch = j->epoch, .attempt = attempt,
		.file_index = kind == BGCOPY_TP_KIND_FILE_TRANSFERRED ? file : -1,
	};
}

static inline void tpe_armed(struct tpe_job *j, int kind, int32_t file)
{
	struct bgcopy_tp_notification n = tpe_note(j, kind, 0, file);

	TPE_JOB(j, notify_armed, &n);
}

static inline void tpe_coalesced(struct tpe_job *j)
{
	struct bgcopy_tp_notification n =
		tpe_note(j, BGCOPY_TP_KIND_JOB_MODIFICATION, 0, -1);

	TPE_JOB(j, notify_coalesced, &n);
}

static inline void tpe_begin(struct tpe_job *j, int kind, uint32_t attempt,
			     int32_t file)
{
	struct bgcopy_tp_notification n = tpe_note(j, kind, attempt, file);

	TPE_JOB(j, callback_begin, &n, j->iface);
}

static inline void tpe_end(struct tpe_job *j, int kind, uint32_t attempt,
			   int32_t file, int32_t result)
{
	struct bgcopy_tp_notification n = tpe_note(j, kind, attempt, file);

	TPE_JOB(j, callback_end, &n, result, 1000);
}

/* A whole callback; `ms' spent inside it. */
static inline void tpe_callback(struct tpe_job *j, int kind, uint32_t attempt,
				int32_t file, int32_t result, long ms)
{
	tpe_begin(j, kind, attempt, file);
	if (ms)
		tpe_sleep_ms(ms);
	tpe_end(j, kind, attempt, file, result);
}

static inline void tpe_transfer(struct tpe_job *j, int32_t file,
				uint64_t bytes)
{
	struct bgcopy_tp_transfer t = {
		.file_index = file, .url = "http://127.0.0.1/fake.bin",
		.http_status = 200, .bytes = bytes, .total_us = 1000,
	};

	TPE_JOB(j, transfer, &t);
}

#endif /* BGCOPY_TPEMIT_H */
