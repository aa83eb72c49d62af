/*
 * Loading the tracepoint provider, and what the trace names a process by.
 *
 * The provider is wanted when BGCOPY_TRACE is set to anything but "0", or
 * when it is already mapped (LD_PRELOAD).  It is looked for beside
 * libbgcopy.so first, so an uninstalled build traces its own provider,
 * then wherever the dynamic loader looks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "trace.h"

#define TP_SONAME "libbgcopy-tp.so"

const struct bgcopy_tp_hooks *bgcopy_tp;

static void *open_beside_library(void)
{
	Dl_info info;
	char path[PATH_MAX];
	char dir[PATH_MAX];

	if (!dladdr((void *)trace_load, &info) || !info.dli_fname)
		return NULL;
	snprintf(dir, sizeof(dir), "%s", info.dli_fname);
	if (snprintf(path, sizeof(path), "%s/%s", dirname(dir), TP_SONAME) >=
	    (int)sizeof(path))
		return NULL;
	return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static void load_once(void)
{
	const char *want = getenv("BGCOPY_TRACE");
	bgcopy_tp_hooks_fn get_hooks;
	void *handle;

	handle = dlopen(TP_SONAME, RTLD_NOW | RTLD_NOLOAD);
	if (!handle) {
		if (!want || !strcmp(want, "0") || !*want)
			return;
		handle = open_beside_library();
		if (!handle)
			handle = dlopen(TP_SONAME, RTLD_NOW | RTLD_LOCAL);
	}
	if (!handle) {
		fprintf(stderr, "bgcopy: BGCOPY_TRACE is set but %s could not "
			"be loaded: %s\n", TP_SONAME, dlerror());
		return;
	}
	get_hooks = (bgcopy_tp_hooks_fn)dlsym(handle, BGCOPY_TP_HOOKS_SYMBOL);
	if (!get_hooks || !(bgcopy_tp = get_hooks(BGCOPY_TP_ABI))) {
		fprintf(stderr, "bgcopy: %s does not provide hook ABI %d; "
			"tracing is off\n", TP_SONAME, BGCOPY_TP_ABI);
		return;
	}
	/* The provider stays mapped for the life of the process: LTTng
	 * cannot unregister probes safely while a session may read them. */
}

void trace_load(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, load_once);
}

/* job_created or job_restored: the job as it stands. */
void trace_job_event(struct bgcopy_job *job, enum bgcopy_tp_event event)
{
	struct bgcopy_tp_job_info info;
	char cmdline[1024];

	if (event == BGCOPY_TP_EV_job_created ? !TRACE_ENABLED(job_created) :
	    !TRACE_ENABLED(job_restored))
		return;
	argv_describe(job->cmdline, cmdline, sizeof(cmdline));
	info = (struct bgcopy_tp_job_info){
		.name = job->name,
		.priority = job->priority,
		.owner = job->owner,
		.state = job->state,
		.notify_flags = job->notify_flags,
		.min_retry_delay_ms = job->min_retry_ms,
		.no_progress_timeout_ms = job->no_progress_ms,
		.modification_interval_ms = job->modification_ms,
		.files = job->nfiles,
		.epoch = job->epoch,
		.notify_cmdline = cmdline,
	};
	if (event == BGCOPY_TP_EV_job_created)
		bgcopy_tp->job_created(TRACE_JOB(job), &info);
	else
		bgcopy_tp->job_restored(TRACE_JOB(job), &info);
}

/* When process `pid` started, in clock ticks since boot (field 22 of
 * /proc/PID/stat), 0 if unknown: with the pid, a process no later one
 * with that pid is taken for (the callback join, CONTRACT.md K30). */
uint64_t trace_process_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name (field 2) may hold spaces and parentheses: fields are
	 * counted from the last ')', which ends it; field 3 follows it. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%*u %*u %*d %*d %*d %*d %*d %*d %llu", &start) != 1)
		return 0;
	return start;
}
