/*
 * bgcopy: the command-line face of libbgcopy, in the spirit of bitsadmin.
 *
 * Exit status: 0 success, 1 a job ended in error, 2 a usage error or a
 * refused request (one line on stderr says which).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
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
#include "job_view.h"
#include "monitor.h"
#include "safe_text.h"

#define EXIT_JOB_ERROR 1
#define EXIT_USAGE 2

struct cli {
	const char *store;
	unsigned test_options;
	int argc;
	char **argv;
};

static int fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
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
static int api_fail(int status)
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
		.flags = flags | BGCOPY_OPEN_SERVICE, .test_options = cli->test_options,
	};
	int status = bgcopy_engine_open(cli->store, &opt, engine);

	return status ? api_fail(status) : 0;
}

/* ---- the notify interface used by download and wait ------------------ */

struct waiter {
	struct bgcopy_callback base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs;
	bool transferred, errored;
	struct bgcopy_error error;
};

static struct waiter *waiter_of(struct bgcopy_callback *cb)
{
	return (struct waiter *)cb;
}

static void waiter_add_ref(struct bgcopy_callback *cb)
{
	struct waiter *w = waiter_of(cb);

	pthread_mutex_lock(&w->lock);
	w->refs++;
	pthread_mutex_unlock(&w->lock);
}

static void waiter_release(struct bgcopy_callback *cb)
{
	struct waiter *w = waiter_of(cb);

	pthread_mutex_lock(&w->lock);
	w->refs--;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void waiter_signal(struct waiter *w, bool transferred,
			  const struct bgcopy_error *err)
{
	pthread_mutex_lock(&w->lock);
	if (transferred)
		w->transferred = true;
	else {
		w->errored = true;
		w->error = *err;
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static int waiter_transferred(struct bgcopy_callback *cb, bgcopy_job *job)
{
	(void)job;
	waiter_signal(waiter_of(cb), true, NULL);
	return 0;
}

static int waiter_error(struct bgcopy_callback *cb, bgcopy_job *job,
			const struct bgcopy_error *err)
{
	(void)job;
	waiter_signal(waiter_of(cb), false, err);
	return 0;
}

static const struct bgcopy_callback_ops waiter_ops = {
	.add_ref = waiter_add_ref,
	.release = waiter_release,
	.job_transferred = waiter_transferred,
	.job_error = waiter_error,
};

static void waiter_init(struct waiter *w)
{
	memset(w, 0, sizeof(*w));
	w->base.ops = &waiter_ops;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
}

/* The engine may still be returning from a callback on another thread:
 * the object lives until the engine's last reference is gone. */
static void waiter_destroy(struct waiter *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->refs > 0)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

static void draw_progress(bgcopy_job *job)
{
	struct bgcopy_progress p;
	int width = 30, filled = 0;

	bgcopy_job_get_progress(job, &p);
	if (p.bytes_total > 0)
		filled = (int)((double)p.bytes_transferred * width / (double)p.bytes_total);
	fprintf(stderr, "\r[%-*.*s] %llu/%lld bytes, %u/%u files ", width,
		filled > width ? width : filled,
		"##############################",
		(unsigned long long)p.bytes_transferred, (long long)p.bytes_total,
		p.files_transferred, p.files_total);
}

/* A job's outcome seen in its state, for when the flags keep the
 * notification from coming.  w->lock held. */
static void outcome_from_state(struct waiter *w, bgcopy_job *job)
{
	enum bgcopy_state state = bgcopy_job_get_state(job);

	if (state == BGCOPY_TRANSFERRED)
		w->transferred = true;
	if (state == BGCOPY_ERROR) {
		w->errored = true;
		bgcopy_job_get_error(job, &w->error);
	}
}

/* Another process (through bgcopyd) may cancel or complete the job we
 * wait for: no notification would ever come.  w->lock held. */
static void outcome_from_final_state(struct waiter *w, bgcopy_job *job)
{
	enum bgcopy_state state = bgcopy_job_get_state(job);

	if (state != BGCOPY_CANCELLED && state != BGCOPY_ACKNOWLEDGED)
		return;
	w->errored = true;
	snprintf(w->error.description, sizeof(w->error.description),
		 "the job was %s by another program", state == BGCOPY_CANCELLED ?
		 "cancelled" : "completed");
}

/* Waits for JobTransferred or JobError (or, with `by_state`, for the
 * states themselves); draws progress on a terminal.  True when
 * transferred. */
static bool wait_for_outcome(struct waiter *w, bgcopy_job *job, bool by_state)
{
	bool tty = isatty(STDERR_FILENO);
	struct timespec ts;
	bool done;

	pthread_mutex_lock(&w->lock);
	while (!w->transferred && !w->errored) {
		/* The engine never calls back with its lock held, so
		 * asking it with ours held cannot deadlock. */
		if (by_state)
			outcome_from_state(w, job);
		outcome_from_final_state(w, job);
		if (w->transferred || w->errored)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
		if (tty) {
			pthread_mutex_unlock(&w->lock);
			draw_progress(job);
			pthread_mutex_lock(&w->lock);
		}
	}
	done = w->transferred;
	pthread_mutex_unlock(&w->lock);
	if (tty) {
		draw_progress(job);
		fputc('\n', stderr);
	}
	return done;
}

/* ---- option parsing helpers ------------------------------------------ */

/* Only right after the verb: later words may be a program's own. */
static bool wants_help(struct cli *cli)
{
	return cli->argc > 1 && (!strcmp(cli->argv[1], "--help") ||
				 !strcmp(cli->argv[1], "-h"));
}

static int parse_uint(const char *text, const char *what, unsigned long max,
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

	if (cli->argc > 2)
		return fail(EXIT_USAGE, "usage: bgcopy create [NAME]");
	status = bgcopy_job_create(engine, cli->argc == 2 ? cli->argv[1] : "", &job);
	if (status)
		return api_fail(status);
	bgcopy_job_get_id(job, id);
	printf("%s\n", id);
	return 0;
}

static int cmd_add(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	int rc = need_args(cli, 3, "JOB URL FILE");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	rc = bgcopy_job_add_file(job, cli->argv[2], cli->argv[3]);
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
static int cmd_complete(struct cli *c, bgcopy_engine *e) { return job_action(c, e, bgcopy_job_complete); }

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
	char *end;
	int rc = need_args(cli, 2, "JOB FLAGS (e.g. 0x3)");

	if (rc)
		return rc;
	errno = 0;
	flags = strtoul(cli->argv[2], &end, 0);
	if (errno || *end || end == cli->argv[2] || flags > UINT32_MAX)
		return fail(EXIT_USAGE, "FLAGS must be a number such as 0x3, not '%s'",
			    cli->argv[2]);
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
	bgcopy_job *job;
	json_t *o;
	int rc = need_args(cli, 1, "JOB [--json] [--show-args]");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	o = job_json(job, show_args);
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

static int cmd_list(struct cli *cli, bgcopy_engine *engine)
{
	bool json = take_flag(cli, "--json");
	bool show_args = take_flag(cli, "--show-args");
	size_t n = bgcopy_engine_list_jobs(engine, NULL, 0), got;
	bgcopy_job **jobs = calloc(n ? n : 1, sizeof(*jobs));
	json_t *all = json_array();
	int rc = need_args(cli, 0, "[--json] [--show-args]");

	if (!rc && (!jobs || !all))
		rc = fail(EXIT_USAGE, "out of memory");
	/* Through bgcopyd, other programs may add jobs between the calls:
	 * only the first n fill the array. */
	got = rc ? 0 : bgcopy_engine_list_jobs(engine, jobs, n);
	n = got < n ? got : n;
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
		else if (o) {
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

static int cmd_wait(struct cli *cli, bgcopy_engine *engine)
{
	struct waiter w;
	bgcopy_job *job;
	uint32_t flags;
	bool ok;
	int rc = need_args(cli, 1, "JOB");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	if (bgcopy_job_get_state(job) == BGCOPY_SUSPENDED)
		return fail(EXIT_USAGE, "job %s is SUSPENDED: resume it first",
			    cli->argv[1]);
	waiter_init(&w);
	rc = bgcopy_job_set_notify_interface(job, &w.base);
	if (rc) {
		waiter_destroy(&w);
		return api_fail(rc);
	}
	flags = bgcopy_job_get_notify_flags(job);
	ok = wait_for_outcome(&w, job, (flags & BGCOPY_NOTIFY_DISABLE) ||
			      (flags & BGCOPY_NOTIFY_DEFAULT) != BGCOPY_NOTIFY_DEFAULT);
	bgcopy_job_set_notify_interface(job, NULL);
	if (!ok)
		rc = fail(EXIT_JOB_ERROR, "job %s: %s", cli->argv[1], w.error.description);
	else
		printf("%s\n", bgcopy_state_name(bgcopy_job_get_state(job)));
	waiter_destroy(&w);
	return rc;
}

static int cmd_run(struct cli *cli, bgcopy_engine *engine)
{
	size_t n, got;
	bgcopy_job **jobs;
	int rc = need_args(cli, 0, "");

	if (rc)
		return rc;
	bgcopy_engine_wait_idle(engine, -1);
	n = bgcopy_engine_list_jobs(engine, NULL, 0);
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (!jobs)
		return fail(EXIT_USAGE, "out of memory");
	got = bgcopy_engine_list_jobs(engine, jobs, n);	/* others may add jobs */
	n = got < n ? got : n;
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

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int cmd_download(struct cli *cli, bgcopy_engine *engine)
{
	char name[300];
	struct waiter w;
	bgcopy_job *job;
	bool ok;
	int rc = need_args(cli, 2, "URL FILE");

	if (rc)
		return rc;
	snprintf(name, sizeof(name), "download %s", base_name(cli->argv[2]));
	if ((rc = bgcopy_job_create(engine, name, &job)))
		return api_fail(rc);
	waiter_init(&w);
	if ((rc = bgcopy_job_add_file(job, cli->argv[1], cli->argv[2])) ||
	    (rc = bgcopy_job_set_notify_interface(job, &w.base)) ||
	    (rc = bgcopy_job_resume(job))) {
		rc = api_fail(rc);
		bgcopy_job_cancel(job);
		goto end;
	}
	ok = wait_for_outcome(&w, job, false);
	if (ok && (rc = bgcopy_job_complete(job)))
		rc = api_fail(rc);
	else if (!ok) {
		rc = fail(EXIT_JOB_ERROR, "%s", w.error.description);
		bgcopy_job_cancel(job);
	}
end:
	bgcopy_job_set_notify_interface(job, NULL);
	waiter_destroy(&w);
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
	{ "download", "URL FILE", "download one file now (create, resume, wait, complete)", cmd_download, RW },
	{ "create", "[NAME]", "create a job (SUSPENDED) and print its id", cmd_create, ADMIN },
	{ "add", "JOB URL FILE", "add a file to a job", cmd_add, ADMIN },
	{ "resume", "JOB", "queue a SUSPENDED or ERROR job", cmd_resume, ADMIN },
	{ "suspend", "JOB", "suspend a job", cmd_suspend, ADMIN },
	{ "cancel", "JOB", "cancel a job and remove its temporary files", cmd_cancel, ADMIN },
	{ "complete", "JOB", "commit a job's files and acknowledge it", cmd_complete, ADMIN },
	{ "info", "JOB [--json] [--show-args]", "show a job (the command line's arguments only with --show-args)", cmd_info, RO },
	{ "list", "[--json] [--show-args]", "list the jobs", cmd_list, RO },
	{ "set-priority", "JOB PRIORITY", "foreground, high, normal or low", cmd_set_priority, ADMIN },
	{ "set-retry-delay", "JOB SECONDS", "minimum retry delay (at least 5)", cmd_set_retry_delay, ADMIN },
	{ "set-no-progress-timeout", "JOB SECONDS", "fail a job making no progress this long", cmd_set_no_progress_timeout, ADMIN },
	{ "set-max-download", "JOB BYTES", "largest file the job may download (0: no limit)", cmd_set_max_download, ADMIN },
	{ "set-redirect-policy", "JOB POLICY", "allow (not https to http, the default), disallow or allow-insecure", cmd_set_redirect_policy, ADMIN },
	{ "set-flags", "JOB FLAGS", "notify flags: 0x1 transferred, 0x2 error, 0x4 disable, 0x8 modification, 0x10 file", cmd_set_flags, ADMIN },
	{ "set-notify-cmd", "JOB PROGRAM [ARG...]", "run PROGRAM ARGS JOB-ID EVENT when no interface takes a notification", cmd_set_notify_cmd, ADMIN },
	{ "set-notify-cmd-timeout", "JOB SECONDS", "kill the command line's process group after SECONDS (default 300); the attempt failed", cmd_set_notify_cmd_timeout, ADMIN },
	{ "clear-notify-cmd", "JOB", "remove the notify command line", cmd_clear_notify_cmd, ADMIN },
	{ "wait", "JOB", "run the engine until JOB is TRANSFERRED (0) or ERROR (1)", cmd_wait, RW },
	{ "run", "", "run the engine until every job has settled", cmd_run, RW },
	{ "monitor", "[--interval MS]", "print every job's state and progress as they change (through bgcopyd), until interrupted", cmd_monitor, ADMIN },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: bgcopy [--store DIR] VERB [ARGS]\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-24s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "  %-24s %s\n", "record",
		"run a command under a lossless bgcopy trace (record --help)");
	fprintf(out, "\nglobal options:\n"
		"  --store DIR        job store (default $XDG_STATE_HOME/bgcopy or\n"
		"                     ~/.local/state/bgcopy)\n"
		"  --test-short-retry allow retry delays under 5 s (tests only; traced)\n"
		"  --test-allow-file  allow file:// URLs (tests only; traced)\n"
		"  -h, --help         this help; VERB --help for a verb\n"
		"\nexit status: 0 success, 1 a job error, 2 a usage error or refused request\n");
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
		{ "test-short-retry", no_argument, NULL, 'r' },
		{ "test-allow-file", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char store[PATH_MAX];
	struct cli cli = { 0 };
	bgcopy_engine *engine;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+s:h", options, NULL)) != -1) {
		switch (c) {
		case 's': cli.store = optarg; break;
		case 'r': cli.test_options |= BGCOPY_TEST_SHORT_RETRY; break;
		case 'f': cli.test_options |= BGCOPY_TEST_ALLOW_FILE; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "record"))
		return exec_record(argc - optind, argv + optind);
	if (!cli.store)
		cli.store = default_store(store, sizeof(store));
	cli.argc = argc - optind;
	cli.argv = argv + optind;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, cli.argv[0]))
			continue;
		if (wants_help(&cli)) {
			printf("usage: bgcopy %s %s\n  %s\n", verbs[i].name,
			       verbs[i].args, verbs[i].summary);
			return 0;
		}
		if ((rc = open_engine(&cli, verbs[i].flags, &engine)))
			return rc;
		rc = verbs[i].run(&cli, engine);
		bgcopy_engine_close(engine);
		return rc;
	}
	return fail(EXIT_USAGE, "unknown verb '%s' (try bgcopy --help)", cli.argv[0]);
}
