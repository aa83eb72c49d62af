/*
 * Per-job timelines: every event of a job, printed with the oracle's
 * outcomes.
 */
#include "jobtimeline.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "report/report.h"
#include "strmap.h"
#include "tp/bgcopy_tp_abi.h"
#include "checked.h"

struct text {
	char *buf;
	size_t len, cap;
};

/* The header names this many of a job's processes, then counts. */
#define TL_PIDS_SHOWN 4

struct jobtext {
	struct text text;
	int64_t *pids;			/* distinct, in order of appearance */
	size_t n_pids, cap_pids;
};

/* The engines, folded into one line: they would bury the jobs. */
struct engines {
	uint64_t opened, closed;
	struct strmap stores;		/* store path -> (unused) */
	const char *first_store;	/* a key of stores */
	int64_t first_ts, last_ts;
};

struct jobtimeline {
	struct strmap jobs;		/* job id -> struct jobtext */
	struct engines engines;
	struct text global;		/* tracer loss */
	bool wall;			/* time stamps count from the epoch */
	bool have_t0;
	int64_t t0;
	bool oom;
};

static void append(struct jobtimeline *tl, struct text *t, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void append(struct jobtimeline *tl, struct text *t, const char *fmt,
		   ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL,
			      t->buf ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (t->buf && t->len + (size_t) n < t->cap)
			break;
		size_t cap = t->cap ? t->cap * 2 : 1024;
		while (cap <= t->len + (size_t) n)
			cap *= 2;
		char *buf = realloc(t->buf, cap);
		if (!buf) {
			tl->oom = true;
			return;
		}
		t->buf = buf;
		t->cap = cap;
	}
	t->len += (size_t) n;
}

struct jobtimeline *jobtimeline_create(void)
{
	return calloc(1, sizeof(struct jobtimeline));
}

void jobtimeline_destroy(struct jobtimeline *tl)
{
	size_t i;

	if (!tl)
		return;
	for (i = 0; i < tl->jobs.cap; i++) {
		struct jobtext *jt = tl->jobs.slots[i].value;

		if (jt) {
			free(jt->text.buf);
			free(jt->pids);
			free(jt);
		}
	}
	strmap_fini(&tl->jobs);
	strmap_fini(&tl->engines.stores);
	free(tl->global.buf);
	free(tl);
}

void jobtimeline_set_wallclock(struct jobtimeline *tl, bool wall)
{
	tl->wall = wall;
}

static struct jobtext *job_text(struct jobtimeline *tl, const char *id)
{
	struct jobtext *jt = strmap_get_or_add(&tl->jobs, id, sizeof(*jt));

	if (!jt)
		tl->oom = true;
	return jt;
}

static void note_pid(struct jobtimeline *tl, struct jobtext *jt, int64_t pid)
{
	size_t i, cap;
	int64_t *pids;

	/* The newest first: a job's events come in runs per process. */
	for (i = jt->n_pids; pid >= 0 && i-- > 0;) {
		if (jt->pids[i] == pid)
			return;
	}
	if (pid < 0)
		return;
	if (jt->n_pids == jt->cap_pids) {
		cap = jt->cap_pids ? jt->cap_pids * 2 : 4;
		pids = realloc(jt->pids, cap * sizeof(*pids));
		if (!pids) {
			tl->oom = true;
			return;
		}
		jt->pids = pids;
		jt->cap_pids = cap;
	}
	jt->pids[jt->n_pids++] = pid;
}

/* "  +12.345 ms  2026-11-30T08:41:47.250123Z  " */
static void stamp(struct jobtimeline *tl, struct text *t, int64_t ts)
{
	char iso[REPORT_ISO_LEN];

	append(tl, t, "  %+.3f ms  ", NAMES_MS(ns_sub(ts, tl->t0)));
	if (tl->wall) {
		report_iso_time(ts, iso, sizeof(iso));
		append(tl, t, "%s  ", iso);
	}
}

/* "JOB_TRANSFERRED epoch 1 attempt 2" (+ " file 3") */
static void notif_words(struct jobtimeline *tl, struct text *t,
			const struct bgc_record *r)
{
	append(tl, t, "%s epoch %" PRIu64 " attempt %" PRIu64,
	       names_kind(r->kind), r->epoch, r->attempt);
	if (r->kind == BGCOPY_TP_KIND_FILE_TRANSFERRED)
		append(tl, t, " file %" PRId64, r->file_index);
}

static void job_info(struct jobtimeline *tl, struct text *t,
		     const struct bgc_record *r)
{
	append(tl, t, "\"%s\" priority %s owner %" PRIu64 " state %s "
	       "flags 0x%" PRIx64 " retry-delay %" PRIu64 " ms "
	       "no-progress %" PRIu64 " ms interval %" PRIu64 " ms "
	       "files %" PRIu64 "\n", r->name, names_priority(r->priority),
	       r->owner, names_state(r->state), r->notify_flags,
	       r->min_retry_delay_ms, r->no_progress_timeout_ms,
	       r->modification_interval_ms, r->files);
}

static void transfer(struct jobtimeline *tl, struct text *t,
		     const struct bgc_record *r)
{
	double secs = (double) r->total_us / 1e6;

	append(tl, t, "transfer file %" PRId64 " %s http %" PRId64,
	       r->file_index, r->url, r->http_status);
	if (r->final_url && *r->final_url)
		append(tl, t, " redirected to %s", r->final_url);
	if (r->range_from)
		append(tl, t, " range %" PRIu64 " %s", r->range_from,
		       r->range_honoured ? "honoured" : "ignored");
	if (r->if_range)
		append(tl, t, " if-range %s", names_if_range(r->if_range));
	if (r->restart)
		append(tl, t, " starts over: %s", names_restart(r->restart));
	append(tl, t, " %" PRIu64 " bytes: lookup %.3f ms connect %.3f ms "
	       "tls %.3f ms first-byte %.3f ms total %.3f ms",
	       r->bytes, r->namelookup_us / 1e3, r->connect_us / 1e3,
	       r->tls_us / 1e3, r->first_byte_us / 1e3, r->total_us / 1e3);
	if (secs > 0)
		append(tl, t, " %.3f MB/s", (double) r->bytes / secs / 1e6);
	append(tl, t, " curl %" PRId64 "\n", r->curl_code);
}

static void job_line(struct jobtimeline *tl, struct text *t,
		     const struct bgc_record *r)
{
	switch (r->type) {
	case BGC_REC_JOB_CREATED:
		append(tl, t, "created ");
		job_info(tl, t, r);
		break;
	case BGC_REC_JOB_RESTORED:
		append(tl, t, "restored ");
		job_info(tl, t, r);
		break;
	case BGC_REC_FILE_ADDED:
		append(tl, t, "file %" PRId64 " added %s -> %s\n",
		       r->file_index, r->url, r->local_path);
		break;
	case BGC_REC_FILE_COMPLETE:
		append(tl, t, "file %" PRId64 " completed, %" PRIu64 " bytes\n",
		       r->file_index, r->bytes);
		break;
	case BGC_REC_STATE_CHANGE:
		append(tl, t, "state %s -> %s (%s)", names_state(r->from),
		       names_state(r->to), names_cause(r->cause));
		if (r->error_context != BGCOPY_TP_ERRCTX_NONE)
			append(tl, t, " error %s code %" PRId64 " http %" PRId64
			       " curl %" PRId64 " file %" PRId64 ": %s",
			       names_errctx(r->error_context), r->error_code,
			       r->http_status, r->curl_code, r->error_file,
			       r->description);
		append(tl, t, "\n");
		break;
	case BGC_REC_FLAGS_CHANGE:
		append(tl, t, "flags 0x%" PRIx64 " -> 0x%" PRIx64, r->old_flags,
		       r->new_flags);
		if (r->result)
			append(tl, t, " refused (%" PRId64 ")", r->result);
		append(tl, t, "\n");
		break;
	case BGC_REC_INTERFACE_SET:
		if (r->iface)
			append(tl, t, "interface 0x%" PRIx64 " set", r->iface);
		else
			append(tl, t, "interface removed");
		append(tl, t, ", epoch %" PRIu64 " -> %" PRIu64 "\n",
		       r->old_epoch, r->new_epoch);
		break;
	case BGC_REC_INTERFACE_RELEASE:
		append(tl, t, "interface 0x%" PRIx64 " released (epoch %"
		       PRIu64 ")\n", r->iface, r->epoch);
		break;
	case BGC_REC_PROPERTY_CHANGE:
		append(tl, t, "property %s = \"%s\"\n",
		       names_property(r->property), r->value);
		break;
	case BGC_REC_NOTIFY_ARMED:
	case BGC_REC_NOTIFY_COALESCED:
		append(tl, t, "engine %s ", r->type == BGC_REC_NOTIFY_ARMED ?
		       "armed" : "coalesced");
		notif_words(tl, t, r);
		append(tl, t, "\n");
		break;
	case BGC_REC_CALLBACK_BEGIN:
		append(tl, t, "begin ");
		notif_words(tl, t, r);
		append(tl, t, " iface 0x%" PRIx64, r->iface);
		if (r->vtid >= 0)
			append(tl, t, " tid %" PRId64, r->vtid);
		append(tl, t, "\n");
		break;
	case BGC_REC_CALLBACK_END:
		append(tl, t, "callback ");
		notif_words(tl, t, r);
		append(tl, t, " -> %" PRId64 " in %.3f ms\n", r->result,
		       NAMES_MS(r->duration_ns));
		break;
	case BGC_REC_RETRY_SCHEDULED:
		append(tl, t, "retry ");
		notif_words(tl, t, r);
		append(tl, t, " in %" PRIu64 " ms\n", r->delay_ms);
		break;
	case BGC_REC_CMDLINE_RUN:
		append(tl, t, "cmdline run ");
		notif_words(tl, t, r);
		append(tl, t, " \"%s\" pid %" PRId64 "\n", r->program, r->pid);
		break;
	case BGC_REC_CMDLINE_EXIT:
		append(tl, t, "cmdline exit ");
		notif_words(tl, t, r);
		append(tl, t, " status %" PRId64 " pid %" PRId64 "\n",
		       r->status, r->pid);
		break;
	case BGC_REC_TRANSFER:
		transfer(tl, t, r);
		break;
	/* schema 5: a callback on both sides, joined by arming and attempt */
	case BGC_REC_CALLBACK_FORWARDED:
		append(tl, t, "forwarded ");
		notif_words(tl, t, r);
		append(tl, t, " arming %" PRIu64 " to pid %" PRId64 "\n",
		       r->arming, r->pid);
		break;
	case BGC_REC_CLIENT_CALLBACK_RECEIVED:
	case BGC_REC_CLIENT_CALLBACK_RETURNED:
		append(tl, t, "client pid %" PRId64 " %s %s arming %" PRIu64
		       " attempt %" PRIu64 " of engine 0x%" PRIx64, r->vpid,
		       r->type == BGC_REC_CLIENT_CALLBACK_RECEIVED ? "received" :
		       "returned", names_kind(r->kind), r->arming, r->attempt,
		       r->engine);
		if (r->type == BGC_REC_CLIENT_CALLBACK_RETURNED)
			append(tl, t, " -> %" PRId64, r->result);
		append(tl, t, "\n");
		break;
	default:
		break;
	}
}

static void engine_seen(struct jobtimeline *tl, const struct bgc_record *r)
{
	struct engines *e = &tl->engines;
	const char *key;

	if (!e->opened && !e->closed)
		e->first_ts = r->ts;
	e->last_ts = r->ts;
	if (r->type == BGC_REC_ENGINE_CLOSE) {
		e->closed++;
		return;
	}
	e->opened++;
	if (strmap_get(&e->stores, r->store))
		return;
	key = strmap_put(&e->stores, r->store, &e->stores);
	if (!key)
		tl->oom = true;
	else if (!e->first_store)
		e->first_store = key;
}

static void global_line(struct jobtimeline *tl, const struct bgc_record *r)
{
	struct text *t = &tl->global;

	switch (r->type) {
	case BGC_REC_ENGINE_OPEN:
	case BGC_REC_ENGINE_CLOSE:
		engine_seen(tl, r);
		break;
	case BGC_REC_DISCARDED:
		append(tl, t, "  tracer discarded %" PRIu64 " %s",
		       r->disc_count, r->disc_packets ? "packets" : "events");
		if (r->disc_has_window)
			append(tl, t, " between %+.3f ms and %+.3f ms",
			       NAMES_MS(r->disc_begin - tl->t0),
			       NAMES_MS(r->disc_end - tl->t0));
		append(tl, t, "\n");
		break;
	default:
		break;
	}
}

/* bgcopyd's client asking for something on a job: who moved it. */
static void peer_line(struct jobtimeline *tl, const struct bgc_record *r)
{
	struct jobtext *jt;

	if (!r->target_job || !*r->target_job ||
	    !(jt = job_text(tl, r->target_job)))
		return;
	stamp(tl, &jt->text, r->ts);
	append(tl, &jt->text, "request %s from pid %" PRId64 " uid %" PRIu64,
	       r->verb, r->peer_pid, r->peer_uid);
	if (!r->peer_uts_ns)
		append(tl, &jt->text, " (gone: namespace unknown)");
	append(tl, &jt->text, "\n");
}

int jobtimeline_feed(struct jobtimeline *tl, const struct bgc_record *r)
{
	struct jobtext *jt;

	if (!tl->have_t0 && r->type != BGC_REC_DISCARDED) {
		tl->t0 = r->ts;
		tl->have_t0 = true;
	}
	if (r->type == BGC_REC_PROGRESS)
		return 0;	/* would drown the rest */
	if (r->type == BGC_REC_PEER_REQUEST) {
		peer_line(tl, r);
	} else if (!r->job) {
		global_line(tl, r);
	} else if ((jt = job_text(tl, r->job))) {
		note_pid(tl, jt, r->vpid);
		stamp(tl, &jt->text, r->ts);
		job_line(tl, &jt->text, r);
	}
	return tl->oom ? -1 : 0;
}

static void print_ms(FILE *out, const char *what, int64_t ts, int64_t t0)
{
	if (ts >= 0)
		fprintf(out, ", %s %+.3f ms", what, NAMES_MS(ns_sub(ts, t0)));
}

static void print_notifs(const struct jobtimeline *tl,
			 const struct oracle_job *j, FILE *out)
{
	size_t i;

	if (!j->n_notifs)
		return;
	fprintf(out, "  notifications:\n");
	for (i = 0; i < j->n_notifs; i++) {
		const struct oracle_notif *n = &j->notifs[i];

		fprintf(out, "    notification %s", names_kind(n->kind));
		if (n->file_index >= 0)
			fprintf(out, " file %d", n->file_index);
		fprintf(out, " epoch %" PRIu64, n->epoch);
		print_ms(out, "armed", n->armed_ts, tl->t0);
		print_ms(out, "due", n->due_ts, tl->t0);
		print_ms(out, "first begin", n->first_begin_ts, tl->t0);
		if (n->first_begin_ts >= 0 && n->due_ts >= 0)
			fprintf(out, " (latency %.3f ms)",
				NAMES_MS(ns_sub(n->first_begin_ts, n->due_ts)));
		fprintf(out, ", %u attempt%s, %u failed: %s",
			n->attempts, n->attempts == 1 ? "" : "s", n->failures,
			oracle_outcome_name(n->outcome));
		if (n->end_ts >= 0)
			fprintf(out, " at %+.3f ms", NAMES_MS(ns_sub(n->end_ts, tl->t0)));
		fprintf(out, "\n");
	}
}

static void print_callbacks(FILE *out, const char *prefix,
			    const unsigned *counts)
{
	int k;

	fprintf(out, "%scallbacks:", prefix);
	for (k = 1; k < ORACLE_KINDS; k++)
		fprintf(out, " %s=%u", names_kind(k), counts[k]);
	fprintf(out, "\n");
}

/* " +12.345 ms (2026-11-30T08:41:47.250123Z)" */
static void print_when(const struct jobtimeline *tl, int64_t ts, FILE *out)
{
	char iso[REPORT_ISO_LEN];

	fprintf(out, " %+.3f ms", NAMES_MS(ns_sub(ts, tl->t0)));
	if (tl->wall) {
		report_iso_time(ts, iso, sizeof(iso));
		fprintf(out, " (%s)", iso);
	}
}

/* One line for every engine_open and engine_close of the trace. */
static void print_engines(const struct jobtimeline *tl, FILE *out)
{
	const struct engines *e = &tl->engines;

	if (!e->opened && !e->closed)
		return;
	fprintf(out, "engines: %" PRIu64 " opened, %" PRIu64 " closed, "
		"from", e->opened, e->closed);
	print_when(tl, e->first_ts, out);
	fprintf(out, " to");
	print_when(tl, e->last_ts, out);
	if (e->first_store)
		fprintf(out, "; store \"%s\"", e->first_store);
	if (e->stores.len > 1)
		fprintf(out, " and %zu more", e->stores.len - 1);
	fprintf(out, "\n");
}

/* The job's name, id, processes, first and last event. */
static void print_header(const struct jobtimeline *tl,
			 const struct oracle_job *j, const struct jobtext *jt,
			 FILE *out)
{
	size_t i;

	fprintf(out, "job %s \"%s\"\n", j->id, j->name);
	if (jt && jt->n_pids) {
		fprintf(out, "  process%s", jt->n_pids > 1 ? "es" : "");
		for (i = 0; i < jt->n_pids && i < TL_PIDS_SHOWN; i++)
			fprintf(out, "%s %" PRId64, i ? "," : "", jt->pids[i]);
		if (jt->n_pids > TL_PIDS_SHOWN)
			fprintf(out, " and %zu more", jt->n_pids - TL_PIDS_SHOWN);
		fprintf(out, "\n");
	}
	fprintf(out, "  first event");
	print_when(tl, j->first_ts, out);
	fprintf(out, ", last");
	print_when(tl, j->last_ts, out);
	fprintf(out, "\n");
}

void jobtimeline_print(const struct jobtimeline *tl, const struct oracle *o,
		       FILE *out)
{
	unsigned total[ORACLE_KINDS] = { 0 };
	size_t i, k;

	print_engines(tl, out);
	if (tl->global.len)
		fprintf(out, "%.*s", (int) tl->global.len, tl->global.buf);
	fprintf(out, "\n");
	for (i = 0; i < oracle_job_count(o); i++) {
		const struct oracle_job *j = oracle_job_at(o, i);
		const struct jobtext *jt = strmap_get(&tl->jobs, j->id);

		print_header(tl, j, jt, out);
		if (jt)
			fprintf(out, "%.*s", (int) jt->text.len, jt->text.buf);
		print_notifs(tl, j, out);
		for (k = 0; k < j->n_findings; k++)
			fprintf(out, "  finding %s: %s\n",
				oracle_rule_name(j->findings[k].rule),
				j->findings[k].what);
		print_callbacks(out, "  ", j->callbacks);
		fprintf(out, "  verdict %s", oracle_verdict_name(j->verdict));
		if (j->taint)
			fprintf(out, " (%s)", j->taint);
		fprintf(out, "\n\n");
		for (k = 1; k < ORACLE_KINDS; k++)
			total[k] += j->callbacks[k];
	}
	print_callbacks(out, "total ", total);
}
