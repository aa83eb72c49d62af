/* Public verbs of notifications: flags, the notify interface, the command line, what is pending. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "client/client.h"
#include "internal.h"
#include "trace.h"

#define NOTIFY_VALID_FLAGS 0x1fu

int bgcopy_job_set_notify_flags(bgcopy_job *job, uint32_t flags)
{
	uint32_t old;
	int status;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	CLIENT_DISPATCH(job->engine, client_job_set_notify_flags(job, flags));
	status = api_enter(job, API_CHANGE);
	old = job->notify_flags;
	if (flags & ~NOTIFY_VALID_FLAGS)
		status = set_error(BGCOPY_E_INVALID_ARG,
				   "notify flags 0x%x have unknown bits 0x%x",
				   flags, flags & ~NOTIFY_VALID_FLAGS);
	/* Refused changes are traced too: the checker sees every attempt. */
	TRACE(flags_change, TRACE_JOB(job), old, flags, status);
	if (!status) {
		job->notify_flags = flags;
		notify_on_flags(job, old);
		job_touch(job);
		store_save_job(job);
	}
	return api_leave(job->engine, status);
}

/* A registration holding one reference to `cb` (taken here). */
static int new_registration(struct bgcopy_callback *cb, struct notify_iface **out)
{
	*out = NULL;
	if (!cb)
		return BGCOPY_OK;
	if (!cb->ops || !cb->ops->add_ref || !cb->ops->release)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "a notify interface needs add_ref and release");
	*out = xcalloc(1, sizeof(**out));
	if (!*out)
		return BGCOPY_E_NOMEM;
	cb->ops->add_ref(cb);
	(*out)->cb = cb;
	(*out)->refs = 1;
	return BGCOPY_OK;
}

int bgcopy_job_set_notify_interface(bgcopy_job *job, struct bgcopy_callback *cb)
{
	struct notify_iface *ni, *old;
	struct bgcopy_callback *release = NULL;
	uint64_t old_epoch;
	int status;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	CLIENT_DISPATCH(job->engine, client_job_set_notify_interface(job, cb));
	status = new_registration(cb, &ni);
	if (status)
		return status;
	status = api_enter(job, API_CHANGE);
	if (status) {
		status = api_leave(job->engine, status);
		if (ni) {
			cb->ops->release(cb);
			free(ni);
		}
		return status;
	}
	old = job->iface;
	old_epoch = job->epoch++;
	if (ni)
		ni->epoch = job->epoch;
	job->iface = ni;
	TRACE(interface_set, TRACE_JOB(job), old_epoch, job->epoch,
	      notify_iface_id(ni));
	notify_on_new_epoch(job);
	store_save_job(job);	/* epochs only grow, across restarts too */
	if (old)
		notify_iface_put_locked(job, old, &release);
	status = api_leave(job->engine, BGCOPY_OK);
	if (release)
		release->ops->release(release);
	return status;
}

int bgcopy_job_set_notify_cmdline(bgcopy_job *job, const char *const *argv)
{
	char **copy = NULL;
	char shown[1024];
	int status;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	CLIENT_DISPATCH(job->engine, client_job_set_notify_cmdline(job, argv));
	if (argv && argv[0]) {
		if (!*argv[0])
			return set_error(BGCOPY_E_INVALID_ARG,
					 "notify command line has an empty program");
		if (!(copy = argv_dup(argv)))
			return BGCOPY_E_NOMEM;
	}
	status = api_enter(job, API_CHANGE);
	if (status) {
		argv_free(copy);
		return api_leave(job->engine, status);
	}
	argv_free(job->cmdline);
	job->cmdline = copy;
	job->cmdline_gen++;
	if (!copy) {
		/* With no command line left to take them, notifications a
		 * callback once failed go back to the interface. */
		job->ob_transferred.via_cmdline = false;
		job->ob_error.via_cmdline = false;
	}
	argv_describe(copy, shown, sizeof(shown));
	job_property_changed(job, BGCOPY_TP_PROP_NOTIFY_CMDLINE, shown);
	wake_dispatchers(job->engine);
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_set_notify_cmdline_timeout(bgcopy_job *job, uint32_t seconds)
{
	char ms[32];

	CLIENT_DISPATCH(job ? job->engine : NULL,
			client_job_set_number(job, CLIENT_PROP_CMDLINE_TIMEOUT, seconds));
	API_ENTER(job, API_CHANGE);
	if (seconds == 0)
		return api_leave(job->engine, set_error(BGCOPY_E_INVALID_ARG,
				 "a command line's time limit is at least 1 second"));
	job->cmdline_timeout_s = seconds;
	/* Milliseconds, as the trace gives every other duration. */
	snprintf(ms, sizeof(ms), "%llu", seconds * 1000ull);
	job_property_changed(job, BGCOPY_TP_PROP_CMDLINE_TIMEOUT, ms);
	return api_leave(job->engine, BGCOPY_OK);
}

uint32_t bgcopy_job_get_notify_cmdline_timeout(bgcopy_job *job)
{
	uint32_t seconds = 0;	/* a client engine's bgcopyd is gone */

	if (api_enter(job, API_READ) == BGCOPY_OK)
		seconds = job->cmdline_timeout_s;
	api_leave_read(job->engine);
	return seconds;
}

/* "" when a client engine's bgcopyd is gone, as when none is set. */
void bgcopy_job_get_notify_cmdline(bgcopy_job *job, char *out, size_t size)
{
	bool read = api_enter(job, API_READ) == BGCOPY_OK;

	argv_join(read ? job->cmdline : NULL, out, size);
	api_leave_read(job->engine);
}

void bgcopy_job_get_notify_cmdline_summary(bgcopy_job *job, char *out, size_t size)
{
	bool read = api_enter(job, API_READ) == BGCOPY_OK;

	argv_describe(read ? job->cmdline : NULL, out, size);
	api_leave_read(job->engine);
}

int bgcopy_job_get_notify_cmdline_arg(bgcopy_job *job, unsigned index, char *out,
				      size_t size)
{
	unsigned n = 0;
	int status = BGCOPY_OK;

	if (!job || !out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	status = api_enter(job, API_READ);
	while (status == BGCOPY_OK && job->cmdline && job->cmdline[n] && n < index)
		n++;
	if (status != BGCOPY_OK)
		*out = '\0';
	else if (job->cmdline && job->cmdline[n])
		snprintf(out, size, "%s", job->cmdline[n]);
	else
		status = set_error(BGCOPY_E_NOT_FOUND, "the command line of job %s has "
				   "no word %u", job->id, index);
	api_leave_read(job->engine);
	return status;
}

uint32_t bgcopy_job_get_pending_notifications(bgcopy_job *job)
{
	uint32_t pending = 0;

	/* Not announced: each delivery changes it (docs/bgcopyd.md). */
	if (api_enter(job, API_READ_LIVE) != BGCOPY_OK) {
		api_leave_read(job->engine);
		return 0;
	}
	if (job->ob_transferred.armed)
		pending |= BGCOPY_NOTIFY_JOB_TRANSFERRED;
	if (job->ob_error.armed)
		pending |= BGCOPY_NOTIFY_JOB_ERROR;
	if (job->ob_modification.armed)
		pending |= BGCOPY_NOTIFY_JOB_MODIFICATION;
	if (job->file_queue_len)
		pending |= BGCOPY_NOTIFY_FILE_TRANSFERRED;
	api_leave_read(job->engine);
	return pending;
}

/* BITS' SetNotifyCLSID: a well-known name, never a connection's unique
 * one (":1.5"), which no bus could activate. */
int bgcopy_job_set_notify_service(bgcopy_job *job, const char *name)
{
	char *copy = NULL;
	int status;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (name && *name && (name[0] == ':' || sd_bus_service_name_is_valid(name) <= 0))
		return set_error(BGCOPY_E_INVALID_ARG, "'%s' is not a well-known D-Bus name "
				 "(like org.example.App)", name);
	CLIENT_DISPATCH(job->engine, client_job_set_notify_service(job, name));
	if (name && *name && !(copy = xstrdup(name)))
		return BGCOPY_E_NOMEM;
	status = api_enter(job, API_CHANGE);
	if (status) {
		free(copy);
		return api_leave(job->engine, status);
	}
	free(job->notify_service);
	job->notify_service = copy;
	job_property_changed(job, BGCOPY_TP_PROP_NOTIFY_SERVICE, copy ? copy : "");
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_get_notify_service(bgcopy_job *job, char *out, size_t size)
{
	int status = BGCOPY_OK;

	if (!job || !out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	*out = '\0';
	status = api_enter(job, API_READ_LIVE);
	if (status == BGCOPY_OK &&
	    (size_t)snprintf(out, size, "%s", job->notify_service ? job->notify_service : "") >=
	    size)
		status = set_error(BGCOPY_E_LIMIT, "the notify service of job %s is longer than "
				   "%zu bytes", job->id, size - 1);
	api_leave_read(job->engine);
	return status;
}

int bgcopy_callback_forward(int32_t to, struct bgcopy_callback_attempt *out)
{
	if (!out)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "bgcopy_callback_forward() needs an out pointer");
	return notify_forward_running(to, out);
}
