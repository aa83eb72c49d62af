/* sink.bgcopy.timeline: one timeline per job. */
#include "timeline.h"

#include <stdlib.h>

#include "params.h"
#include "sink.h"

static const struct param_def timeline_params[] = {
	{ "grace-ms", PARAM_UINT },
	{ NULL, 0 },
};

bt_component_class_initialize_method_status timeline_init(
	bt_self_component_sink *self,
	bt_self_component_sink_configuration *config,
	const bt_value *params, void *init_data)
{
	bt_component_class_initialize_method_status status;
	struct oracle_config oc = { .max_latency_ns = -1, .keep_history = true };
	struct bgc_sink *sink = calloc(1, sizeof(*sink));

	(void) config;
	(void) init_data;
	if (!sink)
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	if (params_validate(bt_self_component_sink_as_self_component(self),
			    params, timeline_params)) {
		status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
		goto error;
	}
	/* The oracle only explains here, but its windows need a grace. */
	oc.grace_ns = (int64_t) params_uint(params, "grace-ms",
		ORACLE_DEFAULT_GRACE_NS / 1000000) * 1000000;
	status = bgc_sink_init(sink, self, &oc, stdout);
	if (status != BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK)
		goto error;
	bt_self_component_set_data(
		bt_self_component_sink_as_self_component(self), sink);
	goto end;

error:
	bgc_sink_fini(sink);
	free(sink);
end:
	return status;
}

void timeline_finalize(bt_self_component_sink *self)
{
	struct bgc_sink *sink = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	bgc_sink_fini(sink);
	free(sink);
}
