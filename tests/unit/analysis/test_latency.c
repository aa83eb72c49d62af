/* Latency figures (analysis/latency.h): exact while small, bounded after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analysis/latency.h"

/* Exact up to LATENCY_EXACT samples, then within 0.8%, min and max
 * exact. */
static void latency_stays_bounded_and_close(void **state)
{
	struct latency l = { 0 };
	int64_t i, n = 3 * LATENCY_EXACT, p50, want;

	(void) state;
	for (i = 1; i <= 100; i++)
		assert_int_equal(latency_add(&l, i * 1000), 0);
	assert_int_equal(latency_percentile(&l, 50), 50000);
	assert_int_equal(latency_max(&l), 100000);
	latency_fini(&l);
	for (i = 0; i < n; i++)
		assert_int_equal(latency_add(&l, (n - i) * 997), 0);
	assert_null(l.ns);
	assert_non_null(l.hist);
	assert_int_equal(latency_percentile(&l, 0), 997);
	assert_int_equal(latency_max(&l), n * 997);
	p50 = latency_percentile(&l, 50);
	want = (n / 2) * 997;
	assert_true(p50 >= want && p50 <= want + want / 128);
	latency_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(latency_stays_bounded_and_close),
	};

	return cmocka_run_group_tests_name("latency", tests, NULL, NULL);
}
