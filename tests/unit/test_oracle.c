/*
 * Unit tests of the contract oracle (analysis/oracle.h): hand-built record
 * sequences, one per finding G1..G8 that must FAIL, and the look-alikes
 * that must PASS (or be INCONCLUSIVE); its live hooks; and the baseline
 * comparison (analysis/perf.h, analysis/compare.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/compare.h"
#include "analysis/latency.h"
#include "analysis/oracle.h"
#include "analysis/perf.h"
#include "tp/bgcopy_tp_abi.h"

#define MS 1000000ll
#define JOB_A "00000000-0000-4000-8000-00000000000a"
#define JOB_B "00000000-0000-4000-8000-00000000000b"
#define ENGINE_1 0x1111
#define ENGINE_2 0x2222
#define STORE "/var/lib/bgcopy"
#define IFACE 0xcafe

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED
#define E BGCOPY_TP_KIND_JOB_ERROR
#define M BGCOPY_TP_KIND_JOB_MODIFICATION
#define F BGCOPY_TP_KIND_FILE_TRANSFERRED

#define FLAGS_TE 0x03u
#define FLAGS_TEM 0x0bu
#define FLAGS_TEF 0x13u
#define RETRY_MS 5000
#define INTERVAL_MS 500

/* The job and engine the next records belong to. */
static const char *job = JOB_A;
static uint64_t engine = ENGINE_1;
static uint64_t seq;

static struct oracle *make(int64_t max_latency_ms)
{
	struct oracle_config cfg = {
		.grace_ns = 1000 * MS,
		.max_latency_ns = max_latency_ms < 0 ? -1 : max_latency_ms * MS,
		.keep_history = true,
	};

	job = JOB_A;
	engine = ENGINE_1;
	seq = 0;
	return oracle_create(&cfg);
}

static struct bgc_record rec(enum bgc_rec_type type, int64_t ms)
{
	return (struct bgc_record) {
		.type = type, .ts = ms * MS, .vpid = -1, .vtid = -1,
		.engine = engine, .job = job, .seq = ++seq, .file_index = -1,
	};
}

static void feed(struct oracle *o, struct bgc_record r)
{
	assert_int_equal(oracle_feed(o, &r), 0);
}

/* A discarded-events message stamped at `at_ms`, for a window of the
 * stream (no job of its own). */
static void discard(struct oracle *o, int at_ms, uint64_t begin, uint64_t end,
		    uint64_t count)
{
	struct bgc_record r = rec(BGC_REC_DISCARDED, at_ms);

	r.job = NULL;
	r.disc_has_window = true;
	r.disc_begin = begin;
	r.disc_end = end;
	r.disc_count = count;
	feed(o, r);
}

static void engine_open(struct oracle *o, int64_t ms, uint64_t threads)
{
	struct bgc_record r = rec(BGC_REC_ENGINE_OPEN, ms);

	r.job = NULL;
	r.store = STORE;
	r.trace_schema = ORACLE_SCHEMA;
	r.dispatcher_threads = threads;
	feed(o, r);
}

static void engine_close(struct oracle *o, int64_t ms)
{
	struct bgc_record r = rec(BGC_REC_ENGINE_CLOSE, ms);

	r.job = NULL;
	feed(o, r);
}

static void job_info(struct oracle *o, enum bgc_rec_type type, int64_t ms,
		     int state, uint32_t flags)
{
	struct bgc_record r = rec(type, ms);

	r.name = "test";
	r.state = state;
	r.notify_flags = flags;
	r.min_retry_delay_ms = RETRY_MS;
	r.modification_interval_ms = INTERVAL_MS;
	feed(o, r);
}

/* job_restored as engines since e381adb record it: epoch and command
 * line included. */
static void restored(struct oracle *o, int64_t ms, int state_, uint32_t flags,
		     uint64_t epoch, const char *cmdline)
{
	struct bgc_record r = rec(BGC_REC_JOB_RESTORED, ms);

	r.name = "test";
	r.state = state_;
	r.notify_flags = flags;
	r.min_retry_delay_ms = RETRY_MS;
	r.modification_interval_ms = INTERVAL_MS;
	r.has_epoch = true;
	r.epoch = epoch;
	r.notify_cmdline = cmdline;
	feed(o, r);
}

static void flags(struct oracle *o, int64_t ms, uint32_t old, uint32_t new_)
{
	struct bgc_record r = rec(BGC_REC_FLAGS_CHANGE, ms);

	r.old_flags = old;
	r.new_flags = new_;
	feed(o, r);
}

static void release(struct oracle *o, int64_t ms, uint64_t epoch, uint64_t id)
{
	struct bgc_record r = rec(BGC_REC_INTERFACE_RELEASE, ms);

	r.epoch = epoch;
	r.iface = id;
	feed(o, r);
}

static void state(struct oracle *o, int64_t ms, int from, int to)
{
	struct bgc_record r = rec(BGC_REC_STATE_CHANGE, ms);

	r.from = from;
	r.to = to;
	r.description = "";
	feed(o, r);
}

static void iface(struct oracle *o, int64_t ms, uint64_t old_epoch,
		  uint64_t new_epoch, uint64_t id)
{
	struct bgc_record r = rec(BGC_REC_INTERFACE_SET, ms);

	r.old_epoch = old_epoch;
	r.new_epoch = new_epoch;
	r.iface = id;
	feed(o, r);
}

static void file_event(struct oracle *o, enum bgc_rec_type type, int64_t ms,
		       int index)
{
	struct bgc_record r = rec(type, ms);

	r.file_index = index;
	r.url = "http://example.test/f";
	r.local_path = "/tmp/f";
	feed(o, r);
}

static void progress(struct oracle *o, int64_t ms)
{
	struct bgc_record r = rec(BGC_REC_PROGRESS, ms);

	r.file_index = 0;
	feed(o, r);
}

static void property(struct oracle *o, int64_t ms, int prop, const char *v)
{
	struct bgc_record r = rec(BGC_REC_PROPERTY_CHANGE, ms);

	r.property = prop;
	r.value = v;
	feed(o, r);
}

static void notif(struct oracle *o, enum bgc_rec_type type, int64_t ms,
		  int kind, uint64_t epoch, uint64_t attempt, int file,
		  int64_t result)
{
	struct bgc_record r = rec(type, ms);

	r.kind = kind;
	r.epoch = epoch;
	r.attempt = attempt;
	r.file_index = file;
	r.iface = IFACE;
	r.result = r.status = result;
	r.pid = 4242;
	r.program = "/bin/true";
	feed(o, r);
}

/* One callback from begin to end. */
static void callback(struct oracle *o, int64_t ms, int kind, uint64_t epoch,
		     uint64_t attempt, int file, int64_t result)
{
	notif(o, BGC_REC_CALLBACK_BEGIN, ms, kind, epoch, attempt, file, 0);
	notif(o, BGC_REC_CALLBACK_END, ms + 1, kind, epoch, attempt, file,
	      result);
}

/* A job with an interface (epoch 1) that reaches TRANSFERRED at 100 ms. */
static void transferred_job(struct oracle *o, uint32_t flags)
{
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, flags);
	file_event(o, BGC_REC_FILE_ADDED, 2, 0);
	iface(o, 3, 0, 1, IFACE);
	state(o, 10, BGCOPY_TP_SUSPENDED, BGCOPY_TP_QUEUED);
	state(o, 20, BGCOPY_TP_QUEUED, BGCOPY_TP_CONNECTING);
	state(o, 30, BGCOPY_TP_CONNECTING, BGCOPY_TP_TRANSFERRING);
	file_event(o, BGC_REC_FILE_COMPLETE, 90, 0);
	state(o, 100, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
}

static void acknowledge(struct oracle *o, int64_t ms)
{
	state(o, ms, BGCOPY_TP_TRANSFERRED, BGCOPY_TP_ACKNOWLEDGED);
}

static size_t count_rule(const struct oracle *o, const char *id,
			 enum oracle_rule rule)
{
	const struct oracle_job *j = oracle_job_find(o, id);
	size_t i, n = 0;

	assert_non_null(j);
	for (i = 0; i < j->n_findings; i++)
		n += j->findings[i].rule == rule;
	return n;
}

/* Finishes; the verdict must be FAIL with `rule' the only violation. */
static void expect_only(struct oracle *o, enum oracle_rule rule)
{
	const struct oracle_job *j;
	size_t i;

	assert_int_equal(oracle_finish(o), 0);
	assert_string_equal(oracle_verdict_name(oracle_verdict(o)), "FAIL");
	j = oracle_job_find(o, JOB_A);
	assert_non_null(j);
	assert_true(j->n_findings >= 1);
	for (i = 0; i < j->n_findings; i++) {
		if (j->findings[i].rule != rule)
			fail_msg("expected only %s, got %s: %s",
				 oracle_rule_name(rule),
				 oracle_rule_name(j->findings[i].rule),
				 j->findings[i].what);
	}
	oracle_destroy(o);
}

static void expect_pass(struct oracle *o)
{
	const struct oracle_job *j;

	assert_int_equal(oracle_finish(o), 0);
	j = oracle_job_find(o, JOB_A);
	assert_non_null(j);
	if (j->n_findings)
		fail_msg("unexpected %s: %s",
			 oracle_rule_name(j->findings[0].rule),
			 j->findings[0].what);
	assert_int_equal(oracle_verdict(o), ORACLE_PASS);
	oracle_destroy(o);
}

/* ---- findings that FAIL --------------------------------------------- */

static void g1_lost_transferred(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	engine_close(o, 5000);
	expect_only(o, ORACLE_G1_LOST);
}

static void g1_lost_modification(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEM);
	iface(o, 3, 0, 1, IFACE);
	progress(o, 10);
	engine_close(o, 3000);
	expect_only(o, ORACLE_G1_LOST);
}

static void g2_duplicate(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	callback(o, 120, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	expect_only(o, ORACLE_G2_DUPLICATE);
}

static void g3_spurious_wrong_state(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	iface(o, 3, 0, 1, IFACE);
	state(o, 10, BGCOPY_TP_SUSPENDED, BGCOPY_TP_QUEUED);
	callback(o, 20, T, 1, 1, -1, 0);
	expect_only(o, ORACLE_G3_SPURIOUS);
}

static void g3_spurious_disabled(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE | 0x04);
	callback(o, 110, T, 1, 1, -1, 0);
	expect_only(o, ORACLE_G3_SPURIOUS);
}

static void g3_cmdline_not_set(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	notif(o, BGC_REC_CMDLINE_RUN, 110, T, 1, 1, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 120, T, 1, 1, -1, 0);
	expect_only(o, ORACLE_G3_SPURIOUS);
}

static void g4_after_release(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	iface(o, 105, 1, 2, IFACE + 1);
	callback(o, 110, T, 1, 1, -1, 0);	/* old epoch */
	callback(o, 120, T, 2, 1, -1, 0);
	acknowledge(o, 200);
	expect_only(o, ORACLE_G4_AFTER_RELEASE);
}

static void g5_overlap(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	notif(o, BGC_REC_CALLBACK_BEGIN, 110, T, 1, 1, -1, 0);
	notif(o, BGC_REC_CALLBACK_BEGIN, 111, T, 1, 2, -1, 0);
	notif(o, BGC_REC_CALLBACK_END, 112, T, 1, 1, -1, 0);
	notif(o, BGC_REC_CALLBACK_END, 113, T, 1, 2, -1, 0);
	acknowledge(o, 200);
	expect_only(o, ORACLE_G5_OVERLAP);
}

static void g6_over_concurrency(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 1);
	transferred_job(o, FLAGS_TE);
	job = JOB_B;
	transferred_job(o, FLAGS_TE);
	job = JOB_A;
	notif(o, BGC_REC_CALLBACK_BEGIN, 110, T, 1, 1, -1, 0);
	job = JOB_B;
	notif(o, BGC_REC_CALLBACK_BEGIN, 111, T, 1, 1, -1, 0);
	notif(o, BGC_REC_CALLBACK_END, 112, T, 1, 1, -1, 0);
	job = JOB_A;
	notif(o, BGC_REC_CALLBACK_END, 113, T, 1, 1, -1, 0);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), ORACLE_FAIL);
	assert_int_equal(count_rule(o, JOB_B, ORACLE_G6_OVER_CONCURRENCY), 1);
	assert_int_equal(count_rule(o, JOB_A, ORACLE_G6_OVER_CONCURRENCY), 0);
	oracle_destroy(o);
}

static void g7_retry_too_soon(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, -1);
	callback(o, 200, T, 1, 2, -1, 0);
	acknowledge(o, 300);
	expect_only(o, ORACLE_G7_MISORDERED);
}

static void g7_file_order(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEF);
	iface(o, 3, 0, 1, IFACE);
	file_event(o, BGC_REC_FILE_COMPLETE, 50, 0);
	file_event(o, BGC_REC_FILE_COMPLETE, 60, 1);
	callback(o, 70, F, 1, 1, 1, 0);
	callback(o, 80, F, 1, 1, 0, 0);
	expect_only(o, ORACLE_G7_MISORDERED);
}

static void g7_transferred_before_file(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TEF);
	callback(o, 110, T, 1, 1, -1, 0);
	callback(o, 120, F, 1, 1, 0, 0);
	acknowledge(o, 200);
	expect_only(o, ORACLE_G7_MISORDERED);
}

static void g7_modification_throttle(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEM);
	iface(o, 3, 0, 1, IFACE);
	progress(o, 10);
	callback(o, 20, M, 1, 1, -1, 0);
	progress(o, 30);
	callback(o, 40, M, 1, 1, -1, 0);
	expect_only(o, ORACLE_G7_MISORDERED);
}

static void g8_late(void **state_)
{
	struct oracle *o = make(10);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 150, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	expect_only(o, ORACLE_G8_LATE);
}

/* ---- look-alikes that PASS ------------------------------------------ */

static void happy_path(void **state_)
{
	struct oracle *o = make(10);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 105, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	engine_close(o, 5000);
	expect_pass(o);
}

static void error_delivered(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	iface(o, 3, 0, 1, IFACE);
	state(o, 30, BGCOPY_TP_CONNECTING, BGCOPY_TP_ERROR);
	callback(o, 40, E, 1, 1, -1, 0);
	state(o, 50, BGCOPY_TP_ERROR, BGCOPY_TP_CANCELLED);
	engine_close(o, 9000);
	expect_pass(o);
}

static void interface_removed_while_transferred(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	iface(o, 150, 1, 2, 0);
	engine_close(o, 9000);
	expect_pass(o);
}

static void redelivery_after_reregistration(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	iface(o, 150, 1, 2, IFACE + 1);
	callback(o, 160, T, 2, 1, -1, 0);
	acknowledge(o, 200);
	engine_close(o, 5000);
	expect_pass(o);
}

static void coalesced_modifications(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEM);
	iface(o, 3, 0, 1, IFACE);
	progress(o, 10);
	progress(o, 11);
	progress(o, 12);
	callback(o, 20, M, 1, 1, -1, 0);
	progress(o, 30);
	progress(o, 40);
	callback(o, 600, M, 1, 1, -1, 0);
	engine_close(o, 5000);
	expect_pass(o);
}

static void retry_spaced(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, -1);
	callback(o, 110 + RETRY_MS + 10, T, 1, 2, -1, 0);
	acknowledge(o, 6000);
	engine_close(o, 9000);
	expect_pass(o);
}

static void retry_pending_at_end(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, -1);
	engine_close(o, 3000);	/* before retry delay + grace */
	expect_pass(o);
}

static void failed_callback_handed_to_cmdline(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	property(o, 2, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "/bin/notify");
	iface(o, 3, 0, 1, IFACE);
	state(o, 100, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
	callback(o, 110, T, 1, 1, -1, -1);
	notif(o, BGC_REC_CMDLINE_RUN, 112, T, 1, 2, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 130, T, 1, 2, -1, 0);
	engine_close(o, 5000);
	expect_pass(o);
}

/* `bgcopy info` opens the store read-only while the holder runs: it
 * shows the jobs and takes nothing over. */
static void an_inspector_does_not_take_over(void **state_)
{
	struct oracle *o = make(-1);
	struct bgc_record r;

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	r = rec(BGC_REC_ENGINE_OPEN, 105);
	r.engine = 0x99;
	r.job = NULL;
	r.store = STORE;
	r.trace_schema = ORACLE_SCHEMA;
	r.dispatcher_threads = 0;
	feed(o, r);
	r = rec(BGC_REC_JOB_RESTORED, 106);
	r.engine = 0x99;
	r.name = "test";
	r.state = BGCOPY_TP_TRANSFERRED;
	r.notify_flags = FLAGS_TE;
	r.min_retry_delay_ms = RETRY_MS;
	r.modification_interval_ms = INTERVAL_MS;
	feed(o, r);
	callback(o, 110, T, 1, 1, -1, 0);	/* the holder delivers */
	acknowledge(o, 200);
	engine_close(o, 5000);
	expect_pass(o);
}

/* A command line's exit 0 counts even if the interface changed while it
 * ran: the engine discharges it (no interface owns a command line). */
static void cmdline_success_across_interface_removal(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	property(o, 2, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "/bin/notify");
	state(o, 100, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
	notif(o, BGC_REC_CMDLINE_RUN, 110, T, 0, 1, -1, 0);
	iface(o, 200, 0, 1, 0);		/* NULL: a new epoch, nothing owed */
	notif(o, BGC_REC_CMDLINE_EXIT, 400, T, 0, 1, -1, 0);
	engine_close(o, 5000);
	expect_pass(o);
}

/* The engine spaces a retry by the delay in force when the attempt
 * failed; a delay raised afterwards does not make it early. */
static void retry_spaced_by_the_delay_at_failure(void **state_)
{
	struct oracle *o = make(-1);
	char longer[32];

	(void) state_;
	snprintf(longer, sizeof(longer), "%d", RETRY_MS * 10);
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, -1);
	property(o, 120, BGCOPY_TP_PROP_MIN_RETRY_DELAY, longer);
	callback(o, 110 + RETRY_MS + 10, T, 1, 2, -1, 0);
	acknowledge(o, 6000);
	engine_close(o, 9000);
	expect_pass(o);
}

static void file_parked_with_only_a_cmdline(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	/* F never goes to the command line; T waits behind the F. */
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEF);
	property(o, 2, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "/bin/notify");
	file_event(o, BGC_REC_FILE_COMPLETE, 90, 0);
	state(o, 100, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
	engine_close(o, 9000);
	expect_pass(o);
}

/* The engine rounds its retry deadline up: the delay runs from the
 * callback_end that failed, to the nanosecond. */
static void retry_exactly_after_the_delay(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, -1);	/* ends at 111 */
	callback(o, 111 + RETRY_MS, T, 1, 2, -1, 0);
	acknowledge(o, 6000);
	expect_pass(o);
}

static void g7_retry_a_millisecond_early(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, -1);	/* ends at 111 */
	callback(o, 111 + RETRY_MS - 1, T, 1, 2, -1, 0);
	acknowledge(o, 6000);
	expect_only(o, ORACLE_G7_MISORDERED);
}

/* ---- engine changes the oracle follows ------------------------------ */

/* A job first seen at its restore: epoch and command line are known. */
static void restored_job_knows_epoch_and_cmdline(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	restored(o, 1, BGCOPY_TP_TRANSFERRED, FLAGS_TE, 5, "/bin/notify");
	notif(o, BGC_REC_CMDLINE_RUN, 10, T, 5, 1, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 20, T, 5, 1, -1, 0);
	acknowledge(o, 100);
	engine_close(o, 9000);
	expect_pass(o);
}

static void restored_without_cmdline_runs_none(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	restored(o, 1, BGCOPY_TP_TRANSFERRED, FLAGS_TE, 5, "");
	notif(o, BGC_REC_CMDLINE_RUN, 10, T, 5, 1, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 20, T, 5, 1, -1, 0);
	expect_only(o, ORACLE_G3_SPURIOUS);
}

static void restored_epoch_checks_old_callbacks(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	restored(o, 1, BGCOPY_TP_TRANSFERRED, FLAGS_TE, 5, "");
	iface(o, 2, 5, 6, IFACE);
	callback(o, 10, T, 5, 1, -1, 0);
	expect_only(o, ORACLE_G4_AFTER_RELEASE);
}

/* Restored TRANSFERRED with a command line, never delivered: it may have
 * been delivered before the trace began, so it is not proven lost. */
static void restored_unknown_history_is_not_lost(void **state_)
{
	struct oracle *o = make(-1);
	const struct oracle_job *j;

	(void) state_;
	engine_open(o, 0, 4);
	restored(o, 1, BGCOPY_TP_TRANSFERRED, FLAGS_TE, 2, "/bin/notify");
	engine_close(o, 20000);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), ORACLE_PASS);
	j = oracle_job_find(o, JOB_A);
	assert_int_equal(j->n_notifs, 1);
	assert_int_equal(j->notifs[0].outcome, ORACLE_CARRIED);
	oracle_destroy(o);
}

/* cmdline_run is stamped at spawn: latency counts from there. */
static void cmdline_latency_from_spawn(void **state_)
{
	struct oracle *o = make(10);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	property(o, 2, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "/bin/notify");
	state(o, 100, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
	notif(o, BGC_REC_CMDLINE_RUN, 105, T, 0, 1, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 400, T, 0, 1, -1, 0);
	acknowledge(o, 500);
	engine_close(o, 9000);
	expect_pass(o);
}

/* A command line keeps its job busy: a callback beside it overlaps. */
static void g5_callback_beside_cmdline(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEM);
	iface(o, 3, 0, 1, IFACE);
	property(o, 4, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "/bin/notify");
	callback(o, 5, M, 1, 1, -1, 0);
	state(o, 1000, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
	callback(o, 1010, T, 1, 1, -1, -1);	/* hands T to the cmdline */
	notif(o, BGC_REC_CMDLINE_RUN, 6011, T, 1, 2, -1, 0);
	property(o, 6012, BGCOPY_TP_PROP_DESCRIPTION, "d");
	notif(o, BGC_REC_CALLBACK_BEGIN, 6020, M, 1, 1, -1, 0);
	notif(o, BGC_REC_CALLBACK_END, 6021, M, 1, 1, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 6100, T, 1, 2, -1, 0);
	acknowledge(o, 7000);
	engine_close(o, 9000);
	expect_only(o, ORACLE_G5_OVERLAP);
}

/* A final job drops its registration: interface_release, no
 * interface_set. */
static void final_job_releases_its_interface(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	release(o, 200, 1, IFACE);
	engine_close(o, 9000);
	expect_pass(o);
}

/* The release at engine close does not excuse a T owed all along. */
static void release_at_close_does_not_hide_a_loss(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	release(o, 4000, 1, IFACE);
	engine_close(o, 4001);
	expect_only(o, ORACLE_G1_LOST);
}

static void g3_callback_after_release(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	release(o, 101, 1, IFACE);
	callback(o, 110, T, 1, 1, -1, 0);
	expect_only(o, ORACLE_G3_SPURIOUS);
}

/* A flag change that still allows T owes nothing again. */
static void g2_after_a_flag_change_still_allowing(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	flags(o, 150, FLAGS_TE, FLAGS_TEF);
	callback(o, 160, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	expect_only(o, ORACLE_G2_DUPLICATE);
}

static void flag_change_newly_allowing_rearms(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	flags(o, 150, FLAGS_TE, 0x02);
	flags(o, 160, 0x02, FLAGS_TE);
	callback(o, 170, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	engine_close(o, 9000);
	expect_pass(o);
}

/* Flag and interface changes arm no JobModification. */
static void flags_and_interfaces_arm_no_modification(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEM);
	iface(o, 3, 0, 1, IFACE);
	flags(o, 10, FLAGS_TEM, FLAGS_TEM | 0x10);
	iface(o, 20, 1, 2, IFACE + 1);
	flags(o, 30, FLAGS_TEM | 0x10, FLAGS_TEM);
	engine_close(o, 5000);
	expect_pass(o);
}

/* A failed attempt whose epoch was replaced meanwhile does not count:
 * the new epoch may try at once. */
static void failure_in_an_old_epoch_does_not_delay(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	notif(o, BGC_REC_CALLBACK_BEGIN, 110, T, 1, 1, -1, 0);
	iface(o, 111, 1, 2, IFACE + 1);
	notif(o, BGC_REC_CALLBACK_END, 112, T, 1, 1, -1, -1);
	callback(o, 113, T, 2, 1, -1, 0);
	acknowledge(o, 200);
	engine_close(o, 9000);
	expect_pass(o);
}

/* Discharges are persisted: after a clean close, a restored TRANSFERRED
 * job owes no T, and delivering it again is a duplicate. */
static void delivered_before_a_clean_restart_is_not_owed(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	release(o, 200, 1, IFACE);
	engine_close(o, 201);
	engine = ENGINE_2;
	engine_open(o, 300, 4);
	restored(o, 301, BGCOPY_TP_TRANSFERRED, FLAGS_TE, 1, "/bin/notify");
	engine_close(o, 20000);
	expect_pass(o);
}

static void g2_redelivered_after_a_clean_restart(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	release(o, 200, 1, IFACE);
	engine_close(o, 201);
	engine = ENGINE_2;
	engine_open(o, 300, 4);
	restored(o, 301, BGCOPY_TP_TRANSFERRED, FLAGS_TE, 1, "/bin/notify");
	notif(o, BGC_REC_CMDLINE_RUN, 310, T, 1, 1, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 320, T, 1, 1, -1, 0);
	expect_only(o, ORACLE_G2_DUPLICATE);
}

/* A transfer cut off by a restart: stored TRANSFERRING, queued with cause
 * RESTORED, then every file already complete: QUEUED->TRANSFERRED. */
static void restored_transfer_finishes(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TEF);
	file_event(o, BGC_REC_FILE_ADDED, 2, 0);
	file_event(o, BGC_REC_FILE_ADDED, 2, 1);
	iface(o, 3, 0, 1, IFACE);
	state(o, 10, BGCOPY_TP_SUSPENDED, BGCOPY_TP_QUEUED);
	state(o, 20, BGCOPY_TP_QUEUED, BGCOPY_TP_CONNECTING);
	state(o, 30, BGCOPY_TP_CONNECTING, BGCOPY_TP_TRANSFERRING);
	file_event(o, BGC_REC_FILE_COMPLETE, 40, 0);
	callback(o, 45, F, 1, 1, 0, 0);
	/* no state change between files */
	file_event(o, BGC_REC_FILE_COMPLETE, 50, 1);
	/* the process dies before the state change */
	engine = ENGINE_2;
	engine_open(o, 1000, 4);
	restored(o, 1001, BGCOPY_TP_TRANSFERRING, FLAGS_TEF, 1, "");
	state(o, 1001, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_QUEUED);
	state(o, 1010, BGCOPY_TP_QUEUED, BGCOPY_TP_TRANSFERRED);
	iface(o, 1100, 1, 2, IFACE);
	callback(o, 1110, F, 2, 1, 1, 0);
	callback(o, 1120, T, 2, 1, -1, 0);
	acknowledge(o, 1200);
	engine_close(o, 9000);
	expect_pass(o);
}

static void parked_without_interface(void **state_)
{
	struct oracle *o = make(-1);
	const struct oracle_job *j;

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	state(o, 10, BGCOPY_TP_SUSPENDED, BGCOPY_TP_QUEUED);
	state(o, 100, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
	property(o, 200, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "/bin/x");
	property(o, 201, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "");	/* cleared */
	engine_close(o, 10000);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), ORACLE_PASS);
	j = oracle_job_find(o, JOB_A);
	assert_int_equal(j->n_notifs, 1);
	assert_int_equal(j->notifs[0].outcome, ORACLE_PARKED);
	oracle_destroy(o);
}

static void parked_then_registered(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	state(o, 100, BGCOPY_TP_TRANSFERRING, BGCOPY_TP_TRANSFERRED);
	iface(o, 5000, 0, 1, IFACE);
	callback(o, 5010, T, 1, 1, -1, 0);
	acknowledge(o, 5100);
	expect_pass(o);
}

static void voided_by_complete(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	acknowledge(o, 3000);
	engine_close(o, 9000);
	expect_pass(o);
}

static void voided_by_cancel(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	state(o, 3000, BGCOPY_TP_TRANSFERRED, BGCOPY_TP_CANCELLED);
	engine_close(o, 9000);
	expect_pass(o);
}

static void voided_by_flags(void **state_)
{
	struct oracle *o = make(-1);
	struct bgc_record r;

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	r = rec(BGC_REC_FLAGS_CHANGE, 3000);
	r.old_flags = FLAGS_TE;
	r.new_flags = 0x02;
	feed(o, r);
	engine_close(o, 9000);
	expect_pass(o);
}

static void at_least_once_across_restart(void **state_)
{
	struct oracle *o = make(-1);
	const struct oracle_job *j;

	(void) state_;
	/* Engine 1 delivers T, then crashes before persisting that. */
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	property(o, 101, BGCOPY_TP_PROP_NOTIFY_CMDLINE, "/bin/notify");
	callback(o, 110, T, 1, 1, -1, 0);
	/* Engine 2 reopens the store and runs the command line again. */
	engine = ENGINE_2;
	engine_open(o, 2000, 4);
	job_info(o, BGC_REC_JOB_RESTORED, 2001, BGCOPY_TP_TRANSFERRED,
		 FLAGS_TE);
	notif(o, BGC_REC_CMDLINE_RUN, 2010, T, 0, 1, -1, 0);
	notif(o, BGC_REC_CMDLINE_EXIT, 2020, T, 0, 1, -1, 0);
	/* The application registers again: T is owed again, by contract. */
	iface(o, 2100, 0, 1, IFACE);
	callback(o, 2110, T, 1, 1, -1, 0);
	acknowledge(o, 2200);
	engine_close(o, 9000);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), ORACLE_PASS);
	j = oracle_job_find(o, JOB_A);
	assert_int_equal(j->n_findings, 1);
	assert_int_equal(j->findings[0].rule, ORACLE_NOTE_REDELIVERED);
	oracle_destroy(o);
}

static void carried_over_restart(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	/* T is owed when engine 1 dies; engine 2 delivers it. */
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	engine = ENGINE_2;
	engine_open(o, 150, 4);
	job_info(o, BGC_REC_JOB_RESTORED, 151, BGCOPY_TP_TRANSFERRED,
		 FLAGS_TE);
	iface(o, 5000, 0, 1, IFACE);
	callback(o, 5010, T, 1, 1, -1, 0);
	acknowledge(o, 5100);
	engine_close(o, 9000);
	expect_pass(o);
}

static void tainted_by_discard(void **state_)
{
	struct oracle *o = make(-1);
	const struct oracle_job *j;

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	callback(o, 120, T, 1, 1, -1, 0);	/* looks like G2 */
	discard(o, 130, 50 * MS, 130 * MS, 12);
	acknowledge(o, 200);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), ORACLE_INCONCLUSIVE);
	j = oracle_job_find(o, JOB_A);
	assert_non_null(j->taint);
	assert_true(j->n_findings >= 1);
	assert_true(j->findings[0].inconclusive);
	oracle_destroy(o);
}

/* The muxer orders a discarded-events message by the beginning of its
 * window: jobs that show up later, inside the window, are tainted too. */
static void tainted_by_a_window_seen_first(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	discard(o, 0, 0, 150 * MS, 3);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	callback(o, 120, T, 1, 1, -1, 0);	/* looks like G2 */
	acknowledge(o, 200);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), ORACLE_INCONCLUSIVE);
	oracle_destroy(o);
}

static void discard_before_job_does_not_taint(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	discard(o, 0, 0, 0, 0);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	expect_pass(o);
}

/* ---- memory: no history, retired jobs, bounded latencies -------------- */

/* Without history the findings are the same and nothing is listed. */
static void same_findings_without_history(void **state_)
{
	struct oracle_config cfg = { .grace_ns = 1000 * MS,
				     .max_latency_ns = -1 };
	struct oracle *o = oracle_create(&cfg);
	const struct oracle_job *j;

	(void) state_;
	job = JOB_A;
	engine = ENGINE_1;
	seq = 0;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	callback(o, 120, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	assert_int_equal(oracle_finish(o), 0);
	j = oracle_job_find(o, JOB_A);
	assert_int_equal(count_rule(o, JOB_A, ORACLE_G2_DUPLICATE), 1);
	assert_int_equal(j->n_notifs, 0);
	assert_int_equal(j->n_deliveries, 0);
	assert_int_equal(j->callbacks[T], 2);
	assert_int_equal(oracle_latency(o, T)->n, 1);
	oracle_destroy(o);
}

/* A final job is retired; an event for it afterwards still counts. */
static void retired_job_is_still_judged(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	release(o, 200, 1, IFACE);
	callback(o, 300, T, 1, 1, -1, 0);	/* on a final job */
	engine_close(o, 9000);
	expect_only(o, ORACLE_G3_SPURIOUS);
}

/* A job id that is not a canonical UUID means a damaged trace. */
static void refuses_a_malformed_job_id(void **state_)
{
	struct oracle *o = make(-1);
	struct bgc_record r;

	(void) state_;
	engine_open(o, 0, 4);
	job = "00000000-0000-4000-8000-00000000000A";	/* upper case */
	r = rec(BGC_REC_PROGRESS, 10);
	assert_int_equal(oracle_feed(o, &r), -1);
	assert_non_null(strstr(oracle_error(o), "malformed job id"));
	oracle_destroy(o);
}

/* Exact up to LATENCY_EXACT samples, then within 0.8%, min and max
 * exact. */
static void latency_stays_bounded_and_close(void **state_)
{
	struct latency l = { 0 };
	int64_t i, n = 3 * LATENCY_EXACT, p50, want;

	(void) state_;
	for (i = 1; i <= 100; i++)
		assert_int_equal(latency_add(&l, i * 1000), 0);
	assert_int_equal(latency_percentile(&l, 50), 50000);
	assert_int_equal(latency_max(&l), 100000);
	latency_fini(&l);
	for (i = 0; i < n; i++)
		assert_int_equal(latency_add(&l, (n - i) * 997), 0);
	assert_null(l.ns);
	assert_non_null(l.hist);
	assert_int_equal(latency_percentile(&l, 0), 997);
	assert_int_equal(latency_max(&l), n * 997);
	p50 = latency_percentile(&l, 50);
	want = (n / 2) * 997;
	assert_true(p50 >= want && p50 <= want + want / 128);
	latency_fini(&l);
}

/* ---- live: findings and overdue obligations as they show ------------ */

struct told {
	unsigned findings, overdue;
	enum oracle_rule last_rule;
	bool last_inconclusive;
	struct oracle_overdue last_overdue;
};

static void told_finding(void *arg, const char *job_id, const char *job_name,
			 const struct oracle_finding *f)
{
	struct told *t = arg;

	assert_string_equal(job_id, JOB_A);
	assert_string_equal(job_name, "test");
	t->findings++;
	t->last_rule = f->rule;
	t->last_inconclusive = f->inconclusive;
}

static void told_overdue(void *arg, const struct oracle_overdue *od)
{
	struct told *t = arg;

	assert_string_equal(od->job_id, JOB_A);
	t->overdue++;
	t->last_overdue = *od;
}

static struct oracle *make_live(int64_t max_latency_ms, struct told *t)
{
	struct oracle_config cfg = {
		.grace_ns = 1000 * MS,
		.max_latency_ns = max_latency_ms < 0 ? -1 : max_latency_ms * MS,
		.on_finding = told_finding,
		.on_overdue = told_overdue,
		.hook_arg = t,
	};

	*t = (struct told) { 0 };
	job = JOB_A;
	engine = ENGINE_1;
	seq = 0;
	return oracle_create(&cfg);
}

/* A G2 is told during the feed that proves it, once, before the end. */
static void live_finding_told_when_recorded(void **state_)
{
	struct told t;
	struct oracle *o = make_live(-1, &t);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 110, T, 1, 1, -1, 0);
	assert_int_equal(t.findings, 0);
	notif(o, BGC_REC_CALLBACK_BEGIN, 120, T, 1, 1, -1, 0);
	assert_int_equal(t.findings, 1);
	assert_int_equal(t.last_rule, ORACLE_G2_DUPLICATE);
	assert_false(t.last_inconclusive);
	notif(o, BGC_REC_CALLBACK_END, 121, T, 1, 1, -1, 0);
	acknowledge(o, 200);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(t.findings, 1);	/* not told twice */
	assert_int_equal(oracle_verdict(o), ORACLE_FAIL);
	oracle_destroy(o);
}

/* A G1 of T needs the end of the trace: told by oracle_finish(). */
static void live_lost_told_at_the_end(void **state_)
{
	struct told t;
	struct oracle *o = make_live(-1, &t);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	engine_close(o, 5000);
	assert_int_equal(t.findings, 0);
	assert_int_equal(t.overdue, 0);		/* no bound, no notice */
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(t.findings, 1);
	assert_int_equal(t.last_rule, ORACLE_G1_LOST);
	oracle_destroy(o);
}

/* Past the bound without a begin: told once, as soon as the trace time
 * (an event or oracle_advance()) shows it; G8 when it begins. */
static void live_overdue_told_once_then_g8(void **state_)
{
	struct told t;
	struct oracle *o = make_live(200, &t);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);		/* T due at 100 ms */
	assert_int_equal(oracle_advance(o, 300 * MS), 0);
	assert_int_equal(t.overdue, 0);		/* exactly the bound */
	assert_int_equal(oracle_advance(o, 301 * MS), 0);
	assert_int_equal(t.overdue, 1);
	assert_int_equal(t.last_overdue.kind, T);
	assert_int_equal(t.last_overdue.file_index, -1);
	assert_int_equal(t.last_overdue.epoch, 1);
	assert_int_equal(t.last_overdue.due_ts, 100 * MS);
	assert_int_equal(t.last_overdue.now, 301 * MS);
	assert_int_equal(t.last_overdue.bound_ns, 200 * MS);
	assert_int_equal(oracle_advance(o, 400 * MS), 0);
	progress(o, 450);
	assert_int_equal(t.overdue, 1);
	assert_int_equal(t.findings, 0);
	callback(o, 500, T, 1, 1, -1, 0);
	assert_int_equal(t.findings, 1);
	assert_int_equal(t.last_rule, ORACLE_G8_LATE);
	acknowledge(o, 600);
	expect_only(o, ORACLE_G8_LATE);
}

/* Begun in time, or voided first: no notice, and no finding. */
static void live_no_overdue_when_begun_or_voided(void **state_)
{
	struct told t;
	struct oracle *o = make_live(200, &t);

	(void) state_;
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	callback(o, 150, T, 1, 1, -1, 0);
	assert_int_equal(oracle_advance(o, 5000 * MS), 0);
	acknowledge(o, 5100);
	assert_int_equal(t.overdue, 0);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(t.findings, 0);
	oracle_destroy(o);

	o = make_live(200, &t);
	engine_open(o, 0, 4);
	transferred_job(o, FLAGS_TE);
	acknowledge(o, 250);			/* voided within the bound */
	assert_int_equal(oracle_advance(o, 5000 * MS), 0);
	assert_int_equal(t.overdue, 0);
	expect_pass(o);
}

/* Parked (no interface) is not deliverable: overdue only once routed. */
static void live_overdue_counts_from_deliverable(void **state_)
{
	struct told t;
	struct oracle *o = make_live(200, &t);

	(void) state_;
	engine_open(o, 0, 4);
	job_info(o, BGC_REC_JOB_CREATED, 1, BGCOPY_TP_SUSPENDED, FLAGS_TE);
	state(o, 10, BGCOPY_TP_SUSPENDED, BGCOPY_TP_QUEUED);
	state(o, 100, BGCOPY_TP_QUEUED, BGCOPY_TP_TRANSFERRED);
	assert_int_equal(oracle_advance(o, 1000 * MS), 0);
	assert_int_equal(t.overdue, 0);
	iface(o, 1000, 0, 1, IFACE);
	assert_int_equal(oracle_advance(o, 1200 * MS), 0);
	assert_int_equal(t.overdue, 0);
	assert_int_equal(oracle_advance(o, 1201 * MS), 0);
	assert_int_equal(t.overdue, 1);
	assert_int_equal(t.last_overdue.armed_ts, 100 * MS);
	assert_int_equal(t.last_overdue.due_ts, 1000 * MS);
	oracle_destroy(o);
}

/* ---- baseline: transfer figures and the comparison ------------------ */

static void transfer(struct perf *p, const char *url, int64_t status,
		     int64_t curl, uint64_t bytes, uint64_t total_us)
{
	struct bgc_record r = rec(BGC_REC_TRANSFER, 0);

	r.url = url;
	r.http_status = status;
	r.curl_code = curl;
	r.bytes = bytes;
	r.total_us = total_us;
	assert_int_equal(perf_feed(p, &r), 0);
}

static void url_keys(void **state_)
{
	(void) state_;
	assert_string_equal(perf_url_key("http://127.0.0.1:8080/a/b.iso",
					 PERF_KEY_PATH), "/a/b.iso");
	assert_string_equal(perf_url_key("https://example.org/b.iso",
					 PERF_KEY_PATH), "/b.iso");
	assert_string_equal(perf_url_key("http://example.org",
					 PERF_KEY_PATH), "/");
	assert_string_equal(perf_url_key("file:///srv/x/c.bin",
					 PERF_KEY_PATH), "/srv/x/c.bin");
	assert_string_equal(perf_url_key("http://h:1/fault/slow:100/b.iso",
					 PERF_KEY_NAME), "b.iso");
	assert_string_equal(perf_url_key("http://h:1/dir/", PERF_KEY_NAME),
			    "/dir/");
	assert_string_equal(perf_url_key("b.iso", PERF_KEY_NAME), "b.iso");
}

/* Only whole successes count; the median per key; latency from the
 * oracle. */
static void perf_medians_of_successes(void **state_)
{
	struct oracle *o = make(-1);
	struct perf p;
	int i;

	(void) state_;
	perf_init(&p, PERF_KEY_PATH);
	transfer(&p, "http://a:1/x.bin", 200, 0, 1000000, 1000000); /* 1 MB/s */
	transfer(&p, "http://b:2/x.bin", 206, 0, 3000000, 1000000); /* 3 MB/s */
	transfer(&p, "http://a:1/x.bin", 200, 0, 2000000, 1000000); /* 2 MB/s */
	transfer(&p, "http://a:1/x.bin", 404, 22, 100, 1000);
	transfer(&p, "http://a:1/x.bin", 200, 18, 5000, 1000);	/* cut off */
	transfer(&p, "http://a:1/x.bin", 200, 0, 0, 1000);
	transfer(&p, "http://a:1/y.bin", 500, 22, 100, 1000);
	transfer(&p, "http://a:1/b.bin", 200, 0, 500000, 1000000);
	for (i = 1; i <= 10; i++)
		assert_int_equal(latency_add(oracle_latency(o, T), i * MS), 0);
	assert_int_equal(perf_finish(&p, o), 0);
	assert_int_equal(p.n_urls, 2);		/* y.bin never succeeded */
	assert_string_equal(p.urls[0].key, "/b.bin");
	assert_int_equal(p.urls[0].n, 1);
	assert_true(p.urls[0].bps == 500000.0);
	assert_string_equal(p.urls[1].key, "/x.bin");
	assert_int_equal(p.urls[1].n, 3);
	assert_true(p.urls[1].bps == 2000000.0);
	assert_int_equal(p.latency[T].n, 10);
	assert_int_equal(p.latency[T].p50, 5 * MS);
	assert_int_equal(p.latency[T].p90, 9 * MS);
	assert_int_equal(p.latency[T].p99, 10 * MS);
	assert_int_equal(p.latency[E].n, 0);
	perf_fini(&p);
	oracle_destroy(o);
}

/* A perf by hand: latency of T at `t_ms' (n samples), URLs at MB/s. */
static void fake_perf(struct perf *p, size_t n, int64_t t_ms,
		      struct perf_url *urls, size_t n_urls)
{
	perf_init(p, PERF_KEY_PATH);
	p->latency[T] = (struct perf_latency) {
		.n = n, .p50 = t_ms * MS, .p90 = 2 * t_ms * MS,
		.p99 = 3 * t_ms * MS,
	};
	p->urls = urls;
	p->n_urls = n_urls;
}

static const struct compare_opts cmp_opts = {
	.max_regression_pct = 20, .latency_floor_ns = MS, .min_samples = 5,
};

static const struct compare_row *row_named(const struct comparison *c,
					   const char *name)
{
	char buf[512];
	size_t i;

	for (i = 0; i < c->n_rows; i++) {
		if (!strcmp(compare_row_name(&c->rows[i], buf, sizeof(buf)),
			    name))
			return &c->rows[i];
	}
	fail_msg("no row \"%s\"", name);
	return NULL;
}

static void compare_same_is_ok(void **state_)
{
	struct perf_url u[] = { { "/a.iso", 3, 2e6 }, { "/b.iso", 1, 1e6 } };
	struct perf_url v[] = { { "/a.iso", 3, 1.9e6 }, { "/b.iso", 1, 1e6 } };
	struct perf old, new_;
	struct comparison c;
	char summary[512];

	(void) state_;
	fake_perf(&old, 10, 10, u, 2);
	fake_perf(&new_, 10, 11, v, 2);		/* +10%: within 20% */
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	assert_int_equal(c.n_regressed, 0);
	assert_int_equal(c.n_compared, 5);	/* 3 percentiles, 2 URLs */
	assert_int_equal(row_named(&c, "latency JOB_ERROR")->status,
			 COMPARE_FEW_SAMPLES);
	assert_true(row_named(&c, "throughput /a.iso")->change_pct < -4.9 &&
		    row_named(&c, "throughput /a.iso")->change_pct > -5.1);
	compare_summary(&c, summary, sizeof(summary));
	assert_string_equal(summary, "OK: no metric worse by more than 20% "
			    "(5 compared)");
	comparison_fini(&c);
}

static void compare_names_the_worst_first(void **state_)
{
	struct perf_url u[] = {
		{ "/a.iso", 1, 2e6 }, { "/b.iso", 1, 1e6 }, { "/gone", 1, 1e6 },
	};
	struct perf_url v[] = {
		{ "/a.iso", 1, 1.5e6 }, { "/b.iso", 1, 0.1e6 }, { "/new", 1, 1e6 },
	};
	struct perf old, new_;
	struct comparison c;
	char summary[512];

	(void) state_;
	fake_perf(&old, 10, 10, u, 3);
	fake_perf(&new_, 10, 15, v, 3);		/* latency +50% */
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	/* b.iso -90%, the three latencies +50%, a.iso -25% */
	assert_int_equal(c.n_regressed, 5);
	assert_int_equal(c.rows[c.regressed[0]].metric, COMPARE_THROUGHPUT);
	assert_string_equal(c.rows[c.regressed[0]].url, "/b.iso");
	assert_string_equal(c.rows[c.regressed[4]].url, "/a.iso");
	assert_int_equal(row_named(&c, "throughput /gone")->status,
			 COMPARE_ONLY_OLD);
	assert_int_equal(row_named(&c, "throughput /new")->status,
			 COMPARE_ONLY_NEW);
	assert_int_equal(row_named(&c, "latency JOB_TRANSFERRED p90")->status,
			 COMPARE_REGRESSED);
	compare_summary(&c, summary, sizeof(summary));
	assert_non_null(strstr(summary, "REGRESSED: throughput /b.iso -90.0% "
			       "(1.000 -> 0.100 MB/s), latency "));
	assert_non_null(strstr(summary, "; 5 of 5 metrics worse by more "
			       "than 20%"));
	/* Cut short, the tail stays. */
	compare_summary(&c, summary, 90);
	assert_true(strlen(summary) < 90);
	assert_non_null(strstr(summary, "...; 5 of 5 metrics"));
	comparison_fini(&c);
}

/* Under min_samples on either side, or under the floor: never a
 * regression. */
static void compare_needs_samples_and_the_floor(void **state_)
{
	struct perf old, new_;
	struct comparison c;
	char summary[512];

	(void) state_;
	fake_perf(&old, 4, 10, NULL, 0);
	fake_perf(&new_, 10, 100, NULL, 0);
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	assert_int_equal(c.n_regressed, 0);
	assert_int_equal(c.n_compared, 0);
	assert_int_equal(row_named(&c, "latency JOB_TRANSFERRED")->status,
			 COMPARE_FEW_SAMPLES);
	compare_summary(&c, summary, sizeof(summary));
	assert_non_null(strstr(summary, "OK: nothing to compare"));
	comparison_fini(&c);

	/* 0.030 ms -> 0.090 ms: +200%, but 0.06 ms is jitter. */
	fake_perf(&old, 10, 0, NULL, 0);
	fake_perf(&new_, 10, 0, NULL, 0);
	old.latency[T].p50 = 30000;
	new_.latency[T].p50 = 90000;
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	assert_int_equal(c.n_regressed, 0);
	assert_true(row_named(&c, "latency JOB_TRANSFERRED p50")->change_pct
		    > 199.0);
	comparison_fini(&c);
}

/* ---- refusals ------------------------------------------------------- */

static void refuses_unknown_schema(void **state_)
{
	struct oracle *o = make(-1);
	struct bgc_record r = rec(BGC_REC_ENGINE_OPEN, 0);

	(void) state_;
	r.job = NULL;
	r.store = STORE;
	r.trace_schema = ORACLE_SCHEMA + 1;
	assert_int_equal(oracle_feed(o, &r), -1);
	assert_non_null(strstr(oracle_error(o), "schema 2"));
	oracle_destroy(o);
}

static void refuses_empty_trace(void **state_)
{
	struct oracle *o = make(-1);

	(void) state_;
	assert_int_equal(oracle_finish(o), -1);
	assert_non_null(strstr(oracle_error(o), "no bgcopy events"));
	oracle_destroy(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(g1_lost_transferred),
		cmocka_unit_test(g1_lost_modification),
		cmocka_unit_test(g2_duplicate),
		cmocka_unit_test(g3_spurious_wrong_state),
		cmocka_unit_test(g3_spurious_disabled),
		cmocka_unit_test(g3_cmdline_not_set),
		cmocka_unit_test(g4_after_release),
		cmocka_unit_test(g5_overlap),
		cmocka_unit_test(g6_over_concurrency),
		cmocka_unit_test(g7_retry_too_soon),
		cmocka_unit_test(g7_file_order),
		cmocka_unit_test(g7_transferred_before_file),
		cmocka_unit_test(g7_modification_throttle),
		cmocka_unit_test(g8_late),
		cmocka_unit_test(happy_path),
		cmocka_unit_test(error_delivered),
		cmocka_unit_test(interface_removed_while_transferred),
		cmocka_unit_test(redelivery_after_reregistration),
		cmocka_unit_test(coalesced_modifications),
		cmocka_unit_test(retry_spaced),
		cmocka_unit_test(retry_pending_at_end),
		cmocka_unit_test(failed_callback_handed_to_cmdline),
		cmocka_unit_test(file_parked_with_only_a_cmdline),
		cmocka_unit_test(cmdline_success_across_interface_removal),
		cmocka_unit_test(an_inspector_does_not_take_over),
		cmocka_unit_test(retry_spaced_by_the_delay_at_failure),
		cmocka_unit_test(retry_exactly_after_the_delay),
		cmocka_unit_test(g7_retry_a_millisecond_early),
		cmocka_unit_test(restored_job_knows_epoch_and_cmdline),
		cmocka_unit_test(restored_without_cmdline_runs_none),
		cmocka_unit_test(restored_epoch_checks_old_callbacks),
		cmocka_unit_test(restored_unknown_history_is_not_lost),
		cmocka_unit_test(cmdline_latency_from_spawn),
		cmocka_unit_test(g5_callback_beside_cmdline),
		cmocka_unit_test(final_job_releases_its_interface),
		cmocka_unit_test(release_at_close_does_not_hide_a_loss),
		cmocka_unit_test(g3_callback_after_release),
		cmocka_unit_test(g2_after_a_flag_change_still_allowing),
		cmocka_unit_test(flag_change_newly_allowing_rearms),
		cmocka_unit_test(flags_and_interfaces_arm_no_modification),
		cmocka_unit_test(failure_in_an_old_epoch_does_not_delay),
		cmocka_unit_test(delivered_before_a_clean_restart_is_not_owed),
		cmocka_unit_test(g2_redelivered_after_a_clean_restart),
		cmocka_unit_test(restored_transfer_finishes),
		cmocka_unit_test(parked_without_interface),
		cmocka_unit_test(parked_then_registered),
		cmocka_unit_test(voided_by_complete),
		cmocka_unit_test(voided_by_cancel),
		cmocka_unit_test(voided_by_flags),
		cmocka_unit_test(at_least_once_across_restart),
		cmocka_unit_test(carried_over_restart),
		cmocka_unit_test(tainted_by_discard),
		cmocka_unit_test(tainted_by_a_window_seen_first),
		cmocka_unit_test(discard_before_job_does_not_taint),
		cmocka_unit_test(same_findings_without_history),
		cmocka_unit_test(retired_job_is_still_judged),
		cmocka_unit_test(refuses_a_malformed_job_id),
		cmocka_unit_test(latency_stays_bounded_and_close),
		cmocka_unit_test(live_finding_told_when_recorded),
		cmocka_unit_test(live_lost_told_at_the_end),
		cmocka_unit_test(live_overdue_told_once_then_g8),
		cmocka_unit_test(live_no_overdue_when_begun_or_voided),
		cmocka_unit_test(live_overdue_counts_from_deliverable),
		cmocka_unit_test(url_keys),
		cmocka_unit_test(perf_medians_of_successes),
		cmocka_unit_test(compare_same_is_ok),
		cmocka_unit_test(compare_names_the_worst_first),
		cmocka_unit_test(compare_needs_samples_and_the_floor),
		cmocka_unit_test(refuses_unknown_schema),
		cmocka_unit_test(refuses_empty_trace),
	};

	return cmocka_run_group_tests_name("oracle", tests, NULL, NULL);
}
