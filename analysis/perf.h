/*
 * The performance figures of one set of traces, for a baseline
 * comparison (compare.h): the notification latency percentiles per kind,
 * read from a finished oracle, and per URL the median throughput of its
 * successful transfers (bgcopy:transfer with HTTP 200 or 206, curl code
 * 0, bytes received: bytes / total_us).
 *
 * URLs are matched across runs by a key that leaves out what differs
 * between runs of the same workload: scheme, host and port (the trace's
 * URLs are already redacted: no user, query or fragment).
 */
#ifndef BGCOPY_PERF_H
#define BGCOPY_PERF_H

#include <stddef.h>
#include <stdint.h>

#include "oracle.h"
#include "record.h"
#include "strmap.h"

enum perf_key {
	PERF_KEY_PATH,			/* "/dir/a.iso" */
	PERF_KEY_NAME,			/* "a.iso": the last path segment */
};

struct perf_latency {
	size_t n;
	int64_t p50, p90, p99;		/* ns */
};

struct perf_url {
	const char *key;		/* owned by the perf */
	size_t n;			/* successful transfers */
	double bps;			/* their median, bytes per second */
};

struct perf {
	enum perf_key key;
	struct perf_latency latency[ORACLE_KINDS];	/* by kind, 1..4 */
	struct perf_url *urls;		/* sorted by key, after perf_finish() */
	size_t n_urls;
	struct strmap samples;		/* key -> struct latency of bytes/s */
};

/* The record members perf_feed() reads (for decoder_create()). */
extern const struct bgc_reads perf_reads[];

void perf_init(struct perf *p, enum perf_key key);
/* Takes what it needs from a record (transfers); 0, or -1 out of memory. */
int perf_feed(struct perf *p, const struct bgc_record *r);
/* Reads the latencies of a finished oracle and the medians; 0 or -1. */
int perf_finish(struct perf *p, struct oracle *o);
void perf_fini(struct perf *p);

/* The key of a (redacted) URL: a pointer into `url', or a constant. */
const char *perf_url_key(const char *url, enum perf_key key);

#endif /* BGCOPY_PERF_H */
