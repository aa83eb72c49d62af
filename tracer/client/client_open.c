/* Client mode: opening a client engine (connect to the store's daemon, or start it) and closing it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "trace.h"

/* A connection to the daemon on `socket`, or -errno (ENOENT,
 * ECONNREFUSED: nobody listens). */
static int connect_bus(const char *socket, sd_bus **out)
{
	char address[160];
	sd_bus *bus = NULL;
	int r;

	snprintf(address, sizeof(address), "unix:path=%s", socket);
	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		sd_bus_unref(bus);
		return r;
	}
	*out = bus;
	return 0;
}

static bool nobody_listens(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED;
}

/* bgcopyd --system, on its socket once trusted; never started here. */
static int connect_system(struct client *c)
{
	int r, status = client_system_socket(c->socket, sizeof(c->socket));

	if (status)
		return status;
	r = connect_bus(c->socket, &c->bus);
	if (r >= 0)
		return BGCOPY_OK;
	if (nobody_listens(r))
		return client_no_system_daemon(c->socket);
	return set_error(BGCOPY_E_IO, "cannot connect to the system bgcopyd on '%s': %s",
			 c->socket, strerror(-r));
}

/* Connects to the store's daemon, starting one first with `start`.
 * CLIENT_NO_DAEMON when none serves it and none may (or can) be
 * started because another process holds the store. */
static int connect_daemon(bgcopy_engine *engine, struct client *c, bool start)
{
	int r, status;

	status = client_socket_path(engine->store_dir, c->socket, sizeof(c->socket));
	if (status)
		return start ? status : CLIENT_NO_DAEMON;
	r = connect_bus(c->socket, &c->bus);
	if (r >= 0)
		return BGCOPY_OK;
	if (!nobody_listens(r))
		return set_error(BGCOPY_E_IO, "cannot connect to bgcopyd on '%s': %s",
				 c->socket, strerror(-r));
	if (!start)
		return CLIENT_NO_DAEMON;
	status = client_start_daemon(engine->store_dir, c->socket, &engine->opt);
	if (status)
		return status;
	r = connect_bus(c->socket, &c->bus);
	return r >= 0 ? BGCOPY_OK : set_error(BGCOPY_E_IO, "bgcopyd started but does not "
					      "answer on '%s': %s", c->socket, strerror(-r));
}

/* A traced process (bgcopy record) wants the daemon's events of its jobs
 * in its trace: the daemon loads its tracepoint provider for it and
 * answers once a session records it, within BGCOPY_TRACE_WAIT_MS.  A
 * process that no session records itself does not wait for that answer.
 * Without the daemon's events the trace lacks those jobs, which is no
 * reason to fail the call. */
static void ask_for_tracing(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	bool wait;
	int r;

	if (!trace_loaded())
		return;
	wait = trace_recording();
	pthread_mutex_lock(&c->bus_lock);
	r = sd_bus_message_new_method_call(c->bus, &m, NULL, "/org/bgcopy1",
					   "org.bgcopy1.Manager", "EnableTracing");
	if (r >= 0 && !wait)
		r = sd_bus_message_set_expect_reply(m, 0);
	if (r >= 0)
		r = wait ? sd_bus_call(c->bus, m, (BGCOPY_TRACE_WAIT_MS + 5000) * 1000ull,
				       &e, NULL) : sd_bus_send(c->bus, m, NULL);
	pthread_mutex_unlock(&c->bus_lock);
	if (r < 0)
		fprintf(stderr, "bgcopy: bgcopyd on '%s' does not trace this process's "
			"jobs: %s\n", c->socket, sd_bus_error_is_set(&e) ? e.message :
			strerror(-r));
	sd_bus_error_free(&e);
	client_message_unref(engine, m);	/* the pump runs: under bus_lock */
}

static void free_client(struct client *c)
{
	sd_bus_flush_close_unref(c->bus);
	pthread_cond_destroy(&c->replied);
	pthread_cond_destroy(&c->workers_done);
	pthread_mutex_destroy(&c->bus_lock);
	free(c);
}

/* BGCOPY_OK with engine->client set, CLIENT_NO_DAEMON, or a failure. */
int client_open(bgcopy_engine *engine, enum client_reach reach)
{
	struct client *c = xcalloc(1, sizeof(*c));
	int status;

	if (!c)
		return BGCOPY_E_NOMEM;
	c->engine = engine;
	if (pthread_mutex_init(&c->bus_lock, NULL))
		goto no_lock;
	if (pthread_cond_init(&c->workers_done, NULL))
		goto no_workers_done;
	if (pthread_cond_init(&c->replied, NULL))
		goto no_replied;
	status = reach == CLIENT_SYSTEM ? connect_system(c) :
		 connect_daemon(engine, c, reach == CLIENT_START);
	if (status == BGCOPY_OK) {
		/* In place before the pump's first event (begun at the open). */
		trace_load();
		engine->client = c;
		status = client_options_check(engine);
		if (status == BGCOPY_OK)
			status = client_pump_start(engine);
		if (status == BGCOPY_OK) {
			ask_for_tracing(engine);
			return BGCOPY_OK;
		}
		engine->client = NULL;
	}
	free_client(c);
	return status;
no_replied:
	pthread_cond_destroy(&c->workers_done);
no_workers_done:
	pthread_mutex_destroy(&c->bus_lock);
no_lock:
	free(c);
	return set_error(BGCOPY_E_NOMEM, "cannot create the connection lock");
}

/* No thread but the caller's is left in the engine. */
void client_close(bgcopy_engine *engine)
{
	struct client *c = engine->client;

	assert(c);
	client_pump_stop(engine);
	client_release_interfaces(engine);
	free_client(c);
	engine->client = NULL;
}
