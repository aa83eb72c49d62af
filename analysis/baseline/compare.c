/*
 * The baseline comparison: two runs' figures, row by row, against the
 * thresholds.
 */
#include "compare.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* Grows c->rows by one zeroed row; NULL when out of memory. */
static struct compare_row *add_row(struct comparison *c, size_t *cap)
{
	struct compare_row *rows;

	if (c->n_rows == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		rows = realloc(c->rows, *cap * sizeof(*rows));
		if (!rows)
			return NULL;
		c->rows = rows;
	}
	memset(&c->rows[c->n_rows], 0, sizeof(c->rows[0]));
	return &c->rows[c->n_rows++];
}

/* Sets change, worse and status of a row with both values. */
static void judge(struct compare_row *r, double old_v, double new_v,
		  const struct compare_opts *opts)
{
	/* A zero baseline: any increase is "infinitely" worse; keep it
	 * finite (JSON has no infinity) and large. */
	double base = old_v > 0 ? old_v : 1e-9;

	r->change_pct = (new_v - old_v) / base * 100.0;
	r->worse_pct = r->metric == COMPARE_LATENCY ? r->change_pct :
		       -r->change_pct;
	r->status = COMPARE_OK;
	if (r->worse_pct > opts->max_regression_pct &&
	    (r->metric != COMPARE_LATENCY ||
	     (new_v - old_v) * 1e6 >= (double) opts->latency_floor_ns))
		r->status = COMPARE_REGRESSED;
}

static int add_latency(struct comparison *c, size_t *cap, int kind,
		       const struct perf_latency *o,
		       const struct perf_latency *n)
{
	static const int pcts[] = { 50, 90, 99 };
	struct compare_row *r;
	size_t i;

	if (o->n < c->opts.min_samples || n->n < c->opts.min_samples) {
		r = add_row(c, cap);
		if (!r)
			return -1;
		r->metric = COMPARE_LATENCY;
		r->kind = kind;
		r->n_old = o->n;
		r->n_new = n->n;
		r->status = COMPARE_FEW_SAMPLES;
		return 0;
	}
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		int64_t ov = pcts[i] == 50 ? o->p50 : pcts[i] == 90 ? o->p90 :
			     o->p99;
		int64_t nv = pcts[i] == 50 ? n->p50 : pcts[i] == 90 ? n->p90 :
			     n->p99;

		r = add_row(c, cap);
		if (!r)
			return -1;
		r->metric = COMPARE_LATENCY;
		r->kind = kind;
		r->percentile = pcts[i];
		r->n_old = o->n;
		r->n_new = n->n;
		r->old_value = NAMES_MS(ov);
		r->new_value = NAMES_MS(nv);
		judge(r, r->old_value, r->new_value, &c->opts);
	}
	return 0;
}

/* Both URL lists are sorted by key: one merge pass. */
static int add_throughput(struct comparison *c, size_t *cap,
			  const struct perf *old, const struct perf *new_)
{
	size_t i = 0, j = 0;

	while (i < old->n_urls || j < new_->n_urls) {
		const struct perf_url *o = i < old->n_urls ? &old->urls[i] : NULL;
		const struct perf_url *n = j < new_->n_urls ? &new_->urls[j] :
					   NULL;
		int cmp = !o ? 1 : !n ? -1 : strcmp(o->key, n->key);
		struct compare_row *r = add_row(c, cap);

		if (!r)
			return -1;
		r->metric = COMPARE_THROUGHPUT;
		if (cmp < 0) {
			r->url = o->key;
			r->n_old = o->n;
			r->old_value = o->bps / 1e6;
			r->status = COMPARE_ONLY_OLD;
			i++;
		} else if (cmp > 0) {
			r->url = n->key;
			r->n_new = n->n;
			r->new_value = n->bps / 1e6;
			r->status = COMPARE_ONLY_NEW;
			j++;
		} else {
			r->url = o->key;
			r->n_old = o->n;
			r->n_new = n->n;
			r->old_value = o->bps / 1e6;
			r->new_value = n->bps / 1e6;
			judge(r, r->old_value, r->new_value, &c->opts);
			i++;
			j++;
		}
	}
	return 0;
}

/* qsort() has no context: the rows being ranked. */
static const struct compare_row *ranking;

static int worst_first(const void *a, const void *b)
{
	double x = ranking[*(const size_t *) a].worse_pct;
	double y = ranking[*(const size_t *) b].worse_pct;

	if (x != y)
		return x < y ? 1 : -1;
	/* Stable for equal ranks: table order. */
	return (*(const size_t *) a > *(const size_t *) b) -
	       (*(const size_t *) a < *(const size_t *) b);
}

int compare(const struct perf *old, const struct perf *new_,
	    const struct compare_opts *opts, struct comparison *c)
{
	size_t cap = 0, i;
	int k;

	*c = (struct comparison) { .opts = *opts };
	for (k = 1; k < ORACLE_KINDS; k++) {
		if (add_latency(c, &cap, k, &old->latency[k],
				&new_->latency[k]))
			goto error;
	}
	if (add_throughput(c, &cap, old, new_))
		goto error;
	c->regressed = calloc(c->n_rows ? c->n_rows : 1,
			      sizeof(*c->regressed));
	if (!c->regressed)
		goto error;
	for (i = 0; i < c->n_rows; i++) {
		if (c->rows[i].status == COMPARE_REGRESSED)
			c->regressed[c->n_regressed++] = i;
		if (c->rows[i].status == COMPARE_REGRESSED ||
		    c->rows[i].status == COMPARE_OK)
			c->n_compared++;
	}
	ranking = c->rows;
	qsort(c->regressed, c->n_regressed, sizeof(*c->regressed),
	      worst_first);
	ranking = NULL;
	return 0;

error:
	comparison_fini(c);
	return -1;
}

void comparison_fini(struct comparison *c)
{
	free(c->rows);
	free(c->regressed);
	*c = (struct comparison) { 0 };
}

const char *compare_row_name(const struct compare_row *r, char *buf,
			     size_t len)
{
	if (r->metric == COMPARE_THROUGHPUT)
		snprintf(buf, len, "throughput %s", r->url);
	else if (r->percentile)
		snprintf(buf, len, "latency %s p%d", names_kind(r->kind),
			 r->percentile);
	else
		snprintf(buf, len, "latency %s", names_kind(r->kind));
	return buf;
}

const char *compare_status_name(enum compare_status s)
{
	switch (s) {
	case COMPARE_OK:
		return "ok";
	case COMPARE_REGRESSED:
		return "regressed";
	case COMPARE_FEW_SAMPLES:
		return "not enough samples";
	case COMPARE_ONLY_OLD:
		return "only in OLD";
	case COMPARE_ONLY_NEW:
		return "only in NEW";
	}
	return "?";
}

/* Appends to buf[*used..len), keeping it terminated; false once full. */
static bool append(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= len - *used) {
		*used = len;
		return false;
	}
	*used += (size_t) n;
	return true;
}

void compare_summary(const struct comparison *c, char *buf, size_t len)
{
	char name[512], tail[128];
	size_t used = 0, room, i;

	if (!len)
		return;
	buf[0] = '\0';
	if (!c->n_compared) {
		append(buf, len, &used, "OK: nothing to compare (no kind with "
		       "%zu latency samples on both sides, no URL on both)",
		       c->opts.min_samples);
		return;
	}
	if (!c->n_regressed) {
		append(buf, len, &used, "OK: no metric worse by more than "
		       "%g%% (%zu compared)", c->opts.max_regression_pct,
		       c->n_compared);
		return;
	}
	snprintf(tail, sizeof(tail), "; %zu of %zu metrics worse by more "
		 "than %g%%", c->n_regressed, c->n_compared,
		 c->opts.max_regression_pct);
	/* The worst first, as many as fit before the tail. */
	room = len > strlen(tail) + 5 ? len - strlen(tail) - 4 : 0;
	append(buf, room, &used, "REGRESSED: ");
	for (i = 0; i < c->n_regressed; i++) {
		const struct compare_row *r = &c->rows[c->regressed[i]];

		if (!append(buf, room, &used, "%s%s %+.1f%% (%.3f -> %.3f %s)",
			    i ? ", " : "",
			    compare_row_name(r, name, sizeof(name)),
			    r->change_pct, r->old_value, r->new_value,
			    r->metric == COMPARE_LATENCY ? "ms" : "MB/s")) {
			used = strlen(buf);
			append(buf, len, &used, "...");
			break;
		}
	}
	used = strlen(buf);
	append(buf, len, &used, "%s", tail);
}
