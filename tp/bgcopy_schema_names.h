/* The trace schema expanded for trace readers: name tables, value checks, fields. */
/*
 * Plain C, no LTTng.  Typical uses:
 *
 *	static const char *const state_names[] = {
 *		BGCOPY_SCHEMA_ENUM_state(BGCOPY_SCHEMA_NAME_AT, _)
 *	};
 *	BGCOPY_SCHEMA_ENUM_state(BGCOPY_SCHEMA_SAME_VALUE, BGCOPY_)
 *	{ "bgcopy:state_change", BGCOPY_SCHEMA_MUST_HAVE(state_change),
 *	  BGCOPY_SCHEMA_MAY_HAVE(state_change) }
 */
#ifndef BGCOPY_SCHEMA_NAMES_H
#define BGCOPY_SCHEMA_NAMES_H

#include "bgcopy_schema.h"

/* An enum's labels indexed by value; values the enum lacks stay NULL. */
#define BGCOPY_SCHEMA_NAME_AT(P, label, value) [value] = #label,

/* Stops the build unless P##LABEL equals the schema's value, for every
 * label: ties another spelling of an enum (a public header's) to it. */
#define BGCOPY_SCHEMA_SAME_VALUE(P, label, value)			\
	_Static_assert(P##label == (value),				\
		       #P #label " differs from the trace schema");

/* Event names in schema order, e.g. indexed by BGCOPY_TP_EV_<name>. */
#define BGCOPY_SCHEMA_EVENT_NAME(name, NAME, level) #name,

/* What a decoder checks a field against. */
enum bgcopy_field_kind {
	BGCOPY_FIELD_INTEGER,
	BGCOPY_FIELD_HEX,		/* an integer shown in hexadecimal */
	BGCOPY_FIELD_ENUM,		/* a labelled signed integer */
	BGCOPY_FIELD_STRING,
	BGCOPY_FIELD_TEXT,		/* fixed-length text; babeltrace2 shows a string */
};

enum bgcopy_field_presence {
	BGCOPY_FIELD_REQUIRED,
	BGCOPY_FIELD_OPTIONAL,		/* an older schema's trace may lack it */
	BGCOPY_FIELD_CONSTANT,		/* always there; the provider's constant */
};

struct bgcopy_field {
	const char *name;		/* NULL ends a list */
	enum bgcopy_field_kind kind;
	enum bgcopy_field_presence presence;
};

/* { "name", kind, presence }, for each field of an event. */
#define BGCOPY_FIELD_ROW(a, name, type, kind, arg, presence)		\
	{ #name, BGCOPY_FIELD_##kind, BGCOPY_FIELD_##presence },

/* Every field of event `name' as a NULL-ended const struct bgcopy_field
 * array (a compound literal: fine in a static initialiser). */
#define BGCOPY_SCHEMA_FIELD_ROWS(name)					\
	((const struct bgcopy_field[]) {				\
		BGCOPY_SCHEMA_FIELDS(name, BGCOPY_FIELD_ROW, _)		\
		{ NULL, BGCOPY_FIELD_INTEGER, BGCOPY_FIELD_REQUIRED } })

/* The names of the fields every trace of the schema has in event `name',
 * and of those it may lack, each as a NULL-ended const char *const[]. */
#define BGCOPY_SCHEMA_MUST_HAVE(name)					\
	((const char *const[]) {					\
		BGCOPY_SCHEMA_FIELDS(name, BGCOPY_SCHEMA_MUST, _) NULL })
#define BGCOPY_SCHEMA_MAY_HAVE(name)					\
	((const char *const[]) {					\
		BGCOPY_SCHEMA_FIELDS(name, BGCOPY_SCHEMA_MAY, _) NULL })

#define BGCOPY_SCHEMA_MUST(a, name, type, kind, arg, presence)		\
	BGCOPY_SCHEMA_MUST_##presence(#name)
#define BGCOPY_SCHEMA_MUST_REQUIRED(field) field,
#define BGCOPY_SCHEMA_MUST_CONSTANT(field) field,
#define BGCOPY_SCHEMA_MUST_OPTIONAL(field)

#define BGCOPY_SCHEMA_MAY(a, name, type, kind, arg, presence)		\
	BGCOPY_SCHEMA_MAY_##presence(#name)
#define BGCOPY_SCHEMA_MAY_REQUIRED(field)
#define BGCOPY_SCHEMA_MAY_CONSTANT(field)
#define BGCOPY_SCHEMA_MAY_OPTIONAL(field) field,

#endif /* BGCOPY_SCHEMA_NAMES_H */
