/* bgcopyd: the well-known name org.bgcopy1 on the session bus (or the system bus with --system), serving the socket's objects there too. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/*
 * Where a bus exists the daemon also takes org.bgcopy1 on it, as a
 * service on the bus.  Its callers are the daemon's user on a session
 * bus, and root alone on the system bus (the policy file make install
 * puts in share/dbus-1/system.d lets no one else send to the name), so
 * the bus is one peer with that uid, and a call from any other uid is
 * refused whatever the bus lets through.  Clients still use the socket:
 * change signals and notify interfaces are the socket's.  A daemon with
 * no bus runs on the socket alone, and its jobs' notify services are
 * not called (notify_service.c says so once).
 */
/* Whatever the bus's policy says, only the peer's uid (or root) is
 * served: the objects below trust p->uid. */
static int check_sender(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct peer *p = userdata;
	sd_bus_creds *creds = NULL;
	uid_t uid = (uid_t)-1;

	(void)error;
	if (!sd_bus_message_is_method_call(m, NULL, NULL))
		return 0;
	if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds) >= 0)
		sd_bus_creds_get_euid(creds, &uid);
	sd_bus_creds_unref(creds);
	if (uid == p->uid || uid == 0)
		return 0;
	sd_bus_reply_method_errorf(m, SD_BUS_ERROR_ACCESS_DENIED,
				   "bgcopyd serves uid %u on this bus, not uid %d: use its socket",
				   (unsigned)p->uid, uid == (uid_t)-1 ? -1 : (int)uid);
	return 1;
}

static int serve_on(struct daemon *d, sd_bus *bus)
{
	struct peer *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	*p = (struct peer){ .daemon = d, .bus = bus, .uid = d->system ? 0 : d->uid };
	if ((r = sd_bus_add_filter(bus, NULL, check_sender, p)) < 0 ||
	    (r = bus_manager_register(p)) < 0 || (r = bus_job_register(p)) < 0 ||
	    (r = bus_job_tls_register(p)) < 0 ||
	    (r = sd_bus_request_name(bus, BGCOPYD_BUS_NAME, 0)) < 0 ||
	    (r = sd_bus_attach_event(bus, d->event, SD_EVENT_PRIORITY_NORMAL)) < 0) {
		free(p);
		return r;
	}
	d->bus_peer = p;
	return 0;
}

/* Never fails the daemon: what is missing is said on one line. */
void bus_name_open(struct daemon *d)
{
	sd_bus *bus = NULL;
	int r;

	r = d->system ? sd_bus_open_system(&bus) : sd_bus_open_user(&bus);
	d->bus_errno = r < 0 ? -r : 0;
	if (r < 0)
		return;		/* said when a job names a service (notify_service.c) */
	r = serve_on(d, bus);
	if (r < 0) {
		fprintf(stderr, "bgcopyd: cannot own %s on the %s bus (%s): serving the "
			"socket alone\n", BGCOPYD_BUS_NAME, d->system ? "system" : "session", strerror(-r));
		sd_bus_flush_close_unref(bus);
	}
}

void bus_name_close(struct daemon *d)
{
	struct peer *p = d->bus_peer;

	if (!p)
		return;
	bus_callback_peer_gone(p);
	sd_bus_flush_close_unref(p->bus);
	free(p);
	d->bus_peer = NULL;
}
