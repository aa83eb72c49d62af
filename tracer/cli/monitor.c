/* bgcopy monitor: one line per job whenever its state or progress moves, until interrupted. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "safe_text.h"

#define DEFAULT_INTERVAL_MS 250

/* What a job looked like when last printed. */
struct seen {
	char id[37];
	enum bgcopy_state state;
	struct bgcopy_progress progress;
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_line(bgcopy_job *job, const struct seen *now)
{
	char name[256], stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	bgcopy_job_get_display_name(job, name, sizeof(name));
	print_safe(stdout, "%s %s %-15s %llu/%lld bytes %u/%u files %s\n", stamp, now->id,
		   bgcopy_state_name(now->state),
		   (unsigned long long)now->progress.bytes_transferred,
		   (long long)now->progress.bytes_total, now->progress.files_transferred,
		   now->progress.files_total, name);
	fflush(stdout);
}

/* The record of job `id` in *seen, added if new; NULL on no memory. */
static struct seen *record_of(struct seen **seen, size_t *n, const char *id, bool *fresh)
{
	struct seen *grown;

	*fresh = false;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*seen)[i].id, id))
			return &(*seen)[i];
	grown = realloc(*seen, (*n + 1) * sizeof(**seen));
	if (!grown)
		return NULL;
	*seen = grown;
	memset(&grown[*n], 0, sizeof(grown[*n]));
	snprintf(grown[*n].id, sizeof(grown[*n].id), "%s", id);
	*fresh = true;
	return &grown[(*n)++];
}

/* One look at every job: prints those that are new or have moved. */
static int sweep(bgcopy_engine *engine, struct seen **seen, size_t *nseen)
{
	size_t n = bgcopy_engine_list_jobs(engine, NULL, 0), got;
	bgcopy_job **jobs = calloc(n ? n : 1, sizeof(*jobs));
	struct seen now, *was;
	bool fresh;

	if (!jobs)
		return -1;
	got = bgcopy_engine_list_jobs(engine, jobs, n);	/* others may add jobs */
	n = got < n ? got : n;
	for (size_t i = 0; i < n; i++) {
		bgcopy_job_get_id(jobs[i], now.id);
		now.state = bgcopy_job_get_state(jobs[i]);
		bgcopy_job_get_progress(jobs[i], &now.progress);
		was = record_of(seen, nseen, now.id, &fresh);
		if (!was) {
			free(jobs);
			return -1;
		}
		if (fresh || was->state != now.state ||
		    memcmp(&was->progress, &now.progress, sizeof(now.progress))) {
			*was = now;
			print_line(jobs[i], &now);
		}
	}
	free(jobs);
	return 0;
}

int monitor_run(bgcopy_engine *engine, int argc, char **argv)
{
	long interval = DEFAULT_INTERVAL_MS;
	struct seen *seen = NULL;
	size_t nseen = 0;
	char *end;
	int rc = 0;

	if (argc == 3 && !strcmp(argv[1], "--interval")) {
		errno = 0;
		interval = strtol(argv[2], &end, 10);
		if (errno || *end || interval < 10 || interval > 60000) {
			fprintf(stderr, "bgcopy: --interval wants 10 to 60000 ms, not '%s'\n",
				argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		fputs("usage: bgcopy monitor [--interval MS]\n", stderr);
		return 2;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	while (!stop && rc == 0) {
		rc = sweep(engine, &seen, &nseen);
		usleep((useconds_t)interval * 1000);
	}
	free(seen);
	if (rc)
		fputs("bgcopy: out of memory\n", stderr);
	return rc ? 2 : 0;
}
