/*
 * Loading the tracepoint provider, and what the trace names a process by.
 *
 * The provider is wanted when BGCOPY_TRACE is set to anything but "0", or
 * when it is already mapped (LD_PRELOAD), or when bgcopyd serves a client
 * that is traced (trace_load_now).  It is looked for beside
 * libbgcopy.so first, so an uninstalled build traces its own provider,
 * then wherever the dynamic loader looks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int note_if_provider(struct dl_phdr_info *info, size_t size, void *path)
{
	const char *slash = strrchr(info->dlpi_name, '/');

	(void)size;
	if (strcmp(slash ? slash + 1 : info->dlpi_name, TP_SONAME))
		return 0;
	snprintf(path, PATH_MAX, "%s", info->dlpi_name);
	return 1;
}

/* The provider if it is mapped already (LD_PRELOAD, say), found among the
 * loaded objects: dlopen of its bare name, even with RTLD_NOLOAD, opens
 * every directory of the library path first, some fifty failed calls in
 * each process that does not trace. */
static void *provider_mapped(void)
{
	char path[PATH_MAX];

	if (!dl_iterate_phdr(note_if_provider, path))
		return NULL;
	return dlopen(path, RTLD_NOW | RTLD_NOLOAD);
}

/* Loads the provider and takes its hooks; 0, or -1 with the error set. */
static int open_provider(bool wanted)
{
	const struct bgcopy_tp_hooks *hooks;
	bgcopy_tp_hooks_fn get_hooks;
	void *handle;

	handle = provider_mapped();
	if (!handle && !wanted)
		return 0;
	if (!handle)
		handle = open_beside_library();
	if (!handle)
		handle = dlopen(TP_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		set_error(BGCOPY_E_IO, "%s could not be loaded: %s", TP_SONAME,
			  dlerror());
		return -1;
	}
	get_hooks = (bgcopy_tp_hooks_fn)dlsym(handle, BGCOPY_TP_HOOKS_SYMBOL);
	hooks = get_hooks ? get_hooks(BGCOPY_TP_ABI) : NULL;
	if (!hooks) {
		set_error(BGCOPY_E_IO, "%s does not provide hook ABI %d",
			  TP_SONAME, BGCOPY_TP_ABI);
		return -1;
	}
	/* Threads already running read the table without the lock. */
	__atomic_store_n(&bgcopy_tp, hooks, __ATOMIC_RELEASE);
	/* The provider stays mapped for the life of the process: LTTng
	 * cannot unregister probes safely while a session may read them. */
	return 0;
}

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static bool tracing_wanted(void)
{
	const char *want = getenv("BGCOPY_TRACE");

	return want && *want && strcmp(want, "0");
}

static void load_once(void)
{
	pthread_mutex_lock(&load_lock);
	if (open_provider(tracing_wanted()))
		fprintf(stderr, "bgcopy: tracing is off: %s\n", bgcopy_last_error());
	pthread_mutex_unlock(&load_lock);
}

void trace_load(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	/* A caller that comes while trace_load_start's thread loads waits
	 * here until the provider is in place. */
	pthread_once(&once, load_once);
}

static void *load_meanwhile(void *unused)
{
	(void)unused;
	trace_load();
	return NULL;
}

void trace_load_start(void)
{
	pthread_attr_t attr;
	pthread_t thread;

	if (!tracing_wanted() || trace_loaded() || pthread_attr_init(&attr))
		return;
	/* Without a thread, the caller's trace_load() loads it as before. */
	if (!pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED))
		pthread_create(&thread, &attr, load_meanwhile, NULL);
	pthread_attr_destroy(&attr);
}

int trace_load_now(void)
{
	int status = 0;

	trace_load();
	pthread_mutex_lock(&load_lock);
	if (!trace_loaded())
		status = open_provider(true);
	pthread_mutex_unlock(&load_lock);
	return status ? BGCOPY_E_IO : BGCOPY_OK;
}

bool trace_loaded(void)
{
	return TRACE_HOOKS() != NULL;
}

bool trace_recording(void)
{
	const struct bgcopy_tp_hooks *hooks = TRACE_HOOKS();

	return hooks && hooks->recording();
}

void trace_engine_open(bgcopy_engine *engine)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;

	TRACE(engine_open, (&(struct bgcopy_tp_engine){
		.engine = engine->trace_id,
		.store = engine->store_dir,
		/* A read-only engine delivers nothing. */
		.dispatcher_threads = read_only ? 0 : engine->opt.dispatcher_threads,
		.test_options = engine->opt.test_options,
		.min_retry_floor_ms = engine->opt.test_options & BGCOPY_TEST_SHORT_RETRY ?
				      0 : BGCOPY_RETRY_FLOOR_MS,
	}));
}

/* The inode of pid's UTS namespace; 0 when it cannot be read (the
 * process has gone, or we may not look at it). */
static uint64_t uts_ns_of(long pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%ld/ns/uts", pid);
	return pid > 0 && stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

void trace_peer_request(bgcopy_engine *engine, bgcopy_job *job, long pid,
			uint32_t uid, const char *verb)
{
	if (!TRACE_ENABLED(peer_request))
		return;
	TRACE_HOOKS()->peer_request(engine->trace_id, job ? job->id : "", verb,
				(int32_t)pid, uid, uts_ns_of(pid));
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
		TRACE_HOOKS()->job_created(TRACE_JOB(job), &info);
	else
		TRACE_HOOKS()->job_restored(TRACE_JOB(job), &info);
}

uint64_t trace_new_id(void)
{
	uint64_t id = 0;

	/* GRND_NONBLOCK: a process started early at boot (a service the bus
	 * activates) must not wait for the entropy pool; the fallback is
	 * unique enough among the processes of one trace. */
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id) || !id)
		id = ((uint64_t)now_ms() ^ (uint64_t)getpid() << 32) | 1;
	return id;
}

/* The trace's kind of an org.bgcopy1.Callback method; -1 for another. */
int trace_callback_kind(const char *member)
{
	static const struct { const char *member; int kind; } kinds[] = {
		{ "JobTransferred", BGCOPY_TP_KIND_JOB_TRANSFERRED },
		{ "JobError", BGCOPY_TP_KIND_JOB_ERROR },
		{ "JobModification", BGCOPY_TP_KIND_JOB_MODIFICATION },
		{ "FileTransferred", BGCOPY_TP_KIND_FILE_TRANSFERRED },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (!strcmp(member, kinds[i].member))
			return kinds[i].kind;
	return -1;
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
