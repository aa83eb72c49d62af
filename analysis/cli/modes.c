/*
 * The two modes: check traces or a live session; compare a baseline with a
 * new run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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

int mode_check(const struct options *opt, const bt_value *params,
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
	    graph_run(&in, params, &host))
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
int mode_baseline(const struct options *opt, const bt_value *params,
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
		if (graph_run(&in[i], params, &host[i]))
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
