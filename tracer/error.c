/* Status codes, the per-thread last error, and the names of enum values. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tp/bgcopy_schema_names.h"

static __thread char last_error[512];

const char *bgcopy_strerror(int status)
{
	switch (status) {
	case BGCOPY_OK: return "success";
	case BGCOPY_E_INVALID_ARG: return "invalid argument";
	case BGCOPY_E_INVALID_STATE: return "invalid state";
	case BGCOPY_E_NOMEM: return "out of memory";
	case BGCOPY_E_IO: return "input/output error";
	case BGCOPY_E_NOT_FOUND: return "not found";
	case BGCOPY_E_STORE_BUSY: return "store in use";
	case BGCOPY_E_STORE: return "store damaged or unreadable";
	case BGCOPY_E_LIMIT: return "limit reached";
	case BGCOPY_E_READ_ONLY: return "engine is read-only";
	}
	return "unknown status";
}

const char *bgcopy_last_error(void)
{
	return last_error[0] ? last_error : "no error";
}

int set_error(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return status;
}

/* The public enums are the trace's: bgcopy.h spells them for
 * applications, the schema for the trace, and the two must agree. */
BGCOPY_SCHEMA_ENUM_state(BGCOPY_SCHEMA_SAME_VALUE, BGCOPY_)
BGCOPY_SCHEMA_ENUM_priority(BGCOPY_SCHEMA_SAME_VALUE, BGCOPY_PRIORITY_)
BGCOPY_SCHEMA_ENUM_error_context(BGCOPY_SCHEMA_SAME_VALUE, BGCOPY_ERRCTX_)

/* The name of an enum's value, `unknown` past its table. */
#define NAME_OF(names, value, unknown)					\
	((unsigned)(value) < sizeof(names) / sizeof((names)[0]) ?	\
	 (names)[value] : (unknown))

const char *bgcopy_state_name(enum bgcopy_state state)
{
	static const char *const names[] = {
		BGCOPY_SCHEMA_ENUM_state(BGCOPY_SCHEMA_NAME_AT, _)
	};

	return NAME_OF(names, state, "UNKNOWN");
}

const char *bgcopy_priority_name(enum bgcopy_priority priority)
{
	static const char *const names[] = {
		BGCOPY_SCHEMA_ENUM_priority(BGCOPY_SCHEMA_NAME_AT, _)
	};

	return NAME_OF(names, priority, "UNKNOWN");
}

const char *bgcopy_redirect_policy_name(enum bgcopy_redirect_policy policy)
{
	static const char *const names[] = {
		[BGCOPY_REDIRECT_ALLOW] = "allow",
		[BGCOPY_REDIRECT_DISALLOW] = "disallow",
		[BGCOPY_REDIRECT_ALLOW_INSECURE] = "allow-insecure",
	};

	return NAME_OF(names, policy, "unknown");
}

const char *bgcopy_auth_scheme_name(enum bgcopy_auth_scheme scheme)
{
	static const char *const names[] = {
		[BGCOPY_AUTH_NONE] = "none",
		[BGCOPY_AUTH_BASIC] = "basic",
		[BGCOPY_AUTH_DIGEST] = "digest",
		[BGCOPY_AUTH_ANY] = "any",
	};

	return NAME_OF(names, scheme, "unknown");
}

const char *bgcopy_proxy_usage_name(enum bgcopy_proxy_usage usage)
{
	static const char *const names[] = {
		[BGCOPY_PROXY_PRECONFIG] = "preconfig",
		[BGCOPY_PROXY_NO_PROXY] = "no_proxy",
		[BGCOPY_PROXY_OVERRIDE] = "override",
	};

	return NAME_OF(names, usage, "unknown");
}

/* Error descriptions are cut to fit, never refused. */
void error_describe(struct bgcopy_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->description, sizeof(err->description), fmt, ap);
	va_end(ap);
}
