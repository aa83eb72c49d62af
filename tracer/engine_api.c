/* Public verbs of the engine: open and close, find and list jobs, wait until idle. */

/*
 * One engine per store directory.  It owns the jobs, the transfer worker
 * and the notification dispatchers, and the lock that guards them.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client.h"
#include "internal.h"
#include "trace.h"

#define DEFAULT_DISPATCHERS	4
#define DEFAULT_CONNECTIONS	16
#define DEFAULT_PER_HOST	6
#define DEFAULT_FILES_PER_JOB	200
/* What a client of bgcopyd --system calls its store in messages. */
#define SYSTEM_STORE_NAME	"(the store of bgcopyd --system)"

static CURLcode curl_init_status;

/* umask(2) can only read the mask by changing it, which would race with
 * other threads creating files; the kernel also shows it here. */
static mode_t process_umask(void)
{
	char line[128];
	unsigned mask = 022;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return (mode_t)mask;
}

static void curl_init_once(void)
{
	curl_init_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void apply_defaults(struct bgcopy_engine_options *o)
{
	if (!o->dispatcher_threads)
		o->dispatcher_threads = DEFAULT_DISPATCHERS;
	if (!o->max_connections)
		o->max_connections = DEFAULT_CONNECTIONS;
	if (!o->max_per_host)
		o->max_per_host = DEFAULT_PER_HOST;
	if (!o->max_files_per_job)
		o->max_files_per_job = DEFAULT_FILES_PER_JOB;
}

static int make_store_dir(const char *dir)
{
	char path[4096];
	struct stat st;

	if (strlen(dir) >= sizeof(path))
		return set_error(BGCOPY_E_INVALID_ARG, "store path is too long");
	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return set_error(BGCOPY_E_IO, "cannot create '%s': %s",
					 path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return set_error(BGCOPY_E_IO, "cannot create store '%s': %s",
				 path, strerror(errno));
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return set_error(BGCOPY_E_IO, "store '%s' is not a directory", path);
	return BGCOPY_OK;
}

static int init_sync(bgcopy_engine *engine)
{
	pthread_condattr_t attr;
	int rc;

	if (pthread_condattr_init(&attr))
		return set_error(BGCOPY_E_NOMEM, "cannot create condition");
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	rc = pthread_mutex_init(&engine->lock, NULL) ||
	     pthread_cond_init(&engine->dispatch_cond, &attr) ||
	     pthread_cond_init(&engine->idle_cond, &attr);
	pthread_condattr_destroy(&attr);
	return rc ? set_error(BGCOPY_E_NOMEM, "cannot create engine lock") : 0;
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

/* BGCOPY_OPEN_ALL_USERS: the daemon's refusal (another uid than root, a
 * per-user daemon) at the open rather than an empty list later. */
static int open_all_users(bgcopy_engine *engine, int status)
{
	if (status == CLIENT_NO_DAEMON)
		return set_error(BGCOPY_E_INVALID_STATE, "every user's jobs are listed by "
				 "bgcopyd --system; store '%s' would be opened by this "
				 "process alone (no daemon serves it, or BGCOPY_EMBEDDED "
				 "asks for that)", engine->store_dir);
	if (status)
		return status;
	engine_lock(engine);
	status = client_sync_jobs(engine);
	engine_unlock(engine);
	return status;
}

/* See bgcopy.h: BGCOPY_OK with a client engine, CLIENT_NO_DAEMON to go
 * on embedded, or why neither can be. */
static int open_client(bgcopy_engine *engine)
{
	bool service = (engine->opt.flags & BGCOPY_OPEN_SERVICE) || env_set("BGCOPY_SERVICE");
	int status;

	if (engine->opt.flags & BGCOPY_OPEN_SYSTEM)
		return client_open(engine, CLIENT_SYSTEM);
	if ((engine->opt.flags & BGCOPY_OPEN_EMBEDDED) || env_set("BGCOPY_EMBEDDED"))
		return CLIENT_NO_DAEMON;
	/* A traced process (bgcopy record) wants the engine's events in its
	 * own trace, and the daemon's are not recorded yet: it starts no
	 * daemon, though it uses one that holds the store rather than fail.
	 * A reader, likewise, starts none. */
	if ((env_set("BGCOPY_TRACE") && !env_set("BGCOPY_SERVICE")) ||
	    (engine->opt.flags & BGCOPY_OPEN_READ_ONLY))
		service = false;
	if (service) {
		status = make_store_dir(engine->store_dir);
		if (status)
			return status;
	}
	return client_open(engine, service ? CLIENT_START : CLIENT_FIND);
}

int bgcopy_engine_is_client(bgcopy_engine *engine)
{
	return engine && engine->client;
}

int bgcopy_engine_open(const char *store_dir,
		       const struct bgcopy_engine_options *options,
		       bgcopy_engine **out)
{
	static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
	unsigned flags = options ? options->flags : 0;
	bgcopy_engine *engine;
	uint32_t schema;
	bool read_only;
	int status;

	/* The environment's wish yields to the caller's flag (bgcopyd's own
	 * engine is embedded whatever its environment says). */
	if (env_set("BGCOPY_SYSTEM") && !(flags & BGCOPY_OPEN_EMBEDDED))
		flags |= BGCOPY_OPEN_SYSTEM;
	/* The system daemon serves the store it was started with. */
	if (flags & BGCOPY_OPEN_SYSTEM)
		store_dir = SYSTEM_STORE_NAME;
	if (!store_dir || !*store_dir || !out)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "a store directory and an out pointer are required");
	if ((flags & BGCOPY_OPEN_SYSTEM) && (flags & BGCOPY_OPEN_EMBEDDED))
		return set_error(BGCOPY_E_INVALID_ARG, "BGCOPY_OPEN_SYSTEM and "
				 "BGCOPY_OPEN_EMBEDDED ask for two different engines");
	*out = NULL;
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_status != CURLE_OK)
		return set_error(BGCOPY_E_IO, "libcurl failed to initialise: %s",
				 curl_easy_strerror(curl_init_status));
	engine = xcalloc(1, sizeof(*engine));
	if (!engine)
		return BGCOPY_E_NOMEM;
	if (options)
		engine->opt = *options;
	engine->opt.flags = flags;
	read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	engine->file_mode = 0666 & ~process_umask();
	engine->trace_id = trace_new_id();
	engine->store_dir = xstrdup(store_dir);
	if (!engine->store_dir) {
		free(engine);
		return BGCOPY_E_NOMEM;
	}
	status = init_sync(engine);
	if (status) {
		free(engine->store_dir);
		free(engine);
		return status;
	}
	/* Each way on waits for it (trace_load) before its first event:
	 * client_open once connected, the embedded engine after its store
	 * opened, a failure before it closes. */
	trace_load_start();
	status = open_client(engine);
	if (engine->opt.flags & BGCOPY_OPEN_ALL_USERS)
		status = open_all_users(engine, status);
	if (status == BGCOPY_OK) {
		*out = engine;
		return BGCOPY_OK;
	}
	if (status != CLIENT_NO_DAEMON)
		goto error;
	/* A client's options stay as asked: the daemon's are compared with them. */
	apply_defaults(&engine->opt);
	status = read_only ? BGCOPY_OK : make_store_dir(store_dir);
	if (status)
		goto error;
	/* The store opens while the provider loads; both events follow. */
	status = store_open(engine, &schema);
	trace_load();
	trace_engine_open(engine);
	if (!status)
		status = restore_jobs(engine, schema);
	if (status)
		goto error;
	if (!read_only) {
		status = notify_start(engine);
		if (!status && !(engine->opt.flags & BGCOPY_OPEN_NO_TRANSFER))
			status = transfer_start_worker(engine);
		if (status)
			goto error;
	}
	*out = engine;
	return BGCOPY_OK;
error:
	trace_load();
	bgcopy_engine_close(engine);
	return status;
}

/* A clean close keeps every completion the jobs still moving have not
 * stored yet (job.c stores them with the job's next row). */
static void save_completed_files(bgcopy_engine *engine)
{
	engine_lock(engine);
	store_begin(engine);
	for (bgcopy_job *job = engine->jobs; job; job = job->next)
		job_save_completed_files(job);
	store_end(engine, BGCOPY_OK);
	engine_unlock(engine);
}

static void *close_later(void *engine)
{
	bgcopy_engine_close(engine);
	return NULL;
}

void bgcopy_engine_close(bgcopy_engine *engine)
{
	struct bgcopy_callback *release;
	bgcopy_job *job, *next;
	pthread_t closer;

	if (!engine)
		return;
	/* From inside a callback: this thread must return to the engine
	 * before the engine can go, so another thread closes it. */
	if (notify_on_dispatcher(engine) || client_on_worker(engine)) {
		engine_lock(engine);
		engine->stopping = true;
		engine_unlock(engine);
		if (pthread_create(&closer, NULL, close_later, engine) == 0)
			pthread_detach(closer);
		return;
	}
	if (engine->client) {
		client_close(engine);
		goto free_engine;
	}
	engine_lock(engine);
	engine->stopping = true;
	wake_dispatchers(engine);
	engine_unlock(engine);
	notify_stop(engine);
	transfer_stop_worker(engine);
	save_completed_files(engine);

	/* No thread but ours is left: drop the registrations. */
	for (job = engine->jobs; job; job = job->next) {
		if (!job->iface)
			continue;
		release = NULL;
		engine_lock(engine);
		notify_iface_put_locked(job, job->iface, &release);
		job->iface = NULL;
		engine_unlock(engine);
		if (release)
			release->ops->release(release);
	}
	notify_flush_releases(engine);
	TRACE(engine_close, engine->trace_id);
	store_close(engine);
free_engine:
	for (job = engine->jobs; job; job = next) {
		next = job->next;
		job_free(job);
	}
	pathmap_free(&engine->destinations);
	pthread_cond_destroy(&engine->idle_cond);
	pthread_cond_destroy(&engine->dispatch_cond);
	pthread_mutex_destroy(&engine->lock);
	jobq_free(engine);
	free(engine->dispatchers);
	free(engine->store_dir);
	free(engine);
}

long bgcopy_engine_store_holder(const char *store_dir)
{
	return store_dir ? store_lock_holder(store_dir) : 0;
}

int bgcopy_engine_find_job(bgcopy_engine *engine, const char *id,
			   bgcopy_job **out)
{
	if (!engine || !id || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "engine, id and out are required");
	*out = NULL;
	api_enter_engine(engine, API_READ);
	if (engine->client && client_sync_jobs(engine)) {
		api_leave_read(engine);
		return BGCOPY_E_IO;	/* its reason set */
	}
	for (bgcopy_job *job = engine->jobs; job; job = job->next) {
		if (!strcasecmp(job->id, id) ||
		    (strlen(id) >= 8 && !strncasecmp(job->id, id, strlen(id)))) {
			*out = job;
			break;
		}
	}
	api_leave_read(engine);
	return *out ? BGCOPY_OK :
	       set_error(BGCOPY_E_NOT_FOUND, "no job '%s' in this store", id);
}

size_t bgcopy_engine_list_jobs(bgcopy_engine *engine, bgcopy_job **jobs,
			       size_t max)
{
	size_t n = 0;

	if (!engine)
		return 0;
	api_enter_engine(engine, API_READ);
	/* On failure the jobs known so far, unless bgcopyd is gone: none. */
	if (engine->client && client_sync_jobs(engine) && client_check_open(engine->client)) {
		api_leave_read(engine);
		return 0;
	}
	for (bgcopy_job *job = engine->jobs; job; job = job->next, n++)
		if (n < max)
			jobs[n] = job;
	api_leave_read(engine);
	return n;
}

int bgcopy_engine_forget_job(bgcopy_engine *engine, bgcopy_job *job)
{
	int status;

	if (!engine || !job || job->engine != engine)
		return set_error(BGCOPY_E_INVALID_ARG, "a job of this engine is required");
	/* A client's mirror is brought up to date: its cancel may be newer. */
	status = api_enter(job, API_READ);
	if (!status && !job_is_final(job))
		status = set_error(BGCOPY_E_INVALID_STATE, "job %s is %s; only a final "
				   "job (ACKNOWLEDGED or CANCELLED) can be forgotten",
				   job->id, bgcopy_state_name(job->state));
	if (!status && job->files_busy)
		status = set_error(BGCOPY_E_INVALID_STATE, "job %s is being completed "
				   "or cancelled by another call", job->id);
	if (!status)
		job_forget(job);
	api_leave_read(engine);
	return status;
}

static bool engine_settled(bgcopy_engine *engine)
{
	bool moves = !(engine->opt.flags & BGCOPY_OPEN_NO_TRANSFER);

	return !(moves && transfer_wanting(engine)) && notify_all_settled(engine);
}

int bgcopy_engine_wait_idle(bgcopy_engine *engine, long timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int status = BGCOPY_OK;

	if (!engine)
		return set_error(BGCOPY_E_INVALID_ARG, "engine is NULL");
	CLIENT_DISPATCH(engine, client_wait_idle(engine, timeout_ms));
	api_enter_engine(engine, API_READ);
	while (!engine_settled(engine)) {
		if (deadline >= 0 && now_ms() >= deadline) {
			status = set_error(BGCOPY_E_LIMIT,
					   "jobs still active after %ld ms", timeout_ms);
			break;
		}
		/* Wake at least every second: timers elsewhere may settle a job
		 * without signalling. */
		engine_wait(engine, &engine->idle_cond,
			    deadline >= 0 && deadline < now_ms() + 1000 ?
			    deadline : now_ms() + 1000);
	}
	api_leave_read(engine);
	return status;
}

int bgcopy_engine_set_max_bandwidth(bgcopy_engine *engine, uint64_t bytes_per_s)
{
	int status;

	if (!engine)
		return set_error(BGCOPY_E_INVALID_ARG, "engine is NULL");
	CLIENT_DISPATCH(engine, client_engine_max_bandwidth(engine, &bytes_per_s, true));
	status = api_enter_engine(engine, API_CHANGE);
	if (!status) {
		char text[24];

		engine->max_bandwidth = bytes_per_s;
		wake_worker(engine);	/* applied within a second */
		snprintf(text, sizeof(text), "%" PRIu64, bytes_per_s);
		status = store_save_setting(engine, SETTING_MAX_BANDWIDTH, text);
	}
	return api_leave(engine, status);
}

uint64_t bgcopy_engine_get_max_bandwidth(bgcopy_engine *engine)
{
	uint64_t bps = 0;

	if (!engine)
		return 0;
	CLIENT_DISPATCH(engine, client_engine_max_bandwidth(engine, &bps, false) ? 0 : bps);
	api_enter_engine(engine, API_READ);
	bps = engine->max_bandwidth;
	api_leave_read(engine);
	return bps;
}

int bgcopy_engine_get_options(bgcopy_engine *engine, struct bgcopy_engine_options *out)
{
	if (!engine || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "an engine and an out pointer are required");
	CLIENT_DISPATCH(engine, client_engine_options(engine, out));
	api_enter_engine(engine, API_READ);
	*out = engine->opt;
	if (!out->inactivity_timeout_s)
		out->inactivity_timeout_s = BGCOPY_DEFAULT_INACTIVITY_S;
	api_leave_read(engine);
	return BGCOPY_OK;
}

int bgcopy_engine_set_bandwidth_schedule(bgcopy_engine *engine, const char *schedule)
{
	struct bandwidth_schedule parsed;
	int status;

	if (!engine)
		return set_error(BGCOPY_E_INVALID_ARG, "engine is NULL");
	status = schedule_parse(schedule, &parsed);
	if (status)
		return status;
	CLIENT_DISPATCH(engine, client_engine_bandwidth_schedule(engine, schedule ? schedule : "",
								 NULL, 0));
	status = api_enter_engine(engine, API_CHANGE);
	if (!status) {
		char text[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];

		engine->schedule = parsed;
		wake_worker(engine);	/* applied within a second */
		schedule_format(&parsed, text, sizeof(text));
		status = store_save_setting(engine, SETTING_BANDWIDTH_SCHEDULE, text);
	}
	return api_leave(engine, status);
}

int bgcopy_engine_get_bandwidth_schedule(bgcopy_engine *engine, char *out, size_t size)
{
	char text[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];

	if (!engine || !out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "no engine, or no room for the schedule");
	CLIENT_DISPATCH(engine, client_engine_bandwidth_schedule(engine, NULL, out, size));
	api_enter_engine(engine, API_READ);
	schedule_format(&engine->schedule, text, sizeof(text));
	api_leave_read(engine);
	if ((size_t)snprintf(out, size, "%s", text) >= size)
		return set_error(BGCOPY_E_LIMIT, "the bandwidth schedule is %zu bytes, more "
				 "than the %zu given", strlen(text), size - 1);
	return BGCOPY_OK;
}
