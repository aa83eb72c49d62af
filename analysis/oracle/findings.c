/* Findings, the evidence they cite, and delivery latencies (G8). */
#include <stdarg.h>
#include <stdio.h>

#include "oracle_internal.h"

struct oracle_finding *finding_add(struct oracle *o, struct job *j,
				   enum oracle_rule rule, int kind,
				   int32_t file, int64_t ts,
				   const char *fmt, ...)
{
	struct oracle_finding *f;
	va_list ap;

	f = PUSH(o, j->findings, j->n_findings, j->findings_cap);
	if (!f)
		return NULL;
	f->rule = rule;
	f->kind = kind;
	f->file_index = kind == F ? file : -1;
	f->epoch = j->epoch;
	f->ts = ts;
	f->armed_ts = -1;
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
	return f;
}

void finding_cite(struct oracle_finding *f, struct oracle_evidence ev)
{
	if (f && f->n_evidence < ORACLE_MAX_EVIDENCE)
		f->evidence[f->n_evidence++] = ev;
}

/* The engine's own notify_armed only explains; it never proves. */
void cite_engine_arming(struct oracle_finding *f, const struct job *j,
			int kind)
{
	if (f && kind > 0 && kind < ORACLE_KINDS && j->L->engine_armed[kind])
		finding_cite(f, j->L->engine_armed_ev[kind]);
}

void record_latency(struct oracle *o, struct job *j, int kind,
		    int32_t file, int64_t from, int64_t ts,
		    const struct bgc_record *r)
{
	int64_t lat = ns_sub(ts, from);
	struct oracle_finding *f;

	if (latency_add(&o->latency[kind], lat))
		oracle_set_error(o, "out of memory");
	if (o->cfg.max_latency_ns < 0 || lat <= o->cfg.max_latency_ns)
		return;
	f = finding_add(o, j, ORACLE_G8_LATE, kind, file, ts,
		    "%s first began %.3f ms after it was due (bound %.3f ms)",
		    names_kind(kind), NAMES_MS(lat),
		    NAMES_MS(o->cfg.max_latency_ns));
	if (f)
		f->armed_ts = from;
	finding_cite(f, evidence_of(r));
}
