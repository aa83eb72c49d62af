/* Client mode: the notify interface exported to bgcopyd (org.bgcopy1.Callback) and the pump thread that runs its calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "client.h"
#include "trace.h"

#define PUMP_POLL_MS 50

/* A call the daemon made, kept until a worker has run it and replied. */
struct client_call {
	bgcopy_engine *engine;
	sd_bus_message *m;
	struct client_call *next;
};

/* Every Callback method: queued, answered by the pump once the
 * application's method has run with no lock held.  Any thread that
 * reads the connection may queue it: the pump is woken to run it. */
static int method_queue(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct client *c = userdata;
	struct client_call *call = calloc(1, sizeof(*call)), **tail;

	(void)error;
	if (!call)
		return -ENOMEM;
	call->engine = c->engine;
	call->m = sd_bus_message_ref(m);
	for (tail = &c->calls; *tail; tail = &(*tail)->next)
		;
	*tail = call;
	client_pump_wake(c);
	return 1;
}

/* Every method ends with the daemon's attempt (engine, arming, attempt:
 * bgcopy_callback_forward), which this side's trace names. */
static const sd_bus_vtable callback_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("JobTransferred", SD_BUS_ARGS("s", job, "(ttu)", attempt),
				SD_BUS_RESULT("i", result), method_queue, 0),
	SD_BUS_METHOD_WITH_ARGS("JobError",
				SD_BUS_ARGS("s", job, "(iiiiis)", error, "(ttu)", attempt),
				SD_BUS_RESULT("i", result), method_queue, 0),
	SD_BUS_METHOD_WITH_ARGS("JobModification", SD_BUS_ARGS("s", job, "(ttu)", attempt),
				SD_BUS_RESULT("i", result), method_queue, 0),
	SD_BUS_METHOD_WITH_ARGS("FileTransferred",
				SD_BUS_ARGS("s", job, "u", index, "(ttu)", attempt),
				SD_BUS_RESULT("i", result), method_queue, 0),
	SD_BUS_VTABLE_END
};

/* BGCOPY_TEST_SWALLOW_CALLBACK=1, for tests only: a broken client library
 * that answers success without running the method or tracing it, which
 * the checker must catch ("acknowledged but never received"). */
static bool swallow_for_tests(void)
{
	const char *v = getenv("BGCOPY_TEST_SWALLOW_CALLBACK");

	return v && !strcmp(v, "1");
}

/* Drops one reference on a registration; the last one lets the
 * application's object go, with no lock held: its release may take a
 * lock of the application's, which may be held around an API call. */
static void iface_put(bgcopy_engine *engine, struct notify_iface *ni)
{
	bool last;

	engine_lock(engine);
	assert(ni->refs > 0);
	last = --ni->refs == 0;
	engine_unlock(engine);
	if (last) {
		ni->cb->ops->release(ni->cb);
		free(ni);
	}
}

/* The registration of job `id`, with a reference for the call. */
static struct notify_iface *interface_of(bgcopy_engine *engine, const char *id,
					 bgcopy_job **job)
{
	struct notify_iface *ni = NULL;

	engine_lock(engine);
	*job = client_mirror_of(engine, id);
	/* What the callback reports may not be announced yet (the daemon's
	 * loop sends both in no fixed order): its getters read the job whole. */
	if (*job)
		(*job)->mirror_current = (*job)->mirror_signaled = false;
	if (*job && (*job)->iface) {
		ni = (*job)->iface;
		ni->refs++;
		job_pin(*job);	/* the method may forget it */
	}
	engine_unlock(engine);
	return ni;
}

/* The application's method for one call; -1 when no interface of ours
 * is registered on the job (any more): a failed attempt. */
static int run_method(bgcopy_engine *engine, const char *member, const char *id,
		      const struct bgcopy_error *error, uint32_t index)
{
	struct bgcopy_error err = *error;
	struct notify_iface *ni;
	struct bgcopy_callback *cb;
	bgcopy_job *job;
	int result = 0;

	ni = interface_of(engine, id, &job);
	if (!ni)
		return -1;
	cb = ni->cb;
	cb->ops->add_ref(cb);	/* as the embedded engine: no lock held */
	if (!strcmp(member, "JobTransferred") && cb->ops->job_transferred)
		result = cb->ops->job_transferred(cb, job);
	else if (!strcmp(member, "JobError") && cb->ops->job_error)
		result = cb->ops->job_error(cb, job, &err);
	else if (!strcmp(member, "JobModification") && cb->ops->job_modification)
		result = cb->ops->job_modification(cb, job);
	else if (!strcmp(member, "FileTransferred") && cb->ops->file_transferred)
		result = cb->ops->file_transferred(cb, job, index);
	cb->ops->release(cb);
	iface_put(engine, ni);
	engine_lock(engine);
	job_unpin(job);
	engine_unlock(engine);
	return result;
}

/* One call: its arguments read, the method run between the receipt and
 * the return traced with the daemon's attempt (CONTRACT.md section 7,
 * C1-C3). */
static int run_call(bgcopy_engine *engine, sd_bus_message *m)
{
	const char *member = sd_bus_message_get_member(m), *id, *desc;
	struct bgcopy_error err = { 0 };
	struct bgcopy_tp_client_attempt at = { .client = engine->trace_id, .file_index = -1 };
	uint32_t index = 0;
	int ctx, result;

	if (sd_bus_message_read(m, "s", &id) < 0)
		return -1;
	if (!strcmp(member, "JobError")) {
		if (sd_bus_message_read(m, "(iiiiis)", &ctx, &err.code, &err.http_status,
					&err.curl_code, &err.file_index, &desc) < 0)
			return -1;
		err.context = (enum bgcopy_error_context)ctx;
		snprintf(err.description, sizeof(err.description), "%s", desc);
	}
	if (!strcmp(member, "FileTransferred")) {
		if (sd_bus_message_read(m, "u", &index) < 0)
			return -1;
		at.file_index = (int32_t)index;
	}
	if (sd_bus_message_read(m, "(ttu)", &at.engine, &at.arming, &at.attempt) < 0)
		return -1;
	if (swallow_for_tests())
		return 0;
	at.job = id;
	at.kind = trace_callback_kind(member);
	assert(at.kind >= 0);	/* the vtable has no other method */
	TRACE(client_callback_received, &at);
	result = run_method(engine, member, id, &err, index);
	TRACE(client_callback_returned, &at, result);
	return result;
}

static void reply(struct client *c, struct client_call *call, int result)
{
	pthread_mutex_lock(&c->bus_lock);
	sd_bus_reply_method_return(call->m, "i", (int32_t)result);
	sd_bus_message_unref(call->m);
	pthread_mutex_unlock(&c->bus_lock);
	free(call);
}

/* One callback on a thread of its own: the daemon serializes a job's
 * callbacks and caps how many run, so a client runs what it is sent at
 * once, as the embedded engine's dispatchers would. */
static __thread bgcopy_engine *worker_of;	/* the engine whose callback runs here */

bool client_on_worker(const bgcopy_engine *engine)
{
	return engine->client && worker_of == engine;
}

static void *worker(void *arg)
{
	struct client_call *call = arg;
	struct client *c = call->engine->client;

	worker_of = call->engine;
	reply(c, call, run_call(call->engine, call->m));
	worker_of = NULL;
	pthread_mutex_lock(&c->bus_lock);
	c->workers--;
	pthread_cond_broadcast(&c->workers_done);
	pthread_mutex_unlock(&c->bus_lock);
	return NULL;
}

static void run_calls(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	struct client_call *call;
	pthread_attr_t attr;
	pthread_t tid;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		pthread_mutex_lock(&c->bus_lock);
		call = c->calls;
		if (call) {
			c->calls = call->next;
			c->workers++;
		}
		pthread_mutex_unlock(&c->bus_lock);
		if (!call)
			break;
		if (pthread_create(&tid, &attr, worker, call))
			worker(call);	/* no thread: run it here */
	}
	pthread_attr_destroy(&attr);
}

/* Resets the eventfd, so that it wakes the pump for later calls only. */
static void woken(struct client *c)
{
	uint64_t count;

	if (read(c->wake_fd, &count, sizeof(count)) < 0)
		return;	/* EAGAIN: nothing was counted */
}

/* Reads what the daemon sends: the replies of calls made with no lock
 * held (client_bus.c), change signals, and the callbacks, which it runs.
 * A call made with a lock held reads the connection itself: what it
 * reads past its reply it dispatches (client_bus.c), a callback among
 * them wakes the pump, and the short poll is the safety net. */
static void *pump(void *arg)
{
	bgcopy_engine *engine = arg;
	struct client *c = engine->client;
	struct pollfd pfd[2] = { { .events = POLLIN }, { .fd = c->wake_fd, .events = POLLIN } };
	int r;

	client_pump_thread_begin(c);
	pthread_mutex_lock(&c->bus_lock);
	pfd[0].fd = sd_bus_get_fd(c->bus);
	pthread_mutex_unlock(&c->bus_lock);
	while (!__atomic_load_n(&c->stopping, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&c->bus_lock);
		r = sd_bus_process(c->bus, NULL);
		if (r < 0) {
			client_read_failed(c, r);
			client_set_pump_reading(c, false);
		}
		/* A call's message not yet all written: POLLOUT too. */
		pfd[0].events = r < 0 ? POLLIN : (short)sd_bus_get_events(c->bus);
		pthread_mutex_unlock(&c->bus_lock);
		if (r < 0) {
			client_hook_connection_lost(engine);
			break;		/* the daemon has gone */
		}
		run_calls(engine);
		client_hook_deliver(engine);
		if (r == 0 && poll(pfd, 2, PUMP_POLL_MS) > 0 && (pfd[1].revents & POLLIN))
			woken(c);
	}
	pthread_mutex_lock(&c->bus_lock);
	client_set_pump_reading(c, false);
	pthread_mutex_unlock(&c->bus_lock);
	return NULL;
}

int client_pump_start(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	int r, status;

	r = sd_bus_add_object_vtable(c->bus, NULL, CLIENT_CALLBACK_PATH,
				     "org.bgcopy1.Callback", callback_vtable, c);
	if (r < 0)
		return set_error(BGCOPY_E_NOMEM, "cannot export the callback object: %s",
				 strerror(-r));
	status = client_mirror_watch(engine);	/* the other messages the pump reads */
	if (status == BGCOPY_OK)
		status = client_hook_watch(engine);
	if (status)
		return status;
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0) {
		client_hook_free(engine);
		return set_error(BGCOPY_E_NOMEM, "cannot make the client's eventfd: %s",
				 strerror(errno));
	}
	c->pump_started = c->pump_reading = true;
	if (pthread_create(&c->pump, NULL, pump, engine)) {
		c->pump_started = c->pump_reading = false;
		close(c->wake_fd);
		client_hook_free(engine);
		return set_error(BGCOPY_E_NOMEM, "cannot start the client's thread");
	}
	/* From here on this process's receipts are in the trace (if it is
	 * traced): what lets the checker miss one (CONTRACT.md section 7,
	 * C1-C3). */
	TRACE(client_open, engine->trace_id, trace_process_start(getpid()));
	return BGCOPY_OK;
}

/* Calls still queued are answered as failed: the daemon retries them. */
static void refuse_queued(struct client *c)
{
	struct client_call *call;

	while ((call = c->calls)) {
		c->calls = call->next;
		reply(c, call, -1);
	}
}

void client_pump_stop(bgcopy_engine *engine)
{
	struct client *c = engine->client;

	if (!c->pump_started)
		return;
	__atomic_store_n(&c->stopping, true, __ATOMIC_RELEASE);
	client_pump_wake(c);
	pthread_join(c->pump, NULL);
	refuse_queued(c);
	pthread_mutex_lock(&c->bus_lock);
	while (c->workers)
		pthread_cond_wait(&c->workers_done, &c->bus_lock);
	pthread_mutex_unlock(&c->bus_lock);
	refuse_queued(c);	/* read by a callback's own call meanwhile */
	c->pump_started = false;	/* no callback left to wake it */
	close(c->wake_fd);
	client_mirror_free(engine);
	client_hook_free(engine);
}

/* A job that went final in the daemon (cancelled or completed by
 * another program) has let go of its interface there: so does its
 * mirror, as the embedded engine does on that change. */
static void forget_if_final(bgcopy_job *job, int status)
{
	char why[512];
	bool final;

	snprintf(why, sizeof(why), "%s", bgcopy_last_error());
	engine_lock(job->engine);
	final = client_mirror_read(job, true) == BGCOPY_OK && state_is_final(job->state);
	engine_unlock(job->engine);
	if (final)
		client_drop_interface(job);
	set_error(status, "%s", why);
}

/* Registers locally first, so that a call the daemon makes at once
 * finds the interface; undone if the daemon refuses. */
int client_job_set_notify_interface(bgcopy_job *job, struct bgcopy_callback *cb)
{
	bgcopy_engine *engine = job->engine;
	struct notify_iface *ni = NULL, *old;
	char path[128];
	int status;

	if (cb && (!cb->ops || !cb->ops->add_ref || !cb->ops->release))
		return set_error(BGCOPY_E_INVALID_ARG,
				 "a notify interface needs add_ref and release");
	status = client_writable(job);
	if (status)
		return status;
	if (cb) {
		ni = xcalloc(1, sizeof(*ni));
		if (!ni)
			return BGCOPY_E_NOMEM;
		cb->ops->add_ref(cb);
		*ni = (struct notify_iface){ .cb = cb, .refs = 1 };
	}
	engine_lock(engine);
	old = job->iface;
	job->iface = ni;
	engine_unlock(engine);
	client_job_path(job->id, path, sizeof(path));
	status = client_callv(engine, path, "org.bgcopy1.Job", "SetNotifyInterface", NULL,
			      "o", cb ? CLIENT_CALLBACK_PATH : "/");
	/* A daemon gone calls nothing back: the change stands here, so that
	 * the interface it replaced is released. */
	if (status && !__atomic_load_n(&engine->client->lost, __ATOMIC_ACQUIRE)) {
		engine_lock(engine);
		if (job->iface == ni) {
			job->iface = old;	/* as it was */
			old = ni;		/* ours to drop */
		}	/* else replaced meanwhile: that call dropped `ni` */
		engine_unlock(engine);
	}
	if (old)
		iface_put(engine, old);
	if (status)
		forget_if_final(job, status);
	return status;
}

void client_drop_interface(bgcopy_job *job)
{
	struct notify_iface *ni;

	engine_lock(job->engine);
	ni = job->iface;
	job->iface = NULL;
	engine_unlock(job->engine);
	if (ni)
		iface_put(job->engine, ni);
}

void client_release_interfaces(bgcopy_engine *engine)
{
	for (bgcopy_job *job = engine->jobs; job; job = job->next)
		client_drop_interface(job);
}
