/* bgcopy download: jobs for one or more URLs (or a list) run here until done, with a progress meter; Ctrl-C cancels them or, with --keep, keeps them for the same command to resume. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "file_list.h"
#include "job_view.h"
#include "meter.h"
#include "safe_text.h"
#include "waiter.h"

/* One job of the download: files first..first + count - 1. */
struct batch {
	bgcopy_job *job;
	unsigned first, count;
	bool kept;			/* a job an earlier run kept */
	bool kept_transferred;		/* kept, and TRANSFERRED when this run began */
	bool waiting;			/* `waiter` is its notify interface */
	bool committed;			/* completed: its files are in place */
	struct waiter waiter;
	int commit_status;		/* its complete's, from commit_main */
	char *commit_error;		/* its reason (bgcopy_last_error is per thread) */
};

struct download {
	bool remote_name, keep, json;
	const char *dir;
	const char *list_name;		/* --list */
	struct file_list list;
	long timeout_s, retry_delay_s;	/* -1: the job's own */
	unsigned long parallel;		/* --parallel; 0: the job's own */
	unsigned nfiles;
	const char **urls;		/* the command line's or the list's */
	char **paths;			/* absolute destinations */
	unsigned nbatches;		/* FILES_PER_JOB files a job */
	struct batch *batches;
	struct meter meter;		/* of the batch waited on */
	const struct batch *waited;	/* the batch waited on, if any */
	struct waiter_bell bell;	/* rung by every batch's waiter */
	struct batch *commit_failed;	/* its complete failed: it stays TRANSFERRED */
	char *commit_error;		/* its reason, kept past later calls */
	char cwd[PATH_MAX];		/* "": not read yet */
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
		{ "list", required_argument, NULL, 'l' },
		{ "parallel", required_argument, NULL, 'p' },
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
		case 'l': d->list_name = optarg; break;
		case 'p': rc = parse_uint(optarg, "--parallel", UINT32_MAX, &d->parallel); break;
		case ':': rc = fail(EXIT_USAGE, "download: %s needs a value", cli->argv[optind - 1]); break;
		default: rc = fail(EXIT_USAGE, "download: unknown option '%s'", cli->argv[optind - 1]);
		}
	}
	if (rc)
		return rc;
	d->urls = (const char **)cli->argv + optind;
	d->nfiles = (unsigned)(cli->argc - optind);
	if (d->list_name)
		return d->nfiles || d->remote_name || d->dir ?
		       fail(EXIT_USAGE, "download: --list LIST takes no URL, -O or -o: "
			    "the list names each file") : 0;
	if (d->remote_name || d->dir)
		return d->nfiles ? 0 : fail(EXIT_USAGE, "usage: bgcopy download " DOWNLOAD_ARGS);
	if (d->nfiles != 2)
		return fail(EXIT_USAGE, "usage: bgcopy download " DOWNLOAD_ARGS);
	d->nfiles = 1;
	return 0;
}

/* The last segment of the URL's path, as curl -O takes it.  The URL is
 * not shown: it may carry a secret. */
static int name_from_url(const char *url, unsigned index, char *out, size_t size)
{
	const char *start = strstr(url, "://"), *end, *slash;
	size_t len;

	start = start ? start + 3 : url;
	end = start + strcspn(start, "?#");
	slash = memrchr(start, '/', (size_t)(end - start));
	len = slash ? (size_t)(end - slash - 1) : 0;
	if (!len || len >= size || (len <= 2 && !strncmp(slash + 1, "..", len)))
		return fail(EXIT_USAGE, "URL %u has no file name at the end of its path: "
			    "give FILE instead of -O", index + 1);
	memcpy(out, slash + 1, len);
	out[len] = '\0';
	return 0;
}

/* The current directory, read once for every relative destination (a
 * list of 5,000 files read it 5,000 times); NULL with errno set. */
static const char *current_dir(struct download *d)
{
	if (!d->cwd[0] && !getcwd(d->cwd, sizeof(d->cwd))) {
		d->cwd[0] = '\0';
		return NULL;
	}
	return d->cwd;
}

/* Paths are made absolute here: the engine may run in another
 * directory (or process) later. */
static int absolute(struct download *d, const char *dir, const char *name, char *out)
{
	const char *cwd;
	int n;

	if (!dir && *name == '/')
		n = snprintf(out, PATH_MAX, "%s", name);
	else if (dir && *dir == '/')
		n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	else if (!(cwd = current_dir(d)))
		return fail(EXIT_USAGE, "cannot read the current directory: %s", strerror(errno));
	else
		n = snprintf(out, PATH_MAX, dir ? "%s/%s/%s" : "%s/%s%s", cwd,
			     dir ? dir : name, dir ? name : "");
	if (n < 0 || n >= PATH_MAX)
		return fail(EXIT_USAGE, "destination path is too long");
	return 0;
}

/* The list's files, its paths taken from the current directory. */
static int read_list(struct download *d)
{
	int rc = file_list_read(&d->list, d->list_name);

	d->urls = d->list.urls;
	d->nfiles = d->list.count;
	return rc;
}

/* Each file's absolute destination: FILE, the list's path, or the
 * URL's name (in DIR with -o). */
static int destinations(struct download *d)
{
	char name[NAME_MAX + 1], path[PATH_MAX];
	int rc = d->list_name ? read_list(d) : 0;

	if (!rc && !(d->paths = calloc(d->nfiles, sizeof(*d->paths))))
		rc = fail(EXIT_USAGE, "out of memory");
	for (unsigned i = 0; !rc && i < d->nfiles; i++) {
		if (d->list_name)
			rc = absolute(d, NULL, d->list.paths[i], path);
		else if (!d->remote_name && !d->dir)
			rc = absolute(d, NULL, d->urls[1], path);
		else if (!(rc = name_from_url(d->urls[i], i, name, sizeof(name))))
			rc = absolute(d, d->dir, name, path);
		if (!rc && !(d->paths[i] = strdup(path)))
			rc = fail(EXIT_USAGE, "out of memory");
	}
	return rc;
}

/* FILES_PER_JOB files a job, in the list's order. */
static int split(struct download *d)
{
	d->nbatches = (d->nfiles + FILES_PER_JOB - 1) / FILES_PER_JOB;
	d->batches = calloc(d->nbatches, sizeof(*d->batches));
	if (!d->batches)
		return fail(EXIT_USAGE, "out of memory");
	for (unsigned i = 0; i < d->nbatches; i++) {
		d->batches[i].first = i * FILES_PER_JOB;
		d->batches[i].count = d->nfiles - d->batches[i].first < FILES_PER_JOB ?
				      d->nfiles - d->batches[i].first : FILES_PER_JOB;
	}
	if (!d->json)
		file_list_say_split(d->nfiles, d->nbatches);
	return 0;
}

static bool same_files(const struct download *d, const struct batch *b, bgcopy_job *job)
{
	struct bgcopy_file_info *f = malloc(sizeof(*f));
	struct bgcopy_progress p;
	bool same = f && bgcopy_job_get_progress(job, &p) == BGCOPY_OK &&
		    p.files_total == b->count;

	for (unsigned i = 0; same && i < b->count; i++)
		same = bgcopy_job_get_file(job, i, f) == BGCOPY_OK &&
		       !strcmp(f->url, d->urls[b->first + i]) &&
		       !strcmp(f->local_path, d->paths[b->first + i]);
	free(f);
	return same;
}

static bool taken(const struct download *d, const bgcopy_job *job)
{
	for (unsigned i = 0; i < d->nbatches; i++)
		if (d->batches[i].job == job)
			return true;
	return false;
}

/* The jobs the store held when this run began, listed once: the jobs
 * this run makes are never kept ones. */
struct listing {
	bgcopy_job **jobs;
	size_t n;
};

/* A job an earlier run kept: the same URLs to the same files. */
static bgcopy_job *find_kept(const struct download *d, const struct batch *b,
			     const struct listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		enum bgcopy_state s;

		if (taken(d, l->jobs[i]))
			continue;
		s = bgcopy_job_get_state(l->jobs[i]);
		if (s != BGCOPY_ACKNOWLEDGED && s != BGCOPY_CANCELLED && same_files(d, b, l->jobs[i]))
			return l->jobs[i];
	}
	return NULL;
}

/* All of a batch's files in one call, one store transaction. */
static int create_job(struct download *d, struct batch *b, bgcopy_engine *engine)
{
	char name[300];
	const char *slash = strrchr(d->paths[0], '/');
	int rc;

	if (d->nfiles == 1)
		snprintf(name, sizeof(name), "download %s", slash + 1);
	else if (d->nbatches == 1)
		snprintf(name, sizeof(name), "download %u files", d->nfiles);
	else
		snprintf(name, sizeof(name), "download files %u-%u of %u", b->first + 1,
			 b->first + b->count, d->nfiles);
	if ((rc = bgcopy_job_create(engine, name, &b->job)))
		return api_fail(rc);
	rc = bgcopy_job_add_files(b->job, b->count, d->urls + b->first,
				  (const char **)d->paths + b->first);
	if (rc) {
		rc = d->list_name ? file_list_add_failed(&d->list, b->first) : api_fail(rc);
		bgcopy_job_cancel(b->job);
		b->job = NULL;
	}
	return rc;
}

static int apply_limits(const struct download *d, bgcopy_job *job)
{
	int rc = 0;

	if (d->retry_delay_s >= 0)
		rc = bgcopy_job_set_min_retry_delay(job, (uint32_t)d->retry_delay_s);
	if (!rc && d->timeout_s >= 0)
		rc = bgcopy_job_set_no_progress_timeout(job, (uint32_t)d->timeout_s);
	if (!rc && d->parallel)
		rc = bgcopy_job_set_parallel_files(job, (uint32_t)d->parallel);
	return rc ? api_fail(rc) : 0;
}

/* Every job the download made (not those an earlier run kept), when
 * it cannot go on; the kept ones are left as they were. */
static void cancel_new(struct download *d)
{
	for (unsigned i = 0; i < d->nbatches; i++)
		if (d->batches[i].job && !d->batches[i].kept)
			bgcopy_job_cancel(d->batches[i].job);
}

/* A kept job resumes where it stopped; otherwise a new one. */
static int take_job(struct download *d, struct batch *b, bgcopy_engine *engine,
		    const struct listing *l)
{
	struct bgcopy_progress p;
	char id[37];
	int rc;

	b->job = find_kept(d, b, l);
	b->kept = b->job != NULL;
	if (b->kept && !d->json) {
		bgcopy_job_get_id(b->job, id);
		bgcopy_job_get_progress(b->job, &p);
		print_safe(stderr, "bgcopy: resuming kept job %s (%s, %llu bytes here)\n", id,
			   bgcopy_state_name(bgcopy_job_get_state(b->job)),
			   (unsigned long long)p.bytes_transferred);
	}
	if (!b->kept && (rc = create_job(d, b, engine)))
		return rc;
	return apply_limits(d, b->job);
}

static int take_jobs(struct download *d, bgcopy_engine *engine)
{
	struct listing l = { NULL, 0 };
	int rc = split(d);

	if (!rc && !(l.jobs = list_jobs_now(engine, &l.n)))
		rc = fail(EXIT_USAGE, "out of memory");
	for (unsigned i = 0; !rc && i < d->nbatches; i++)
		rc = take_job(d, &d->batches[i], engine, &l);
	free(l.jobs);
	if (rc)
		cancel_new(d);
	return rc;
}

/* A job that failed while another was waited on. */
static struct batch *failed_batch(struct download *d)
{
	for (unsigned i = 0; i < d->nbatches; i++)
		if (d->batches[i].waiting &&
		    waiter_outcome(&d->batches[i].waiter) == OUTCOME_ERROR)
			return &d->batches[i];
	return NULL;
}

static void json_event(const struct batch *b, const char *event, json_t *more)
{
	char id[37];
	json_t *o;

	bgcopy_job_get_id(b->job, id);
	o = json_pack("{s:s,s:s,s:s}", "event", event, "job", id, "state",
		      bgcopy_state_name(bgcopy_job_get_state(b->job)));
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

/* How many files the jobs already committed hold. */
static unsigned files_committed(const struct download *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->nbatches; i++)
		if (d->batches[i].committed)
			n += d->batches[i].count;
	return n;
}

/* The jobs' ids for a message: one id, or how many are left. */
static void jobs_named(const struct download *d, char *out, size_t size)
{
	unsigned committed = files_committed(d);

	if (d->nbatches == 1) {
		memcpy(out, "job ", 4);
		bgcopy_job_get_id(d->batches[0].job, out + 4);
	} else if (!committed) {
		snprintf(out, size, "%u jobs", d->nbatches);
	} else {
		snprintf(out, size, "%u files committed before it; the other jobs", committed);
	}
}

/* The jobs not committed stop, so that nothing runs unseen: cancelled,
 * or with --keep suspended unless they are done; `spare` is left as it
 * is. */
static void stop_jobs(struct download *d, const struct batch *spare)
{
	for (unsigned i = 0; i < d->nbatches; i++) {
		struct batch *b = &d->batches[i];

		if (b->committed || b == spare)
			continue;
		if (!d->keep)
			bgcopy_job_cancel(b->job);
		else if (bgcopy_job_get_state(b->job) != BGCOPY_TRANSFERRED)
			bgcopy_job_suspend(b->job);
	}
}

/* Ctrl-C: every job cancelled, or suspended with --keep. */
static int interrupted(struct download *d)
{
	int sig = stop_signal;
	char jobs[80];

	stop_jobs(d, NULL);
	for (unsigned i = 0; d->json && i < d->nbatches; i++)
		if (!d->batches[i].committed)
			json_event(&d->batches[i], "interrupted",
				   json_pack("{s:b}", "kept", d->keep));
	jobs_named(d, jobs, sizeof(jobs));
	if (d->keep)
		return fail(128 + sig, "interrupted: %s kept (SUSPENDED); run the "
			    "same command again to resume %s", jobs,
			    d->nbatches == 1 ? "it" : "them");
	return fail(128 + sig, "interrupted: %s cancelled, %s temporary files removed", jobs,
		    d->nbatches == 1 ? "its" : "their");
}

/* One job failed: the others stop with it; with --keep it stays in
 * ERROR for the same command to retry.  The files of jobs already
 * committed stay. */
static int errored(struct download *d, struct batch *failed, const struct bgcopy_error *err)
{
	unsigned committed = files_committed(d);
	char more[160] = "";

	if (d->json)
		json_event(failed, "error", json_pack("{s:o,s:b}", "error", error_json(err),
						      "kept", d->keep));
	stop_jobs(d, d->keep ? failed : NULL);
	if (d->keep)
		snprintf(more, sizeof(more), " (jobs kept: run the same command again to retry)");
	else if (committed)
		snprintf(more, sizeof(more), " (%u of %u files were committed before it; "
			 "the other jobs are cancelled)", committed, d->nfiles);
	return fail(EXIT_JOB_ERROR, "%s%s", err->description, more);
}

/* bgcopyd commits several jobs at once (offload.c): one after another,
 * the 25 jobs of a list of 5,000 files took 0.2 s after the last
 * transfer, the machine half idle. */
#define COMMIT_THREADS 4

static void *commit_main(void *arg)
{
	struct batch *b = arg;

	b->commit_status = bgcopy_job_complete(b->job);
	if (b->commit_status)
		b->commit_error = strdup(bgcopy_last_error());
	return NULL;
}

/* A complete's outcome: the batch is committed, or the download stops
 * on the first failure; the job stays TRANSFERRED, for `bgcopy
 * complete` once the destination is fixed. */
static void commit_done(struct download *d, struct batch *b)
{
	if (b->commit_status && !d->commit_failed) {
		d->commit_failed = b;
		d->commit_error = b->commit_error;
		b->commit_error = NULL;
	} else if (!b->commit_status) {
		b->committed = true;
		if (d->json)
			json_event(b, "committed", json_pack("{s:i}", "files", b->count));
	}
	free(b->commit_error);
	b->commit_error = NULL;
}

/* Completes the batches `ready` picks, up to COMMIT_THREADS at once
 * (on this thread when no thread can be made), until none is left or
 * one fails. */
static void commit_batches(struct download *d,
			   bool (*ready)(const struct download *d, const struct batch *b))
{
	pthread_t threads[COMMIT_THREADS];
	struct batch *wave[COMMIT_THREADS];
	bool threaded[COMMIT_THREADS];
	unsigned next = 0, n;

	while (!d->commit_failed) {
		for (n = 0; n < COMMIT_THREADS && next < d->nbatches; next++) {
			struct batch *b = &d->batches[next];

			if (b->committed || !ready(d, b))
				continue;
			wave[n] = b;
			threaded[n] = pthread_create(&threads[n], NULL, commit_main, b) == 0;
			if (!threaded[n])
				commit_main(b);
			n++;
		}
		if (!n)
			return;
		for (unsigned i = 0; i < n; i++) {
			if (threaded[i])
				pthread_join(threads[i], NULL);
			commit_done(d, wave[i]);
		}
	}
}

/* A transferred job is committed at once, whichever job is waited on:
 * its files appear as they come, as curl's do, and their renames overlap
 * the other jobs' transfers.  Transferred as its JobTransferred said:
 * through bgcopyd, a state read after a notification reads the job whole
 * (its 200 files), for every job at every tick.  Not the one waited on,
 * which its wait would then find completed by someone else: it is
 * committed once the wait has seen it transferred.  Not with --keep: the
 * same command run again must find every job of a failed download,
 * transferred ones included, and fetch nothing twice. */
static bool commit_now(const struct download *d, const struct batch *b)
{
	return !d->keep && b != d->waited &&
	       (b->kept_transferred || waiter_outcome(&b->waiter) == OUTCOME_TRANSFERRED);
}

/* Every job transferred: each is committed. */
static bool commit_at_end(const struct download *d, const struct batch *b)
{
	(void)d;
	(void)b;
	return true;
}

/* While one job is waited on, the others that finish are committed (the
 * bell wakes the wait); the wait stops at Ctrl-C and at any job's
 * failure, not only the one waited on: the others must not run on
 * unseen meanwhile. */
static bool tick(void *arg)
{
	struct download *d = arg;

	meter_update(&d->meter);
	commit_batches(d, commit_now);
	return !stop_signal && !failed_batch(d) && !d->commit_failed;
}

/* Every job transferred and committed. */
static int done(struct download *d)
{
	json_t *files;

	if (!d->json)
		return 0;
	files = json_array();
	for (unsigned i = 0; files && i < d->nfiles; i++)
		json_array_append_new(files, json_text(d->paths[i]));
	if (files)
		json_event(&d->batches[d->nbatches - 1], "done", json_pack("{s:o}", "files", files));
	return 0;
}

static enum meter_mode meter_mode(const struct download *d)
{
	if (d->json)
		return METER_JSON;
	return isatty(STDERR_FILENO) ? METER_TTY : METER_PLAIN;
}

/* Each job waited on by its own interface, then queued. */
static int start(struct download *d)
{
	int rc = 0;

	for (unsigned i = 0; !rc && i < d->nbatches; i++) {
		struct batch *b = &d->batches[i];
		/* A job this run made is SUSPENDED: no need to ask bgcopyd. */
		enum bgcopy_state state = b->kept ? bgcopy_job_get_state(b->job) :
					  BGCOPY_SUSPENDED;

		waiter_init(&b->waiter, &d->bell);
		b->waiting = true;
		b->kept_transferred = state == BGCOPY_TRANSFERRED;
		/* Resumed before the interface is set: a kept job still in
		 * ERROR would be told its old error at once (the contract's
		 * E is armed by an interface set while ERROR). */
		if (((state == BGCOPY_SUSPENDED || state == BGCOPY_ERROR) &&
		     (rc = bgcopy_job_resume(b->job))) ||
		    (rc = bgcopy_job_set_notify_interface(b->job, &b->waiter.base)))
			rc = api_fail(rc);
		else if (d->json)
			json_event(b, "started", json_pack("{s:b,s:i}", "kept", b->kept,
							   "files", b->count));
	}
	if (rc)
		cancel_new(d);
	return rc;
}

/* Waits on one job with its meter. */
static enum outcome wait_for(struct download *d, struct batch *b)
{
	enum outcome outcome = OUTCOME_TRANSFERRED;
	char label[64];

	if (d->nfiles == 1)
		snprintf(label, sizeof(label), "%s", strrchr(d->paths[0], '/') + 1);
	else if (d->nbatches == 1)
		snprintf(label, sizeof(label), "files");
	else
		snprintf(label, sizeof(label), "files %u-%u/%u", b->first + 1,
			 b->first + b->count, d->nfiles);
	meter_init(&d->meter, meter_mode(d), b->job, label);
	d->waited = b;
	/* A kept job that finished: its JobTransferred went to the run
	 * that kept it. */
	if (bgcopy_job_get_state(b->job) != BGCOPY_TRANSFERRED)
		outcome = waiter_wait(&b->waiter, b->job, false, tick, d);
	d->waited = NULL;
	meter_end(&d->meter);
	return outcome;
}

/* Runs the jobs here, all at once, until each is transferred, one
 * fails or the download is interrupted; each job that is transferred
 * by then is committed as the wait goes on. */
static int run(struct download *d)
{
	enum outcome outcome = OUTCOME_TRANSFERRED;
	struct batch *b = NULL;
	int rc;

	waiter_bell_init(&d->bell);
	rc = start(d);
	for (unsigned i = 0; !rc && outcome == OUTCOME_TRANSFERRED && !d->commit_failed &&
			     i < d->nbatches; i++) {
		b = &d->batches[i];
		if (!b->committed)
			outcome = wait_for(d, b);
		if (outcome == OUTCOME_TRANSFERRED)
			commit_batches(d, commit_now);
	}
	if (!rc && outcome == OUTCOME_TRANSFERRED)
		commit_batches(d, commit_at_end);
	if (outcome == OUTCOME_STOPPED && !stop_signal && (b = failed_batch(d)))
		outcome = OUTCOME_ERROR;
	if (!rc && d->commit_failed) {
		stop_jobs(d, d->commit_failed);
		rc = fail(EXIT_USAGE, "%s", d->commit_error ? d->commit_error : "out of memory");
		free(d->commit_error);
	} else if (!rc && outcome == OUTCOME_TRANSFERRED) {
		rc = done(d);
	} else if (!rc && outcome == OUTCOME_ERROR) {
		rc = errored(d, b, &b->waiter.error);
	} else if (!rc) {
		rc = interrupted(d);
	}
	for (unsigned i = 0; i < d->nbatches; i++) {
		if (!d->batches[i].waiting)
			continue;
		/* A committed job is final: it let go of its interface, and
		 * bgcopyd would refuse the call. */
		if (!d->batches[i].committed)
			bgcopy_job_set_notify_interface(d->batches[i].job, NULL);
		waiter_destroy(&d->batches[i].waiter);
	}
	waiter_bell_destroy(&d->bell);
	return rc;
}

int cmd_download(struct cli *cli, bgcopy_engine *engine)
{
	struct download d = { .timeout_s = -1, .retry_delay_s = -1 };
	int rc;

	catch_signals();
	if (!(rc = parse_options(&d, cli)) && !(rc = destinations(&d)) &&
	    !(rc = take_jobs(&d, engine)))
		rc = run(&d);
	for (unsigned i = 0; d.paths && i < d.nfiles; i++)
		free(d.paths[i]);
	free(d.paths);
	free(d.batches);
	if (d.list_name)
		file_list_free(&d.list);
	return rc;
}
