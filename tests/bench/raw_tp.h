/* The floors the bgcopy provider is compared with: one integer, and the
 * very fields of bgcopy:callback_begin written straight, with no hook. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER bgcopy_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./tests/bench/raw_tp.h"

#if !defined(BGCOPY_BENCH_RAW_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define BGCOPY_BENCH_RAW_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(bgcopy_bench, raw,
	LTTNG_UST_TP_ARGS(int, value),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, value, value))
)

LTTNG_UST_TRACEPOINT_EVENT(bgcopy_bench, same_fields,
	LTTNG_UST_TP_ARGS(const char *, job, uint64_t, seq),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, engine, 0x1234)
		lttng_ust_field_array_text(char, job, job, 36)
		lttng_ust_field_integer(uint64_t, seq, seq)
		lttng_ust_field_integer(int32_t, kind, 1)
		lttng_ust_field_integer(uint64_t, epoch, 1)
		lttng_ust_field_integer(uint32_t, attempt, 1)
		lttng_ust_field_integer(int32_t, file_index, -1)
		lttng_ust_field_integer(uint64_t, arming, 1)
		lttng_ust_field_integer_hex(uint64_t, iface, 0)
	)
)

#endif

#include <lttng/tracepoint-event.h>
