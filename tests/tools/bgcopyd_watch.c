/* A D-Bus client of bgcopyd for tests: prints a job's PropertiesChanged signals with the time each arrived. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

/*
 * bgcopyd_watch ADDRESS JOB_PATH --until STATE|--until-property NAME
 *               [--call METHOD [--call-u N | --call-s S [--call-s S]]]
 *               [--quiet-ms N] [--all-jobs]
 *
 * One line per signal: microseconds since the start (just before METHOD
 * is called, with the one argument N of type u, or one or two strings S,
 * if given), then
 * name=value of each property it carries and name~ of each it
 * invalidates.  Exits 0 once State=STATE (or property NAME, changed or
 * invalidated) was seen and then N ms more passed (any signal meanwhile
 * is printed too); 1 after 10 s without it.  With --all-jobs every job's
 * signals are printed, each line with its path after the time (STATE and
 * NAME are still JOB_PATH's).
 */
struct watch {
	const char *until, *until_property, *path;
	bool seen, all_jobs;
	uint64_t start;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int print_value(sd_bus_message *m, const char *name, bool mine, struct watch *w)
{
	const char *type;
	char t;
	union { const char *s; uint32_t u; uint64_t t; int64_t x; } v;
	int r = sd_bus_message_peek_type(m, &t, &type);

	if (r < 0 || (r = sd_bus_message_enter_container(m, 'v', type)) < 0)
		return r;
	if ((r = sd_bus_message_read_basic(m, type[0], &v)) < 0)
		return r;
	switch (type[0]) {
	case 's': printf(" %s=%s", name, v.s);
		  if (mine && w->until && !strcmp(name, "State") && !strcmp(v.s, w->until))
			  w->seen = true;
		  break;
	case 'u': printf(" %s=%u", name, v.u); break;
	case 't': printf(" %s=%llu", name, (unsigned long long)v.t); break;
	default: printf(" %s=%lld", name, (long long)v.x); break;
	}
	return sd_bus_message_exit_container(m);
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct watch *w = userdata;
	const char *iface, *name;
	bool mine;
	int r;

	(void)error;
	mine = !strcmp(sd_bus_message_get_path(m), w->path);
	printf("%llu", (unsigned long long)(now_usec() - w->start));
	if (w->all_jobs)
		printf(" %s", sd_bus_message_get_path(m));
	r = sd_bus_message_read(m, "s", &iface);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &name);
		if (r >= 0 && mine && w->until_property && !strcmp(name, w->until_property))
			w->seen = true;
		if (r >= 0)
			r = print_value(m, name, mine, w);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "s");
	while (r >= 0 && (r = sd_bus_message_read(m, "s", &name)) > 0) {
		printf(" %s~", name);
		if (mine && w->until_property && !strcmp(name, w->until_property))
			w->seen = true;
	}
	printf("\n");
	fflush(stdout);
	return r < 0 ? r : 0;
}

/* What --call sends: no argument, one u, or one or two strings. */
struct call {
	const char *method, *u, *s[2];
	unsigned ns;
};

static int call_method(sd_bus *bus, const char *path, const struct call *c,
		       sd_bus_error *error)
{
	const char *job = "org.bgcopy1.Job";

	if (c->u)
		return sd_bus_call_method(bus, "org.bgcopy1", path, job, c->method, error,
					  NULL, "u", (uint32_t)strtoul(c->u, NULL, 10));
	if (c->ns == 2)
		return sd_bus_call_method(bus, "org.bgcopy1", path, job, c->method, error,
					  NULL, "ss", c->s[0], c->s[1]);
	if (c->ns == 1)
		return sd_bus_call_method(bus, "org.bgcopy1", path, job, c->method, error,
					  NULL, "s", c->s[0]);
	return sd_bus_call_method(bus, "org.bgcopy1", path, job, c->method, error, NULL, "");
}

static int run(sd_bus *bus, const char *path, const struct call *call,
	       unsigned quiet_ms, struct watch *w)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	uint64_t deadline, seen_at = 0;
	int r;

	w->start = now_usec();
	deadline = w->start + 10000000u;
	if (call->method) {
		r = call_method(bus, path, call, &error);
		if (r < 0) {
			fprintf(stderr, "bgcopyd_watch: %s: %s\n", call->method, error.message);
			sd_bus_error_free(&error);
			return r;
		}
	}
	for (;;) {
		uint64_t now = now_usec();

		if (w->seen && !seen_at) {
			seen_at = now;
			deadline = now + quiet_ms * 1000ull;
		}
		if (now >= deadline)
			return w->seen ? 0 : -ETIMEDOUT;
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r == 0 && (r = sd_bus_wait(bus, deadline - now)) < 0)
			return r;
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ "until-property", required_argument, NULL, 'p' },
		{ "call", required_argument, NULL, 'c' },
		{ "call-u", required_argument, NULL, 'a' },
		{ "call-s", required_argument, NULL, 's' },
		{ "quiet-ms", required_argument, NULL, 'q' },
		{ "all-jobs", no_argument, NULL, 'j' },
		{ 0 }
	};
	struct watch w = { 0 };
	struct call call = { 0 };
	unsigned quiet_ms = 0;
	sd_bus *bus = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': w.until = optarg; break;
		case 'p': w.until_property = optarg; break;
		case 'c': call.method = optarg; break;
		case 'a': call.u = optarg; break;
		case 's':
			if (call.ns == 2)
				return 2;
			call.s[call.ns++] = optarg;
			break;
		case 'q': quiet_ms = (unsigned)atoi(optarg); break;
		case 'j': w.all_jobs = true; break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || !w.until == !w.until_property || (call.u && call.ns)) {
		fputs("usage: bgcopyd_watch ADDRESS JOB_PATH --until STATE|--until-property NAME "
		      "[--call METHOD [--call-u N | --call-s S [--call-s S]]] [--quiet-ms N] "
		      "[--all-jobs]\n", stderr);
		return 2;
	}
	w.path = argv[optind + 1];
	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, argv[optind]);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r >= 0)
		r = sd_bus_match_signal(bus, NULL, NULL, w.all_jobs ? NULL : w.path,
					"org.freedesktop.DBus.Properties", "PropertiesChanged",
					on_changed, &w);
	if (r >= 0)
		r = run(bus, argv[optind + 1], &call, quiet_ms, &w);
	if (r < 0)
		fprintf(stderr, "bgcopyd_watch: %s\n", strerror(-r));
	sd_bus_flush_close_unref(bus);
	return r < 0 ? 1 : 0;
}
