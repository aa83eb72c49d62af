/* bgcopyd: the manager object /org/bgcopy1 (org.bgcopy1.Manager): create, list, get jobs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

#define JOB_ID_LEN 36

static int reply_job_path(sd_bus_message *m, bgcopy_job *job)
{
	char *path = NULL;
	int r = job_object_path(job, &path);

	if (r < 0)
		return r;
	r = sd_bus_reply_method_return(m, "o", path);
	free(path);
	return r;
}

/* BITS' per-user and per-machine caps, on jobs still in the queue. */
static int check_limits(struct peer *p, sd_bus_error *error)
{
	struct daemon *d = p->daemon;
	size_t owned, all;
	int r = daemon_count_jobs(d, p->uid, &owned, &all);

	if (r < 0)
		return r;
	if (owned >= d->max_jobs_per_user)
		return sd_bus_error_setf(error, BGCOPYD_ERROR "TooManyJobs",
					 "uid %u has %zu jobs, the most one user may have "
					 "(bgcopyd --max-jobs-per-user %u); complete or cancel one",
					 (unsigned)p->uid, owned, d->max_jobs_per_user);
	if (all >= d->max_jobs)
		return sd_bus_error_setf(error, BGCOPYD_ERROR "TooManyJobs",
					 "this daemon has %zu jobs, the most it takes "
					 "(bgcopyd --max-jobs %u)", all, d->max_jobs);
	return 0;
}

/* The owner is the caller.  A per-user daemon serves its own uid; the
 * system daemon (root) every uid, each job run as its owner. */
static int create_job(sd_bus_message *m, struct peer *p, const char *name,
		      sd_bus_error *error)
{
	bgcopy_job *job;
	int r;

	if (p->uid != p->daemon->uid && !p->daemon->system)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "this daemon runs as uid %u and creates jobs for it "
					 "alone, not for uid %u", (unsigned)p->daemon->uid,
					 (unsigned)p->uid);
	r = bus_error_check_text(error, "the display name", name);
	if (r >= 0)
		r = check_limits(p, error);
	if (r < 0)
		return r;
	bgcopy_engine_trace_request(p->daemon->engine, NULL, p->pid, p->uid, "CreateJob");
	r = bgcopy_job_create_as(p->daemon->engine, name, p->uid, &job);
	if (r != BGCOPY_OK)
		return bus_error_from_status(error, r);
	job_watch_created(p->daemon, job);	/* its first snapshot, announced */
	return reply_job_path(m, job);
}

/* CreateJob, and CreateJobBytes for a name that is not UTF-8. */
static int method_create_job(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *name = NULL;
	char *bytes = NULL;
	int r;

	r = strcmp(sd_bus_message_get_member(m), "CreateJobBytes") ?
	    sd_bus_message_read(m, "s", &name) :
	    bus_read_bytes(m, error, "the display name", &bytes);
	if (bytes)
		name = bytes;
	if (r >= 0)
		r = create_job(m, userdata, name, error);
	free(bytes);
	return r;
}

static int append_job_entry(sd_bus_message *reply, bgcopy_job *job, enum bgcopy_state state)
{
	char id[37], name[BGCOPYD_TEXT_MAX], *path = NULL;
	int r;

	bgcopy_job_get_id(job, id);
	bgcopy_job_get_display_name(job, name, sizeof(name));
	r = job_object_path(job, &path);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'r', "sssuo");
	if (r >= 0)
		r = sd_bus_message_append(reply, "s", id);
	if (r >= 0)
		r = bus_append_text(reply, name);
	if (r >= 0)
		r = sd_bus_message_append(reply, "suo", bgcopy_state_name(state),
					  bgcopy_job_get_owner(job), path);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	free(path);
	return r;
}

/* ListJobs: the caller's own jobs; ListAllUsersJobs: every user's, for
 * root only (BITS' BG_JOB_ENUM_ALL_USERS).  Each with the state its
 * signals last announced, after the changes queued so far: the listing
 * continues the signals sent before it, the signals after it continue
 * the listing. */
static int method_list_jobs(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	bool all = !strcmp(sd_bus_message_get_member(m), "ListAllUsersJobs");
	struct peer *p = userdata;
	sd_bus_message *reply = NULL;
	bgcopy_job **jobs;
	size_t n = 0;
	int r;

	if (all && p->uid != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "only root lists every user's jobs; uid %u may "
					 "call ListJobs", (unsigned)p->uid);
	if (all && !p->daemon->system)
		return sd_bus_error_setf(error, BGCOPYD_ERROR "InvalidState",
					 "this daemon serves the store of uid %u alone "
					 "(bgcopyd without --system): ListJobs lists its jobs",
					 (unsigned)p->daemon->uid);
	job_watch_catch_up(p->daemon);
	jobs = daemon_jobs(p->daemon, p, !all, &n);
	if (!jobs)
		return -ENOMEM;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sssuo)");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = append_job_entry(reply, jobs[i], job_watch_state(p->daemon, jobs[i]));
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	free(jobs);
	return r;
}

/* A whole id only: a prefix could match another user's job first. */
static int method_get_job(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;
	const char *id;
	bgcopy_job *job;
	int r;

	r = sd_bus_message_read(m, "s", &id);
	if (r < 0)
		return r;
	if (strlen(id) != JOB_ID_LEN)
		return sd_bus_error_setf(error, "org.bgcopy1.Error.InvalidArgument",
					 "'%s' is not a job id: an id has %d characters",
					 id, JOB_ID_LEN);
	if (bgcopy_engine_find_job(p->daemon->engine, id, &job) != BGCOPY_OK ||
	    !peer_sees(p, job))
		return bus_error_not_found(error, id);
	return reply_job_path(m, job);
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
				const char *property, sd_bus_message *reply,
				void *userdata, sd_bus_error *error)
{
	(void)bus, (void)path, (void)interface, (void)property;
	(void)userdata, (void)error;
	return sd_bus_message_append(reply, "s", BGCOPYD_VERSION);
}

/* Idle: every job has settled and every notification deliverable now
 * has been delivered (bgcopy_engine_wait_idle's condition). */
static int property_get_idle(sd_bus *bus, const char *path, const char *interface,
			     const char *property, sd_bus_message *reply,
			     void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;
	bool idle = bgcopy_engine_wait_idle(p->daemon->engine, 0) == BGCOPY_OK;

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	/* What settled is announced before the answer, so that a client's
	 * mirror is current once it has seen Idle. */
	if (idle)
		job_watch_flush(p->daemon, true);
	return sd_bus_message_append(reply, "b", idle);
}

/* An EnableTracing whose answer waits until a session records the
 * daemon: events emitted before that are lost to the caller's trace. */
struct trace_wait {
	sd_bus_message *call;
	bgcopy_engine *engine;
	long pid;
	uint32_t uid;
	uint64_t asked, deadline;	/* CLOCK_MONOTONIC, usec */
};

#define TRACE_POLL_USEC	(20 * 1000)

static void trace_wait_free(void *userdata)
{
	struct trace_wait *w = userdata;

	sd_bus_message_unref(w->call);
	free(w);
}

/* Answers the call when it can: 1 when answered, 0 to look again. */
static int trace_wait_step(struct trace_wait *w, uint64_t now)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int recording, r;
	int status = bgcopy_engine_trace_for(w->engine, w->pid, w->uid, &recording);

	if (status == BGCOPY_OK && !recording && now < w->deadline)
		return 0;
	if (status != BGCOPY_OK)
		bus_error_from_status(&error, status);
	else if (!recording)
		sd_bus_error_setf(&error, BGCOPYD_ERROR "Io", "no tracing session of uid %u "
				  "records bgcopyd (pid %ld) %.1f s after it was asked",
				  (unsigned)getuid(), (long)getpid(), (now - w->asked) / 1e6);
	r = sd_bus_error_is_set(&error) ? sd_bus_reply_method_error(w->call, &error) :
	    sd_bus_reply_method_return(w->call, NULL);
	sd_bus_error_free(&error);
	return r < 0 ? r : 1;
}

static int on_trace_poll(sd_event_source *s, uint64_t now, void *userdata)
{
	int r = trace_wait_step(userdata, now);

	if (r == 0 && sd_event_source_set_time_relative(s, TRACE_POLL_USEC) >= 0 &&
	    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) >= 0)
		return 0;
	/* Answered, or it cannot wait: take the loop's source back and
	 * free it, and the call with it (trace_wait_free). */
	sd_event_source_ref(s);
	sd_event_source_set_floating(s, 0);
	sd_event_source_disable_unref(s);
	return 0;
}

/* A traced client (bgcopy record) asks for the engine's events: the
 * provider is loaded on the first such call, and the answer comes once
 * a session records them, or after BGCOPY_TRACE_WAIT_MS (docs/bgcopyd.md).
 * A caller of another uid is answered at once: its sessions cannot
 * record this daemon. */
static int method_enable_tracing(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;
	sd_event_source *poll = NULL;
	struct trace_wait *w = calloc(1, sizeof(*w));
	uint64_t now;
	int r;

	(void)error;
	if (!w)
		return -ENOMEM;
	*w = (struct trace_wait){ .call = sd_bus_message_ref(m), .engine = p->daemon->engine,
				  .pid = p->pid, .uid = p->uid };
	r = sd_event_now(p->daemon->event, CLOCK_MONOTONIC, &now);
	w->asked = w->deadline = now;
	if (p->uid == p->daemon->uid)
		w->deadline += BGCOPY_TRACE_WAIT_MS * 1000ull;
	if (r >= 0)
		r = trace_wait_step(w, now);
	if (r == 0)
		r = sd_event_add_time_relative(p->daemon->event, &poll, CLOCK_MONOTONIC,
					       TRACE_POLL_USEC, 0, on_trace_poll, w);
	if (r < 0 || !poll) {
		trace_wait_free(w);
		return r < 0 ? r : 1;
	}
	/* The loop owns it now, and frees it (and the call) when it ends. */
	sd_event_source_set_destroy_callback(poll, trace_wait_free);
	sd_event_source_set_floating(poll, 1);
	sd_event_source_unref(poll);
	return 1;
}

/* SetMaxBandwidth(bytes_per_s): the engine's cap, every user's jobs
 * share it, so root's to set. */
static int method_set_max_bandwidth(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;
	uint64_t bps;
	int r = sd_bus_message_read(m, "t", &bps), status;

	if (r < 0)
		return r;
	if (p->uid != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "only root sets the engine's bandwidth cap, not uid %u",
					 (unsigned)p->uid);
	status = bgcopy_engine_set_max_bandwidth(p->daemon->engine, bps);
	if (status != BGCOPY_OK)
		return bus_error_from_status(error, status);
	return sd_bus_reply_method_return(m, NULL);
}

static int property_get_max_bandwidth(sd_bus *bus, const char *path, const char *interface,
				      const char *property, sd_bus_message *reply,
				      void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	return sd_bus_message_append(reply, "t", bgcopy_engine_get_max_bandwidth(p->daemon->engine));
}

/* EngineOptions: what the daemon's engine runs with, which libbgcopy's
 * client compares with the options its caller gave (client_options.c). */
static int property_get_engine_options(sd_bus *bus, const char *path, const char *interface,
				       const char *property, sd_bus_message *reply,
				       void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;
	struct bgcopy_engine_options o;

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	if (bgcopy_engine_get_options(p->daemon->engine, &o) != BGCOPY_OK)
		return -EIO;
	return sd_bus_message_append(reply, "a{su}", 6, "dispatcher_threads", o.dispatcher_threads,
				     "max_connections", o.max_connections,
				     "max_per_host", o.max_per_host,
				     "max_files_per_job", o.max_files_per_job,
				     "inactivity_timeout_s", o.inactivity_timeout_s,
				     "test_options", o.test_options);
}

/* SetBandwidthSchedule(schedule): the engine's caps by hour and
 * weekday, every user's jobs share them, so root's to set. */
static int method_set_bandwidth_schedule(sd_bus_message *m, void *userdata,
					 sd_bus_error *error)
{
	struct peer *p = userdata;
	const char *text;
	int r = sd_bus_message_read(m, "s", &text), status;

	if (r < 0)
		return r;
	if (p->uid != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "only root sets the engine's bandwidth schedule, not uid %u",
					 (unsigned)p->uid);
	status = bgcopy_engine_set_bandwidth_schedule(p->daemon->engine, text);
	if (status != BGCOPY_OK)
		return bus_error_from_status(error, status);
	return sd_bus_reply_method_return(m, NULL);
}

static int property_get_bandwidth_schedule(sd_bus *bus, const char *path,
					   const char *interface, const char *property,
					   sd_bus_message *reply, void *userdata,
					   sd_bus_error *error)
{
	struct peer *p = userdata;
	char text[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];
	int status;

	(void)bus, (void)path, (void)interface, (void)property;
	status = bgcopy_engine_get_bandwidth_schedule(p->daemon->engine, text, sizeof(text));
	if (status != BGCOPY_OK)
		return bus_error_from_status(error, status);
	return sd_bus_message_append(reply, "s", text);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Idle", "b", property_get_idle, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("CreateJob", SD_BUS_ARGS("s", display_name),
				SD_BUS_RESULT("o", job), method_create_job,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("CreateJobBytes", SD_BUS_ARGS("ay", display_name),
				SD_BUS_RESULT("o", job), method_create_job,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListJobs", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a(sssuo)", jobs), method_list_jobs,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListAllUsersJobs", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a(sssuo)", jobs), method_list_jobs,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetJob", SD_BUS_ARGS("s", id),
				SD_BUS_RESULT("o", job), method_get_job,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("EnableTracing", NULL, NULL, method_enable_tracing,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("MaxBandwidth", "t", property_get_max_bandwidth, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetMaxBandwidth", SD_BUS_ARGS("t", bytes_per_s),
				SD_BUS_NO_RESULT, method_set_max_bandwidth,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("EngineOptions", "a{su}", property_get_engine_options, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("BandwidthSchedule", "s", property_get_bandwidth_schedule, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetBandwidthSchedule", SD_BUS_ARGS("s", schedule),
				SD_BUS_NO_RESULT, method_set_bandwidth_schedule,
				SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int bus_manager_register(struct peer *p)
{
	return sd_bus_add_object_vtable(p->bus, NULL, BGCOPYD_MANAGER_PATH,
					BGCOPYD_MANAGER_IFACE, manager_vtable, p);
}
