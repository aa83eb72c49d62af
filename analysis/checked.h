/* Saturating arithmetic for trace values: a hostile trace never overflows. */
#ifndef BGCOPY_CHECKED_H
#define BGCOPY_CHECKED_H

#include <stdint.h>

/*
 * Time stamps, durations and delays come from the trace, which CTF does
 * not checksum: any of them may be near INT64_MAX.  Sums and differences
 * saturate instead of overflowing; a saturated time is "never" or "long
 * ago", which no rule turns into a violation by itself.
 */
static inline int64_t ns_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline int64_t ns_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* n units of `unit' ns each (ms: 1000000), at most INT64_MAX. */
static inline int64_t ns_of(uint64_t n, int64_t unit)
{
	int64_t r;

	if (n > (uint64_t) INT64_MAX || __builtin_mul_overflow((int64_t) n, unit, &r))
		return INT64_MAX;
	return r;
}

/* A double clamped into int64_t (converting one out of range is UB). */
static inline int64_t i64_of_double(double v)
{
	if (!(v > -9.2e18))
		return v != v ? 0 : INT64_MIN;	/* NaN: 0 */
	return v < 9.2e18 ? (int64_t) v : INT64_MAX;
}

#endif /* BGCOPY_CHECKED_H */
