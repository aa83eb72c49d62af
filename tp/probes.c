/*
 * libbgcopy-tp.so: creates the bgcopy probes and exposes them to libbgcopy
 * as a table of plain C hooks, so the engine never sees an LTTng type and
 * never maps an LTTng library unless this object is loaded.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "bgcopy_tp.h"

#define EMIT(name, ...) lttng_ust_tracepoint(bgcopy, name, __VA_ARGS__)

static void hook_engine_open(const struct bgcopy_tp_engine *e) { EMIT(engine_open, e); }
static void hook_engine_close(uint64_t engine) { EMIT(engine_close, engine); }

static void hook_store_open(uint64_t engine, const char *path,
			    uint32_t schema_version, uint32_t jobs_restored)
{
	EMIT(store_open, engine, path, schema_version, jobs_restored);
}

static void hook_job_created(const struct bgcopy_tp_job *j,
			     const struct bgcopy_tp_job_info *i)
{
	EMIT(job_created, j, i);
}

static void hook_job_restored(const struct bgcopy_tp_job *j,
			      const struct bgcopy_tp_job_info *i)
{
	EMIT(job_restored, j, i);
}

static void hook_file_added(const struct bgcopy_tp_job *j, int32_t index,
			    const char *url, const char *local_path)
{
	EMIT(file_added, j, index, url, local_path);
}

static void hook_file_complete(const struct bgcopy_tp_job *j, int32_t index,
			       uint64_t bytes)
{
	EMIT(file_complete, j, index, bytes);
}

static void hook_state_change(const struct bgcopy_tp_job *j,
			      const struct bgcopy_tp_state_change *s)
{
	EMIT(state_change, j, s);
}

static void hook_flags_change(const struct bgcopy_tp_job *j, uint32_t old_flags,
			      uint32_t new_flags, int32_t result)
{
	EMIT(flags_change, j, old_flags, new_flags, result);
}

static void hook_interface_set(const struct bgcopy_tp_job *j, uint64_t old_epoch,
			       uint64_t new_epoch, uint64_t iface)
{
	EMIT(interface_set, j, old_epoch, new_epoch, iface);
}

static void hook_interface_release(const struct bgcopy_tp_job *j,
				   uint64_t iface, uint64_t epoch)
{
	EMIT(interface_release, j, iface, epoch);
}

static void hook_property_change(const struct bgcopy_tp_job *j,
				 int32_t property, const char *value)
{
	EMIT(property_change, j, property, value);
}

static void hook_progress(const struct bgcopy_tp_job *j,
			  const struct bgcopy_tp_progress *p)
{
	EMIT(progress, j, p);
}

static void hook_notify_armed(const struct bgcopy_tp_job *j,
			      const struct bgcopy_tp_notification *n)
{
	EMIT(notify_armed, j, n);
}

static void hook_notify_coalesced(const struct bgcopy_tp_job *j,
				  const struct bgcopy_tp_notification *n)
{
	EMIT(notify_coalesced, j, n);
}

static void hook_callback_begin(const struct bgcopy_tp_job *j,
				const struct bgcopy_tp_notification *n,
				uint64_t iface)
{
	EMIT(callback_begin, j, n, iface);
}

static void hook_callback_end(const struct bgcopy_tp_job *j,
			      const struct bgcopy_tp_notification *n,
			      int32_t result, uint64_t duration_ns)
{
	EMIT(callback_end, j, n, result, duration_ns);
}

static void hook_retry_scheduled(const struct bgcopy_tp_job *j,
				 const struct bgcopy_tp_notification *n,
				 uint64_t delay_ms)
{
	EMIT(retry_scheduled, j, n, delay_ms);
}

static void hook_cmdline_run(const struct bgcopy_tp_job *j,
			     const struct bgcopy_tp_notification *n,
			     const char *program, int32_t pid)
{
	EMIT(cmdline_run, j, n, program, pid);
}

static void hook_cmdline_exit(const struct bgcopy_tp_job *j,
			      const struct bgcopy_tp_notification *n,
			      int32_t pid, int32_t status)
{
	EMIT(cmdline_exit, j, n, pid, status);
}

static void hook_transfer(const struct bgcopy_tp_job *j,
			  const struct bgcopy_tp_transfer *t)
{
	EMIT(transfer, j, t);
}

#define STATE_OF(name) \
	[BGCOPY_TP_EV_##name] = &lttng_ust_tracepoint_bgcopy___##name.state,

static const struct bgcopy_tp_hooks hooks = {
	.abi = BGCOPY_TP_ABI,
	.enabled = { BGCOPY_TP_EVENTS(STATE_OF) },
	.engine_open = hook_engine_open,
	.engine_close = hook_engine_close,
	.store_open = hook_store_open,
	.job_created = hook_job_created,
	.job_restored = hook_job_restored,
	.file_added = hook_file_added,
	.file_complete = hook_file_complete,
	.state_change = hook_state_change,
	.flags_change = hook_flags_change,
	.interface_set = hook_interface_set,
	.interface_release = hook_interface_release,
	.property_change = hook_property_change,
	.progress = hook_progress,
	.notify_armed = hook_notify_armed,
	.notify_coalesced = hook_notify_coalesced,
	.callback_begin = hook_callback_begin,
	.callback_end = hook_callback_end,
	.retry_scheduled = hook_retry_scheduled,
	.cmdline_run = hook_cmdline_run,
	.cmdline_exit = hook_cmdline_exit,
	.transfer = hook_transfer,
};

const struct bgcopy_tp_hooks *bgcopy_tp_hooks(uint32_t abi);

const struct bgcopy_tp_hooks *bgcopy_tp_hooks(uint32_t abi)
{
	return abi == BGCOPY_TP_ABI ? &hooks : NULL;
}
