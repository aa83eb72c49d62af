/* Schema 5: a client's receipts of the callbacks bgcopyd forwarded to it, joined to the daemon's attempts (CONTRACT.md section 7, C1-C3). */
/*
 * bgcopyd's engine records callback_forwarded (the client's pid and start)
 * inside each attempt it hands to a client; the client library records
 * client_open, then client_callback_received and _returned with the
 * daemon's engine, job, arming and attempt.  The two processes' streams
 * join on those ids, never on time or guesses.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "oracle_internal.h"

/* "engine:job:arming", the key of an arming's chain of receipts. */
static void arming_key(uint64_t engine, const char *job, uint64_t arming,
		       char *key, size_t size)
{
	snprintf(key, size, "%" PRIx64 ":%s:%" PRIu64, engine, job, arming);
}

/* The traced client process `pid' started at `start', if its receipts
 * were in the trace by `ts': the attempt's hand-over to it, which comes
 * before any receipt of it (a service the bus started for the attempt
 * opened after its begin, and before it). */
static struct client_proc *client_traced(struct oracle *o, int64_t pid,
					 uint64_t start, int64_t ts)
{
	size_t i;

	for (i = 0; i < o->n_clients; i++) {
		struct client_proc *c = &o->clients[i];

		if (c->pid == pid && c->start == start && start &&
		    c->since <= ts)
			return c;
	}
	return NULL;
}

static int on_client_open(struct oracle *o, const struct bgc_record *r)
{
	struct client_proc *c;

	if (r->vpid < 0 || !r->pid_start)
		return 0;	/* not a process the daemon's pid can name */
	c = PUSH(o, o->clients, o->n_clients, o->clients_cap);
	if (!c)
		return -1;
	*c = (struct client_proc) {
		.pid = r->vpid, .start = r->pid_start, .client = r->client,
		.since = r->ts,
		.stream = { .pid = r->stream_pid, .uid = r->stream_uid },
	};
	return 0;
}

/* C2: a second run to success of one arming at the client, found at
 * the receipt (after a success) or at the return (two successes). */
static void tell_duplicate(struct oracle *o, struct job *j, struct receipt *e,
			   const struct receipt *first,
			   const struct bgc_record *r)
{
	struct oracle_finding *f;

	e->duplicate = true;
	f = finding_add(o, j, ORACLE_G2_DUPLICATE, (int) r->kind,
		    (int32_t) r->file_index, r->ts,
		    "%s run twice to success by the client: attempt %" PRIu32
		    " (process %" PRId64 ") after attempt %" PRIu32 " returned "
		    "success, however the daemon counted them",
		    names_kind((int) r->kind), e->attempt, e->pid, first->attempt);
	finding_cite(f, first->ev);
	finding_cite(f, evidence_of(r));
}

/* A receipt of the chain from `last' on, other than `e', that returned
 * success. */
static const struct receipt *success_other_than(const struct oracle *o,
						size_t last,
						const struct receipt *e)
{
	const struct receipt *x;

	for (; last; last = x->prev) {
		x = &o->receipts[last - 1];
		if (x != e && x->returned && x->result == 0)
			return x;
	}
	return NULL;
}

/* C3: an earlier attempt of the arming received and never returned
 * (the client died in it, or the daemon stopped waiting): the
 * notification was owed again, at least once; not a duplicate. */
static void note_redelivery(struct oracle *o, struct job *j, size_t prev,
			    const struct bgc_record *r)
{
	struct oracle_finding *f;
	const struct receipt *x;

	for (; prev; prev = x->prev) {
		x = &o->receipts[prev - 1];
		if (x->returned)
			continue;
		f = finding_add(o, j, ORACLE_NOTE_REDELIVERED, (int) r->kind,
			    (int32_t) r->file_index, r->ts,
			    "%s redelivered: attempt %" PRIu32 " was received by "
			    "process %" PRId64 " and had not returned (at least "
			    "once)", names_kind((int) r->kind), x->attempt, x->pid);
		finding_cite(f, x->ev);
		finding_cite(f, evidence_of(r));
		return;
	}
}

static int on_received(struct oracle *o, const struct bgc_record *r)
{
	char key[128];
	size_t *last;
	struct receipt *e;
	const struct receipt *first;
	struct job *j = strmap_get(&o->jobs_by_id, r->job);

	arming_key(r->engine, r->job, r->arming, key, sizeof(key));
	last = strmap_get_or_add(&o->receipts_by_arming, key, sizeof(*last));
	if (!last)
		return oracle_set_error(o, "out of memory");
	e = PUSH(o, o->receipts, o->n_receipts, o->receipts_cap);
	if (!e)
		return -1;
	*e = (struct receipt) {
		.engine = r->engine, .arming = r->arming,
		.attempt = (uint32_t) r->attempt, .pid = r->vpid,
		.client = r->client, .prev = *last, .ev = evidence_of(r),
	};
	*last = o->n_receipts;
	if (!j || r->kind <= 0 || r->kind >= ORACLE_KINDS)
		return 0;	/* not a job of a traced engine */
	first = success_other_than(o, e->prev, e);
	if (first)
		tell_duplicate(o, j, e, first, r);
	else
		note_redelivery(o, j, e->prev, r);
	return 0;
}

static void on_returned(struct oracle *o, const struct bgc_record *r)
{
	char key[128];
	size_t *last, i;
	struct receipt *e = NULL;
	const struct receipt *first;
	struct job *j;

	arming_key(r->engine, r->job, r->arming, key, sizeof(key));
	last = strmap_get(&o->receipts_by_arming, key);
	for (i = last ? *last : 0; i; i = e->prev) {
		e = &o->receipts[i - 1];
		if (e->attempt == r->attempt && e->client == r->client &&
		    !e->returned)
			break;
	}
	if (!i)
		return;	/* its receipt is not in the trace: a loss, which taints */
	e->returned = true;
	e->result = (int32_t) r->result;
	j = strmap_get(&o->jobs_by_id, r->job);
	if (!j || e->result != 0 || e->duplicate || r->kind <= 0 ||
	    r->kind >= ORACLE_KINDS)
		return;
	first = success_other_than(o, *last, e);
	if (first)
		tell_duplicate(o, j, e, first, r);
}

int on_client_event(struct oracle *o, const struct bgc_record *r)
{
	if (r->type == BGC_REC_CLIENT_OPEN)
		return on_client_open(o, r);
	if (!r->job)
		return oracle_set_error(o, "a %s event has no job id: the trace "
					"is damaged", names_record(r->type));
	if (r->type == BGC_REC_CLIENT_CALLBACK_RECEIVED)
		return on_received(o, r);
	on_returned(o, r);
	return 0;
}

int forward_ended(struct oracle *o, struct job *j, const struct inflight *in,
		  const struct bgc_record *r, bool discharged)
{
	struct forward *fw;

	assert(in->forwarded_to > 0);
	fw = PUSH(o, o->forwards, o->n_forwards, o->forwards_cap);
	if (!fw)
		return -1;
	*fw = (struct forward) {
		.j = j, .engine = r->engine, .arming = in->arming,
		.attempt = (uint32_t) in->attempt, .kind = in->kind,
		.file = in->file, .pid = in->forwarded_to,
		.pid_start = in->forwarded_start,
		.begin_ts = in->ev.ts, .forwarded_ts = in->forwarded_ts,
		.end_ts = r->ts,
		.discharged = discharged, .end_ev = evidence_of(r),
	};
	return 0;
}

/* Did the client's stream set lose events while the attempt ran? */
static const struct loss *client_loss(const struct oracle *o,
				      const struct client_proc *c,
				      const struct forward *fw)
{
	size_t i;

	for (i = 0; i < o->n_losses; i++) {
		const struct loss *l = &o->losses[i];
		bool reaches = (l->in.pid < 0 && l->in.uid < 0) ||
			       (l->in.pid >= 0 && l->in.pid == c->stream.pid) ||
			       (l->in.uid >= 0 && l->in.uid == c->stream.uid);

		if (reaches && l->begin <= fw->end_ts && l->end >= fw->begin_ts)
			return l;
	}
	return NULL;
}

/* Whether `client' is one of the ids the forwarded-to process traced
 * under by the hand-over: a process may hold several (a client engine
 * and a notify service's receiver, or two engines). */
static bool client_of_forward(const struct oracle *o, uint64_t client,
			      const struct forward *fw)
{
	size_t i;

	for (i = 0; i < o->n_clients; i++) {
		const struct client_proc *c = &o->clients[i];

		if (c->client == client && c->pid == fw->pid &&
		    c->start == fw->pid_start && c->since <= fw->forwarded_ts)
			return true;
	}
	return false;
}

/* The arming's receipt of this attempt, by the process it was forwarded
 * to, that returned success. */
static bool received_success(struct oracle *o, const struct forward *fw)
{
	char key[128];
	size_t *last, i;
	const struct receipt *e;

	arming_key(fw->engine, fw->j->pub.id, fw->arming, key, sizeof(key));
	last = strmap_get(&o->receipts_by_arming, key);
	for (i = last ? *last : 0; i; i = e->prev) {
		e = &o->receipts[i - 1];
		if (e->attempt == fw->attempt && e->returned && e->result == 0 &&
		    client_of_forward(o, e->client, fw))
			return true;
	}
	return false;
}

static void settle_forward(struct oracle *o, const struct forward *fw)
{
	const struct client_proc *c = client_traced(o, fw->pid, fw->pid_start,
						    fw->forwarded_ts);
	const struct loss *l;
	struct oracle_finding *f;
	struct job *j = fw->j;

	if (!c) {
		/* Not in the trace (or only a process that had its pid
		 * before): nothing to join, so nothing proven. */
		if (!j->untraced_noted)
			finding_add(o, j, ORACLE_NOTE_CLIENT_UNTRACED, fw->kind,
				    fw->file, fw->begin_ts, "callbacks forwarded "
				    "to process %" PRId64 ", which the trace does "
				    "not hold: their receipts are not checked",
				    fw->pid);
		j->untraced_noted = true;
		return;
	}
	l = client_loss(o, c, fw);
	if (l) {
		job_taint(j, "the stream of client process %" PRId64 " lost %s "
			  "while attempt %" PRIu32 " of %s ran: its receipts "
			  "may be among them", fw->pid,
			  l->packets ? "packets" : "events", fw->attempt,
			  names_kind(fw->kind));
		return;
	}
	/* C1: the daemon counted it delivered, the client never ran it
	 * to success. */
	if (fw->discharged && !received_success(o, fw)) {
		f = finding_add(o, j, ORACLE_G1_LOST, fw->kind, fw->file,
			    fw->end_ts, "%s acknowledged but never received: "
			    "attempt %" PRIu32 " to process %" PRId64 " ended "
			    "in success, and that process traced no receipt of "
			    "it returning success", names_kind(fw->kind),
			    fw->attempt, fw->pid);
		finding_cite(f, fw->end_ev);
	}
}

void receipts_settle(struct oracle *o)
{
	size_t i;

	for (i = 0; i < o->n_forwards; i++)
		settle_forward(o, &o->forwards[i]);
}
