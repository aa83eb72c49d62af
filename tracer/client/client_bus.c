/* Client mode: the connection to bgcopyd, calls through it, and its named errors as bgcopy statuses. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define ERROR_PREFIX "org.bgcopy1.Error."

static const struct {
	const char *name;
	int status;
} error_statuses[] = {
	{ ERROR_PREFIX "InvalidArgument", BGCOPY_E_INVALID_ARG },
	{ ERROR_PREFIX "InvalidState", BGCOPY_E_INVALID_STATE },
	{ ERROR_PREFIX "NoMemory", BGCOPY_E_NOMEM },
	{ ERROR_PREFIX "Io", BGCOPY_E_IO },
	{ ERROR_PREFIX "NotFound", BGCOPY_E_NOT_FOUND },
	{ ERROR_PREFIX "Store", BGCOPY_E_STORE },
	{ ERROR_PREFIX "Limit", BGCOPY_E_LIMIT },
	{ ERROR_PREFIX "TooManyJobs", BGCOPY_E_LIMIT },
	{ ERROR_PREFIX "ReadOnly", BGCOPY_E_READ_ONLY },
	{ SD_BUS_ERROR_ACCESS_DENIED, BGCOPY_E_INVALID_ARG },
};

/* The daemon's named error as the status the embedded engine returns;
 * anything else (the daemon gone, no reply) is an I/O error. */
static int status_from_error(const sd_bus_error *e, int r)
{
	for (size_t i = 0; i < sizeof(error_statuses) / sizeof(error_statuses[0]); i++)
		if (sd_bus_error_has_name(e, error_statuses[i].name))
			return set_error(error_statuses[i].status, "%s", e->message);
	if (sd_bus_error_is_set(e))
		return set_error(BGCOPY_E_IO, "bgcopyd: %s", e->message ? e->message : e->name);
	return set_error(r == -ENOMEM ? BGCOPY_E_NOMEM : BGCOPY_E_IO,
			 "bgcopyd: %s", strerror(-r));
}

/* Every message holds a reference on the bus, whose count sd-bus does not
 * update atomically (the pump thread refs and unrefs it in sd_bus_process):
 * a message is let go under the bus lock, as it was made. */
void client_message_unref(bgcopy_engine *engine, sd_bus_message *m)
{
	struct client *c = engine->client;

	if (!m)
		return;
	pthread_mutex_lock(&c->bus_lock);
	sd_bus_message_unref(m);
	pthread_mutex_unlock(&c->bus_lock);
}

void client_job_path(const char *id, char *out, size_t size)
{
	snprintf(out, size, CLIENT_JOB_PREFIX "%s", id);
	for (char *c = out + sizeof(CLIENT_JOB_PREFIX) - 1; *c; c++)
		if (*c == '-')
			*c = '_';
}

bool client_job_id(const char *path, char id[37])
{
	if (strncmp(path, CLIENT_JOB_PREFIX, sizeof(CLIENT_JOB_PREFIX) - 1) ||
	    strlen(path) != sizeof(CLIENT_JOB_PREFIX) - 1 + 36)
		return false;
	snprintf(id, 37, "%s", path + sizeof(CLIENT_JOB_PREFIX) - 1);
	for (char *c = id; *c; c++)
		if (*c == '_')
			*c = '-';
	return true;
}

bgcopy_job *client_mirror_of(bgcopy_engine *engine, const char *id)
{
	assert(engine_locked(engine));
	for (bgcopy_job *job = engine->jobs; job; job = job->next)
		if (!strcmp(job->id, id))
			return job;
	return NULL;
}

/* After a call of a job's own methods (a verb, never called with the
 * engine lock held): its mirror is read whole by the next getter, by a
 * GetAll answered after `reply`, so that it shows what the call did even
 * where the daemon announces nothing (a value it does not announce). */
static void note_job_call(bgcopy_engine *engine, const char *path, const char *iface,
			  sd_bus_message *reply)
{
	bgcopy_job *job;
	uint64_t cookie;
	char id[37];

	if (!path || !iface || !strcmp(iface, "org.freedesktop.DBus.Properties") ||
	    !client_job_id(path, id) || sd_bus_message_get_cookie(reply, &cookie) < 0)
		return;
	assert(!engine_locked(engine));
	engine_lock(engine);
	job = client_mirror_of(engine, id);
	if (job && cookie > job->mirror_changed) {
		job->mirror_changed = cookie;
		job->mirror_current = job->mirror_signaled = false;
	}
	engine_unlock(engine);
}

/* A daemon that exited or was killed leaves the connection closed for
 * good: the jobs, interfaces and mirrors were that daemon's, so the
 * engine is opened again rather than reconnected. */
void client_note_lost(struct client *c)
{
	if (sd_bus_is_open(c->bus) <= 0)
		__atomic_store_n(&c->lost, true, __ATOMIC_RELEASE);
}

void client_read_failed(struct client *c, int r)
{
	/* Written once, before `lost` publishes it. */
	if (__atomic_load_n(&c->lost, __ATOMIC_ACQUIRE))
		return;
	if (sd_bus_is_open(c->bus) > 0)
		c->lost_errno = -r;
	__atomic_store_n(&c->lost, true, __ATOMIC_RELEASE);
}

int client_check_open(struct client *c)
{
	if (!__atomic_load_n(&c->lost, __ATOMIC_ACQUIRE))
		return BGCOPY_OK;
	if (c->lost_errno)
		return set_error(BGCOPY_E_IO, "the connection to bgcopyd on '%s' cannot be "
				 "read (%s): no callback can come; open the engine again",
				 c->socket, strerror(c->lost_errno));
	return set_error(BGCOPY_E_IO, "the connection to bgcopyd on '%s' was lost (the "
			 "daemon exited or was killed): open the engine again", c->socket);
}

/* What sd_bus_call read past while waiting for its reply (queued in
 * sd-bus: its timeout is then 0) is dispatched now by the caller, which
 * holds the lock already: a callback wakes the pump (method_queue), a
 * change signal waits for the mirrors.  Only that: what is still on the
 * socket is the pump's to read.  bus_lock held. */
static void dispatch_read_past(struct client *c)
{
	uint64_t usec;
	int r = 1;

	while (r > 0 && sd_bus_get_timeout(c->bus, &usec) > 0 && usec == 0)
		r = sd_bus_process(c->bus, NULL);
	if (r < 0)
		client_read_failed(c, r);
}

/* The status of a call that failed with `r`, bus_lock held. */
static int call_failed(struct client *c, const sd_bus_error *e, int r)
{
	client_note_lost(c);
	return client_check_open(c) != BGCOPY_OK ? BGCOPY_E_IO : status_from_error(e, r);
}

/* A reply, handed to its waiting caller by the thread that read it. */
struct awaited {
	struct client *c;
	sd_bus_message *reply;
};

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct awaited *a = userdata;

	(void)ret_error;
	assert(!a->reply);
	a->reply = sd_bus_message_ref(m);
	pthread_cond_broadcast(&a->c->replied);
	return 1;
}

static __thread const struct client *pump_of;	/* the client whose pump runs here */

void client_pump_thread_begin(const struct client *c)
{
	pump_of = c;
}

void client_set_pump_reading(struct client *c, bool reading)
{
	c->pump_reading = reading;
	if (!reading)
		pthread_cond_broadcast(&c->replied);
}

/* The pump reads the reply, unless the caller is the pump, or holds the
 * engine lock, which the pump may wait for (in the change hook, a
 * callback's start): such a caller reads it itself.  bus_lock held. */
static bool pump_reads_for(bgcopy_engine *engine)
{
	struct client *c = engine->client;

	return c->pump_reading && pump_of != c && !engine_locked(engine);
}

/*
 * Sends `m` and waits, without the connection's lock, for the pump to
 * read its reply: sd_bus_call would hold the lock throughout, and the
 * pump could neither read nor answer the daemon's callbacks meanwhile,
 * nor could another thread's call go out.  A pump that stops reading
 * first (the daemon gone, the engine closing) leaves the caller to read
 * it, as sd_bus_call does, up to sd-bus's reply timeout.  bus_lock held.
 */
static int call_through_pump(struct client *c, sd_bus_message *m, sd_bus_error *e,
			     sd_bus_message **answer)
{
	struct awaited a = { .c = c };
	sd_bus_slot *slot = NULL;
	int r = sd_bus_call_async(c->bus, &slot, m, on_reply, &a, 0);

	if (r < 0)
		return r;
	if (sd_bus_get_events(c->bus) & POLLOUT)
		client_pump_wake(c);	/* part of it waits to be written */
	while (!a.reply && c->pump_reading)
		pthread_cond_wait(&c->replied, &c->bus_lock);
	while (!a.reply && r >= 0) {
		r = sd_bus_process(c->bus, NULL);
		if (r == 0 && !a.reply)
			r = sd_bus_wait(c->bus, UINT64_MAX);
	}
	sd_bus_slot_unref(slot);	/* no callback into `a` from here on */
	if (!a.reply)
		return r;
	if (sd_bus_message_is_method_error(a.reply, NULL)) {
		r = sd_bus_error_copy(e, sd_bus_message_get_error(a.reply));
		sd_bus_message_unref(a.reply);
		return r < 0 ? r : -EIO;
	}
	*answer = a.reply;
	return 1;
}

/* bus_lock held. */
static int call(bgcopy_engine *engine, sd_bus_message *m, sd_bus_error *e,
		sd_bus_message **answer)
{
	struct client *c = engine->client;
	int r;

	if (pump_reads_for(engine))
		return call_through_pump(c, m, e, answer);
	r = sd_bus_call(c->bus, m, 0, e, answer);
	if (r >= 0)
		dispatch_read_past(c);
	return r;
}

/* Sends `m` and waits for its reply (NULL `reply`: none kept). */
int client_send(bgcopy_engine *engine, sd_bus_message *m, sd_bus_message **reply)
{
	struct client *c = engine->client;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *answer = NULL;
	int r, status;

	pthread_mutex_lock(&c->bus_lock);
	status = client_check_open(c);
	if (!status && (r = call(engine, m, &e, &answer)) < 0)
		status = call_failed(c, &e, r);
	pthread_mutex_unlock(&c->bus_lock);
	sd_bus_error_free(&e);
	if (!status)
		note_job_call(engine, sd_bus_message_get_path(m), sd_bus_message_get_interface(m),
			      answer);
	if (reply)
		*reply = answer;
	else
		client_message_unref(engine, answer);
	return status;
}

int client_new_call(bgcopy_engine *engine, const char *path, const char *member,
		    sd_bus_message **m)
{
	struct client *c = engine->client;
	int r, status;

	pthread_mutex_lock(&c->bus_lock);
	status = client_check_open(c);
	if (!status &&
	    (r = sd_bus_message_new_method_call(c->bus, m, NULL, path,
						strncmp(path, CLIENT_JOB_PREFIX,
							sizeof(CLIENT_JOB_PREFIX) - 1) ?
						"org.bgcopy1.Manager" : "org.bgcopy1.Job",
						member)) < 0)
		status = call_failed(c, &SD_BUS_ERROR_NULL, r);
	pthread_mutex_unlock(&c->bus_lock);
	return status;
}

/* A method call with arguments as sd_bus_message_append takes them. */
int client_callv(bgcopy_engine *engine, const char *path, const char *iface,
		 const char *member, sd_bus_message **reply, const char *types, ...)
{
	struct client *c = engine->client;
	sd_bus_message *m = NULL;
	va_list ap;
	int r, status;

	if (reply)
		*reply = NULL;
	va_start(ap, types);
	pthread_mutex_lock(&c->bus_lock);
	status = client_check_open(c);
	if (!status &&
	    ((r = sd_bus_message_new_method_call(c->bus, &m, NULL, path, iface, member)) < 0 ||
	     (*types && (r = sd_bus_message_appendv(m, types, ap)) < 0)))
		status = call_failed(c, &SD_BUS_ERROR_NULL, r);
	pthread_mutex_unlock(&c->bus_lock);
	va_end(ap);
	if (!status)
		status = client_send(engine, m, reply);
	client_message_unref(engine, m);
	return status;
}

int client_append_bytes(sd_bus_message *m, const char *bytes)
{
	return sd_bus_message_append_array(m, 'y', bytes, strlen(bytes));
}

/* The counter only grows: a write that fails finds it set already;
 * pump_started changes only while no other thread uses the engine. */
void client_pump_wake(struct client *c)
{
	static const uint64_t one = 1;

	if (c->pump_started && write(c->wake_fd, &one, sizeof(one)) < 0)
		return;
}

/* What api.c's guard refuses on a read-only engine; the daemon judges
 * the rest (a final job, an unknown one). */
int client_writable(bgcopy_job *job)
{
	if (!(job->engine->opt.flags & BGCOPY_OPEN_READ_ONLY))
		return BGCOPY_OK;
	return set_error(BGCOPY_E_READ_ONLY, "the engine was opened read-only; "
			 "job %s cannot change", job->id);
}
