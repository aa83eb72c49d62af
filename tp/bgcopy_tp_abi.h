/*
 * The boundary between libbgcopy and its tracepoint provider.
 *
 * libbgcopy never links LTTng: it dlopen()s libbgcopy-tp.so when tracing
 * is wanted and calls the hooks below.  This header therefore holds only
 * plain C types; the LTTng event definitions live in bgcopy_tp.h, which
 * only the provider includes.
 *
 * Bump BGCOPY_TP_ABI when the hook table changes shape, and
 * BGCOPY_TRACE_SCHEMA (recorded in engine_open) when any event or field
 * changes meaning; the analysis refuses schemas it does not know.
 */
#ifndef BGCOPY_TP_ABI_H
#define BGCOPY_TP_ABI_H

#include <stdint.h>

#define BGCOPY_TP_ABI 1
#define BGCOPY_TRACE_SCHEMA 1
#define BGCOPY_TP_HOOKS_SYMBOL "bgcopy_tp_hooks"

/* Values follow BG_JOB_STATE in BITS. */
enum bgcopy_tp_state {
	BGCOPY_TP_QUEUED = 0,
	BGCOPY_TP_CONNECTING = 1,
	BGCOPY_TP_TRANSFERRING = 2,
	BGCOPY_TP_SUSPENDED = 3,
	BGCOPY_TP_ERROR = 4,
	BGCOPY_TP_TRANSIENT_ERROR = 5,
	BGCOPY_TP_TRANSFERRED = 6,
	BGCOPY_TP_ACKNOWLEDGED = 7,
	BGCOPY_TP_CANCELLED = 8,
};

enum bgcopy_tp_kind {
	BGCOPY_TP_KIND_JOB_TRANSFERRED = 1,
	BGCOPY_TP_KIND_JOB_ERROR = 2,
	BGCOPY_TP_KIND_JOB_MODIFICATION = 3,
	BGCOPY_TP_KIND_FILE_TRANSFERRED = 4,
};

/* Why a state changed: lets a timeline say who moved the job. */
enum bgcopy_tp_cause {
	BGCOPY_TP_CAUSE_CREATED = 0,
	BGCOPY_TP_CAUSE_RESUME = 1,
	BGCOPY_TP_CAUSE_SUSPEND = 2,
	BGCOPY_TP_CAUSE_COMPLETE = 3,
	BGCOPY_TP_CAUSE_CANCEL = 4,
	BGCOPY_TP_CAUSE_SCHEDULED = 5,
	BGCOPY_TP_CAUSE_SERVER_ANSWERED = 6,
	BGCOPY_TP_CAUSE_TRANSIENT_FAILURE = 7,
	BGCOPY_TP_CAUSE_PERMANENT_FAILURE = 8,
	BGCOPY_TP_CAUSE_NO_PROGRESS_TIMEOUT = 9,
	BGCOPY_TP_CAUSE_RETRY_DELAY_ELAPSED = 10,
	BGCOPY_TP_CAUSE_ALL_FILES_DONE = 11,
	BGCOPY_TP_CAUSE_FILE_ADDED = 12,
	BGCOPY_TP_CAUSE_RESTORED = 13,
};

enum bgcopy_tp_error_context {
	BGCOPY_TP_ERRCTX_NONE = 0,
	BGCOPY_TP_ERRCTX_LOCAL_FILE = 1,
	BGCOPY_TP_ERRCTX_REMOTE_FILE = 2,
	BGCOPY_TP_ERRCTX_TRANSPORT = 3,
	BGCOPY_TP_ERRCTX_ENGINE = 4,
};

enum bgcopy_tp_priority {
	BGCOPY_TP_PRIORITY_FOREGROUND = 0,
	BGCOPY_TP_PRIORITY_HIGH = 1,
	BGCOPY_TP_PRIORITY_NORMAL = 2,
	BGCOPY_TP_PRIORITY_LOW = 3,
};

enum bgcopy_tp_property {
	BGCOPY_TP_PROP_DISPLAY_NAME = 0,
	BGCOPY_TP_PROP_DESCRIPTION = 1,
	BGCOPY_TP_PROP_PRIORITY = 2,
	BGCOPY_TP_PROP_MIN_RETRY_DELAY = 3,
	BGCOPY_TP_PROP_NO_PROGRESS_TIMEOUT = 4,
	BGCOPY_TP_PROP_MODIFICATION_INTERVAL = 5,
	BGCOPY_TP_PROP_NOTIFY_CMDLINE = 6,
};

/* Test options an engine may be opened with; recorded so the oracle knows. */
#define BGCOPY_TP_OPT_SHORT_RETRY 0x1u	/* retry delay below the 5 s floor allowed */
#define BGCOPY_TP_OPT_ALLOW_FILE  0x2u	/* file:// URLs allowed */

struct bgcopy_tp_engine {
	uint64_t engine;		/* random id of this engine instance */
	const char *store;
	uint32_t dispatcher_threads;
	uint32_t test_options;
	uint64_t min_retry_floor_ms;
};

/* Every job-scoped event names its job by its canonical UUID text and
 * carries the job's own sequence number, which orders a job's events
 * even when two CPUs stamp them with the same time. */
struct bgcopy_tp_job {
	uint64_t engine;
	const char *job;
	uint64_t seq;
};

struct bgcopy_tp_job_info {
	const char *name;
	int32_t priority;
	uint32_t owner;
	int32_t state;
	uint32_t notify_flags;
	uint64_t min_retry_delay_ms;
	uint64_t no_progress_timeout_ms;
	uint64_t modification_interval_ms;
	uint32_t files;
	uint64_t epoch;			/* notify epoch; 0 for a new job */
	const char *notify_cmdline;	/* "" when none */
};

struct bgcopy_tp_state_change {
	int32_t from;
	int32_t to;
	int32_t cause;
	int32_t error_context;		/* BGCOPY_TP_ERRCTX_NONE unless an error */
	int32_t error_code;
	int32_t http_status;
	int32_t curl_code;
	int32_t error_file;		/* -1 when no file is concerned */
	const char *description;	/* "" when no error */
};

struct bgcopy_tp_progress {
	int32_t file_index;
	uint64_t file_bytes;
	int64_t file_total;		/* -1 while unknown */
	uint64_t job_bytes;
	int64_t job_total;		/* -1 while unknown */
};

/* One callback or command-line attempt of one notification. */
struct bgcopy_tp_notification {
	int32_t kind;
	uint64_t epoch;
	uint32_t attempt;		/* 1 for the first try */
	int32_t file_index;		/* -1 but for FILE_TRANSFERRED */
};

struct bgcopy_tp_transfer {
	int32_t file_index;
	const char *url;		/* redacted: no user info, no query */
	int32_t http_status;
	uint64_t range_from;		/* 0 when no Range was asked */
	uint8_t range_honoured;
	uint64_t bytes;			/* bytes received in this attempt */
	uint64_t namelookup_us;
	uint64_t connect_us;
	uint64_t tls_us;
	uint64_t first_byte_us;
	uint64_t total_us;
	int32_t curl_code;
};

/* Every event, once: indexes the enabled-state table below. */
#define BGCOPY_TP_EVENTS(X)						\
	X(engine_open) X(engine_close) X(store_open) X(job_created)	\
	X(job_restored) X(file_added) X(file_complete) X(state_change)	\
	X(flags_change) X(interface_set) X(interface_release)		\
	X(property_change) X(progress) X(notify_armed)			\
	X(notify_coalesced) X(callback_begin) X(callback_end)		\
	X(retry_scheduled) X(cmdline_run) X(cmdline_exit) X(transfer)

#define BGCOPY_TP_EVENT_INDEX(name) BGCOPY_TP_EV_##name,
enum bgcopy_tp_event { BGCOPY_TP_EVENTS(BGCOPY_TP_EVENT_INDEX) BGCOPY_TP_NEVENTS };

struct bgcopy_tp_hooks {
	uint32_t abi;
	/* Each event's LTTng enabled state, so the engine skips the call (and
	 * the work of preparing its arguments) when no session listens. */
	const int *enabled[BGCOPY_TP_NEVENTS];
	void (*engine_open)(const struct bgcopy_tp_engine *e);
	void (*engine_close)(uint64_t engine);
	void (*store_open)(uint64_t engine, const char *path,
			   uint32_t schema_version, uint32_t jobs_restored);
	void (*job_created)(const struct bgcopy_tp_job *j,
			    const struct bgcopy_tp_job_info *info);
	void (*job_restored)(const struct bgcopy_tp_job *j,
			     const struct bgcopy_tp_job_info *info);
	void (*file_added)(const struct bgcopy_tp_job *j, int32_t index,
			   const char *url, const char *local_path);
	void (*file_complete)(const struct bgcopy_tp_job *j, int32_t index,
			      uint64_t bytes);
	void (*state_change)(const struct bgcopy_tp_job *j,
			     const struct bgcopy_tp_state_change *s);
	void (*flags_change)(const struct bgcopy_tp_job *j, uint32_t old_flags,
			     uint32_t new_flags, int32_t result);
	void (*interface_set)(const struct bgcopy_tp_job *j, uint64_t old_epoch,
			      uint64_t new_epoch, uint64_t iface);
	void (*interface_release)(const struct bgcopy_tp_job *j, uint64_t iface,
				  uint64_t epoch);
	void (*property_change)(const struct bgcopy_tp_job *j, int32_t property,
				const char *value);
	void (*progress)(const struct bgcopy_tp_job *j,
			 const struct bgcopy_tp_progress *p);
	void (*notify_armed)(const struct bgcopy_tp_job *j,
			     const struct bgcopy_tp_notification *n);
	void (*notify_coalesced)(const struct bgcopy_tp_job *j,
				 const struct bgcopy_tp_notification *n);
	void (*callback_begin)(const struct bgcopy_tp_job *j,
			       const struct bgcopy_tp_notification *n,
			       uint64_t iface);
	void (*callback_end)(const struct bgcopy_tp_job *j,
			     const struct bgcopy_tp_notification *n,
			     int32_t result, uint64_t duration_ns);
	void (*retry_scheduled)(const struct bgcopy_tp_job *j,
				const struct bgcopy_tp_notification *n,
				uint64_t delay_ms);
	void (*cmdline_run)(const struct bgcopy_tp_job *j,
			    const struct bgcopy_tp_notification *n,
			    const char *program, int32_t pid);
	void (*cmdline_exit)(const struct bgcopy_tp_job *j,
			     const struct bgcopy_tp_notification *n,
			     int32_t pid, int32_t status);
	void (*transfer)(const struct bgcopy_tp_job *j,
			 const struct bgcopy_tp_transfer *t);
};

typedef const struct bgcopy_tp_hooks *(*bgcopy_tp_hooks_fn)(uint32_t abi);

#endif /* BGCOPY_TP_ABI_H */
