/*
 * A latency sample set and its percentiles (nearest rank).  Exact up to
 * LATENCY_EXACT samples; past that, a log-linear histogram (128 buckets
 * per power of two: a percentile is then within 0.8% of the exact value,
 * never below the true minimum nor above the true maximum), so memory
 * stays bounded on any trace.
 */
#ifndef BGCOPY_LATENCY_H
#define BGCOPY_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_EXACT 4096

struct latency {
	size_t n;			/* samples added */
	int64_t *ns;			/* exact samples while n <= LATENCY_EXACT */
	size_t cap;
	int sorted;
	uint32_t *hist;			/* histogram once past LATENCY_EXACT */
	int64_t min, max;
};

int latency_add(struct latency *l, int64_t ns);
/* p in [0, 100]; 0 when there is no sample.  Sorts on first use. */
int64_t latency_percentile(struct latency *l, double p);
int64_t latency_max(struct latency *l);
void latency_fini(struct latency *l);

#endif /* BGCOPY_LATENCY_H */
