/*
 * The contract checker.  See oracle.h for the interface and
 * /work/shared/CONTRACT.md sections 5-7 for the rules it enforces.
 *
 * Each job is rebuilt from the events that show its state, flags, epoch,
 * route (interface or command line), files and modifications.  From that
 * model the oracle derives every obligation (T, E, F(i), M) and matches
 * callback_begin/end and cmdline_run/exit against it.  Anything it cannot
 * prove stays a pending, parked or carried obligation, never a finding.
 */
#include "oracle.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "strmap.h"
#include "tp/bgcopy_tp_abi.h"

#define FLAG_T		0x01u
#define FLAG_E		0x02u
#define FLAG_DISABLE	0x04u
#define FLAG_M		0x08u
#define FLAG_F		0x10u

#define MS		1000000ll
#define DEFAULT_FLAGS	(FLAG_T | FLAG_E)
#define DEFAULT_RETRY	(600000 * MS)
#define DEFAULT_INTERVAL (500 * MS)
#define DEFAULT_CAP	4u
/*
 * The engine rounds its notification deadlines up to the next ms, so a
 * retry begins at least the retry delay after the callback_end or
 * cmdline_exit that failed: no slack.  Two M are spaced from the engine's
 * clock read just before the first callback_begin is stamped; allow for
 * the time between the two (a preempted dispatcher, a busy channel).
 */
#define RETRY_SLACK	0
#define MOD_SLACK	MS

#define T BGCOPY_TP_KIND_JOB_TRANSFERRED
#define E BGCOPY_TP_KIND_JOB_ERROR
#define M BGCOPY_TP_KIND_JOB_MODIFICATION
#define F BGCOPY_TP_KIND_FILE_TRANSFERRED

struct engine {
	uint64_t id;
	char *store;			/* NULL until engine_open is seen */
	uint32_t cap;			/* 0: unknown, G6 not checked */
	unsigned inflight;		/* callbacks running now */
	int64_t last_ts;		/* last sign of life */
	bool ended;
	bool closed;			/* engine_close seen: a clean end */
	bool lossy;			/* inflight may miss lost ends */
	bool inspector;			/* read-only (no dispatcher): owes nothing */
};

/* One arming of T, E or F(i), from armed to discharged or voided. */
struct obl {
	bool armed;
	unsigned gen;			/* deliveries remember which arming */
	size_t notif;
	int32_t file;
	int64_t armed_ts, due_ts;	/* due_ts < 0: parked */
	struct oracle_evidence armed_ev;
	bool begun;
	bool handed_to_cmdline;
	bool maybe;			/* restored, history unknown: may be owed */
	bool discharged;
	uint64_t discharge_epoch;
	unsigned discharge_incarnation;
	struct engine *discharge_eng;
	struct oracle_evidence discharge_ev;
	bool fail_pending, fail_cmdline;
	int64_t fail_ts;
	int64_t fail_retry_ns;		/* the delay in force when it failed */
	struct oracle_evidence fail_ev;
	bool overdue_told;		/* on_overdue was told of this arming */
};

/* Coalescing JobModification: one pending arming at most. */
struct mod {
	bool armed;
	size_t notif;
	int64_t armed_ts, due_ts;
	int64_t window_ts;		/* the interval runs from here; < 0: parked */
	struct oracle_evidence armed_ev;
	bool lost_reported;
	bool overdue_told;
	bool have_last;
	int64_t last_begin_ts;
	struct oracle_evidence last_ev;
};

struct inflight {
	int kind;
	int32_t file;
	uint64_t epoch, attempt;
	bool cmdline;
	int64_t pid;
	unsigned gen;			/* 0: discharges nothing */
	size_t delivery;
	struct oracle_evidence ev;
};

/*
 * What a job needs only while it may still owe or deliver something.  A
 * final job with nothing running is retired: this is freed, so a trace of
 * many jobs costs little more than their results (see job_retire()).
 */
struct live {
	struct obl t, e;
	struct obl *f;			/* in completion order */
	size_t n_f, f_cap;
	struct mod m;
	struct inflight *inflight;
	size_t n_inflight, inflight_cap;
	unsigned callbacks_running;	/* callbacks and command lines */

	bool engine_armed[ORACLE_KINDS];
	struct oracle_evidence engine_armed_ev[ORACLE_KINDS];
};

struct job {
	struct oracle_job pub;
	char *name;
	struct oracle_finding *findings;
	size_t n_findings, findings_cap;
	size_t n_told;			/* findings on_finding was told of */
	struct oracle_notif *notifs;
	size_t n_notifs, notifs_cap;
	struct oracle_delivery *deliveries;
	size_t n_deliveries, deliveries_cap;

	struct engine *eng;
	unsigned incarnation;		/* bumps at every job_restored */
	bool history_unknown;		/* first seen at job_restored */
	int64_t state;			/* -1: unknown */
	int64_t final_ts;		/* -1 while not final */
	uint32_t flags;
	int64_t retry_ns, interval_ns;
	uint64_t epoch;
	bool epoch_known;
	struct oracle_evidence epoch_ev;
	uint64_t iface;
	uint64_t iface_epoch;		/* the epoch `iface' was set in */
	bool cmdline;
	bool cmdline_known;		/* false: restored, no notify_cmdline */
	bool iface_released;		/* the engine let go of `iface' */
	uint64_t n_events;
	bool have_seq;
	uint64_t last_seq;
	int64_t last_seq_ts;

	struct live *L;			/* NULL once retired */

	bool tainted;
	char *taint;
};

/* A window in which the tracer lost events (or packets). */
struct loss {
	int64_t begin, end;
	uint64_t count;
	bool packets, has_window;
};

struct oracle {
	struct oracle_config cfg;
	struct loss *losses;
	size_t n_losses, losses_cap;
	struct strmap jobs_by_id;
	struct job *last_job;		/* a job's events often come in runs */
	struct job **jobs;
	size_t n_jobs, jobs_cap;
	struct engine **engines;
	size_t n_engines, engines_cap;
	struct latency latency[ORACLE_KINDS];
	uint64_t n_events;
	int64_t first_ts, last_ts;
	/* on_overdue: no obligation can pass the G8 bound before this. */
	int64_t overdue_at;
	enum oracle_verdict verdict;
	char error[256];
};

/* ---- small helpers ------------------------------------------------ */

static int set_error(struct oracle *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_error(struct oracle *o, const char *fmt, ...)
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
static int reserve(struct oracle *o, void **arr, size_t *cap, size_t n,
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
		return set_error(o, "out of memory");
	*arr = p;
	*cap = new_cap;
	return 0;
}

#define PUSH(o, arr, n, cap)						\
	(reserve((o), (void **) &(arr), &(cap), (n) + 1, sizeof(*(arr))) \
	 ? NULL : memset(&(arr)[(n)++], 0, sizeof(*(arr))))

static struct oracle_evidence ev_of(const struct bgc_record *r)
{
	return (struct oracle_evidence) {
		.type = r->type, .ts = r->ts, .seq = r->seq,
	};
}

static bool is_final(int64_t state)
{
	return state == BGCOPY_TP_ACKNOWLEDGED || state == BGCOPY_TP_CANCELLED;
}

static uint32_t kind_flag(int kind)
{
	static const uint32_t flag[ORACLE_KINDS] = {
		[T] = FLAG_T, [E] = FLAG_E, [M] = FLAG_M, [F] = FLAG_F,
	};
	return kind > 0 && kind < ORACLE_KINDS ? flag[kind] : 0;
}

static bool allowed(const struct job *j, int kind)
{
	return !(j->flags & FLAG_DISABLE) && (j->flags & kind_flag(kind));
}

/* F and M only ever go to an interface; T and E also to a command line. */
static bool routed(const struct job *j, int kind)
{
	return j->iface != 0 || (j->cmdline && (kind == T || kind == E));
}

static double rel_ms(const struct oracle *o, int64_t ts)
{
	return NAMES_MS(ts - o->first_ts);
}

/* An obligation became deliverable at `due': tell on_overdue in time. */
static void overdue_watch(struct oracle *o, int64_t due)
{
	if (o->cfg.on_overdue && o->cfg.max_latency_ns >= 0 && due >= 0 &&
	    due + o->cfg.max_latency_ns < o->overdue_at)
		o->overdue_at = due + o->cfg.max_latency_ns;
}

/* ---- findings ----------------------------------------------------- */

static struct oracle_finding *finding(struct oracle *o, struct job *j,
				      enum oracle_rule rule, int kind,
				      int32_t file, int64_t ts,
				      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static struct oracle_finding *finding(struct oracle *o, struct job *j,
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

static void cite(struct oracle_finding *f, struct oracle_evidence ev)
{
	if (f && f->n_evidence < ORACLE_MAX_EVIDENCE)
		f->evidence[f->n_evidence++] = ev;
}

/* The engine's own notify_armed only explains; it never proves. */
static void cite_engine_arming(struct oracle_finding *f, const struct job *j,
			       int kind)
{
	if (f && kind > 0 && kind < ORACLE_KINDS && j->L->engine_armed[kind])
		cite(f, j->L->engine_armed_ev[kind]);
}

/* ---- notifications and deliveries --------------------------------- */

static struct oracle_notif *notif_of(struct job *j, size_t i)
{
	return i < j->n_notifs ? &j->notifs[i] : NULL;
}

static int notif_new(struct oracle *o, struct job *j, int kind, int32_t file,
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

static void notif_close(struct job *j, size_t i, enum oracle_outcome out,
			int64_t ts)
{
	struct oracle_notif *n = notif_of(j, i);

	if (n) {
		n->outcome = out;
		n->end_ts = ts;
	}
}

static void record_latency(struct oracle *o, struct job *j, int kind,
			   int32_t file, int64_t from, int64_t ts,
			   const struct bgc_record *r)
{
	int64_t lat = ts - from;
	struct oracle_finding *f;

	if (latency_add(&o->latency[kind], lat))
		set_error(o, "out of memory");
	if (o->cfg.max_latency_ns < 0 || lat <= o->cfg.max_latency_ns)
		return;
	f = finding(o, j, ORACLE_G8_LATE, kind, file, ts,
		    "%s first began %.3f ms after it was due (bound %.3f ms)",
		    names_kind(kind), NAMES_MS(lat),
		    NAMES_MS(o->cfg.max_latency_ns));
	if (f)
		f->armed_ts = from;
	cite(f, ev_of(r));
}

/* ---- T, E and F obligations --------------------------------------- */

static int obl_arm(struct oracle *o, struct job *j, struct obl *b, int kind,
		   int32_t file, const struct bgc_record *r)
{
	int64_t due = routed(j, kind) ? r->ts : -1;

	if (b->armed)
		return 0;
	if (notif_new(o, j, kind, file, r->ts, due, &b->notif))
		return -1;
	b->armed = true;
	b->gen++;
	b->file = file;
	b->armed_ts = r->ts;
	b->due_ts = due;
	b->armed_ev = ev_of(r);
	b->begun = b->handed_to_cmdline = false;
	b->discharged = b->fail_pending = b->maybe = false;
	b->overdue_told = false;
	overdue_watch(o, due);
	return 0;
}

static void obl_void(struct job *j, struct obl *b, int64_t ts)
{
	if (b->armed) {
		b->armed = false;
		notif_close(j, b->notif, ORACLE_VOIDED, ts);
	}
}

static void obl_discharge(struct job *j, struct obl *b,
			  const struct bgc_record *r)
{
	b->armed = false;
	b->discharged = true;
	b->discharge_epoch = r->epoch;
	b->discharge_incarnation = j->incarnation;
	b->discharge_eng = j->eng;
	b->discharge_ev = ev_of(r);
	notif_close(j, b->notif, ORACLE_DISCHARGED, r->ts);
}

static struct obl *first_armed_f(struct job *j)
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

static struct obl *obl_for(struct job *j, int kind, int32_t file)
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
	return j->L->m.window_ts + j->interval_ns + o->cfg.grace_ns;
}

/* G1 for M: it had a deliverable window and did not begin within it. */
static bool mod_missed(struct oracle *o, struct job *j, int64_t ts,
		       const struct bgc_record *r, const char *how)
{
	struct oracle_finding *f;

	if (j->L->m.window_ts < 0 || ts <= mod_deadline(o, j) ||
	    j->L->m.lost_reported)
		return false;
	j->L->m.lost_reported = true;
	f = finding(o, j, ORACLE_G1_LOST, M, -1, ts,
		    "JOB_MODIFICATION armed at +%.3f ms %s; it was due by "
		    "+%.3f ms (interval %.3f ms + grace %.3f ms)",
		    rel_ms(o, j->L->m.armed_ts), how,
		    rel_ms(o, mod_deadline(o, j)), NAMES_MS(j->interval_ns),
		    NAMES_MS(o->cfg.grace_ns));
	if (f)
		f->armed_ts = j->L->m.armed_ts;
	cite(f, j->L->m.armed_ev);
	if (r)
		cite(f, ev_of(r));
	cite_engine_arming(f, j, M);
	return true;
}

static int mod_arm(struct oracle *o, struct job *j, const struct bgc_record *r)
{
	int64_t due = routed(j, M) ? r->ts : -1;

	if (is_final(j->state) || !allowed(j, M))
		return 0;
	if (j->L->m.armed) {
		/* Coalesced; a change made while routed is owed. */
		if (j->L->m.window_ts < 0 && routed(j, M)) {
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
	j->L->m.armed_ev = ev_of(r);
	overdue_watch(o, due);
	return 0;
}

static void mod_void(struct oracle *o, struct job *j,
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
	if (routed(j, kind) && b->due_ts < 0) {
		b->due_ts = ts;
		overdue_watch(o, ts);
	} else if (!routed(j, kind) && !b->begun) {
		b->due_ts = -1;
	}
	n = notif_of(j, b->notif);
	if (n && n->due_ts < 0)
		n->due_ts = b->due_ts;
}

static void route_changed(struct oracle *o, struct job *j, int64_t ts)
{
	size_t i;

	obl_route_changed(o, j, &j->L->t, T, ts);
	obl_route_changed(o, j, &j->L->e, E, ts);
	for (i = 0; i < j->L->n_f; i++)
		obl_route_changed(o, j, &j->L->f[i], F, ts);
	/* Changes made while nobody listened may be delivered later but
	 * are not owed: the contract only parks T, E and F. */
	if (j->L->m.armed && !routed(j, M))
		j->L->m.window_ts = -1;
}

/* ---- engines and jobs --------------------------------------------- */

static struct engine *engine_get(struct oracle *o, uint64_t id)
{
	struct engine **slot, *eng;
	size_t i;

	for (i = o->n_engines; i-- > 0;) {
		if (o->engines[i]->id == id)
			return o->engines[i];
	}
	eng = calloc(1, sizeof(*eng));
	if (!eng) {
		set_error(o, "out of memory");
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

static void taint(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void taint(struct job *j, const char *fmt, ...)
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

static void job_set_info(struct job *j, const struct bgc_record *r)
{
	char *name = strdup(r->name ? r->name : "");

	if (name) {
		free(j->name);
		j->name = name;
	}
	j->state = r->state;
	j->flags = (uint32_t) r->notify_flags;
	j->retry_ns = (int64_t) r->min_retry_delay_ms * MS;
	j->interval_ns = (int64_t) r->modification_interval_ms * MS;
	/* A new job has epoch 0 and no command line, recorded or not. */
	if (r->has_epoch || r->type == BGC_REC_JOB_CREATED) {
		j->epoch = r->has_epoch ? r->epoch : 0;
		j->epoch_known = true;
		j->epoch_ev = ev_of(r);
	}
	if (r->notify_cmdline || r->type == BGC_REC_JOB_CREATED) {
		j->cmdline = r->notify_cmdline && *r->notify_cmdline;
		j->cmdline_known = true;
	}
}

/* Gives a job (new, or retired and back) its live state. */
static int job_revive(struct oracle *o, struct job *j)
{
	j->L = calloc(1, sizeof(*j->L));
	if (!j->L)
		return set_error(o, "out of memory");
	j->L->m.window_ts = j->L->m.due_ts = -1;
	return 0;
}

/*
 * A final job owes nothing (its state change voided everything) and,
 * with nothing running, can deliver nothing more that counts: keep its
 * results, free the rest.  An event for it later revives it.
 */
static void job_retire(struct job *j)
{
	if (!j->L || !is_final(j->state) || j->L->n_inflight)
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

static struct job *job_get(struct oracle *o, struct engine *eng,
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
		set_error(o, "a %s event has a malformed job id: the trace is "
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
		set_error(o, "out of memory");
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
		taint(j, "the job's creation is not in the trace");
	return j;
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
	if (!routed(j, kind) || b->due_ts < 0)
		return ORACLE_PARKED;
	if (inflight_for(j, kind, b->file) || job_busy(j))
		return ORACLE_PENDING;
	if (b->fail_pending) {
		if (horizon - b->fail_ts < b->fail_retry_ns + o->cfg.grace_ns)
			return ORACLE_PENDING;
	} else if (horizon - b->due_ts <= o->cfg.grace_ns) {
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
		f = finding(o, j, ORACLE_G1_LOST, kind, b->file, horizon,
			    "%s armed at +%.3f ms, deliverable since +%.3f ms, "
			    "%s; still owed at +%.3f ms, the engine's last "
			    "activity", names_kind(kind),
			    rel_ms(o, b->armed_ts), rel_ms(o, b->due_ts),
			    b->fail_pending ? "last attempt failed" :
			    "never attempted", rel_ms(o, horizon));
		if (f)
			f->armed_ts = b->armed_ts;
		cite(f, b->armed_ev);
		if (b->fail_pending)
			cite(f, b->fail_ev);
		else if (j->epoch_known)
			cite(f, j->epoch_ev);
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
static void job_settle(struct oracle *o, struct job *j, int64_t horizon)
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

/* An engine closed, or a new one opened its store (it crashed). */
static void engine_end(struct engine *eng, int64_t ts)
{
	eng->ended = true;
	if (ts > eng->last_ts)
		eng->last_ts = ts;
}

/* ---- event handlers ----------------------------------------------- */

static int on_engine_open(struct oracle *o, const struct bgc_record *r)
{
	struct engine *eng;
	size_t i;

	if (r->trace_schema != ORACLE_SCHEMA)
		return set_error(o, "trace schema %" PRIu64 " is not supported "
				 "(this analysis knows schema %d)",
				 r->trace_schema, ORACLE_SCHEMA);
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
		return set_error(o, "out of memory");
	eng->cap = r->dispatcher_threads ? (uint32_t) r->dispatcher_threads :
		   DEFAULT_CAP;	/* an inspector runs no callback anyway */
	eng->ended = eng->closed = false;
	return 0;
}

/* T/E owed by the restored state, unless delivered before the restart. */
static int restore_te(struct oracle *o, struct job *j, struct obl *b,
		      int kind, int64_t state, const struct bgc_record *r)
{
	if (j->state != state || !allowed(j, kind)) {
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

static int on_restored(struct oracle *o, struct job *j, struct engine *eng,
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

static int on_state_change(struct oracle *o, struct job *j,
			   const struct bgc_record *r)
{
	int64_t before = j->state;
	size_t i;

	j->state = r->to;
	if (r->to != BGCOPY_TP_TRANSFERRED)
		obl_void(j, &j->L->t, r->ts);
	if (r->to != BGCOPY_TP_ERROR)
		obl_void(j, &j->L->e, r->ts);
	if (is_final(r->to)) {
		for (i = 0; i < j->L->n_f; i++)
			obl_void(j, &j->L->f[i], r->ts);
		if (j->final_ts < 0)
			j->final_ts = r->ts;
		/* The engine drops its registration (interface_release
		 * follows, with no interface_set). */
		j->iface = 0;
	}
	if (r->to == BGCOPY_TP_ERROR || r->to == BGCOPY_TP_TRANSFERRED ||
	    is_final(r->to))
		mod_void(o, j, r);
	else if (mod_arm(o, j, r))
		return -1;
	if (before == r->to)
		return 0;
	if (r->to == BGCOPY_TP_TRANSFERRED && allowed(j, T))
		return obl_arm(o, j, &j->L->t, T, -1, r);
	if (r->to == BGCOPY_TP_ERROR && allowed(j, E))
		return obl_arm(o, j, &j->L->e, E, -1, r);
	return 0;
}

static int on_flags_change(struct oracle *o, struct job *j,
			   const struct bgc_record *r)
{
	bool t_was = allowed(j, T), e_was = allowed(j, E);
	size_t i;

	if (r->result != 0)
		return 0;	/* refused: nothing changed */
	j->flags = (uint32_t) r->new_flags;
	if (!allowed(j, T))
		obl_void(j, &j->L->t, r->ts);
	if (!allowed(j, E))
		obl_void(j, &j->L->e, r->ts);
	if (!allowed(j, F)) {
		for (i = 0; i < j->L->n_f; i++)
			obl_void(j, &j->L->f[i], r->ts);
	}
	if (!allowed(j, M))
		mod_void(o, j, r);
	if (!t_was && allowed(j, T) && j->state == BGCOPY_TP_TRANSFERRED)
		return obl_arm(o, j, &j->L->t, T, -1, r);
	if (!e_was && allowed(j, E) && j->state == BGCOPY_TP_ERROR)
		return obl_arm(o, j, &j->L->e, E, -1, r);
	return 0;
}

static void fresh_attempts(struct obl *b)
{
	b->fail_pending = false;
	b->handed_to_cmdline = false;
}

static int on_interface_set(struct oracle *o, struct job *j,
			    const struct bgc_record *r)
{
	size_t i;

	j->epoch = r->new_epoch;
	j->epoch_known = true;
	j->epoch_ev = ev_of(r);
	j->iface = r->iface;
	j->iface_epoch = r->new_epoch;
	j->iface_released = false;
	/* A new interface gets its own attempts. */
	fresh_attempts(&j->L->t);
	fresh_attempts(&j->L->e);
	for (i = 0; i < j->L->n_f; i++)
		fresh_attempts(&j->L->f[i]);
	/* Registering after the event still delivers it [BITS]; removing
	 * the interface registers nothing. */
	if (r->iface && j->state == BGCOPY_TP_TRANSFERRED && allowed(j, T) &&
	    obl_arm(o, j, &j->L->t, T, -1, r))
		return -1;
	if (r->iface && j->state == BGCOPY_TP_ERROR && allowed(j, E) &&
	    obl_arm(o, j, &j->L->e, E, -1, r))
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
		*ns = (int64_t) n * MS;
	else if (strcmp(end, "s") == 0)
		*ns = (int64_t) n * 1000 * MS;
	else
		return false;
	return true;
}

static int on_property_change(struct oracle *o, struct job *j,
			      const struct bgc_record *r)
{
	switch (r->property) {
	case BGCOPY_TP_PROP_DISPLAY_NAME: {
		char *name = strdup(r->value ? r->value : "");

		if (!name)
			return set_error(o, "out of memory");
		free(j->name);
		j->name = name;
		break;
	}
	case BGCOPY_TP_PROP_MIN_RETRY_DELAY:
		if (!parse_duration(r->value, &j->retry_ns))
			taint(j, "unreadable MIN_RETRY_DELAY value \"%s\"",
			      r->value ? r->value : "");
		break;
	case BGCOPY_TP_PROP_MODIFICATION_INTERVAL:
		if (!parse_duration(r->value, &j->interval_ns))
			taint(j, "unreadable MODIFICATION_INTERVAL value "
			      "\"%s\"", r->value ? r->value : "");
		break;
	case BGCOPY_TP_PROP_NOTIFY_CMDLINE:
		j->cmdline = r->value && *r->value;
		route_changed(o, j, r->ts);
		break;
	default:
		break;
	}
	return mod_arm(o, j, r);
}

static int on_file_complete(struct oracle *o, struct job *j,
			    const struct bgc_record *r)
{
	struct obl *b;

	if (!allowed(j, F) || is_final(j->state))
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
static void on_interface_release(struct job *j, const struct bgc_record *r)
{
	if (j->iface && r->iface == j->iface && r->epoch == j->iface_epoch)
		j->iface_released = true;
}

static void on_engine_armed(struct job *j, const struct bgc_record *r)
{
	if (r->kind > 0 && r->kind < ORACLE_KINDS) {
		j->L->engine_armed[r->kind] = true;
		j->L->engine_armed_ev[r->kind] = ev_of(r);
	}
}

/* ---- deliveries --------------------------------------------------- */

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

/* Checks a T, E or F attempt against the model; returns its arming. */
static struct obl *obl_begin(struct oracle *o, struct job *j,
			     const struct bgc_record *r, bool cmdline)
{
	int kind = (int) r->kind;
	int32_t file = (int32_t) r->file_index;
	struct obl *b = obl_for(j, kind, file), *head;
	struct oracle_finding *f;
	char why[96];

	if (!b || !b->armed) {
		if (b && b->discharged &&
		    b->discharge_incarnation != j->incarnation &&
		    b->discharge_eng && b->discharge_eng->closed) {
			/* Discharges are persisted at once: an engine that
			 * closed cleanly cannot have lost this one. */
			f = finding(o, j, ORACLE_G2_DUPLICATE, kind, file,
				    r->ts, "%s delivered again after a clean "
				    "restart, with no new interface: it was "
				    "discharged before engine 0x%" PRIx64
				    " closed", names_kind(kind),
				    b->discharge_eng->id);
			cite(f, b->discharge_ev);
		} else if (b && b->discharged &&
			   b->discharge_incarnation != j->incarnation) {
			f = finding(o, j, ORACLE_NOTE_REDELIVERED, kind, file,
				    r->ts, "%s redelivered after restart "
				    "(at-least-once)", names_kind(kind));
			cite(f, b->discharge_ev);
		} else if (b && b->discharged &&
			   (cmdline || b->discharge_epoch == r->epoch)) {
			f = finding(o, j, ORACLE_G2_DUPLICATE, kind, file,
				    r->ts, "%s delivered again in epoch %" PRIu64
				    " after it was discharged",
				    names_kind(kind), r->epoch);
			cite(f, b->discharge_ev);
		} else if (kind == F && j->history_unknown) {
			return NULL;	/* history before the restore unknown */
		} else {
			f = finding(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
				    "%s with nothing owed: %s",
				    names_kind(kind),
				    why_not_owed(j, kind, why, sizeof(why)));
			cite_engine_arming(f, j, kind);
		}
		cite(f, ev_of(r));
		return NULL;
	}
	if (cmdline && !j->cmdline && j->cmdline_known) {
		f = finding(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s command line run with no notify command line "
			    "set", names_kind(kind));
		cite(f, ev_of(r));
	} else if (!cmdline && b->handed_to_cmdline) {
		f = finding(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s callback after the command line took the "
			    "notification", names_kind(kind));
		cite(f, ev_of(r));
	}
	/* After a failed callback the command line may run at once. */
	if (b->fail_pending && (b->fail_cmdline || !cmdline) &&
	    r->ts - b->fail_ts < b->fail_retry_ns - RETRY_SLACK) {
		f = finding(o, j, ORACLE_G7_MISORDERED, kind, file, r->ts,
			    "%s retried %.3f ms after a failed attempt; "
			    "minimum retry delay is %.3f ms", names_kind(kind),
			    NAMES_MS(r->ts - b->fail_ts),
			    NAMES_MS(b->fail_retry_ns));
		cite(f, b->fail_ev);
		cite(f, ev_of(r));
	}
	head = first_armed_f(j);
	if (head && head != b) {
		f = finding(o, j, ORACLE_G7_MISORDERED, kind, file, r->ts,
			    "%s began while FILE_TRANSFERRED for file %d, "
			    "completed at +%.3f ms, is still owed",
			    names_kind(kind), head->file,
			    rel_ms(o, head->armed_ts));
		cite(f, head->armed_ev);
		cite(f, ev_of(r));
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

	if (!j->L->m.armed || !allowed(j, M)) {
		f = finding(o, j, ORACLE_G3_SPURIOUS, M, -1, r->ts,
			    "JOB_MODIFICATION with nothing owed: %s",
			    why_not_owed(j, M, why, sizeof(why)));
		if (j->L->m.have_last)
			cite(f, j->L->m.last_ev);
		cite(f, ev_of(r));
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
	    r->ts - j->L->m.last_begin_ts < j->interval_ns - MOD_SLACK) {
		f = finding(o, j, ORACLE_G7_MISORDERED, M, -1, r->ts,
			    "two JOB_MODIFICATION began %.3f ms apart; "
			    "interval is %.3f ms",
			    NAMES_MS(r->ts - j->L->m.last_begin_ts),
			    NAMES_MS(j->interval_ns));
		cite(f, j->L->m.last_ev);
		cite(f, ev_of(r));
	}
	j->L->m.have_last = true;
	j->L->m.last_begin_ts = r->ts;
	j->L->m.last_ev = ev_of(r);
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
		f = finding(o, j, ORACLE_G5_OVERLAP, kind, file, r->ts,
			    "%s %s began while %s of the job was running",
			    names_kind(kind), what, j->L->n_inflight &&
			    j->L->inflight[0].cmdline ? "a command line" :
			    "another callback");
		if (j->L->n_inflight)
			cite(f, j->L->inflight[0].ev);
		cite(f, ev_of(r));
	}
	if (j->eng && j->eng->cap && j->eng->inflight >= j->eng->cap) {
		f = finding(o, j, ORACLE_G6_OVER_CONCURRENCY, kind, file,
			    r->ts, "%s %s began with %u deliveries already "
			    "running in engine 0x%" PRIx64 " (dispatcher allows "
			    "%u)", names_kind(kind), what, j->eng->inflight,
			    j->eng->id, j->eng->cap);
		/* Lost callback_end events of other jobs inflate the count. */
		if (f)
			f->inconclusive = j->eng->lossy;
		cite(f, ev_of(r));
	}
	/* A command line is spawned with the lock released: an epoch may
	 * begin before cmdline_run is stamped.  Not so for a callback. */
	if (!cmdline && j->epoch_known && r->epoch < j->epoch) {
		f = finding(o, j, ORACLE_G4_AFTER_RELEASE, kind, file, r->ts,
			    "%s began on epoch %" PRIu64 " after epoch %"
			    PRIu64 " began", names_kind(kind), r->epoch,
			    j->epoch);
		cite(f, j->epoch_ev);
		cite(f, ev_of(r));
		return false;
	}
	if (is_final(j->state)) {
		f = finding(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s on a job that is %s", names_kind(kind),
			    names_state(j->state));
		cite(f, ev_of(r));
		return false;
	}
	if (!cmdline && (!j->iface || j->iface_released)) {
		f = finding(o, j, ORACLE_G3_SPURIOUS, kind, file, r->ts,
			    "%s callback with no interface registered%s",
			    names_kind(kind), j->iface_released ?
			    " (the engine released it)" : "");
		cite(f, ev_of(r));
		return false;
	}
	return true;
}

static int on_begin(struct oracle *o, struct job *j,
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
		.delivery = d ? j->n_deliveries - 1 : SIZE_MAX, .ev = ev_of(r),
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

		if (in->cmdline != cmdline || in->kind != r->kind)
			continue;
		if (cmdline ? in->pid == r->pid :
		    in->file == r->file_index && in->epoch == r->epoch &&
		    in->attempt == r->attempt)
			return in;
	}
	return NULL;
}

static void on_end(struct job *j, const struct bgc_record *r, bool cmdline)
{
	struct inflight in, *match = inflight_match(j, r, cmdline);
	int32_t result = (int32_t) (cmdline ? r->status : r->result);
	struct oracle_delivery *d;
	struct obl *b;

	if (!match)
		return;	/* its begin is not in the trace */
	in = *match;
	*match = j->L->inflight[--j->L->n_inflight];
	d = in.delivery < j->n_deliveries ? &j->deliveries[in.delivery] : NULL;
	if (d) {
		d->end_ts = r->ts;
		d->result = result;
	}
	if (j->L->callbacks_running)
		j->L->callbacks_running--;
	if (j->eng && j->eng->inflight)
		j->eng->inflight--;
	/* A pending M waits for the job's running delivery. */
	if (j->L->m.armed && j->L->m.window_ts >= 0 && r->ts > j->L->m.window_ts)
		j->L->m.window_ts = r->ts;
	if (in.kind == M || !in.gen)
		return;	/* M's return value is ignored */
	b = obl_for(j, in.kind, in.file);
	if (!b || !b->armed || b->gen != in.gen)
		return;
	/* A new epoch re-armed it meanwhile (the engine starts its attempts
	 * over): a callback's outcome no longer counts, success or failure.
	 * A command line belongs to no interface: its exit counts. */
	if (!cmdline && j->epoch_known && r->epoch != j->epoch)
		return;
	if (result != 0) {
		struct oracle_notif *n = notif_of(j, b->notif);

		b->fail_pending = true;
		b->fail_cmdline = cmdline;
		b->fail_ts = r->ts;
		/* The engine spaces the retry by the delay it had then. */
		b->fail_retry_ns = j->retry_ns;
		b->fail_ev = ev_of(r);
		if (n)
			n->failures++;
	} else {
		obl_discharge(j, b, r);
	}
}

/* ---- tracer loss -------------------------------------------------- */

static void taint_by_loss(struct oracle *o, struct job *j,
			  const struct loss *l)
{
	const char *what = l->packets ? "packets" : "events";

	/* Streams are per CPU, so any job alive in the window may have lost
	 * events there. */
	if (j->pub.first_ts > l->end ||
	    (j->final_ts >= 0 && j->final_ts < l->begin))
		return;
	if (l->count)
		taint(j, "tracer discarded %" PRIu64 " %s between +%.3f ms "
		      "and +%.3f ms", l->count, what,
		      l->has_window ? rel_ms(o, l->begin) : 0.0,
		      rel_ms(o, l->end));
	else
		taint(j, "tracer discarded %s before +%.3f ms", what,
		      rel_ms(o, l->end));
}

static int on_discarded(struct oracle *o, const struct bgc_record *r)
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

/* ---- live: findings and overdue obligations as they show ---------- */

/* Tells on_finding of the job's findings it has not been told of. */
static void tell_findings(struct oracle *o, struct job *j)
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
	int64_t at = due + o->cfg.max_latency_ns;

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
static void overdue_scan(struct oracle *o, int64_t now)
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

/* ---- the feed ----------------------------------------------------- */

static void check_seq(struct job *j, const struct bgc_record *r)
{
	/* Two events stamped alike but out of the job's sequence: the
	 * trace order is not the job's order, so nothing is proven. */
	if (j->have_seq && r->seq <= j->last_seq && r->ts == j->last_seq_ts)
		taint(j, "events with seq %" PRIu64 " and %" PRIu64
		      " share a time stamp out of order", j->last_seq, r->seq);
	j->have_seq = true;
	j->last_seq = r->seq;
	j->last_seq_ts = r->ts;
}

static int job_event(struct oracle *o, struct engine *eng, struct job *j,
		     const struct bgc_record *r);

static int on_job_event(struct oracle *o, struct engine *eng,
			const struct bgc_record *r)
{
	struct job *j;
	int ret;

	if (eng->inspector)
		return 0;	/* what it restores is only shown, not owned */
	j = job_get(o, eng, r);
	if (!j || (!j->L && job_revive(o, j)))
		return -1;
	ret = job_event(o, eng, j, r);
	if (!ret && !o->error[0])
		tell_findings(o, j);
	job_retire(j);
	return ret;
}

static int job_event(struct oracle *o, struct engine *eng, struct job *j,
		     const struct bgc_record *r)
{
	if (r->ts > j->pub.last_ts)
		j->pub.last_ts = r->ts;
	if (!j->eng)
		j->eng = eng;
	j->n_events++;
	check_seq(j, r);

	switch (r->type) {
	case BGC_REC_JOB_CREATED:
		job_set_info(j, r);
		return 0;
	case BGC_REC_JOB_RESTORED:
		return on_restored(o, j, eng, r);
	case BGC_REC_FILE_ADDED:
	case BGC_REC_PROGRESS:
		return mod_arm(o, j, r);
	case BGC_REC_FILE_COMPLETE:
		return on_file_complete(o, j, r);
	case BGC_REC_STATE_CHANGE:
		return on_state_change(o, j, r);
	case BGC_REC_FLAGS_CHANGE:
		return on_flags_change(o, j, r);
	case BGC_REC_INTERFACE_SET:
		return on_interface_set(o, j, r);
	case BGC_REC_PROPERTY_CHANGE:
		return on_property_change(o, j, r);
	case BGC_REC_INTERFACE_RELEASE:
		on_interface_release(j, r);
		return 0;
	case BGC_REC_NOTIFY_ARMED:
		on_engine_armed(j, r);
		return 0;
	case BGC_REC_CALLBACK_BEGIN:
		return on_begin(o, j, r, false);
	case BGC_REC_CMDLINE_RUN:
		return on_begin(o, j, r, true);
	case BGC_REC_CALLBACK_END:
		on_end(j, r, false);
		return 0;
	case BGC_REC_CMDLINE_EXIT:
		on_end(j, r, true);
		return 0;
	default:
		return 0;	/* timeline-only events */
	}
}

int oracle_feed(struct oracle *o, const struct bgc_record *r)
{
	struct engine *eng;

	if (o->error[0])
		return -1;
	if (r->type == BGC_REC_DISCARDED)
		return on_discarded(o, r);
	if (!o->n_events++)
		o->first_ts = r->ts;
	if (r->ts > o->last_ts)
		o->last_ts = r->ts;
	if (r->type == BGC_REC_ENGINE_OPEN && on_engine_open(o, r))
		return -1;
	eng = engine_get(o, r->engine);
	if (!eng)
		return -1;
	if (r->ts > eng->last_ts)
		eng->last_ts = r->ts;
	if (r->type == BGC_REC_ENGINE_CLOSE) {
		engine_end(eng, r->ts);
		eng->closed = true;
	} else if (r->job && on_job_event(o, eng, r)) {
		return -1;
	}
	if (o->error[0])
		return -1;
	overdue_scan(o, r->ts);
	return 0;
}

/* ---- results ------------------------------------------------------ */

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
		return set_error(o, "the trace has no bgcopy events");
	o->verdict = ORACLE_PASS;
	for (i = 0; i < o->n_jobs; i++) {
		struct job *j = o->jobs[i];
		size_t k;

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
	free(o);
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
