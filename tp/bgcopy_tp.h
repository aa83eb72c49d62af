/*
 * The bgcopy LTTng-UST provider: every event the engine can emit.
 * Only tp/probes.c includes this file; libbgcopy sees bgcopy_tp_abi.h.
 * tp/EVENTS.md documents every event and field; keep the two in step.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER bgcopy

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./tp/bgcopy_tp.h"

#if !defined(BGCOPY_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define BGCOPY_TP_H

#include <lttng/tracepoint.h>
#include "bgcopy_tp_abi.h"

LTTNG_UST_TRACEPOINT_ENUM(bgcopy, state,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("QUEUED", BGCOPY_TP_QUEUED)
		lttng_ust_field_enum_value("CONNECTING", BGCOPY_TP_CONNECTING)
		lttng_ust_field_enum_value("TRANSFERRING", BGCOPY_TP_TRANSFERRING)
		lttng_ust_field_enum_value("SUSPENDED", BGCOPY_TP_SUSPENDED)
		lttng_ust_field_enum_value("ERROR", BGCOPY_TP_ERROR)
		lttng_ust_field_enum_value("TRANSIENT_ERROR", BGCOPY_TP_TRANSIENT_ERROR)
		lttng_ust_field_enum_value("TRANSFERRED", BGCOPY_TP_TRANSFERRED)
		lttng_ust_field_enum_value("ACKNOWLEDGED", BGCOPY_TP_ACKNOWLEDGED)
		lttng_ust_field_enum_value("CANCELLED", BGCOPY_TP_CANCELLED)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(bgcopy, kind,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("JOB_TRANSFERRED", BGCOPY_TP_KIND_JOB_TRANSFERRED)
		lttng_ust_field_enum_value("JOB_ERROR", BGCOPY_TP_KIND_JOB_ERROR)
		lttng_ust_field_enum_value("JOB_MODIFICATION", BGCOPY_TP_KIND_JOB_MODIFICATION)
		lttng_ust_field_enum_value("FILE_TRANSFERRED", BGCOPY_TP_KIND_FILE_TRANSFERRED)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(bgcopy, cause,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("CREATED", BGCOPY_TP_CAUSE_CREATED)
		lttng_ust_field_enum_value("RESUME", BGCOPY_TP_CAUSE_RESUME)
		lttng_ust_field_enum_value("SUSPEND", BGCOPY_TP_CAUSE_SUSPEND)
		lttng_ust_field_enum_value("COMPLETE", BGCOPY_TP_CAUSE_COMPLETE)
		lttng_ust_field_enum_value("CANCEL", BGCOPY_TP_CAUSE_CANCEL)
		lttng_ust_field_enum_value("SCHEDULED", BGCOPY_TP_CAUSE_SCHEDULED)
		lttng_ust_field_enum_value("SERVER_ANSWERED", BGCOPY_TP_CAUSE_SERVER_ANSWERED)
		lttng_ust_field_enum_value("TRANSIENT_FAILURE", BGCOPY_TP_CAUSE_TRANSIENT_FAILURE)
		lttng_ust_field_enum_value("PERMANENT_FAILURE", BGCOPY_TP_CAUSE_PERMANENT_FAILURE)
		lttng_ust_field_enum_value("NO_PROGRESS_TIMEOUT", BGCOPY_TP_CAUSE_NO_PROGRESS_TIMEOUT)
		lttng_ust_field_enum_value("RETRY_DELAY_ELAPSED", BGCOPY_TP_CAUSE_RETRY_DELAY_ELAPSED)
		lttng_ust_field_enum_value("ALL_FILES_DONE", BGCOPY_TP_CAUSE_ALL_FILES_DONE)
		lttng_ust_field_enum_value("FILE_ADDED", BGCOPY_TP_CAUSE_FILE_ADDED)
		lttng_ust_field_enum_value("RESTORED", BGCOPY_TP_CAUSE_RESTORED)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(bgcopy, error_context,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("NONE", BGCOPY_TP_ERRCTX_NONE)
		lttng_ust_field_enum_value("LOCAL_FILE", BGCOPY_TP_ERRCTX_LOCAL_FILE)
		lttng_ust_field_enum_value("REMOTE_FILE", BGCOPY_TP_ERRCTX_REMOTE_FILE)
		lttng_ust_field_enum_value("TRANSPORT", BGCOPY_TP_ERRCTX_TRANSPORT)
		lttng_ust_field_enum_value("ENGINE", BGCOPY_TP_ERRCTX_ENGINE)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(bgcopy, priority,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("FOREGROUND", BGCOPY_TP_PRIORITY_FOREGROUND)
		lttng_ust_field_enum_value("HIGH", BGCOPY_TP_PRIORITY_HIGH)
		lttng_ust_field_enum_value("NORMAL", BGCOPY_TP_PRIORITY_NORMAL)
		lttng_ust_field_enum_value("LOW", BGCOPY_TP_PRIORITY_LOW)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(bgcopy, property,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("DISPLAY_NAME", BGCOPY_TP_PROP_DISPLAY_NAME)
		lttng_ust_field_enum_value("DESCRIPTION", BGCOPY_TP_PROP_DESCRIPTION)
		lttng_ust_field_enum_value("PRIORITY", BGCOPY_TP_PROP_PRIORITY)
		lttng_ust_field_enum_value("MIN_RETRY_DELAY", BGCOPY_TP_PROP_MIN_RETRY_DELAY)
		lttng_ust_field_enum_value("NO_PROGRESS_TIMEOUT", BGCOPY_TP_PROP_NO_PROGRESS_TIMEOUT)
		lttng_ust_field_enum_value("MODIFICATION_INTERVAL", BGCOPY_TP_PROP_MODIFICATION_INTERVAL)
		lttng_ust_field_enum_value("NOTIFY_CMDLINE", BGCOPY_TP_PROP_NOTIFY_CMDLINE)
	)
)

/* The two fields every job-scoped event starts with. */
#define BGCOPY_TP_JOB_FIELDS(j)						\
	lttng_ust_field_integer_hex(uint64_t, engine, (j)->engine)	\
	lttng_ust_field_array_text(char, job, (j)->job, 36)		\
	lttng_ust_field_integer(uint64_t, seq, (j)->seq)

#define BGCOPY_TP_NOTIFICATION_FIELDS(n)				\
	lttng_ust_field_enum(bgcopy, kind, int32_t, kind, (n)->kind)	\
	lttng_ust_field_integer(uint64_t, epoch, (n)->epoch)		\
	lttng_ust_field_integer(uint32_t, attempt, (n)->attempt)	\
	lttng_ust_field_integer(int32_t, file_index, (n)->file_index)

#define BGCOPY_TP_JOB_INFO_FIELDS(i)						\
	lttng_ust_field_string(name, (i)->name)					\
	lttng_ust_field_enum(bgcopy, priority, int32_t, priority, (i)->priority)	\
	lttng_ust_field_integer(uint32_t, owner, (i)->owner)			\
	lttng_ust_field_enum(bgcopy, state, int32_t, state, (i)->state)		\
	lttng_ust_field_integer_hex(uint32_t, notify_flags, (i)->notify_flags)	\
	lttng_ust_field_integer(uint64_t, min_retry_delay_ms, (i)->min_retry_delay_ms) \
	lttng_ust_field_integer(uint64_t, no_progress_timeout_ms, (i)->no_progress_timeout_ms) \
	lttng_ust_field_integer(uint64_t, modification_interval_ms, (i)->modification_interval_ms) \
	lttng_ust_field_integer(uint32_t, files, (i)->files)			\
	lttng_ust_field_integer(uint64_t, epoch, (i)->epoch)			\
	lttng_ust_field_string(notify_cmdline, (i)->notify_cmdline)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, engine_open,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_engine *, e),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, engine, e->engine)
		lttng_ust_field_string(store, e->store)
		lttng_ust_field_integer(uint32_t, trace_schema, BGCOPY_TRACE_SCHEMA)
		lttng_ust_field_integer(uint32_t, dispatcher_threads, e->dispatcher_threads)
		lttng_ust_field_integer_hex(uint32_t, test_options, e->test_options)
		lttng_ust_field_integer(uint64_t, min_retry_floor_ms, e->min_retry_floor_ms)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, engine_open, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, engine_close,
	LTTNG_UST_TP_ARGS(uint64_t, engine),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, engine, engine)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, engine_close, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, store_open,
	LTTNG_UST_TP_ARGS(uint64_t, engine, const char *, path,
			  uint32_t, schema_version, uint32_t, jobs_restored),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, engine, engine)
		lttng_ust_field_string(path, path)
		lttng_ust_field_integer(uint32_t, schema_version, schema_version)
		lttng_ust_field_integer(uint32_t, jobs_restored, jobs_restored)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, store_open, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(bgcopy, job_info_class,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_job_info *, i),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		BGCOPY_TP_JOB_INFO_FIELDS(i)
	)
)
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(bgcopy, job_info_class, bgcopy, job_created,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_job_info *, i))
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, job_created, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(bgcopy, job_info_class, bgcopy, job_restored,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_job_info *, i))
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, job_restored, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, file_added,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j, int32_t, index,
			  const char *, url, const char *, local_path),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_integer(int32_t, file_index, index)
		lttng_ust_field_string(url, url)
		lttng_ust_field_string(local_path, local_path)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, file_added, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, file_complete,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j, int32_t, index,
			  uint64_t, bytes),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_integer(int32_t, file_index, index)
		lttng_ust_field_integer(uint64_t, bytes, bytes)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, file_complete, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, state_change,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_state_change *, s),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_enum(bgcopy, state, int32_t, from, s->from)
		lttng_ust_field_enum(bgcopy, state, int32_t, to, s->to)
		lttng_ust_field_enum(bgcopy, cause, int32_t, cause, s->cause)
		lttng_ust_field_enum(bgcopy, error_context, int32_t, error_context, s->error_context)
		lttng_ust_field_integer(int32_t, error_code, s->error_code)
		lttng_ust_field_integer(int32_t, http_status, s->http_status)
		lttng_ust_field_integer(int32_t, curl_code, s->curl_code)
		lttng_ust_field_integer(int32_t, error_file, s->error_file)
		lttng_ust_field_string(description, s->description)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, state_change, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, flags_change,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j, uint32_t, old_flags,
			  uint32_t, new_flags, int32_t, result),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_integer_hex(uint32_t, old_flags, old_flags)
		lttng_ust_field_integer_hex(uint32_t, new_flags, new_flags)
		lttng_ust_field_integer(int32_t, result, result)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, flags_change, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, interface_set,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j, uint64_t, old_epoch,
			  uint64_t, new_epoch, uint64_t, iface),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_integer(uint64_t, old_epoch, old_epoch)
		lttng_ust_field_integer(uint64_t, new_epoch, new_epoch)
		lttng_ust_field_integer_hex(uint64_t, iface, iface)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, interface_set, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, interface_release,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j, uint64_t, iface,
			  uint64_t, epoch),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_integer_hex(uint64_t, iface, iface)
		lttng_ust_field_integer(uint64_t, epoch, epoch)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, interface_release, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, property_change,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j, int32_t, property,
			  const char *, value),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_enum(bgcopy, property, int32_t, property, property)
		lttng_ust_field_string(value, value)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, property_change, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, progress,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_progress *, p),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_integer(int32_t, file_index, p->file_index)
		lttng_ust_field_integer(uint64_t, file_bytes, p->file_bytes)
		lttng_ust_field_integer(int64_t, file_total, p->file_total)
		lttng_ust_field_integer(uint64_t, job_bytes, p->job_bytes)
		lttng_ust_field_integer(int64_t, job_total, p->job_total)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, progress, LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_PROCESS)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(bgcopy, notification_class,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		BGCOPY_TP_NOTIFICATION_FIELDS(n)
	)
)
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(bgcopy, notification_class, bgcopy, notify_armed,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n))
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, notify_armed, LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_PROCESS)
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(bgcopy, notification_class, bgcopy, notify_coalesced,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n))
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, notify_coalesced, LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_PROCESS)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, callback_begin,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n, uint64_t, iface),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		BGCOPY_TP_NOTIFICATION_FIELDS(n)
		lttng_ust_field_integer_hex(uint64_t, iface, iface)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, callback_begin, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, callback_end,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n,
			  int32_t, result, uint64_t, duration_ns),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		BGCOPY_TP_NOTIFICATION_FIELDS(n)
		lttng_ust_field_integer(int32_t, result, result)
		lttng_ust_field_integer(uint64_t, duration_ns, duration_ns)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, callback_end, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, retry_scheduled,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n, uint64_t, delay_ms),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		BGCOPY_TP_NOTIFICATION_FIELDS(n)
		lttng_ust_field_integer(uint64_t, delay_ms, delay_ms)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, retry_scheduled, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, cmdline_run,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n,
			  const char *, program, int32_t, pid),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		BGCOPY_TP_NOTIFICATION_FIELDS(n)
		lttng_ust_field_string(program, program)
		lttng_ust_field_integer(int32_t, pid, pid)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, cmdline_run, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, cmdline_exit,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_notification *, n,
			  int32_t, pid, int32_t, status),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		BGCOPY_TP_NOTIFICATION_FIELDS(n)
		lttng_ust_field_integer(int32_t, pid, pid)
		lttng_ust_field_integer(int32_t, status, status)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, cmdline_exit, LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy, transfer,
	LTTNG_UST_TP_ARGS(const struct bgcopy_tp_job *, j,
			  const struct bgcopy_tp_transfer *, t),
	LTTNG_UST_TP_FIELDS(
		BGCOPY_TP_JOB_FIELDS(j)
		lttng_ust_field_integer(int32_t, file_index, t->file_index)
		lttng_ust_field_string(url, t->url)
		lttng_ust_field_integer(int32_t, http_status, t->http_status)
		lttng_ust_field_integer(uint64_t, range_from, t->range_from)
		lttng_ust_field_integer(uint8_t, range_honoured, t->range_honoured)
		lttng_ust_field_integer(uint64_t, bytes, t->bytes)
		lttng_ust_field_integer(uint64_t, namelookup_us, t->namelookup_us)
		lttng_ust_field_integer(uint64_t, connect_us, t->connect_us)
		lttng_ust_field_integer(uint64_t, tls_us, t->tls_us)
		lttng_ust_field_integer(uint64_t, first_byte_us, t->first_byte_us)
		lttng_ust_field_integer(uint64_t, total_us, t->total_us)
		lttng_ust_field_integer(int32_t, curl_code, t->curl_code)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, transfer, LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

#endif /* BGCOPY_TP_H */

#include <lttng/tracepoint-event.h>
