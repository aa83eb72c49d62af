/* Wall-clock times for reports: ISO 8601 in UTC, to the microsecond. */
#include "report.h"

#include <time.h>

int report_iso_time(int64_t ns, char *buf, size_t len)
{
	time_t s = (time_t) (ns / 1000000000);
	long us = (long) (ns % 1000000000) / 1000;
	struct tm tm;

	if (ns < 0 || !gmtime_r(&s, &tm) || !len)
		goto unknown;
	if (snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, us) >= (int) len)
		goto unknown;
	return 0;
unknown:
	/* A time before 1970 or past year 9999 is no wall-clock time. */
	if (len)
		snprintf(buf, len, "?");
	return -1;
}
