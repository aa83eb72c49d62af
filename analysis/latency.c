#include "latency.h"

#include <math.h>
#include <stdlib.h>

int latency_add(struct latency *l, int64_t ns)
{
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
	size_t rank;

	if (!l->n)
		return 0;
	if (!l->sorted) {
		qsort(l->ns, l->n, sizeof(*l->ns), cmp);
		l->sorted = 1;
	}
	rank = (size_t) ceil(p / 100.0 * (double) l->n);
	return l->ns[rank ? rank - 1 : 0];
}

int64_t latency_max(struct latency *l)
{
	return latency_percentile(l, 100.0);
}

void latency_fini(struct latency *l)
{
	free(l->ns);
	*l = (struct latency) { 0 };
}
