/* What the oracle refuses, and what it keeps without history. */
#include "scenario_check.h"

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED

/* Without history the findings are the same and nothing is listed. */
static void same_findings_without_history(void **state)
{
	static const char text[] =
		"scenario no_history\n"
		"history off\n"
		"expect FAIL\n"
		"finding a G2 T\n"
		"0 engine-open 4\n"
		"1 transferred-job TE\n"
		"110 callback T 1 1\n"
		"120 callback T 1 1\n"
		"200 state TRANSFERRED ACKNOWLEDGED\n";
	struct scn_file f;
	struct oracle_config cfg;
	struct scn_cursor c;
	struct oracle *o;
	const struct oracle_job *j;
	char err[256];

	(void) state;
	if (scn_parse(text, "no_history", &f, err, sizeof(err)))
		fail_msg("%s", err);
	cfg = scn_config(&f.scenarios[0]);
	assert_false(cfg.keep_history);
	o = oracle_create(&cfg);
	scn_cursor_init(&c, &f.scenarios[0]);
	scn_feed(o, &c, INT64_MAX);
	assert_int_equal(oracle_finish(o), 0);
	scn_check_findings(&f.scenarios[0], o);
	j = oracle_job_find(o, scn_job_id('a'));
	assert_int_equal(j->n_notifs, 0);
	assert_int_equal(j->n_deliveries, 0);
	assert_int_equal(j->callbacks[T], 2);
	assert_int_equal(oracle_latency(o, T)->n, 1);
	oracle_destroy(o);
	scn_free(&f);
}

static struct oracle *make(void)
{
	struct oracle_config cfg = { .grace_ns = 1000 * MS,
				     .max_latency_ns = -1 };

	return oracle_create(&cfg);
}

static struct bgc_record engine_open(uint64_t schema)
{
	return (struct bgc_record) {
		.type = BGC_REC_ENGINE_OPEN, .vpid = -1, .vtid = -1,
		.engine = 0x1111, .store = "/var/lib/bgcopy",
		.trace_schema = schema, .dispatcher_threads = 4, .seq = 1,
	};
}

/* A job id that is not a canonical UUID means a damaged trace. */
static void refuses_a_malformed_job_id(void **state)
{
	struct oracle *o = make();
	struct bgc_record r = engine_open(ORACLE_SCHEMA);

	(void) state;
	assert_int_equal(oracle_feed(o, &r), 0);
	r = (struct bgc_record) {
		.type = BGC_REC_PROGRESS, .ts = 10 * MS, .vpid = -1, .vtid = -1,
		.engine = 0x1111, .seq = 2, .file_index = 0,
		.job = "00000000-0000-4000-8000-00000000000A",	/* upper case */
	};
	assert_int_equal(oracle_feed(o, &r), -1);
	assert_non_null(strstr(oracle_error(o), "malformed job id"));
	oracle_destroy(o);
}

static void refuses_unknown_schema(void **state)
{
	struct oracle *o = make();
	struct bgc_record r = engine_open(ORACLE_SCHEMA + 1);
	char named[32];

	(void) state;
	snprintf(named, sizeof(named), "schema %d ", ORACLE_SCHEMA + 1);
	assert_int_equal(oracle_feed(o, &r), -1);
	assert_non_null(strstr(oracle_error(o), named));
	oracle_destroy(o);
	o = make();
	r = engine_open(0);
	assert_int_equal(oracle_feed(o, &r), -1);
	assert_non_null(strstr(oracle_error(o), "schema 0"));
	oracle_destroy(o);
}

/* Traces of schemas 1, 2 and 3 are all read. */
static void reads_schemas_1_to_3(void **state)
{
	uint64_t schema;

	(void) state;
	for (schema = 1; schema <= 3; schema++) {
		struct oracle *o = make();
		struct bgc_record r = engine_open(schema);

		assert_int_equal(oracle_feed(o, &r), 0);
		assert_int_equal(oracle_finish(o), 0);
		oracle_destroy(o);
	}
}

/* Damaged time stamps put a job's events out of the order its engine
 * numbered them: the job proves nothing, its G3 look-alike included. */
static void events_out_of_sequence_taint(void **state)
{
	static const char text[] =
		"scenario reordered\n"
		"0 engine-open 4\n"
		"1 transferred-job TE\n"
		"110 callback T 1 1\n";
	struct oracle_config cfg = { .grace_ns = 1000 * MS,
				     .max_latency_ns = -1 };
	struct bgc_record r[16];
	struct scn_cursor c;
	struct scn_file f;
	struct oracle *o;
	size_t n = 0, i;
	char err[256];

	(void) state;
	if (scn_parse(text, "reordered", &f, err, sizeof(err)))
		fail_msg("%s", err);
	scn_cursor_init(&c, &f.scenarios[0]);
	while (n < 16 && scn_next_record(&c, INT64_MAX, &r[n]))
		n++;
	/* The state change into TRANSFERRED (seq 8) stamped after the
	 * callback (seq 9, 10): the callback looks spurious. */
	assert_int_equal(r[8].type, BGC_REC_STATE_CHANGE);
	r[8].ts = 200 * MS;
	o = oracle_create(&cfg);
	for (i = 0; i < n; i++) {
		if (i != 8)
			assert_int_equal(oracle_feed(o, &r[i]), 0);
	}
	assert_int_equal(oracle_feed(o, &r[8]), 0);
	assert_int_equal(oracle_finish(o), 0);
	assert_int_equal(oracle_verdict(o), ORACLE_INCONCLUSIVE);
	assert_non_null(strstr(oracle_job_find(o, scn_job_id('a'))->taint,
			       "out of order"));
	oracle_destroy(o);
	scn_free(&f);
}

static void refuses_empty_trace(void **state)
{
	struct oracle *o = make();

	(void) state;
	assert_int_equal(oracle_finish(o), -1);
	assert_non_null(strstr(oracle_error(o), "no bgcopy events"));
	oracle_destroy(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_findings_without_history),
		cmocka_unit_test(refuses_a_malformed_job_id),
		cmocka_unit_test(refuses_unknown_schema),
		cmocka_unit_test(reads_schemas_1_to_3),
		cmocka_unit_test(events_out_of_sequence_taint),
		cmocka_unit_test(refuses_empty_trace),
	};

	return cmocka_run_group_tests_name("oracle input", tests, NULL, NULL);
}
