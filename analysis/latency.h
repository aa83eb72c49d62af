/* A latency sample set and its percentiles (nearest rank). */
#ifndef BGCOPY_LATENCY_H
#define BGCOPY_LATENCY_H

#include <stddef.h>
#include <stdint.h>

struct latency {
	int64_t *ns;
	size_t n, cap;
	int sorted;
};

int latency_add(struct latency *l, int64_t ns);
/* p in [0, 100]; 0 when there is no sample.  Sorts on first use. */
int64_t latency_percentile(struct latency *l, double p);
int64_t latency_max(struct latency *l);
void latency_fini(struct latency *l);

#endif /* BGCOPY_LATENCY_H */
