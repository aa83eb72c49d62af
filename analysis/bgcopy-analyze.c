/*
 * bgcopy-analyze: check bgcopy traces against the notification contract.
 *
 * Finds every CTF trace (a directory holding `metadata') under the given
 * paths and runs, in process, one src.ctf.fs per trace into a
 * flt.utils.muxer into the check sink (the same code as
 * sink.bgcopy.check).  Exit status: 0 PASS, 1 FAIL, 2 INCONCLUSIVE,
 * 3 usage error or a trace that cannot be checked.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <babeltrace2/babeltrace.h>

#include "check.h"
#include "sink.h"
#include "tracedir.h"

enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_INCONCLUSIVE = 2,
	EXIT_TROUBLE = 3,
};

static const char usage[] =
	"Usage: bgcopy-analyze [OPTION]... TRACE...\n"
	"Check the bgcopy notification contract on every CTF trace found\n"
	"under the TRACE paths.\n"
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
	"Exit status: 0 PASS, 1 FAIL, 2 INCONCLUSIVE, 3 usage error or a\n"
	"trace that cannot be read or checked.\n";

/* The innermost cause (index 0) says what is wrong; one line. */
static void print_error(const char *what)
{
	const bt_error *err = bt_current_thread_take_error();
	const char *msg = NULL;
	uint64_t n;

	if (err && (n = bt_error_get_cause_count(err)) > 0)
		msg = bt_error_cause_get_message(
			bt_error_borrow_cause_by_index(err, 0));
	fprintf(stderr, "bgcopy-analyze: %s", what);
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
		print_error("cannot load a babeltrace2 plugin");
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

static int add_sources(bt_graph *graph, const bt_component_class_source *fs,
		       const bt_component_filter *muxer,
		       const struct tracedirs *found)
{
	size_t i;

	for (i = 0; i < found->n; i++) {
		const bt_component_source *src;
		bt_value *params = bt_value_map_create();
		bt_value *inputs = NULL;
		char name[32];
		int ret = -1;

		if (!params ||
		    bt_value_map_insert_empty_array_entry(params, "inputs",
							  &inputs) ||
		    bt_value_array_append_string_element(inputs,
							 found->dirs[i]))
			goto next;
		snprintf(name, sizeof(name), "trace-%zu", i);
		if (bt_graph_add_source_component(graph, fs, name, params,
				BT_LOGGING_LEVEL_NONE, &src) ==
		    BT_GRAPH_ADD_COMPONENT_STATUS_OK)
			ret = connect_source(graph, src, muxer);
next:
		bt_value_put_ref(params);
		if (ret)
			return -1;
	}
	return 0;
}

/* Builds and runs the graph; fills *host.  0, or -1 after a message. */
static int run(const struct tracedirs *found, const bt_value *params,
	       struct check_host *host)
{
	const bt_plugin *ctf = find_plugin("ctf");
	const bt_plugin *utils = ctf ? find_plugin("utils") : NULL;
	bt_component_class_sink *check = make_check_class();
	bt_graph *graph = bt_graph_create(0);
	const bt_component_filter *muxer;
	const bt_component_sink *sink;
	bt_graph_run_status status;
	int ret = -1;

	if (!utils)
		goto end;
	if (!check || !graph) {
		fprintf(stderr, "bgcopy-analyze: out of memory\n");
		goto end;
	}
	if (bt_graph_add_filter_component(graph,
		    bt_plugin_borrow_filter_component_class_by_name_const(utils,
									  "muxer"),
		    "muxer", NULL, BT_LOGGING_LEVEL_NONE, &muxer) ||
	    add_sources(graph,
		    bt_plugin_borrow_source_component_class_by_name_const(ctf,
									  "fs"),
		    muxer, found) ||
	    bt_graph_add_sink_component_with_initialize_method_data(graph,
		    check, "check", params, host, BT_LOGGING_LEVEL_NONE,
		    &sink) ||
	    bt_graph_connect_ports(graph,
		    bt_component_filter_borrow_output_port_by_name_const(muxer,
									 "out"),
		    bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
		    NULL)) {
		print_error("cannot open the trace");
		goto end;
	}
	do {
		status = bt_graph_run(graph);
		if (status == BT_GRAPH_RUN_STATUS_AGAIN)
			usleep(1000);
	} while (status == BT_GRAPH_RUN_STATUS_AGAIN);
	if (status != BT_GRAPH_RUN_STATUS_OK || !host->done) {
		print_error("cannot check the trace");
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

/* Turns the options into the check sink's parameters. */
static int parse_options(int argc, char **argv, bt_value *params,
			 bool *allow_inconclusive)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "junit", required_argument, NULL, 'j' },
		{ "chrome-trace", required_argument, NULL, 'c' },
		{ "max-latency-ms", required_argument, NULL, 'l' },
		{ "grace-ms", required_argument, NULL, 'g' },
		{ "allow-inconclusive", no_argument, NULL, 'a' },
		{ "timeline", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t ms;
	int c, bad = 0;

	while (!bad && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "bgcopy-analyze: --format is "
					"text or json, not \"%s\"\n", optarg);
				bad = 1;
				break;
			}
			bad = bt_value_map_insert_string_entry(params,
							       "format", optarg);
			break;
		case 'j':
			bad = bt_value_map_insert_string_entry(params, "junit",
							       optarg);
			break;
		case 'c':
			bad = bt_value_map_insert_string_entry(params,
				"chrome-trace", optarg);
			break;
		case 'l':
		case 'g':
			bad = parse_ms(longopts[c == 'l' ? 3 : 4].name, optarg,
				       &ms) ||
			      bt_value_map_insert_unsigned_integer_entry(params,
				      c == 'l' ? "max-latency-ms" : "grace-ms",
				      ms);
			break;
		case 'a':
			*allow_inconclusive = true;
			break;
		case 't':
			bad = bt_value_map_insert_bool_entry(params, "timeline",
							     BT_TRUE);
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_PASS);
		default:
			bad = 1;
		}
	}
	if (!bad && optind == argc) {
		fprintf(stderr, "bgcopy-analyze: no TRACE given\n");
		bad = 1;
	}
	if (bad)
		fputs("Try `bgcopy-analyze --help'.\n", stderr);
	return bad ? -1 : 0;
}

static int find_traces(int argc, char **argv, struct tracedirs *found)
{
	char why[512];
	int i;

	for (i = optind; i < argc; i++) {
		if (tracedirs_find(found, argv[i], why, sizeof(why))) {
			fprintf(stderr, "bgcopy-analyze: %s\n", why);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct check_host host = { 0 };
	struct tracedirs found = { 0 };
	bool allow_inconclusive = false;
	bt_value *params = bt_value_map_create();
	int status = EXIT_TROUBLE;

	if (!params) {
		fprintf(stderr, "bgcopy-analyze: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (parse_options(argc, argv, params, &allow_inconclusive) ||
	    find_traces(argc, argv, &found) || run(&found, params, &host))
		goto end;
	switch (host.verdict) {
	case ORACLE_PASS:
		status = EXIT_PASS;
		break;
	case ORACLE_FAIL:
		status = EXIT_FAIL;
		break;
	case ORACLE_INCONCLUSIVE:
		status = allow_inconclusive ? EXIT_PASS : EXIT_INCONCLUSIVE;
		break;
	}
end:
	bt_value_put_ref(params);
	tracedirs_fini(&found);
	return status;
}
