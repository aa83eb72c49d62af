/* Obligations: arming, voiding and settling T, E and F(i), and coalescing M. */
#include <stdlib.h>

#include "oracle_internal.h"

/* ---- T, E and F obligations --------------------------------------- */

int obl_arm(struct oracle *o, struct job *j, struct obl *b, int kind,
	    int32_t file, const struct bgc_record *r)
{
	int64_t due = job_routed(j, kind) ? r->ts : -1;

	if (b->armed)
		return 0;
	if (notif_new(o, j, kind, file, r->ts, due, &b->notif))
		return -1;
	b->armed = true;
	b->gen++;
	b->arm_epoch = j->epoch_known ? j->epoch : 0;
	b->engine_arming = 0;	/* its notify_armed follows */
	b->voided = false;
	b->file = file;
	b->armed_ts = r->ts;
	b->due_ts = due;
	b->armed_ev = evidence_of(r);
	b->begun = b->handed_to_cmdline = false;
	b->discharged = b->fail_pending = b->maybe = false;
	b->overdue_told = false;
	overdue_watch(o, due);
	return 0;
}

void obl_void(struct job *j, struct obl *b, int64_t ts)
{
	if (b->armed) {
		b->armed = false;
		b->voided = true;
		b->voided_ts = ts;
		notif_close(j, b->notif, ORACLE_VOIDED, ts);
	}
}

void obl_discharge(struct job *j, struct obl *b,
		   const struct bgc_record *r)
{
	b->armed = false;
	b->discharged = true;
	b->discharge_epoch = r->epoch;
	b->discharge_incarnation = j->incarnation;
	b->discharge_eng = j->eng;
	b->discharge_ev = evidence_of(r);
	notif_close(j, b->notif, ORACLE_DISCHARGED, r->ts);
}

struct obl *first_armed_f(struct job *j)
{
	size_t i;

	for (i = 0; i < j->L->n_f; i++) {
		if (j->L->f[i].armed)
			return &j->L->f[i];
	}
	return NULL;
}

/* The armed F(file) if any, else its latest arming. */
static struct obl *find_f(struct job *j, int32_t file)
{
	struct obl *last = NULL;
	size_t i;

	for (i = 0; i < j->L->n_f; i++) {
		if (j->L->f[i].file != file)
			continue;
		if (j->L->f[i].armed)
			return &j->L->f[i];
		last = &j->L->f[i];
	}
	return last;
}

struct obl *obl_for(struct job *j, int kind, int32_t file)
{
	switch (kind) {
	case T:
		return &j->L->t;
	case E:
		return &j->L->e;
	case F:
		return find_f(j, file);
	default:
		return NULL;
	}
}

/* ---- JobModification ---------------------------------------------- */

static int64_t mod_deadline(const struct oracle *o, const struct job *j)
{
	return ns_add(ns_add(j->L->m.window_ts, j->interval_ns), o->cfg.grace_ns);
}

/* G1 for M: it had a deliverable window and did not begin within it. */
bool mod_missed(struct oracle *o, struct job *j, int64_t ts,
		const struct bgc_record *r, const char *how)
{
	struct oracle_finding *f;

	if (j->L->m.window_ts < 0 || ts <= mod_deadline(o, j) ||
	    j->L->m.lost_reported)
		return false;
	j->L->m.lost_reported = true;
	f = finding_add(o, j, ORACLE_G1_LOST, M, -1, ts,
		    "JOB_MODIFICATION armed at +%.3f ms %s; it was due by "
		    "+%.3f ms (interval %.3f ms + grace %.3f ms)",
		    trace_ms(o, j->L->m.armed_ts), how,
		    trace_ms(o, mod_deadline(o, j)), NAMES_MS(j->interval_ns),
		    NAMES_MS(o->cfg.grace_ns));
	if (f)
		f->armed_ts = j->L->m.armed_ts;
	finding_cite(f, j->L->m.armed_ev);
	if (r)
		finding_cite(f, evidence_of(r));
	cite_engine_arming(f, j, M);
	return true;
}

int mod_arm(struct oracle *o, struct job *j, const struct bgc_record *r)
{
	int64_t due = job_routed(j, M) ? r->ts : -1;

	if (state_is_final(j->state) || !job_allows(j, M))
		return 0;
	if (j->L->m.armed) {
		/* Coalesced; a change made while routed is owed. */
		if (j->L->m.window_ts < 0 && job_routed(j, M)) {
			j->L->m.window_ts = r->ts;
			if (j->L->m.due_ts < 0)
				j->L->m.due_ts = r->ts;
			overdue_watch(o, j->L->m.due_ts);
		}
		return 0;
	}
	if (notif_new(o, j, M, -1, r->ts, due, &j->L->m.notif))
		return -1;
	j->L->m.armed = true;
	j->L->m.lost_reported = false;
	j->L->m.overdue_told = false;
	j->L->m.armed_ts = r->ts;
	j->L->m.due_ts = j->L->m.window_ts = due;
	j->L->m.armed_ev = evidence_of(r);
	overdue_watch(o, due);
	return 0;
}

void mod_void(struct oracle *o, struct job *j,
	      const struct bgc_record *r)
{
	if (!j->L->m.armed)
		return;
	mod_missed(o, j, r->ts, r, "never began before it was voided");
	j->L->m.armed = false;
	notif_close(j, j->L->m.notif, j->L->m.lost_reported ?
		    ORACLE_LOST : ORACLE_VOIDED, r->ts);
}

/* ---- route (interface or command line) ---------------------------- */

static void obl_route_changed(struct oracle *o, struct job *j, struct obl *b,
			      int kind, int64_t ts)
{
	struct oracle_notif *n;

	if (!b->armed)
		return;
	if (job_routed(j, kind) && b->due_ts < 0) {
		b->due_ts = ts;
		overdue_watch(o, ts);
	} else if (!job_routed(j, kind) && !b->begun) {
		b->due_ts = -1;
	}
	n = notif_of(j, b->notif);
	if (n && n->due_ts < 0)
		n->due_ts = b->due_ts;
}

void route_changed(struct oracle *o, struct job *j, int64_t ts)
{
	size_t i;

	obl_route_changed(o, j, &j->L->t, T, ts);
	obl_route_changed(o, j, &j->L->e, E, ts);
	for (i = 0; i < j->L->n_f; i++)
		obl_route_changed(o, j, &j->L->f[i], F, ts);
	/* Changes made while nobody listened may be delivered later but
	 * are not owed: the contract only parks T, E and F. */
	if (j->L->m.armed && !job_routed(j, M))
		j->L->m.window_ts = -1;
}

/* ---- settling open obligations ------------------------------------ */

static bool job_busy(const struct job *j)
{
	return j->L->callbacks_running > 0 ||
	       (j->eng && j->eng->cap && j->eng->inflight >= j->eng->cap);
}

static bool inflight_for(const struct job *j, int kind, int32_t file)
{
	size_t i;

	for (i = 0; i < j->L->n_inflight; i++) {
		if (j->L->inflight[i].kind == kind &&
		    (kind != F || j->L->inflight[i].file == file))
			return true;
	}
	return false;
}

/*
 * What an obligation still open at `horizon' (the last sign of life of its
 * engine) amounts to.  Lost needs proof: deliverable for longer than the
 * grace (or the retry delay plus grace after a failure) with nothing
 * running or in the way.
 */
static enum oracle_outcome obl_settle_outcome(struct oracle *o, struct job *j,
					      struct obl *b, int kind,
					      int64_t horizon)
{
	if (!job_routed(j, kind) || b->due_ts < 0)
		return ORACLE_PARKED;
	if (inflight_for(j, kind, b->file) || job_busy(j))
		return ORACLE_PENDING;
	if (b->fail_pending) {
		if (ns_sub(horizon, b->fail_ts) <
		    ns_add(b->fail_retry_ns, o->cfg.grace_ns))
			return ORACLE_PENDING;
	} else if (ns_sub(horizon, b->due_ts) <= o->cfg.grace_ns) {
		return ORACLE_PENDING;
	}
	if (kind != F && first_armed_f(j))
		return ORACLE_PENDING;	/* blocked behind an F, lost there */
	return ORACLE_LOST;
}

static void obl_settle(struct oracle *o, struct job *j, struct obl *b,
		       int kind, int64_t horizon)
{
	enum oracle_outcome out;
	struct oracle_finding *f;

	if (!b->armed)
		return;
	out = obl_settle_outcome(o, j, b, kind, horizon);
	/* Restored without its history: it may have been delivered before
	 * the trace began (the trace does not show what is owed, K21). */
	if (out == ORACLE_LOST && b->maybe)
		out = ORACLE_PENDING;
	if (out == ORACLE_PENDING && j->eng && j->eng->ended)
		out = ORACLE_CARRIED;
	if (out == ORACLE_LOST) {
		f = finding_add(o, j, ORACLE_G1_LOST, kind, b->file, horizon,
			    "%s armed at +%.3f ms, deliverable since +%.3f ms, "
			    "%s; still owed at +%.3f ms, the engine's last "
			    "activity", names_kind(kind),
			    trace_ms(o, b->armed_ts), trace_ms(o, b->due_ts),
			    b->fail_pending ? "last attempt failed" :
			    "never attempted", trace_ms(o, horizon));
		if (f)
			f->armed_ts = b->armed_ts;
		finding_cite(f, b->armed_ev);
		if (b->fail_pending)
			finding_cite(f, b->fail_ev);
		else if (j->epoch_known)
			finding_cite(f, j->epoch_ev);
		cite_engine_arming(f, j, kind);
	}
	b->armed = false;
	notif_close(j, b->notif, out, -1);
}

static void mod_settle(struct oracle *o, struct job *j, int64_t horizon)
{
	enum oracle_outcome out;

	if (!j->L->m.armed)
		return;
	if (j->L->m.window_ts < 0)
		out = ORACLE_PARKED;
	else if (mod_missed(o, j, horizon, NULL, "never began"))
		out = ORACLE_LOST;
	else
		out = j->eng && j->eng->ended ? ORACLE_CARRIED : ORACLE_PENDING;
	j->L->m.armed = false;
	notif_close(j, j->L->m.notif, out, -1);
}

/*
 * Settles what is still owed when the trace ends.  `horizon' is the last
 * sign of life of the job's engine: an engine that ended (closed, or
 * crashed and was superseded) carries its open obligations over.
 */
void job_settle(struct oracle *o, struct job *j, int64_t horizon)
{
	size_t i;

	if (!j->L)
		return;
	obl_settle(o, j, &j->L->t, T, horizon);
	obl_settle(o, j, &j->L->e, E, horizon);
	for (i = 0; i < j->L->n_f; i++)
		obl_settle(o, j, &j->L->f[i], F, horizon);
	mod_settle(o, j, horizon);
}
