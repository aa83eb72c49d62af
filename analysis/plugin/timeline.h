/* sink.bgcopy.timeline: prints one timeline per job. */
#ifndef BGCOPY_TIMELINE_H
#define BGCOPY_TIMELINE_H

#include <babeltrace2/babeltrace.h>

bt_component_class_initialize_method_status timeline_init(
	bt_self_component_sink *self,
	bt_self_component_sink_configuration *config,
	const bt_value *params, void *init_data);
void timeline_finalize(bt_self_component_sink *self);

/* graph_is_configured and consume are bgc_sink_*() (sink.h). */

#endif /* BGCOPY_TIMELINE_H */
