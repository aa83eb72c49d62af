/* The oracle's live hooks: findings and overdue obligations as they show. */
#include "scenario_check.h"

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED

struct told {
	unsigned findings, overdue;
	enum oracle_rule last_rule;
	bool last_inconclusive;
	struct oracle_overdue last_overdue;
};

/* A live check of the events of one scenario, fed a slice at a time. */
struct live {
	struct told told;
	struct scn_file file;
	struct scn_cursor cursor;
	struct oracle *o;
};

static void told_finding(void *arg, const char *job_id, const char *job_name,
			 const struct oracle_finding *f)
{
	struct told *t = arg;

	assert_string_equal(job_id, scn_job_id('a'));
	assert_string_equal(job_name, "test");
	t->findings++;
	t->last_rule = f->rule;
	t->last_inconclusive = f->inconclusive;
}

static void told_overdue(void *arg, const struct oracle_overdue *od)
{
	struct told *t = arg;

	assert_string_equal(od->job_id, scn_job_id('a'));
	t->overdue++;
	t->last_overdue = *od;
}

/* `events' in the scenario language; max_latency_ms < 0: no bound. */
static void live_start(struct live *l, int64_t max_latency_ms,
		       const char *events)
{
	struct oracle_config cfg = {
		.grace_ns = 1000 * MS,
		.max_latency_ns = max_latency_ms < 0 ? -1 : max_latency_ms * MS,
		.on_finding = told_finding,
		.on_overdue = told_overdue,
		.hook_arg = &l->told,
	};
	char text[2048], err[256];

	memset(l, 0, sizeof(*l));
	snprintf(text, sizeof(text), "scenario live\n%s", events);
	if (scn_parse(text, "live", &l->file, err, sizeof(err)))
		fail_msg("%s", err);
	scn_cursor_init(&l->cursor, &l->file.scenarios[0]);
	l->o = oracle_create(&cfg);
	assert_non_null(l->o);
}

static void live_feed(struct live *l, int64_t until_ms)
{
	scn_feed(l->o, &l->cursor, until_ms);
}

static void live_end(struct live *l)
{
	oracle_destroy(l->o);
	scn_free(&l->file);
}

/* A G2 is told during the feed that proves it, once, before the end. */
static void live_finding_told_when_recorded(void **state)
{
	struct live l;

	(void) state;
	live_start(&l, -1, "0 engine-open 4\n"
			   "1 transferred-job TE\n"
			   "110 callback T 1 1\n"
			   "120 begin T 1 1\n"
			   "121 end T 1 1\n"
			   "200 state TRANSFERRED ACKNOWLEDGED\n");
	live_feed(&l, 111);
	assert_int_equal(l.told.findings, 0);
	live_feed(&l, 120);
	assert_int_equal(l.told.findings, 1);
	assert_int_equal(l.told.last_rule, ORACLE_G2_DUPLICATE);
	assert_false(l.told.last_inconclusive);
	live_feed(&l, INT64_MAX);
	assert_int_equal(oracle_finish(l.o), 0);
	assert_int_equal(l.told.findings, 1);	/* not told twice */
	assert_int_equal(oracle_verdict(l.o), ORACLE_FAIL);
	live_end(&l);
}

/* A G1 of T needs the end of the trace: told by oracle_finish(). */
static void live_lost_told_at_the_end(void **state)
{
	struct live l;

	(void) state;
	live_start(&l, -1, "0 engine-open 4\n"
			   "1 transferred-job TE\n"
			   "5000 engine-close\n");
	live_feed(&l, INT64_MAX);
	assert_int_equal(l.told.findings, 0);
	assert_int_equal(l.told.overdue, 0);	/* no bound, no notice */
	assert_int_equal(oracle_finish(l.o), 0);
	assert_int_equal(l.told.findings, 1);
	assert_int_equal(l.told.last_rule, ORACLE_G1_LOST);
	live_end(&l);
}

/* Past the bound without a begin: told once, as soon as the trace time
 * (an event or oracle_advance()) shows it; G8 when it begins. */
static void live_overdue_told_once_then_g8(void **state)
{
	struct live l;
	const struct oracle_job *j;
	size_t i;

	(void) state;
	live_start(&l, 200, "0 engine-open 4\n"
			    "1 transferred-job TE\n"	/* T due at 100 ms */
			    "450 progress\n"
			    "500 callback T 1 1\n"
			    "600 state TRANSFERRED ACKNOWLEDGED\n");
	live_feed(&l, 100);
	assert_int_equal(oracle_advance(l.o, 300 * MS), 0);
	assert_int_equal(l.told.overdue, 0);	/* exactly the bound */
	assert_int_equal(oracle_advance(l.o, 301 * MS), 0);
	assert_int_equal(l.told.overdue, 1);
	assert_int_equal(l.told.last_overdue.kind, T);
	assert_int_equal(l.told.last_overdue.file_index, -1);
	assert_int_equal(l.told.last_overdue.epoch, 1);
	assert_int_equal(l.told.last_overdue.due_ts, 100 * MS);
	assert_int_equal(l.told.last_overdue.now, 301 * MS);
	assert_int_equal(l.told.last_overdue.bound_ns, 200 * MS);
	assert_int_equal(oracle_advance(l.o, 400 * MS), 0);
	live_feed(&l, 450);
	assert_int_equal(l.told.overdue, 1);
	assert_int_equal(l.told.findings, 0);
	live_feed(&l, 501);
	assert_int_equal(l.told.findings, 1);
	assert_int_equal(l.told.last_rule, ORACLE_G8_LATE);
	live_feed(&l, INT64_MAX);
	assert_int_equal(oracle_finish(l.o), 0);
	assert_int_equal(oracle_verdict(l.o), ORACLE_FAIL);
	j = oracle_job_find(l.o, scn_job_id('a'));
	assert_non_null(j);
	assert_true(j->n_findings >= 1);
	for (i = 0; i < j->n_findings; i++)
		assert_int_equal(j->findings[i].rule, ORACLE_G8_LATE);
	live_end(&l);
}

/* Begun in time, or voided first: no notice, and no finding. */
static void live_no_overdue_when_begun_or_voided(void **state)
{
	struct live l;

	(void) state;
	live_start(&l, 200, "0 engine-open 4\n"
			    "1 transferred-job TE\n"
			    "150 callback T 1 1\n"
			    "5100 state TRANSFERRED ACKNOWLEDGED\n");
	live_feed(&l, 151);
	assert_int_equal(oracle_advance(l.o, 5000 * MS), 0);
	live_feed(&l, INT64_MAX);
	assert_int_equal(l.told.overdue, 0);
	assert_int_equal(oracle_finish(l.o), 0);
	assert_int_equal(l.told.findings, 0);
	live_end(&l);

	live_start(&l, 200, "0 engine-open 4\n"
			    "1 transferred-job TE\n"
			    "250 state TRANSFERRED ACKNOWLEDGED\n"); /* voided in time */
	live_feed(&l, INT64_MAX);
	assert_int_equal(oracle_advance(l.o, 5000 * MS), 0);
	assert_int_equal(l.told.overdue, 0);
	assert_int_equal(oracle_finish(l.o), 0);
	assert_int_equal(oracle_job_find(l.o, scn_job_id('a'))->n_findings, 0);
	assert_int_equal(oracle_verdict(l.o), ORACLE_PASS);
	live_end(&l);
}

/* Parked (no interface) is not deliverable: overdue only once routed. */
static void live_overdue_counts_from_deliverable(void **state)
{
	struct live l;

	(void) state;
	live_start(&l, 200, "0 engine-open 4\n"
			    "1 created SUSPENDED TE\n"
			    "10 state SUSPENDED QUEUED\n"
			    "100 state QUEUED TRANSFERRED\n"
			    "1000 iface 0 1 0xcafe\n");
	live_feed(&l, 100);
	assert_int_equal(oracle_advance(l.o, 1000 * MS), 0);
	assert_int_equal(l.told.overdue, 0);
	live_feed(&l, 1000);
	assert_int_equal(oracle_advance(l.o, 1200 * MS), 0);
	assert_int_equal(l.told.overdue, 0);
	assert_int_equal(oracle_advance(l.o, 1201 * MS), 0);
	assert_int_equal(l.told.overdue, 1);
	assert_int_equal(l.told.last_overdue.armed_ts, 100 * MS);
	assert_int_equal(l.told.last_overdue.due_ts, 1000 * MS);
	live_end(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_finding_told_when_recorded),
		cmocka_unit_test(live_lost_told_at_the_end),
		cmocka_unit_test(live_overdue_told_once_then_g8),
		cmocka_unit_test(live_no_overdue_when_begun_or_voided),
		cmocka_unit_test(live_overdue_counts_from_deliverable),
	};

	return cmocka_run_group_tests_name("oracle live", tests, NULL, NULL);
}
