/* Client mode: the engine options a daemon runs with, on its command line when started and checked when found running. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "client.h"

/* Each option that is the daemon's engine's to apply: its name in the
 * daemon's EngineOptions property and bgcopyd's option that sets it. */
static const struct {
	const char *name;
	const char *flag;
	size_t offset;
} daemon_options[] = {
#define DAEMON_OPTION(field, flag) { #field, flag, offsetof(struct bgcopy_engine_options, field) }
	DAEMON_OPTION(dispatcher_threads, "--dispatcher-threads"),
	DAEMON_OPTION(max_connections, "--max-connections"),
	DAEMON_OPTION(max_per_host, "--max-per-host"),
	DAEMON_OPTION(max_files_per_job, "--max-files-per-job"),
	DAEMON_OPTION(inactivity_timeout_s, "--inactivity-timeout"),
#undef DAEMON_OPTION
};
_Static_assert(sizeof(daemon_options) / sizeof(daemon_options[0]) == CLIENT_DAEMON_OPTIONS,
	       "CLIENT_DAEMON_OPTIONS counts the daemon's engine options");

static unsigned *option_in(struct bgcopy_engine_options *o, size_t i)
{
	return (unsigned *)((char *)o + daemon_options[i].offset);
}

static unsigned option_of(const struct bgcopy_engine_options *o, size_t i)
{
	return *option_in((struct bgcopy_engine_options *)o, i);
}

size_t client_options_argv(const struct bgcopy_engine_options *asked, char **argv,
			   char (*numbers)[CLIENT_NUMBER_SIZE])
{
	size_t n = 0;

	for (size_t i = 0; i < CLIENT_DAEMON_OPTIONS; i++) {
		if (!option_of(asked, i))
			continue;	/* 0: the default, which the daemon knows */
		snprintf(numbers[i], CLIENT_NUMBER_SIZE, "%u", option_of(asked, i));
		argv[n++] = (char *)daemon_options[i].flag;
		argv[n++] = numbers[i];
	}
	return n;
}

int client_engine_options(bgcopy_engine *engine, struct bgcopy_engine_options *out)
{
	sd_bus_message *reply = NULL;
	const char *name;
	unsigned value;
	int r, status;

	memset(out, 0, sizeof(*out));
	out->flags = engine->opt.flags;
	status = client_callv(engine, "/org/bgcopy1", "org.freedesktop.DBus.Properties", "Get",
			      &reply, "ss", "org.bgcopy1.Manager", "EngineOptions");
	if (status)
		return status;
	r = sd_bus_message_enter_container(reply, 'v', "a{su}");
	if (r >= 0)
		r = sd_bus_message_enter_container(reply, 'a', "{su}");
	while (r >= 0 && (r = sd_bus_message_read(reply, "{su}", &name, &value)) > 0) {
		if (!strcmp(name, "test_options"))
			out->test_options = value;
		for (size_t i = 0; i < CLIENT_DAEMON_OPTIONS; i++)
			if (!strcmp(name, daemon_options[i].name))
				*option_in(out, i) = value;
	}
	client_message_unref(engine, reply);
	return r < 0 ? set_error(BGCOPY_E_IO, "cannot read the EngineOptions of bgcopyd on "
				 "'%s': %s", engine->client->socket, strerror(-r)) : BGCOPY_OK;
}

/* An option the caller gave (not 0) that the running daemon's engine
 * does not have is refused rather than ignored: the engine is the
 * daemon's, shared by every client, and cannot change for one. */
int client_options_check(bgcopy_engine *engine)
{
	const struct bgcopy_engine_options *asked = &engine->opt;
	struct bgcopy_engine_options daemon;
	bool any = false;
	int status;

	for (size_t i = 0; i < CLIENT_DAEMON_OPTIONS; i++)
		any = any || option_of(asked, i);
	if (!any)
		return BGCOPY_OK;
	status = client_engine_options(engine, &daemon);
	if (status)
		return status;
	for (size_t i = 0; i < CLIENT_DAEMON_OPTIONS; i++)
		if (option_of(asked, i) && option_of(asked, i) != option_of(&daemon, i))
			return set_error(BGCOPY_E_STORE_BUSY, "bgcopyd on '%s' serves store '%s' "
					 "with %s %u, not the %u asked: open with %s 0 to "
					 "take the daemon's, or let it exit (idle, with no "
					 "client) and open again to start one with %u",
					 engine->client->socket, engine->store_dir,
					 daemon_options[i].name, option_of(&daemon, i),
					 option_of(asked, i), daemon_options[i].name,
					 option_of(asked, i));
	return BGCOPY_OK;
}
