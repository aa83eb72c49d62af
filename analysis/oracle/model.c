/*
 * Engines and jobs: the model the oracle rebuilds, its memory, and the
 * notification history.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_internal.h"

/* ---- small helpers ------------------------------------------------ */

int oracle_set_error(struct oracle *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->error[0]) {
		va_start(ap, fmt);
		vsnprintf(o->error, sizeof(o->error), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Makes room for n elements; reports out-of-memory through o. */
int oracle_reserve(struct oracle *o, void **arr, size_t *cap, size_t n,
		   size_t size)
{
	size_t new_cap;
	void *p;

	if (n <= *cap)
		return 0;
	new_cap = *cap ? *cap * 2 : 8;
	while (new_cap < n)
		new_cap *= 2;
	p = realloc(*arr, new_cap * size);
	if (!p)
		return oracle_set_error(o, "out of memory");
	*arr = p;
	*cap = new_cap;
	return 0;
}


struct oracle_evidence evidence_of(const struct bgc_record *r)
{
	return (struct oracle_evidence) {
		.type = r->type, .ts = r->ts, .seq = r->seq,
	};
}

bool state_is_final(int64_t state)
{
	return state == BGCOPY_TP_ACKNOWLEDGED || state == BGCOPY_TP_CANCELLED;
}

uint32_t kind_flag(int kind)
{
	static const uint32_t flag[ORACLE_KINDS] = {
		[T] = FLAG_T, [E] = FLAG_E, [M] = FLAG_M, [F] = FLAG_F,
	};
	return kind > 0 && kind < ORACLE_KINDS ? flag[kind] : 0;
}

bool job_allows(const struct job *j, int kind)
{
	return !(j->flags & FLAG_DISABLE) && (j->flags & kind_flag(kind));
}

/* F and M only ever go to an interface; T and E also to a command line. */
bool job_routed(const struct job *j, int kind)
{
	return j->iface != 0 || (j->cmdline && (kind == T || kind == E));
}

double trace_ms(const struct oracle *o, int64_t ts)
{
	return NAMES_MS(ns_sub(ts, o->first_ts));
}

/* An obligation became deliverable at `due': tell on_overdue in time. */
void overdue_watch(struct oracle *o, int64_t due)
{
	if (o->cfg.on_overdue && o->cfg.max_latency_ns >= 0 && due >= 0 &&
	    ns_add(due, o->cfg.max_latency_ns) < o->overdue_at)
		o->overdue_at = ns_add(due, o->cfg.max_latency_ns);
}

/* ---- the notification history ------------------------------------- */

struct oracle_notif *notif_of(struct job *j, size_t i)
{
	return i < j->n_notifs ? &j->notifs[i] : NULL;
}

int notif_new(struct oracle *o, struct job *j, int kind, int32_t file,
	      int64_t ts, int64_t due, size_t *out)
{
	struct oracle_notif *n;

	if (!o->cfg.keep_history) {
		*out = SIZE_MAX;	/* notif_of() finds nothing */
		return 0;
	}
	n = PUSH(o, j->notifs, j->n_notifs, j->notifs_cap);
	if (!n)
		return -1;
	*n = (struct oracle_notif) {
		.kind = kind, .file_index = kind == F ? file : -1,
		.epoch = j->epoch, .armed_ts = ts, .due_ts = due,
		.first_begin_ts = -1, .end_ts = -1, .outcome = ORACLE_OPEN,
	};
	*out = j->n_notifs - 1;
	return 0;
}

void notif_close(struct job *j, size_t i, enum oracle_outcome out,
		 int64_t ts)
{
	struct oracle_notif *n = notif_of(j, i);

	if (n) {
		n->outcome = out;
		n->end_ts = ts;
	}
}

/* ---- engines and jobs --------------------------------------------- */

struct engine *engine_get(struct oracle *o, uint64_t id)
{
	struct engine **slot, *eng;
	size_t i;

	for (i = o->n_engines; i-- > 0;) {
		if (o->engines[i]->id == id)
			return o->engines[i];
	}
	eng = calloc(1, sizeof(*eng));
	if (!eng) {
		oracle_set_error(o, "out of memory");
		return NULL;
	}
	slot = PUSH(o, o->engines, o->n_engines, o->engines_cap);
	if (!slot) {
		free(eng);
		return NULL;
	}
	eng->id = id;
	*slot = eng;
	return eng;
}


void job_taint(struct job *j, const char *fmt, ...)
{
	va_list ap;
	char why[192];

	if (j->tainted)
		return;	/* the first reason is the one to fix */
	j->tainted = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	j->taint = strdup(why);	/* NULL: still tainted (see job_publish) */
}

void job_set_info(struct job *j, const struct bgc_record *r)
{
	char *name = strdup(r->name ? r->name : "");

	if (name) {
		free(j->name);
		j->name = name;
	}
	j->state = r->state;
	j->flags = (uint32_t) r->notify_flags;
	j->retry_ns = ns_of(r->min_retry_delay_ms, MS);
	j->interval_ns = ns_of(r->modification_interval_ms, MS);
	/* A new job has epoch 0 and no command line, recorded or not. */
	if (r->has_epoch || r->type == BGC_REC_JOB_CREATED) {
		j->epoch = r->has_epoch ? r->epoch : 0;
		j->epoch_known = true;
		j->epoch_ev = evidence_of(r);
	}
	if (r->notify_cmdline || r->type == BGC_REC_JOB_CREATED) {
		j->cmdline = r->notify_cmdline && *r->notify_cmdline;
		j->cmdline_known = true;
	}
}

/* Gives a job (new, or retired and back) its live state. */
int job_revive(struct oracle *o, struct job *j)
{
	j->L = calloc(1, sizeof(*j->L));
	if (!j->L)
		return oracle_set_error(o, "out of memory");
	j->L->m.window_ts = j->L->m.due_ts = -1;
	j->L->last_end_ts = j->L->cmdline_cleared_ts = INT64_MIN;
	return 0;
}

/*
 * A final job owes nothing (its state change voided everything) and,
 * with nothing running, can deliver nothing more that counts: keep its
 * results, free the rest.  An event for it later revives it.
 */
void job_retire(struct job *j)
{
	if (!j->L || !state_is_final(j->state) || j->L->n_inflight)
		return;
	free(j->L->f);
	free(j->L->inflight);
	free(j->L);
	j->L = NULL;
}

/*
 * The engine writes canonical lower-case UUIDs: anything else is damage
 * (CTF has no checksum, so garbled bytes may still decode).  Checked once
 * per job, when it first shows.
 */
static bool valid_job_id(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23 ? c != '-' :
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[36] == '\0';
}

struct job *job_get(struct oracle *o, struct engine *eng,
		    const struct bgc_record *r)
{
	struct job *j;
	struct job **slot;

	if (o->last_job && strcmp(o->last_job->pub.id, r->job) == 0)
		return o->last_job;
	j = strmap_get(&o->jobs_by_id, r->job);
	if (j)
		return o->last_job = j;
	if (!valid_job_id(r->job)) {
		oracle_set_error(o, "a %s event has a malformed job id: the trace is "
			  "damaged", names_record(r->type));
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	slot = j ? PUSH(o, o->jobs, o->n_jobs, o->jobs_cap) : NULL;
	if (slot)
		j->pub.id = strmap_put(&o->jobs_by_id, r->job, j);
	if (!j || !j->pub.id) {
		o->n_jobs -= slot != NULL;
		free(j);
		oracle_set_error(o, "out of memory");
		return NULL;
	}
	*slot = j;
	j->eng = eng;
	j->pub.first_ts = r->ts;
	j->pub.vpid = r->vpid;
	j->state = -1;
	j->final_ts = -1;
	j->flags = DEFAULT_FLAGS;
	j->retry_ns = DEFAULT_RETRY;
	j->interval_ns = DEFAULT_INTERVAL;
	if (job_revive(o, j))
		return NULL;
	if (r->type != BGC_REC_JOB_CREATED && r->type != BGC_REC_JOB_RESTORED)
		job_taint(j, "the job's creation is not in the trace");
	return j;
}

/* An engine closed, or a new one opened its store (it crashed). */
void engine_end(struct engine *eng, int64_t ts)
{
	eng->ended = true;
	if (ts > eng->last_ts)
		eng->last_ts = ts;
}


/* ---- the oracle itself -------------------------------------------- */

struct oracle *oracle_create(const struct oracle_config *config)
{
	struct oracle *o = calloc(1, sizeof(*o));

	if (o) {
		o->cfg = *config;
		o->overdue_at = INT64_MAX;
	}
	return o;
}

static void job_free(struct job *j)
{
	free(j->name);
	free(j->findings);
	free(j->notifs);
	free(j->deliveries);
	free(j->taint);
	free(j->streams);
	if (j->L) {
		free(j->L->f);
		free(j->L->inflight);
		free(j->L);
	}
	free(j);
}

void oracle_destroy(struct oracle *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->n_jobs; i++)
		job_free(o->jobs[i]);
	for (i = 0; i < o->n_engines; i++) {
		free(o->engines[i]->store);
		free(o->engines[i]);
	}
	for (i = 0; i < ORACLE_KINDS; i++)
		latency_fini(&o->latency[i]);
	strmap_fini(&o->jobs_by_id);
	free(o->jobs);
	free(o->engines);
	free(o->losses);
	/* receipts.c's: each arming's chain head is the map's own block */
	for (i = 0; i < o->receipts_by_arming.cap; i++)
		free(o->receipts_by_arming.slots[i].value);
	strmap_fini(&o->receipts_by_arming);
	free(o->clients);
	free(o->receipts);
	free(o->forwards);
	free(o);
}
