/*
 * A baseline comparison: the figures of a NEW set of traces against those
 * of an OLD one (perf.h).  Per notification kind, the latency p50, p90
 * and p99 when both sides have enough samples; per URL key on both sides,
 * the median transfer throughput.  A metric regressed when it is worse
 * by more than max_regression_pct: a latency that much higher (and
 * higher by at least latency_floor_ns, so microsecond jitter does not
 * count), a throughput that much lower.
 */
#ifndef BGCOPY_COMPARE_H
#define BGCOPY_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "oracle.h"
#include "perf.h"

#define COMPARE_MAX_REGRESSION_PCT 20.0
#define COMPARE_LATENCY_FLOOR_NS 1000000ll	/* 1 ms */
#define COMPARE_MIN_SAMPLES 5

struct compare_opts {
	double max_regression_pct;
	int64_t latency_floor_ns;
	size_t min_samples;		/* per kind, on each side */
};

enum compare_metric {
	COMPARE_LATENCY,
	COMPARE_THROUGHPUT,
};

enum compare_status {
	COMPARE_OK,
	COMPARE_REGRESSED,
	COMPARE_FEW_SAMPLES,		/* latency: one side under min_samples */
	COMPARE_ONLY_OLD,		/* throughput: no such URL in NEW */
	COMPARE_ONLY_NEW,
};

struct compare_row {
	enum compare_metric metric;
	int kind;			/* latency: bgcopy_tp_kind */
	int percentile;			/* latency: 50, 90, 99; 0 with FEW_SAMPLES */
	const char *url;		/* throughput: the key, borrowed */
	size_t n_old, n_new;		/* samples (latency) or transfers */
	double old_value, new_value;	/* ms or MB/s; 0 when absent */
	double change_pct;		/* (new - old) / old */
	double worse_pct;		/* how much worse; <= 0 when not */
	enum compare_status status;
};

struct comparison {
	struct compare_row *rows;	/* latency by kind, then URLs by key */
	size_t n_rows;
	size_t *regressed;		/* indexes in rows, worst first */
	size_t n_regressed;
	size_t n_compared;		/* rows OK or REGRESSED */
	struct compare_opts opts;
};

/* Fills *c (borrowing URL keys from the perfs); 0, or -1 out of memory. */
int compare(const struct perf *old, const struct perf *new_,
	    const struct compare_opts *opts, struct comparison *c);
void comparison_fini(struct comparison *c);

/* "latency JOB_TRANSFERRED p90", "throughput /a.iso" */
const char *compare_row_name(const struct compare_row *r, char *buf,
			     size_t len);
const char *compare_status_name(enum compare_status s);
/*
 * The one-line summary, worst offenders first: "REGRESSED: ...; N of M
 * metrics worse by more than P%" or "OK: ...".  Cut to fit `len'.
 */
void compare_summary(const struct comparison *c, char *buf, size_t len);

/* One side of the comparison, as the reports describe it. */
struct compare_side {
	const char *path;
	size_t traces;
	size_t jobs[ORACLE_FAIL + 1];	/* by verdict */
	uint64_t events;
	enum oracle_verdict verdict;	/* its own contract check */
};

/* The table (text) or one JSON document (0, or -1 out of memory). */
void compare_report_text(const struct comparison *c,
			 const struct compare_side *old,
			 const struct compare_side *new_, FILE *out);
int compare_report_json(const struct comparison *c,
			const struct compare_side *old,
			const struct compare_side *new_, FILE *out);

#endif /* BGCOPY_COMPARE_H */
