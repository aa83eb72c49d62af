/* Client mode: the change hook, told by the pump of every change bgcopyd announces, in the daemon's order. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

/* Past this many records the hook has not taken, they are dropped and
 * the hook is told so, then given every job's state again (a hook that
 * keeps the pump waiting must not make it allocate without bound). */
#define RECORDS_MAX 4096

/* What one change signal (or a listing's line) tells the hook. */
struct hook_record {
	char id[37];
	unsigned what;			/* BGCOPY_CHANGE_*: one call each */
	enum bgcopy_state state;	/* with BGCOPY_CHANGE_STATE */
	bool has_owner;			/* the signal names the owner */
	uint32_t owner;
	bool listed;			/* from the listing of a resync */
};

static const char *const progress_names[] = {
	"BytesTransferred", "BytesTotal", "FilesTransferred", "FilesTotal", "Files",
};

/* BGCOPY_CHANGE_PROGRESS for the progress (and the files it goes with,
 * daemon.h), BGCOPY_CHANGE_PROPERTY for any other property. */
static unsigned kind_of(const char *name)
{
	for (size_t i = 0; i < sizeof(progress_names) / sizeof(progress_names[0]); i++)
		if (!strcmp(name, progress_names[i]))
			return BGCOPY_CHANGE_PROGRESS;
	return BGCOPY_CHANGE_PROPERTY;
}

/* False when `name` is no state's name. */
static bool state_of(const char *name, enum bgcopy_state *out)
{
	for (int s = BGCOPY_QUEUED; s <= BGCOPY_CANCELLED; s++)
		if (!strcmp(name, bgcopy_state_name(s))) {
			*out = s;
			return true;
		}
	return false;
}

static void drop_records(struct client *c)
{
	free(c->records);
	c->records = NULL;
	c->nrecords = c->records_cap = 0;
}

/* Appends one record; past RECORDS_MAX (or out of memory) every record
 * goes and a resync is asked for.  bus_lock held. */
static void push(struct client *c, const struct hook_record *rec)
{
	struct hook_record *grown = NULL;
	size_t cap;

	if (c->nrecords == c->records_cap) {
		cap = c->records_cap ? 2 * c->records_cap : 64;
		if (cap <= RECORDS_MAX)
			grown = realloc(c->records, cap * sizeof(*grown));
		if (!grown) {
			drop_records(c);
			c->hook_lost = c->hook_resync = true;
			return;
		}
		c->records = grown;
		c->records_cap = cap;
	}
	c->records[c->nrecords++] = *rec;
}

/* One a{sv} entry of a PropertiesChanged, already entered, into `rec`. */
static int read_entry(sd_bus_message *m, struct hook_record *rec)
{
	const char *name, *value;
	int r = sd_bus_message_read(m, "s", &name);

	if (r < 0)
		return r;
	if (!strcmp(name, "State")) {
		r = sd_bus_message_read(m, "v", "s", &value);
		if (r >= 0 && state_of(value, &rec->state))
			rec->what |= BGCOPY_CHANGE_STATE;
		return r;
	}
	if (!strcmp(name, "Owner")) {
		r = sd_bus_message_read(m, "v", "u", &rec->owner);
		rec->has_owner = r >= 0;
		return r;
	}
	rec->what |= kind_of(name);
	return sd_bus_message_skip(m, "v");
}

/* A job's PropertiesChanged as a record: which kinds of change it
 * announces, the state it enters.  Negative when malformed. */
static int read_signal(sd_bus_message *m, struct hook_record *rec)
{
	const char *iface, *name;
	int r = sd_bus_message_rewind(m, true);

	if (r >= 0)
		r = sd_bus_message_read(m, "s", &iface);
	if (r >= 0 && strcmp(iface, "org.bgcopy1.Job"))
		return -EBADMSG;
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r > 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = read_entry(m, rec);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		if (r >= 0)
			r = 1;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "s");
	while (r > 0 && (r = sd_bus_message_read(m, "s", &name)) > 0)
		rec->what |= kind_of(name);
	/* A new owner is a property; named with a state, the job was just
	 * created (job_watch.c), which is the state entry alone. */
	if (rec->has_owner && !(rec->what & BGCOPY_CHANGE_STATE))
		rec->what |= BGCOPY_CHANGE_PROPERTY;
	return r;
}

/* Every job's PropertiesChanged, whichever thread reads it (bus_lock
 * held, in the connection's order): a record for the pump, unless no
 * hook wants it or the listing a resync waits for will cover it. */
static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct client *c = userdata;
	struct hook_record rec = { 0 };
	const char *path = sd_bus_message_get_path(m);
	uint64_t cookie;

	(void)error;
	if (!c->hook_on || c->hook_resync || !path || !client_job_id(path, rec.id) ||
	    sd_bus_message_get_cookie(m, &cookie) < 0 || cookie <= c->hook_from)
		return 0;
	if (read_signal(m, &rec) >= 0 && rec.what) {
		push(c, &rec);
		client_pump_wake(c);
	}
	return 0;
}

int client_hook_watch(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	int r;

	c->uid = geteuid();
	if (pthread_mutex_init(&c->hook_lock, NULL))
		return set_error(BGCOPY_E_NOMEM, "cannot create the change hook's lock");
	r = sd_bus_add_match(c->bus, NULL, "type='signal',"
			     "interface='org.freedesktop.DBus.Properties',"
			     "member='PropertiesChanged',path_namespace='/org/bgcopy1/job'",
			     on_properties_changed, c);
	if (r >= 0)
		return BGCOPY_OK;
	pthread_mutex_destroy(&c->hook_lock);
	return set_error(BGCOPY_E_NOMEM, "cannot watch bgcopyd's change signals: %s",
			 strerror(-r));
}

/* The listing every change from now on continues (the daemon lists the
 * states it last announced, bus_manager.c): a record for each job, the
 * older signals' records dropped.  bus_lock held. */
static int resync(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct hook_record rec;
	const char *id, *name, *state, *path;
	uint32_t owner;
	int r, status;

	r = sd_bus_call_method(c->bus, NULL, "/org/bgcopy1", "org.bgcopy1.Manager",
			       engine->opt.flags & BGCOPY_OPEN_ALL_USERS ? "ListAllUsersJobs" :
			       "ListJobs", &e, &reply, "");
	if (r < 0) {
		client_note_lost(c);
		status = client_check_open(c);
		if (status == BGCOPY_OK)
			status = set_error(BGCOPY_E_IO, "bgcopyd did not list its jobs for the "
					   "change hook: %s", e.message ? e.message : strerror(-r));
		sd_bus_error_free(&e);
		return status;
	}
	r = sd_bus_message_get_cookie(reply, &c->hook_from);
	drop_records(c);
	c->hook_resync = false;
	if (c->hook_lost)
		push(c, &(struct hook_record){ .what = BGCOPY_CHANGE_LOST });
	c->hook_lost = false;
	if (r >= 0)
		r = sd_bus_message_enter_container(reply, 'a', "(sssuo)");
	while (r > 0 && (r = sd_bus_message_read(reply, "(sssuo)", &id, &name, &state,
						  &owner, &path)) > 0) {
		rec = (struct hook_record){ .what = BGCOPY_CHANGE_STATE, .listed = true };
		snprintf(rec.id, sizeof(rec.id), "%s", id);
		if (state_of(state, &rec.state))
			push(c, &rec);
	}
	sd_bus_message_unref(reply);
	return r < 0 ? set_error(BGCOPY_E_IO, "bgcopyd sent a malformed job list: %s",
				 strerror(-r)) : BGCOPY_OK;
}

/* A job this engine lists: its own, or every user's with
 * BGCOPY_OPEN_ALL_USERS (the daemon shows root every job). */
static bool in_scope(const struct client *c, const struct hook_record *rec)
{
	return (c->engine->opt.flags & BGCOPY_OPEN_ALL_USERS) || rec->owner == (uint32_t)c->uid;
}

/* The job a record is about, and the state it is in; NULL for a job the
 * hook does not follow: one final when listed (the engine lists it no
 * more), or first seen in a signal other than its creation's (State and
 * Owner: job_watch.c) or of another owner.  The engine lock held. */
static bgcopy_job *job_of(bgcopy_engine *engine, const struct hook_record *rec,
			  enum bgcopy_state *state)
{
	bgcopy_job *job = client_mirror_of(engine, rec->id);

	if (!job || !job->hook_known) {
		if (rec->listed ? state_is_final(rec->state) :
		    !(rec->what & BGCOPY_CHANGE_STATE) || !rec->has_owner ||
		    !in_scope(engine->client, rec))
			return NULL;
		if (!job && !(job = client_mirror_add(engine, rec->id)))
			return NULL;
		job->hook_known = true;
	}
	if (rec->what & BGCOPY_CHANGE_STATE)
		job->hook_state = rec->state;
	*state = job->hook_state;
	return job;
}

/* One call per kind of change, the state first.  hook_lock held. */
static void call_hook(bgcopy_engine *engine, const struct hook_record *rec)
{
	static const unsigned kinds[] = {
		BGCOPY_CHANGE_STATE, BGCOPY_CHANGE_PROGRESS, BGCOPY_CHANGE_PROPERTY,
	};
	struct client *c = engine->client;
	enum bgcopy_state state = BGCOPY_QUEUED;
	bgcopy_job *job;

	if (rec->what == BGCOPY_CHANGE_LOST) {
		c->hook(NULL, BGCOPY_CHANGE_LOST, state, c->hook_data);
		return;
	}
	engine_lock(engine);
	if ((job = job_of(engine, rec, &state)))
		job_pin(job);	/* the hook may forget it, and is called again */
	engine_unlock(engine);
	if (!job)
		return;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (rec->what & kinds[i])
			c->hook(job, kinds[i], state, c->hook_data);
	engine_lock(engine);
	job_unpin(job);
	engine_unlock(engine);
}

/* The pump: the records so far, to the hook that was set when they were
 * taken (hook_lock held throughout, so that set_change_hook waits). */
void client_hook_deliver(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	struct hook_record *records;
	bool reading;
	size_t n;

	pthread_mutex_lock(&c->hook_lock);
	pthread_mutex_lock(&c->bus_lock);
	if (c->hook_on && c->hook_resync && client_check_open(c) == BGCOPY_OK)
		resync(engine);
	records = c->records;
	n = c->nrecords;
	c->records = NULL;
	c->nrecords = c->records_cap = 0;
	reading = c->pump_reading;
	if (n && c->hook)
		client_set_pump_reading(c, false);
	pthread_mutex_unlock(&c->bus_lock);
	for (size_t i = 0; c->hook && i < n; i++)
		call_hook(engine, &records[i]);
	if (n && c->hook) {
		pthread_mutex_lock(&c->bus_lock);
		client_set_pump_reading(c, reading);
		pthread_mutex_unlock(&c->bus_lock);
	}
	pthread_mutex_unlock(&c->hook_lock);
	free(records);
}

/* The daemon has gone: what it announced before goes to the hook, then
 * BGCOPY_CHANGE_LOST, and nothing after. */
void client_hook_connection_lost(bgcopy_engine *engine)
{
	struct client *c = engine->client;

	client_hook_deliver(engine);
	pthread_mutex_lock(&c->hook_lock);
	if (c->hook)
		c->hook(NULL, BGCOPY_CHANGE_LOST, BGCOPY_QUEUED, c->hook_data);
	pthread_mutex_unlock(&c->hook_lock);
}

int client_set_change_hook(bgcopy_engine *engine, bgcopy_change_hook hook, void *data)
{
	struct client *c = engine->client;
	int status = client_check_open(c);

	if (status)
		return status;
	if (pthread_equal(pthread_self(), c->pump))
		return set_error(BGCOPY_E_INVALID_STATE, "the change hook cannot be changed "
				 "from inside a change hook");
	pthread_mutex_lock(&c->hook_lock);	/* the previous one has returned */
	pthread_mutex_lock(&c->bus_lock);
	drop_records(c);
	c->hook_on = hook != NULL;
	c->hook_resync = c->hook_lost = false;
	/* It starts from every job's state, listed now: a job created once
	 * this returns reaches it from its creation. */
	if (hook && (status = resync(engine)) != BGCOPY_OK) {
		c->hook_on = false;
		drop_records(c);
	}
	pthread_mutex_unlock(&c->bus_lock);
	c->hook = status == BGCOPY_OK ? hook : NULL;
	c->hook_data = data;
	pthread_mutex_unlock(&c->hook_lock);
	client_pump_wake(c);	/* to take what was read meanwhile */
	return status;
}

/* Once the pump has stopped. */
void client_hook_free(bgcopy_engine *engine)
{
	struct client *c = engine->client;

	drop_records(c);
	pthread_mutex_destroy(&c->hook_lock);
}
