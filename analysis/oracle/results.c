/* Results: oracle_finish(), verdicts, and the read-only accessors and names. */
#include "oracle_internal.h"

static void job_publish(struct job *j)
{
	bool proven = false, unproven = j->tainted;
	size_t i;

	for (i = 0; i < j->n_findings; i++) {
		struct oracle_finding *f = &j->findings[i];

		if (f->rule > ORACLE_G8_LATE)
			continue;
		f->inconclusive = f->inconclusive || j->tainted;
		proven = proven || !f->inconclusive;
		unproven = unproven || f->inconclusive;
	}
	j->pub.verdict = proven ? ORACLE_FAIL :
			 unproven ? ORACLE_INCONCLUSIVE : ORACLE_PASS;
	j->pub.name = j->name ? j->name : "";
	j->pub.engine = j->eng ? j->eng->id : 0;
	j->pub.taint = !j->tainted ? NULL : j->taint ? j->taint :
		       "tainted (out of memory for the reason)";
	j->pub.findings = j->findings;
	j->pub.n_findings = j->n_findings;
	j->pub.notifs = j->notifs;
	j->pub.n_notifs = j->n_notifs;
	j->pub.deliveries = j->deliveries;
	j->pub.n_deliveries = j->n_deliveries;
}

int oracle_finish(struct oracle *o)
{
	size_t i;

	if (o->error[0])
		return -1;
	if (!o->n_events)
		return oracle_set_error(o, "the trace has no bgcopy events");
	o->verdict = ORACLE_PASS;
	receipts_settle(o);
	for (i = 0; i < o->n_jobs; i++) {
		struct job *j = o->jobs[i];
		size_t k;

		job_seq_end(j);
		for (k = 0; k < o->n_losses && !j->tainted; k++)
			taint_by_loss(o, j, &o->losses[k]);
		job_settle(o, j, j->eng ? j->eng->last_ts : o->last_ts);
		job_publish(j);
		tell_findings(o, j);
		if (j->pub.verdict > o->verdict)
			o->verdict = j->pub.verdict;
	}
	return o->error[0] ? -1 : 0;
}

const char *oracle_error(const struct oracle *o)
{
	return o->error[0] ? o->error : NULL;
}

uint64_t oracle_event_count(const struct oracle *o)
{
	return o->n_events;
}

int64_t oracle_first_ts(const struct oracle *o)
{
	return o->first_ts;
}

int64_t oracle_last_ts(const struct oracle *o)
{
	return o->last_ts;
}

enum oracle_verdict oracle_verdict(const struct oracle *o)
{
	return o->verdict;
}

size_t oracle_job_count(const struct oracle *o)
{
	return o->n_jobs;
}

const struct oracle_job *oracle_job_at(const struct oracle *o, size_t i)
{
	return i < o->n_jobs ? &o->jobs[i]->pub : NULL;
}

const struct oracle_job *oracle_job_find(const struct oracle *o,
					 const char *id)
{
	struct job *j = strmap_get(&o->jobs_by_id, id);

	return j ? &j->pub : NULL;
}

struct latency *oracle_latency(struct oracle *o, int kind)
{
	return kind > 0 && kind < ORACLE_KINDS ? &o->latency[kind] : NULL;
}

const char *oracle_rule_name(enum oracle_rule rule)
{
	static const char *const tab[] = {
		[ORACLE_G1_LOST] = "G1 lost",
		[ORACLE_G2_DUPLICATE] = "G2 duplicate",
		[ORACLE_G3_SPURIOUS] = "G3 spurious",
		[ORACLE_G4_AFTER_RELEASE] = "G4 after-release",
		[ORACLE_G5_OVERLAP] = "G5 overlap",
		[ORACLE_G6_OVER_CONCURRENCY] = "G6 over-concurrency",
		[ORACLE_G7_MISORDERED] = "G7 misordered",
		[ORACLE_G8_LATE] = "G8 late",
		[ORACLE_NOTE_REDELIVERED] = "note redelivered after restart",
		[ORACLE_NOTE_CLIENT_UNTRACED] = "note client not traced",
	};
	return (size_t) rule < sizeof(tab) / sizeof(tab[0]) && tab[rule] ?
	       tab[rule] : "?";
}

const char *oracle_verdict_name(enum oracle_verdict v)
{
	switch (v) {
	case ORACLE_PASS:
		return "PASS";
	case ORACLE_INCONCLUSIVE:
		return "INCONCLUSIVE";
	case ORACLE_FAIL:
		return "FAIL";
	}
	return "?";
}

const char *oracle_outcome_name(enum oracle_outcome outcome)
{
	static const char *const tab[] = {
		[ORACLE_OPEN] = "open",
		[ORACLE_DISCHARGED] = "discharged",
		[ORACLE_VOIDED] = "voided",
		[ORACLE_PENDING] = "pending",
		[ORACLE_PARKED] = "parked",
		[ORACLE_CARRIED] = "carried over",
		[ORACLE_LOST] = "lost",
	};
	return (size_t) outcome < sizeof(tab) / sizeof(tab[0]) ?
	       tab[outcome] : "?";
}
