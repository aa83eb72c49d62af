/* bgcopy download: one job for one or more URLs run here until done, with a progress meter; Ctrl-C cancels it or, with --keep, keeps it for the same command to resume. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "job_view.h"
#include "meter.h"
#include "safe_text.h"
#include "waiter.h"

struct download {
	bool remote_name, keep, json;
	const char *dir;
	long timeout_s, retry_delay_s;	/* -1: the job's own */
	int nfiles;
	char **urls;
	char (*paths)[PATH_MAX];	/* absolute destinations */
	bgcopy_job *job;
	bool kept;			/* a job an earlier run kept */
	struct meter meter;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Ctrl-C and SIGTERM end the wait, not the process: the job must be
 * cancelled or kept first. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int seconds_option(const char *text, const char *what, long *out)
{
	unsigned long v;
	int rc = parse_uint(text, what, UINT32_MAX, &v);

	*out = (long)v;
	return rc;
}

static int parse_options(struct download *d, struct cli *cli)
{
	static const struct option options[] = {
		{ "remote-name", no_argument, NULL, 'O' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retry-delay", required_argument, NULL, 'r' },
		{ "keep", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while (!rc && (c = getopt_long(cli->argc, cli->argv, ":Oo:", options, NULL)) != -1) {
		switch (c) {
		case 'O': d->remote_name = true; break;
		case 'o': d->dir = optarg; break;
		case 't': rc = seconds_option(optarg, "--timeout", &d->timeout_s); break;
		case 'r': rc = seconds_option(optarg, "--retry-delay", &d->retry_delay_s); break;
		case 'k': d->keep = true; break;
		case 'j': d->json = true; break;
		case ':': rc = fail(EXIT_USAGE, "download: %s needs a value", cli->argv[optind - 1]); break;
		default: rc = fail(EXIT_USAGE, "download: unknown option '%s'", cli->argv[optind - 1]);
		}
	}
	if (rc)
		return rc;
	d->urls = cli->argv + optind;
	d->nfiles = cli->argc - optind;
	if (d->remote_name || d->dir)
		return d->nfiles ? 0 : fail(EXIT_USAGE, "usage: bgcopy download " DOWNLOAD_ARGS);
	if (d->nfiles != 2)
		return fail(EXIT_USAGE, "usage: bgcopy download " DOWNLOAD_ARGS);
	d->nfiles = 1;
	return 0;
}

/* The last segment of the URL's path, as curl -O takes it.  The URL is
 * not shown: it may carry a secret. */
static int name_from_url(const char *url, int index, char *out, size_t size)
{
	const char *start = strstr(url, "://"), *end, *slash;
	size_t len;

	start = start ? start + 3 : url;
	end = start + strcspn(start, "?#");
	slash = memrchr(start, '/', (size_t)(end - start));
	len = slash ? (size_t)(end - slash - 1) : 0;
	if (!len || len >= size || (len <= 2 && !strncmp(slash + 1, "..", len)))
		return fail(EXIT_USAGE, "URL %d has no file name at the end of its path: "
			    "give FILE instead of -O", index + 1);
	memcpy(out, slash + 1, len);
	out[len] = '\0';
	return 0;
}

/* Paths are made absolute here: the engine may run in another
 * directory (or process) later. */
static int absolute(const char *dir, const char *name, char *out)
{
	char cwd[PATH_MAX];
	int n;

	if (!dir && *name == '/')
		n = snprintf(out, PATH_MAX, "%s", name);
	else if (dir && *dir == '/')
		n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	else if (!getcwd(cwd, sizeof(cwd)))
		return fail(EXIT_USAGE, "cannot read the current directory: %s", strerror(errno));
	else
		n = snprintf(out, PATH_MAX, dir ? "%s/%s/%s" : "%s/%s%s", cwd,
			     dir ? dir : name, dir ? name : "");
	if (n < 0 || n >= PATH_MAX)
		return fail(EXIT_USAGE, "destination path is too long");
	return 0;
}

static int destinations(struct download *d)
{
	char name[NAME_MAX + 1];
	int rc = 0;

	d->paths = calloc((size_t)d->nfiles, sizeof(*d->paths));
	if (!d->paths)
		return fail(EXIT_USAGE, "out of memory");
	for (int i = 0; !rc && i < d->nfiles; i++) {
		if (!d->remote_name && !d->dir)
			rc = absolute(NULL, d->urls[1], d->paths[i]);
		else if (!(rc = name_from_url(d->urls[i], i, name, sizeof(name))))
			rc = absolute(d->dir, name, d->paths[i]);
	}
	return rc;
}

static bool same_files(const struct download *d, bgcopy_job *job)
{
	struct bgcopy_file_info *f = malloc(sizeof(*f));
	struct bgcopy_progress p;
	bool same = f && bgcopy_job_get_progress(job, &p) == BGCOPY_OK &&
		    p.files_total == (uint32_t)d->nfiles;

	for (int i = 0; same && i < d->nfiles; i++)
		same = bgcopy_job_get_file(job, (unsigned)i, f) == BGCOPY_OK &&
		       !strcmp(f->url, d->urls[i]) && !strcmp(f->local_path, d->paths[i]);
	free(f);
	return same;
}

/* A job an earlier run kept: the same URLs to the same files. */
static bgcopy_job *find_kept(const struct download *d, bgcopy_engine *engine)
{
	size_t n = bgcopy_engine_list_jobs(engine, NULL, 0);
	bgcopy_job **jobs = calloc(n ? n : 1, sizeof(*jobs)), *found = NULL;

	n = jobs ? bgcopy_engine_list_jobs(engine, jobs, n) : 0;
	for (size_t i = 0; i < n && !found; i++) {
		enum bgcopy_state s = bgcopy_job_get_state(jobs[i]);

		if (s != BGCOPY_ACKNOWLEDGED && s != BGCOPY_CANCELLED && same_files(d, jobs[i]))
			found = jobs[i];
	}
	free(jobs);
	return found;
}

static int create_job(struct download *d, bgcopy_engine *engine)
{
	char name[300];
	const char *slash = strrchr(d->paths[0], '/');
	int rc;

	if (d->nfiles == 1)
		snprintf(name, sizeof(name), "download %s", slash + 1);
	else
		snprintf(name, sizeof(name), "download %d files", d->nfiles);
	if ((rc = bgcopy_job_create(engine, name, &d->job)))
		return api_fail(rc);
	for (int i = 0; i < d->nfiles && !rc; i++)
		rc = bgcopy_job_add_file(d->job, d->urls[i], d->paths[i]);
	if (rc) {
		rc = api_fail(rc);
		bgcopy_job_cancel(d->job);
	}
	return rc;
}

static int apply_limits(const struct download *d)
{
	int rc = 0;

	if (d->retry_delay_s >= 0)
		rc = bgcopy_job_set_min_retry_delay(d->job, (uint32_t)d->retry_delay_s);
	if (!rc && d->timeout_s >= 0)
		rc = bgcopy_job_set_no_progress_timeout(d->job, (uint32_t)d->timeout_s);
	return rc ? api_fail(rc) : 0;
}

/* A kept job resumes where it stopped; otherwise a new one. */
static int take_job(struct download *d, bgcopy_engine *engine)
{
	struct bgcopy_progress p;
	char id[37];
	int rc;

	d->job = find_kept(d, engine);
	d->kept = d->job != NULL;
	if (d->kept && !d->json) {
		bgcopy_job_get_id(d->job, id);
		bgcopy_job_get_progress(d->job, &p);
		print_safe(stderr, "bgcopy: resuming kept job %s (%s, %llu bytes here)\n", id,
			   bgcopy_state_name(bgcopy_job_get_state(d->job)),
			   (unsigned long long)p.bytes_transferred);
	}
	if (!d->kept && (rc = create_job(d, engine)))
		return rc;
	if ((rc = apply_limits(d)) && !d->kept)
		bgcopy_job_cancel(d->job);
	return rc;
}

static bool tick(void *arg)
{
	struct download *d = arg;

	meter_update(&d->meter);
	return !stop_signal;
}

static void json_event(const struct download *d, const char *event, json_t *more)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "event", event, "job", d->meter.id,
			      "state", bgcopy_state_name(bgcopy_job_get_state(d->job)));

	if (o && more)
		json_object_update(o, more);
	if (o) {
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		fflush(stdout);
	}
	json_decref(o);
	json_decref(more);
}

static int interrupted(struct download *d)
{
	int sig = stop_signal;

	if (d->keep)
		bgcopy_job_suspend(d->job);
	else
		bgcopy_job_cancel(d->job);
	if (d->json)
		json_event(d, "interrupted", json_pack("{s:b}", "kept", d->keep));
	if (d->keep)
		return fail(128 + sig, "interrupted: job %s kept (SUSPENDED); run the "
			    "same command again to resume it", d->meter.id);
	return fail(128 + sig, "interrupted: job %s cancelled, its temporary files removed",
		    d->meter.id);
}

static int errored(struct download *d, const struct bgcopy_error *err)
{
	if (d->json)
		json_event(d, "error", json_pack("{s:o,s:b}", "error", error_json(err),
						 "kept", d->keep));
	if (!d->keep)
		bgcopy_job_cancel(d->job);
	return fail(EXIT_JOB_ERROR, "%s%s", err->description,
		    d->keep ? " (job kept: run the same command again to retry)" : "");
}

static int transferred(struct download *d)
{
	json_t *files = json_array();
	int rc = bgcopy_job_complete(d->job);

	if (rc)
		rc = api_fail(rc);
	for (int i = 0; !rc && d->json && i < d->nfiles; i++)
		json_array_append_new(files, json_text(d->paths[i]));
	if (!rc && d->json)
		json_event(d, "done", json_pack("{s:o}", "files", files));
	else
		json_decref(files);
	return rc;
}

static enum meter_mode meter_mode(const struct download *d)
{
	if (d->json)
		return METER_JSON;
	return isatty(STDERR_FILENO) ? METER_TTY : METER_PLAIN;
}

/* Runs the job here until it is transferred, fails or is interrupted. */
static int run(struct download *d)
{
	struct bgcopy_error err = { 0 };
	enum outcome outcome = OUTCOME_TRANSFERRED;
	enum bgcopy_state state = bgcopy_job_get_state(d->job);
	struct waiter w;
	char label[64];
	int rc;

	snprintf(label, sizeof(label), "%s", d->nfiles == 1 ?
		 strrchr(d->paths[0], '/') + 1 : "files");
	waiter_init(&w);
	meter_init(&d->meter, meter_mode(d), d->job, label);
	if ((rc = bgcopy_job_set_notify_interface(d->job, &w.base)) ||
	    ((state == BGCOPY_SUSPENDED || state == BGCOPY_ERROR) &&
	     (rc = bgcopy_job_resume(d->job)))) {
		rc = api_fail(rc);
		if (!d->kept)
			bgcopy_job_cancel(d->job);
		goto end;
	}
	if (d->json)
		json_event(d, "started", json_pack("{s:b,s:i}", "kept", d->kept,
						   "files", d->nfiles));
	/* A kept job that finished: its JobTransferred went to the run
	 * that kept it. */
	if (state != BGCOPY_TRANSFERRED)
		outcome = waiter_wait(&w, d->job, false, tick, d);
	meter_end(&d->meter);
	err = w.error;
	if (outcome == OUTCOME_TRANSFERRED)
		rc = transferred(d);
	else if (outcome == OUTCOME_ERROR)
		rc = errored(d, &err);
	else
		rc = interrupted(d);
end:
	bgcopy_job_set_notify_interface(d->job, NULL);
	waiter_destroy(&w);
	return rc;
}

int cmd_download(struct cli *cli, bgcopy_engine *engine)
{
	struct download d = { .timeout_s = -1, .retry_delay_s = -1 };
	int rc;

	catch_signals();
	if (!(rc = parse_options(&d, cli)) && !(rc = destinations(&d)) &&
	    !(rc = take_job(&d, engine)))
		rc = run(&d);
	free(d.paths);
	return rc;
}
