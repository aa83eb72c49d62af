/*
 * json_check: validates the JSON files bgcopy-analyze writes, with
 * jansson alone (no scripting language needed on a fresh machine).
 *
 *   json_check chrome FILE [JOBS]   a Chrome/Perfetto trace-event file:
 *       {"traceEvents": [...]}, every event an object with a string "ph"
 *       and an integer "pid"; complete events ("X") with numeric "ts" and
 *       "dur" >= 0; instants ("i") with "ts"; flow starts ("s") matched by
 *       flow ends ("f") of the same id; with JOBS, complete events of
 *       exactly that many jobs (their args' "job").
 *   json_check report FILE [VERDICT]  the --format=json report: verdict,
 *       schema, events, jobs (each with id, verdict and findings), latency;
 *       with VERDICT, the overall verdict must be that.
 *
 * Prints one line saying what it found; exit 0 valid, 1 invalid, 2 usage.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(const char *path, const char *what, size_t i)
{
	fprintf(stderr, "json_check: %s: %s (element %zu)\n", path, what, i);
	return 1;
}

/* How many jobs the complete events name (args.job); -1 out of memory. */
static long count_jobs(json_t *events)
{
	json_t *seen = json_object(), *ev;
	const char *job;
	long n;
	size_t i;

	if (!seen)
		return -1;
	json_array_foreach(events, i, ev) {
		job = json_string_value(json_object_get(json_object_get(ev,
			"args"), "job"));
		if (job && !strcmp(json_string_value(json_object_get(ev, "ph")),
				   "X"))
			json_object_set_new(seen, job, json_true());
	}
	n = (long) json_object_size(seen);
	json_decref(seen);
	return n;
}

static int check_chrome(const char *path, json_t *doc, long jobs)
{
	json_t *events = json_object_get(doc, "traceEvents"), *ev;
	size_t i, n_x = 0, n_procs = 0;
	long flows = 0;

	if (!json_is_array(events) || !json_array_size(events))
		return bad(path, "no non-empty traceEvents array", 0);
	json_array_foreach(events, i, ev) {
		const char *ph = json_string_value(json_object_get(ev, "ph"));
		const char *name = json_string_value(json_object_get(ev, "name"));
		json_t *ts = json_object_get(ev, "ts");
		json_t *dur = json_object_get(ev, "dur");

		if (!json_is_object(ev) || !ph ||
		    !json_is_integer(json_object_get(ev, "pid")))
			return bad(path, "event without ph or pid", i);
		if (!strcmp(ph, "X")) {
			if (!json_is_number(ts) || !json_is_number(dur) ||
			    json_number_value(dur) < 0 || !name)
				return bad(path, "complete event without name, "
					   "ts or a dur >= 0", i);
			n_x++;
		} else if (!strcmp(ph, "M")) {
			if (!name || !json_is_object(json_object_get(ev, "args")))
				return bad(path, "metadata event without name "
					   "or args", i);
			n_procs += !strcmp(name, "process_name");
		} else if (!strcmp(ph, "i") || !strcmp(ph, "s") ||
			   !strcmp(ph, "f")) {
			if (!json_is_number(ts))
				return bad(path, "event without ts", i);
			flows += !strcmp(ph, "s") - !strcmp(ph, "f");
		} else {
			return bad(path, "unknown ph", i);
		}
	}
	if (flows)
		return bad(path, "flow starts and ends do not pair", i);
	if (jobs >= 0 && count_jobs(events) != jobs)
		return bad(path, "the slices' jobs do not match the jobs",
			   (size_t) count_jobs(events));
	printf("chrome trace ok: %zu events, %zu slices, %ld jobs, %zu "
	       "processes\n", json_array_size(events), n_x,
	       count_jobs(events), n_procs);
	return 0;
}

static int check_report(const char *path, json_t *doc, const char *want)
{
	const char *verdict = json_string_value(json_object_get(doc, "verdict"));
	json_t *jobs = json_object_get(doc, "jobs"), *job;
	size_t i;

	if (!verdict || !json_is_integer(json_object_get(doc, "schema")) ||
	    !json_is_integer(json_object_get(doc, "events")) ||
	    !json_is_array(jobs) ||
	    !json_is_object(json_object_get(doc, "latency")))
		return bad(path, "verdict, schema, events, jobs or latency "
			   "missing", 0);
	json_array_foreach(jobs, i, job) {
		if (!json_string_value(json_object_get(job, "id")) ||
		    !json_string_value(json_object_get(job, "verdict")) ||
		    !json_is_array(json_object_get(job, "findings")))
			return bad(path, "job without id, verdict or findings",
				   i);
	}
	if (want && strcmp(want, verdict)) {
		fprintf(stderr, "json_check: %s: verdict %s, expected %s\n",
			path, verdict, want);
		return 1;
	}
	printf("report ok: verdict %s, %zu jobs\n", verdict,
	       json_array_size(jobs));
	return 0;
}

int main(int argc, char **argv)
{
	json_error_t err;
	json_t *doc;
	int ret;

	if (argc < 3 || argc > 4 ||
	    (strcmp(argv[1], "chrome") && strcmp(argv[1], "report"))) {
		fprintf(stderr, "usage: json_check chrome FILE [JOBS] | "
			"report FILE [VERDICT]\n");
		return 2;
	}
	doc = json_load_file(argv[2], JSON_REJECT_DUPLICATES, &err);
	if (!doc) {
		fprintf(stderr, "json_check: %s:%d:%d: %s\n", argv[2], err.line,
			err.column, err.text);
		return 1;
	}
	if (!json_is_object(doc))
		ret = bad(argv[2], "top level is not an object", 0);
	else if (!strcmp(argv[1], "chrome"))
		ret = check_chrome(argv[2], doc,
				   argc == 4 ? strtol(argv[3], NULL, 10) : -1);
	else
		ret = check_report(argv[2], doc, argc == 4 ? argv[3] : NULL);
	json_decref(doc);
	return ret;
}
