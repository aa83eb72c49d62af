/*
 * What the files of bgcopy-analyze share: its modes, options and exit
 * statuses.
 */
#ifndef BGCOPY_CLI_H
#define BGCOPY_CLI_H

#include <stdbool.h>

#include <babeltrace2/babeltrace.h>

#include "compare.h"
#include "perf.h"
#include "plugin/check.h"
#include "tracedir.h"

/*
 * Layers: a file calls only the files above it.
 *   error.c            a babeltrace2 failure, told on one line
 *   live.c             waiting for a live session to be listed
 *   graph.c            building and running one graph into the check sink
 *   modes.c            checking traces or a session; comparing a baseline
 *   bgcopy-analyze.c   the command line: options, usage, main
 */

/* The package's version, as tracer/bgcopy.pc.in has it. */
#define ANALYZE_VERSION "1.0.0"

/* The exit statuses (see the usage text). */
enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_REGRESSED = 1,
	EXIT_INCONCLUSIVE = 2,
	EXIT_TROUBLE = 3,
};

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

/* Prints fmt (with arg) and the innermost cause of the thread's error. */
void cli_print_error(const char *fmt, const char *arg);

/* Waits for the relay daemon to list the session at `url'; 0 or -1. */
int live_wait_for_session(const bt_plugin *ctf, const char *url);

/* Builds and runs the graph; fills *host.  0, or -1 after a message. */
int graph_run(const struct input *in, const bt_value *params,
	      struct check_host *host);

/* The exit status of checking the traces (argv) or the live session. */
int mode_check(const struct options *opt, const bt_value *params,
	       int argc, char **argv);
/* The exit status of comparing opt->old_path with new_path. */
int mode_baseline(const struct options *opt, const bt_value *params,
		  char *new_path);

#endif /* BGCOPY_CLI_H */
