/*
 * The check's text report: verdict per job with findings, latency table,
 * verdict.
 */
#include "report.h"

#include <inttypes.h>

#include "names.h"
#include "checked.h"

void report_text_finding(const struct oracle *o,
			 const struct oracle_finding *f, FILE *out)
{
	int64_t t0 = oracle_first_ts(o);
	unsigned i;

	fprintf(out, "  %s%s %s", f->inconclusive ? "(inconclusive) " : "",
		oracle_rule_name(f->rule), names_kind(f->kind));
	if (f->file_index >= 0)
		fprintf(out, " file %d", f->file_index);
	fprintf(out, " epoch %" PRIu64 " at %+.3f ms", f->epoch,
		NAMES_MS(ns_sub(f->ts, t0)));
	if (f->armed_ts >= 0)
		fprintf(out, " (armed %+.3f ms)", NAMES_MS(ns_sub(f->armed_ts, t0)));
	fprintf(out, ": %s\n", f->what);
	for (i = 0; i < f->n_evidence; i++)
		fprintf(out, "      %s %s seq %" PRIu64 " at %+.3f ms\n",
			i ? "and" : "see", names_record(f->evidence[i].type),
			f->evidence[i].seq, NAMES_MS(ns_sub(f->evidence[i].ts, t0)));
}

static void print_latency(struct oracle *o, FILE *out)
{
	int k;

	fprintf(out, "latency, deliverable to first begin (ms):\n");
	fprintf(out, "  %-18s %7s %10s %10s %10s %10s\n", "kind", "count",
		"p50", "p90", "p99", "max");
	for (k = 1; k < ORACLE_KINDS; k++) {
		struct latency *l = oracle_latency(o, k);

		fprintf(out, "  %-18s %7zu %10.3f %10.3f %10.3f %10.3f\n",
			names_kind(k), l->n,
			NAMES_MS(latency_percentile(l, 50)),
			NAMES_MS(latency_percentile(l, 90)),
			NAMES_MS(latency_percentile(l, 99)),
			NAMES_MS(latency_max(l)));
	}
}

static void job_lines(const struct oracle *o, const struct oracle_job *j,
		      FILE *out)
{
	size_t k;

	fprintf(out, "job %s \"%s\": %s", j->id, j->name,
		oracle_verdict_name(j->verdict));
	if (j->taint)
		fprintf(out, " (%s)", j->taint);
	fprintf(out, "\n");
	for (k = 0; k < j->n_findings; k++)
		report_text_finding(o, &j->findings[k], out);
}

static void verdict_line(const struct oracle *o, FILE *out)
{
	size_t count[ORACLE_FAIL + 1] = { 0 };
	size_t i;

	for (i = 0; i < oracle_job_count(o); i++)
		count[oracle_job_at(o, i)->verdict]++;
	fprintf(out, "verdict: %s (%zu failed, %zu inconclusive, %zu passed)\n",
		oracle_verdict_name(oracle_verdict(o)), count[ORACLE_FAIL],
		count[ORACLE_INCONCLUSIVE], count[ORACLE_PASS]);
}

void report_text_problems(const struct oracle *o, FILE *out)
{
	size_t i;

	for (i = 0; i < oracle_job_count(o); i++) {
		if (oracle_job_at(o, i)->verdict != ORACLE_PASS)
			job_lines(o, oracle_job_at(o, i), out);
	}
	verdict_line(o, out);
}

void report_text(struct oracle *o, FILE *out)
{
	size_t i;

	fprintf(out, "bgcopy contract check: %zu job%s, %" PRIu64 " events, "
		"%.3f ms\n", oracle_job_count(o),
		oracle_job_count(o) == 1 ? "" : "s", oracle_event_count(o),
		NAMES_MS(oracle_last_ts(o) - oracle_first_ts(o)));
	for (i = 0; i < oracle_job_count(o); i++)
		job_lines(o, oracle_job_at(o, i), out);
	print_latency(o, out);
	verdict_line(o, out);
}
