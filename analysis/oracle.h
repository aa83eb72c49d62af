/*
 * The contract checker (docs/CONTRACT.md sections 5-7).
 *
 * Pure C: feed it records in trace order with oracle_feed(), then call
 * oracle_finish() once and read the jobs, findings and latencies.  It
 * derives what was owed from state, flags, epochs, files, properties and
 * progress only; the engine's notify_armed/notify_coalesced events are
 * used to explain a finding, never as proof of an obligation.
 */
#ifndef BGCOPY_ORACLE_H
#define BGCOPY_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "latency.h"
#include "record.h"
#include "tp/bgcopy_schema.h"

/* The trace schemas this checks: every one up to the newest. */
#define ORACLE_SCHEMA_OLDEST 1
#define ORACLE_SCHEMA BGCOPY_TRACE_SCHEMA
#define ORACLE_KINDS 5		/* index by bgcopy_tp_kind; 0 unused */

struct oracle_finding;
struct oracle_overdue;

struct oracle_config {
	int64_t grace_ns;		/* slack on every "within" */
	int64_t max_latency_ns;		/* G8 bound; < 0: none */
	/* Keep every arming (oracle_job.notifs) and delivery
	 * (oracle_job.deliveries) for the timeline, JSON and Chrome reports.
	 * Without it those stay empty and memory does not grow with the
	 * trace: findings, verdicts and latencies are the same. */
	bool keep_history;
	/*
	 * For a live check; both optional.  on_finding is told of each
	 * finding (notes included) once it is complete: during the
	 * oracle_feed() that made it, or in oracle_finish() for what only
	 * the end of the trace shows (G1 of T, E and F).  on_overdue is told,
	 * once, of each obligation deliverable for longer than max_latency_ns
	 * that has not begun, as soon as the trace time (oracle_feed(),
	 * oracle_advance()) passes the bound.  That is not a finding yet: it
	 * becomes G8 when it begins, G1 if it never does, and nothing if it
	 * is voided first (the job completed, say).
	 */
	void (*on_finding)(void *arg, const char *job_id, const char *job_name,
			   const struct oracle_finding *f);
	void (*on_overdue)(void *arg, const struct oracle_overdue *od);
	void *hook_arg;
};

#define ORACLE_DEFAULT_GRACE_NS (1000 * 1000000ll)

enum oracle_rule {
	ORACLE_G1_LOST = 1,
	ORACLE_G2_DUPLICATE,
	ORACLE_G3_SPURIOUS,
	ORACLE_G4_AFTER_RELEASE,
	ORACLE_G5_OVERLAP,
	ORACLE_G6_OVER_CONCURRENCY,
	ORACLE_G7_MISORDERED,
	ORACLE_G8_LATE,
	/* Not violations: explain what the oracle accepted. */
	ORACLE_NOTE_REDELIVERED,	/* redelivered after restart */
	ORACLE_NOTE_CLIENT_UNTRACED,	/* schema 5: receipts not checked */
};

enum oracle_verdict {
	ORACLE_PASS,
	ORACLE_INCONCLUSIVE,
	ORACLE_FAIL,
};

/* An event that proves (or explains) a finding. */
struct oracle_evidence {
	enum bgc_rec_type type;
	int64_t ts;
	uint64_t seq;
};

#define ORACLE_MAX_EVIDENCE 4

struct oracle_finding {
	enum oracle_rule rule;
	bool inconclusive;		/* the job is tainted */
	int kind;			/* bgcopy_tp_kind */
	uint64_t epoch;
	int32_t file_index;		/* -1 unless FILE_TRANSFERRED */
	int64_t ts;			/* when the violation shows */
	int64_t armed_ts;		/* -1 when not applicable */
	char what[320];
	struct oracle_evidence evidence[ORACLE_MAX_EVIDENCE];
	unsigned n_evidence;
};

/* An obligation past the G8 bound that has not begun (on_overdue). */
struct oracle_overdue {
	const char *job_id;
	const char *job_name;
	int kind;
	int32_t file_index;		/* -1 unless FILE_TRANSFERRED */
	uint64_t epoch;			/* job's epoch now */
	int64_t armed_ts, due_ts;
	int64_t now;			/* the trace time that showed it */
	int64_t bound_ns;		/* max_latency_ns */
};

/* How one arming of one notification ended. */
enum oracle_outcome {
	ORACLE_OPEN,			/* only before oracle_finish() */
	ORACLE_DISCHARGED,
	ORACLE_VOIDED,
	ORACLE_PENDING,			/* trace ended while it could still come */
	ORACLE_PARKED,			/* no interface, no command line */
	ORACLE_CARRIED,			/* open when its engine ended */
	ORACLE_LOST,
};

struct oracle_notif {
	int kind;
	int32_t file_index;
	uint64_t epoch;			/* job's epoch when armed */
	int64_t armed_ts;
	int64_t due_ts;			/* deliverable since; -1 while parked */
	int64_t first_begin_ts;		/* -1 when never attempted */
	int64_t end_ts;			/* discharged/voided at; -1 otherwise */
	unsigned attempts, failures;
	enum oracle_outcome outcome;
};

/* One callback or command-line run. */
struct oracle_delivery {
	int kind;
	int32_t file_index;
	uint64_t epoch;
	uint32_t attempt;
	bool cmdline;
	int64_t begin_ts;
	int64_t end_ts;			/* -1 when it never returned */
	int32_t result;			/* callback result or exit status */
	int64_t vtid;
	size_t notif;			/* index in notifs, or SIZE_MAX */
};

struct oracle_job {
	const char *id;
	const char *name;
	uint64_t engine;
	int64_t vpid;
	int64_t first_ts, last_ts;
	enum oracle_verdict verdict;	/* valid after oracle_finish() */
	const char *taint;		/* why INCONCLUSIVE, or NULL */
	unsigned callbacks[ORACLE_KINDS]; /* callback begins per kind */
	size_t n_findings;
	const struct oracle_finding *findings;
	size_t n_notifs;
	const struct oracle_notif *notifs;
	size_t n_deliveries;
	const struct oracle_delivery *deliveries;
};

struct oracle;

struct oracle *oracle_create(const struct oracle_config *config);
void oracle_destroy(struct oracle *o);

/* 0, or -1 when the trace cannot be checked: see oracle_error(). */
int oracle_feed(struct oracle *o, const struct bgc_record *rec);
/*
 * The trace has reached `now' (ns) with nothing earlier still to come: a
 * live source's inactivity message.  Only tells on_overdue; 0, or -1
 * after an earlier error.
 */
int oracle_advance(struct oracle *o, int64_t now);
/* Settles every open obligation at the end of the trace. */
int oracle_finish(struct oracle *o);

/* Why the trace was refused (schema, memory), or NULL. */
const char *oracle_error(const struct oracle *o);
uint64_t oracle_event_count(const struct oracle *o);
int64_t oracle_first_ts(const struct oracle *o);
int64_t oracle_last_ts(const struct oracle *o);
enum oracle_verdict oracle_verdict(const struct oracle *o);

/* Jobs in order of first appearance. */
size_t oracle_job_count(const struct oracle *o);
const struct oracle_job *oracle_job_at(const struct oracle *o, size_t i);
const struct oracle_job *oracle_job_find(const struct oracle *o,
					 const char *id);

/* Arming (deliverable) to first begin, per kind (1..4). */
struct latency *oracle_latency(struct oracle *o, int kind);

/* The record members the oracle reads, by event (for decoder_create()). */
extern const struct bgc_reads oracle_reads[];

const char *oracle_rule_name(enum oracle_rule rule);	/* "G1 lost" */
const char *oracle_verdict_name(enum oracle_verdict v);
const char *oracle_outcome_name(enum oracle_outcome outcome);

#endif /* BGCOPY_ORACLE_H */
