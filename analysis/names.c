/* Names of record types, states, kinds, properties and causes, for reports. */
#include "names.h"
#include "tp/bgcopy_schema_names.h"

#include <stddef.h>

/* A value outside a table prints as "?" rather than failing: the trace
 * may come from a newer engine. */
static const char *lookup(const char *const *tab, size_t n, int64_t v)
{
	return v >= 0 && (uint64_t) v < n && tab[v] ? tab[v] : "?";
}

#define LOOKUP(tab, v) lookup((tab), sizeof(tab) / sizeof((tab)[0]), (v))

const char *names_state(int64_t state)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_state(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, state);
}

const char *names_kind(int64_t kind)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_kind(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, kind);
}

const char *names_cause(int64_t cause)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_cause(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, cause);
}

const char *names_errctx(int64_t ctx)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_error_context(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, ctx);
}

const char *names_property(int64_t prop)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_property(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, prop);
}

const char *names_priority(int64_t prio)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_priority(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, prio);
}

const char *names_restart(int64_t restart)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_restart(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, restart);
}

const char *names_if_range(int64_t if_range)
{
	static const char *const tab[] = {
		BGCOPY_SCHEMA_ENUM_if_range(BGCOPY_SCHEMA_NAME_AT, _)
	};
	return LOOKUP(tab, if_range);
}

const char *names_record(enum bgc_rec_type type)
{
#define RECORD_NAME(name, NAME, level) [BGC_REC_##NAME] = #name,
	static const char *const tab[BGC_REC__COUNT] = {
		BGCOPY_SCHEMA_EVENTS(RECORD_NAME)
		[BGC_REC_DISCARDED] = "discarded",
	};
#undef RECORD_NAME
	return LOOKUP(tab, (int64_t) type);
}
