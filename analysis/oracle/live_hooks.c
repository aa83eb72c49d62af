/*
 * Live hooks: on_finding as findings show, on_overdue as obligations pass
 * the G8 bound.
 */
#include "oracle_internal.h"

/* Tells on_finding of the job's findings it has not been told of. */
void tell_findings(struct oracle *o, struct job *j)
{
	struct oracle_finding *f;

	if (!o->cfg.on_finding)
		return;
	for (; j->n_told < j->n_findings; j->n_told++) {
		f = &j->findings[j->n_told];
		/* As job_publish() will: a tainted job proves nothing. */
		if (f->rule <= ORACLE_G8_LATE)
			f->inconclusive = f->inconclusive || j->tainted;
		o->cfg.on_finding(o->cfg.hook_arg, j->pub.id,
				  j->name ? j->name : "", f);
	}
}

static void tell_overdue(struct oracle *o, struct job *j, int kind,
			 int32_t file, int64_t armed_ts, int64_t due_ts,
			 int64_t now)
{
	struct oracle_overdue od = {
		.job_id = j->pub.id, .job_name = j->name ? j->name : "",
		.kind = kind, .file_index = kind == F ? file : -1,
		.epoch = j->epoch, .armed_ts = armed_ts, .due_ts = due_ts,
		.now = now, .bound_ns = o->cfg.max_latency_ns,
	};

	o->cfg.on_overdue(o->cfg.hook_arg, &od);
}

/*
 * Whether one deliverable, unbegun arming passed the bound by `now' (as
 * record_latency() would judge it if it began now); if not yet, when.
 */
static bool overdue(struct oracle *o, int64_t due, bool *told, int64_t now)
{
	int64_t at = ns_add(due, o->cfg.max_latency_ns);

	if (now > at) {
		*told = true;
		return true;
	}
	if (at < o->overdue_at)
		o->overdue_at = at;
	return false;
}

static void obl_overdue(struct oracle *o, struct job *j, struct obl *b,
			int kind, int64_t now)
{
	if (b->armed && !b->begun && b->due_ts >= 0 && !b->overdue_told &&
	    overdue(o, b->due_ts, &b->overdue_told, now))
		tell_overdue(o, j, kind, b->file, b->armed_ts, b->due_ts, now);
}

/* Scans every live job once some bound may have passed. */
void overdue_scan(struct oracle *o, int64_t now)
{
	struct mod *m;
	size_t i, k;

	if (!o->cfg.on_overdue || now <= o->overdue_at)
		return;
	o->overdue_at = INT64_MAX;
	for (i = 0; i < o->n_jobs; i++) {
		struct job *j = o->jobs[i];

		if (!j->L)
			continue;
		obl_overdue(o, j, &j->L->t, T, now);
		obl_overdue(o, j, &j->L->e, E, now);
		for (k = 0; k < j->L->n_f; k++)
			obl_overdue(o, j, &j->L->f[k], F, now);
		m = &j->L->m;
		if (m->armed && m->due_ts >= 0 && m->window_ts >= 0 &&
		    !m->overdue_told && overdue(o, m->due_ts, &m->overdue_told,
						now))
			tell_overdue(o, j, M, -1, m->armed_ts, m->due_ts, now);
	}
}

int oracle_advance(struct oracle *o, int64_t now)
{
	if (o->error[0])
		return -1;
	if (o->n_events)
		overdue_scan(o, now);
	return 0;
}
