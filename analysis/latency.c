/* A latency sample set: exact, then a log-linear histogram; percentiles. */
#include "latency.h"

#include <math.h>
#include <stdlib.h>

#define SUB_BITS 7
#define SUB (1 << SUB_BITS)
/* Values below SUB have a bucket each; then SUB buckets per power of 2. */
#define BUCKETS ((63 - SUB_BITS + 1) * SUB)

static size_t bucket_of(int64_t v)
{
	int e;

	if (v < SUB)
		return v < 0 ? 0 : (size_t) v;
	e = 63 - __builtin_clzll((unsigned long long) v);
	return (size_t) (e - SUB_BITS + 1) * SUB +
	       (size_t) ((v >> (e - SUB_BITS)) & (SUB - 1));
}

/* The largest value that falls in bucket b. */
static int64_t bucket_top(size_t b)
{
	size_t e;

	if (b < SUB)
		return (int64_t) b;
	e = b / SUB + SUB_BITS - 1;
	return (int64_t) ((((uint64_t) (SUB + b % SUB) + 1) << (e - SUB_BITS)) - 1);
}

static int to_histogram(struct latency *l)
{
	size_t i;

	l->hist = calloc(BUCKETS, sizeof(*l->hist));
	if (!l->hist)
		return -1;
	for (i = 0; i < l->n; i++)
		l->hist[bucket_of(l->ns[i])]++;
	free(l->ns);
	l->ns = NULL;
	l->cap = 0;
	return 0;
}

int latency_add(struct latency *l, int64_t ns)
{
	if (!l->n || ns < l->min)
		l->min = ns;
	if (!l->n || ns > l->max)
		l->max = ns;
	if (!l->hist && l->n == LATENCY_EXACT && to_histogram(l))
		return -1;
	if (l->hist) {
		l->hist[bucket_of(ns)]++;
		l->n++;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		int64_t *ns_new = realloc(l->ns, cap * sizeof(*ns_new));

		if (!ns_new)
			return -1;
		l->ns = ns_new;
		l->cap = cap;
	}
	l->ns[l->n++] = ns;
	l->sorted = 0;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

int64_t latency_percentile(struct latency *l, double p)
{
	size_t rank, seen = 0, b;
	int64_t v;

	if (!l->n)
		return 0;
	rank = (size_t) ceil(p / 100.0 * (double) l->n);
	if (!rank)
		rank = 1;
	if (rank >= l->n)
		return l->max;
	if (rank == 1)
		return l->min;
	if (!l->hist) {
		if (!l->sorted) {
			qsort(l->ns, l->n, sizeof(*l->ns), cmp);
			l->sorted = 1;
		}
		return l->ns[rank - 1];
	}
	for (b = 0; b < BUCKETS; b++) {
		seen += l->hist[b];
		if (seen >= rank)
			break;
	}
	v = b < BUCKETS ? bucket_top(b) : l->max;
	return v < l->min ? l->min : v > l->max ? l->max : v;
}

int64_t latency_max(struct latency *l)
{
	return l->n ? l->max : 0;
}

void latency_fini(struct latency *l)
{
	free(l->ns);
	free(l->hist);
	*l = (struct latency) { 0 };
}
