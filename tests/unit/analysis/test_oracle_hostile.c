/* Hostile trace values (issue 13): huge delays and time stamps saturate, never overflow. */
#include "scenario_check.h"

#include "analysis/jobtimeline.h"

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED
#define JOB "00000000-0000-4000-8000-00000000000a"

static void overdue_seen(void *arg, const struct oracle_overdue *od)
{
	(void) od;
	++*(unsigned *) arg;
}

/* Feeds the oracle and a timeline the same records; both must accept.
 * The job's events are numbered from 1 in each engine, as an engine does. */
static void feed(struct oracle *o, struct jobtimeline *tl,
		 struct bgc_record r)
{
	static uint64_t seq;

	r.vpid = r.vtid = -1;
	r.engine = 0x1111;
	if (r.type == BGC_REC_ENGINE_OPEN) {
		seq = 0;
	} else {
		r.seq = ++seq;
		r.job = JOB;
	}
	assert_int_equal(oracle_feed(o, &r), 0);
	assert_int_equal(jobtimeline_feed(tl, &r), 0);
}

static void run(int64_t t0, int64_t step, uint64_t delay_ms,
		const char *retry_text, enum oracle_verdict want)
{
	unsigned overdue = 0;
	struct oracle_config cfg = {
		.grace_ns = INT64_MAX, .max_latency_ns = INT64_MAX - 1,
		.keep_history = true, .on_overdue = overdue_seen,
		.hook_arg = &overdue,
	};
	struct oracle *o = oracle_create(&cfg);
	struct jobtimeline *tl = jobtimeline_create();
	FILE *null = fopen("/dev/null", "w");
	int64_t t = t0;

	assert_non_null(o);
	assert_non_null(tl);
	assert_non_null(null);
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_ENGINE_OPEN, .ts = t,
		 .store = "/s", .trace_schema = ORACLE_SCHEMA,
		 .dispatcher_threads = 4 });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_JOB_CREATED, .ts = t,
		 .name = "h", .state = BGCOPY_TP_SUSPENDED,
		 .notify_flags = 0x0b, .min_retry_delay_ms = delay_ms,
		 .modification_interval_ms = delay_ms, .has_epoch = true });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_INTERFACE_SET,
		 .ts = t += step, .new_epoch = 1, .iface = 0xcafe });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_PROPERTY_CHANGE,
		 .ts = t += step, .property = BGCOPY_TP_PROP_MIN_RETRY_DELAY,
		 .value = retry_text });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_STATE_CHANGE,
		 .ts = t += step, .from = BGCOPY_TP_SUSPENDED,
		 .to = BGCOPY_TP_TRANSFERRED, .description = "" });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_CALLBACK_BEGIN,
		 .ts = t += step, .kind = T, .epoch = 1, .attempt = 1,
		 .file_index = -1, .iface = 0xcafe });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_CALLBACK_END,
		 .ts = t += step, .kind = T, .epoch = 1, .attempt = 1,
		 .file_index = -1, .result = -1, .duration_ns = UINT64_MAX });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_RETRY_SCHEDULED,
		 .ts = t += step, .kind = T, .epoch = 1, .attempt = 1,
		 .file_index = -1, .delay_ms = UINT64_MAX });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_CALLBACK_BEGIN,
		 .ts = t += step, .kind = T, .epoch = 1, .attempt = 2,
		 .file_index = -1, .iface = 0xcafe });
	feed(o, tl, (struct bgc_record) { .type = BGC_REC_DISCARDED,
		 .ts = t, .disc_has_window = true, .disc_begin = INT64_MIN,
		 .disc_end = INT64_MIN });
	assert_int_equal(oracle_advance(o, INT64_MAX), 0);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), want);
	jobtimeline_print(tl, o, null);
	fclose(null);
	jobtimeline_destroy(tl);
	oracle_destroy(o);
}

/* A retry delay of UINT64_MAX ms: the retry that follows is too soon. */
static void huge_delays_saturate(void **state)
{
	(void) state;
	run(0, MS, UINT64_MAX, "18446744073709551615s", ORACLE_FAIL);
}

/* Time stamps at both ends of int64_t, a step of more than half of it. */
static void extreme_time_stamps(void **state)
{
	(void) state;
	run(INT64_MIN + 1, INT64_MAX / 4, 1, "1", ORACLE_PASS);
	run(INT64_MAX - 8, 1, 5000, "99999999999999999999", ORACLE_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(huge_delays_saturate),
		cmocka_unit_test(extreme_time_stamps),
	};

	return cmocka_run_group_tests_name("oracle hostile values", tests,
					   NULL, NULL);
}
