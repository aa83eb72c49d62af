/*
 * One graph: src.ctf.fs per trace (or one src.ctf.lttng-live) into a
 * flt.utils.muxer into the check sink, built and run in process.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "plugin/sink.h"

/* How often a live graph that has nothing new is run again. */
#define LIVE_RETRY_US 20000

static const bt_plugin *find_plugin(const char *name)
{
	const bt_plugin *plugin = NULL;

	if (bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
			   &plugin) != BT_PLUGIN_FIND_STATUS_OK) {
		cli_print_error("cannot load the babeltrace2 plugin `%s'",
				name);
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
	 * forever ("continue"): live_wait_for_session() waited for it. */
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

int graph_run(const struct input *in, const bt_value *params,
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
	if (in->live_url && live_wait_for_session(ctf, in->live_url))
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
		cli_print_error("cannot open the %s", in->what);
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
		cli_print_error("cannot check the %s", in->what);
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
