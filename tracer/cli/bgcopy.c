/*
 * bgcopy: the command-line face of libbgcopy, in the spirit of bitsadmin.
 *
 * Exit status: 0 success, 1 a job ended in error, 2 a usage error or a
 * refused request (one line on stderr says which).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bgcopy.h"
#include "cli.h"
#include "job_view.h"
#include "meter.h"
#include "monitor.h"
#include "safe_text.h"
#include "waiter.h"

int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("bgcopy: ", stderr);
	va_start(ap, fmt);
	vprint_safe(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* A request the library refused or could not carry out; exit 1 is kept
 * for jobs that end in error. */
int api_fail(int status)
{
	(void)status;
	return fail(EXIT_USAGE, "%s", bgcopy_last_error());
}

static const char *default_store(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(buf, size, "%s/bgcopy", xdg);
	else
		snprintf(buf, size, "%s/.local/state/bgcopy", home ? home : ".");
	return buf;
}

static int open_engine(struct cli *cli, unsigned flags, bgcopy_engine **engine)
{
	/* Through bgcopyd, started if need be: several commands at once. */
	struct bgcopy_engine_options opt = {
		.flags = flags | (cli->system ? BGCOPY_OPEN_SYSTEM : BGCOPY_OPEN_SERVICE),
		.test_options = cli->test_options,
	};
	int status = bgcopy_engine_open(cli->store, &opt, engine);

	return status ? api_fail(status) : 0;
}

/* ---- option parsing helpers ------------------------------------------ */

/* Only right after the verb: later words may be a program's own. */
static bool wants_help(struct cli *cli)
{
	return cli->argc > 1 && (!strcmp(cli->argv[1], "--help") ||
				 !strcmp(cli->argv[1], "-h"));
}

int parse_uint(const char *text, const char *what, unsigned long max,
		      unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno || end == text || *end || *text == '-' || *out > max)
		return fail(EXIT_USAGE, "%s must be a whole number up to %lu, not '%s'",
			    what, max, text);
	return 0;
}

static int find_job(bgcopy_engine *engine, const char *id, bgcopy_job **job)
{
	int status = bgcopy_engine_find_job(engine, id, job);

	return status ? api_fail(status) : 0;
}

static int need_args(struct cli *cli, int n, const char *usage)
{
	if (cli->argc - 1 != n)
		return fail(EXIT_USAGE, "usage: bgcopy %s %s", cli->argv[0], usage);
	return 0;
}

/* ---- verbs ----------------------------------------------------------- */

static int cmd_create(struct cli *cli, bgcopy_engine *engine)
{
	char id[37];
	bgcopy_job *job;
	int status;

	if (cli->argc >= 3 && !strcmp(cli->argv[cli->argc - 2], "--list") &&
	    cli->argc <= 4)
		return create_list(engine, cli->argc == 4 ? cli->argv[1] : "",
				   cli->argv[cli->argc - 1]);
	if (cli->argc > 2)
		return fail(EXIT_USAGE, "usage: bgcopy create [NAME] [--list LIST]");
	status = bgcopy_job_create(engine, cli->argc == 2 ? cli->argv[1] : "", &job);
	if (status)
		return api_fail(status);
	bgcopy_job_get_id(job, id);
	printf("%s\n", id);
	return 0;
}

/* Takes `--sha256 HEX` out of the verb's words; *hex stays NULL without
 * it.  The library judges the digest. */
static int take_sha256(struct cli *cli, const char **hex)
{
	*hex = NULL;
	for (int i = 1; i < cli->argc; i++) {
		if (strcmp(cli->argv[i], "--sha256"))
			continue;
		if (i + 1 >= cli->argc)
			return fail(EXIT_USAGE, "--sha256 needs a digest (64 "
				    "hexadecimal digits)");
		*hex = cli->argv[i + 1];
		memmove(&cli->argv[i], &cli->argv[i + 2],
			(size_t)(cli->argc - i - 2) * sizeof(*cli->argv));
		cli->argc -= 2;
		break;
	}
	return 0;
}

static int cmd_add(struct cli *cli, bgcopy_engine *engine)
{
	const char *sha256;
	bgcopy_job *job;
	int rc = take_sha256(cli, &sha256);

	if (!rc && cli->argc == 4 && !strcmp(cli->argv[2], "--list"))
		return (rc = find_job(engine, cli->argv[1], &job)) ? rc :
		       add_list(job, cli->argv[3]);
	if (rc || (rc = need_args(cli, 3, "JOB URL FILE [--sha256 HEX] | JOB --list LIST")) ||
	    (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_add_file_sha256(job, cli->argv[2], cli->argv[3], sha256);
	return rc ? api_fail(rc) : 0;
}

static int job_action(struct cli *cli, bgcopy_engine *engine,
		      int (*action)(bgcopy_job *))
{
	bgcopy_job *job;
	int rc = need_args(cli, 1, "JOB");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = action(job);
	return rc ? api_fail(rc) : 0;
}

static int cmd_resume(struct cli *c, bgcopy_engine *e) { return job_action(c, e, bgcopy_job_resume); }
static int cmd_suspend(struct cli *c, bgcopy_engine *e) { return job_action(c, e, bgcopy_job_suspend); }
static int cmd_cancel(struct cli *c, bgcopy_engine *e) { return job_action(c, e, bgcopy_job_cancel); }

/* BITS' TakeOwnership: root makes another user's job its own (the
 * engine opened for every user's jobs: all_users_flags). */
static int cmd_take_ownership(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	int rc = need_args(cli, 1, "JOB");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_take_ownership(job, (uint32_t)getuid());
	return rc ? api_fail(rc) : 0;
}

struct file_fate {
	bool committed;
	uint64_t bytes;
	int64_t total;
	char path[4096];
};

static void print_fates(const struct file_fate *fate, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (fate[i].committed)
			print_safe(stdout, "committed %s (%llu bytes)\n", fate[i].path,
				   (unsigned long long)fate[i].bytes);
		else if (fate[i].total < 0)
			print_safe(stdout, "dropped %s (not transferred: %llu bytes)\n",
				   fate[i].path, (unsigned long long)fate[i].bytes);
		else
			print_safe(stdout, "dropped %s (not transferred: %llu of %lld bytes)\n",
				   fate[i].path, (unsigned long long)fate[i].bytes,
				   (long long)fate[i].total);
	}
}

/* Which files complete commits is known only before it: afterwards the
 * job has let its files go. */
int complete_and_report(bgcopy_job *job, const char *id)
{
	enum bgcopy_state state = bgcopy_job_get_state(job);
	struct bgcopy_file_info *f = malloc(sizeof(*f));
	struct file_fate *fate = NULL;
	struct bgcopy_progress p;
	int rc = bgcopy_job_get_progress(job, &p);

	if (!rc && (!f || !(fate = calloc(p.files_total + 1, sizeof(*fate)))))
		rc = BGCOPY_E_NOMEM;
	for (unsigned i = 0; !rc && i < p.files_total; i++) {
		if (!(rc = bgcopy_job_get_file(job, i, f))) {
			fate[i] = (struct file_fate){ .committed = f->completed,
				.bytes = f->bytes_transferred, .total = f->bytes_total };
			snprintf(fate[i].path, sizeof(fate[i].path), "%s", f->local_path);
		}
	}
	if (rc || (rc = bgcopy_job_complete(job))) {
		rc = api_fail(rc);
		goto end;
	}
	if (state != BGCOPY_TRANSFERRED)
		printf("job %s never transferred (it was %s): %u of %u files committed\n",
		       id, bgcopy_state_name(state), p.files_transferred, p.files_total);
	print_fates(fate, p.files_total);
end:
	free(fate);
	free(f);
	return rc;
}

static int cmd_complete(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	int rc = need_args(cli, 1, "JOB");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	return complete_and_report(job, cli->argv[1]);
}

static int parse_priority(const char *text, enum bgcopy_priority *out)
{
	for (int p = BGCOPY_PRIORITY_FOREGROUND; p <= BGCOPY_PRIORITY_LOW; p++) {
		if (!strcasecmp(text, bgcopy_priority_name(p))) {
			*out = p;
			return 0;
		}
	}
	return fail(EXIT_USAGE, "priority must be foreground, high, normal or low, not '%s'",
		    text);
}

static int cmd_set_redirect_policy(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	int rc = need_args(cli, 2, "JOB allow|disallow|allow-insecure");

	for (int p = BGCOPY_REDIRECT_ALLOW; !rc && p <= BGCOPY_REDIRECT_ALLOW_INSECURE; p++) {
		if (strcmp(cli->argv[2], bgcopy_redirect_policy_name(p)))
			continue;
		if ((rc = find_job(engine, cli->argv[1], &job)))
			return rc;
		rc = bgcopy_job_set_redirect_policy(job, p);
		return rc ? api_fail(rc) : 0;
	}
	return rc ? rc : fail(EXIT_USAGE, "redirect policy must be allow, disallow "
			      "or allow-insecure, not '%s'", cli->argv[2]);
}

static int cmd_set_priority(struct cli *cli, bgcopy_engine *engine)
{
	enum bgcopy_priority p = BGCOPY_PRIORITY_NORMAL;
	bgcopy_job *job;
	int rc = need_args(cli, 2, "JOB foreground|high|normal|low");

	if (rc || (rc = parse_priority(cli->argv[2], &p)) ||
	    (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_set_priority(job, p);
	return rc ? api_fail(rc) : 0;
}

static int set_seconds(struct cli *cli, bgcopy_engine *engine,
		       int (*setter)(bgcopy_job *, uint32_t))
{
	unsigned long seconds;
	bgcopy_job *job;
	int rc = need_args(cli, 2, "JOB SECONDS");

	if (rc || (rc = parse_uint(cli->argv[2], "SECONDS", UINT32_MAX, &seconds)) ||
	    (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = setter(job, (uint32_t)seconds);
	return rc ? api_fail(rc) : 0;
}

static int cmd_set_retry_delay(struct cli *c, bgcopy_engine *e)
{
	return set_seconds(c, e, bgcopy_job_set_min_retry_delay);
}

/* on or off: BITS_JOB_PROPERTY_DYNAMIC_CONTENT. */
static int cmd_set_dynamic_content(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	int rc = need_args(cli, 2, "JOB on|off");

	if (rc)
		return rc;
	if (strcmp(cli->argv[2], "on") && strcmp(cli->argv[2], "off"))
		return fail(EXIT_USAGE, "dynamic content is on or off, not '%s'", cli->argv[2]);
	if ((rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_set_dynamic_content(job, !strcmp(cli->argv[2], "on"));
	return rc ? api_fail(rc) : 0;
}

static int cmd_set_max_download_time(struct cli *c, bgcopy_engine *e)
{
	return set_seconds(c, e, bgcopy_job_set_max_download_time);
}

static int cmd_set_no_progress_timeout(struct cli *c, bgcopy_engine *e)
{
	return set_seconds(c, e, bgcopy_job_set_no_progress_timeout);
}

static int cmd_set_notify_cmd_timeout(struct cli *c, bgcopy_engine *e)
{
	return set_seconds(c, e, bgcopy_job_set_notify_cmdline_timeout);
}

static int cmd_set_max_download(struct cli *cli, bgcopy_engine *engine)
{
	unsigned long bytes;
	bgcopy_job *job;
	int rc = need_args(cli, 2, "JOB BYTES");

	if (rc || (rc = parse_uint(cli->argv[2], "BYTES", ULONG_MAX, &bytes)) ||
	    (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_set_max_download_size(job, bytes);
	return rc ? api_fail(rc) : 0;
}

static int cmd_set_flags(struct cli *cli, bgcopy_engine *engine)
{
	unsigned long flags;
	bgcopy_job *job;
	const char *text, *digits;
	char *end;
	bool hex;
	int rc = need_args(cli, 2, "JOB FLAGS (e.g. 0x3)");

	if (rc)
		return rc;
	text = cli->argv[2];
	/* Hex only with 0x: a leading 0 is not octal. */
	hex = !strncasecmp(text, "0x", 2);
	digits = text + (hex ? 2 : 0);
	errno = 0;
	flags = strtoul(digits, &end, hex ? 16 : 10);
	if (errno || *end || !(hex ? isxdigit : isdigit)((unsigned char)*digits) ||
	    flags > UINT32_MAX)
		return fail(EXIT_USAGE, "FLAGS must be a number, decimal or hex with 0x "
			    "(such as 0x3), not '%s'", text);
	if ((rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_set_notify_flags(job, (uint32_t)flags);
	return rc ? api_fail(rc) : 0;
}

static int cmd_set_notify_cmd(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	int rc;

	if (cli->argc < 3)
		return fail(EXIT_USAGE, "usage: bgcopy set-notify-cmd JOB PROGRAM [ARG...]");
	if ((rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_set_notify_cmdline(job, (const char *const *)cli->argv + 2);
	return rc ? api_fail(rc) : 0;
}

static int cmd_clear_notify_cmd(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	int rc = need_args(cli, 1, "JOB");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_set_notify_cmdline(job, NULL);
	return rc ? api_fail(rc) : 0;
}

/* set-notify-service JOB NAME, clear-notify-service JOB. */
static int cmd_notify_service(struct cli *cli, bgcopy_engine *engine)
{
	bool set = !strcmp(cli->argv[0], "set-notify-service");
	bgcopy_job *job;
	int rc = need_args(cli, set ? 2 : 1, set ? "JOB NAME" : "JOB");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_set_notify_service(job, set ? cli->argv[2] : NULL);
	return rc ? api_fail(rc) : 0;
}

/* Takes `flag` out of the verb's arguments; true when it was there. */
static bool take_flag(struct cli *cli, const char *flag)
{
	for (int i = 1; i < cli->argc; i++) {
		if (!strcmp(cli->argv[i], flag)) {
			memmove(cli->argv + i, cli->argv + i + 1,
				(size_t)(cli->argc - i) * sizeof(char *));
			cli->argc--;
			return true;
		}
	}
	return false;
}

static int cmd_info(struct cli *cli, bgcopy_engine *engine)
{
	bool json = take_flag(cli, "--json");
	bool show_args = take_flag(cli, "--show-args");
	bool headers = take_flag(cli, "--headers");
	bgcopy_job *job;
	json_t *o;
	int rc = need_args(cli, 1, "JOB [--json] [--show-args] [--headers]");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	o = job_json(job, show_args);
	if (o && headers)
		add_response_headers(job, o);
	if (!o)
		return fail(EXIT_USAGE, "out of memory");
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_job_text(o);
	}
	json_decref(o);
	return 0;
}

/* The owner column of list --all-users: a user name, or the uid. */
static const char *owner_name(uint32_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%u", (unsigned)uid);
	return buf;
}

bgcopy_job **list_jobs_now(bgcopy_engine *engine, size_t *n)
{
	size_t want = bgcopy_engine_list_jobs(engine, NULL, 0), got;
	bgcopy_job **jobs = calloc(want ? want : 1, sizeof(*jobs));

	*n = 0;
	if (!jobs)
		return NULL;
	got = bgcopy_engine_list_jobs(engine, jobs, want);
	*n = got < want ? got : want;
	return jobs;
}

static int cmd_list(struct cli *cli, bgcopy_engine *engine)
{
	bool json = take_flag(cli, "--json");
	bool show_args = take_flag(cli, "--show-args");
	bool all_users = take_flag(cli, "--all-users");	/* list_open_flags opened for it */
	char owner[64];
	size_t n = 0;
	bgcopy_job **jobs = NULL;
	json_t *all = json_array();
	int rc = need_args(cli, 0, "[--json] [--show-args] [--all-users]");

	if (!rc && (!(jobs = list_jobs_now(engine, &n)) || !all))
		rc = fail(EXIT_USAGE, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *o;

		/* Gone for the user, as a store reopened shows it; bgcopyd
		 * keeps them in memory until it restarts. */
		if (bgcopy_job_get_state(jobs[i]) == BGCOPY_ACKNOWLEDGED ||
		    bgcopy_job_get_state(jobs[i]) == BGCOPY_CANCELLED)
			continue;
		o = job_json(jobs[i], show_args);
		if (json)
			json_array_append_new(all, o);
		else if (o && all_users) {
			print_safe(stdout, "%s  %-15s %-10s %-12s %s\n",
			       json_string_value(json_object_get(o, "id")),
			       json_string_value(json_object_get(o, "state")),
			       json_string_value(json_object_get(o, "priority")),
			       owner_name(bgcopy_job_get_owner(jobs[i]), owner, sizeof(owner)),
			       json_string_value(json_object_get(o, "name")));
			json_decref(o);
		} else if (o) {
			print_safe(stdout, "%s  %-15s %-10s %s\n",
			       json_string_value(json_object_get(o, "id")),
			       json_string_value(json_object_get(o, "state")),
			       json_string_value(json_object_get(o, "priority")),
			       json_string_value(json_object_get(o, "name")));
			json_decref(o);
		}
	}
	if (json && !rc) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(all);
	free(jobs);
	return rc;
}

static bool wait_tick(void *meter)
{
	meter_update(meter);
	return true;
}

static int cmd_wait(struct cli *cli, bgcopy_engine *engine)
{
	struct waiter w;
	struct meter meter;
	bgcopy_job *job;
	uint32_t flags;
	enum outcome outcome;
	int rc = need_args(cli, 1, "JOB");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	if (bgcopy_job_get_state(job) == BGCOPY_SUSPENDED)
		return fail(EXIT_USAGE, "job %s is SUSPENDED: resume it first",
			    cli->argv[1]);
	waiter_init(&w, NULL);
	rc = bgcopy_job_set_notify_interface(job, &w.base);
	if (rc) {
		waiter_destroy(&w);
		return api_fail(rc);
	}
	meter_init(&meter, isatty(STDERR_FILENO) ? METER_TTY : METER_PLAIN, job, cli->argv[1]);
	flags = bgcopy_job_get_notify_flags(job);
	outcome = waiter_wait(&w, job, (flags & BGCOPY_NOTIFY_DISABLE) ||
			      (flags & BGCOPY_NOTIFY_DEFAULT) != BGCOPY_NOTIFY_DEFAULT,
			      wait_tick, &meter);
	meter_end(&meter);
	bgcopy_job_set_notify_interface(job, NULL);
	if (outcome != OUTCOME_TRANSFERRED)
		rc = fail(EXIT_JOB_ERROR, "job %s: %s", cli->argv[1], w.error.description);
	else
		printf("%s\n", bgcopy_state_name(bgcopy_job_get_state(job)));
	waiter_destroy(&w);
	return rc;
}

static int cmd_run(struct cli *cli, bgcopy_engine *engine)
{
	size_t n;
	bgcopy_job **jobs;
	int rc = need_args(cli, 0, "");

	if (rc)
		return rc;
	bgcopy_engine_wait_idle(engine, -1);
	if (!(jobs = list_jobs_now(engine, &n)))
		return fail(EXIT_USAGE, "out of memory");
	for (size_t i = 0; i < n; i++) {
		uint32_t pending = bgcopy_job_get_pending_notifications(jobs[i]);
		enum bgcopy_state state = bgcopy_job_get_state(jobs[i]);
		char id[37];

		bgcopy_job_get_id(jobs[i], id);
		printf("%s %s%s\n", id, bgcopy_state_name(state),
		       pending ? " (notification pending: waiting for a retry "
				 "or an interface)" : "");
		if (state == BGCOPY_ERROR)
			rc = EXIT_JOB_ERROR;
	}
	free(jobs);
	return rc;
}

/* Through bgcopyd: a monitor in its own engine would see no other
 * process's jobs move. */
static int cmd_monitor(struct cli *cli, bgcopy_engine *engine)
{
	return monitor_run(engine, cli->argc, cli->argv);
}

#define RW 0
#define RO BGCOPY_OPEN_READ_ONLY
#define ADMIN BGCOPY_OPEN_NO_TRANSFER

typedef int (*verb_fn)(struct cli *, bgcopy_engine *);

static const struct {
	const char *name, *args, *summary;
	verb_fn run;
	unsigned flags;
} verbs[] = {
	{ "download", DOWNLOAD_ARGS, "download now (create, resume, wait, complete)", cmd_download, RW },
	{ "create", "[NAME] [--list LIST]", "create a job (SUSPENDED) and print its id; with --list, as many jobs as LIST's files need (200 a job), each id printed", cmd_create, ADMIN },
	{ "add", "JOB URL FILE [--sha256 HEX] | JOB --list LIST", "add a file to a job (with the SHA-256 it must have); --list: every 'URL PATH' line of LIST (- for stdin), all or none", cmd_add, ADMIN },
	{ "resume", "JOB", "queue a SUSPENDED or ERROR job", cmd_resume, ADMIN },
	{ "suspend", "JOB", "suspend a job", cmd_suspend, ADMIN },
	{ "cancel", "JOB", "cancel a job and remove its temporary files", cmd_cancel, ADMIN },
	{ "complete", "JOB", "commit a job's files and acknowledge it", cmd_complete, ADMIN },
	{ "take-ownership", "JOB", "root: make another user's job root's, without its command line, credentials and headers (bgcopyd --system)", cmd_take_ownership, ADMIN },
	{ "info", "JOB [--json] [--show-args] [--headers]", "show a job (the command line's arguments only with --show-args; each file's last HTTP response headers with --headers)", cmd_info, RO },
	{ "list", "[--json] [--show-args] [--all-users]", "list the jobs (--all-users: every user's, root, through bgcopyd --system)", cmd_list, RO },
	{ "set-priority", "JOB PRIORITY", "foreground, high, normal or low", cmd_set_priority, ADMIN },
	{ "set-retry-delay", "JOB SECONDS", "minimum retry delay (at least 5)", cmd_set_retry_delay, ADMIN },
	{ "set-no-progress-timeout", "JOB SECONDS", "fail a job making no progress this long", cmd_set_no_progress_timeout, ADMIN },
	{ "set-max-download", "JOB BYTES", "largest file the job may download (0: no limit)", cmd_set_max_download, ADMIN },
	{ "set-redirect-policy", "JOB POLICY", "allow (not https to http, the default), disallow or allow-insecure", cmd_set_redirect_policy, ADMIN },
	{ "set-credentials", "JOB --user U [--scheme S] [--password-file F] | JOB --clear", "the server's user and password (basic, digest or any: the default), the password read from F or stdin", cmd_set_credentials, ADMIN },
	{ "set-headers", "JOB --file F | JOB --clear", "headers sent with every request of the job (one 'Name: value' a line, 16 KiB in all)", cmd_set_headers, ADMIN },
	/* Issue 16: the proxy, BITS' SetProxySettings, and its credentials. */
	{ "set-proxy", "JOB --preconfig | JOB --no-proxy | JOB --override PROXIES [--bypass HOSTS]", "the environment's proxy (the default), none, or the first of PROXIES with HOSTS reached directly", cmd_set_proxy, ADMIN },
	{ "set-proxy-credentials", "JOB --user U [--scheme S] [--password-file F] | JOB --clear", "the proxy's user and password, as set-credentials takes the server's", cmd_set_credentials, ADMIN },
	{ "set-max-download-time", "JOB SECONDS", "fail a job that spends this long connecting and transferring (0: no limit; default 90 days)", cmd_set_max_download_time, ADMIN },
	{ "set-dynamic-content", "JOB on|off", "accept servers with no length or no ranges: every attempt from byte 0, a body ended by a close taken as whole", cmd_set_dynamic_content, ADMIN },
	{ "set-bandwidth", "[JOB] BYTES_PER_S", "cap a job's transfers, or without JOB the engine's, shared by jobs not foreground (0: none; bgcopyd's: root only)", cmd_set_bandwidth, ADMIN },
	{ "set-parallel-files", "JOB FILES", "fetch up to FILES (1-16) of the job's files at once; 1, the default, is one at a time", cmd_set_parallel_files, ADMIN },
	{ "set-client-cert", "JOB --cert FILE [--key FILE] | JOB --clear", "present this PEM certificate and key (mode 0600) to servers that ask", cmd_set_client_cert, ADMIN },
	{ "set-ca-file", "JOB FILE | JOB --clear", "trust the CAs of this PEM file instead of the system's", cmd_set_trust_file, ADMIN },
	{ "set-crl-file", "JOB FILE | JOB --clear", "the PEM CRLs that set-security-flags check-revocation checks against", cmd_set_trust_file, ADMIN },
	{ "set-security-flags", "JOB FLAGS", "check-revocation,ignore-cn-invalid,no-server-verification,redirect-...; a number, or none", cmd_set_security_flags, ADMIN },
	{ "set-bandwidth-schedule", "'DAYS FROM-TO BYTES_PER_S[; ...]' | --clear", "bgcopyd's caps by hour and weekday (mon-fri 8-18 2000000); else set-bandwidth's (root)", cmd_set_bandwidth_schedule, ADMIN },
	{ "bandwidth", "", "bgcopyd's bandwidth cap and schedule", cmd_bandwidth, ADMIN },
	{ "set-flags", "JOB FLAGS", "notify flags: 0x1 transferred, 0x2 error, 0x4 disable, 0x8 modification, 0x10 file", cmd_set_flags, ADMIN },
	{ "set-notify-cmd", "JOB PROGRAM [ARG...]", "run PROGRAM ARGS JOB-ID EVENT when no interface takes a notification", cmd_set_notify_cmd, ADMIN },
	{ "set-notify-cmd-timeout", "JOB SECONDS", "kill the command line's process group after SECONDS (default 300); the attempt failed", cmd_set_notify_cmd_timeout, ADMIN },
	{ "clear-notify-cmd", "JOB", "remove the notify command line", cmd_clear_notify_cmd, ADMIN },
	{ "set-notify-service", "JOB NAME", "the D-Bus service bgcopyd calls (activating it) when no program registered an interface", cmd_notify_service, ADMIN },
	{ "clear-notify-service", "JOB", "remove the notify service", cmd_notify_service, ADMIN },
	{ "wait", "JOB", "run the engine until JOB is TRANSFERRED (0) or ERROR (1)", cmd_wait, RW },
	{ "run", "", "run the engine until every job has settled", cmd_run, RW },
	{ "monitor", "[--interval MS]", "stream every state each job enters, in order, and its progress every MS at most (through bgcopyd), until interrupted", cmd_monitor, ADMIN },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: bgcopy [--store DIR | --system] VERB [ARGS]\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-24s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "  %-24s %s\n", "record",
		"run a command under a lossless bgcopy trace (record --help)");
	fprintf(out, "\nglobal options:\n"
		"  --store DIR        job store (default $XDG_STATE_HOME/bgcopy or\n"
		"                     ~/.local/state/bgcopy)\n"
		"  --system           the machine's bgcopyd --system (" BGCOPY_SYSTEM_SOCKET "),\n"
		"                     never started here; also for record's COMMAND\n"
		"  --test-short-retry allow retry delays under 5 s (tests only; traced)\n"
		"  --test-allow-file  allow file:// URLs (tests only; traced)\n"
		"  -h, --help         this help; VERB --help for a verb\n"
		"  --version          the version\n"
		"\nexit status: 0 success, 1 a job error, 2 a usage error or refused request\n");
}

/* list --all-users and take-ownership reach every user's jobs, which only
 * root may and only bgcopyd --system holds (the library refuses the rest). */
static int all_users_flags(const struct cli *cli, verb_fn run, unsigned *flags)
{
	bool wanted = run == cmd_take_ownership;

	for (int i = 1; run == cmd_list && i < cli->argc; i++)
		wanted = wanted || !strcmp(cli->argv[i], "--all-users");
	if (!wanted)
		return 0;
	if (geteuid() != 0)
		return run == cmd_list ?
		       fail(EXIT_USAGE, "list --all-users is for root; uid %u lists its own "
			    "jobs with bgcopy list", (unsigned)geteuid()) :
		       fail(EXIT_USAGE, "take-ownership is for root; uid %u cannot take "
			    "another user's job", (unsigned)geteuid());
	*flags |= BGCOPY_OPEN_ALL_USERS;
	return 0;
}

/* `bgcopy record` is bgcopy-record, beside this program: only it needs
 * liblttng-ctl. */
static int exec_record(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return fail(EXIT_USAGE, "cannot find where bgcopy lives");
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/bgcopy-record", self);
	argv[0] = path;
	(void)argc;
	execv(path, argv);
	return fail(EXIT_USAGE, "cannot run %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "store", required_argument, NULL, 's' },
		{ "system", no_argument, NULL, 'y' },
		{ "test-short-retry", no_argument, NULL, 'r' },
		{ "test-allow-file", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char store[PATH_MAX];
	struct cli cli = { 0 };
	bgcopy_engine *engine;
	unsigned flags;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+s:h", options, NULL)) != -1) {
		switch (c) {
		case 's': cli.store = optarg; break;
		case 'y': cli.system = true; break;
		case 'r': cli.test_options |= BGCOPY_TEST_SHORT_RETRY; break;
		case 'f': cli.test_options |= BGCOPY_TEST_ALLOW_FILE; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("bgcopy %s\n", BGCOPY_VERSION); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cli.system && cli.store)
		return fail(EXIT_USAGE, "--system works on the system daemon's store: "
			    "--store is not for it");
	/* The recorded command's engines go to the system daemon too. */
	if (cli.system && setenv("BGCOPY_SYSTEM", "1", 1))
		return fail(EXIT_USAGE, "cannot set BGCOPY_SYSTEM: %s", strerror(errno));
	if (!strcmp(argv[optind], "record"))
		return exec_record(argc - optind, argv + optind);
	if (!cli.store && !cli.system)
		cli.store = default_store(store, sizeof(store));
	cli.argc = argc - optind;
	cli.argv = argv + optind;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, cli.argv[0]))
			continue;
		if (wants_help(&cli)) {
			printf("usage: bgcopy %s %s\n  %s\n", verbs[i].name,
			       verbs[i].args, verbs[i].summary);
			if (verbs[i].run == cmd_download)
				fputs(DOWNLOAD_HELP, stdout);
			return 0;
		}
		flags = verbs[i].flags;
		if ((rc = all_users_flags(&cli, verbs[i].run, &flags)))
			return rc;
		if ((rc = open_engine(&cli, flags, &engine)))
			return rc;
		rc = verbs[i].run(&cli, engine);
		bgcopy_engine_close(engine);
		return rc;
	}
	return fail(EXIT_USAGE, "unknown verb '%s' (try bgcopy --help)", cli.argv[0]);
}
