/*
 * What both sinks share: the input port, and each message decoded and fed
 * on.
 */
#include "sink.h"

#include <stdlib.h>

static const char *const in_port_name = "in";

/* What the check reads of a record; a timeline prints every member. */
static const struct bgc_reads *const check_reads[] = {
	oracle_reads, perf_reads, history_reads, filter_reads, NULL,
};

bt_component_class_initialize_method_status bgc_sink_init(
	struct bgc_sink *sink, bt_self_component_sink *self,
	const struct oracle_config *config, FILE *timeline_out)
{
	bt_self_component_add_port_status add_port_status;

	sink->self = bt_self_component_sink_as_self_component(self);
	add_port_status = bt_self_component_sink_add_input_port(self,
		in_port_name, NULL, NULL);
	if (add_port_status != BT_SELF_COMPONENT_ADD_PORT_STATUS_OK)
		return (int) add_port_status;
	sink->decoder = decoder_create(timeline_out ? DECODER_ALL : check_reads);
	sink->oracle = oracle_create(config);
	sink->timeline = timeline_out ? jobtimeline_create() : NULL;
	sink->timeline_out = timeline_out;
	if (!sink->decoder || !sink->oracle ||
	    (timeline_out && !sink->timeline))
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

void bgc_sink_fini(struct bgc_sink *sink)
{
	bt_message_iterator_put_ref(sink->iter);
	decoder_destroy(sink->decoder);
	oracle_destroy(sink->oracle);
	jobtimeline_destroy(sink->timeline);
	if (sink->filter)
		filter_fini(sink->filter);
	free(sink->filter);
	if (sink->history)
		history_fini(sink->history);
	free(sink->history);
}

static struct bgc_sink *sink_of(bt_self_component_sink *self)
{
	return bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));
}

bt_component_class_sink_graph_is_configured_method_status
bgc_sink_graph_is_configured(bt_self_component_sink *self)
{
	struct bgc_sink *sink = sink_of(self);
	bt_self_component_port_input *port =
		bt_self_component_sink_borrow_input_port_by_name(self,
								 in_port_name);
	bt_message_iterator_create_from_sink_component_status status;

	if (!bt_port_is_connected(bt_port_input_as_port_const(
		    bt_self_component_port_input_as_port_input(port)))) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"Input port `%s' is not connected.", in_port_name);
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
	}
	status = bt_message_iterator_create_from_sink_component(self, port,
								&sink->iter);
	return status == BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK ?
	       BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK :
	       (int) status;
}

/* A live source saw nothing new up to this time. */
static int advance(struct bgc_sink *sink, const bt_message *msg)
{
	int64_t now;

	if (bt_clock_snapshot_get_ns_from_origin(
		    bt_message_message_iterator_inactivity_borrow_clock_snapshot_const(msg),
		    &now) != BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"An inactivity time stamp overflows 64-bit "
			"nanoseconds.");
		return -1;
	}
	if (oracle_advance(sink->oracle, now)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"%s", oracle_error(sink->oracle));
		return -1;
	}
	return 0;
}

/* Whether times are wall-clock times: LTTng's clock counts from the
 * Unix epoch (its offset), another producer's may not. */
static void learn_clock(struct bgc_sink *sink, const bt_message *msg)
{
	const bt_clock_class *cc;

	if (sink->clock_seen || bt_message_get_type(msg) != BT_MESSAGE_TYPE_EVENT)
		return;
	cc = bt_message_event_borrow_stream_class_default_clock_class_const(msg);
	sink->clock_seen = true;
	sink->wallclock = cc && bt_clock_class_origin_is_unix_epoch(cc);
	if (sink->timeline)
		jobtimeline_set_wallclock(sink->timeline, sink->wallclock);
	if (sink->history)
		sink->history->wallclock = sink->wallclock;
}

/* 0, or -1 after appending an error cause. */
static int feed(struct bgc_sink *sink, const bt_message *msg)
{
	struct bgc_record rec;
	int ret;

	if (bt_message_get_type(msg) ==
	    BT_MESSAGE_TYPE_MESSAGE_ITERATOR_INACTIVITY)
		return advance(sink, msg);
	learn_clock(sink, msg);
	ret = decoder_decode(sink->decoder, msg, &rec);
	if (ret < 0) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"%s", decoder_error(sink->decoder));
		return -1;
	}
	if (ret == 0)
		return 0;
	ret = sink->filter ? filter_keep(sink->filter, &rec) : 1;
	if (ret <= 0) {
		if (ret < 0)
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				sink->self, "Out of memory.");
		return ret;
	}
	if (oracle_feed(sink->oracle, &rec)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"%s", oracle_error(sink->oracle));
		return -1;
	}
	if ((sink->timeline &&
	     (!sink->filter || filter_in_window(sink->filter, &rec)) &&
	     jobtimeline_feed(sink->timeline, &rec)) ||
	    (sink->perf && perf_feed(sink->perf, &rec)) ||
	    (sink->history && history_feed(sink->history, &rec))) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"Out of memory.");
		return -1;
	}
	return 0;
}

/* The filter's line on what it left out; -1 for an ambiguous --job. */
static int tell_left_out(struct bgc_sink *sink)
{
	char line[512];

	if (!sink->filter)
		return 0;
	if (filter_summary(sink->filter, line, sizeof(line))) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"%s", line);
		return -1;
	}
	if (line[0])
		fprintf(sink->notes_out, "%s\n", line);
	return 0;
}

static int end(struct bgc_sink *sink)
{
	/* A trace with events, none of them selected: a run that traced
	 * nothing of its own is not an unreadable trace. */
	if (sink->filter && sink->filter->left_events &&
	    !oracle_event_count(sink->oracle)) {
		if (tell_left_out(sink))
			return -1;
		fprintf(sink->notes_out, "no job in the selection: nothing "
			"to judge\n");
		return sink->on_end ? sink->on_end(sink) : 0;
	}
	if (oracle_finish(sink->oracle)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"%s", oracle_error(sink->oracle));
		return -1;
	}
	if (tell_left_out(sink))
		return -1;
	if (sink->timeline)
		jobtimeline_print(sink->timeline, sink->oracle,
				  sink->timeline_out);
	return sink->on_end ? sink->on_end(sink) : 0;
}

bt_component_class_sink_consume_method_status
bgc_sink_consume(bt_self_component_sink *self)
{
	bt_component_class_sink_consume_method_status status =
		BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	struct bgc_sink *sink = sink_of(self);
	bt_message_array_const msgs;
	uint64_t count, i;

	switch (bt_message_iterator_next(sink->iter, &msgs, &count)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		/* Every message is put, even after a failure. */
		for (i = 0; i < count; i++) {
			if (status == BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK &&
			    feed(sink, msgs[i]))
				status = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
			bt_message_put_ref(msgs[i]);
		}
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		status = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		status = end(sink) ?
			 BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR :
			 BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		status = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_ERROR:
	default:
		status = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
		break;
	}
	return status;
}
