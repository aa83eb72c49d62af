/*
 * What the pictures draw that the oracle does not keep: per job, its
 * states as spans, each transfer with its phases, and which process each
 * of its events came from.  Pure C, fed the same records as the oracle.
 */
#ifndef BGCOPY_HISTORY_H
#define BGCOPY_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "strmap.h"

/* One state of a job, from the change into it to the next change. */
struct hist_state {
	int64_t state;
	int64_t cause;			/* of the change into it; -1: created */
	int64_t begin_ts, end_ts;	/* end: the job's last event if none */
	int64_t pid;
};

/* One HTTP attempt; its phases are libcurl's times from its start. */
struct hist_transfer {
	int64_t end_ts;			/* the event's time: the attempt ended */
	int64_t file_index, http_status, curl_code;
	uint64_t bytes;
	uint64_t namelookup_us, connect_us, tls_us, first_byte_us, total_us;
	int64_t pid, tid;
	char *url;
};

/* From from_ts on, the job's events came from process pid. */
struct hist_process {
	int64_t from_ts, pid;
};

struct hist_job {
	struct hist_state *states;
	size_t n_states, cap_states;
	struct hist_transfer *transfers;
	size_t n_transfers, cap_transfers;
	struct hist_process *procs;
	size_t n_procs, cap_procs;
};

/* A transfer's phases, in order; each may be empty. */
enum hist_phase {
	HIST_LOOKUP,
	HIST_CONNECT,
	HIST_TLS,
	HIST_WAIT,			/* request sent, no byte yet */
	HIST_BODY,
	HIST_PHASES
};

struct history {
	struct strmap jobs;		/* job id -> struct hist_job */
	bool wallclock;			/* times count from the Unix epoch */
	bool oom;
};

/* The record members it reads (for decoder_create()). */
extern const struct bgc_reads history_reads[];

void history_init(struct history *h);
void history_fini(struct history *h);
/* 0, or -1 when out of memory. */
int history_feed(struct history *h, const struct bgc_record *rec);
/* NULL when the job has no event here. */
const struct hist_job *history_job(const struct history *h, const char *id);
/* When state i ended: the next change, or for the last one, unless it
 * is final (ACKNOWLEDGED, CANCELLED), the end of the trace. */
int64_t history_state_end(const struct hist_job *hj, size_t i,
			  int64_t trace_end);
/* The process the job's event at `ts' came from, or -1. */
int64_t history_pid_at(const struct hist_job *hj, int64_t ts);
/* A phase as [begin, end] in ns of the trace clock; false when empty. */
bool history_phase(const struct hist_transfer *t, enum hist_phase p,
		   int64_t *begin, int64_t *end);
const char *history_phase_name(enum hist_phase p);

#endif /* BGCOPY_HISTORY_H */
