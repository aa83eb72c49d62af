/* Runs scenarios through the oracle and asserts what they expect. */
#ifndef BGCOPY_TEST_SCENARIO_CHECK_H
#define BGCOPY_TEST_SCENARIO_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/oracle.h"
#include "tests/scenario/scenario.h"
#include "tp/bgcopy_tp_abi.h"

#define MS 1000000ll

_Static_assert(SCN_RULE_NOTE == ORACLE_NOTE_REDELIVERED &&
	       SCN_RULE_UNTRACED == ORACLE_NOTE_CLIENT_UNTRACED,
	       "scenario rules follow enum oracle_rule");
_Static_assert(SCN_FAIL == (int) ORACLE_FAIL &&
	       SCN_INCONCLUSIVE == (int) ORACLE_INCONCLUSIVE,
	       "scenario verdicts follow enum oracle_verdict");

static inline struct oracle_config scn_config(const struct scenario *s)
{
	return (struct oracle_config) {
		.grace_ns = s->grace_ms * MS,
		.max_latency_ns = s->max_latency_ms < 0 ? -1 :
				  s->max_latency_ms * MS,
		.keep_history = s->history,
	};
}

/* Feeds the records stamped at most `until_ms'; each must be accepted. */
static inline void scn_feed(struct oracle *o, struct scn_cursor *c,
			    int64_t until_ms)
{
	struct bgc_record r;

	while (scn_next_record(c, until_ms, &r)) {
		if (oracle_feed(o, &r))
			fail_msg("%s line %u refused: %s", c->s->name,
				 c->s->steps[c->next - 1].line,
				 oracle_error(o));
	}
}

/* Crosses each finding off the expected ones; fails on any left over. */
static inline void scn_check_findings(const struct scenario *s,
				      const struct oracle *o)
{
	bool seen[SCN_MAX_FINDINGS] = { false };
	const struct oracle_finding *f;
	const struct oracle_job *j;
	size_t i, k, e;

	for (i = 0; i < oracle_job_count(o); i++) {
		j = oracle_job_at(o, i);
		for (k = 0; k < j->n_findings; k++) {
			f = &j->findings[k];
			for (e = 0; e < s->n_findings; e++) {
				const struct scn_finding *x = &s->findings[e];

				if (!seen[e] && !strcmp(scn_job_id(x->job), j->id) &&
				    x->rule == (int) f->rule && x->kind == f->kind &&
				    x->inconclusive == f->inconclusive)
					break;
			}
			if (e == s->n_findings)
				fail_msg("%s: unexpected %s on job %s: %s", s->name,
					 oracle_rule_name(f->rule), j->id, f->what);
			seen[e] = true;
		}
	}
	for (e = 0; e < s->n_findings; e++) {
		if (!seen[e])
			fail_msg("%s: no %s %s on job %c", s->name,
				 scn_rule_id(s->findings[e].rule),
				 scn_kind_name(s->findings[e].kind),
				 s->findings[e].job);
	}
}

static inline void scn_check_job(const struct scenario *s,
				 const struct oracle *o)
{
	const struct oracle_job *j;
	size_t i;

	if (s->outcomes_job) {
		j = oracle_job_find(o, scn_job_id(s->outcomes_job));
		assert_non_null(j);
		assert_int_equal(j->n_notifs, s->n_outcomes);
		for (i = 0; i < s->n_outcomes; i++)
			assert_int_equal(j->notifs[i].outcome, s->outcomes[i]);
	}
	if (s->tainted) {
		j = oracle_job_find(o, scn_job_id(s->tainted));
		assert_non_null(j);
		assert_non_null(j->taint);
	}
}

/* The whole scenario: its verdict, its findings, and nothing else. */
static inline void scn_check(void **state)
{
	const struct scenario *s = *state;
	struct oracle_config cfg = scn_config(s);
	struct oracle *o = oracle_create(&cfg);
	struct scn_cursor c;

	assert_non_null(o);
	scn_cursor_init(&c, s);
	scn_feed(o, &c, INT64_MAX);
	assert_int_equal(oracle_finish(o), 0);
	assert_string_equal(oracle_verdict_name(oracle_verdict(o)),
			    scn_verdict_name(s->verdict));
	scn_check_findings(s, o);
	scn_check_job(s, o);
	oracle_destroy(o);
}

/* tests/scenario/NAME, from the source tree. */
static inline void scn_load_source(const char *name, struct scn_file *f)
{
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s/%s", scn_source_dir(), name);
	if (scn_load(path, f, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

/* One test per scenario of tests/scenario/FILE, then `extra'. */
static inline int scn_run_file(const char *group, const char *file,
			       const struct CMUnitTest *extra, size_t n_extra)
{
	struct CMUnitTest *tests;
	struct scn_file f;
	size_t i;
	int rc;

	scn_load_source(file, &f);
	tests = calloc(f.n + n_extra, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < f.n; i++)
		tests[i] = (struct CMUnitTest) {
			.name = f.scenarios[i].name, .test_func = scn_check,
			.initial_state = &f.scenarios[i],
		};
	for (i = 0; i < n_extra; i++)
		tests[f.n + i] = extra[i];
	rc = _cmocka_run_group_tests(group, tests, f.n + n_extra, NULL, NULL);
	free(tests);
	scn_free(&f);
	return rc;
}

#endif /* BGCOPY_TEST_SCENARIO_CHECK_H */
