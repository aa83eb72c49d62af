/*
 * The performance figures of a run: latency percentiles and per-URL
 * throughput.
 */
#include "perf.h"

#include <stdlib.h>
#include <string.h>

#include "latency.h"
#include "checked.h"

const struct bgc_reads perf_reads[] = {
	BGC_READS(BGC_REC_TRANSFER, "url", "http_status", "curl_code",
		  "bytes", "total_us"),
	BGC_READS_END,
};

void perf_init(struct perf *p, enum perf_key key)
{
	*p = (struct perf) { .key = key };
}

const char *perf_url_key(const char *url, enum perf_key key)
{
	const char *path = strstr(url, "://"), *name;

	if (path) {
		/* Past the authority: the path, "/" when there is none. */
		path = strchr(path + 3, '/');
		if (!path)
			return "/";
	} else {
		path = url;
	}
	if (key == PERF_KEY_PATH)
		return path;
	name = strrchr(path, '/');
	return name && name[1] ? name + 1 : path;
}

int perf_feed(struct perf *p, const struct bgc_record *r)
{
	const char *key;
	struct latency *l;

	if (r->type != BGC_REC_TRANSFER || !r->url ||
	    (r->http_status != 200 && r->http_status != 206) ||
	    r->curl_code != 0 || !r->bytes || !r->total_us)
		return 0;
	key = perf_url_key(r->url, p->key);
	l = strmap_get(&p->samples, key);
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l)
			return -1;
		if (!strmap_put(&p->samples, key, l)) {
			free(l);
			return -1;
		}
	}
	/* A latency set holds any int64 sample: here bytes per second. */
	return latency_add(l, i64_of_double((double) r->bytes * 1e6 /
					    (double) r->total_us));
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct perf_url *) a)->key,
		      ((const struct perf_url *) b)->key);
}

int perf_finish(struct perf *p, struct oracle *o)
{
	size_t i;
	int k;

	for (k = 1; k < ORACLE_KINDS; k++) {
		struct latency *l = oracle_latency(o, k);

		p->latency[k] = (struct perf_latency) {
			.n = l->n,
			.p50 = latency_percentile(l, 50),
			.p90 = latency_percentile(l, 90),
			.p99 = latency_percentile(l, 99),
		};
	}
	free(p->urls);
	p->n_urls = 0;
	p->urls = calloc(p->samples.len ? p->samples.len : 1,
			 sizeof(*p->urls));
	if (!p->urls)
		return -1;
	for (i = 0; i < p->samples.cap; i++) {
		struct strmap_slot *slot = &p->samples.slots[i];

		if (!slot->key)
			continue;
		p->urls[p->n_urls++] = (struct perf_url) {
			.key = slot->key,
			.n = ((struct latency *) slot->value)->n,
			.bps = (double) latency_percentile(slot->value, 50),
		};
	}
	qsort(p->urls, p->n_urls, sizeof(*p->urls), by_key);
	return 0;
}

void perf_fini(struct perf *p)
{
	size_t i;

	for (i = 0; i < p->samples.cap; i++) {
		if (p->samples.slots[i].key) {
			latency_fini(p->samples.slots[i].value);
			free(p->samples.slots[i].value);
		}
	}
	strmap_fini(&p->samples);
	free(p->urls);
	p->urls = NULL;
	p->n_urls = 0;
}
