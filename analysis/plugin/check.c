/*
 * sink.bgcopy.check: the oracle as a sink, its parameters, reports and
 * live messages.
 */
#include "check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "params.h"
#include "report/history.h"
#include "report/report.h"
#include "sink.h"
#include "checked.h"

struct check {
	struct bgc_sink sink;		/* first: the sink's data is this */
	bool json;
	bool live;
	char *junit_path, *chrome_path, *html_path;
	bool allow_inconclusive;
	struct check_host *host;
};

static const struct param_def check_params[] = {
	{ "format", PARAM_STRING },
	{ "junit", PARAM_STRING },
	{ "chrome-trace", PARAM_STRING },
	{ "html", PARAM_STRING },
	{ "max-latency-ms", PARAM_UINT },
	{ "grace-ms", PARAM_UINT },
	{ "allow-inconclusive", PARAM_BOOL },
	{ "timeline", PARAM_BOOL },
	{ "live", PARAM_BOOL },
	{ "run-uts-ns", PARAM_UINT },
	{ "pid", PARAM_UINT },
	{ "job", PARAM_STRING },
	{ "begin", PARAM_STRING },
	{ "end", PARAM_STRING },
	{ NULL, 0 },
};

/* ---- live: on stderr, so that a JSON report on stdout stays whole -- */

static double live_ms(const struct oracle *o, int64_t ts)
{
	return NAMES_MS(ns_sub(ts, oracle_first_ts(o)));
}

static void live_finding(void *arg, const char *job_id, const char *job_name,
			 const struct oracle_finding *f)
{
	struct check *c = arg;
	const struct oracle *o = c->sink.oracle;

	if (f->rule > ORACLE_G8_LATE)
		return;		/* a note, not a violation */
	fprintf(stderr, "live %+.3f ms: job %s \"%s\": %s\n",
		live_ms(o, oracle_last_ts(o)), job_id, job_name,
		f->inconclusive ? "INCONCLUSIVE" : "FAIL");
	report_text_finding(o, f, stderr);
	fflush(stderr);
}

static void live_overdue(void *arg, const struct oracle_overdue *od)
{
	struct check *c = arg;
	const struct oracle *o = c->sink.oracle;
	char file[32] = "";

	if (od->file_index >= 0)
		snprintf(file, sizeof(file), " file %d", (int) od->file_index);
	fprintf(stderr, "live %+.3f ms: job %s \"%s\": overdue: %s%s epoch %"
		PRIu64 " armed at %+.3f ms, deliverable since %+.3f ms, has "
		"not begun after %.3f ms (bound %.3f ms): G8 once it begins, "
		"G1 if it never does, nothing if it is voided first\n",
		live_ms(o, od->now), od->job_id, od->job_name,
		names_kind(od->kind), file, od->epoch, live_ms(o, od->armed_ts),
		live_ms(o, od->due_ts), NAMES_MS(od->now - od->due_ts),
		NAMES_MS(od->bound_ns));
	fflush(stderr);
}

/* ---- the end ------------------------------------------------------ */

static int write_file_reports(struct check *c)
{
	struct oracle *o = c->sink.oracle;

	if (c->junit_path && report_junit(o, c->junit_path)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(c->sink.self,
			"Cannot write JUnit report `%s': %s.", c->junit_path,
			strerror(errno));
		return -1;
	}
	if (c->chrome_path &&
	    report_chrome(o, c->sink.history, c->chrome_path)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(c->sink.self,
			"Cannot write Chrome trace `%s': %s.", c->chrome_path,
			strerror(errno));
		return -1;
	}
	if (c->html_path && report_html(o, c->sink.history, c->html_path)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(c->sink.self,
			"Cannot write the HTML report `%s': %s.", c->html_path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int check_end(struct bgc_sink *sink)
{
	struct check *c = (struct check *) sink;
	struct oracle *o = sink->oracle;
	enum oracle_verdict verdict = oracle_verdict(o);
	bool report = !c->host || !c->host->no_report;
	size_t i;

	if (report && c->json) {
		if (report_json(o, stdout)) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				sink->self, "Cannot write the JSON report.");
			return -1;
		}
	} else if (report) {
		report_text(o, stdout);
	}
	fflush(stdout);
	if (write_file_reports(c))
		return -1;
	if (c->host) {
		if (c->host->perf && perf_finish(c->host->perf, o)) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				sink->self, "Out of memory.");
			return -1;
		}
		c->host->done = true;
		c->host->verdict = verdict;
		c->host->events = oracle_event_count(o);
		for (i = 0; i < oracle_job_count(o); i++)
			c->host->jobs[oracle_job_at(o, i)->verdict]++;
		return 0;
	}
	if (verdict == ORACLE_FAIL ||
	    (verdict == ORACLE_INCONCLUSIVE && !c->allow_inconclusive)) {
		/* babeltrace2 prints its error stack after this: the
		 * verdict and the findings come first, in plain words. */
		fprintf(stderr, "bgcopy notification contract:\n");
		report_text_problems(o, stderr);
		fflush(stderr);
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(sink->self,
			"bgcopy notification contract: %s.",
			oracle_verdict_name(verdict));
		return -1;
	}
	return 0;
}

/* 0, or -1 after appending an error cause. */
static int configure(struct check *c, const bt_value *params,
		     struct oracle_config *oc)
{
	const char *format = params_string(params, "format", "text");
	const char *junit = params_string(params, "junit", NULL);
	const char *chrome = params_string(params, "chrome-trace", NULL);
	const char *html = params_string(params, "html", NULL);

	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(c->sink.self,
			"Parameter `format' must be \"text\" or \"json\", "
			"not \"%s\".", format);
		return -1;
	}
	c->json = strcmp(format, "json") == 0;
	c->allow_inconclusive = params_bool(params, "allow-inconclusive",
					    false);
	c->junit_path = junit ? strdup(junit) : NULL;
	c->chrome_path = chrome ? strdup(chrome) : NULL;
	c->html_path = html ? strdup(html) : NULL;
	if ((junit && !c->junit_path) || (chrome && !c->chrome_path) ||
	    (html && !c->html_path)) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(c->sink.self,
			"Out of memory.");
		return -1;
	}
	oc->grace_ns = (int64_t) params_uint(params, "grace-ms",
		ORACLE_DEFAULT_GRACE_NS / 1000000) * 1000000;
	oc->max_latency_ns = bt_value_map_has_entry(params, "max-latency-ms") ?
		ns_of(params_uint(params, "max-latency-ms", 0), 1000000) :
		-1;
	/* Only these list every arming and delivery; the text report and
	 * JUnit need the findings and latencies alone. */
	oc->keep_history = c->json || chrome || html ||
			   params_bool(params, "timeline", false);
	c->live = params_bool(params, "live", false);
	if (c->live) {
		oc->on_finding = live_finding;
		oc->on_overdue = live_overdue;
		oc->hook_arg = c;
	}
	return 0;
}

/* The selection parameters; 0, or -1 after appending an error cause. */
static int configure_filter(struct check *c, const bt_value *params,
			    struct filter_spec *spec)
{
	static const char *const times[2] = { "begin", "end" };
	struct filter_time *at[2] = { &spec->begin, &spec->end };
	const char *text;
	int i;

	*spec = (struct filter_spec) { .pid = -1 };
	spec->by_run = bt_value_map_has_entry(params, "run-uts-ns");
	spec->run_uts_ns = params_uint(params, "run-uts-ns", 0);
	if (bt_value_map_has_entry(params, "pid"))
		spec->pid = (int64_t) params_uint(params, "pid", 0);
	spec->job = params_string(params, "job", NULL);
	if (spec->job && strlen(spec->job) < FILTER_JOB_PREFIX_MIN) {
		BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(c->sink.self,
			"Parameter `job' wants a job id or at least its first "
			"%d characters, not \"%s\".", FILTER_JOB_PREFIX_MIN,
			spec->job);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		text = params_string(params, times[i], NULL);
		if (text && filter_parse_time(text, at[i])) {
			BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(
				c->sink.self, "Parameter `%s' wants milliseconds "
				"from the trace's first event or an ISO 8601 "
				"time (2026-11-30T08:41:47.5Z), not \"%s\".",
				times[i], text);
			return -1;
		}
	}
	return 0;
}

/* Gives the sink its filter, when anything is to be left out. */
static int attach_filter(struct check *c, const struct filter_spec *spec)
{
	if (!filter_active(spec))
		return 0;
	c->sink.filter = malloc(sizeof(*c->sink.filter));
	if (!c->sink.filter)
		return -1;
	filter_init(c->sink.filter, spec);
	c->sink.notes_out = c->json ? stderr : stdout;
	return 0;
}

/* The pictures need each job's states, transfers and processes. */
static int attach_history(struct check *c)
{
	c->sink.history = malloc(sizeof(*c->sink.history));
	if (!c->sink.history)
		return -1;
	history_init(c->sink.history);
	return 0;
}

static void check_destroy(struct check *c)
{
	bgc_sink_fini(&c->sink);
	free(c->junit_path);
	free(c->chrome_path);
	free(c->html_path);
	free(c);
}

bt_component_class_initialize_method_status check_init(
	bt_self_component_sink *self,
	bt_self_component_sink_configuration *config,
	const bt_value *params, void *init_data)
{
	bt_component_class_initialize_method_status status;
	struct oracle_config oc = { 0 };
	struct filter_spec spec;
	struct check *c = calloc(1, sizeof(*c));
	FILE *timeline_out;

	(void) config;
	if (!c)
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	c->sink.self = bt_self_component_sink_as_self_component(self);
	c->sink.on_end = check_end;
	c->host = init_data;
	if (params_validate(c->sink.self, params, check_params) ||
	    configure(c, params, &oc) ||
	    configure_filter(c, params, &spec)) {
		status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
		goto error;
	}
	/* Keep a JSON report on stdout parseable. */
	timeline_out = !params_bool(params, "timeline", false) ? NULL :
		       c->json ? stderr : stdout;
	status = bgc_sink_init(&c->sink, self, &oc, timeline_out);
	if (status != BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK)
		goto error;
	if (attach_filter(c, &spec)) {
		status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
		goto error;
	}
	if ((c->chrome_path || c->html_path) && attach_history(c)) {
		status = BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
		goto error;
	}
	c->sink.perf = c->host ? c->host->perf : NULL;
	bt_self_component_set_data(c->sink.self, c);
	goto end;

error:
	check_destroy(c);
end:
	return status;
}

void check_finalize(bt_self_component_sink *self)
{
	check_destroy(bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self)));
}
