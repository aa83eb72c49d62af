/* Notification tests: a probe interface that records what it is told. */
#ifndef BGCOPY_TEST_HARNESS_PROBE_H
#define BGCOPY_TEST_HARNESS_PROBE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

#define SHORT BGCOPY_TEST_SHORT_RETRY
#define WAIT_MS 10000
#define MAX_SEEN 256

enum { T = 1, E = 2, M = 3, F = 4 };

struct probe {
	struct bgcopy_callback base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	int calls[5];
	long begin_ms[5][MAX_SEEN];
	int seen[MAX_SEEN];		/* kinds in delivery order */
	int seen_file[MAX_SEEN];
	int nseen;
	int fail_first;			/* T/E/F calls that fail before success */
	int sleep_ms;
	bool block;			/* T waits until unblocked */
	bool blocked_inside;
	void (*inside)(struct probe *p, bgcopy_job *job, int kind);
	int inside_errors;
	int running, max_running;	/* this probe's own calls */
};

struct probe *probe_new(void);
void probe_free(struct probe *p);
/* Calls of `kind' so far. */
int probe_calls(struct probe *p, int kind);
/* Polls until `n' calls of `kind'; false after timeout_ms. */
bool probe_wait_calls(struct probe *p, int kind, int n, long timeout_ms);
/* Waits until the engine holds no reference on the probe: a dispatcher
 * lets go of its own just after the call it counted returns. */
bool probe_wait_released(struct probe *p, long timeout_ms);
/* Most callbacks running at once, engine-wide, since the last reset. */
void probe_reset_global_max(void);
int probe_global_max(void);

/* A suspended job of `nfiles' copies of `path', retry delay 300 ms. */
bgcopy_job *probe_job(struct harness *h, bgcopy_engine *e, const char *path,
		      int nfiles, uint32_t flags);
void probe_job_finish(bgcopy_job *job);
/* harness_group_setup plus the files the notification tests fetch. */
int probe_group_setup(void **state);
/* The text of a small file ("" when absent); valid until the next call. */
char *probe_read_text(const char *path);
/* Sets a command line that appends its event name to `log` (a path it
 * fills in under the test directory). */
void probe_log_by_cmdline(struct harness *h, bgcopy_job *job,
			  const char *name, char *log, size_t size);

#endif
