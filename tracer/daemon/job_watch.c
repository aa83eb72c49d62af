/* bgcopyd: PropertiesChanged for every job whose properties moved, and the idle clock. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* The engine moves jobs on its own threads and tells no one but the
 * job's notify interface, which belongs to the application: the loop
 * compares each job with what it was at the last sweep instead. */
#define SWEEP_USEC 250000u

struct job_snapshot {
	bgcopy_job *job;
	enum bgcopy_state state;
	enum bgcopy_priority priority;
	uint32_t notify_flags;
	struct bgcopy_progress progress;
	char *display_name, *description, *error;
};

static void snapshot_clear(struct job_snapshot *s)
{
	free(s->display_name);
	free(s->description);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

/* Replaces *field by `now` when they differ; true when they did. */
static bool text_moved(char **field, const char *now)
{
	char *copy;

	if (*field && !strcmp(*field, now))
		return false;
	copy = strdup(now);
	if (!copy)
		return false;	/* compared again at the next sweep */
	free(*field);
	*field = copy;
	return true;
}

/* Refreshes the snapshot; `changed` gets the names of what moved. */
static size_t snapshot_update(struct job_snapshot *s, bgcopy_job *job, const char **changed)
{
	char text[BGCOPYD_TEXT_MAX];
	struct bgcopy_progress p = { 0 };
	struct bgcopy_error err;
	size_t n = 0;

#define NUMBER_MOVED(field, value, name) \
	do { if (s->field != (value)) { s->field = (value); changed[n++] = name; } } while (0)
	NUMBER_MOVED(state, bgcopy_job_get_state(job), "State");
	NUMBER_MOVED(priority, bgcopy_job_get_priority(job), "Priority");
	NUMBER_MOVED(notify_flags, bgcopy_job_get_notify_flags(job), "NotifyFlags");
	bgcopy_job_get_progress(job, &p);
	NUMBER_MOVED(progress.bytes_transferred, p.bytes_transferred, "BytesTransferred");
	NUMBER_MOVED(progress.bytes_total, p.bytes_total, "BytesTotal");
	NUMBER_MOVED(progress.files_transferred, p.files_transferred, "FilesTransferred");
	NUMBER_MOVED(progress.files_total, p.files_total, "FilesTotal");
#undef NUMBER_MOVED
	bgcopy_job_get_display_name(job, text, sizeof(text));
	if (text_moved(&s->display_name, text))
		changed[n++] = "DisplayName";
	bgcopy_job_get_description(job, text, sizeof(text));
	if (text_moved(&s->description, text))
		changed[n++] = "Description";
	if (text_moved(&s->error, bgcopy_job_get_error(job, &err) == BGCOPY_OK ?
			       err.description : ""))
		changed[n++] = "Error";
	changed[n] = NULL;
	return n;
}

static void emit_changes(struct daemon *d, bgcopy_job *job, const char **changed)
{
	char *path = NULL;
	int r;

	if (job_object_path(job, &path) < 0)
		return;
	for (struct peer *p = d->peers; p; p = p->next) {
		/* A connection still authenticating must not get a message
		 * before its "OK": it would read a broken handshake. */
		if (!peer_sees(p, job) || sd_bus_is_ready(p->bus) <= 0)
			continue;
		r = sd_bus_emit_properties_changed_strv(p->bus, path, BGCOPYD_JOB_IFACE,
							(char **)changed);
		if (r < 0)
			fprintf(stderr, "bgcopyd: cannot tell pid %ld of a change: %s\n",
				(long)p->pid, strerror(-r));
	}
	free(path);
}

/* Makes room for `n` snapshots; the jobs are only ever appended. */
static bool snapshots_reserve(struct daemon *d, size_t n)
{
	struct job_snapshot *grown;

	if (n <= d->nsnapshots)
		return true;
	grown = realloc(d->snapshots, n * sizeof(*grown));
	if (!grown)
		return false;
	memset(grown + d->nsnapshots, 0, (n - d->nsnapshots) * sizeof(*grown));
	d->snapshots = grown;
	d->nsnapshots = n;
	return true;
}

/* Sends what moved since the last sweep; true when a job wants bytes. */
static bool sweep(struct daemon *d)
{
	const char *changed[16];
	bool moving = false;
	bgcopy_job **jobs;
	size_t n = 0;

	jobs = daemon_jobs(d, NULL, &n);
	if (!jobs || !snapshots_reserve(d, n)) {
		free(jobs);
		return true;	/* out of memory: never mistaken for idle */
	}
	for (size_t i = 0; i < n; i++) {
		struct job_snapshot *s = &d->snapshots[i];
		bool fresh = s->job != jobs[i];
		enum bgcopy_state state;

		if (fresh) {	/* a new job: nothing to compare with yet */
			snapshot_clear(s);
			s->job = jobs[i];
		}
		if (snapshot_update(s, jobs[i], changed) > 0 && !fresh)
			emit_changes(d, jobs[i], changed);
		state = s->state;
		moving |= state == BGCOPY_QUEUED || state == BGCOPY_CONNECTING ||
			  state == BGCOPY_TRANSFERRING || state == BGCOPY_TRANSIENT_ERROR;
	}
	free(jobs);
	return moving;
}

void job_watch_sweep(struct daemon *d)
{
	sweep(d);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	bool moving = sweep(d);

	if (moving || d->npeers > 0)
		d->busy_usec = usec;
	else if (d->idle_exit_usec && usec - d->busy_usec >= d->idle_exit_usec)
		return sd_event_exit(d->event, 0);
	if (sd_event_source_set_time_relative(s, SWEEP_USEC) < 0 ||
	    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0)
		return sd_event_exit(d->event, 1);
	return 0;
}

int job_watch_start(struct daemon *d)
{
	int r = sd_event_now(d->event, CLOCK_MONOTONIC, &d->busy_usec);

	if (r < 0)
		return r;
	sweep(d);
	return sd_event_add_time_relative(d->event, &d->tick_source, CLOCK_MONOTONIC,
					  SWEEP_USEC, 0, on_tick, d);
}

void job_watch_free(struct daemon *d)
{
	d->tick_source = sd_event_source_disable_unref(d->tick_source);
	for (size_t i = 0; i < d->nsnapshots; i++)
		snapshot_clear(&d->snapshots[i]);
	free(d->snapshots);
	d->snapshots = NULL;
	d->nsnapshots = 0;
}
