/*
 * Events that change the model: engine open, restore, state, flags,
 * interface, properties, files, tracer loss.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_internal.h"

/* ---- event handlers ----------------------------------------------- */

int on_engine_open(struct oracle *o, const struct bgc_record *r)
{
	struct engine *eng;
	size_t i;

	if (r->trace_schema < ORACLE_SCHEMA_OLDEST ||
	    r->trace_schema > ORACLE_SCHEMA)
		return oracle_set_error(o, "trace schema %" PRIu64 " is not supported "
				 "(this analysis reads schemas %d to %d)",
				 r->trace_schema, ORACLE_SCHEMA_OLDEST,
				 ORACLE_SCHEMA);
	eng = engine_get(o, r->engine);
	if (!eng)
		return -1;
	/* A read-only engine (bgcopy info, list) only looks: it does not
	 * take the store over from the engine that holds it. */
	eng->inspector = r->dispatcher_threads == 0;
	for (i = 0; i < o->n_engines && !eng->inspector; i++) {
		struct engine *prev = o->engines[i];

		if (prev != eng && prev->store && r->store &&
		    strcmp(prev->store, r->store) == 0)
			engine_end(prev, prev->last_ts);
	}
	free(eng->store);
	eng->store = strdup(r->store ? r->store : "");
	if (!eng->store)
		return oracle_set_error(o, "out of memory");
	eng->cap = r->dispatcher_threads ? (uint32_t) r->dispatcher_threads :
		   DEFAULT_CAP;	/* an inspector runs no callback anyway */
	eng->ended = eng->closed = false;
	return 0;
}

/* T/E owed by the restored state, unless delivered before the restart. */
static int restore_te(struct oracle *o, struct job *j, struct obl *b,
		      int kind, int64_t state, const struct bgc_record *r)
{
	if (j->state != state || !job_allows(j, kind)) {
		obl_void(j, b, r->ts);
		return 0;
	}
	if (b->discharged && !b->armed)
		return 0;	/* persisted as delivered: not owed again */
	if (obl_arm(o, j, b, kind, -1, r))
		return -1;
	b->maybe = j->history_unknown;
	return 0;
}

int on_restored(struct oracle *o, struct job *j, struct engine *eng,
		const struct bgc_record *r)
{
	size_t i;

	if (j->n_events > 1)
		j->incarnation++;
	else
		j->history_unknown = true;	/* first seen here */
	j->eng = eng;
	j->L->n_inflight = 0;
	j->L->callbacks_running = 0;
	j->iface = 0;		/* not persisted [BITS] */
	j->iface_released = false;
	j->epoch_known = false;
	/* The command line is persisted: without the field, keep what the
	 * trace showed before, if it showed the job. */
	j->cmdline_known = !j->history_unknown && j->cmdline_known;
	job_set_info(j, r);
	if (j->L->m.armed) {
		j->L->m.armed = false;
		notif_close(j, j->L->m.notif, ORACLE_VOIDED, r->ts);
	}
	j->L->m.have_last = false;
	/* A new process makes fresh attempts. */
	j->L->t.fail_pending = j->L->e.fail_pending = false;
	for (i = 0; i < j->L->n_f; i++)
		j->L->f[i].fail_pending = j->L->f[i].handed_to_cmdline = false;
	if (restore_te(o, j, &j->L->t, T, BGCOPY_TP_TRANSFERRED, r) ||
	    restore_te(o, j, &j->L->e, E, BGCOPY_TP_ERROR, r))
		return -1;
	route_changed(o, j, r->ts);
	return 0;
}

int on_state_change(struct oracle *o, struct job *j,
		    const struct bgc_record *r)
{
	int64_t before = j->state;
	size_t i;

	j->state = r->to;
	if (r->to != BGCOPY_TP_TRANSFERRED)
		obl_void(j, &j->L->t, r->ts);
	if (r->to != BGCOPY_TP_ERROR)
		obl_void(j, &j->L->e, r->ts);
	if (state_is_final(r->to)) {
		for (i = 0; i < j->L->n_f; i++)
			obl_void(j, &j->L->f[i], r->ts);
		if (j->final_ts < 0)
			j->final_ts = r->ts;
		/* The engine drops its registration (interface_release
		 * follows, with no interface_set). */
		j->iface = 0;
	}
	if (r->to == BGCOPY_TP_ERROR || r->to == BGCOPY_TP_TRANSFERRED ||
	    state_is_final(r->to))
		mod_void(o, j, r);
	else if (mod_arm(o, j, r))
		return -1;
	if (before == r->to)
		return 0;
	if (r->to == BGCOPY_TP_TRANSFERRED && job_allows(j, T))
		return obl_arm(o, j, &j->L->t, T, -1, r);
	if (r->to == BGCOPY_TP_ERROR && job_allows(j, E))
		return obl_arm(o, j, &j->L->e, E, -1, r);
	return 0;
}

int on_flags_change(struct oracle *o, struct job *j,
		    const struct bgc_record *r)
{
	bool t_was = job_allows(j, T), e_was = job_allows(j, E);
	size_t i;

	if (r->result != 0)
		return 0;	/* refused: nothing changed */
	j->flags = (uint32_t) r->new_flags;
	if (!job_allows(j, T))
		obl_void(j, &j->L->t, r->ts);
	if (!job_allows(j, E))
		obl_void(j, &j->L->e, r->ts);
	if (!job_allows(j, F)) {
		for (i = 0; i < j->L->n_f; i++)
			obl_void(j, &j->L->f[i], r->ts);
	}
	if (!job_allows(j, M))
		mod_void(o, j, r);
	if (!t_was && job_allows(j, T) && j->state == BGCOPY_TP_TRANSFERRED)
		return obl_arm(o, j, &j->L->t, T, -1, r);
	if (!e_was && job_allows(j, E) && j->state == BGCOPY_TP_ERROR)
		return obl_arm(o, j, &j->L->e, E, -1, r);
	return 0;
}

static void fresh_attempts(struct obl *b)
{
	b->fail_pending = false;
	b->handed_to_cmdline = false;
}

/*
 * The engine arms afresh.  An arming no attempt served yet just becomes
 * owed in the new epoch (it stays one arming in the history, due from
 * now); one an attempt served is superseded, so that attempt's outcome
 * discharges nothing of the new one.
 */
static int rearm(struct oracle *o, struct job *j, struct obl *b, int kind,
		 const struct bgc_record *r)
{
	if (b->armed && !b->begun) {
		b->arm_epoch = j->epoch;
		b->maybe = false;	/* owed now, whatever came before */
		return 0;
	}
	obl_void(j, b, r->ts);
	return obl_arm(o, j, b, kind, -1, r);
}

int on_interface_set(struct oracle *o, struct job *j,
		     const struct bgc_record *r)
{
	size_t i;

	j->epoch = r->new_epoch;
	j->epoch_known = true;
	j->epoch_ev = evidence_of(r);
	j->iface = r->iface;
	j->iface_epoch = r->new_epoch;
	j->iface_released = false;
	/* A new interface gets its own attempts. */
	fresh_attempts(&j->L->t);
	fresh_attempts(&j->L->e);
	for (i = 0; i < j->L->n_f; i++)
		fresh_attempts(&j->L->f[i]);
	/* Registering after the event still delivers it [BITS], whatever
	 * came before: a new arming in the new epoch, which nothing begun
	 * for an earlier one discharges (section 9).  Removing the
	 * interface registers nothing. */
	if (r->iface && j->state == BGCOPY_TP_TRANSFERRED && job_allows(j, T) &&
	    rearm(o, j, &j->L->t, T, r))
		return -1;
	if (r->iface && j->state == BGCOPY_TP_ERROR && job_allows(j, E) &&
	    rearm(o, j, &j->L->e, E, r))
		return -1;
	route_changed(o, j, r->ts);
	return 0;
}

/* Durations in property values: "<n>", "<n>ms" or "<n>s"; bare is ms. */
static bool parse_duration(const char *v, int64_t *ns)
{
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return false;
	n = strtoull(v, &end, 10);
	if (end == v)
		return false;
	if (!*end || strcmp(end, "ms") == 0)
		*ns = ns_of(n, MS);
	else if (strcmp(end, "s") == 0)
		*ns = ns_of(n, 1000 * MS);
	else
		return false;
	return true;
}

int on_property_change(struct oracle *o, struct job *j,
		       const struct bgc_record *r)
{
	switch (r->property) {
	case BGCOPY_TP_PROP_DISPLAY_NAME: {
		char *name = strdup(r->value ? r->value : "");

		if (!name)
			return oracle_set_error(o, "out of memory");
		free(j->name);
		j->name = name;
		break;
	}
	case BGCOPY_TP_PROP_MIN_RETRY_DELAY:
		if (!parse_duration(r->value, &j->retry_ns))
			job_taint(j, "unreadable MIN_RETRY_DELAY value \"%s\"",
			      r->value ? r->value : "");
		break;
	case BGCOPY_TP_PROP_MODIFICATION_INTERVAL:
		if (!parse_duration(r->value, &j->interval_ns))
			job_taint(j, "unreadable MODIFICATION_INTERVAL value "
			      "\"%s\"", r->value ? r->value : "");
		break;
	case BGCOPY_TP_PROP_NOTIFY_CMDLINE:
		j->cmdline = r->value && *r->value;
		/* Cleared, it hands back what it took over (section 9). */
		if (!j->cmdline) {
			j->L->t.handed_to_cmdline = j->L->e.handed_to_cmdline =
				false;
			j->L->cmdline_cleared_ts = r->ts;
		}
		route_changed(o, j, r->ts);
		break;
	default:
		break;
	}
	return mod_arm(o, j, r);
}

int on_file_complete(struct oracle *o, struct job *j,
		     const struct bgc_record *r)
{
	struct obl *b;

	if (!job_allows(j, F) || state_is_final(j->state))
		return 0;
	b = PUSH(o, j->L->f, j->L->n_f, j->L->f_cap);
	if (!b)
		return -1;
	return obl_arm(o, j, b, F, (int32_t) r->file_index, r);
}

/*
 * The engine let go of a registration.  A replaced one is released once
 * no callback runs on it; a final job's is dropped at its state change;
 * the current one otherwise only when the engine closes.  Nothing may
 * begin on it afterwards, but what it owed stays judged as owed while it
 * was registered (G1 at the engine's end, carried over otherwise).
 */
void on_interface_release(struct job *j, const struct bgc_record *r)
{
	if (j->iface && r->iface == j->iface && r->epoch == j->iface_epoch)
		j->iface_released = true;
}

void on_engine_armed(struct job *j, const struct bgc_record *r)
{
	struct obl *b;

	if (r->kind > 0 && r->kind < ORACLE_KINDS) {
		j->L->engine_armed[r->kind] = true;
		j->L->engine_armed_ev[r->kind] = evidence_of(r);
	}
	/* Schema 2 names the arming: attempts say which one they serve.
	 * It follows the event that armed it, so it names the open one. */
	b = r->has_arming ? obl_for(j, (int) r->kind, (int32_t) r->file_index) :
	    NULL;
	if (b && b->armed)
		b->engine_arming = r->arming;
}

/* ---- tracer loss -------------------------------------------------- */

/* Could the stream set that lost events have carried the job's? */
static bool loss_reaches(const struct job *j, const struct loss *l)
{
	size_t i;

	if (l->in.pid < 0 && l->in.uid < 0)
		return true;	/* not known: any stream */
	for (i = 0; i < j->n_streams; i++) {
		if ((l->in.pid >= 0 && j->streams[i].pid == l->in.pid) ||
		    (l->in.uid >= 0 && j->streams[i].uid == l->in.uid))
			return true;
	}
	return false;
}

void taint_by_loss(struct oracle *o, struct job *j,
		   const struct loss *l)
{
	const char *what = l->packets ? "packets" : "events";

	/* Streams are per CPU, so any job alive in the window may have lost
	 * events there, if that stream set carries its events: the same
	 * process with per-PID buffers, the same user with per-UID. */
	if (j->pub.first_ts > l->end ||
	    (j->final_ts >= 0 && j->final_ts < l->begin) ||
	    !loss_reaches(j, l))
		return;
	if (l->count)
		job_taint(j, "tracer discarded %" PRIu64 " %s between +%.3f ms "
		      "and +%.3f ms", l->count, what,
		      l->has_window ? trace_ms(o, l->begin) : 0.0,
		      trace_ms(o, l->end));
	else
		job_taint(j, "tracer discarded %s before +%.3f ms", what,
		      trace_ms(o, l->end));
}

int on_discarded(struct oracle *o, const struct bgc_record *r)
{
	struct loss *l = PUSH(o, o->losses, o->n_losses, o->losses_cap);
	size_t i;

	if (!l)
		return -1;
	/* Without a window, every job seen so far and still alive. */
	*l = (struct loss) {
		.begin = r->disc_has_window ? r->disc_begin : INT64_MIN,
		.end = r->disc_has_window ? r->disc_end : o->last_ts,
		.count = r->disc_count, .packets = r->disc_packets,
		.has_window = r->disc_has_window,
		.in = { .pid = r->stream_pid, .uid = r->stream_uid },
	};
	for (i = 0; i < o->n_engines; i++) {
		if (!o->engines[i]->ended || o->engines[i]->last_ts >= l->begin)
			o->engines[i]->lossy = true;
	}
	/* Jobs seen so far now; those that appear later, inside the window
	 * (the muxer orders this message by its beginning), at the end. */
	for (i = 0; i < o->n_jobs; i++)
		taint_by_loss(o, o->jobs[i], l);
	return 0;
}
