/*
 * What the two sinks share: one input port, a message iterator, and each
 * message decoded and fed to an oracle (and, when asked, a timeline, the
 * transfer figures and the pictures' history).  A live source's inactivity messages advance
 * the oracle's clock (oracle_advance()).  A sink embeds struct bgc_sink
 * and supplies on_end, called once the messages are over and the oracle
 * is finished.
 */
#ifndef BGCOPY_SINK_H
#define BGCOPY_SINK_H

#include <babeltrace2/babeltrace.h>

#include "decode.h"
#include "filter.h"
#include "jobtimeline.h"
#include "oracle.h"
#include "perf.h"
#include "report/history.h"

struct bgc_sink {
	bt_self_component *self;
	bt_message_iterator *iter;
	struct decoder *decoder;
	struct oracle *oracle;
	struct jobtimeline *timeline;	/* NULL: no timeline */
	FILE *timeline_out;
	struct perf *perf;		/* NULL: no transfer figures */
	struct history *history;	/* NULL: no pictures */
	struct filter *filter;		/* NULL: every record */
	FILE *notes_out;		/* the filter's one line */
	bool clock_seen;		/* the first event's clock was read */
	bool wallclock;			/* it counts from the Unix epoch */
	/* 0, or -1 after appending an error cause. */
	int (*on_end)(struct bgc_sink *sink);
};

/* Adds the "in" port and creates the decoder, oracle and timeline. */
bt_component_class_initialize_method_status bgc_sink_init(
	struct bgc_sink *sink, bt_self_component_sink *self,
	const struct oracle_config *config, FILE *timeline_out);
void bgc_sink_fini(struct bgc_sink *sink);

bt_component_class_sink_graph_is_configured_method_status
bgc_sink_graph_is_configured(bt_self_component_sink *self);
bt_component_class_sink_consume_method_status
bgc_sink_consume(bt_self_component_sink *self);

#endif /* BGCOPY_SINK_H */
