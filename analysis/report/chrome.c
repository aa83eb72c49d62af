/*
 * Chrome trace-event JSON (opens in Perfetto's UI).  Events sit under the
 * process that recorded them (its real pid).  Each job has its own tracks
 * there: its states as spans, its transfers with their phases nested, one
 * track per notification kind (per file for FILE_TRANSFERRED) holding
 * each arming until it ended; callbacks sit on the real thread that ran
 * them, with a flow arrow from the arming to the first callback.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>

#include "history.h"
#include "names.h"
#include "tp/bgcopy_tp_abi.h"
#include "checked.h"

/* A job's own tracks, above any real thread id (pid_max is 2^22). */
#define TID_JOB(i) (0x40000000 + (int) (i) * 64)
#define LANE_STATES 0
#define LANE_TRANSFERS 1
#define LANE_CALLBACKS 2		/* callbacks whose thread is unknown */
#define LANE_KIND(kind, file) ((kind) == BGCOPY_TP_KIND_FILE_TRANSFERRED ? \
			       8 + ((file) < 0 ? 0 : (file) > 55 ? 55 : (file)) : \
			       2 + (kind))

struct chrome {
	const struct oracle *o;
	json_t *events;
	uint64_t flow_id;
	/* The job being written. */
	size_t index;
	const struct oracle_job *j;
	const struct hist_job *hj;	/* NULL: no history of it */
	char label[160];		/* "\"name\" 0123abcd" */
};

static double us(const struct chrome *c, int64_t ts)
{
	return (double) ns_sub(ts, oracle_first_ts(c->o)) / 1e3;
}

static void push(struct chrome *c, json_t *ev)
{
	if (ev)
		json_array_append_new(c->events, ev);
}

/* The process the job's event at `ts' came from (0: not known). */
static int pid_at(const struct chrome *c, int64_t ts)
{
	int64_t pid = c->hj ? history_pid_at(c->hj, ts) : c->j->vpid;

	return pid >= 0 && pid <= INT32_MAX ? (int) pid : 0;
}

static int tid_of(const struct chrome *c, int lane)
{
	return TID_JOB(c->index) + lane;
}

static void name_thread(struct chrome *c, int pid, int tid, const char *what)
{
	char name[256];

	snprintf(name, sizeof(name), "%s %s", c->label, what);
	push(c, json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}",
		"ph", "M", "name", "thread_name", "pid", pid, "tid", tid,
		"args", "name", tid < TID_JOB(0) ? what : name));
	push(c, json_pack("{s:s, s:s, s:i, s:i, s:{s:i}}",
		"ph", "M", "name", "thread_sort_index", "pid", pid, "tid", tid,
		"args", "sort_index", tid));
}

/* Names the job's tracks and the process in every process it touched. */
static void name_tracks(struct chrome *c)
{
	char what[64];
	size_t p, n = c->hj ? c->hj->n_procs : 1;
	int pid, k;

	for (p = 0; p < n; p++) {
		pid = c->hj ? pid_at(c, c->hj->procs[p].from_ts) : pid_at(c, 0);
		snprintf(what, sizeof(what), "process %d", pid);
		push(c, json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}",
			"ph", "M", "name", "process_name", "pid", pid,
			"tid", 0, "args", "name", pid ? what : "process unknown"));
		name_thread(c, pid, tid_of(c, LANE_STATES), "states");
		name_thread(c, pid, tid_of(c, LANE_TRANSFERS), "transfers");
		name_thread(c, pid, tid_of(c, LANE_CALLBACKS), "callbacks");
		for (k = 1; k < BGCOPY_TP_KIND_FILE_TRANSFERRED; k++) {
			snprintf(what, sizeof(what), "%s owed", names_kind(k));
			name_thread(c, pid, tid_of(c, LANE_KIND(k, 0)), what);
		}
	}
}

/* Every slice names its job: one job's slices spread over processes. */
static void slice(struct chrome *c, const char *cat, const char *name,
		  int64_t begin, int64_t end, int pid, int tid, json_t *args)
{
	args = args ? args : json_object();
	if (args)
		json_object_set_new(args, "job", json_string(c->j->id));
	push(c, json_pack("{s:s, s:s, s:s, s:f, s:f, s:i, s:i, s:o}",
		"ph", "X", "cat", cat, "name", name, "ts", us(c, begin),
		"dur", us(c, end) - us(c, begin), "pid", pid, "tid", tid,
		"args", args));
}

static void states(struct chrome *c)
{
	size_t i;

	for (i = 0; c->hj && i < c->hj->n_states; i++) {
		const struct hist_state *s = &c->hj->states[i];

		slice(c, "state", names_state(s->state), s->begin_ts,
		      history_state_end(c->hj, i, oracle_last_ts(c->o)),
		      pid_at(c, s->begin_ts), tid_of(c, LANE_STATES),
		      json_pack("{s:s}", "entered by", s->cause < 0 ?
				"creation or restore" : names_cause(s->cause)));
	}
}

static void transfer(struct chrome *c, const struct hist_transfer *t)
{
	int64_t begin = ns_sub(t->end_ts, ns_of(t->total_us, 1000)), pb, pe;
	int pid = pid_at(c, t->end_ts), tid = tid_of(c, LANE_TRANSFERS);
	char name[64];
	int p;

	snprintf(name, sizeof(name), "file %d http %d", (int) t->file_index,
		 (int) t->http_status);
	slice(c, "transfer", name, begin, t->end_ts, pid, tid,
	      json_pack("{s:s, s:I, s:I, s:I, s:I}", "url", t->url,
			"bytes", (json_int_t) t->bytes,
			"http", (json_int_t) t->http_status,
			"curl", (json_int_t) t->curl_code,
			"thread", (json_int_t) t->tid));
	for (p = 0; p < HIST_PHASES; p++) {
		if (history_phase(t, p, &pb, &pe))
			slice(c, "phase", history_phase_name(p), pb, pe, pid,
			      tid, NULL);
	}
}

static void flow(struct chrome *c, const struct oracle_notif *n,
		 const struct oracle_delivery *d, int tid)
{
	++c->flow_id;
	push(c, json_pack("{s:s, s:s, s:s, s:I, s:f, s:i, s:i}",
		"ph", "s", "cat", "flow", "name", "armed",
		"id", (json_int_t) c->flow_id, "ts", us(c, n->armed_ts),
		"pid", pid_at(c, n->armed_ts),
		"tid", tid_of(c, LANE_KIND(n->kind, n->file_index))));
	push(c, json_pack("{s:s, s:s, s:s, s:s, s:I, s:f, s:i, s:i}",
		"ph", "f", "bp", "e", "cat", "flow", "name", "armed",
		"id", (json_int_t) c->flow_id, "ts", us(c, d->begin_ts),
		"pid", pid_at(c, d->begin_ts), "tid", tid));
}

static void deliveries(struct chrome *c)
{
	int64_t end_of_trace = oracle_last_ts(c->o);
	char what[64];
	size_t i;

	for (i = 0; i < c->j->n_deliveries; i++) {
		const struct oracle_delivery *d = &c->j->deliveries[i];
		const struct oracle_notif *n = d->notif < c->j->n_notifs ?
					       &c->j->notifs[d->notif] : NULL;
		int pid = pid_at(c, d->begin_ts);
		int tid = d->vtid >= 0 && d->vtid < TID_JOB(0) ?
			  (int) d->vtid : tid_of(c, LANE_CALLBACKS);

		if (tid != tid_of(c, LANE_CALLBACKS)) {
			snprintf(what, sizeof(what), "%s thread %d",
				 d->cmdline ? "command line" : "dispatcher", tid);
			name_thread(c, pid, tid, what);
		}
		slice(c, d->cmdline ? "cmdline" : "callback",
		      names_kind(d->kind), d->begin_ts,
		      d->end_ts >= 0 ? d->end_ts : end_of_trace, pid, tid,
		      json_pack("{s:I, s:i, s:i, s:b}",
				"epoch", (json_int_t) d->epoch,
				"attempt", (int) d->attempt, "result", d->result,
				"returned", d->end_ts >= 0));
		if (n && n->first_begin_ts == d->begin_ts)
			flow(c, n, d, tid);
	}
}

static void notifications(struct chrome *c)
{
	int64_t end_of_trace = oracle_last_ts(c->o);
	char what[64];
	size_t i;

	for (i = 0; i < c->j->n_notifs; i++) {
		const struct oracle_notif *n = &c->j->notifs[i];
		int pid = pid_at(c, n->armed_ts);
		int tid = tid_of(c, LANE_KIND(n->kind, n->file_index));

		if (n->kind == BGCOPY_TP_KIND_FILE_TRANSFERRED) {
			snprintf(what, sizeof(what), "FILE_TRANSFERRED %d owed",
				 n->file_index);
			name_thread(c, pid, tid, what);
		}
		slice(c, "notification", names_kind(n->kind), n->armed_ts,
		      n->end_ts >= 0 ? n->end_ts : end_of_trace, pid, tid,
		      json_pack("{s:s, s:I, s:i, s:i}",
				"outcome", oracle_outcome_name(n->outcome),
				"epoch", (json_int_t) n->epoch,
				"attempts", (int) n->attempts,
				"file_index", n->file_index));
	}
}

static void findings(struct chrome *c)
{
	size_t i;

	for (i = 0; i < c->j->n_findings; i++) {
		const struct oracle_finding *f = &c->j->findings[i];

		push(c, json_pack("{s:s, s:s, s:s, s:f, s:i, s:i, s:{s:s, s:s}}",
			"ph", "i", "s", "t", "name", oracle_rule_name(f->rule),
			"ts", us(c, f->ts), "pid", pid_at(c, f->ts),
			"tid", tid_of(c, LANE_STATES), "args",
			"job", c->j->id, "what", f->what));
	}
}

static void job_events(struct chrome *c)
{
	size_t k;

	snprintf(c->label, sizeof(c->label), "\"%s\" %.8s %s", c->j->name,
		 c->j->id, oracle_verdict_name(c->j->verdict));
	name_tracks(c);
	states(c);
	for (k = 0; c->hj && k < c->hj->n_transfers; k++)
		transfer(c, &c->hj->transfers[k]);
	notifications(c);
	deliveries(c);
	findings(c);
}

int report_chrome(const struct oracle *o, const struct history *h,
		  const char *path)
{
	struct chrome c = { .o = o, .events = json_array() };
	json_t *doc;
	int ret;

	for (c.index = 0; c.events && c.index < oracle_job_count(o); c.index++) {
		c.j = oracle_job_at(o, c.index);
		c.hj = h ? history_job(h, c.j->id) : NULL;
		job_events(&c);
	}
	doc = json_pack("{s:o, s:s}", "traceEvents", c.events,
			"displayTimeUnit", "ms");
	if (!doc) {
		errno = ENOMEM;
		return -1;
	}
	ret = json_dump_file(doc, path, JSON_COMPACT);
	json_decref(doc);
	return ret ? -1 : 0;
}
