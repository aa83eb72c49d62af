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

#define TRACEPOINT_OF(name, NAME, level) &lttng_ust_tracepoint_bgcopy___##name,

static struct lttng_ust_tracepoint *const tracepoints[] = {
	BGCOPY_SCHEMA_EVENTS(TRACEPOINT_OF)
};

/* What the event's probe checks before it writes: an enabled event in
 * an enabled channel of an active session.  The tracepoint's state alone
 * is set before the session becomes active, while lttng-ust registers
 * the channels with the session daemon. */
static int records(struct lttng_ust_tracepoint *tp)
{
	struct lttng_ust_tracepoint_probe *probe;
	int live = 0;

	if (!LTTNG_UST_TP_RCU_LINK_TEST())
		return 0;
	lttng_ust_tp_rcu_read_lock();
	probe = lttng_ust_tp_rcu_dereference(tp->probes);
	for (; probe && probe->func && !live; probe++) {
		const struct lttng_ust_event_common *event = probe->data;
		const struct lttng_ust_event_recorder *recorder = event->child;

		live = event->type == LTTNG_UST_EVENT_TYPE_RECORDER &&
		       CMM_ACCESS_ONCE(event->enabled) &&
		       CMM_ACCESS_ONCE(recorder->chan->parent->enabled) &&
		       CMM_ACCESS_ONCE(recorder->chan->parent->session->active);
	}
	lttng_ust_tp_rcu_read_unlock();
	return live;
}

static int hook_recording(void)
{
	for (size_t i = 0; i < sizeof(tracepoints) / sizeof(tracepoints[0]); i++)
		if (records(tracepoints[i]))
			return 1;
	return 0;
}

static const struct bgcopy_tp_hooks hooks = {
	.abi = BGCOPY_TP_ABI,
	.enabled = { BGCOPY_SCHEMA_EVENTS(STATE_OF) },
	.recording = hook_recording,
	BGCOPY_SCHEMA_EVENTS(HOOK_OF)
};

const struct bgcopy_tp_hooks *bgcopy_tp_hooks(uint32_t abi);

const struct bgcopy_tp_hooks *bgcopy_tp_hooks(uint32_t abi)
{
	return abi == BGCOPY_TP_ABI ? &hooks : NULL;
}
