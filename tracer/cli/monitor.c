/* bgcopy monitor: a line for every state a job enters, in order, and its progress at most every --interval ms, until interrupted. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "monitor.h"
#include "safe_text.h"

#define DEFAULT_INTERVAL_MS 250
/* How often the loop looks at Ctrl-C and SIGTERM while nothing comes. */
#define STOP_POLL_MS 100
/* Past this many changes not yet printed (stdout blocked), they are
 * dropped and said to be: the hook must not allocate without bound. */
#define EVENTS_MAX 65536

/* One change, as the change hook was told of it. */
struct event {
	bgcopy_job *job;		/* NULL: changes were lost */
	unsigned what;
	enum bgcopy_state state;
	struct timespec at;		/* CLOCK_REALTIME */
};

/* What the hook queued, for the loop to print (the hook may not call
 * libbgcopy, bgcopy.h). */
struct stream {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* an event came */
	struct event *events;
	size_t n, cap;
	bool dropped;			/* EVENTS_MAX passed */
};

/* A job's last progress line, and the one held back by the interval. */
struct shown {
	bgcopy_job *job;
	struct bgcopy_progress progress;
	int64_t printed_ms;		/* CLOCK_MONOTONIC */
	bool held;			/* progress waits for the interval */
	struct event held_event;
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The change hook: any thread, perhaps with the engine's lock held. */
static void on_change(bgcopy_job *job, unsigned what, enum bgcopy_state state, void *data)
{
	struct stream *s = data;
	struct event *grown;

	pthread_mutex_lock(&s->lock);
	if (s->n == s->cap && !s->dropped) {
		size_t cap = s->cap ? 2 * s->cap : 256;

		grown = cap <= EVENTS_MAX ? realloc(s->events, cap * sizeof(*grown)) : NULL;
		if (grown) {
			s->events = grown;
			s->cap = cap;
		} else {
			s->dropped = true;
		}
	}
	if (s->n < s->cap && !s->dropped) {
		s->events[s->n] = (struct event){ .job = job, .what = what, .state = state };
		clock_gettime(CLOCK_REALTIME, &s->events[s->n++].at);
	}
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* "HH:MM:SS.mmm id STATE bytes files name", the bytes and files as
 * they are when printed. */
static void print_line(const struct event *ev, struct bgcopy_progress *progress)
{
	char name[256], id[37], stamp[16];
	struct tm tm;

	gmtime_r(&ev->at.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	bgcopy_job_get_id(ev->job, id);
	bgcopy_job_get_display_name(ev->job, name, sizeof(name));
	bgcopy_job_get_progress(ev->job, progress);
	print_safe(stdout, "%s.%03ld %s %-15s %llu/%lld bytes %u/%u files %s\n", stamp,
		   ev->at.tv_nsec / 1000000, id, bgcopy_state_name(ev->state),
		   (unsigned long long)progress->bytes_transferred,
		   (long long)progress->bytes_total, progress->files_transferred,
		   progress->files_total, name);
}

/* The job's record, added if new; NULL on no memory. */
static struct shown *shown_of(struct shown **shown, size_t *n, bgcopy_job *job)
{
	struct shown *grown;

	for (size_t i = 0; i < *n; i++)
		if ((*shown)[i].job == job)
			return &(*shown)[i];
	grown = realloc(*shown, (*n + 1) * sizeof(**shown));
	if (!grown)
		return NULL;
	*shown = grown;
	grown[*n] = (struct shown){ .job = job, .printed_ms = INT64_MIN / 2 };
	grown[*n].progress.bytes_total = -2;	/* matches no progress */
	return &grown[(*n)++];
}

/* A progress line, unless the bytes and files are those last printed. */
static void print_progress(struct shown *rec, const struct event *ev, int64_t now)
{
	struct bgcopy_progress was = rec->progress;

	rec->held = false;
	rec->printed_ms = now;
	bgcopy_job_get_progress(ev->job, &rec->progress);
	if (!memcmp(&was, &rec->progress, sizeof(was)))
		return;
	print_line(ev, &rec->progress);
}

/* One change: a state entry is printed at once, progress at most every
 * `interval` ms a job (held until then), other properties not at all. */
static int show(struct shown **shown, size_t *nshown, const struct event *ev, long interval)
{
	int64_t now = monotonic_ms();
	struct shown *rec = shown_of(shown, nshown, ev->job);

	if (!rec)
		return -1;
	if (ev->what & BGCOPY_CHANGE_STATE) {
		rec->held = false;
		rec->printed_ms = now;
		print_line(ev, &rec->progress);
	} else if (ev->what & BGCOPY_CHANGE_PROGRESS) {
		if (now - rec->printed_ms >= interval)
			print_progress(rec, ev, now);
		else {
			rec->held = true;
			rec->held_event = *ev;
		}
	}
	return 0;
}

/* Held progress whose interval has passed; the ms until the next. */
static long release_held(struct shown *shown, size_t nshown, long interval)
{
	int64_t now = monotonic_ms();
	long next = STOP_POLL_MS;

	for (size_t i = 0; i < nshown; i++) {
		if (!shown[i].held)
			continue;
		if (now - shown[i].printed_ms >= interval)
			print_progress(&shown[i], &shown[i].held_event, now);
		else if (shown[i].printed_ms + interval - now < next)
			next = (long)(shown[i].printed_ms + interval - now);
	}
	return next;
}

/* Every job's state now, as if each had just entered it: at the start
 * of an embedded monitor (a client's hook starts with them) and after
 * this monitor dropped changes. */
static void queue_every_job(bgcopy_engine *engine, struct stream *s)
{
	size_t n;
	bgcopy_job **jobs = list_jobs_now(engine, &n);

	if (!jobs)
		return;
	for (size_t i = 0; i < n; i++)
		on_change(jobs[i], BGCOPY_CHANGE_STATE, bgcopy_job_get_state(jobs[i]), s);
	free(jobs);
}

/* Waits up to `ms` for events, then takes them all (*n of them). */
static struct event *take_events(struct stream *s, long ms, size_t *n, bool *dropped)
{
	struct timespec until;
	struct event *events;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += ms * 1000000;
	until.tv_sec += until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	pthread_mutex_lock(&s->lock);
	if (s->n == 0 && !s->dropped)
		pthread_cond_timedwait(&s->cond, &s->lock, &until);
	events = s->events;
	*n = s->n;
	*dropped = s->dropped;
	s->events = NULL;
	s->n = s->cap = 0;
	s->dropped = false;
	pthread_mutex_unlock(&s->lock);
	return events;
}

static void say_lost(void)
{
	fputs("bgcopy: changes were lost (this monitor fell behind); every job's state "
	      "follows\n", stdout);
}

/* Prints what the hook tells until Ctrl-C or SIGTERM, or until the
 * connection to bgcopyd is lost (exit 2, naming it). */
static int stream_changes(bgcopy_engine *engine, struct stream *s, long interval)
{
	struct shown *shown = NULL;
	size_t nshown = 0, n;
	struct event *events;
	long wait_ms = STOP_POLL_MS;
	bool dropped, lost = false;
	int rc = 0;

	while (!stop && rc == 0 && !lost) {
		events = take_events(s, wait_ms, &n, &dropped);
		for (size_t i = 0; i < n && rc == 0 && !lost; i++) {
			if (events[i].job)
				rc = show(&shown, &nshown, &events[i], interval);
			/* The daemon gone, nothing more comes (bgcopy.h); else
			 * every job's state follows. */
			else if (!(lost = bgcopy_engine_wait_idle(engine, 0) == BGCOPY_E_IO))
				say_lost();
		}
		free(events);
		if (dropped && !lost) {
			say_lost();
			queue_every_job(engine, s);
		}
		wait_ms = release_held(shown, nshown, interval);
		fflush(stdout);
	}
	free(shown);
	if (rc)
		fputs("bgcopy: out of memory\n", stderr);
	else if (lost)
		fprintf(stderr, "bgcopy: %s\n", bgcopy_last_error());
	return rc || lost ? 2 : 0;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int monitor_run(bgcopy_engine *engine, int argc, char **argv)
{
	struct stream s = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	long interval = DEFAULT_INTERVAL_MS;
	char *end;
	int rc;

	if (argc == 3 && !strcmp(argv[1], "--interval")) {
		errno = 0;
		interval = strtol(argv[2], &end, 10);
		if (errno || *end || interval < 10 || interval > 60000) {
			fprintf(stderr, "bgcopy: --interval wants 10 to 60000 ms, not '%s'\n",
				argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		fputs("usage: bgcopy monitor [--interval MS]\n", stderr);
		return 2;
	}
	catch_stop_signals();
	if (bgcopy_engine_set_change_hook(engine, on_change, &s) != BGCOPY_OK) {
		fprintf(stderr, "bgcopy: cannot follow the jobs' changes: %s\n",
			bgcopy_last_error());
		return 2;
	}
	if (!bgcopy_engine_is_client(engine))
		queue_every_job(engine, &s);
	rc = stream_changes(engine, &s, interval);
	bgcopy_engine_set_change_hook(engine, NULL, NULL);
	free(s.events);
	return rc;
}
