/* The pictures' history (analysis/report/history.h): states as spans,
 * transfer phases from libcurl's cumulative times, processes by time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analysis/report/history.h"
#include "tp/bgcopy_tp_abi.h"

#define MS 1000000ll

static void feed(struct history *h, enum bgc_rec_type type, int64_t ts,
		 int64_t pid, const struct bgc_record *extra)
{
	struct bgc_record r = extra ? *extra : (struct bgc_record) { 0 };

	r.type = type;
	r.ts = ts;
	r.vpid = pid;
	r.vtid = pid + 1;
	r.job = "job-1";
	assert_int_equal(history_feed(h, &r), 0);
}

/* Created, restored in another process, transferred: three spans, the
 * restore repeating the state adds none; the last, final, ends there. */
static void states_are_spans_across_processes(void **state)
{
	struct history h;
	const struct hist_job *hj;
	struct bgc_record r = { .state = BGCOPY_TP_SUSPENDED };

	(void) state;
	history_init(&h);
	feed(&h, BGC_REC_JOB_CREATED, 10 * MS, 100, &r);
	feed(&h, BGC_REC_JOB_RESTORED, 20 * MS, 200, &r);
	r = (struct bgc_record) { .to = BGCOPY_TP_QUEUED, .cause = 1 };
	feed(&h, BGC_REC_STATE_CHANGE, 30 * MS, 200, &r);
	r.to = BGCOPY_TP_ACKNOWLEDGED;
	feed(&h, BGC_REC_STATE_CHANGE, 40 * MS, 200, &r);
	feed(&h, BGC_REC_INTERFACE_RELEASE, 45 * MS, 200, NULL);
	hj = history_job(&h, "job-1");
	assert_non_null(hj);
	assert_int_equal(hj->n_states, 3);
	assert_int_equal(hj->states[0].state, BGCOPY_TP_SUSPENDED);
	assert_int_equal(hj->states[0].end_ts, 30 * MS);
	assert_int_equal(hj->states[1].cause, 1);
	assert_int_equal(history_state_end(hj, 1, 90 * MS), 40 * MS);
	/* Final: it does not stretch to the end of the trace. */
	assert_int_equal(history_state_end(hj, 2, 90 * MS), 45 * MS);
	assert_int_equal(history_pid_at(hj, 15 * MS), 100);
	assert_int_equal(history_pid_at(hj, 20 * MS), 200);
	assert_int_equal(history_pid_at(hj, 5 * MS), 100);
	assert_null(history_job(&h, "job-2"));
	history_fini(&h);
}

/* lookup 1 ms, connect to 3, no TLS, first byte at 7, total 10: the
 * phases tile the attempt, which ended at the event. */
static void phases_tile_the_attempt(void **state)
{
	struct history h;
	const struct hist_job *hj;
	struct bgc_record r = {
		.url = "http://x/a", .namelookup_us = 1000, .connect_us = 3000,
		.tls_us = 0, .first_byte_us = 7000, .total_us = 10000,
	};
	int64_t b, e;

	(void) state;
	history_init(&h);
	feed(&h, BGC_REC_TRANSFER, 100 * MS, 7, &r);
	hj = history_job(&h, "job-1");
	assert_int_equal(hj->n_transfers, 1);
	assert_string_equal(hj->transfers[0].url, "http://x/a");
	assert_true(history_phase(&hj->transfers[0], HIST_LOOKUP, &b, &e));
	assert_int_equal(b, 90 * MS);
	assert_int_equal(e, 91 * MS);
	assert_true(history_phase(&hj->transfers[0], HIST_CONNECT, &b, &e));
	assert_int_equal(e, 93 * MS);
	assert_false(history_phase(&hj->transfers[0], HIST_TLS, &b, &e));
	assert_true(history_phase(&hj->transfers[0], HIST_WAIT, &b, &e));
	assert_int_equal(b, 93 * MS);
	assert_int_equal(e, 97 * MS);
	assert_true(history_phase(&hj->transfers[0], HIST_BODY, &b, &e));
	assert_int_equal(b, 97 * MS);
	assert_int_equal(e, 100 * MS);
	history_fini(&h);
}

/* A refused connection: looked up, never connected, no byte. */
static void phases_not_reached_are_empty(void **state)
{
	struct hist_transfer t = {
		.end_ts = 50 * MS, .namelookup_us = 500, .total_us = 800,
	};
	int64_t b, e;

	(void) state;
	assert_true(history_phase(&t, HIST_LOOKUP, &b, &e));
	assert_int_equal(b, 50 * MS - 800000);
	assert_int_equal(e, 50 * MS - 300000);
	assert_false(history_phase(&t, HIST_CONNECT, &b, &e));
	assert_false(history_phase(&t, HIST_TLS, &b, &e));
	assert_false(history_phase(&t, HIST_WAIT, &b, &e));
	assert_false(history_phase(&t, HIST_BODY, &b, &e));
	assert_false(history_phase(&t, HIST_PHASES, &b, &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(states_are_spans_across_processes),
		cmocka_unit_test(phases_tile_the_attempt),
		cmocka_unit_test(phases_not_reached_are_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
