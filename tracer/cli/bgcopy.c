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

/* ---- text from names, servers and the store, made safe to show ------- */

/* The length of the valid UTF-8 sequence at `s`, 0 when there is none
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *s)
{
	uint32_t cp, min;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* stops at the NUL too */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : n;
}

/* A JSON string of any bytes: each byte that starts no valid UTF-8
 * sequence becomes U+FFFD, so no job is dropped for its name.  NULL only
 * when memory runs out. */
static json_t *json_text(const char *text)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t len = strlen((const char *)s), out_len = 0;
	char *out = malloc(3 * len + 1);
	json_t *j;

	if (!out)
		return NULL;
	while (*s) {
		size_t n = utf8_sequence(s);

		if (n) {
			memcpy(out + out_len, s, n);
			out_len += n;
			s += n;
		} else {
			memcpy(out + out_len, "\xef\xbf\xbd", 3);
			out_len += 3;
			s++;
		}
	}
	j = json_stringn(out, out_len);
	free(out);
	return j;
}

/* Writes valid UTF-8 (what json_text made) with its control characters,
 * C0, DEL and C1, shown as \xNN, but for a last newline: a name or a
 * server's message must not drive the terminal. */
static void put_safe(FILE *out, const char *text)
{
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s == '\n' && !s[1])
			fputc('\n', out);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(out, "\\x%02x", *s);
		else if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
			fprintf(out, "\\x%02x", *++s);
		else
			fputc(*s, out);
	}
}

/* printf of one line through put_safe. */
static void print_safe(FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void print_safe(FILE *out, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put_safe(out, text);
	free(text);
}

static int fail(int code, const char *fmt, ...)
{
	char *text = NULL;
	json_t *valid;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	valid = n < 0 ? NULL : json_text(text);
	fputs("bgcopy: ", stderr);
	put_safe(stderr, valid ? json_string_value(valid) : "out of memory");
	fputc('\n', stderr);
	json_decref(valid);
	free(text);
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
	struct bgcopy_engine_options opt = {
		.flags = flags, .test_options = cli->test_options,
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
		if (by_state) {
			outcome_from_state(w, job);
			if (w->transferred || w->errored)
				break;
		}
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

static json_t *job_json(bgcopy_job *job)
{
	char id[37], name[256], desc[1024], cmd[1024];
	struct bgcopy_progress p;
	struct bgcopy_error err;
	json_t *files = json_array(), *o;

	bgcopy_job_get_id(job, id);
	bgcopy_job_get_display_name(job, name, sizeof(name));
	bgcopy_job_get_description(job, desc, sizeof(desc));
	bgcopy_job_get_notify_cmdline(job, cmd, sizeof(cmd));
	bgcopy_job_get_progress(job, &p);
	for (unsigned i = 0; i < p.files_total; i++) {
		struct bgcopy_file_info f;

		if (bgcopy_job_get_file(job, i, &f) == BGCOPY_OK)
			json_array_append_new(files, json_pack("{s:o,s:o,s:I,s:I,s:b}",
				"url", json_text(f.redacted_url),
				"local_path", json_text(f.local_path),
				"bytes_total", (json_int_t)f.bytes_total,
				"bytes_transferred", (json_int_t)f.bytes_transferred,
				"completed", f.completed));
	}
	o = json_pack("{s:s,s:o,s:o,s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:i,s:i,s:i,s:I,s:i,s:o,s:I,s:I,s:o}",
		"id", id, "name", json_text(name), "description", json_text(desc),
		"state", bgcopy_state_name(bgcopy_job_get_state(job)),
		"priority", bgcopy_priority_name(bgcopy_job_get_priority(job)),
		"owner", (int)bgcopy_job_get_owner(job),
		"created", (json_int_t)bgcopy_job_get_time(job, BGCOPY_TIME_CREATED),
		"modified", (json_int_t)bgcopy_job_get_time(job, BGCOPY_TIME_MODIFIED),
		"transferred", (json_int_t)bgcopy_job_get_time(job, BGCOPY_TIME_TRANSFERRED),
		"bytes_total", (json_int_t)p.bytes_total,
		"bytes_transferred", (json_int_t)p.bytes_transferred,
		"files_total", (int)p.files_total,
		"files_transferred", (int)p.files_transferred,
		"notify_flags", (int)bgcopy_job_get_notify_flags(job),
		"notify_epoch", (json_int_t)bgcopy_job_get_notify_epoch(job),
		"pending_notifications", (int)bgcopy_job_get_pending_notifications(job),
		"notify_cmdline", json_text(cmd),
		"min_retry_delay", (json_int_t)bgcopy_job_get_min_retry_delay(job),
		"no_progress_timeout", (json_int_t)bgcopy_job_get_no_progress_timeout(job),
		"files", files);
	if (o)
		json_object_set_new(o, "max_download_size", json_integer(
			(json_int_t)bgcopy_job_get_max_download_size(job)));
	if (o && bgcopy_job_get_error(job, &err) == BGCOPY_OK)
		json_object_set_new(o, "error", json_pack("{s:i,s:i,s:i,s:i,s:i,s:o}",
			"context", err.context, "code", err.code,
			"http_status", err.http_status, "curl_code", err.curl_code,
			"file_index", err.file_index,
			"description", json_text(err.description)));
	return o;
}

static void print_job_text(json_t *o)
{
	json_t *files = json_object_get(o, "files"), *f, *err;
	size_t i;

	print_safe(stdout, "job %s \"%s\"\n", json_string_value(json_object_get(o, "id")),
	       json_string_value(json_object_get(o, "name")));
	print_safe(stdout, "  state %s, priority %s, %lld/%lld bytes, %lld/%lld files\n",
	       json_string_value(json_object_get(o, "state")),
	       json_string_value(json_object_get(o, "priority")),
	       json_integer_value(json_object_get(o, "bytes_transferred")),
	       json_integer_value(json_object_get(o, "bytes_total")),
	       json_integer_value(json_object_get(o, "files_transferred")),
	       json_integer_value(json_object_get(o, "files_total")));
	print_safe(stdout, "  notify flags 0x%llx, epoch %lld, pending 0x%llx, command line '%s'\n",
	       json_integer_value(json_object_get(o, "notify_flags")),
	       json_integer_value(json_object_get(o, "notify_epoch")),
	       json_integer_value(json_object_get(o, "pending_notifications")),
	       json_string_value(json_object_get(o, "notify_cmdline")));
	print_safe(stdout, "  retry delay %llds, no-progress timeout %llds, max download size %lld bytes (0: none)\n",
	       json_integer_value(json_object_get(o, "min_retry_delay")),
	       json_integer_value(json_object_get(o, "no_progress_timeout")),
	       json_integer_value(json_object_get(o, "max_download_size")));
	if ((err = json_object_get(o, "error")))
		print_safe(stdout, "  error: %s\n", json_string_value(json_object_get(err, "description")));
	json_array_foreach(files, i, f)
		print_safe(stdout, "  file %zu: %s -> %s (%lld/%lld bytes%s)\n", i,
		       json_string_value(json_object_get(f, "url")),
		       json_string_value(json_object_get(f, "local_path")),
		       json_integer_value(json_object_get(f, "bytes_transferred")),
		       json_integer_value(json_object_get(f, "bytes_total")),
		       json_is_true(json_object_get(f, "completed")) ? ", done" : "");
}

static bool take_json_flag(struct cli *cli)
{
	for (int i = 1; i < cli->argc; i++) {
		if (!strcmp(cli->argv[i], "--json")) {
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
	bool json = take_json_flag(cli);
	bgcopy_job *job;
	json_t *o;
	int rc = need_args(cli, 1, "JOB [--json]");

	if (rc || (rc = find_job(engine, cli->argv[1], &job)))
		return rc;
	o = job_json(job);
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
	bool json = take_json_flag(cli);
	size_t n = bgcopy_engine_list_jobs(engine, NULL, 0);
	bgcopy_job **jobs = calloc(n ? n : 1, sizeof(*jobs));
	json_t *all = json_array();
	int rc = need_args(cli, 0, "[--json]");

	if (!rc && (!jobs || !all))
		rc = fail(EXIT_USAGE, "out of memory");
	n = rc ? 0 : bgcopy_engine_list_jobs(engine, jobs, n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = job_json(jobs[i]);

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
	size_t n;
	bgcopy_job **jobs;
	int rc = need_args(cli, 0, "");

	if (rc)
		return rc;
	bgcopy_engine_wait_idle(engine, -1);
	n = bgcopy_engine_list_jobs(engine, NULL, 0);
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (!jobs)
		return fail(EXIT_USAGE, "out of memory");
	n = bgcopy_engine_list_jobs(engine, jobs, n);
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
	{ "info", "JOB [--json]", "show a job", cmd_info, RO },
	{ "list", "[--json]", "list the jobs", cmd_list, RO },
	{ "set-priority", "JOB PRIORITY", "foreground, high, normal or low", cmd_set_priority, ADMIN },
	{ "set-retry-delay", "JOB SECONDS", "minimum retry delay (at least 5)", cmd_set_retry_delay, ADMIN },
	{ "set-no-progress-timeout", "JOB SECONDS", "fail a job making no progress this long", cmd_set_no_progress_timeout, ADMIN },
	{ "set-max-download", "JOB BYTES", "largest file the job may download (0: no limit)", cmd_set_max_download, ADMIN },
	{ "set-flags", "JOB FLAGS", "notify flags: 0x1 transferred, 0x2 error, 0x4 disable, 0x8 modification, 0x10 file", cmd_set_flags, ADMIN },
	{ "set-notify-cmd", "JOB PROGRAM [ARG...]", "run PROGRAM ARGS JOB-ID EVENT when no interface takes a notification", cmd_set_notify_cmd, ADMIN },
	{ "clear-notify-cmd", "JOB", "remove the notify command line", cmd_clear_notify_cmd, ADMIN },
	{ "wait", "JOB", "run the engine until JOB is TRANSFERRED (0) or ERROR (1)", cmd_wait, RW },
	{ "run", "", "run the engine until every job has settled", cmd_run, RW },
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
