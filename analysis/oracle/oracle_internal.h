/*
 * The oracle's room: what its files share.  oracle.h is its public face;
 * docs/CONTRACT.md sections 5-7 state the rules it enforces.
 *
 * Each job is rebuilt from the events that show its state, flags, epoch,
 * route (interface or command line), files and modifications.  From that
 * model the oracle derives every obligation (T, E, F(i), M) and matches
 * callback_begin/end and cmdline_run/exit against it.  Anything it cannot
 * prove stays a pending, parked or carried obligation, never a finding.
 *
 * Layers: a file calls only the files above it in this list.
 *   model.c        engines, jobs, their memory, the notification history
 *   findings.c     findings, their evidence, latencies (G8)
 *   live_hooks.c   on_finding and on_overdue as findings and delays show
 *   obligations.c  arming, voiding and settling T, E, F(i); coalescing M
 *   events.c       events that change the model (state, flags, interface,
 *                  properties, files, restore, engine open, tracer loss)
 *   receipts.c     schema 5: a client's receipts of the callbacks bgcopyd
 *                  forwarded to it, joined to the daemon's attempts (C1-C3)
 *   deliveries.c   callback and command-line runs checked against it
 *   feed.c         oracle_feed(): each record to its handler; gaps in a
 *                  job's sequence numbers
 *   results.c      oracle_finish(), verdicts and the read-only accessors
 */
#ifndef BGCOPY_ORACLE_INTERNAL_H
#define BGCOPY_ORACLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "checked.h"
#include "names.h"
#include "oracle.h"
#include "strmap.h"
#include "tp/bgcopy_tp_abi.h"

#define FLAG_T		0x01u
#define FLAG_E		0x02u
#define FLAG_DISABLE	0x04u
#define FLAG_M		0x08u
#define FLAG_F		0x10u

#define MS		1000000ll
#define DEFAULT_FLAGS	(FLAG_T | FLAG_E)
#define DEFAULT_RETRY	(600000 * MS)
#define DEFAULT_INTERVAL (500 * MS)
#define DEFAULT_CAP	4u
/*
 * The engine rounds its notification deadlines up to the next ms, so a
 * retry begins at least the retry delay after the callback_end or
 * cmdline_exit that failed: no slack.  Two M are spaced from the engine's
 * clock read just before the first callback_begin is stamped; allow for
 * the time between the two (a preempted dispatcher, a busy channel).
 */
#define RETRY_SLACK	0
#define MOD_SLACK	MS

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED
#define E BGCOPY_TP_KIND_JOB_ERROR
#define M BGCOPY_TP_KIND_JOB_MODIFICATION
#define F BGCOPY_TP_KIND_FILE_TRANSFERRED

struct engine {
	uint64_t id;
	char *store;			/* NULL until engine_open is seen */
	uint32_t cap;			/* 0: unknown, G6 not checked */
	unsigned inflight;		/* callbacks running now */
	int64_t last_ts;		/* last sign of life */
	bool ended;
	bool closed;			/* engine_close seen: a clean end */
	bool lossy;			/* inflight may miss lost ends */
	bool inspector;			/* read-only (no dispatcher): owes nothing */
};

/* One arming of T, E or F(i), from armed to discharged or voided. */
struct obl {
	bool armed;
	unsigned gen;			/* deliveries remember which arming */
	uint64_t arm_epoch;		/* the job's epoch when armed; 0: unknown */
	uint64_t engine_arming;		/* schema 2: the engine's id of it; 0 */
	bool voided;			/* its last arming was voided, at: */
	int64_t voided_ts;
	size_t notif;
	int32_t file;
	int64_t armed_ts, due_ts;	/* due_ts < 0: parked */
	struct oracle_evidence armed_ev;
	bool begun;
	bool handed_to_cmdline;
	bool maybe;			/* restored, history unknown: may be owed */
	bool discharged;
	uint64_t discharge_epoch;
	unsigned discharge_incarnation;
	struct engine *discharge_eng;
	struct oracle_evidence discharge_ev;
	bool fail_pending, fail_cmdline;
	int64_t fail_ts;
	int64_t fail_retry_ns;		/* the delay in force when it failed */
	struct oracle_evidence fail_ev;
	bool overdue_told;		/* on_overdue was told of this arming */
};

/* Coalescing JobModification: one pending arming at most. */
struct mod {
	bool armed;
	size_t notif;
	int64_t armed_ts, due_ts;
	int64_t window_ts;		/* the interval runs from here; < 0: parked */
	struct oracle_evidence armed_ev;
	bool lost_reported;
	bool overdue_told;
	bool have_last;
	int64_t last_begin_ts;
	struct oracle_evidence last_ev;
};

struct inflight {
	int kind;
	int32_t file;
	uint64_t epoch, attempt;
	bool cmdline;
	int64_t pid;
	unsigned gen;			/* 0: discharges nothing */
	bool has_arming;		/* schema 2: the arming it serves */
	uint64_t arming;
	size_t delivery;
	struct oracle_evidence ev;
	int64_t forwarded_to;		/* schema 5: the client's pid; 0 */
	uint64_t forwarded_start;	/* and its pid_start */
	int64_t forwarded_ts;		/* and when it was handed over */
};

/*
 * What a job needs only while it may still owe or deliver something.  A
 * final job with nothing running is retired: this is freed, so a trace of
 * many jobs costs little more than their results (see job_retire()).
 */
struct live {
	struct obl t, e;
	struct obl *f;			/* in completion order */
	size_t n_f, f_cap;
	struct mod m;
	struct inflight *inflight;
	size_t n_inflight, inflight_cap;
	unsigned callbacks_running;	/* callbacks and command lines */
	/* Schema 1 stamps cmdline_run after the spawn: what changed since
	 * the job's last delivery ended may have followed the decision. */
	int64_t last_end_ts, cmdline_cleared_ts;

	bool engine_armed[ORACLE_KINDS];
	struct oracle_evidence engine_armed_ev[ORACLE_KINDS];
};

struct job {
	struct oracle_job pub;
	char *name;
	struct oracle_finding *findings;
	size_t n_findings, findings_cap;
	size_t n_told;			/* findings on_finding was told of */
	struct oracle_notif *notifs;
	size_t n_notifs, notifs_cap;
	struct oracle_delivery *deliveries;
	size_t n_deliveries, deliveries_cap;

	struct engine *eng;
	unsigned incarnation;		/* bumps at every job_restored */
	bool history_unknown;		/* first seen at job_restored */
	int64_t state;			/* -1: unknown */
	int64_t final_ts;		/* -1 while not final */
	uint32_t flags;
	int64_t retry_ns, interval_ns;
	uint64_t epoch;
	bool epoch_known;
	struct oracle_evidence epoch_ev;
	uint64_t iface;
	uint64_t iface_epoch;		/* the epoch `iface' was set in */
	bool cmdline;
	bool cmdline_known;		/* false: restored, no notify_cmdline */
	bool iface_released;		/* the engine let go of `iface' */
	uint64_t n_events;
	uint64_t last_seq;
	int64_t last_seq_ts;
	/* The job's events in one engine, which numbers them 1, 2, ...:
	 * fewer than the span of their numbers means some were lost. */
	uint64_t seq_engine, seq_min, seq_max, seq_count;

	struct live *L;			/* NULL once retired */

	/* The stream sets its events came through (processes, users). */
	struct stream_key *streams;
	size_t n_streams, streams_cap;

	bool tainted;
	char *taint;
	bool untraced_noted;		/* NOTE_CLIENT_UNTRACED told once */
};

/* A process (per-PID buffers) or user (per-UID); -1: not known. */
struct stream_key {
	int64_t pid, uid;
};

/* A window in which the tracer lost events (or packets), in a stream set. */
struct loss {
	int64_t begin, end;
	uint64_t count;
	bool packets, has_window;
	struct stream_key in;
};

/* Schema 5 (receipts.c): a client process whose receipts are in the
 * trace from its client_open on. */
struct client_proc {
	int64_t pid;			/* its vpid */
	uint64_t start;			/* pid_start: with pid, one process */
	uint64_t client;		/* its engine's id, in its receipts */
	int64_t since;
	struct stream_key stream;
};

/* A client's receipt of one attempt, and its return when traced. */
struct receipt {
	uint64_t engine, arming;
	uint32_t attempt;
	int64_t pid;			/* for the reader */
	uint64_t client;
	bool returned;
	int32_t result;
	bool duplicate;			/* C2 told of it */
	size_t prev;			/* the arming's previous receipt + 1; 0 */
	struct oracle_evidence ev;
};

/* A callback attempt bgcopyd forwarded to a client process. */
struct forward {
	struct job *j;
	uint64_t engine, arming;
	uint32_t attempt;
	int kind;
	int32_t file;
	int64_t pid;
	uint64_t pid_start;
	int64_t begin_ts, forwarded_ts, end_ts;
	bool discharged;		/* its success discharged T, E or F(i) */
	struct oracle_evidence end_ev;
};

struct oracle {
	struct oracle_config cfg;
	struct loss *losses;
	size_t n_losses, losses_cap;
	struct strmap jobs_by_id;
	struct job *last_job;		/* a job's events often come in runs */
	struct job **jobs;
	size_t n_jobs, jobs_cap;
	struct engine **engines;
	size_t n_engines, engines_cap;
	struct latency latency[ORACLE_KINDS];
	uint64_t n_events;
	int64_t first_ts, last_ts;
	/* on_overdue: no obligation can pass the G8 bound before this. */
	int64_t overdue_at;
	enum oracle_verdict verdict;
	char error[256];
	/* Schema 5: the client side of callbacks (receipts.c).  An arming's
	 * receipts are chained from receipts_by_arming's last (index + 1). */
	struct client_proc *clients;
	size_t n_clients, clients_cap;
	struct receipt *receipts;
	size_t n_receipts, receipts_cap;
	struct strmap receipts_by_arming;
	struct forward *forwards;
	size_t n_forwards, forwards_cap;
};

/* Appends a zeroed element to a growing array; NULL when out of memory. */
#define PUSH(o, arr, n, cap)						\
	(oracle_reserve((o), (void **) &(arr), &(cap), (n) + 1,		\
			sizeof(*(arr)))					\
	 ? NULL : memset(&(arr)[(n)++], 0, sizeof(*(arr))))

/*
 * Shared by the room's files only: hidden, so the plugin (built with
 * default visibility) does not export these generic names.
 */
#pragma GCC visibility push(hidden)

/* model.c */
/* Keeps the first error; returns -1. */
int oracle_set_error(struct oracle *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct oracle_evidence evidence_of(const struct bgc_record *r);
bool state_is_final(int64_t state);
uint32_t kind_flag(int kind);
bool job_allows(const struct job *j, int kind);
bool job_routed(const struct job *j, int kind);
/* Milliseconds since the trace began. */
double trace_ms(const struct oracle *o, int64_t ts);
void overdue_watch(struct oracle *o, int64_t due);
/* Makes room for n elements; reports out-of-memory through o. */
int oracle_reserve(struct oracle *o, void **arr, size_t *cap, size_t n,
		   size_t size);
struct oracle_notif *notif_of(struct job *j, size_t i);
int notif_new(struct oracle *o, struct job *j, int kind, int32_t file,
	      int64_t ts, int64_t due, size_t *out);
void notif_close(struct job *j, size_t i, enum oracle_outcome out,
		 int64_t ts);
struct engine *engine_get(struct oracle *o, uint64_t id);
void job_taint(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void job_set_info(struct job *j, const struct bgc_record *r);
int job_revive(struct oracle *o, struct job *j);
void job_retire(struct job *j);
struct job *job_get(struct oracle *o, struct engine *eng,
		    const struct bgc_record *r);
void engine_end(struct engine *eng, int64_t ts);

/* findings.c */
struct oracle_finding *finding_add(struct oracle *o, struct job *j,
				   enum oracle_rule rule, int kind,
				   int32_t file, int64_t ts,
				   const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void finding_cite(struct oracle_finding *f, struct oracle_evidence ev);
void cite_engine_arming(struct oracle_finding *f, const struct job *j,
			int kind);
void record_latency(struct oracle *o, struct job *j, int kind,
		    int32_t file, int64_t from, int64_t ts,
		    const struct bgc_record *r);

/* live_hooks.c */
void tell_findings(struct oracle *o, struct job *j);
void overdue_scan(struct oracle *o, int64_t now);

/* obligations.c */
int obl_arm(struct oracle *o, struct job *j, struct obl *b, int kind,
	    int32_t file, const struct bgc_record *r);
void obl_void(struct job *j, struct obl *b, int64_t ts);
void obl_discharge(struct job *j, struct obl *b,
		   const struct bgc_record *r);
struct obl *first_armed_f(struct job *j);
struct obl *obl_for(struct job *j, int kind, int32_t file);
bool mod_missed(struct oracle *o, struct job *j, int64_t ts,
		const struct bgc_record *r, const char *how);
int mod_arm(struct oracle *o, struct job *j, const struct bgc_record *r);
void mod_void(struct oracle *o, struct job *j,
	      const struct bgc_record *r);
void route_changed(struct oracle *o, struct job *j, int64_t ts);
void job_settle(struct oracle *o, struct job *j, int64_t horizon);

/* events.c */
int on_engine_open(struct oracle *o, const struct bgc_record *r);
int on_restored(struct oracle *o, struct job *j, struct engine *eng,
		const struct bgc_record *r);
int on_state_change(struct oracle *o, struct job *j,
		    const struct bgc_record *r);
int on_flags_change(struct oracle *o, struct job *j,
		    const struct bgc_record *r);
int on_interface_set(struct oracle *o, struct job *j,
		     const struct bgc_record *r);
int on_property_change(struct oracle *o, struct job *j,
		       const struct bgc_record *r);
int on_file_complete(struct oracle *o, struct job *j,
		     const struct bgc_record *r);
void on_interface_release(struct job *j, const struct bgc_record *r);
void on_engine_armed(struct job *j, const struct bgc_record *r);
void taint_by_loss(struct oracle *o, struct job *j,
		   const struct loss *l);
int on_discarded(struct oracle *o, const struct bgc_record *r);

/* receipts.c */
int on_client_event(struct oracle *o, const struct bgc_record *r);
int forward_ended(struct oracle *o, struct job *j, const struct inflight *in,
		  const struct bgc_record *r, bool discharged);
void receipts_settle(struct oracle *o);

/* feed.c */
void job_seq_end(struct job *j);

/* deliveries.c */
int on_begin(struct oracle *o, struct job *j,
	     const struct bgc_record *r, bool cmdline);
void on_end(struct oracle *o, struct job *j, const struct bgc_record *r,
	    bool cmdline);
void on_forwarded(struct job *j, const struct bgc_record *r);

#pragma GCC visibility pop

#endif /* BGCOPY_ORACLE_INTERNAL_H */
