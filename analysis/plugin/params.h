/*
 * Component parameters checked against a table: an unknown name or a
 * value of the wrong type is refused with a message naming the
 * parameter and what is accepted.
 */
#ifndef BGCOPY_PARAMS_H
#define BGCOPY_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include <babeltrace2/babeltrace.h>

enum param_type {
	PARAM_STRING,
	PARAM_BOOL,
	PARAM_UINT,			/* a non-negative integer */
};

struct param_def {
	const char *name;		/* NULL ends the table */
	enum param_type type;
};

/* 0, or -1 with an error cause appended for `self'. */
int params_validate(bt_self_component *self, const bt_value *params,
		    const struct param_def *defs);

/* Getters for validated parameters; `dflt' when absent. */
const char *params_string(const bt_value *params, const char *name,
			  const char *dflt);
bool params_bool(const bt_value *params, const char *name, bool dflt);
uint64_t params_uint(const bt_value *params, const char *name,
		     uint64_t dflt);

#endif /* BGCOPY_PARAMS_H */
