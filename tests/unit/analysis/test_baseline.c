/* Baseline figures (analysis/perf.h), compared (analysis/compare.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/compare.h"
#include "analysis/oracle.h"
#include "analysis/perf.h"
#include "tp/bgcopy_tp_abi.h"

#define MS 1000000ll
#define T BGCOPY_TP_KIND_JOB_TRANSFERRED
#define E BGCOPY_TP_KIND_JOB_ERROR

static void transfer(struct perf *p, const char *url, int64_t status,
		     int64_t curl, uint64_t bytes, uint64_t total_us)
{
	struct bgc_record r = {
		.type = BGC_REC_TRANSFER, .vpid = -1, .vtid = -1,
		.engine = 0x1111, .file_index = 0, .url = url,
		.http_status = status, .curl_code = curl, .bytes = bytes,
		.total_us = total_us,
	};
	assert_int_equal(perf_feed(p, &r), 0);
}

static void url_keys(void **state)
{
	(void) state;
	assert_string_equal(perf_url_key("http://127.0.0.1:8080/a/b.iso",
					 PERF_KEY_PATH), "/a/b.iso");
	assert_string_equal(perf_url_key("https://example.org/b.iso",
					 PERF_KEY_PATH), "/b.iso");
	assert_string_equal(perf_url_key("http://example.org",
					 PERF_KEY_PATH), "/");
	assert_string_equal(perf_url_key("file:///srv/x/c.bin",
					 PERF_KEY_PATH), "/srv/x/c.bin");
	assert_string_equal(perf_url_key("http://h:1/fault/slow:100/b.iso",
					 PERF_KEY_NAME), "b.iso");
	assert_string_equal(perf_url_key("http://h:1/dir/", PERF_KEY_NAME),
			    "/dir/");
	assert_string_equal(perf_url_key("b.iso", PERF_KEY_NAME), "b.iso");
}

/* Only whole successes count; the median per key; latency from the
 * oracle. */
static void perf_medians_of_successes(void **state)
{
	struct oracle_config cfg = { .grace_ns = 1000 * MS,
				     .max_latency_ns = -1 };
	struct oracle *o = oracle_create(&cfg);
	struct perf p;
	int i;

	(void) state;
	perf_init(&p, PERF_KEY_PATH);
	transfer(&p, "http://a:1/x.bin", 200, 0, 1000000, 1000000); /* 1 MB/s */
	transfer(&p, "http://b:2/x.bin", 206, 0, 3000000, 1000000); /* 3 MB/s */
	transfer(&p, "http://a:1/x.bin", 200, 0, 2000000, 1000000); /* 2 MB/s */
	transfer(&p, "http://a:1/x.bin", 404, 22, 100, 1000);
	transfer(&p, "http://a:1/x.bin", 200, 18, 5000, 1000);	/* cut off */
	transfer(&p, "http://a:1/x.bin", 200, 0, 0, 1000);
	transfer(&p, "http://a:1/y.bin", 500, 22, 100, 1000);
	transfer(&p, "http://a:1/b.bin", 200, 0, 500000, 1000000);
	for (i = 1; i <= 10; i++)
		assert_int_equal(latency_add(oracle_latency(o, T), i * MS), 0);
	assert_int_equal(perf_finish(&p, o), 0);
	assert_int_equal(p.n_urls, 2);		/* y.bin never succeeded */
	assert_string_equal(p.urls[0].key, "/b.bin");
	assert_int_equal(p.urls[0].n, 1);
	assert_true(p.urls[0].bps == 500000.0);
	assert_string_equal(p.urls[1].key, "/x.bin");
	assert_int_equal(p.urls[1].n, 3);
	assert_true(p.urls[1].bps == 2000000.0);
	assert_int_equal(p.latency[T].n, 10);
	assert_int_equal(p.latency[T].p50, 5 * MS);
	assert_int_equal(p.latency[T].p90, 9 * MS);
	assert_int_equal(p.latency[T].p99, 10 * MS);
	assert_int_equal(p.latency[E].n, 0);
	perf_fini(&p);
	oracle_destroy(o);
}

/* A perf by hand: latency of T at `t_ms' (n samples), URLs at MB/s. */
static void fake_perf(struct perf *p, size_t n, int64_t t_ms,
		      struct perf_url *urls, size_t n_urls)
{
	perf_init(p, PERF_KEY_PATH);
	p->latency[T] = (struct perf_latency) {
		.n = n, .p50 = t_ms * MS, .p90 = 2 * t_ms * MS,
		.p99 = 3 * t_ms * MS,
	};
	p->urls = urls;
	p->n_urls = n_urls;
}

static const struct compare_opts cmp_opts = {
	.max_regression_pct = 20, .latency_floor_ns = MS, .min_samples = 5,
};

static const struct compare_row *row_named(const struct comparison *c,
					   const char *name)
{
	char buf[512];
	size_t i;

	for (i = 0; i < c->n_rows; i++) {
		if (!strcmp(compare_row_name(&c->rows[i], buf, sizeof(buf)),
			    name))
			return &c->rows[i];
	}
	fail_msg("no row \"%s\"", name);
	return NULL;
}

static void compare_same_is_ok(void **state)
{
	struct perf_url u[] = { { "/a.iso", 3, 2e6 }, { "/b.iso", 1, 1e6 } };
	struct perf_url v[] = { { "/a.iso", 3, 1.9e6 }, { "/b.iso", 1, 1e6 } };
	struct perf old, new_;
	struct comparison c;
	char summary[512];

	(void) state;
	fake_perf(&old, 10, 10, u, 2);
	fake_perf(&new_, 10, 11, v, 2);		/* +10%: within 20% */
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	assert_int_equal(c.n_regressed, 0);
	assert_int_equal(c.n_compared, 5);	/* 3 percentiles, 2 URLs */
	assert_int_equal(row_named(&c, "latency JOB_ERROR")->status,
			 COMPARE_FEW_SAMPLES);
	assert_true(row_named(&c, "throughput /a.iso")->change_pct < -4.9 &&
		    row_named(&c, "throughput /a.iso")->change_pct > -5.1);
	compare_summary(&c, summary, sizeof(summary));
	assert_string_equal(summary, "OK: no metric worse by more than 20% "
			    "(5 compared)");
	comparison_fini(&c);
}

static void compare_names_the_worst_first(void **state)
{
	struct perf_url u[] = {
		{ "/a.iso", 1, 2e6 }, { "/b.iso", 1, 1e6 }, { "/gone", 1, 1e6 },
	};
	struct perf_url v[] = {
		{ "/a.iso", 1, 1.5e6 }, { "/b.iso", 1, 0.1e6 }, { "/new", 1, 1e6 },
	};
	struct perf old, new_;
	struct comparison c;
	char summary[512];

	(void) state;
	fake_perf(&old, 10, 10, u, 3);
	fake_perf(&new_, 10, 15, v, 3);		/* latency +50% */
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	/* b.iso -90%, the three latencies +50%, a.iso -25% */
	assert_int_equal(c.n_regressed, 5);
	assert_int_equal(c.rows[c.regressed[0]].metric, COMPARE_THROUGHPUT);
	assert_string_equal(c.rows[c.regressed[0]].url, "/b.iso");
	assert_string_equal(c.rows[c.regressed[4]].url, "/a.iso");
	assert_int_equal(row_named(&c, "throughput /gone")->status,
			 COMPARE_ONLY_OLD);
	assert_int_equal(row_named(&c, "throughput /new")->status,
			 COMPARE_ONLY_NEW);
	assert_int_equal(row_named(&c, "latency JOB_TRANSFERRED p90")->status,
			 COMPARE_REGRESSED);
	compare_summary(&c, summary, sizeof(summary));
	assert_non_null(strstr(summary, "REGRESSED: throughput /b.iso -90.0% "
			       "(1.000 -> 0.100 MB/s), latency "));
	assert_non_null(strstr(summary, "; 5 of 5 metrics worse by more "
			       "than 20%"));
	/* Cut short, the tail stays. */
	compare_summary(&c, summary, 90);
	assert_true(strlen(summary) < 90);
	assert_non_null(strstr(summary, "...; 5 of 5 metrics"));
	comparison_fini(&c);
}

/* Under min_samples on either side, or under the floor: never a
 * regression. */
static void compare_needs_samples_and_the_floor(void **state)
{
	struct perf old, new_;
	struct comparison c;
	char summary[512];

	(void) state;
	fake_perf(&old, 4, 10, NULL, 0);
	fake_perf(&new_, 10, 100, NULL, 0);
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	assert_int_equal(c.n_regressed, 0);
	assert_int_equal(c.n_compared, 0);
	assert_int_equal(row_named(&c, "latency JOB_TRANSFERRED")->status,
			 COMPARE_FEW_SAMPLES);
	compare_summary(&c, summary, sizeof(summary));
	assert_non_null(strstr(summary, "OK: nothing to compare"));
	comparison_fini(&c);

	/* 0.030 ms -> 0.090 ms: +200%, but 0.06 ms is jitter. */
	fake_perf(&old, 10, 0, NULL, 0);
	fake_perf(&new_, 10, 0, NULL, 0);
	old.latency[T].p50 = 30000;
	new_.latency[T].p50 = 90000;
	assert_int_equal(compare(&old, &new_, &cmp_opts, &c), 0);
	assert_int_equal(c.n_regressed, 0);
	assert_true(row_named(&c, "latency JOB_TRANSFERRED p50")->change_pct
		    > 199.0);
	comparison_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(url_keys),
		cmocka_unit_test(perf_medians_of_successes),
		cmocka_unit_test(compare_same_is_ok),
		cmocka_unit_test(compare_names_the_worst_first),
		cmocka_unit_test(compare_needs_samples_and_the_floor),
	};

	return cmocka_run_group_tests_name("baseline", tests, NULL, NULL);
}
