/* Component parameters checked against a table of names and types. */
#include "params.h"

#include <stdio.h>
#include <string.h>

struct validation {
	bt_self_component *self;
	const struct param_def *defs;
};

static const char *type_name(enum param_type type)
{
	switch (type) {
	case PARAM_STRING:
		return "a string";
	case PARAM_BOOL:
		return "a boolean";
	case PARAM_UINT:
		return "a non-negative integer";
	}
	return "?";
}

static bool type_ok(enum param_type type, const bt_value *v)
{
	switch (type) {
	case PARAM_STRING:
		return bt_value_is_string(v);
	case PARAM_BOOL:
		return bt_value_is_bool(v);
	case PARAM_UINT:
		/* The CLI makes `n=5' a signed integer. */
		return bt_value_is_unsigned_integer(v) ||
		       (bt_value_is_signed_integer(v) &&
			bt_value_integer_signed_get(v) >= 0);
	}
	return false;
}

static void list_names(const struct param_def *defs, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; defs->name && used < len; defs++)
		used += (size_t) snprintf(buf + used, len - used, "%s`%s'",
					  used ? ", " : "", defs->name);
	if (!used)
		snprintf(buf, len, "none");
}

static bt_value_map_foreach_entry_const_func_status
check_entry(const char *key, const bt_value *v, void *data)
{
	struct validation *val = data;
	const struct param_def *def;
	char names[256];

	for (def = val->defs; def->name; def++) {
		if (strcmp(def->name, key) == 0)
			break;
	}
	if (!def->name) {
		list_names(val->defs, names, sizeof(names));
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(val->self,
			"Unknown parameter `%s' (accepted: %s).", key, names);
	} else if (!type_ok(def->type, v)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(val->self,
			"Parameter `%s' must be %s.", key,
			type_name(def->type));
	} else {
		return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_OK;
	}
	return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_ERROR;
}

int params_validate(bt_self_component *self, const bt_value *params,
		    const struct param_def *defs)
{
	struct validation val = { .self = self, .defs = defs };

	if (!bt_value_is_map(params)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
			"Parameters must be a map.");
		return -1;
	}
	switch (bt_value_map_foreach_entry_const(params, check_entry, &val)) {
	case BT_VALUE_MAP_FOREACH_ENTRY_CONST_STATUS_OK:
		return 0;
	case BT_VALUE_MAP_FOREACH_ENTRY_CONST_STATUS_USER_ERROR:
		return -1;	/* check_entry said why */
	default:
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(self,
			"Cannot read the parameters.");
		return -1;
	}
}

const char *params_string(const bt_value *params, const char *name,
			  const char *dflt)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	return v ? bt_value_string_get(v) : dflt;
}

bool params_bool(const bt_value *params, const char *name, bool dflt)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	return v ? bt_value_bool_get(v) : dflt;
}

uint64_t params_uint(const bt_value *params, const char *name, uint64_t dflt)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	if (!v)
		return dflt;
	return bt_value_is_unsigned_integer(v) ?
	       bt_value_integer_unsigned_get(v) :
	       (uint64_t) bt_value_integer_signed_get(v);
}
