/* The bgcopy LTTng-UST provider: every event of tp/bgcopy_schema.h, for LTTng. */
/*
 * Only tp/probes.c includes this file; libbgcopy sees bgcopy_tp_abi.h.
 * The enums, events and fields are those of tp/bgcopy_schema.h, in its
 * order; tp/EVENTS.md documents them.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER bgcopy

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./tp/bgcopy_tp.h"

#if !defined(BGCOPY_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define BGCOPY_TP_H

#include <lttng/tracepoint.h>
#include "bgcopy_tp_abi.h"

#define BGCOPY_TP_ENUM_VALUE(P, label, value) lttng_ust_field_enum_value(#label, value)
#define BGCOPY_TP_ENUM(name)						\
	LTTNG_UST_TRACEPOINT_ENUM(bgcopy, name,				\
		LTTNG_UST_TP_ENUM_VALUES(				\
			BGCOPY_SCHEMA_ENUM_##name(BGCOPY_TP_ENUM_VALUE, _)))

BGCOPY_SCHEMA_ENUMS(BGCOPY_TP_ENUM)

/* An event's LTTng arguments: its hook's parameters as `type, name' pairs. */
#define BGCOPY_TP_ARG(a, name, type, kind, arg, presence) , type, name
#define BGCOPY_TP_GROUP_ARG(F, a, group, var)				\
	, const struct bgcopy_tp_##group *, var

/* An event's LTTng fields: a parameter's value, or a group's member of
 * it (`a' is then `var->'), or the constant the schema names. */
#define BGCOPY_TP_FIELD(a, name, type, kind, arg, presence)		\
	BGCOPY_TP_FIELD_##kind(type, name,				\
			       BGCOPY_TP_VALUE_##presence(a, name, arg), arg)
#define BGCOPY_TP_GROUP_FIELDS(F, a, group, var)			\
	BGCOPY_SCHEMA_GROUP_##group(F, var->)

#define BGCOPY_TP_VALUE_REQUIRED(a, name, arg) a name
#define BGCOPY_TP_VALUE_OPTIONAL(a, name, arg) a name
#define BGCOPY_TP_VALUE_CONSTANT(a, name, arg) arg

#define BGCOPY_TP_FIELD_INTEGER(type, name, value, arg)		\
	lttng_ust_field_integer(type, name, value)
#define BGCOPY_TP_FIELD_HEX(type, name, value, arg)			\
	lttng_ust_field_integer_hex(type, name, value)
#define BGCOPY_TP_FIELD_ENUM(type, name, value, arg)			\
	lttng_ust_field_enum(bgcopy, arg, type, name, value)
#define BGCOPY_TP_FIELD_STRING(type, name, value, arg)			\
	lttng_ust_field_string(name, value)
#define BGCOPY_TP_FIELD_TEXT(type, name, value, arg)			\
	lttng_ust_field_array_text(char, name, value, arg)

#define BGCOPY_TP_EVENT(name, NAME, level)				\
	LTTNG_UST_TRACEPOINT_EVENT(bgcopy, name,			\
		LTTNG_UST_TP_ARGS(BGCOPY_SCHEMA_TAIL(			\
			BGCOPY_SCHEMA_EVENT_##name(BGCOPY_TP_ARG,	\
						   BGCOPY_TP_GROUP_ARG, _))), \
		LTTNG_UST_TP_FIELDS(					\
			BGCOPY_SCHEMA_EVENT_##name(BGCOPY_TP_FIELD,	\
						   BGCOPY_TP_GROUP_FIELDS, ))) \
	LTTNG_UST_TRACEPOINT_LOGLEVEL(bgcopy, name,			\
				      LTTNG_UST_TRACEPOINT_LOGLEVEL_##level)

BGCOPY_SCHEMA_EVENTS(BGCOPY_TP_EVENT)

#endif /* BGCOPY_TP_H */

#include <lttng/tracepoint-event.h>
