/*
 * Which records a check keeps: one recorded run (its UTS namespace), one
 * process, one job, a time window.  Pure C, fed every record before the
 * oracle; what it leaves out is counted for one line of the report.
 * A run or a process also keeps bgcopyd's events of the jobs its
 * processes created or acted on, as the daemon's peer_request events
 * tell (tp/EVENTS.md).
 */
#ifndef BGCOPY_FILTER_H
#define BGCOPY_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"
#include "strmap.h"

#define FILTER_JOB_PREFIX_MIN 8	/* shortest --job prefix */

/* A time given relative to the trace's first event, or wall-clock. */
struct filter_time {
	bool set;
	bool relative;
	int64_t ns;			/* from the first event, or the epoch */
};

struct filter_spec {
	bool by_run;
	uint64_t run_uts_ns;		/* the run's UTS namespace inode */
	int64_t pid;			/* -1: every process */
	const char *job;		/* full id or prefix; NULL: every job */
	struct filter_time begin, end;
};

#define FILTER_PIDS_MAX 4096		/* distinct left-out processes counted */

/* A daemon thread about to create a job for the run (CreateJob). */
struct filter_creator {
	int64_t vpid, vtid;
};

struct filter {
	struct filter_spec spec;
	bool have_t0;
	int64_t t0;			/* the first record's time */
	struct strmap jobs;		/* job id -> kept (non-NULL) or not */
	char *matched_job;		/* the first job --job matched */
	bool ambiguous;			/* --job matched a second job */
	uint64_t left_events;
	int64_t left_pids[FILTER_PIDS_MAX];
	size_t n_left_pids;
	/* bgcopyd serving the selection: its engines (their engine-scoped
	 * events are kept) and its threads with a job creation pending */
	uint64_t *serving;
	size_t n_serving, serving_cap;
	struct filter_creator *creators;
	size_t n_creators, creators_cap;
};

/* The record members filter_keep() reads beyond the oracle's. */
extern const struct bgc_reads filter_reads[];

/* Parses "123.5" (ms from the trace's first event) or ISO 8601
 * "2026-11-30T08:41:47[.123][Z|+01:00]" (no zone: local time); 0 or -1. */
int filter_parse_time(const char *text, struct filter_time *out);
/* Reads the run file `bgcopy record' writes (uts_ns INODE); 0 or -1
 * with why[] filled. */
int filter_read_run(const char *path, struct filter_spec *spec,
		    char *why, size_t len);

void filter_init(struct filter *f, const struct filter_spec *spec);
void filter_fini(struct filter *f);
/* Whether the oracle gets the record: 1 yes, 0 no (counted), -1 out of
 * memory. */
int filter_keep(struct filter *f, const struct bgc_record *rec);
/* Whether a kept record lies in the time window (for the timeline). */
bool filter_in_window(const struct filter *f, const struct bgc_record *rec);
/* Anything to filter at all. */
bool filter_active(const struct filter_spec *spec);
/* The one line on what was left out ("" when nothing was); after the
 * last record.  Returns -1 when --job matched several jobs. */
int filter_summary(const struct filter *f, char *buf, size_t len);

#endif /* BGCOPY_FILTER_H */
