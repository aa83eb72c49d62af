/* The decoder: babeltrace2 event messages into struct bgc_record, by table. */
#include "decode.h"
#include "tp/bgcopy_schema_names.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROVIDER "bgcopy:"

enum member_kind { MK_U64, MK_I64, MK_STR };

/* Every trace field the record holds, by its name in tp/bgcopy_schema.h. */
static const struct member {
	const char *name;
	size_t off;
	enum member_kind kind;
} members[] = {
#define U(f) { #f, offsetof(struct bgc_record, f), MK_U64 }
#define I(f) { #f, offsetof(struct bgc_record, f), MK_I64 }
#define S(f) { #f, offsetof(struct bgc_record, f), MK_STR }
	U(engine), S(job), U(seq),
	S(store), S(path), U(trace_schema), U(dispatcher_threads),
	U(test_options), U(min_retry_floor_ms), U(schema_version),
	U(jobs_restored),
	S(name), I(priority), U(owner), I(state), U(notify_flags),
	U(min_retry_delay_ms), U(no_progress_timeout_ms),
	U(modification_interval_ms), U(files), S(notify_cmdline),
	I(file_index), S(url), S(local_path), U(bytes),
	I(from), I(to), I(cause), I(error_context), I(error_code),
	I(http_status), I(curl_code), I(error_file), S(description),
	U(old_flags), U(new_flags), I(result),
	U(old_epoch), U(new_epoch), U(iface),
	I(property), S(value),
	U(file_bytes), U(job_bytes), I(file_total), I(job_total),
	I(kind), U(epoch), U(attempt), U(arming), U(duration_ns), U(delay_ms),
	S(program), I(pid), I(status), U(timed_out),
	U(range_from), U(range_honoured), I(restart), I(if_range), U(namelookup_us), U(connect_us),
	U(tls_us), U(first_byte_us), U(total_us), U(sha256_expected), I(verify),
	S(final_url), U(rate_cap_bps),
	/* schema 5: peer_request */
	S(target_job), S(verb), I(peer_pid), U(peer_uid), U(peer_uts_ns),
	U(client), U(pid_start),	/* schema 5: callbacks on both sides */
#undef U
#undef I
#undef S
};

/* The events of the schema and their fields: those every trace has, and
 * those a trace of an older schema may lack (tp/EVENTS.md section 1). */
static const struct event_def {
	const char *name;
	enum bgc_rec_type type;
	const char *const *fields;
	const char *const *optional;
} events[] = {
#define EVENT_DEF(name, NAME, level)					\
	{ PROVIDER #name, BGC_REC_##NAME, BGCOPY_SCHEMA_MUST_HAVE(name),	\
	  BGCOPY_SCHEMA_MAY_HAVE(name) },
	BGCOPY_SCHEMA_EVENTS(EVENT_DEF)
#undef EVENT_DEF
};

/* One payload member copied into the record. */
struct field_map {
	uint64_t index;
	size_t off;
	enum member_kind kind;
	bool is_signed;			/* of the trace's integer field */
};

/* What an event class resolved to; `def' NULL: not ours. */
struct class_info {
	const bt_event_class *ec;
	const struct event_def *def;
	struct field_map *fields;
	size_t n_fields;
	bool has_epoch;			/* the payload has `epoch' */
	bool has_arming;		/* and `arming' (schema 2) */
	int64_t vpid_index, vtid_index;	/* -1: absent */
	int64_t uts_index;		/* -1: absent */
	bool vpid_signed, vtid_signed, uts_signed;
};

#define N_MEMBERS (sizeof(members) / sizeof(members[0]))

/* The stream set of one trace (LTTng: one per process or per user). */
struct stream_set {
	const bt_trace *trace;
	int64_t pid, uid;
};

struct decoder {
	struct stream_set last_set;	/* of the last message's trace */
	struct class_info *classes;	/* open addressing on ec */
	size_t cap, len;
	bool all;			/* fill every member */
	bool reads[BGC_REC__COUNT][N_MEMBERS];	/* else only these */
	char error[256];
};

void decoder_destroy(struct decoder *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->cap; i++)
		free(d->classes[i].fields);
	free(d->classes);
	free(d);
}

const char *decoder_error(const struct decoder *d)
{
	return d->error;
}

static size_t slot_of(const struct decoder *d, const bt_event_class *ec)
{
	size_t i = ((uintptr_t) ec >> 4) * 0x9e3779b97f4a7c15ull;

	for (i &= d->cap - 1; d->classes[i].ec && d->classes[i].ec != ec;
	     i = (i + 1) & (d->cap - 1))
		;
	return i;
}

static int grow(struct decoder *d)
{
	struct class_info *old = d->classes;
	size_t old_cap = d->cap, i;

	d->cap = old_cap ? old_cap * 2 : 64;
	d->classes = calloc(d->cap, sizeof(*d->classes));
	if (!d->classes) {
		d->classes = old;
		d->cap = old_cap;
		return -1;
	}
	for (i = 0; i < old_cap; i++) {
		if (old[i].ec)
			d->classes[slot_of(d, old[i].ec)] = old[i];
	}
	free(old);
	return 0;
}

static const struct member *member_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		if (strcmp(members[i].name, name) == 0)
			return &members[i];
	}
	return NULL;
}

struct decoder *decoder_create(const struct bgc_reads *const *consumers)
{
	struct decoder *d = calloc(1, sizeof(*d));
	const struct bgc_reads *r;
	const struct member *m;
	const char *const *name;

	if (!d)
		return NULL;
	d->all = consumers == DECODER_ALL;
	for (; consumers && *consumers; consumers++) {
		for (r = *consumers; r->members; r++) {
			assert(r->type < BGC_REC__COUNT);
			for (name = r->members; *name; name++) {
				m = member_by_name(*name);
				assert(m);	/* named as in struct bgc_record */
				d->reads[r->type][m - members] = true;
			}
		}
	}
	return d;
}

static bool find_member(const bt_field_class *st, const char *name,
			uint64_t *index, const bt_field_class **fc)
{
	uint64_t i, n = bt_field_class_structure_get_member_count(st);

	for (i = 0; i < n; i++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_index_const(st, i);

		if (strcmp(bt_field_class_structure_member_get_name(m),
			   name) == 0) {
			*index = i;
			*fc = bt_field_class_structure_member_borrow_field_class_const(m);
			return true;
		}
	}
	return false;
}

static int64_t context_index(const bt_event_class *ec, const char *name,
			     bool *is_signed)
{
	const bt_field_class *ctx =
		bt_stream_class_borrow_event_common_context_field_class_const(
			bt_event_class_borrow_stream_class_const(ec));
	const bt_field_class *fc;
	uint64_t index;

	if (!ctx || !find_member(ctx, name, &index, &fc) ||
	    !bt_field_class_type_is(bt_field_class_get_type(fc),
				    BT_FIELD_CLASS_TYPE_INTEGER))
		return -1;
	*is_signed = bt_field_class_type_is(bt_field_class_get_type(fc),
		BT_FIELD_CLASS_TYPE_SIGNED_INTEGER);
	return (int64_t) index;
}

/* Maps one payload field: 0, 1 when an optional field is absent, -1. */
static int map_field(struct decoder *d, struct class_info *ci,
		     const bt_field_class *payload, const char *name,
		     bool optional)
{
	const struct member *m = member_by_name(name);
	struct field_map *fm = &ci->fields[ci->n_fields];
	const bt_field_class *fc;
	bt_field_class_type type;
	bool ok;

	/* A field added to tp/bgcopy_schema.h needs its member here too. */
	assert(m);

	if (!payload || !find_member(payload, name, &fm->index, &fc)) {
		if (optional)
			return 1;
		snprintf(d->error, sizeof(d->error),
			 "event %s has no field `%s': not bgcopy trace "
			 "schema %d", ci->def->name, name, BGCOPY_TRACE_SCHEMA);
		return -1;
	}
	type = bt_field_class_get_type(fc);
	ok = m->kind == MK_STR ? type == BT_FIELD_CLASS_TYPE_STRING :
	     bt_field_class_type_is(type, BT_FIELD_CLASS_TYPE_INTEGER);
	if (!ok) {
		snprintf(d->error, sizeof(d->error),
			 "field `%s' of event %s has an unexpected type: not "
			 "bgcopy trace schema %d", name, ci->def->name,
			 BGCOPY_TRACE_SCHEMA);
		return -1;
	}
	fm->off = m->off;
	fm->kind = m->kind;
	fm->is_signed = bt_field_class_type_is(type,
		BT_FIELD_CLASS_TYPE_SIGNED_INTEGER);
	if (strcmp(name, "epoch") == 0)
		ci->has_epoch = true;
	if (strcmp(name, "arming") == 0)
		ci->has_arming = true;
	/* Checked to exist, but not copied when nobody reads it. */
	if (d->all || d->reads[ci->def->type][m - members])
		ci->n_fields++;
	return 0;
}

static int resolve_fields(struct decoder *d, struct class_info *ci)
{
	const bt_field_class *payload =
		bt_event_class_borrow_payload_field_class_const(ci->ec);
	const char *const *name;
	size_t n = 0;

	for (name = ci->def->fields; *name; name++)
		n++;
	for (name = ci->def->optional; name && *name; name++)
		n++;
	ci->fields = calloc(n, sizeof(*ci->fields));
	if (!ci->fields) {
		snprintf(d->error, sizeof(d->error), "out of memory");
		return -1;
	}
	for (name = ci->def->fields; *name; name++) {
		if (map_field(d, ci, payload, *name, false))
			return -1;
	}
	for (name = ci->def->optional; name && *name; name++) {
		if (map_field(d, ci, payload, *name, true) < 0)
			return -1;
	}
	ci->vpid_index = context_index(ci->ec, "vpid", &ci->vpid_signed);
	ci->vtid_index = context_index(ci->ec, "vtid", &ci->vtid_signed);
	ci->uts_index = context_index(ci->ec, "uts_ns", &ci->uts_signed);
	return 0;
}

static struct class_info *class_info(struct decoder *d,
				     const bt_event_class *ec)
{
	const char *name = bt_event_class_get_name(ec);
	struct class_info *ci;
	size_t i;

	if (d->cap) {
		ci = &d->classes[slot_of(d, ec)];
		if (ci->ec)
			return ci;
	}
	if ((d->len + 1) * 2 > d->cap && grow(d)) {
		snprintf(d->error, sizeof(d->error), "out of memory");
		return NULL;
	}
	ci = &d->classes[slot_of(d, ec)];
	*ci = (struct class_info) { .ec = ec };
	d->len++;
	if (!name || strncmp(name, PROVIDER, strlen(PROVIDER)) != 0)
		return ci;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (strcmp(events[i].name, name) == 0)
			ci->def = &events[i];
	}
	/* An unknown bgcopy event is from a newer engine: ignore it. */
	if (ci->def && resolve_fields(d, ci))
		return NULL;
	return ci;
}

static uint64_t int_value(const bt_field *f, bool is_signed)
{
	return is_signed ? (uint64_t) bt_field_integer_signed_get_value(f) :
	       bt_field_integer_unsigned_get_value(f);
}

static void store(struct bgc_record *rec, const struct field_map *fm,
		  const bt_field *f)
{
	char *dst = (char *) rec + fm->off;
	const char *s;
	uint64_t u;
	int64_t i;

	switch (fm->kind) {
	case MK_STR:
		/* 2.0.4 may return stale text for an empty string. */
		s = bt_field_string_get_length(f) ?
		    bt_field_string_get_value(f) : "";
		memcpy(dst, &s, sizeof(s));
		break;
	case MK_U64:
		u = int_value(f, fm->is_signed);
		memcpy(dst, &u, sizeof(u));
		break;
	case MK_I64:
		i = (int64_t) int_value(f, fm->is_signed);
		memcpy(dst, &i, sizeof(i));
		break;
	}
}

static int64_t context_value(const bt_field *ctx, int64_t index,
			     bool is_signed)
{
	if (!ctx || index < 0)
		return -1;
	return (int64_t) int_value(
		bt_field_structure_borrow_member_field_by_index_const(ctx,
			(uint64_t) index), is_signed);
}

static int snapshot_ns(struct decoder *d, const bt_clock_snapshot *cs,
		       int64_t *ns)
{
	if (bt_clock_snapshot_get_ns_from_origin(cs, ns) !=
	    BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		snprintf(d->error, sizeof(d->error),
			 "a time stamp overflows 64-bit nanoseconds");
		return -1;
	}
	return 0;
}

/* An integer of the trace's environment, or -1. */
static int64_t env_int(const bt_trace *trace, const char *name)
{
	const bt_value *v =
		bt_trace_borrow_environment_entry_value_by_name_const(trace, name);

	return v && bt_value_is_signed_integer(v) ?
	       bt_value_integer_signed_get(v) : -1;
}

/* Which process (per-PID buffers) or user (per-UID) the stream serves. */
static void stream_set_of(struct decoder *d, const bt_stream *stream,
			  struct bgc_record *rec)
{
	const bt_trace *trace = bt_stream_borrow_trace_const(stream);
	const bt_value *scheme;

	if (trace != d->last_set.trace) {
		scheme = bt_trace_borrow_environment_entry_value_by_name_const(
			trace, "tracer_buffering_scheme");
		d->last_set = (struct stream_set) {
			.trace = trace, .pid = -1, .uid = -1,
		};
		if (scheme && bt_value_is_string(scheme) &&
		    !strcmp(bt_value_string_get(scheme), "pid"))
			d->last_set.pid = env_int(trace, "vpid");
		else if (scheme && bt_value_is_string(scheme) &&
			 !strcmp(bt_value_string_get(scheme), "uid"))
			d->last_set.uid = env_int(trace, "tracer_buffering_id");
	}
	rec->stream_pid = d->last_set.pid;
	rec->stream_uid = d->last_set.uid;
}

static int decode_event(struct decoder *d, const bt_message *msg,
			struct bgc_record *rec)
{
	const bt_event *ev = bt_message_event_borrow_event_const(msg);
	const struct class_info *ci =
		class_info(d, bt_event_borrow_class_const(ev));
	const bt_field *payload, *ctx;
	size_t i;

	if (!ci)
		return -1;
	if (!ci->def)
		return 0;
	memset(rec, 0, sizeof(*rec));
	rec->type = ci->def->type;
	rec->has_epoch = ci->has_epoch;
	rec->has_arming = ci->has_arming;
	if (bt_message_event_borrow_stream_class_default_clock_class_const(msg) &&
	    snapshot_ns(d, bt_message_event_borrow_default_clock_snapshot_const(msg),
			&rec->ts))
		return -1;
	payload = bt_event_borrow_payload_field_const(ev);
	for (i = 0; i < ci->n_fields; i++)
		store(rec, &ci->fields[i],
		      bt_field_structure_borrow_member_field_by_index_const(
			      payload, ci->fields[i].index));
	ctx = bt_event_borrow_common_context_field_const(ev);
	rec->vpid = context_value(ctx, ci->vpid_index, ci->vpid_signed);
	rec->vtid = context_value(ctx, ci->vtid_index, ci->vtid_signed);
	rec->uts_ns = context_value(ctx, ci->uts_index, ci->uts_signed);
	stream_set_of(d, bt_event_borrow_stream_const(ev), rec);
	return 1;
}

static int decode_discarded(struct decoder *d, const bt_message *msg,
			    bool packets, struct bgc_record *rec)
{
	const bt_stream *stream = packets ?
		bt_message_discarded_packets_borrow_stream_const(msg) :
		bt_message_discarded_events_borrow_stream_const(msg);
	const bt_stream_class *sc = bt_stream_borrow_class_const(stream);
	bt_property_availability avail;

	memset(rec, 0, sizeof(*rec));
	rec->type = BGC_REC_DISCARDED;
	rec->vpid = rec->vtid = rec->uts_ns = -1;
	stream_set_of(d, stream, rec);
	rec->disc_packets = packets;
	if (packets) {
		avail = bt_message_discarded_packets_get_count(msg,
							       &rec->disc_count);
		rec->disc_has_window =
			bt_stream_class_discarded_packets_have_default_clock_snapshots(sc);
	} else {
		avail = bt_message_discarded_events_get_count(msg,
							      &rec->disc_count);
		rec->disc_has_window =
			bt_stream_class_discarded_events_have_default_clock_snapshots(sc);
	}
	if (avail != BT_PROPERTY_AVAILABILITY_AVAILABLE)
		rec->disc_count = 0;
	if (!rec->disc_has_window)
		return 1;
	if (snapshot_ns(d, packets ?
			bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(msg) :
			bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(msg),
			&rec->disc_begin) ||
	    snapshot_ns(d, packets ?
			bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(msg) :
			bt_message_discarded_events_borrow_end_default_clock_snapshot_const(msg),
			&rec->disc_end))
		return -1;
	rec->ts = rec->disc_end;
	return 1;
}

int decoder_decode(struct decoder *d, const bt_message *msg,
		   struct bgc_record *rec)
{
	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_EVENT:
		return decode_event(d, msg, rec);
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		return decode_discarded(d, msg, false, rec);
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		return decode_discarded(d, msg, true, rec);
	default:
		return 0;
	}
}
