/* The bgcopy trace schema, once: enums, field groups and events as X-macro lists. */
/*
 * Every other spelling of the trace expands these lists:
 * tp/bgcopy_tp_abi.h (C enums, argument structs, hook table),
 * tp/bgcopy_tp.h (LTTng enums and events), tp/probes.c (the hooks), and,
 * through tp/bgcopy_schema_names.h, name tables and a decoder's table of
 * events.  Plain C on purpose: libbgcopy and the analysis include it
 * without LTTng.  tp/EVENTS.md is the prose for these lists.
 *
 * Every list takes the macro to apply and one argument passed through to
 * it untouched, first: LIST(X, a) expands to X(a, ...) X(a, ...) ...
 *
 * Enum rows:   X(P, NAME, value)      all int32_t in the trace
 * Field rows:  F(a, name, C type, kind, arg, presence)
 *   kind       INTEGER; HEX (shown in hexadecimal); ENUM (arg: which
 *              enum); STRING; TEXT (fixed-length text, arg: its length)
 *   presence   REQUIRED; OPTIONAL (a trace of an older schema may lack
 *              the field: EVENTS.md §1); CONSTANT (no argument carries it: the
 *              provider records arg)
 *
 * Changing what a list says changes the recorded trace: see EVENTS.md §1
 * before touching one, and bump BGCOPY_TRACE_SCHEMA when a meaning changes.
 */
#ifndef BGCOPY_SCHEMA_H
#define BGCOPY_SCHEMA_H

/* Recorded in engine_open.trace_schema; the analysis refuses others. */
#define BGCOPY_TRACE_SCHEMA 5

/* ---- Enums ---- */

/* The values of BG_JOB_STATE in BITS. */
#define BGCOPY_SCHEMA_ENUM_state(X, P)					\
	X(P, QUEUED, 0)							\
	X(P, CONNECTING, 1)						\
	X(P, TRANSFERRING, 2)						\
	X(P, SUSPENDED, 3)						\
	X(P, ERROR, 4)							\
	X(P, TRANSIENT_ERROR, 5)					\
	X(P, TRANSFERRED, 6)						\
	X(P, ACKNOWLEDGED, 7)						\
	X(P, CANCELLED, 8)

/* Which notification; 0 is none. */
#define BGCOPY_SCHEMA_ENUM_kind(X, P)					\
	X(P, JOB_TRANSFERRED, 1)					\
	X(P, JOB_ERROR, 2)						\
	X(P, JOB_MODIFICATION, 3)					\
	X(P, FILE_TRANSFERRED, 4)

/* Why a state changed: lets a timeline say who moved the job. */
#define BGCOPY_SCHEMA_ENUM_cause(X, P)					\
	X(P, CREATED, 0)						\
	X(P, RESUME, 1)							\
	X(P, SUSPEND, 2)						\
	X(P, COMPLETE, 3)						\
	X(P, CANCEL, 4)							\
	X(P, SCHEDULED, 5)						\
	X(P, SERVER_ANSWERED, 6)					\
	X(P, TRANSIENT_FAILURE, 7)					\
	X(P, PERMANENT_FAILURE, 8)					\
	X(P, NO_PROGRESS_TIMEOUT, 9)					\
	X(P, RETRY_DELAY_ELAPSED, 10)					\
	X(P, ALL_FILES_DONE, 11)					\
	X(P, FILE_ADDED, 12)						\
	X(P, RESTORED, 13)

#define BGCOPY_SCHEMA_ENUM_error_context(X, P)				\
	X(P, NONE, 0)							\
	X(P, LOCAL_FILE, 1)						\
	X(P, REMOTE_FILE, 2)						\
	X(P, TRANSPORT, 3)						\
	X(P, ENGINE, 4)							\
	X(P, CHECKSUM, 5)	/* schema 3: not the expected SHA-256 */ \
	X(P, MAX_DOWNLOAD_TIME, 6)	/* schema 5: past the maximum download time */ \
	X(P, TLS, 7)		/* schema 5: the TLS handshake failed */

#define BGCOPY_SCHEMA_ENUM_priority(X, P)				\
	X(P, FOREGROUND, 0)						\
	X(P, HIGH, 1)							\
	X(P, NORMAL, 2)							\
	X(P, LOW, 3)

/* The job property a property_change sets. */
#define BGCOPY_SCHEMA_ENUM_property(X, P)				\
	X(P, DISPLAY_NAME, 0)						\
	X(P, DESCRIPTION, 1)						\
	X(P, PRIORITY, 2)						\
	X(P, MIN_RETRY_DELAY, 3)					\
	X(P, NO_PROGRESS_TIMEOUT, 4)					\
	X(P, MODIFICATION_INTERVAL, 5)					\
	X(P, NOTIFY_CMDLINE, 6)						\
	X(P, MAX_DOWNLOAD_SIZE, 7)					\
	X(P, REDIRECT_POLICY, 8)	/* schema 3 */			\
	X(P, CMDLINE_TIMEOUT, 9)	/* schema 3 */			\
	X(P, CREDENTIALS, 10)		/* schema 4: the scheme, never a secret */ \
	X(P, HEADERS, 11)		/* schema 4: the names, never the values */ \
	X(P, NOTIFY_SERVICE, 12)	/* schema 5: the D-Bus name, "" when cleared */ \
	X(P, PROXY, 13)			/* schema 5: the usage's name */ \
	X(P, PROXY_CREDENTIALS, 14)	/* schema 5: the scheme, never a secret */ \
	X(P, MAX_DOWNLOAD_TIME, 15)	/* schema 5: milliseconds, 0: none */ \
	X(P, DYNAMIC_CONTENT, 16)	/* schema 5: 1 or 0 */ \
	X(P, MAX_BANDWIDTH, 17)		/* schema 5: bytes per second, 0: none */ \
	X(P, CLIENT_CERTIFICATE, 18)	/* schema 5: its path, never the key */ \
	X(P, CA_FILE, 19)		/* schema 5: the path, "" when cleared */ \
	X(P, CRL_FILE, 20)		/* schema 5: the path, "" when cleared */ \
	X(P, SECURITY_FLAGS, 21)	/* schema 5: the TLS flags' names */ \
	X(P, PARALLEL_FILES, 22)	/* schema 5: files moved at once, 1-16 */

/* Schema 2: why a transfer's bytes do not continue the file's earlier
 * ones: the file starts over from byte 0 (tracer/transfer.c). */
#define BGCOPY_SCHEMA_ENUM_restart(X, P)				\
	X(P, NONE, 0)		/* a new file, or a proven resume */	\
	X(P, NO_VALIDATOR, 1)	/* bytes kept, but nothing names their version */ \
	X(P, OTHER_VERSION, 2)	/* a 200 to a conditional range, or a 206 of another version */ \
	X(P, BAD_RANGE, 3)	/* a 206 without Range, or a range not asked for */ \
	X(P, RANGE_NOT_SATISFIABLE, 4)	/* a 416 other than past the end */ \
	X(P, DYNAMIC_CONTENT, 5)	/* schema 5: a dynamic-content job never resumes */

/* Schema 2: what a resume's If-Range carried. */
#define BGCOPY_SCHEMA_ENUM_if_range(X, P)				\
	X(P, NONE, 0)							\
	X(P, ETAG, 1)							\
	X(P, DATE, 2)

/* Schema 3: what checking a finished file against its expected SHA-256
 * found (tracer/transfer_verify.c). */
#define BGCOPY_SCHEMA_ENUM_verify(X, P)					\
	X(P, NONE, 0)		/* not checked: no digest, or no whole file */ \
	X(P, MATCH, 1)							\
	X(P, MISMATCH, 2)	/* a permanent error, context CHECKSUM */ \
	X(P, UNREADABLE, 3)	/* the temporary file could not be read */

/* Every enum, in the order the provider declares them. */
#define BGCOPY_SCHEMA_ENUMS(E)						\
	E(state) E(kind) E(cause) E(error_context) E(priority) E(property) \
	E(restart) E(if_range) E(verify)

/* ---- Field groups: each is one struct bgcopy_tp_<group> ---- */

/* engine: a random id of this engine instance, new at every open. */
#define BGCOPY_SCHEMA_GROUP_engine(F, a)					\
	F(a, engine,             uint64_t,     HEX,     _, REQUIRED)	\
	F(a, store,              const char *, STRING,  _, REQUIRED)	\
	F(a, trace_schema,       uint32_t,     INTEGER, BGCOPY_TRACE_SCHEMA, CONSTANT) \
	F(a, dispatcher_threads, uint32_t,     INTEGER, _, REQUIRED)	\
	F(a, test_options,       uint32_t,     HEX,     _, REQUIRED)	\
	F(a, min_retry_floor_ms, uint64_t,     INTEGER, _, REQUIRED)

/* Every job-scoped event starts with these: the job's canonical UUID text
 * and its own sequence number, which orders a job's events even when two
 * CPUs stamp them with the same time. */
#define BGCOPY_SCHEMA_GROUP_job(F, a)					\
	F(a, engine, uint64_t,     HEX,     _,  REQUIRED)			\
	F(a, job,    const char *, TEXT,    36, REQUIRED)			\
	F(a, seq,    uint64_t,     INTEGER, _,  REQUIRED)

/* epoch: the notify epoch, 0 for a new job; notify_cmdline: "" when none. */
#define BGCOPY_SCHEMA_GROUP_job_info(F, a)				\
	F(a, name,                     const char *, STRING,  _,        REQUIRED) \
	F(a, priority,                 int32_t,      ENUM,    priority, REQUIRED) \
	F(a, owner,                    uint32_t,     INTEGER, _,        REQUIRED) \
	F(a, state,                    int32_t,      ENUM,    state,    REQUIRED) \
	F(a, notify_flags,             uint32_t,     HEX,     _,        REQUIRED) \
	F(a, min_retry_delay_ms,       uint64_t,     INTEGER, _,        REQUIRED) \
	F(a, no_progress_timeout_ms,   uint64_t,     INTEGER, _,        REQUIRED) \
	F(a, modification_interval_ms, uint64_t,     INTEGER, _,        REQUIRED) \
	F(a, files,                    uint32_t,     INTEGER, _,        REQUIRED) \
	F(a, epoch,                    uint64_t,     INTEGER, _,        OPTIONAL) \
	F(a, notify_cmdline,           const char *, STRING,  _,        OPTIONAL)

/* error_context NONE, error_file -1 and description "" when no error. */
#define BGCOPY_SCHEMA_GROUP_state_change(F, a)				\
	F(a, from,          int32_t,      ENUM,    state,         REQUIRED) \
	F(a, to,            int32_t,      ENUM,    state,         REQUIRED) \
	F(a, cause,         int32_t,      ENUM,    cause,         REQUIRED) \
	F(a, error_context, int32_t,      ENUM,    error_context, REQUIRED) \
	F(a, error_code,    int32_t,      INTEGER, _,             REQUIRED) \
	F(a, http_status,   int32_t,      INTEGER, _,             REQUIRED) \
	F(a, curl_code,     int32_t,      INTEGER, _,             REQUIRED) \
	F(a, error_file,    int32_t,      INTEGER, _,             REQUIRED) \
	F(a, description,   const char *, STRING,  _,             REQUIRED)

/* file_total and job_total are -1 while unknown. */
#define BGCOPY_SCHEMA_GROUP_progress(F, a)				\
	F(a, file_index, int32_t,  INTEGER, _, REQUIRED)			\
	F(a, file_bytes, uint64_t, INTEGER, _, REQUIRED)			\
	F(a, file_total, int64_t,  INTEGER, _, REQUIRED)			\
	F(a, job_bytes,  uint64_t, INTEGER, _, REQUIRED)			\
	F(a, job_total,  int64_t,  INTEGER, _, REQUIRED)

/* One callback or command-line attempt of one notification: attempt is
 * 1 for the first try, file_index -1 but for FILE_TRANSFERRED.  arming
 * (schema 2) names the arming: each notify_armed of a job takes the next
 * number from 1 (per engine instance), and every attempt carries the
 * number of the arming it serves, so an outcome is linked to its arming
 * without guessing. */
#define BGCOPY_SCHEMA_GROUP_notification(F, a)				\
	F(a, kind,       int32_t,  ENUM,    kind, REQUIRED)		\
	F(a, epoch,      uint64_t, INTEGER, _,    REQUIRED)		\
	F(a, attempt,    uint32_t, INTEGER, _,    REQUIRED)		\
	F(a, file_index, int32_t,  INTEGER, _,    REQUIRED)		\
	F(a, arming,     uint64_t, INTEGER, _,    OPTIONAL)

/* One HTTP attempt: url redacted (no user info, no query), range_from 0
 * when no Range was asked, bytes received in this attempt; schema 3:
 * whether the file has an expected SHA-256, and what checking it found;
 * schema 4: where redirects led a completed file, redacted ("" if nowhere);
 * schema 5: the lowest bandwidth cap the attempt ran under, 0: none. */
#define BGCOPY_SCHEMA_GROUP_transfer(F, a)				\
	F(a, file_index,     int32_t,      INTEGER, _, REQUIRED)	\
	F(a, url,            const char *, STRING,  _, REQUIRED)	\
	F(a, http_status,    int32_t,      INTEGER, _, REQUIRED)	\
	F(a, range_from,     uint64_t,     INTEGER, _, REQUIRED)	\
	F(a, range_honoured, uint8_t,      INTEGER, _, REQUIRED)	\
	F(a, bytes,          uint64_t,     INTEGER, _, REQUIRED)	\
	F(a, namelookup_us,  uint64_t,     INTEGER, _, REQUIRED)	\
	F(a, connect_us,     uint64_t,     INTEGER, _, REQUIRED)	\
	F(a, tls_us,         uint64_t,     INTEGER, _, REQUIRED)	\
	F(a, first_byte_us,  uint64_t,     INTEGER, _, REQUIRED)	\
	F(a, total_us,       uint64_t,     INTEGER, _, REQUIRED)	\
	F(a, curl_code,      int32_t,      INTEGER, _, REQUIRED)	\
	F(a, restart,        int32_t,      ENUM,    restart,  OPTIONAL) \
	F(a, if_range,       int32_t,      ENUM,    if_range, OPTIONAL) \
	F(a, sha256_expected, uint8_t,     INTEGER, _,        OPTIONAL) \
	F(a, verify,         int32_t,      ENUM,    verify,   OPTIONAL) \
	F(a, final_url,      const char *, STRING,  _,        OPTIONAL) \
	F(a, rate_cap_bps,   uint64_t,     INTEGER, _,        OPTIONAL)

/* ---- Events ---- */

/*
 * Every event, in the order the provider declares them:
 * EV(name, NAME, log level).  NAME is name in capitals, for C constants.
 */
#define BGCOPY_SCHEMA_EVENTS(EV)					\
	EV(engine_open,       ENGINE_OPEN,       INFO)			\
	EV(engine_close,      ENGINE_CLOSE,      INFO)			\
	EV(store_open,        STORE_OPEN,        INFO)			\
	EV(job_created,       JOB_CREATED,       INFO)			\
	EV(job_restored,      JOB_RESTORED,      INFO)			\
	EV(file_added,        FILE_ADDED,        INFO)			\
	EV(file_complete,     FILE_COMPLETE,     INFO)			\
	EV(state_change,      STATE_CHANGE,      INFO)			\
	EV(flags_change,      FLAGS_CHANGE,      NOTICE)		\
	EV(interface_set,     INTERFACE_SET,     NOTICE)		\
	EV(interface_release, INTERFACE_RELEASE, NOTICE)		\
	EV(property_change,   PROPERTY_CHANGE,   INFO)			\
	EV(progress,          PROGRESS,          DEBUG_PROCESS)		\
	EV(notify_armed,      NOTIFY_ARMED,      DEBUG_PROCESS)		\
	EV(notify_coalesced,  NOTIFY_COALESCED,  DEBUG_PROCESS)		\
	EV(callback_begin,    CALLBACK_BEGIN,    NOTICE)		\
	EV(callback_end,      CALLBACK_END,      NOTICE)		\
	EV(retry_scheduled,   RETRY_SCHEDULED,   NOTICE)		\
	EV(cmdline_run,       CMDLINE_RUN,       NOTICE)		\
	EV(cmdline_exit,      CMDLINE_EXIT,      NOTICE)		\
	EV(transfer,          TRANSFER,          INFO)			\
	/* schema 5, bgcopyd: who asks for what (tracer/trace.c) */	\
	EV(peer_request,      PEER_REQUEST,      INFO)	\
	/* schema 5: callbacks traced on both sides (bgcopyd, its client) */ \
	EV(callback_forwarded, CALLBACK_FORWARDED, NOTICE)		\
	EV(client_open,       CLIENT_OPEN,       INFO)			\
	EV(client_callback_received, CLIENT_CALLBACK_RECEIVED, NOTICE)	\
	EV(client_callback_returned, CLIENT_CALLBACK_RETURNED, NOTICE)

/*
 * Each event's hook parameters, in order, and so its fields:
 * BGCOPY_SCHEMA_EVENT_<name>(F, G, a) holds F rows, a field passed as a
 * parameter of its own, and G(F, a, group, var), a parameter
 * `const struct bgcopy_tp_<group> *var' whose fields all come there.
 */
#define BGCOPY_SCHEMA_EVENT_engine_open(F, G, a)			\
	G(F, a, engine, e)

#define BGCOPY_SCHEMA_EVENT_engine_close(F, G, a)			\
	F(a, engine, uint64_t, HEX, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_store_open(F, G, a)				\
	F(a, engine,         uint64_t,     HEX,     _, REQUIRED)	\
	F(a, path,           const char *, STRING,  _, REQUIRED)	\
	F(a, schema_version, uint32_t,     INTEGER, _, REQUIRED)	\
	F(a, jobs_restored,  uint32_t,     INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_job_created(F, G, a)			\
	G(F, a, job, j) G(F, a, job_info, info)

#define BGCOPY_SCHEMA_EVENT_job_restored BGCOPY_SCHEMA_EVENT_job_created

#define BGCOPY_SCHEMA_EVENT_file_added(F, G, a)				\
	G(F, a, job, j)							\
	F(a, file_index, int32_t,      INTEGER, _, REQUIRED)		\
	F(a, url,        const char *, STRING,  _, REQUIRED)		\
	F(a, local_path, const char *, STRING,  _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_file_complete(F, G, a)			\
	G(F, a, job, j)							\
	F(a, file_index, int32_t,  INTEGER, _, REQUIRED)		\
	F(a, bytes,      uint64_t, INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_state_change(F, G, a)			\
	G(F, a, job, j) G(F, a, state_change, s)

#define BGCOPY_SCHEMA_EVENT_flags_change(F, G, a)			\
	G(F, a, job, j)							\
	F(a, old_flags, uint32_t, HEX,     _, REQUIRED)			\
	F(a, new_flags, uint32_t, HEX,     _, REQUIRED)			\
	F(a, result,    int32_t,  INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_interface_set(F, G, a)			\
	G(F, a, job, j)							\
	F(a, old_epoch, uint64_t, INTEGER, _, REQUIRED)			\
	F(a, new_epoch, uint64_t, INTEGER, _, REQUIRED)			\
	F(a, iface,     uint64_t, HEX,     _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_interface_release(F, G, a)			\
	G(F, a, job, j)							\
	F(a, iface, uint64_t, HEX,     _, REQUIRED)			\
	F(a, epoch, uint64_t, INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_property_change(F, G, a)			\
	G(F, a, job, j)							\
	F(a, property, int32_t,      ENUM,   property, REQUIRED)	\
	F(a, value,    const char *, STRING, _,        REQUIRED)

#define BGCOPY_SCHEMA_EVENT_progress(F, G, a)				\
	G(F, a, job, j) G(F, a, progress, p)

#define BGCOPY_SCHEMA_EVENT_notify_armed(F, G, a)			\
	G(F, a, job, j) G(F, a, notification, n)

#define BGCOPY_SCHEMA_EVENT_notify_coalesced BGCOPY_SCHEMA_EVENT_notify_armed

#define BGCOPY_SCHEMA_EVENT_callback_begin(F, G, a)			\
	G(F, a, job, j) G(F, a, notification, n)			\
	F(a, iface, uint64_t, HEX, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_callback_end(F, G, a)			\
	G(F, a, job, j) G(F, a, notification, n)			\
	F(a, result,      int32_t,  INTEGER, _, REQUIRED)		\
	F(a, duration_ns, uint64_t, INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_retry_scheduled(F, G, a)			\
	G(F, a, job, j) G(F, a, notification, n)			\
	F(a, delay_ms, uint64_t, INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_cmdline_run(F, G, a)			\
	G(F, a, job, j) G(F, a, notification, n)			\
	F(a, program, const char *, STRING,  _, REQUIRED)		\
	F(a, pid,     int32_t,      INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_EVENT_cmdline_exit(F, G, a)			\
	G(F, a, job, j) G(F, a, notification, n)			\
	F(a, pid,    int32_t, INTEGER, _, REQUIRED)			\
	F(a, status, int32_t, INTEGER, _, REQUIRED)			\
	F(a, timed_out, uint8_t, INTEGER, _, OPTIONAL)	/* schema 3 */

#define BGCOPY_SCHEMA_EVENT_transfer(F, G, a)				\
	G(F, a, job, j) G(F, a, transfer, t)

/* Schema 5: a bgcopyd client (peer) asked for `verb': on target_job, or
 * ("") on no job yet: CreateJob's job is the next job_created of the
 * same thread.  Not job-scoped (no seq): peer_uts_ns (0: the peer had
 * gone) is what lets `bgcopy-analyze --run' keep a recorded run's jobs. */
#define BGCOPY_SCHEMA_EVENT_peer_request(F, G, a)			\
	F(a, engine,      uint64_t,     HEX,     _, REQUIRED)		\
	F(a, target_job,  const char *, STRING,  _, REQUIRED)		\
	F(a, verb,        const char *, STRING,  _, REQUIRED)		\
	F(a, peer_pid,    int32_t,      INTEGER, _, REQUIRED)		\
	F(a, peer_uid,    uint32_t,     INTEGER, _, REQUIRED)		\
	F(a, peer_uts_ns, uint64_t,     INTEGER, _, REQUIRED)

/* Schema 5: callbacks traced on both sides.  callback_forwarded: the
 * engine's callback (bgcopyd's) handed this attempt to process pid.  A
 * client engine (client) records client_open when it connects, and each
 * call it receives and answers, named by the attempt it serves: the
 * engine and job it belongs to, its arming and attempt. */
#define BGCOPY_SCHEMA_EVENT_callback_forwarded(F, G, a)			\
	G(F, a, job, j) G(F, a, notification, n)			\
	F(a, pid,       int32_t,  INTEGER, _, REQUIRED)			\
	F(a, pid_start, uint64_t, INTEGER, _, REQUIRED)

/* pid_start: when the process started, in clock ticks since boot
 * (/proc/PID/stat field 22; 0 if unknown): with the pid (client_open's
 * vpid), one process even when a later one takes its pid. */
#define BGCOPY_SCHEMA_EVENT_client_open(F, G, a)			\
	F(a, client,    uint64_t, HEX,     _, REQUIRED)			\
	F(a, pid_start, uint64_t, INTEGER, _, REQUIRED)

#define BGCOPY_SCHEMA_GROUP_client_attempt(F, a)			\
	F(a, client,     uint64_t,     HEX,     _,    REQUIRED)		\
	F(a, engine,     uint64_t,     HEX,     _,    REQUIRED)		\
	F(a, job,        const char *, TEXT,    36,   REQUIRED)		\
	F(a, kind,       int32_t,      ENUM,    kind, REQUIRED)		\
	F(a, file_index, int32_t,      INTEGER, _,    REQUIRED)		\
	F(a, arming,     uint64_t,     INTEGER, _,    REQUIRED)		\
	F(a, attempt,    uint32_t,     INTEGER, _,    REQUIRED)

#define BGCOPY_SCHEMA_EVENT_client_callback_received(F, G, a)		\
	G(F, a, client_attempt, c)

#define BGCOPY_SCHEMA_EVENT_client_callback_returned(F, G, a)		\
	G(F, a, client_attempt, c)					\
	F(a, result, int32_t, INTEGER, _, REQUIRED)

/* ---- Walking an event ---- */

/* F for every field of event `name', in trace order, groups opened. */
#define BGCOPY_SCHEMA_FIELDS(name, F, a)				\
	BGCOPY_SCHEMA_EVENT_##name(F, BGCOPY_SCHEMA_GROUP_FIELDS, a)
#define BGCOPY_SCHEMA_GROUP_FIELDS(F, a, group, var)			\
	BGCOPY_SCHEMA_GROUP_##group(F, a)

/* Drops the first of a list: turns `, x, y' into `x, y', so that rows
 * can each expand to `, item' and still make a C list. */
#define BGCOPY_SCHEMA_TAIL(...) BGCOPY_SCHEMA_TAIL_(__VA_ARGS__)
#define BGCOPY_SCHEMA_TAIL_(first, ...) __VA_ARGS__

#endif /* BGCOPY_SCHEMA_H */
