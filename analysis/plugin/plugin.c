/* The bgcopy babeltrace2 plugin: sink.bgcopy.timeline and sink.bgcopy.check. */
#include <babeltrace2/babeltrace.h>

#include "check.h"
#include "sink.h"
#include "timeline.h"

BT_PLUGIN_MODULE();

BT_PLUGIN(bgcopy);
BT_PLUGIN_DESCRIPTION("Timelines and the notification contract check for bgcopy traces.");
BT_PLUGIN_LICENSE("MIT");

BT_PLUGIN_SINK_COMPONENT_CLASS(timeline, bgc_sink_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(timeline,
	"Print one timeline per bgcopy job.");
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(timeline,
	"Parameters: grace-ms (non-negative integer, default 1000).");
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(timeline, timeline_init);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(timeline, timeline_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(timeline,
	bgc_sink_graph_is_configured);

BT_PLUGIN_SINK_COMPONENT_CLASS(check, bgc_sink_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(check,
	"Check the bgcopy notification contract (G1-G8).");
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(check,
	"Parameters: format (\"text\" or \"json\"), junit (path), "
	"chrome-trace (path), html (path: a self-contained page), "
	"max-latency-ms, grace-ms (default 1000), "
	"allow-inconclusive (bool), timeline (bool), live (bool: print each "
	"finding on stderr as soon as it is certain, and each obligation "
	"overdue past max-latency-ms; for source.ctf.lttng-live).  Fails on "
	"FAIL, and on INCONCLUSIVE unless allow-inconclusive is true, after "
	"printing the jobs that did not pass and their findings on stderr.");
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(check, check_init);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(check, check_finalize);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(check,
	bgc_sink_graph_is_configured);
