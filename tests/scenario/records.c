/* The scenario language's record back end: bgc_records as decode.c. */
#include "tests/scenario/scenario.h"

#include "tp/bgcopy_tp_abi.h"

#define MS 1000000ll

static const enum bgc_rec_type record_type[] = {
	[SCN_ENGINE_OPEN] = BGC_REC_ENGINE_OPEN,
	[SCN_ENGINE_CLOSE] = BGC_REC_ENGINE_CLOSE,
	[SCN_CREATED] = BGC_REC_JOB_CREATED,
	[SCN_RESTORED] = BGC_REC_JOB_RESTORED,
	[SCN_FILE_ADDED] = BGC_REC_FILE_ADDED,
	[SCN_FILE_COMPLETE] = BGC_REC_FILE_COMPLETE,
	[SCN_STATE] = BGC_REC_STATE_CHANGE,
	[SCN_FLAGS] = BGC_REC_FLAGS_CHANGE,
	[SCN_IFACE] = BGC_REC_INTERFACE_SET,
	[SCN_RELEASE] = BGC_REC_INTERFACE_RELEASE,
	[SCN_PROPERTY] = BGC_REC_PROPERTY_CHANGE,
	[SCN_PROGRESS] = BGC_REC_PROGRESS,
	[SCN_ARMED] = BGC_REC_NOTIFY_ARMED,
	[SCN_COALESCED] = BGC_REC_NOTIFY_COALESCED,
	[SCN_BEGIN] = BGC_REC_CALLBACK_BEGIN,
	[SCN_END] = BGC_REC_CALLBACK_END,
	[SCN_CMDLINE_RUN] = BGC_REC_CMDLINE_RUN,
	[SCN_CMDLINE_EXIT] = BGC_REC_CMDLINE_EXIT,
	[SCN_TRANSFER] = BGC_REC_TRANSFER,
	[SCN_DISCARD] = BGC_REC_DISCARDED,
	[SCN_MISSING] = BGC_REC__COUNT,		/* no record */
	[SCN_FORWARDED] = BGC_REC_CALLBACK_FORWARDED,
	[SCN_CLIENT_OPEN] = BGC_REC_CLIENT_OPEN,
	[SCN_RECEIVED] = BGC_REC_CLIENT_CALLBACK_RECEIVED,
	[SCN_RETURNED] = BGC_REC_CLIENT_CALLBACK_RETURNED,
};

/* A client's events: from its own process, naming no seq of the job. */
static bool client_side(const struct scn_step *st)
{
	return st->verb == SCN_CLIENT_OPEN || st->verb == SCN_RECEIVED ||
	       st->verb == SCN_RETURNED;
}

void scn_cursor_init(struct scn_cursor *c, const struct scenario *s)
{
	*c = (struct scn_cursor) { .s = s };
}

/* job_created and job_restored: the engine's defaults, the given state
 * and flags; epoch and command line only when the scenario gives them,
 * as engines before e381adb recorded neither. */
static void job_info(const struct scn_step *st, struct bgc_record *r)
{
	r->name = "test";
	r->state = st->to;
	r->notify_flags = st->flags;
	r->min_retry_delay_ms = 5000;
	r->modification_interval_ms = 500;
	r->has_epoch = st->has_epoch;
	r->epoch = st->epoch;
	r->notify_cmdline = st->has_cmdline ? st->text : NULL;
}

static void notification(const struct scn_step *st, struct bgc_record *r)
{
	r->kind = st->kind;
	r->epoch = st->epoch;
	r->attempt = st->attempt;
	r->has_arming = st->has_arming;
	r->arming = st->arming;
	r->iface = st->iface;
	r->result = r->status = st->result;
	r->pid = 4242;
	r->program = "/bin/true";
}

static void fill(const struct scn_step *st, struct bgc_record *r)
{
	switch (st->verb) {
	case SCN_ENGINE_OPEN:
		r->store = "/var/lib/bgcopy";
		r->trace_schema = BGCOPY_TRACE_SCHEMA;
		r->dispatcher_threads = st->threads;
		break;
	case SCN_CREATED:
	case SCN_RESTORED:
		job_info(st, r);
		break;
	case SCN_FILE_ADDED:
	case SCN_FILE_COMPLETE:
		r->url = "http://example.test/f";
		r->local_path = "/tmp/f";
		r->bytes = st->bytes;
		break;
	case SCN_STATE:
		r->from = st->from;
		r->to = st->to;
		r->description = "";
		break;
	case SCN_FLAGS:
		r->old_flags = st->flags;
		r->new_flags = st->new_flags;
		break;
	case SCN_IFACE:
		r->old_epoch = st->epoch;
		r->new_epoch = st->new_epoch;
		r->iface = st->iface;
		break;
	case SCN_RELEASE:
		r->epoch = st->epoch;
		r->iface = st->iface;
		break;
	case SCN_PROPERTY:
		r->property = st->property;
		r->value = st->text;
		break;
	case SCN_PROGRESS:
		r->file_bytes = r->job_bytes = st->bytes;
		r->file_total = r->job_total = (int64_t) st->total;
		break;
	case SCN_TRANSFER:
		r->url = "http://example.test/f";
		r->http_status = 200;
		r->bytes = st->bytes;
		r->total_us = 1000;
		break;
	case SCN_DISCARD:
		r->stream_pid = st->has_pid ? (int64_t) st->pid : -1;
		r->stream_uid = st->has_uid ? (int64_t) st->uid : -1;
		r->disc_has_window = true;
		r->disc_begin = st->begin_ms * MS;
		r->disc_end = st->end_ms * MS;
		r->disc_count = st->count;
		break;
	case SCN_ARMED:
	case SCN_COALESCED:
	case SCN_BEGIN:
	case SCN_END:
	case SCN_CMDLINE_RUN:
	case SCN_CMDLINE_EXIT:
		notification(st, r);
		break;
	case SCN_FORWARDED:
	case SCN_RECEIVED:
	case SCN_RETURNED:
		notification(st, r);
		r->pid = (int64_t) st->pid;
		r->pid_start = st->start;
		break;
	case SCN_CLIENT_OPEN:
		r->pid_start = st->start;
		break;
	case SCN_ENGINE_CLOSE:
	case SCN_MISSING:
		break;
	}
}

bool scn_next_record(struct scn_cursor *c, int64_t until_ms,
		     struct bgc_record *r)
{
	const struct scn_step *st;
	uint64_t *seq;

	do {
		if (c->next == c->s->n_steps ||
		    c->s->steps[c->next].ms > until_ms)
			return false;
		st = &c->s->steps[c->next++];
		seq = st->job && !client_side(st) ?
		      &c->seq[st->job - 'a'][st->engine] : NULL;
		if (st->verb == SCN_MISSING)
			*seq += st->count;
	} while (st->verb == SCN_MISSING);
	*r = (struct bgc_record) {
		.type = record_type[st->verb], .ts = st->ms * MS,
		.vpid = -1, .vtid = -1, .engine = 0x1111u * st->engine,
		.job = st->job ? scn_job_id(st->job) : NULL,
		.seq = seq ? ++*seq : 0, .file_index = st->file,
		/* each engine in its own process, all of one user */
		.stream_pid = 1000 + st->engine, .stream_uid = 0,
	};
	if (client_side(st)) {
		r->vpid = r->stream_pid = (int64_t) st->pid;
		r->client = st->client ? 0xd0000000u + st->client :
			    0xc0000000u + st->pid * 1000 + st->start;
	}
	fill(st, r);
	return true;
}
