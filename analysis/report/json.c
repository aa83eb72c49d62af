/*
 * The check's JSON report: jobs, findings, notifications, deliveries,
 * latencies (docs/report.schema.json).
 */
#include "report.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "names.h"
#include "checked.h"

/* docs/report.schema.json describes this version; a change that could
 * break a reader takes the next number. */
#define REPORT_JSON_VERSION 1

/* jansson's json_pack takes ownership of "o" values, so a failed pack
 * frees what it was given and returns NULL. */

static double rel(const struct oracle *o, int64_t ts)
{
	return NAMES_MS(ns_sub(ts, oracle_first_ts(o)));
}

static json_t *ms_or_null(const struct oracle *o, int64_t ts)
{
	return ts >= 0 ? json_real(rel(o, ts)) : json_null();
}

/* "G1 lost" -> "G1" */
static json_t *rule_code(enum oracle_rule rule)
{
	const char *name = oracle_rule_name(rule);

	return json_stringn(name, strcspn(name, " "));
}

static json_t *finding_json(const struct oracle *o,
			    const struct oracle_finding *f)
{
	json_t *ev = json_array();
	unsigned i;

	for (i = 0; ev && i < f->n_evidence; i++)
		json_array_append_new(ev, json_pack("{s:s, s:I, s:f}",
			"event", names_record(f->evidence[i].type),
			"seq", (json_int_t) f->evidence[i].seq,
			"ts_ms", rel(o, f->evidence[i].ts)));
	return json_pack("{s:o, s:s, s:b, s:s, s:I, s:i, s:f, s:o, s:s, s:o}",
		"rule", rule_code(f->rule),
		"name", oracle_rule_name(f->rule),
		"inconclusive", f->inconclusive,
		"kind", names_kind(f->kind),
		"epoch", (json_int_t) f->epoch,
		"file_index", f->file_index,
		"ts_ms", rel(o, f->ts),
		"armed_ms", ms_or_null(o, f->armed_ts),
		"what", f->what,
		"evidence", ev);
}

static json_t *notif_json(const struct oracle *o, const struct oracle_notif *n)
{
	return json_pack("{s:s, s:i, s:I, s:o, s:o, s:o, s:o, s:i, s:i, s:s}",
		"kind", names_kind(n->kind),
		"file_index", n->file_index,
		"epoch", (json_int_t) n->epoch,
		"armed_ms", ms_or_null(o, n->armed_ts),
		"due_ms", ms_or_null(o, n->due_ts),
		"first_begin_ms", ms_or_null(o, n->first_begin_ts),
		"end_ms", ms_or_null(o, n->end_ts),
		"attempts", (int) n->attempts,
		"failures", (int) n->failures,
		"outcome", oracle_outcome_name(n->outcome));
}

static json_t *callbacks_json(const unsigned *counts)
{
	json_t *obj = json_object();
	int k;

	for (k = 1; obj && k < ORACLE_KINDS; k++)
		json_object_set_new(obj, names_kind(k), json_integer(counts[k]));
	return obj;
}

static json_t *job_json(const struct oracle *o, const struct oracle_job *j)
{
	json_t *findings = json_array(), *notifs = json_array();
	char engine[32];
	size_t i;

	for (i = 0; findings && i < j->n_findings; i++)
		json_array_append_new(findings,
				      finding_json(o, &j->findings[i]));
	for (i = 0; notifs && i < j->n_notifs; i++)
		json_array_append_new(notifs, notif_json(o, &j->notifs[i]));
	snprintf(engine, sizeof(engine), "0x%" PRIx64, j->engine);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
		"id", j->id,
		"name", j->name,
		"engine", engine,
		"verdict", oracle_verdict_name(j->verdict),
		"taint", j->taint ? json_string(j->taint) : json_null(),
		"callbacks", callbacks_json(j->callbacks),
		"findings", findings,
		"notifications", notifs);
}

static json_t *latency_json(struct oracle *o)
{
	json_t *obj = json_object();
	int k;

	for (k = 1; obj && k < ORACLE_KINDS; k++) {
		struct latency *l = oracle_latency(o, k);

		json_object_set_new(obj, names_kind(k), json_pack(
			"{s:I, s:f, s:f, s:f, s:f}",
			"count", (json_int_t) l->n,
			"p50_ms", NAMES_MS(latency_percentile(l, 50)),
			"p90_ms", NAMES_MS(latency_percentile(l, 90)),
			"p99_ms", NAMES_MS(latency_percentile(l, 99)),
			"max_ms", NAMES_MS(latency_max(l))));
	}
	return obj;
}

int report_json(struct oracle *o, FILE *out)
{
	json_t *jobs = json_array(), *doc;
	size_t i;

	for (i = 0; jobs && i < oracle_job_count(o); i++)
		json_array_append_new(jobs, job_json(o, oracle_job_at(o, i)));
	doc = json_pack("{s:i, s:s, s:i, s:I, s:o, s:o}",
		"report_version", REPORT_JSON_VERSION,
		"verdict", oracle_verdict_name(oracle_verdict(o)),
		"schema", ORACLE_SCHEMA,
		"events", (json_int_t) oracle_event_count(o),
		"jobs", jobs,
		"latency", latency_json(o));
	return report_json_write(doc, out);
}

int report_json_write(json_t *doc, FILE *out)
{
	int ret;

	if (!doc)
		return -1;
	ret = json_dumpf(doc, out, JSON_INDENT(2)) ? -1 : 0;
	fputc('\n', out);
	json_decref(doc);
	return ret;
}
