/* bgcopyd: a job's notify service (BITS' notification CLSID), called on a bus, activated if need be, when no client listens. */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "../run_as.h"

#define DEFAULT_TIMEOUT_MS	30000u

/*
 * The daemon's own notify interface for a job whose notify service is
 * set and which no client's interface serves: each callback is a method
 * call to that name on the bus (the session bus of a per-user daemon,
 * the system bus of --system), which the bus daemon activates from its
 * .service file if nobody owns the name.  It runs on the engine's
 * dispatcher thread over a connection of its own (sd-bus connections
 * belong to one thread), and its reply is the callback's result.
 */
struct service_cb {
	struct bgcopy_callback base;
	unsigned refs;			/* atomic */
	bool system;			/* the system bus, else the session bus */
	uid_t daemon_uid;		/* jobs of other owners: call_as_owner */
	char name[BGCOPY_NOTIFY_SERVICE_MAX + 1];
};

uint64_t callback_timeout_usec(void)
{
	const char *env = getenv("BGCOPYD_CALLBACK_TIMEOUT_MS");
	unsigned long ms = env && *env ? strtoul(env, NULL, 10) : 0;

	return (ms ? ms : DEFAULT_TIMEOUT_MS) * 1000ull;
}

/* A Callback method's arguments: the job's id, then JobError's error or
 * FileTransferred's index, then the engine's attempt (engine, arming,
 * attempt: bgcopy_callback_forward), so the receiver's trace joins ours. */
int callback_append_args(sd_bus_message *m, const char *member, const char *id,
			 const struct bgcopy_error *e, uint32_t file_index,
			 const struct bgcopy_callback_attempt *at)
{
	char shown[sizeof(e->description)];
	int r = sd_bus_message_append(m, "s", id);

	if (r >= 0 && !strcmp(member, "JobError"))
		r = sd_bus_message_append(m, "(iiiiis)", (int32_t)e->context, e->code,
					  e->http_status, e->curl_code, e->file_index,
					  bus_text(e->description, shown, sizeof(shown)));
	if (r >= 0 && !strcmp(member, "FileTransferred"))
		r = sd_bus_message_append(m, "u", file_index);
	if (r >= 0)
		r = sd_bus_message_append(m, "(ttu)", at->engine, at->arming, at->attempt);
	return r;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Microseconds left until `deadline` (now_usec), at least 1: an sd-bus
 * timeout of 0 would mean its default. */
static uint64_t usec_left(uint64_t deadline)
{
	uint64_t now = now_usec();

	return deadline > now ? deadline - now : 1;
}

/* The process that owns `name` now, started by the bus (D-Bus
 * activation) if nobody does: its unique name (to free) and pid (0 when
 * the bus does not say, as over TCP).  The
 * call then goes to that unique name, so that the process the attempt
 * was forwarded to is the one that gets it: one gone meanwhile fails the
 * attempt rather than hand it to another. */
static int name_owner(sd_bus *bus, const char *name, uint64_t deadline,
		      sd_bus_error *err, char **unique, pid_t *pid)
{
	const uint64_t mask = SD_BUS_CREDS_UNIQUE_NAME | SD_BUS_CREDS_PID;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_creds *creds = NULL;
	const char *u = NULL;
	int r;

	/* The lookups' own calls to the bus keep to the callback's time. */
	sd_bus_set_method_call_timeout(bus, usec_left(deadline));
	r = sd_bus_get_name_creds(bus, name, mask, &creds);
	if (r < 0) {
		r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.DBus",
						   "/org/freedesktop/DBus",
						   "org.freedesktop.DBus",
						   "StartServiceByName");
		if (r >= 0)
			r = sd_bus_message_append(m, "su", name, 0u);
		if (r >= 0)
			r = sd_bus_call(bus, m, usec_left(deadline), err, &reply);
		if (r >= 0)
			sd_bus_set_method_call_timeout(bus, usec_left(deadline));
		if (r >= 0)
			r = sd_bus_get_name_creds(bus, name, mask, &creds);
	}
	if (r >= 0)
		r = sd_bus_creds_get_unique_name(creds, &u);
	if (r >= 0 && sd_bus_creds_get_pid(creds, pid) < 0)
		*pid = 0;
	if (r >= 0 && !(*unique = strdup(u)))
		r = -ENOMEM;
	/* A call sent with no time left would run in the service while we
	 * counted it failed: retried, it would run twice. */
	if (r >= 0 && now_usec() >= deadline)
		r = -ETIMEDOUT;
	sd_bus_creds_unref(creds);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	return r;
}

/* One call to the service on `bus`, its answer in *result, within the
 * callback's timeout.  With `at` (the daemon calling as itself, inside
 * the engine's callback), the call goes to the process that owns the
 * name, to which the attempt is forwarded, with its ids, so that a
 * receiver that traces its receipts (bgcopy_callback_received) joins
 * ours.  Without (a call made as another owner), to the name with zeros:
 * the bus's policy then decides whether that owner may start the
 * service, as StartServiceByName would not ask.
 * Returns what sd-bus returned, `err` saying why when it failed. */
static int call_on_bus(sd_bus *bus, const char *name, const char *id, const char *member,
		       const struct bgcopy_error *error, uint32_t file_index,
		       struct bgcopy_callback_attempt *at, sd_bus_error *err,
		       int32_t *result)
{
	const struct bgcopy_callback_attempt none = { 0 };
	uint64_t deadline = now_usec() + callback_timeout_usec();
	sd_bus_message *m = NULL, *reply = NULL;
	char *unique = NULL;
	pid_t pid = 0;
	int r = at ? name_owner(bus, name, deadline, err, &unique, &pid) : 0;

	*result = -1;
	if (at && (r < 0 || pid <= 0 || bgcopy_callback_forward(pid, at) != BGCOPY_OK))
		*at = none;
	if (r >= 0)
		r = sd_bus_message_new_method_call(bus, &m, unique ? unique : name,
						   BGCOPYD_CALLBACK_PATH,
						   BGCOPYD_CALLBACK_IFACE, member);
	if (r >= 0)
		r = callback_append_args(m, member, id, error, file_index, at ? at : &none);
	if (r >= 0)
		r = sd_bus_call(bus, m, usec_left(deadline), err, &reply);
	if (r >= 0 && sd_bus_message_read(reply, "i", result) < 0)
		*result = -1;
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	free(unique);
	return r;
}

/* The owner's session bus when /run/user/UID/bus is the owner's socket,
 * else the system bus, where its policy applies to the owner.  Called as
 * the owner, so that a socket it cannot reach is not reached. */
static int open_owner_bus(uid_t owner, sd_bus **bus, const char **which)
{
	char path[64], address[80];
	struct stat st;
	int r;

	snprintf(path, sizeof(path), "/run/user/%u/bus", (unsigned)owner);
	if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != owner) {
		*which = "system";
		return sd_bus_open_system(bus);
	}
	*which = "session";
	snprintf(address, sizeof(address), "unix:path=%s", path);
	r = sd_bus_new(bus);
	if (r >= 0)
		r = sd_bus_set_address(*bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(*bus, 1);
	return r >= 0 ? sd_bus_start(*bus) : r;
}

/* The call's words for the daemon's own binary run as the owner
 * (notify_service_call_main), all built before the fork. */
struct owner_call {
	char numbers[6][16];	/* context, code, http, curl, error's file, index */
	char *argv[15];
	char *envp[8];
};

/* What of the daemon's environment the call needs: the process runs as
 * the owner, who may read its environment, so nothing else of root's. */
static const char *const call_env[] = {
	"DBUS_SYSTEM_BUS_ADDRESS=", "BGCOPYD_CALLBACK_TIMEOUT_MS=",
	"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "TSAN_OPTIONS=", "LSAN_OPTIONS=",
};

static void owner_call_words(struct owner_call *c, const struct service_cb *cb,
			     const char *id, const char *member,
			     const struct bgcopy_error *error, uint32_t file_index)
{
	const struct bgcopy_error none = { 0 };
	const struct bgcopy_error *e = error ? error : &none;
	const long values[6] = { e->context, e->code, e->http_status, e->curl_code,
				 e->file_index, (long)file_index };
	size_t n = 0;

	for (int i = 0; i < 6; i++)
		snprintf(c->numbers[i], sizeof(c->numbers[i]), "%ld", values[i]);
	c->argv[n++] = (char *)"bgcopyd";
	c->argv[n++] = (char *)BGCOPYD_CALL_SERVICE_ARG;
	c->argv[n++] = (char *)cb->name;
	c->argv[n++] = (char *)id;
	c->argv[n++] = (char *)member;
	for (int i = 0; i < 6; i++)
		c->argv[n++] = c->numbers[i];
	c->argv[n++] = (char *)e->description;
	c->argv[n] = NULL;
	assert(n < sizeof(c->argv) / sizeof(*c->argv));
	n = 0;
	for (char **v = environ; *v && n + 1 < sizeof(c->envp) / sizeof(*c->envp); v++)
		for (size_t i = 0; i < sizeof(call_env) / sizeof(*call_env); i++)
			if (!strncmp(*v, call_env[i], strlen(call_env[i])))
				c->envp[n++] = *v;
	c->envp[n] = NULL;
}

/* The forked child of call_as_owner: only what may run between fork and
 * exec in a process that had threads (no allocation, no lock, no sd-bus):
 * it closes the daemon's files, becomes the owner and runs the daemon's
 * own binary afresh, which makes the call (notify_service_call_main). */
static _Noreturn void owner_child(const struct run_as *as, struct owner_call *call)
{
	setpgid(0, 0);	/* past its time limit, killed with all it started */
	close_range(3, ~0u, 0);
	run_as_become(as);
	execve("/proc/self/exe", call->argv, call->envp);
	dprintf(STDERR_FILENO, "bgcopyd: cannot run itself as uid %u to call a notify "
		"service: %s\n", (unsigned)as->id.uid, strerror(errno));
	_exit(127);
}

/* bgcopyd --call-notify-service NAME ID MEMBER CONTEXT CODE HTTP CURL
 * ERROR_FILE INDEX DESCRIPTION, run by call_as_owner as the job's owner:
 * exit 0 when the service answered 0, else 1, saying why on stderr. */
int notify_service_call_main(int argc, char **argv)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	struct bgcopy_error e = { 0 };
	const char *which = "system", *name, *id, *member;
	sd_bus *bus = NULL;
	int32_t result = -1;
	uint32_t index;
	int r;

	if (argc != 12) {
		fprintf(stderr, "bgcopyd: %s is bgcopyd's own, with 10 arguments\n",
			BGCOPYD_CALL_SERVICE_ARG);
		return 2;
	}
	name = argv[2];
	id = argv[3];
	member = argv[4];
	e = (struct bgcopy_error){ .context = atoi(argv[5]), .code = atoi(argv[6]),
				   .http_status = atoi(argv[7]), .curl_code = atoi(argv[8]),
				   .file_index = atoi(argv[9]) };
	index = (uint32_t)strtoul(argv[10], NULL, 10);
	snprintf(e.description, sizeof(e.description), "%s", argv[11]);
	r = open_owner_bus(getuid(), &bus, &which);
	if (r >= 0)
		r = call_on_bus(bus, name, id, member, &e, index, NULL, &err, &result);
	if (r < 0)
		fprintf(stderr, "bgcopyd: job %s: %s to notify service %s on the %s bus "
			"as uid %u failed: %s\n", id, member, name, which, (unsigned)getuid(),
			err.message ? err.message : strerror(-r));
	else if (result != 0)
		fprintf(stderr, "bgcopyd: job %s: notify service %s answered %s with %d, "
			"not 0\n", id, name, member, (int)result);
	sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
	return r >= 0 && result == 0 ? 0 : 1;
}

/* A job owned by another user than the daemon's (--system): the call
 * is made by a process running as the owner, never by root, and its exit
 * status is the callback's result.  It has the call's timeout and as
 * long again to open the bus and exit. */
static int call_as_owner(const struct service_cb *cb, const char *id, uid_t owner,
			 const char *member, const struct bgcopy_error *error,
			 uint32_t file_index)
{
	struct owner_call call;
	struct run_as as;
	bool known = run_as_owner(owner, &as), timed_out;
	pid_t pid;
	int status;

	if (!known || !as.drop) {
		fprintf(stderr, "bgcopyd: job %s: notify service %s not called: its owner, "
			"uid %u, is %s\n", id, cb->name, (unsigned)owner,
			known ? "not one this daemon can become" : "unknown");
		return -1;
	}
	owner_call_words(&call, cb, id, member, error, file_index);
	pid = fork();
	if (pid == 0)
		owner_child(&as, &call);
	if (pid < 0) {
		fprintf(stderr, "bgcopyd: job %s: notify service %s not called: no process "
			"to run as uid %u: %s\n", id, cb->name, (unsigned)owner, strerror(errno));
		return -1;
	}
	status = child_wait_limited(pid, (int64_t)(2 * callback_timeout_usec() / 1000),
				    &timed_out);
	if (timed_out)
		fprintf(stderr, "bgcopyd: job %s: %s to notify service %s as uid %u took "
			"too long: killed\n", id, member, cb->name, (unsigned)owner);
	return status == 0 ? 0 : -1;
}

/* 0 when the service answered 0; -1 (a failed attempt, retried per the
 * contract) for anything else: no bus, no such service, an error, an
 * answer other than 0, or no answer in time. */
static int call_service(struct service_cb *cb, bgcopy_job *job, const char *member,
				  const struct bgcopy_error *error, uint32_t file_index)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	struct bgcopy_callback_attempt at;
	sd_bus *bus = NULL;
	uid_t owner = bgcopy_job_get_owner(job);
	int32_t result = -1;
	char id[37];
	int r;

	bgcopy_job_get_id(job, id);
	if (owner != cb->daemon_uid)
		return call_as_owner(cb, id, owner, member, error, file_index);
	r = cb->system ? sd_bus_open_system(&bus) : sd_bus_open_user(&bus);
	if (r >= 0)
		r = call_on_bus(bus, cb->name, id, member, error, file_index, &at, &err,
				&result);
	sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
	return r >= 0 && result == 0 ? 0 : -1;
}

static struct service_cb *service_of(struct bgcopy_callback *self)
{
	return (struct service_cb *)self;
}

static int job_transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	return call_service(service_of(self), job, "JobTransferred", NULL, 0);
}

static int job_error(struct bgcopy_callback *self, bgcopy_job *job,
		     const struct bgcopy_error *error)
{
	return call_service(service_of(self), job, "JobError", error, 0);
}

static int job_modification(struct bgcopy_callback *self, bgcopy_job *job)
{
	return call_service(service_of(self), job, "JobModification", NULL, 0);
}

static int file_transferred(struct bgcopy_callback *self, bgcopy_job *job, unsigned index)
{
	return call_service(service_of(self), job, "FileTransferred", NULL, index);
}

static void cb_add_ref(struct bgcopy_callback *self)
{
	__atomic_add_fetch(&service_of(self)->refs, 1, __ATOMIC_RELAXED);
}

static void cb_release(struct bgcopy_callback *self)
{
	if (!__atomic_sub_fetch(&service_of(self)->refs, 1, __ATOMIC_ACQ_REL))
		free(self);
}

static const struct bgcopy_callback_ops service_ops = {
	.add_ref = cb_add_ref,
	.release = cb_release,
	.job_transferred = job_transferred,
	.job_error = job_error,
	.job_modification = job_modification,
	.file_transferred = file_transferred,
};

/* With no client interface on `job`: the service's interface becomes
 * its notify interface (a new epoch), or, with no service or no bus,
 * none.  Returns a bgcopy status. */
int notify_service_install(struct daemon *d, bgcopy_job *job)
{
	struct service_cb *cb = NULL;
	char name[BGCOPY_NOTIFY_SERVICE_MAX + 1] = "";
	int status;

	if (!d->stopping)	/* a client gone at exit leaves no call behind */
		bgcopy_job_get_notify_service(job, name, sizeof(name));
	if (*name && d->bus_errno) {
		if (!d->bus_missing_said)
			fprintf(stderr, "bgcopyd: no %s bus (%s): notify services such as %s "
				"are not called; their jobs' command lines run instead\n",
				d->system ? "system" : "session", strerror(d->bus_errno), name);
		d->bus_missing_said = true;
		*name = '\0';
	}
	if (*name) {
		cb = calloc(1, sizeof(*cb));
		if (!cb)
			return BGCOPY_E_NOMEM;
		*cb = (struct service_cb){ .base.ops = &service_ops, .refs = 1,
					   .system = d->system, .daemon_uid = d->uid };
		strcpy(cb->name, name);
	}
	status = bgcopy_job_set_notify_interface(job, cb ? &cb->base : NULL);
	if (cb)
		cb_release(&cb->base);	/* the engine holds its own reference */
	return status;
}

/* After a restart no job has an interface: each job with a service gets
 * the service's, so what it is owed goes there. */
void notify_service_restore(struct daemon *d)
{
	char name[BGCOPY_NOTIFY_SERVICE_MAX + 1], id[37];
	size_t n = 0;
	bgcopy_job **jobs = daemon_jobs(d, NULL, false, &n);

	if (!jobs) {
		fputs("bgcopyd: out of memory: jobs' notify services are not restored\n", stderr);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		enum bgcopy_state state = bgcopy_job_get_state(jobs[i]);

		if (state == BGCOPY_ACKNOWLEDGED || state == BGCOPY_CANCELLED ||
		    bgcopy_job_get_notify_service(jobs[i], name, sizeof(name)) != BGCOPY_OK ||
		    !*name)
			continue;
		if (notify_service_install(d, jobs[i]) == BGCOPY_OK)
			continue;
		bgcopy_job_get_id(jobs[i], id);
		fprintf(stderr, "bgcopyd: job %s: its notify service %s cannot take its "
			"notifications: %s\n", id, name, bgcopy_last_error());
	}
	free(jobs);
}
