/* Time in the two flavours the engine needs: monotonic for delays and
 * timeouts, wall clock for the times a job reports. */
#include <time.h>

#include "internal.h"

int64_t now_ms(void)
{
	return now_us() / 1000;
}

int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_wall_s(void)
{
	return (int64_t)time(NULL);
}

/* Condition variables wait on CLOCK_MONOTONIC (engine_api.c init_sync). */
void deadline_to_timespec(int64_t at_ms, struct timespec *ts)
{
	ts->tv_sec = at_ms / 1000;
	ts->tv_nsec = (at_ms % 1000) * 1000000;
}
