/*
 * The feed: oracle_feed() routes each record to the handler of its engine
 * or job.
 */
#include <inttypes.h>

#include "oracle_internal.h"

/*
 * What the handlers below read of each event, for the decoder.  Every
 * record shows its type, time stamp and vpid; a job's events, their job
 * id and sequence number (check_seq(), evidence_of()).
 */
#define JOB "engine", "job", "seq"
#define INFO JOB, "name", "state", "notify_flags", "min_retry_delay_ms", \
	"modification_interval_ms", "epoch", "notify_cmdline"
#define RUN JOB, "kind", "file_index", "epoch", "attempt", "arming"

const struct bgc_reads oracle_reads[] = {
	BGC_READS(BGC_REC_ENGINE_OPEN, "engine", "store", "trace_schema",
		  "dispatcher_threads"),
	BGC_READS(BGC_REC_ENGINE_CLOSE, "engine"),
	BGC_READS(BGC_REC_STORE_OPEN, "engine"),
	BGC_READS(BGC_REC_JOB_CREATED, INFO),
	BGC_READS(BGC_REC_JOB_RESTORED, INFO),
	BGC_READS(BGC_REC_FILE_ADDED, JOB),
	BGC_READS(BGC_REC_FILE_COMPLETE, JOB, "file_index"),
	BGC_READS(BGC_REC_STATE_CHANGE, JOB, "to"),
	BGC_READS(BGC_REC_FLAGS_CHANGE, JOB, "new_flags", "result"),
	BGC_READS(BGC_REC_INTERFACE_SET, JOB, "new_epoch", "iface"),
	BGC_READS(BGC_REC_INTERFACE_RELEASE, JOB, "iface", "epoch"),
	BGC_READS(BGC_REC_PROPERTY_CHANGE, JOB, "property", "value"),
	BGC_READS(BGC_REC_PROGRESS, JOB),
	BGC_READS(BGC_REC_NOTIFY_ARMED, JOB, "kind", "file_index", "arming"),
	BGC_READS(BGC_REC_NOTIFY_COALESCED, JOB),
	BGC_READS(BGC_REC_CALLBACK_BEGIN, RUN, "iface"),
	BGC_READS(BGC_REC_CALLBACK_END, RUN, "result"),
	BGC_READS(BGC_REC_RETRY_SCHEDULED, JOB),
	BGC_READS(BGC_REC_CMDLINE_RUN, RUN, "pid"),
	BGC_READS(BGC_REC_CMDLINE_EXIT, RUN, "pid", "status"),
	BGC_READS(BGC_REC_TRANSFER, JOB),
	/* schema 5: the client side of callbacks (receipts.c) */
	BGC_READS(BGC_REC_CALLBACK_FORWARDED, RUN, "pid", "pid_start"),
	BGC_READS(BGC_REC_CLIENT_OPEN, "client", "pid_start"),
	BGC_READS(BGC_REC_CLIENT_CALLBACK_RECEIVED, "client", "engine", "job",
		  "kind", "file_index", "arming", "attempt"),
	BGC_READS(BGC_REC_CLIENT_CALLBACK_RETURNED, "client", "engine", "job",
		  "kind", "file_index", "arming", "attempt", "result"),
	BGC_READS_END,
};

#undef JOB
#undef INFO
#undef RUN

/* A job's events of one engine end: any of their numbers missing? */
void job_seq_end(struct job *j)
{
	/* Every engine numbers a job's events from 1 (job_created or
	 * job_restored): a segment that starts later lost its beginning,
	 * a whole stream perhaps, which no count inside it shows. */
	if (j->seq_count && j->seq_min != 1)
		job_taint(j, "the trace lacks the job's first %" PRIu64 " events "
		      "in engine 0x%" PRIx64 ": they are lost",
		      j->seq_min - 1, j->seq_engine);
	else if (j->seq_count && j->seq_max - j->seq_min + 1 != j->seq_count)
		job_taint(j, "the trace holds %" PRIu64 " of the job's events "
		      "numbered %" PRIu64 " to %" PRIu64 " in engine 0x%" PRIx64
		      ": the others are lost", j->seq_count, j->seq_min,
		      j->seq_max, j->seq_engine);
	j->seq_count = 0;
}

static void check_seq(struct job *j, const struct bgc_record *r)
{
	/* An engine stamps a job's events in the order it numbers them:
	 * out of that order, the trace order is not the job's (two events
	 * stamped alike, or damaged time stamps), so nothing is proven. */
	if (j->seq_count && r->engine == j->seq_engine && r->seq <= j->last_seq)
		job_taint(j, "events with seq %" PRIu64 " and %" PRIu64 " are "
		      "out of order%s", j->last_seq, r->seq,
		      r->ts == j->last_seq_ts ? " (one time stamp)" : "");
	if (j->seq_count && r->engine != j->seq_engine)
		job_seq_end(j);
	if (!j->seq_count++) {
		j->seq_engine = r->engine;
		j->seq_min = j->seq_max = r->seq;
	} else if (r->seq < j->seq_min) {
		j->seq_min = r->seq;
	} else if (r->seq > j->seq_max) {
		j->seq_max = r->seq;
	}
	j->last_seq = r->seq;
	j->last_seq_ts = r->ts;
}

static int job_event(struct oracle *o, struct engine *eng, struct job *j,
		     const struct bgc_record *r);

/* Remembers the stream set the job's event came through. */
static int note_stream(struct oracle *o, struct job *j,
		       const struct bgc_record *r)
{
	struct stream_key *k;
	size_t i;

	for (i = j->n_streams; i-- > 0;) {
		if (j->streams[i].pid == r->stream_pid &&
		    j->streams[i].uid == r->stream_uid)
			return 0;
	}
	k = PUSH(o, j->streams, j->n_streams, j->streams_cap);
	if (!k)
		return -1;
	*k = (struct stream_key) { .pid = r->stream_pid, .uid = r->stream_uid };
	return 0;
}

static int on_job_event(struct oracle *o, struct engine *eng,
			const struct bgc_record *r)
{
	struct job *j;
	int ret;

	if (eng->inspector)
		return 0;	/* what it restores is only shown, not owned */
	j = job_get(o, eng, r);
	if (!j || (!j->L && job_revive(o, j)) || note_stream(o, j, r))
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
		on_end(o, j, r, false);
		return 0;
	case BGC_REC_CMDLINE_EXIT:
		on_end(o, j, r, true);
		return 0;
	case BGC_REC_CALLBACK_FORWARDED:
		on_forwarded(j, r);
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
	if (r->type == BGC_REC_CLIENT_OPEN ||
	    r->type == BGC_REC_CLIENT_CALLBACK_RECEIVED ||
	    r->type == BGC_REC_CLIENT_CALLBACK_RETURNED) {
		/* A client's: its job and attempt are the daemon's. */
		if (on_client_event(o, r))
			return -1;
		overdue_scan(o, r->ts);
		return 0;
	}
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
