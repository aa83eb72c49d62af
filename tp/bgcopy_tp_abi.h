/* Between libbgcopy and its tracepoint provider: enums, argument structs, hooks. */
/*
 * libbgcopy never links LTTng: it dlopen()s libbgcopy-tp.so when tracing
 * is wanted and calls the hooks below.  This header therefore holds only
 * plain C types; the LTTng event definitions live in bgcopy_tp.h, which
 * only the provider includes.  Both expand tp/bgcopy_schema.h.
 *
 * Bump BGCOPY_TP_ABI when the hook table changes shape, and
 * BGCOPY_TRACE_SCHEMA (tp/bgcopy_schema.h) when any event or field
 * changes meaning; the analysis refuses schemas it does not know.
 */
#ifndef BGCOPY_TP_ABI_H
#define BGCOPY_TP_ABI_H

#include <stdint.h>

#include "bgcopy_schema.h"

#define BGCOPY_TP_ABI 4
#define BGCOPY_TP_HOOKS_SYMBOL "bgcopy_tp_hooks"

#define BGCOPY_TP_CONSTANT(P, name, value) P##name = value,

enum bgcopy_tp_state { BGCOPY_SCHEMA_ENUM_state(BGCOPY_TP_CONSTANT, BGCOPY_TP_) };
enum bgcopy_tp_kind { BGCOPY_SCHEMA_ENUM_kind(BGCOPY_TP_CONSTANT, BGCOPY_TP_KIND_) };
enum bgcopy_tp_cause { BGCOPY_SCHEMA_ENUM_cause(BGCOPY_TP_CONSTANT, BGCOPY_TP_CAUSE_) };
enum bgcopy_tp_error_context {
	BGCOPY_SCHEMA_ENUM_error_context(BGCOPY_TP_CONSTANT, BGCOPY_TP_ERRCTX_)
};
enum bgcopy_tp_priority {
	BGCOPY_SCHEMA_ENUM_priority(BGCOPY_TP_CONSTANT, BGCOPY_TP_PRIORITY_)
};
enum bgcopy_tp_restart {
	BGCOPY_SCHEMA_ENUM_restart(BGCOPY_TP_CONSTANT, BGCOPY_TP_RESTART_)
};
enum bgcopy_tp_if_range {
	BGCOPY_SCHEMA_ENUM_if_range(BGCOPY_TP_CONSTANT, BGCOPY_TP_IF_RANGE_)
};
enum bgcopy_tp_verify {
	BGCOPY_SCHEMA_ENUM_verify(BGCOPY_TP_CONSTANT, BGCOPY_TP_VERIFY_)
};
enum bgcopy_tp_property {
	BGCOPY_SCHEMA_ENUM_property(BGCOPY_TP_CONSTANT, BGCOPY_TP_PROP_)
};

/* Test options an engine may be opened with; recorded so the oracle knows. */
#define BGCOPY_TP_OPT_SHORT_RETRY 0x1u	/* retry delay below the 5 s floor allowed */
#define BGCOPY_TP_OPT_ALLOW_FILE  0x2u	/* file:// URLs allowed */

/* A field is a struct member unless the provider records a constant. */
#define BGCOPY_TP_MEMBER(a, name, type, kind, arg, presence)		\
	BGCOPY_TP_MEMBER_##presence(type, name)
#define BGCOPY_TP_MEMBER_REQUIRED(type, name) type name;
#define BGCOPY_TP_MEMBER_OPTIONAL(type, name) type name;
#define BGCOPY_TP_MEMBER_CONSTANT(type, name)

struct bgcopy_tp_engine { BGCOPY_SCHEMA_GROUP_engine(BGCOPY_TP_MEMBER, _) };
struct bgcopy_tp_job { BGCOPY_SCHEMA_GROUP_job(BGCOPY_TP_MEMBER, _) };
struct bgcopy_tp_job_info { BGCOPY_SCHEMA_GROUP_job_info(BGCOPY_TP_MEMBER, _) };
struct bgcopy_tp_state_change {
	BGCOPY_SCHEMA_GROUP_state_change(BGCOPY_TP_MEMBER, _)
};
struct bgcopy_tp_progress { BGCOPY_SCHEMA_GROUP_progress(BGCOPY_TP_MEMBER, _) };
struct bgcopy_tp_notification {
	BGCOPY_SCHEMA_GROUP_notification(BGCOPY_TP_MEMBER, _)
};
struct bgcopy_tp_transfer { BGCOPY_SCHEMA_GROUP_transfer(BGCOPY_TP_MEMBER, _) };
struct bgcopy_tp_client_attempt {
	BGCOPY_SCHEMA_GROUP_client_attempt(BGCOPY_TP_MEMBER, _)
};

/* Every event's index in the enabled-state table below. */
#define BGCOPY_TP_EVENT_INDEX(name, NAME, level) BGCOPY_TP_EV_##name,
enum bgcopy_tp_event {
	BGCOPY_SCHEMA_EVENTS(BGCOPY_TP_EVENT_INDEX)
	BGCOPY_TP_NEVENTS
};

/* The parameter list of event `name''s hook, e.g. for state_change
 * `const struct bgcopy_tp_job *j, const struct bgcopy_tp_state_change *s'. */
#define BGCOPY_TP_PARAMS(name)						\
	BGCOPY_SCHEMA_TAIL(BGCOPY_SCHEMA_EVENT_##name(BGCOPY_TP_PARAM,	\
						      BGCOPY_TP_GROUP_PARAM, _))
#define BGCOPY_TP_PARAM(a, name, type, kind, arg, presence) , type name
#define BGCOPY_TP_GROUP_PARAM(F, a, group, var)			\
	, const struct bgcopy_tp_##group *var

#define BGCOPY_TP_HOOK(name, NAME, level) void (*name)(BGCOPY_TP_PARAMS(name));

struct bgcopy_tp_hooks {
	uint32_t abi;
	/* Each event's LTTng enabled state, so the engine skips the call (and
	 * the work of preparing its arguments) when no session listens. */
	const int *enabled[BGCOPY_TP_NEVENTS];
	/* Whether an active session records some bgcopy event now: a
	 * process that loaded the provider while no session daemon ran
	 * is enabled seconds after one starts (lttng-ust registers on
	 * its own thread), and a service waits for it (bgcopyd). */
	int (*recording)(void);
	BGCOPY_SCHEMA_EVENTS(BGCOPY_TP_HOOK)
};

typedef const struct bgcopy_tp_hooks *(*bgcopy_tp_hooks_fn)(uint32_t abi);

#endif /* BGCOPY_TP_ABI_H */
