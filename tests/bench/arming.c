/* The daemon benchmark's arming clock: appends "ID NANOSECONDS" when a job enters TRANSFERRED (see arming.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "arming.h"

static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static int log_fd = -1;

static void open_log(void)
{
	const char *path = getenv(ARMING_LOG_ENV);

	if (!path)
		return;
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0)
		perror(path);
}

/* The time is taken first: the write is not part of the latency. */
void arming_hook(bgcopy_job *job, unsigned what, enum bgcopy_state state, void *data)
{
	struct timespec ts;
	char id[37], line[80];
	int n;

	(void)data;
	if (!(what & BGCOPY_CHANGE_STATE) || state != BGCOPY_TRANSFERRED)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_once(&log_once, open_log);
	if (log_fd < 0)
		return;
	bgcopy_job_get_id(job, id);
	n = snprintf(line, sizeof(line), "%s %lld\n", id,
		     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	/* One write of one line: O_APPEND keeps lines whole across threads. */
	if (write(log_fd, line, (size_t)n) != n)
		perror(ARMING_LOG_ENV);
}
