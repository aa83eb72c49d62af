/* What the bgcopy command's verbs share: the parsed command, exit codes, messages. */
#ifndef BGCOPY_CLI_CLI_H
#define BGCOPY_CLI_CLI_H

#include <stdbool.h>

#include "bgcopy.h"

#define EXIT_JOB_ERROR 1
#define EXIT_USAGE 2

struct cli {
	const char *store;	/* NULL with --system: the daemon's */
	bool system;		/* --system: bgcopyd --system's jobs */
	unsigned test_options;
	int argc;
	char **argv;
};

/* One line "bgcopy: ..." on stderr, control characters escaped; returns code. */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The library's last error as a refused request (exit 2). */
int api_fail(int status);
int parse_uint(const char *text, const char *what, unsigned long max,
	       unsigned long *out);
/* Every job of the engine now, in creation order: *n of them; NULL short
 * of memory.  Through bgcopyd other programs may add or remove jobs
 * between the count and the fill: only what was filled is given. */
bgcopy_job **list_jobs_now(bgcopy_engine *engine, size_t *n);
/* Says which files a complete committed and which it dropped. */
int complete_and_report(bgcopy_job *job, const char *id);

#define DOWNLOAD_ARGS "[OPTIONS] URL FILE | -O URL... | -o DIR URL... | --list LIST"
#define DOWNLOAD_HELP \
	"\noptions:\n" \
	"  -O, --remote-name     name each file after its URL (the current directory)\n" \
	"  -o, --output-dir DIR  put each file in DIR, named after its URL\n" \
	"  --list LIST           the files of LIST ('URL PATH' a line, - for stdin)\n" \
	"  --timeout SECONDS     give up after this long without progress\n" \
	"  --retry-delay SECONDS wait this long between tries (at least 5; default 600)\n" \
	"  --parallel FILES      fetch up to FILES (1-16) of a job's files at once\n" \
	"  --keep                on Ctrl-C or an error keep the jobs: the same command resumes them\n" \
	"  --json                one JSON object a line on stdout: the job, its state\n" \
	"                        changes, the end\n" \
	"\nMore than 200 files go in several jobs, run at once.  Ctrl-C (or\n" \
	"SIGTERM) cancels the jobs and removes their temporary files (exit 130\n" \
	"or 143); a transient error is shown with its cause and the time of the\n" \
	"next try.\n"

int cmd_download(struct cli *cli, bgcopy_engine *engine);
/* file_list.c: LIST is a file or "-" for stdin, one "URL PATH" a line */
int add_list(bgcopy_job *job, const char *list);
int create_list(bgcopy_engine *engine, const char *name, const char *list);
int cmd_set_credentials(struct cli *cli, bgcopy_engine *engine);
int cmd_set_headers(struct cli *cli, bgcopy_engine *engine);
int cmd_set_proxy(struct cli *cli, bgcopy_engine *engine);
/* tls_options.c */
int cmd_set_client_cert(struct cli *cli, bgcopy_engine *engine);
int cmd_set_trust_file(struct cli *cli, bgcopy_engine *engine);
int cmd_set_security_flags(struct cli *cli, bgcopy_engine *engine);
/* bandwidth.c */
int cmd_set_bandwidth(struct cli *cli, bgcopy_engine *engine);
int cmd_set_parallel_files(struct cli *cli, bgcopy_engine *engine);
int cmd_set_bandwidth_schedule(struct cli *cli, bgcopy_engine *engine);
int cmd_bandwidth(struct cli *cli, bgcopy_engine *engine);

#endif
