/* Names of record types, states, kinds, properties and causes, for reports. */
#include "names.h"

#include <stddef.h>

/* A value outside a table prints as "?" rather than failing: the trace
 * may come from a newer engine. */
static const char *lookup(const char *const *tab, size_t n, int64_t v)
{
	return v >= 0 && (uint64_t) v < n && tab[v] ? tab[v] : "?";
}

#define LOOKUP(tab, v) lookup((tab), sizeof(tab) / sizeof((tab)[0]), (v))

const char *names_state(int64_t state)
{
	static const char *const tab[] = {
		"QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
		"TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED",
	};
	return LOOKUP(tab, state);
}

const char *names_kind(int64_t kind)
{
	static const char *const tab[] = {
		NULL, "JOB_TRANSFERRED", "JOB_ERROR", "JOB_MODIFICATION",
		"FILE_TRANSFERRED",
	};
	return LOOKUP(tab, kind);
}

const char *names_cause(int64_t cause)
{
	static const char *const tab[] = {
		"CREATED", "RESUME", "SUSPEND", "COMPLETE", "CANCEL",
		"SCHEDULED", "SERVER_ANSWERED", "TRANSIENT_FAILURE",
		"PERMANENT_FAILURE", "NO_PROGRESS_TIMEOUT",
		"RETRY_DELAY_ELAPSED", "ALL_FILES_DONE", "FILE_ADDED",
		"RESTORED",
	};
	return LOOKUP(tab, cause);
}

const char *names_errctx(int64_t ctx)
{
	static const char *const tab[] = {
		"NONE", "LOCAL_FILE", "REMOTE_FILE", "TRANSPORT", "ENGINE",
	};
	return LOOKUP(tab, ctx);
}

const char *names_property(int64_t prop)
{
	static const char *const tab[] = {
		"DISPLAY_NAME", "DESCRIPTION", "PRIORITY", "MIN_RETRY_DELAY",
		"NO_PROGRESS_TIMEOUT", "MODIFICATION_INTERVAL",
		"NOTIFY_CMDLINE",
	};
	return LOOKUP(tab, prop);
}

const char *names_priority(int64_t prio)
{
	static const char *const tab[] = {
		"FOREGROUND", "HIGH", "NORMAL", "LOW",
	};
	return LOOKUP(tab, prio);
}

const char *names_record(enum bgc_rec_type type)
{
	static const char *const tab[BGC_REC__COUNT] = {
		[BGC_REC_ENGINE_OPEN] = "engine_open",
		[BGC_REC_ENGINE_CLOSE] = "engine_close",
		[BGC_REC_STORE_OPEN] = "store_open",
		[BGC_REC_JOB_CREATED] = "job_created",
		[BGC_REC_JOB_RESTORED] = "job_restored",
		[BGC_REC_FILE_ADDED] = "file_added",
		[BGC_REC_FILE_COMPLETE] = "file_complete",
		[BGC_REC_STATE_CHANGE] = "state_change",
		[BGC_REC_FLAGS_CHANGE] = "flags_change",
		[BGC_REC_INTERFACE_SET] = "interface_set",
		[BGC_REC_INTERFACE_RELEASE] = "interface_release",
		[BGC_REC_PROPERTY_CHANGE] = "property_change",
		[BGC_REC_PROGRESS] = "progress",
		[BGC_REC_NOTIFY_ARMED] = "notify_armed",
		[BGC_REC_NOTIFY_COALESCED] = "notify_coalesced",
		[BGC_REC_CALLBACK_BEGIN] = "callback_begin",
		[BGC_REC_CALLBACK_END] = "callback_end",
		[BGC_REC_RETRY_SCHEDULED] = "retry_scheduled",
		[BGC_REC_CMDLINE_RUN] = "cmdline_run",
		[BGC_REC_CMDLINE_EXIT] = "cmdline_exit",
		[BGC_REC_TRANSFER] = "transfer",
		[BGC_REC_DISCARDED] = "discarded",
	};
	return LOOKUP(tab, (int64_t) type);
}
