/* libbgcopy-tp.so: the bgcopy probes, offered to libbgcopy as plain C hooks. */
/*
 * The engine never sees an LTTng type and never maps an LTTng library
 * unless this object is loaded.  One hook per event of
 * tp/bgcopy_schema.h, each passing its parameters on to the tracepoint.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "bgcopy_tp.h"

/* The names of an event's hook parameters, as a call's arguments. */
#define CALL_ARG(a, name, type, kind, arg, presence) , name
#define CALL_GROUP_ARG(F, a, group, var) , var
#define CALL_ARGS(name)							\
	BGCOPY_SCHEMA_TAIL(BGCOPY_SCHEMA_EVENT_##name(CALL_ARG, CALL_GROUP_ARG, _))

#define HOOK_FUNCTION(name, NAME, level)				\
	static void hook_##name(BGCOPY_TP_PARAMS(name))			\
	{								\
		lttng_ust_tracepoint(bgcopy, name, CALL_ARGS(name));	\
	}

BGCOPY_SCHEMA_EVENTS(HOOK_FUNCTION)

#define STATE_OF(name, NAME, level) \
	[BGCOPY_TP_EV_##name] = &lttng_ust_tracepoint_bgcopy___##name.state,
#define HOOK_OF(name, NAME, level) .name = hook_##name,

static const struct bgcopy_tp_hooks hooks = {
	.abi = BGCOPY_TP_ABI,
	.enabled = { BGCOPY_SCHEMA_EVENTS(STATE_OF) },
	BGCOPY_SCHEMA_EVENTS(HOOK_OF)
};

const struct bgcopy_tp_hooks *bgcopy_tp_hooks(uint32_t abi);

const struct bgcopy_tp_hooks *bgcopy_tp_hooks(uint32_t abi)
{
	return abi == BGCOPY_TP_ABI ? &hooks : NULL;
}
