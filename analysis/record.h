/*
 * One bgcopy trace event as a plain C record.
 *
 * decode.c fills it from a babeltrace2 message; the oracle, the timeline
 * and the unit tests consume it.  Members are named after the trace
 * fields (tp/bgcopy_schema.h); a member only means something for the event
 * types that carry that field.  Strings are borrowed: they stay valid
 * only for the duration of the call the record is passed to.
 */
#ifndef BGCOPY_RECORD_H
#define BGCOPY_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "tp/bgcopy_schema.h"

/* One per event of the trace schema, in its order, then DISCARDED. */
#define BGC_REC_OF(name, NAME, level) BGC_REC_##NAME,
enum bgc_rec_type {
	BGCOPY_SCHEMA_EVENTS(BGC_REC_OF)
	/* Not an event: babeltrace2 reported discarded events or packets. */
	BGC_REC_DISCARDED,
	BGC_REC__COUNT
};
#undef BGC_REC_OF

struct bgc_record {
	enum bgc_rec_type type;
	int64_t ts;			/* ns from the clock's origin */
	int64_t vpid, vtid;		/* -1 when the context is absent */
	int64_t uts_ns;			/* UTS namespace inode, or -1 */

	/* every event but engine_close/store_open has these */
	uint64_t engine;
	const char *job;		/* NULL for engine-scoped events */
	uint64_t seq;

	/* engine_open, store_open */
	const char *store;
	const char *path;
	uint64_t trace_schema;
	uint64_t dispatcher_threads;
	uint64_t test_options;
	uint64_t min_retry_floor_ms;
	uint64_t schema_version;
	uint64_t jobs_restored;

	/* job_created, job_restored */
	const char *name;
	int64_t priority;
	uint64_t owner;
	int64_t state;
	uint64_t notify_flags;
	uint64_t min_retry_delay_ms;
	uint64_t no_progress_timeout_ms;
	uint64_t modification_interval_ms;
	uint64_t files;
	/* `epoch' (below) and notify_cmdline: optional in job_created and
	 * job_restored (early schema-1 engines lacked them, tp/EVENTS.md
	 * section 1); has_epoch says the event carries `epoch', notify_cmdline
	 * is NULL when the event has no such field. */
	bool has_epoch;
	const char *notify_cmdline;

	/* file_added, file_complete, progress, transfer, notifications */
	int64_t file_index;
	const char *url;
	const char *local_path;
	uint64_t bytes;

	/* state_change */
	int64_t from, to, cause;
	int64_t error_context, error_code, http_status, curl_code, error_file;
	const char *description;

	/* flags_change */
	uint64_t old_flags, new_flags;
	int64_t result;			/* also callback_end */

	/* interface_set, interface_release, callback_begin */
	uint64_t old_epoch, new_epoch, iface;

	/* property_change */
	int64_t property;
	const char *value;

	/* progress */
	uint64_t file_bytes, job_bytes;
	int64_t file_total, job_total;

	/* notification events */
	int64_t kind;
	uint64_t epoch;
	uint64_t attempt;
	uint64_t arming;		/* schema 2: the arming an attempt serves */
	bool has_arming;		/* the event carries `arming' */
	uint64_t duration_ns;
	uint64_t delay_ms;
	const char *program;
	int64_t pid, status;
	uint64_t timed_out;		/* schema 3, cmdline_exit; 0 before */

	/* transfer */
	uint64_t range_from, range_honoured;
	int64_t restart, if_range;	/* schema 2; 0 (NONE) in schema 1 */
	uint64_t sha256_expected;	/* schema 3; 0 before */
	int64_t verify;			/* schema 3; 0 (NONE) before */
	const char *final_url;		/* schema 4: where redirects led; NULL before */
	uint64_t rate_cap_bps;		/* schema 5: lowest bandwidth cap; 0 none */
	uint64_t namelookup_us, connect_us, tls_us, first_byte_us, total_us;

	/* peer_request (schema 5): bgcopyd's client and what it asked for;
	 * target_job "" when the job is about to be created */
	const char *target_job;
	const char *verb;
	int64_t peer_pid;
	uint64_t peer_uid;
	uint64_t peer_uts_ns;		/* 0: the peer had gone */
	/* schema 5: client_open, client_callback_received/returned: the
	 * client engine's id; `engine' and `job' name the attempt's */
	uint64_t client;
	uint64_t pid_start;		/* and callback_forwarded: process start */

	/* The stream set the message came through, from its trace's
	 * environment: with per-PID buffers the process (stream_pid), with
	 * per-UID buffers the user (stream_uid); -1 when not known. */
	int64_t stream_pid, stream_uid;

	/* discarded: [disc_begin, disc_end] when disc_has_window */
	bool disc_has_window;
	int64_t disc_begin, disc_end;
	uint64_t disc_count;		/* 0 when unknown */
	bool disc_packets;		/* whole packets rather than events */
};

/*
 * The record members a consumer reads from one type of event, named as
 * in struct bgc_record.  A consumer lists them in a table that ends with
 * BGC_READS_END; a decoder fills only what its consumers read (decode.h).
 */
struct bgc_reads {
	enum bgc_rec_type type;
	const char *const *members;	/* NULL-terminated */
};

#define BGC_READS(type, ...) \
	{ (type), (const char *const[]) { __VA_ARGS__, NULL } }
#define BGC_READS_END { BGC_REC__COUNT, NULL }

#endif /* BGCOPY_RECORD_H */
