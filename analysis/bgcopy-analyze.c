/*
 * bgcopy-analyze: check bgcopy traces against the notification contract,
 * follow a live session, or compare two runs.
 *
 * Finds every CTF trace (a directory holding `metadata') under the given
 * paths and runs, in process, one src.ctf.fs per trace into a
 * flt.utils.muxer into the check sink (the same code as
 * sink.bgcopy.check).  With --live, the source is one
 * src.ctf.lttng-live and the sink tells each finding as it shows.  With
 * --baseline, both sets of traces go through the same graph, quietly,
 * and their figures are compared (compare.h).
 *
 * Exit status: 0 PASS, 1 FAIL, 2 INCONCLUSIVE, 3 usage error or a trace
 * that cannot be checked; with --baseline, 0 no regression, 1 a
 * regression, 3 the same troubles.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "check.h"
#include "compare.h"
#include "perf.h"
#include "sink.h"
#include "tracedir.h"

enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_REGRESSED = 1,
	EXIT_INCONCLUSIVE = 2,
	EXIT_TROUBLE = 3,
};

/* How long --live waits for its session to appear, and polls. */
#define LIVE_WAIT_S 30
#define LIVE_LIST_US 100000
#define LIVE_RETRY_US 20000

static const char usage[] =
	"Usage: bgcopy-analyze [OPTION]... TRACE...\n"
	"       bgcopy-analyze --live=URL [OPTION]...\n"
	"       bgcopy-analyze --baseline=OLD [--max-regression=PERCENT] NEW\n"
	"Check the bgcopy notification contract on every CTF trace found\n"
	"under the TRACE paths, or on an LTTng live session while it runs;\n"
	"or compare the performance recorded under NEW with that under OLD.\n"
	"\n"
	"  --format=text|json      report format on stdout (default text)\n"
	"  --junit=FILE            also write a JUnit XML report\n"
	"  --chrome-trace=FILE     also write a Chrome/Perfetto trace\n"
	"  --max-latency-ms=N      bound for G8 (arming to first callback)\n"
	"  --grace-ms=N            slack on every deadline (default 1000)\n"
	"  --allow-inconclusive    exit 0 rather than 2 on INCONCLUSIVE\n"
	"  --timeline              also print one timeline per job\n"
	"  --help                  show this help\n"
	"\n"
	"Live:\n"
	"  --live=URL              follow the LTTng live session at URL, as\n"
	"                          `bgcopy record --live' prints it:\n"
	"                          net://RELAY[:PORT]/host/HOST/SESSION\n"
	"It waits up to 30 s for the session to appear, says `following URL'\n"
	"on stderr once attached, then prints on stderr each finding the\n"
	"moment it is certain (and, with --max-latency-ms, each notification\n"
	"overdue past the bound that has not begun), and the report on stdout\n"
	"when the session ends.  babeltrace2 follows a live session from its\n"
	"newest data: start the jobs after `following', or the jobs whose\n"
	"start was missed are INCONCLUSIVE.  Same exit status as below.\n"
	"\n"
	"Baseline:\n"
	"  --baseline=OLD          compare the traces under NEW with those\n"
	"                          under OLD: per notification kind with at\n"
	"                          least 5 samples on each side the latency\n"
	"                          p50, p90 and p99; per URL the median\n"
	"                          throughput of its 200/206 transfers\n"
	"  --max-regression=PERCENT  a metric worse by more than PERCENT fails\n"
	"                          (default 20): latency higher, throughput lower\n"
	"  --latency-floor-ms=N    latency increases under N ms never fail\n"
	"                          (default 1)\n"
	"  --url-key=path|name     match URLs by path, scheme, host and port left\n"
	"                          out (default), or by file name alone\n"
	"It prints a table (or JSON with --format=json) and a one-line summary,\n"
	"worst regression first; each side's own contract verdict is shown, and\n"
	"noted when NEW's is not PASS, but does not change the exit status:\n"
	"0 no regression, 1 a regression, 3 as below.\n"
	"\n"
	"Exit status: 0 PASS, 1 FAIL, 2 INCONCLUSIVE, 3 usage error or a\n"
	"trace that cannot be read or checked.\n";

enum mode {
	MODE_CHECK,
	MODE_LIVE,
	MODE_BASELINE,
};

struct options {
	enum mode mode;
	bool json;
	bool allow_inconclusive;
	const char *live_url;
	const char *old_path;
	struct compare_opts cmp;
	enum perf_key url_key;
	const char *check_only;		/* an option --baseline refuses */
	const char *baseline_only;	/* an option only --baseline takes */
};

/* What one graph reads: trace directories, or one live session. */
struct input {
	const char *what;		/* "trace", "OLD trace", ... */
	struct tracedirs dirs;
	const char *live_url;
};

/* The innermost cause (index 0) says what is wrong; one line. */
static void print_error(const char *fmt, const char *arg)
{
	const bt_error *err = bt_current_thread_take_error();
	const char *msg = NULL;
	uint64_t n;

	if (err && (n = bt_error_get_cause_count(err)) > 0)
		msg = bt_error_cause_get_message(
			bt_error_borrow_cause_by_index(err, 0));
	fputs("bgcopy-analyze: ", stderr);
	fprintf(stderr, fmt, arg);
	if (msg) {
		fputs(": ", stderr);
		for (; *msg; msg++)
			fputc(*msg == '\n' ? ' ' : *msg, stderr);
	}
	fputc('\n', stderr);
	if (err)
		bt_error_release(err);
}

static const bt_plugin *find_plugin(const char *name)
{
	const bt_plugin *plugin = NULL;

	if (bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
			   &plugin) != BT_PLUGIN_FIND_STATUS_OK) {
		print_error("cannot load the babeltrace2 plugin `%s'", name);
		return NULL;
	}
	return plugin;
}

static bt_component_class_sink *make_check_class(void)
{
	bt_component_class_sink *cls =
		bt_component_class_sink_create("check", bgc_sink_consume);

	if (!cls)
		return NULL;
	if (bt_component_class_sink_set_initialize_method(cls, check_init) ||
	    bt_component_class_sink_set_finalize_method(cls, check_finalize) ||
	    bt_component_class_sink_set_graph_is_configured_method(cls,
		    bgc_sink_graph_is_configured)) {
		bt_component_class_sink_put_ref(cls);
		return NULL;
	}
	return cls;
}

/* Connects every output port of `src' to a fresh muxer input port. */
static int connect_source(bt_graph *graph, const bt_component_source *src,
			  const bt_component_filter *muxer)
{
	uint64_t i, n = bt_component_source_get_output_port_count(src);

	for (i = 0; i < n; i++) {
		/* The muxer always keeps one unconnected input port. */
		uint64_t in = bt_component_filter_get_input_port_count(muxer);

		if (bt_graph_connect_ports(graph,
			bt_component_source_borrow_output_port_by_index_const(src, i),
			bt_component_filter_borrow_input_port_by_index_const(muxer,
									     in - 1),
			NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK)
			return -1;
	}
	return 0;
}

/* Adds one source of class `cls', reading `input', into the muxer. */
static int add_source(bt_graph *graph, const bt_component_class_source *cls,
		      const bt_component_filter *muxer, const char *name,
		      const char *input, bool live)
{
	const bt_component_source *src;
	bt_value *params = bt_value_map_create();
	bt_value *inputs = NULL;
	int ret = -1;

	if (!params ||
	    bt_value_map_insert_empty_array_entry(params, "inputs",
						  &inputs) ||
	    bt_value_array_append_string_element(inputs, input))
		goto end;
	/* End with the session rather than wait for another of its name
	 * forever ("continue"): wait_for_session() waited for it. */
	if (live && bt_value_map_insert_string_entry(params,
			"session-not-found-action", "end"))
		goto end;
	if (bt_graph_add_source_component(graph, cls, name, params,
			BT_LOGGING_LEVEL_NONE, &src) ==
	    BT_GRAPH_ADD_COMPONENT_STATUS_OK)
		ret = connect_source(graph, src, muxer);
end:
	bt_value_put_ref(params);
	return ret;
}

static int add_sources(bt_graph *graph, const bt_plugin *ctf,
		       const bt_component_filter *muxer,
		       const struct input *in)
{
	const bt_component_class_source *cls =
		bt_plugin_borrow_source_component_class_by_name_const(ctf,
			in->live_url ? "lttng-live" : "fs");
	char name[32];
	size_t i;

	if (!cls)
		return -1;
	if (in->live_url)
		return add_source(graph, cls, muxer, "live", in->live_url, true);
	for (i = 0; i < in->dirs.n; i++) {
		snprintf(name, sizeof(name), "trace-%zu", i);
		if (add_source(graph, cls, muxer, name, in->dirs.dirs[i], false))
			return -1;
	}
	return 0;
}

/* ---- live: wait for the session -------------------------------------- */

/* net[4]://RELAY[:PORT]/host/TARGET/SESSION, split. */
struct live_url {
	char relay[256];		/* net://RELAY[:PORT] */
	char target[256];
	char session[256];
};

static int copy_part(char *dst, size_t len, const char *from, size_t n)
{
	if (!n || n >= len || memchr(from, '/', n))
		return -1;
	memcpy(dst, from, n);
	dst[n] = '\0';
	return 0;
}

/* 0, or -1 when `url' is not an LTTng live session URL. */
static int parse_live_url(const char *url, struct live_url *u)
{
	const char *host, *slash;
	size_t scheme;

	if (!strncmp(url, "net://", 6))
		scheme = 6;
	else if (!strncmp(url, "net4://", 7))
		scheme = 7;
	else
		return -1;
	host = strstr(url + scheme, "/host/");
	if (!host || host == url + scheme ||
	    (size_t) (host - url) >= sizeof(u->relay))
		return -1;
	memcpy(u->relay, url, (size_t) (host - url));
	u->relay[host - url] = '\0';
	host += strlen("/host/");
	slash = strchr(host, '/');
	if (!slash ||
	    copy_part(u->target, sizeof(u->target), host,
		      (size_t) (slash - host)) ||
	    copy_part(u->session, sizeof(u->session), slash + 1,
		      strlen(slash + 1)))
		return -1;
	return 0;
}

static bool string_is(const bt_value *map, const char *key, const char *want)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(map, key);

	return v && bt_value_is_string(v) && !strcmp(bt_value_string_get(v),
						      want);
}

/*
 * 1 when the relay daemon lists the session, 0 when not (yet), -1 when
 * it cannot be asked (the cause is left in the thread's error).
 */
static int session_listed(const bt_component_class_source *live,
			  const struct live_url *u)
{
	bt_value *params = bt_value_map_create();
	bt_query_executor *qe = NULL;
	const bt_value *result = NULL, *s;
	uint64_t i, n;
	int ret = -1;

	if (!params ||
	    bt_value_map_insert_string_entry(params, "url", u->relay))
		goto end;
	qe = bt_query_executor_create(
		bt_component_class_source_as_component_class_const(live),
		"sessions", params);
	if (!qe)
		goto end;
	switch (bt_query_executor_query(qe, &result)) {
	case BT_QUERY_EXECUTOR_QUERY_STATUS_OK:
		break;
	case BT_QUERY_EXECUTOR_QUERY_STATUS_AGAIN:
		ret = 0;
		goto end;
	default:
		goto end;
	}
	if (!bt_value_is_array(result))
		goto end;
	ret = 0;
	n = bt_value_array_get_length(result);
	for (i = 0; i < n && !ret; i++) {
		s = bt_value_array_borrow_element_by_index_const(result, i);
		if (bt_value_is_map(s) &&
		    string_is(s, "session-name", u->session) &&
		    string_is(s, "target-hostname", u->target))
			ret = 1;
	}
end:
	bt_value_put_ref(result);
	bt_query_executor_put_ref(qe);
	bt_value_put_ref(params);
	return ret;
}

/*
 * The session may be about to start (or its relay daemon): wait for the
 * relay daemon to list it, so that the source may end with it.
 */
static int wait_for_session(const bt_plugin *ctf, const char *url)
{
	const bt_component_class_source *live =
		bt_plugin_borrow_source_component_class_by_name_const(ctf,
			"lttng-live");
	struct live_url u;
	int i, tries = LIVE_WAIT_S * (1000000 / LIVE_LIST_US), found;

	if (!live) {
		fprintf(stderr, "bgcopy-analyze: babeltrace2 has no "
			"source.ctf.lttng-live\n");
		return -1;
	}
	if (parse_live_url(url, &u)) {
		fprintf(stderr, "bgcopy-analyze: `%s' is not an LTTng live "
			"URL (net://RELAY[:PORT]/host/HOST/SESSION)\n", url);
		return -1;
	}
	for (i = 0; i < tries; i++) {
		found = session_listed(live, &u);
		if (found > 0)
			return 0;
		if (found < 0 && i == tries - 1) {
			print_error("cannot list the sessions of %s", u.relay);
			return -1;
		}
		if (found < 0)
			bt_current_thread_clear_error();
		if (i == 0)
			fprintf(stderr, "bgcopy-analyze: waiting for session "
				"%s of host %s at %s\n", u.session, u.target,
				u.relay);
		usleep(LIVE_LIST_US);
	}
	fprintf(stderr, "bgcopy-analyze: no session %s of host %s at %s "
		"after %d s\n", u.session, u.target, u.relay, LIVE_WAIT_S);
	return -1;
}

/* ---- the graph ------------------------------------------------------- */

/* Builds and runs the graph; fills *host.  0, or -1 after a message. */
static int run(const struct input *in, const bt_value *params,
	       struct check_host *host)
{
	const bt_plugin *ctf = find_plugin("ctf");
	const bt_plugin *utils = ctf ? find_plugin("utils") : NULL;
	bt_component_class_sink *check = make_check_class();
	bt_graph *graph = NULL;
	const bt_component_filter *muxer;
	const bt_component_sink *sink;
	bt_graph_run_status status;
	bool following = false;
	int ret = -1;

	if (!utils)
		goto end;
	if (in->live_url && wait_for_session(ctf, in->live_url))
		goto end;
	graph = bt_graph_create(0);
	if (!check || !graph) {
		fprintf(stderr, "bgcopy-analyze: out of memory\n");
		goto end;
	}
	if (bt_graph_add_filter_component(graph,
		    bt_plugin_borrow_filter_component_class_by_name_const(utils,
									  "muxer"),
		    "muxer", NULL, BT_LOGGING_LEVEL_NONE, &muxer) ||
	    add_sources(graph, ctf, muxer, in) ||
	    bt_graph_add_sink_component_with_initialize_method_data(graph,
		    check, "check", params, host, BT_LOGGING_LEVEL_NONE,
		    &sink) ||
	    bt_graph_connect_ports(graph,
		    bt_component_filter_borrow_output_port_by_name_const(muxer,
									 "out"),
		    bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
		    NULL)) {
		print_error("cannot open the %s", in->what);
		goto end;
	}
	do {
		status = bt_graph_run(graph);
		if (status != BT_GRAPH_RUN_STATUS_AGAIN)
			break;
		/* The source attached when the graph was configured, by
		 * the first run: from here on nothing new is missed. */
		if (in->live_url && !following) {
			fprintf(stderr, "bgcopy-analyze: following %s\n",
				in->live_url);
			following = true;
		}
		usleep(in->live_url ? LIVE_RETRY_US : 1000);
	} while (true);
	if (status != BT_GRAPH_RUN_STATUS_OK || !host->done) {
		print_error("cannot check the %s", in->what);
		goto end;
	}
	ret = 0;
end:
	bt_graph_put_ref(graph);
	bt_component_class_sink_put_ref(check);
	bt_plugin_put_ref(ctf);
	bt_plugin_put_ref(utils);
	return ret;
}

/* ---- options --------------------------------------------------------- */

static int parse_ms(const char *opt, const char *arg, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-') {
		fprintf(stderr, "bgcopy-analyze: --%s wants a non-negative "
			"integer, not \"%s\"\n", opt, arg);
		return -1;
	}
	return 0;
}

static int parse_percent(const char *arg, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(*out) || *out < 0) {
		fprintf(stderr, "bgcopy-analyze: --max-regression wants a "
			"non-negative number (percent), not \"%s\"\n", arg);
		return -1;
	}
	return 0;
}

/* The mode and the positional arguments it wants; 0 or -1. */
static int check_usage(struct options *opt, int argc, char **argv)
{
	if (opt->live_url && opt->old_path) {
		fprintf(stderr, "bgcopy-analyze: --live and --baseline do not "
			"go together\n");
		return -1;
	}
	opt->mode = opt->live_url ? MODE_LIVE :
		    opt->old_path ? MODE_BASELINE : MODE_CHECK;
	if (opt->mode != MODE_BASELINE && opt->baseline_only) {
		fprintf(stderr, "bgcopy-analyze: --%s goes with --baseline\n",
			opt->baseline_only);
		return -1;
	}
	switch (opt->mode) {
	case MODE_CHECK:
		if (optind == argc) {
			fprintf(stderr, "bgcopy-analyze: no TRACE given\n");
			return -1;
		}
		return 0;
	case MODE_LIVE:
		if (optind != argc) {
			fprintf(stderr, "bgcopy-analyze: --live reads no TRACE "
				"(\"%s\")\n", argv[optind]);
			return -1;
		}
		return 0;
	case MODE_BASELINE:
		if (opt->check_only) {
			fprintf(stderr, "bgcopy-analyze: --%s does not go with "
				"--baseline\n", opt->check_only);
			return -1;
		}
		if (argc - optind != 1) {
			fprintf(stderr, "bgcopy-analyze: --baseline=OLD wants "
				"one NEW trace path\n");
			return -1;
		}
		return 0;
	}
	return -1;
}

/* Turns the options into *opt and the check sink's parameters. */
static int parse_options(int argc, char **argv, bt_value *params,
			 struct options *opt)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "junit", required_argument, NULL, 'j' },
		{ "chrome-trace", required_argument, NULL, 'c' },
		{ "max-latency-ms", required_argument, NULL, 'l' },
		{ "grace-ms", required_argument, NULL, 'g' },
		{ "allow-inconclusive", no_argument, NULL, 'a' },
		{ "timeline", no_argument, NULL, 't' },
		{ "live", required_argument, NULL, 'L' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "max-regression", required_argument, NULL, 'R' },
		{ "latency-floor-ms", required_argument, NULL, 'F' },
		{ "url-key", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t ms;
	int c, idx, bad = 0;

	while (!bad && (c = getopt_long(argc, argv, "", longopts,
					&idx)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "bgcopy-analyze: --format is "
					"text or json, not \"%s\"\n", optarg);
				bad = 1;
				break;
			}
			opt->json = strcmp(optarg, "json") == 0;
			bad = bt_value_map_insert_string_entry(params,
							       "format", optarg);
			break;
		case 'j':
		case 'c':
			opt->check_only = longopts[idx].name;
			bad = bt_value_map_insert_string_entry(params,
				c == 'j' ? "junit" : "chrome-trace", optarg);
			break;
		case 'l':
		case 'g':
			bad = parse_ms(longopts[idx].name, optarg, &ms) ||
			      bt_value_map_insert_unsigned_integer_entry(params,
				      longopts[idx].name, ms);
			break;
		case 'a':
			opt->check_only = longopts[idx].name;
			opt->allow_inconclusive = true;
			break;
		case 't':
			opt->check_only = longopts[idx].name;
			bad = bt_value_map_insert_bool_entry(params, "timeline",
							     BT_TRUE);
			break;
		case 'L':
			opt->live_url = optarg;
			bad = bt_value_map_insert_bool_entry(params, "live",
							     BT_TRUE);
			break;
		case 'B':
			opt->old_path = optarg;
			break;
		case 'R':
			opt->baseline_only = longopts[idx].name;
			bad = parse_percent(optarg,
					    &opt->cmp.max_regression_pct);
			break;
		case 'F':
			opt->baseline_only = longopts[idx].name;
			bad = parse_ms(longopts[idx].name, optarg, &ms);
			if (!bad && ms > INT64_MAX / 1000000) {
				fprintf(stderr, "bgcopy-analyze: --%s is too "
					"large\n", longopts[idx].name);
				bad = 1;
			}
			opt->cmp.latency_floor_ns = (int64_t) ms * 1000000;
			break;
		case 'K':
			opt->baseline_only = longopts[idx].name;
			if (!strcmp(optarg, "path")) {
				opt->url_key = PERF_KEY_PATH;
			} else if (!strcmp(optarg, "name")) {
				opt->url_key = PERF_KEY_NAME;
			} else {
				fprintf(stderr, "bgcopy-analyze: --url-key is "
					"path or name, not \"%s\"\n", optarg);
				bad = 1;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_PASS);
		default:
			bad = 1;
		}
	}
	if (!bad)
		bad = check_usage(opt, argc, argv);
	if (bad)
		fputs("Try `bgcopy-analyze --help'.\n", stderr);
	return bad ? -1 : 0;
}

/* ---- the modes ------------------------------------------------------- */

static int find_traces(const char *label, char **paths, int n,
		       struct tracedirs *found)
{
	char why[512];
	int i;

	for (i = 0; i < n; i++) {
		if (tracedirs_find(found, paths[i], why, sizeof(why))) {
			fprintf(stderr, "bgcopy-analyze: %s%s\n", label, why);
			return -1;
		}
	}
	return 0;
}

/* Traces or a live session: the verdict is the exit status. */
static int check(const struct options *opt, const bt_value *params,
		 int argc, char **argv)
{
	struct check_host host = { 0 };
	struct input in = {
		.what = opt->live_url ? "live session" : "trace",
		.live_url = opt->live_url,
	};
	int status = EXIT_TROUBLE;

	if ((!in.live_url &&
	     find_traces("", argv + optind, argc - optind, &in.dirs)) ||
	    run(&in, params, &host))
		goto end;
	switch (host.verdict) {
	case ORACLE_PASS:
		status = EXIT_PASS;
		break;
	case ORACLE_FAIL:
		status = EXIT_FAIL;
		break;
	case ORACLE_INCONCLUSIVE:
		status = opt->allow_inconclusive ? EXIT_PASS :
			 EXIT_INCONCLUSIVE;
		break;
	}
end:
	tracedirs_fini(&in.dirs);
	return status;
}

/* OLD and NEW through the same graph, quietly; then their figures. */
static int baseline(const struct options *opt, const bt_value *params,
		    char *new_path)
{
	static const char *const labels[2] = { "OLD: ", "NEW: " };
	char *paths[2] = { (char *) opt->old_path, new_path };
	struct input in[2] = {
		{ .what = "OLD trace" }, { .what = "NEW trace" },
	};
	struct check_host host[2] = { { 0 }, { 0 } };
	struct compare_side side[2];
	struct comparison cmp = { 0 };
	struct perf perf[2];
	int i, status = EXIT_TROUBLE;

	for (i = 0; i < 2; i++) {
		perf_init(&perf[i], opt->url_key);
		host[i].no_report = true;
		host[i].perf = &perf[i];
	}
	/* Both readable before either is read. */
	for (i = 0; i < 2; i++) {
		if (find_traces(labels[i], &paths[i], 1, &in[i].dirs))
			goto end;
	}
	for (i = 0; i < 2; i++) {
		if (run(&in[i], params, &host[i]))
			goto end;
		side[i] = (struct compare_side) {
			.path = paths[i], .traces = in[i].dirs.n,
			.events = host[i].events, .verdict = host[i].verdict,
		};
		memcpy(side[i].jobs, host[i].jobs, sizeof(side[i].jobs));
	}
	if (compare(&perf[0], &perf[1], &opt->cmp, &cmp)) {
		fprintf(stderr, "bgcopy-analyze: out of memory\n");
		goto end;
	}
	if (opt->json) {
		if (compare_report_json(&cmp, &side[0], &side[1], stdout)) {
			fprintf(stderr, "bgcopy-analyze: cannot write the "
				"JSON report\n");
			goto end;
		}
	} else {
		compare_report_text(&cmp, &side[0], &side[1], stdout);
	}
	if (fflush(stdout)) {
		fprintf(stderr, "bgcopy-analyze: cannot write the report: "
			"%s\n", strerror(errno));
		goto end;
	}
	status = cmp.n_regressed ? EXIT_REGRESSED : EXIT_PASS;
end:
	comparison_fini(&cmp);
	for (i = 0; i < 2; i++) {
		perf_fini(&perf[i]);
		tracedirs_fini(&in[i].dirs);
	}
	return status;
}

int main(int argc, char **argv)
{
	struct options opt = {
		.cmp = {
			.max_regression_pct = COMPARE_MAX_REGRESSION_PCT,
			.latency_floor_ns = COMPARE_LATENCY_FLOOR_NS,
			.min_samples = COMPARE_MIN_SAMPLES,
		},
		.url_key = PERF_KEY_PATH,
	};
	bt_value *params = bt_value_map_create();
	int status = EXIT_TROUBLE;

	if (!params) {
		fprintf(stderr, "bgcopy-analyze: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (parse_options(argc, argv, params, &opt))
		goto end;
	if (opt.mode == MODE_BASELINE)
		status = baseline(&opt, params, argv[optind]);
	else
		status = check(&opt, params, argc, argv);
end:
	bt_value_put_ref(params);
	return status;
}
