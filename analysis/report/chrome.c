/*
 * Chrome trace-event JSON (opens in Perfetto's UI).  One process per job;
 * in it, one thread for the callbacks and one per notification kind (per
 * file for FILE_TRANSFERRED) so slices on a thread never overlap.  A flow
 * arrow joins each arming to its first callback.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>

#include "names.h"
#include "tp/bgcopy_tp_abi.h"
#include "checked.h"

#define TID_CALLBACKS 1
#define TID_KIND(kind, file) ((kind) == BGCOPY_TP_KIND_FILE_TRANSFERRED ? \
			      100 + (file) : 10 + (kind))

static double us(const struct oracle *o, int64_t ts)
{
	return (double) ns_sub(ts, oracle_first_ts(o)) / 1e3;
}

static void push(json_t *events, json_t *ev)
{
	if (ev)
		json_array_append_new(events, ev);
}

static void name_thread(json_t *events, int pid, int tid, const char *name)
{
	push(events, json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}",
		"ph", "M", "name", "thread_name", "pid", pid, "tid", tid,
		"args", "name", name));
}

static void job_events(const struct oracle *o, const struct oracle_job *j,
		       int pid, uint64_t *flow_id, json_t *events)
{
	int64_t end_of_trace = oracle_last_ts(o);
	char label[256];
	size_t i;
	int k;

	snprintf(label, sizeof(label), "job %s \"%s\" %s", j->id, j->name,
		 oracle_verdict_name(j->verdict));
	push(events, json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}",
		"ph", "M", "name", "process_name", "pid", pid, "tid", 0,
		"args", "name", label));
	name_thread(events, pid, TID_CALLBACKS, "callbacks");
	for (k = 1; k < BGCOPY_TP_KIND_FILE_TRANSFERRED; k++) {
		snprintf(label, sizeof(label), "%s owed", names_kind(k));
		name_thread(events, pid, TID_KIND(k, 0), label);
	}
	for (i = 0; i < j->n_deliveries; i++) {
		const struct oracle_delivery *d = &j->deliveries[i];
		int64_t end = d->end_ts >= 0 ? d->end_ts : end_of_trace;
		const struct oracle_notif *n =
			d->notif < j->n_notifs ? &j->notifs[d->notif] : NULL;

		push(events, json_pack("{s:s, s:s, s:s, s:f, s:f, s:i, s:i, "
				       "s:{s:I, s:i, s:i, s:b}}",
			"ph", "X", "cat", d->cmdline ? "cmdline" : "callback",
			"name", names_kind(d->kind), "ts", us(o, d->begin_ts),
			"dur", us(o, end) - us(o, d->begin_ts), "pid", pid,
			"tid", TID_CALLBACKS, "args",
			"epoch", (json_int_t) d->epoch, "attempt", (int) d->attempt,
			"result", d->result, "returned", d->end_ts >= 0));
		if (!n || n->first_begin_ts != d->begin_ts)
			continue;
		/* Flow: arming (on the kind's thread) to the first begin. */
		++*flow_id;
		push(events, json_pack("{s:s, s:s, s:s, s:I, s:f, s:i, s:i}",
			"ph", "s", "cat", "flow", "name", "armed",
			"id", (json_int_t) *flow_id, "ts", us(o, n->armed_ts),
			"pid", pid, "tid", TID_KIND(n->kind, n->file_index)));
		push(events, json_pack("{s:s, s:s, s:s, s:s, s:I, s:f, s:i, s:i}",
			"ph", "f", "bp", "e", "cat", "flow", "name", "armed",
			"id", (json_int_t) *flow_id, "ts", us(o, d->begin_ts),
			"pid", pid, "tid", TID_CALLBACKS));
	}
	for (i = 0; i < j->n_notifs; i++) {
		const struct oracle_notif *n = &j->notifs[i];
		int64_t end = n->end_ts >= 0 ? n->end_ts : end_of_trace;
		int tid = TID_KIND(n->kind, n->file_index);

		if (n->kind == BGCOPY_TP_KIND_FILE_TRANSFERRED) {
			snprintf(label, sizeof(label), "FILE_TRANSFERRED %d owed",
				 n->file_index);
			name_thread(events, pid, tid, label);
		}
		push(events, json_pack("{s:s, s:s, s:s, s:f, s:f, s:i, s:i, "
				       "s:{s:s, s:I, s:i, s:i}}",
			"ph", "X", "cat", "notification",
			"name", names_kind(n->kind), "ts", us(o, n->armed_ts),
			"dur", us(o, end) - us(o, n->armed_ts), "pid", pid,
			"tid", tid, "args",
			"outcome", oracle_outcome_name(n->outcome),
			"epoch", (json_int_t) n->epoch,
			"attempts", (int) n->attempts,
			"file_index", n->file_index));
	}
	for (i = 0; i < j->n_findings; i++)
		push(events, json_pack("{s:s, s:s, s:s, s:f, s:i, s:i, s:{s:s}}",
			"ph", "i", "s", "p",
			"name", oracle_rule_name(j->findings[i].rule),
			"ts", us(o, j->findings[i].ts), "pid", pid,
			"tid", TID_CALLBACKS, "args", "what",
			j->findings[i].what));
}

int report_chrome(const struct oracle *o, const char *path)
{
	json_t *events = json_array(), *doc;
	uint64_t flow_id = 0;
	size_t i;
	int ret;

	for (i = 0; events && i < oracle_job_count(o); i++)
		job_events(o, oracle_job_at(o, i), (int) i + 1, &flow_id,
			   events);
	doc = json_pack("{s:o, s:s}", "traceEvents", events,
			"displayTimeUnit", "ms");
	if (!doc) {
		errno = ENOMEM;
		return -1;
	}
	ret = json_dump_file(doc, path, JSON_COMPACT);
	json_decref(doc);
	return ret ? -1 : 0;
}
