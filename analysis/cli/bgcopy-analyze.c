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
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "filter.h"

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
	"  --html=FILE             also write a self-contained HTML page: the\n"
	"                          verdict, a timeline per job with findings\n"
	"                          marked, latency histograms\n"
	"  --max-latency-ms=N      bound for G8 (arming to first callback)\n"
	"  --grace-ms=N            slack on every deadline (default 1000)\n"
	"  --allow-inconclusive    exit 0 rather than 2 on INCONCLUSIVE\n"
	"  --timeline              also print one timeline per job\n"
	"Selection (the verdict and the timeline; what is left out is\n"
	"counted in one line):\n"
	"  --run=FILE              only the processes of one `bgcopy record'\n"
	"                          run: FILE is the bgcopy-run file it leaves\n"
	"                          in its trace directory\n"
	"  --pid=PID               only that process's jobs and engines\n"
	"  --job=ID                only that job: its id or a unique prefix\n"
	"                          of at least 8 characters\n"
	"  --begin=T, --end=T      only the jobs whose first event lies in\n"
	"                          the window, and in the timeline only the\n"
	"                          events in it; T is milliseconds from the\n"
	"                          trace's first event or ISO 8601 wall-clock\n"
	"                          time (2026-11-30T08:41:47.250Z; no zone:\n"
	"                          local time)\n"
	"  --help                  show this help\n"
	"  --version               show the version and the trace schemas read\n"
	"\n"
	"Live:\n"
	"  --live=URL              follow the LTTng live session at URL, as\n"
	"                          `bgcopy record --live' prints it:\n"
	"                          net://RELAY[:PORT]/host/HOST/SESSION\n"
	"It waits up to 30 s for the session (and its relay daemon) to\n"
	"appear; a server there that answers something else, or nothing in\n"
	"5 s, is no relay daemon: it says so on one line and exits 3.  It\n"
	"says `following URL' on stderr once attached, then prints on stderr\n"
	"each finding the moment it is certain (and, with --max-latency-ms,\n"
	"each notification overdue past the bound that has not begun), and\n"
	"the report on stdout when the session ends.  babeltrace2 follows a\n"
	"live session from its newest data: start the jobs after `following',\n"
	"or the jobs whose start was missed are INCONCLUSIVE.  Same exit\n"
	"status as below.\n"
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

/* ---- options --------------------------------------------------------- */

static void print_version(void)
{
	printf("bgcopy-analyze %s (trace schemas %d to %d; babeltrace2 "
	       "%" PRIu64 ".%" PRIu64 ".%" PRIu64 ")\n", ANALYZE_VERSION,
	       ORACLE_SCHEMA_OLDEST, ORACLE_SCHEMA,
	       (uint64_t) bt_version_get_major(),
	       (uint64_t) bt_version_get_minor(),
	       (uint64_t) bt_version_get_patch());
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

/* A selection option as the check sink's parameter; 0 or -1. */
static int add_selection(bt_value *params, int c, const char *name,
			 const char *arg)
{
	struct filter_spec spec = { 0 };
	char why[PATH_MAX + 64];
	uint64_t n;

	switch (c) {
	case 'r':
		if (filter_read_run(arg, &spec, why, sizeof(why))) {
			fprintf(stderr, "bgcopy-analyze: --run: %s\n", why);
			return -1;
		}
		return bt_value_map_insert_unsigned_integer_entry(params,
			"run-uts-ns", spec.run_uts_ns);
	case 'p':
		if (parse_ms(name, arg, &n))
			return -1;
		return bt_value_map_insert_unsigned_integer_entry(params,
								  name, n);
	default:
		/* Checked by the sink, which says what is wrong. */
		return bt_value_map_insert_string_entry(params, name, arg);
	}
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
		{ "html", required_argument, NULL, 'H' },
		{ "max-latency-ms", required_argument, NULL, 'l' },
		{ "grace-ms", required_argument, NULL, 'g' },
		{ "allow-inconclusive", no_argument, NULL, 'a' },
		{ "timeline", no_argument, NULL, 't' },
		{ "live", required_argument, NULL, 'L' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "max-regression", required_argument, NULL, 'R' },
		{ "latency-floor-ms", required_argument, NULL, 'F' },
		{ "url-key", required_argument, NULL, 'K' },
		{ "run", required_argument, NULL, 'r' },
		{ "pid", required_argument, NULL, 'p' },
		{ "job", required_argument, NULL, 'J' },
		{ "begin", required_argument, NULL, 'b' },
		{ "end", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
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
		case 'H':
			opt->check_only = longopts[idx].name;
			bad = bt_value_map_insert_string_entry(params,
				longopts[idx].name, optarg);
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
		case 'r':
		case 'p':
		case 'J':
		case 'b':
		case 'e':
			opt->check_only = longopts[idx].name;
			bad = add_selection(params, c, longopts[idx].name,
					    optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_PASS);
		case 'V':
			print_version();
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
		status = mode_baseline(&opt, params, argv[optind]);
	else
		status = mode_check(&opt, params, argc, argv);
end:
	bt_value_put_ref(params);
	return status;
}
