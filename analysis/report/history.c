/* What the pictures draw: each job's states, transfers and processes. */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "tp/bgcopy_tp_abi.h"
#include "checked.h"

const struct bgc_reads history_reads[] = {
	BGC_READS(BGC_REC_JOB_CREATED, "state"),
	BGC_READS(BGC_REC_JOB_RESTORED, "state"),
	BGC_READS(BGC_REC_STATE_CHANGE, "to", "cause"),
	BGC_READS(BGC_REC_TRANSFER, "file_index", "url", "http_status",
		  "curl_code", "bytes", "namelookup_us", "connect_us",
		  "tls_us", "first_byte_us", "total_us"),
	BGC_READS_END,
};

/* Room for one more element of `size' bytes in *arr; 0 or -1. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 8;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, want * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = want;
	return 0;
}

#define GROW(h, arr, n, cap) \
	(grow((void **) &(arr), &(cap), (n), sizeof(*(arr))) ? ((h)->oom = true, -1) : 0)

void history_init(struct history *h)
{
	memset(h, 0, sizeof(*h));
}

void history_fini(struct history *h)
{
	size_t i, k;

	for (i = 0; i < h->jobs.cap; i++) {
		struct hist_job *hj = h->jobs.slots[i].value;

		if (!hj)
			continue;
		for (k = 0; k < hj->n_transfers; k++)
			free(hj->transfers[k].url);
		free(hj->states);
		free(hj->transfers);
		free(hj->procs);
		free(hj);
	}
	strmap_fini(&h->jobs);
}

static struct hist_job *job_of(struct history *h, const char *id)
{
	struct hist_job *hj = strmap_get_or_add(&h->jobs, id, sizeof(*hj));

	if (!hj)
		h->oom = true;
	return hj;
}

const struct hist_job *history_job(const struct history *h, const char *id)
{
	return strmap_get(&h->jobs, id);
}

static void note_process(struct history *h, struct hist_job *hj,
			 const struct bgc_record *r)
{
	if (hj->n_procs && hj->procs[hj->n_procs - 1].pid == r->vpid)
		return;
	if (GROW(h, hj->procs, hj->n_procs, hj->cap_procs))
		return;
	hj->procs[hj->n_procs++] = (struct hist_process) {
		.from_ts = r->ts, .pid = r->vpid,
	};
}

int64_t history_pid_at(const struct hist_job *hj, int64_t ts)
{
	size_t i;

	for (i = hj->n_procs; i-- > 0;) {
		if (hj->procs[i].from_ts <= ts)
			return hj->procs[i].pid;
	}
	return hj->n_procs ? hj->procs[0].pid : -1;
}

/* The job enters `state' at r->ts; a restore repeats the state it had. */
static void enter_state(struct history *h, struct hist_job *hj,
			const struct bgc_record *r, int64_t state,
			int64_t cause)
{
	struct hist_state *last = hj->n_states ?
				  &hj->states[hj->n_states - 1] : NULL;

	if (last && last->state == state && r->type == BGC_REC_JOB_RESTORED)
		return;
	if (last)
		last->end_ts = r->ts;
	if (GROW(h, hj->states, hj->n_states, hj->cap_states))
		return;
	hj->states[hj->n_states++] = (struct hist_state) {
		.state = state, .cause = cause, .begin_ts = r->ts,
		.end_ts = r->ts, .pid = r->vpid,
	};
}

static void add_transfer(struct history *h, struct hist_job *hj,
			 const struct bgc_record *r)
{
	char *url = strdup(r->url ? r->url : "");

	if (!url || GROW(h, hj->transfers, hj->n_transfers,
			 hj->cap_transfers)) {
		free(url);
		h->oom = true;
		return;
	}
	hj->transfers[hj->n_transfers++] = (struct hist_transfer) {
		.end_ts = r->ts, .file_index = r->file_index,
		.http_status = r->http_status, .curl_code = r->curl_code,
		.bytes = r->bytes, .namelookup_us = r->namelookup_us,
		.connect_us = r->connect_us, .tls_us = r->tls_us,
		.first_byte_us = r->first_byte_us, .total_us = r->total_us,
		.pid = r->vpid, .tid = r->vtid, .url = url,
	};
}

int history_feed(struct history *h, const struct bgc_record *r)
{
	struct hist_job *hj;

	if (!r->job || !(hj = job_of(h, r->job)))
		return h->oom ? -1 : 0;
	note_process(h, hj, r);
	/* The open state lasts at least to the job's latest event. */
	if (hj->n_states)
		hj->states[hj->n_states - 1].end_ts = r->ts;
	switch (r->type) {
	case BGC_REC_JOB_CREATED:
	case BGC_REC_JOB_RESTORED:
		enter_state(h, hj, r, r->state, -1);
		break;
	case BGC_REC_STATE_CHANGE:
		enter_state(h, hj, r, r->to, r->cause);
		break;
	case BGC_REC_TRANSFER:
		add_transfer(h, hj, r);
		break;
	default:
		break;
	}
	return h->oom ? -1 : 0;
}

bool history_phase(const struct hist_transfer *t, enum hist_phase p,
		   int64_t *begin, int64_t *end)
{
	/* libcurl's times are cumulative from the start; 0: not reached. */
	uint64_t marks[HIST_PHASES + 1] = {
		0, t->namelookup_us, t->connect_us, t->tls_us,
		t->first_byte_us, t->total_us,
	};
	int64_t start = ns_sub(t->end_ts, ns_of(t->total_us, 1000));
	uint64_t from = 0, to;
	int i;

	/* The mark a phase cannot start without: a refused connection
	 * waited for no byte, an attempt without a first byte has no body. */
	static const int needs[HIST_PHASES] = { 0, 0, 2, 2, 4 };

	if (p < 0 || p >= HIST_PHASES || (needs[p] && !marks[needs[p]]))
		return false;
	/* From the last mark reached before this phase. */
	for (i = 0; i <= (int) p; i++) {
		if (marks[i] && marks[i] >= from)
			from = marks[i];
	}
	to = marks[p + 1];
	if (!to || to <= from || to > t->total_us)
		return false;
	*begin = ns_add(start, ns_of(from, 1000));
	*end = ns_add(start, ns_of(to, 1000));
	return true;
}

const char *history_phase_name(enum hist_phase p)
{
	static const char *const names[HIST_PHASES] = {
		"lookup", "connect", "tls", "wait", "body",
	};

	return p >= 0 && p < HIST_PHASES ? names[p] : "?";
}

int64_t history_state_end(const struct hist_job *hj, size_t i,
			  int64_t trace_end)
{
	const struct hist_state *s = &hj->states[i];

	/* The last state lasts as long as the trace unless it is final. */
	if (i + 1 < hj->n_states || s->state == BGCOPY_TP_ACKNOWLEDGED ||
	    s->state == BGCOPY_TP_CANCELLED || trace_end < s->end_ts)
		return s->end_ts;
	return trace_end;
}
