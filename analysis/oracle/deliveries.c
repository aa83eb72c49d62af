/*
 * Deliveries: callback and command-line runs checked against what is owed
 * (G2-G7).
 */
#include <inttypes.h>
#include <stdio.h>

#include "oracle_internal.h"

static const char *why_not_owed(const struct job *j, int kind, char *buf,
				size_t len)
{
	if (j->flags & FLAG_DISABLE)
		snprintf(buf, len, "DISABLE is set (flags 0x%x)", j->flags);
	else if (!(j->flags & kind_flag(kind)))
		snprintf(buf, len, "flags 0x%x do not allow it", j->flags);
	else if (kind == T && j->state != BGCOPY_TP_TRANSFERRED)
		snprintf(buf, len, "job is %s, not TRANSFERRED",
			 names_state(j->state));
	else if (kind == E && j->state != BGCOPY_TP_ERROR)
		snprintf(buf, len, "job is %s, not ERROR",
			 names_state(j->state));
	else if (kind == M)
		snprintf(buf, len, "nothing changed since the last "
			 "JOB_MODIFICATION");
	else if (kind == F)
		snprintf(buf, len, "no completed file is owed");
	else
		snprintf(buf, len, "nothing of that kind is owed");
	return buf;
}

/*
 * Schema 1 stamps cmdline_run after the spawn, the lock released between
 * the decision and the stamp: a void or a cleared command line since the
 * job's last delivery ended may have come after the decision.  The trace
 * cannot tell, so such a finding proves nothing (section 9).
 */
static void schema1_spawn_doubt(struct oracle_finding *f, const struct job *j,
				const struct bgc_record *r, const struct obl *b)
{
	if (f && !r->has_arming &&
	    ((b && !b->armed && b->voided &&
	      b->voided_ts >= j->L->last_end_ts) ||
	     (j->L->cmdline_cleared_ts != INT64_MIN &&
	      j->L->cmdline_cleared_ts >= j->L->last_end_ts)))
		f->inconclusive = true;
}

/* Checks a T, E or F attempt against the model; returns its arming. */
static struct obl *obl_begin(struct oracle *o, struct job *j,
			     const struct bgc_record *r, bool cmdline)
{
	int kind = (int) r->kind;
	int32_t file = (int32_t) r->file_index;
	struct obl *b = obl_for(j, kind, file), *head;
	struct oracle_finding *f;
	char why[96];

	/* Schema 1 stamps cmdline_run after the spawn, with the epoch of the
	 * decision: older than the arming, the run served an earlier one
	 * and discharges nothing of this one. */
	if (cmdline && !r->has_arming && b && b->armed &&
	    r->epoch < b->arm_epoch)
		return NULL;
	/* Schema 2 says which arming it serves: not the open one, then an
	 * earlier, superseded one, which nothing of this one owes to. */
	if (r->has_arming && b && b->armed && b->engine_arming &&
	    r->arming != b->engine_arming)
		return NULL;
	if (!b || !b->armed) {
		if (b && b->discharged &&
		    b->discharge_incarnation != j->incarnation &&
		    b->discharge_eng && b->discharge_eng->closed) {
			/* Discharges are persisted at once: an engine that
			 * closed cleanly cannot have lost this one. */
			f = finding_add(o, j, ORACLE_G2_DUPLICATE, kind, file,
				    r->ts, "%s delivered again after a clean "
				    "restart, with no new interface: it was "
				    "discharged before engine 0x%" PRIx64
				    " closed", names_kind(kind),
				    b->discharge_eng->id);
			finding_cite(f, b->discharge_ev);
		} else if (b && b->discharged &&
			   b->discharge_incarnation != j->incarnation) {
			f = finding_add(o, j, ORACLE_NOTE_REDELIVERED, kind, file,
				    r->ts, "%s redelivered after restart "
				    "(at-least-once)", names_kind(kind));
			finding_cite(f, b->discharge_ev);
		} else if (b && b->discharged &&
			   (cmdline || b->discharge_epoch == r->epoch)) {
			f = finding_add(o, j, ORACLE_G2_DUPLICATE, kind, file,
				    r->ts, "%s delivered again in epoch %" PRIu64
				    " after it was discharged",
				    names_kind(kind), r->epoch);
			finding_cite(f, b->discharge_ev);
		} else if (kind == F && j->history_unknown) {
			return NULL;	/* history before the restore unknown */
		} else {
			f = finding_add(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
				    "%s with nothing owed: %s",
				    names_kind(kind),
				    why_not_owed(j, kind, why, sizeof(why)));
			cite_engine_arming(f, j, kind);
			if (cmdline)
				schema1_spawn_doubt(f, j, r, b);
		}
		finding_cite(f, evidence_of(r));
		return NULL;
	}
	if (cmdline && !j->cmdline && j->cmdline_known) {
		f = finding_add(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s command line run with no notify command line "
			    "set", names_kind(kind));
		finding_cite(f, evidence_of(r));
		schema1_spawn_doubt(f, j, r, NULL);
	} else if (!cmdline && b->handed_to_cmdline) {
		f = finding_add(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s callback after the command line took the "
			    "notification", names_kind(kind));
		finding_cite(f, evidence_of(r));
	}
	/* After a failed callback the command line may run at once. */
	if (b->fail_pending && (b->fail_cmdline || !cmdline) &&
	    ns_sub(r->ts, b->fail_ts) < ns_sub(b->fail_retry_ns, RETRY_SLACK)) {
		f = finding_add(o, j, ORACLE_G7_MISORDERED, kind, file, r->ts,
			    "%s retried %.3f ms after a failed attempt; "
			    "minimum retry delay is %.3f ms", names_kind(kind),
			    NAMES_MS(ns_sub(r->ts, b->fail_ts)),
			    NAMES_MS(b->fail_retry_ns));
		finding_cite(f, b->fail_ev);
		finding_cite(f, evidence_of(r));
	}
	head = first_armed_f(j);
	if (head && head != b) {
		f = finding_add(o, j, ORACLE_G7_MISORDERED, kind, file, r->ts,
			    "%s began while FILE_TRANSFERRED for file %d, "
			    "completed at +%.3f ms, is still owed",
			    names_kind(kind), head->file,
			    trace_ms(o, head->armed_ts));
		finding_cite(f, head->armed_ev);
		finding_cite(f, evidence_of(r));
	}
	if (!b->begun) {
		struct oracle_notif *n = notif_of(j, b->notif);

		b->begun = true;
		if (n)
			n->first_begin_ts = r->ts;
		if (b->due_ts >= 0)
			record_latency(o, j, kind, file, b->due_ts, r->ts, r);
	}
	if (notif_of(j, b->notif))
		notif_of(j, b->notif)->attempts++;
	if (cmdline)
		b->handed_to_cmdline = true;
	b->fail_pending = false;
	return b;
}

static void mod_begin(struct oracle *o, struct job *j,
		      const struct bgc_record *r)
{
	struct oracle_finding *f;
	struct oracle_notif *n;
	char why[96];

	if (!j->L->m.armed || !job_allows(j, M)) {
		f = finding_add(o, j, ORACLE_G3_SPURIOUS, M, -1, r->ts,
			    "JOB_MODIFICATION with nothing owed: %s",
			    why_not_owed(j, M, why, sizeof(why)));
		if (j->L->m.have_last)
			finding_cite(f, j->L->m.last_ev);
		finding_cite(f, evidence_of(r));
		cite_engine_arming(f, j, M);
	} else {
		mod_missed(o, j, r->ts, r, "began late");
		if (j->L->m.due_ts >= 0)
			record_latency(o, j, M, -1, j->L->m.due_ts, r->ts, r);
		n = notif_of(j, j->L->m.notif);
		if (n) {
			n->first_begin_ts = r->ts;
			n->attempts = 1;
		}
		/* One delivery discharges every earlier arming. */
		j->L->m.armed = false;
		notif_close(j, j->L->m.notif, j->L->m.lost_reported ?
			    ORACLE_LOST : ORACLE_DISCHARGED, r->ts);
	}
	if (j->L->m.have_last &&
	    ns_sub(r->ts, j->L->m.last_begin_ts) <
	    ns_sub(j->interval_ns, MOD_SLACK)) {
		f = finding_add(o, j, ORACLE_G7_MISORDERED, M, -1, r->ts,
			    "two JOB_MODIFICATION began %.3f ms apart; "
			    "interval is %.3f ms",
			    NAMES_MS(ns_sub(r->ts, j->L->m.last_begin_ts)),
			    NAMES_MS(j->interval_ns));
		finding_cite(f, j->L->m.last_ev);
		finding_cite(f, evidence_of(r));
	}
	j->L->m.have_last = true;
	j->L->m.last_begin_ts = r->ts;
	j->L->m.last_ev = evidence_of(r);
}

/*
 * Serialization and dispatcher checks.  A command line occupies a
 * dispatcher and keeps its job busy like a callback; cmdline_run is
 * stamped once the program is spawned.  False: the delivery is judged
 * already (G3, G4) and must not also be matched against what is owed.
 */
static bool begin_checks(struct oracle *o, struct job *j,
			 const struct bgc_record *r, bool cmdline)
{
	int kind = (int) r->kind;
	int32_t file = (int32_t) r->file_index;
	const char *what = cmdline ? "command line" : "callback";
	struct oracle_finding *f;

	if (j->L->callbacks_running) {
		f = finding_add(o, j, ORACLE_G5_OVERLAP, kind, file, r->ts,
			    "%s %s began while %s of the job was running",
			    names_kind(kind), what, j->L->n_inflight &&
			    j->L->inflight[0].cmdline ? "a command line" :
			    "another callback");
		if (j->L->n_inflight)
			finding_cite(f, j->L->inflight[0].ev);
		finding_cite(f, evidence_of(r));
	}
	if (j->eng && j->eng->cap && j->eng->inflight >= j->eng->cap) {
		f = finding_add(o, j, ORACLE_G6_OVER_CONCURRENCY, kind, file,
			    r->ts, "%s %s began with %u deliveries already "
			    "running in engine 0x%" PRIx64 " (dispatcher allows "
			    "%u)", names_kind(kind), what, j->eng->inflight,
			    j->eng->id, j->eng->cap);
		/* Lost callback_end events of other jobs inflate the count. */
		if (f)
			f->inconclusive = j->eng->lossy;
		finding_cite(f, evidence_of(r));
	}
	/* A command line is spawned with the lock released: an epoch may
	 * begin before cmdline_run is stamped.  Not so for a callback. */
	if (!cmdline && j->epoch_known && r->epoch < j->epoch) {
		f = finding_add(o, j, ORACLE_G4_AFTER_RELEASE, kind, file, r->ts,
			    "%s began on epoch %" PRIu64 " after epoch %"
			    PRIu64 " began", names_kind(kind), r->epoch,
			    j->epoch);
		finding_cite(f, j->epoch_ev);
		finding_cite(f, evidence_of(r));
		return false;
	}
	/* G4 is about the object: the current epoch on a replaced one. */
	if (!cmdline && j->iface && r->iface != j->iface) {
		f = finding_add(o, j, ORACLE_G4_AFTER_RELEASE, kind, file, r->ts,
			    "%s began on interface 0x%" PRIx64 " after "
			    "interface 0x%" PRIx64 " replaced it (epoch %"
			    PRIu64 ")", names_kind(kind), r->iface, j->iface,
			    j->iface_epoch);
		finding_cite(f, j->epoch_ev);
		finding_cite(f, evidence_of(r));
		return false;
	}
	if (state_is_final(j->state)) {
		f = finding_add(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s on a job that is %s", names_kind(kind),
			    names_state(j->state));
		finding_cite(f, evidence_of(r));
		if (cmdline)
			schema1_spawn_doubt(f, j, r, obl_for(j, kind, file));
		return false;
	}
	if (!cmdline && (!j->iface || j->iface_released)) {
		f = finding_add(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s callback with no interface registered%s",
			    names_kind(kind), j->iface_released ?
			    " (the engine released it)" : "");
		finding_cite(f, evidence_of(r));
		return false;
	}
	return true;
}

int on_begin(struct oracle *o, struct job *j,
	     const struct bgc_record *r, bool cmdline)
{
	int kind = (int) r->kind;
	struct oracle_delivery *d = NULL;
	struct inflight *in;
	struct obl *b = NULL;
	bool check;

	if (kind <= 0 || kind >= ORACLE_KINDS)
		return 0;	/* unknown kind: a newer engine */
	if (o->cfg.keep_history) {
		d = PUSH(o, j->deliveries, j->n_deliveries,
			 j->deliveries_cap);
		if (!d)
			return -1;
		*d = (struct oracle_delivery) {
			.kind = kind, .file_index = (int32_t) r->file_index,
			.epoch = r->epoch, .attempt = (uint32_t) r->attempt,
			.cmdline = cmdline, .begin_ts = r->ts, .end_ts = -1,
			.vtid = r->vtid, .notif = SIZE_MAX,
		};
	}
	if (!cmdline)
		j->pub.callbacks[kind]++;
	check = begin_checks(o, j, r, cmdline);
	if (check && kind == M && !cmdline)
		mod_begin(o, j, r);
	else if (check)
		b = obl_begin(o, j, r, cmdline);

	in = PUSH(o, j->L->inflight, j->L->n_inflight, j->L->inflight_cap);
	if (!in)
		return -1;
	*in = (struct inflight) {
		.kind = kind, .file = (int32_t) r->file_index,
		.epoch = r->epoch, .attempt = r->attempt, .cmdline = cmdline,
		.pid = r->pid, .gen = b ? b->gen : 0,
		.has_arming = r->has_arming, .arming = r->arming,
		.delivery = d ? j->n_deliveries - 1 : SIZE_MAX, .ev = evidence_of(r),
	};
	if (b && d)
		d->notif = b->notif;
	j->L->callbacks_running++;
	if (j->eng)
		j->eng->inflight++;
	return 0;
}

static struct inflight *inflight_match(struct job *j,
				       const struct bgc_record *r,
				       bool cmdline)
{
	size_t i;

	for (i = 0; i < j->L->n_inflight; i++) {
		struct inflight *in = &j->L->inflight[i];

		if (in->cmdline != cmdline || in->kind != r->kind ||
		    (in->has_arming && r->has_arming && in->arming != r->arming))
			continue;
		if (cmdline ? in->pid == r->pid :
		    in->file == r->file_index && in->epoch == r->epoch &&
		    in->attempt == r->attempt)
			return in;
	}
	return NULL;
}

/* Schema 5: the engine's callback handed this attempt to a client. */
void on_forwarded(struct job *j, const struct bgc_record *r)
{
	struct inflight *in = inflight_match(j, r, false);

	if (in && r->pid > 0) {
		in->forwarded_to = r->pid;
		in->forwarded_start = r->pid_start;
		in->forwarded_ts = r->ts;
	}
}

/* The outcome of an ended attempt for the arming it served: true when
 * its success discharged it. */
static bool end_settles(struct job *j, const struct inflight *in,
			const struct bgc_record *r, bool cmdline,
			int32_t result)
{
	struct obl *b;

	if (in->kind == M || !in->gen)
		return false;	/* M's return value is ignored */
	b = obl_for(j, in->kind, in->file);
	if (!b || !b->armed || b->gen != in->gen)
		return false;
	/* Schema 2: the engine re-armed it since (a new epoch re-arms F
	 * and M too): the result belongs to the arming it served. */
	if (in->has_arming && b->engine_arming && in->arming != b->engine_arming)
		return false;
	/* A new epoch re-armed it meanwhile (the engine starts its attempts
	 * over): a callback's outcome no longer counts, success or failure.
	 * A command line belongs to no interface: its exit counts. */
	if (!cmdline && j->epoch_known && r->epoch != j->epoch)
		return false;
	if (result != 0) {
		struct oracle_notif *n = notif_of(j, b->notif);

		b->fail_pending = true;
		b->fail_cmdline = cmdline;
		b->fail_ts = r->ts;
		/* The engine spaces the retry by the delay it had then. */
		b->fail_retry_ns = j->retry_ns;
		b->fail_ev = evidence_of(r);
		if (n)
			n->failures++;
		return false;
	}
	obl_discharge(j, b, r);
	return true;
}

void on_end(struct oracle *o, struct job *j, const struct bgc_record *r,
	    bool cmdline)
{
	struct inflight in, *match = inflight_match(j, r, cmdline);
	int32_t result = (int32_t) (cmdline ? r->status : r->result);
	struct oracle_delivery *d;
	bool discharged;

	if (!match)
		return;	/* its begin is not in the trace */
	in = *match;
	*match = j->L->inflight[--j->L->n_inflight];
	d = in.delivery < j->n_deliveries ? &j->deliveries[in.delivery] : NULL;
	if (d) {
		d->end_ts = r->ts;
		d->result = result;
	}
	j->L->last_end_ts = r->ts;
	if (j->L->callbacks_running)
		j->L->callbacks_running--;
	if (j->eng && j->eng->inflight)
		j->eng->inflight--;
	/* A pending M waits for the job's running delivery. */
	if (j->L->m.armed && j->L->m.window_ts >= 0 && r->ts > j->L->m.window_ts)
		j->L->m.window_ts = r->ts;
	discharged = end_settles(j, &in, r, cmdline, result);
	if (in.forwarded_to > 0)
		forward_ended(o, j, &in, r, discharged);
}
