/* An activatable D-Bus service for tests: takes a name, exports org.bgcopy1.Callback and logs each call it gets to a file. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "bgcopy.h"

/*
 * notify_receiver NAME LOG [FAILURES [unseen]]
 *
 * Owns NAME on the bus that activated it (DBUS_STARTER_ADDRESS, else the
 * session bus) and answers every org.bgcopy1.Callback method at
 * /org/bgcopy1/callback: 0 after appending "MEMBER JOB-ID" to LOG, or,
 * for the first FAILURES calls, an error after appending
 * "MEMBER JOB-ID failed".  Before each such line it appends "caller uid
 * UID" (who made the call, as the bus says) and "caller env NAMES" (the
 * names in the caller's environment, as far as /proc lets this uid read
 * it, "?" where it does not), and when it starts "started
 * uid UID on the TYPE bus" (DBUS_STARTER_BUS_TYPE), so that tests see who
 * called and who was activated where.  It traces what it receives and
 * answers as a notify service should (bgcopy_callback_received and
 * _returned, when BGCOPY_TRACE loads the provider); "unseen" makes it a
 * broken one, which answers 0 and traces no receipt: the checker must
 * call that "acknowledged but never received".  Exits when the bus goes
 * away.
 */
struct receiver {
	const char *log;
	unsigned long failures;
	bool unseen;		/* answers without tracing its receipts */
};

/* The caller's effective uid, or -1 when the bus does not say. */
static long caller_uid(sd_bus_message *m)
{
	sd_bus_creds *creds = NULL;
	uid_t uid;
	long found = -1;

	if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds) >= 0 &&
	    sd_bus_creds_get_euid(creds, &uid) >= 0)
		found = (long)uid;
	sd_bus_creds_unref(creds);
	return found;
}

/* "NAME NAME ..." of the caller's environment, in order; "?" unreadable. */
static void caller_env(sd_bus_message *m, char *out, size_t size)
{
	sd_bus_creds *creds = NULL;
	char path[64], buf[8192];
	size_t len = 0, used = 0;
	pid_t pid;
	FILE *f = NULL;

	snprintf(out, size, "?");
	if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_PID, &creds) >= 0 &&
	    sd_bus_creds_get_pid(creds, &pid) >= 0) {
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
		f = fopen(path, "r");
	}
	sd_bus_creds_unref(creds);
	if (!f)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	out[0] = '\0';
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		size_t name = strcspn(buf + i, "=");

		used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%.*s",
					 used ? " " : "", (int)name, buf + i);
	}
}

/* The call's arguments after the job's id, as the receipt to trace. */
static int read_receipt(sd_bus_message *m, struct bgcopy_callback_receipt *rc)
{
	uint32_t index = 0;
	int r = 0;

	rc->member = sd_bus_message_get_member(m);
	if (!strcmp(rc->member, "JobError"))
		r = sd_bus_message_skip(m, "(iiiiis)");
	else if (!strcmp(rc->member, "FileTransferred"))
		r = sd_bus_message_read(m, "u", &index);
	rc->file_index = (int32_t)index;
	if (r >= 0)
		r = sd_bus_message_read(m, "(ttu)", &rc->attempt.engine, &rc->attempt.arming,
					&rc->attempt.attempt);
	return r;
}

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct receiver *rcv = userdata;
	struct bgcopy_callback_receipt rc = { 0 };
	bool fail = rcv->failures > 0;
	char env[1024];
	long caller;
	FILE *log;

	if (!sd_bus_message_is_method_call(m, "org.bgcopy1.Callback", NULL))
		return 0;	/* sd-bus answers the standard interfaces */
	if (sd_bus_message_read(m, "s", &rc.job) < 0 || read_receipt(m, &rc) < 0)
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
					"not the arguments of org.bgcopy1.Callback");
	if (!rcv->unseen && bgcopy_callback_received(&rc) != BGCOPY_OK)
		fprintf(stderr, "notify_receiver: %s\n", bgcopy_last_error());
	caller = caller_uid(m);
	caller_env(m, env, sizeof(env));
	log = fopen(rcv->log, "a");
	if (log) {
		fprintf(log, "caller uid %ld\ncaller env %s\n%s %s%s\n", caller, env,
			rc.member, rc.job, fail ? " failed" : "");
		fclose(log);
	}
	if (!log || fail) {
		if (!rcv->unseen)
			bgcopy_callback_returned(&rc, -1);
		if (!log)
			return sd_bus_error_set_errnof(error, errno, "cannot open %s", rcv->log);
		rcv->failures--;
		return sd_bus_error_set(error, "org.bgcopy1.Test.Failed", "told to fail");
	}
	if (!rcv->unseen)
		bgcopy_callback_returned(&rc, 0);
	return sd_bus_reply_method_return(m, "i", 0);
}

static int connect_bus(sd_bus **bus)
{
	const char *starter = getenv("DBUS_STARTER_ADDRESS");
	int r;

	if (!starter)
		return sd_bus_open_user(bus);
	r = sd_bus_new(bus);
	if (r >= 0)
		r = sd_bus_set_address(*bus, starter);
	if (r >= 0)
		r = sd_bus_set_bus_client(*bus, 1);
	return r >= 0 ? sd_bus_start(*bus) : r;
}

static int log_start(const char *path)
{
	const char *type = getenv("DBUS_STARTER_BUS_TYPE");
	FILE *log = fopen(path, "a");

	if (!log)
		return -errno;
	fprintf(log, "started uid %u on the %s bus\n", (unsigned)getuid(), type ? type : "session");
	return fclose(log) == 0 ? 0 : -errno;
}

int main(int argc, char **argv)
{
	struct receiver rcv;
	sd_bus *bus = NULL;
	int r;

	if (argc < 3 || argc > 5 || (argc == 5 && strcmp(argv[4], "unseen"))) {
		fputs("usage: notify_receiver NAME LOG [FAILURES [unseen]]\n", stderr);
		return 2;
	}
	rcv = (struct receiver){ .log = argv[2],
				 .failures = argc >= 4 ? strtoul(argv[3], NULL, 10) : 0,
				 .unseen = argc == 5 };
	/* Before the name is ours: no call can come untraced. */
	bgcopy_callback_receiver_open();
	r = connect_bus(&bus);
	if (r >= 0)
		r = sd_bus_add_object(bus, NULL, "/org/bgcopy1/callback", on_call, &rcv);
	if (r >= 0)
		r = sd_bus_request_name(bus, argv[1], 0);
	if (r >= 0)
		r = log_start(argv[2]);
	if (r < 0) {
		fprintf(stderr, "notify_receiver: cannot serve %s: %s\n", argv[1], strerror(-r));
		sd_bus_unref(bus);
		return 1;
	}
	while ((r = sd_bus_process(bus, NULL)) >= 0)
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			break;
	sd_bus_flush_close_unref(bus);
	return 0;
}
