/* bgcopyd: one accepted client connection, its sd_bus and its credentials. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

static void peer_link(struct daemon *d, struct peer *p)
{
	p->next = d->peers;
	if (d->peers)
		d->peers->prev = p;
	d->peers = p;
	d->npeers++;
	idle_update(d);
}

void peer_free(struct peer *p)
{
	struct daemon *d = p->daemon;

	if (p->prev)
		p->prev->next = p->next;
	else if (d->peers == p)
		d->peers = p->next;
	if (p->next)
		p->next->prev = p->prev;
	d->npeers--;
	bus_callback_peer_gone(p);
	sd_bus_flush_close_unref(p->bus);
	free(p);
	idle_update(d);
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	(void)m;
	(void)error;
	peer_free(userdata);
	return 0;
}

/* A client built for a bus (busctl) waits for the answer to its Hello
 * and takes any other message first for a broken connection (sd-bus:
 * EIO): nothing unasked is sent to a peer before its first message. */
static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;

	(void)m, (void)error;
	p->spoke = true;
	return 0;
}

/* Clients built for a bus (busctl, sd_bus_open with an address,
 * dbus-monitor) say Hello first and wait for a unique name: each
 * connection is given one, as a bus would. */
static int method_hello(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;
	char name[32];

	(void)error;
	snprintf(name, sizeof(name), ":1.%llu", (unsigned long long)p->serial);
	return sd_bus_reply_method_return(m, "s", name);
}

/* Every change signal a peer may see is sent to it (job_watch.c): a
 * match rule filters nothing here, and is accepted so that tools that
 * add one before listening (dbus-monitor) work. */
static int method_match(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	(void)userdata;
	(void)error;
	return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable bus_compat_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("Hello", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", unique_name),
				method_hello, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("AddMatch", SD_BUS_ARGS("s", rule), SD_BUS_NO_RESULT,
				method_match, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("RemoveMatch", SD_BUS_ARGS("s", rule), SD_BUS_NO_RESULT,
				method_match, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

/* Get and GetAll of a job answer after the changes queued so far are
 * announced (job_watch_catch_up). */
static int before_reading_a_job(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *path = sd_bus_message_get_path(m);
	struct peer *p = userdata;

	(void)error;
	if (path && !strncmp(path, BGCOPYD_JOB_PREFIX "/", sizeof(BGCOPYD_JOB_PREFIX)) &&
	    sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", NULL))
		job_watch_catch_up(p->daemon);
	return 0;
}

/* Takes `fd` over.  The server side of a peer-to-peer connection: the client authenticates
 * with its uid (EXTERNAL), never anonymously; sd-bus checks no
 * privileges of its own (the methods are unprivileged): owner isolation
 * is ours, with the uid SO_PEERCRED gave at accept. */
static int peer_bus_setup(struct peer *p, int fd)
{
	sd_id128_t id;
	int r;

	r = sd_id128_randomize(&id);
	if (r >= 0)
		r = sd_bus_new(&p->bus);
	if (r >= 0)
		r = sd_bus_set_fd(p->bus, fd, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	if ((r = sd_bus_set_server(p->bus, 1, id)) < 0 ||
	    (r = sd_bus_set_anonymous(p->bus, 0)) < 0 ||
	    (r = sd_bus_set_trusted(p->bus, 0)) < 0 ||
	    (r = sd_bus_add_filter(p->bus, NULL, on_message, p)) < 0 ||
	    (r = sd_bus_match_signal(p->bus, NULL, NULL, "/org/freedesktop/DBus/Local",
				     "org.freedesktop.DBus.Local", "Disconnected",
				     on_disconnected, p)) < 0 ||
	    (r = sd_bus_add_filter(p->bus, NULL, before_reading_a_job, p)) < 0 ||
	    (r = sd_bus_add_object_vtable(p->bus, NULL, "/org/freedesktop/DBus",
					  "org.freedesktop.DBus", bus_compat_vtable, p)) < 0 ||
	    (r = bus_manager_register(p)) < 0 ||
	    (r = bus_job_register(p)) < 0 ||
	    (r = bus_job_tls_register(p)) < 0 ||
	    (r = sd_bus_start(p->bus)) < 0)
		return r;
	return sd_bus_attach_event(p->bus, p->daemon->event, SD_EVENT_PRIORITY_NORMAL);
}

/* Takes `fd` over, closed on failure. */
int peer_accept(struct daemon *d, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct peer *p;
	int r;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		fprintf(stderr, "bgcopyd: a client's credentials are unreadable: %s\n",
			strerror(errno));
		close(fd);
		return -errno;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		fputs("bgcopyd: out of memory for a client\n", stderr);
		close(fd);
		return -ENOMEM;
	}
	*p = (struct peer){ .daemon = d, .uid = cred.uid, .pid = cred.pid,
			    .serial = ++d->connections };
	r = peer_bus_setup(p, fd);
	peer_link(d, p);
	if (r < 0) {
		/* A client that hung up at once (a liveness probe) is no failure. */
		if (r != -ECONNRESET && r != -EPIPE && r != -ENOTCONN)
			fprintf(stderr, "bgcopyd: cannot serve pid %ld (uid %u): %s\n",
				(long)p->pid, (unsigned)p->uid, strerror(-r));
		peer_free(p);
	}
	return r;
}
