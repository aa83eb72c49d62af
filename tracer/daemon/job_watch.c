/* bgcopyd: PropertiesChanged for exactly what changed in a job, woken by the engine's change hook. */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

/* Progress alone is announced at most this often per job; a state or a
 * property that changes carries the progress of the moment with it. */
#define PROGRESS_USEC 100000u
#define KEEP_STATE (-1)

/* What a job looked like when it was last announced. */
struct job_snapshot {
	bgcopy_job *job;
	size_t index;			/* in d->snapshots */
	enum bgcopy_state state;
	enum bgcopy_priority priority;
	uint32_t notify_flags, owner;
	struct bgcopy_progress progress;
	char *display_name, *description, *error;
	uint64_t digests[JOB_DIGESTS];	/* job_digest.c */
	uint32_t files_digested;	/* the file count the added files' digests saw */
	uint64_t progress_usec;		/* progress last announced */
	bool held;			/* progress not yet announced */
	bool final;			/* its final state went out: in d->finals */
};

/* One PropertiesChanged being built: names and values, the same for
 * every peer.  Strings point into the snapshot.  The properties of
 * job_digest.c go by name alone, as invalidated. */
#define PROPS_MAX 12
struct props {
	size_t n, ninvalid;
	const char *invalid[JOB_DIGESTS];
	const char *name[PROPS_MAX];
	char type[PROPS_MAX];
	union { const char *s; uint32_t u; uint64_t t; int64_t x; } v[PROPS_MAX];
};

#define PROP_ADD(pr, nm, ty, field, value)					\
	do {									\
		assert((pr)->n < PROPS_MAX);					\
		(pr)->name[(pr)->n] = (nm);					\
		(pr)->type[(pr)->n] = (ty);					\
		(pr)->v[(pr)->n++].field = (value);				\
	} while (0)

static bool moving(enum bgcopy_state state)
{
	return state == BGCOPY_QUEUED || state == BGCOPY_CONNECTING ||
	       state == BGCOPY_TRANSFERRING || state == BGCOPY_TRANSIENT_ERROR;
}

static void snapshot_set_state(struct daemon *d, struct job_snapshot *s, enum bgcopy_state state)
{
	d->nmoving += moving(state) - moving(s->state);
	s->state = state;
}

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
		return false;	/* compared again at the next change */
	free(*field);
	*field = copy;
	return true;
}

/* `error_entered`: the announced state carries an error, which its
 * signal then carries too, even worded as the last one: the loop reads
 * the error when it catches up, and a resume that cleared it between
 * two failures may have gone unannounced. */
static void diff_texts(struct job_snapshot *s, bgcopy_job *job, struct props *pr,
		       bool error_entered)
{
	char text[BGCOPYD_TEXT_MAX];
	struct bgcopy_error err;
	bool moved;

	bgcopy_job_get_display_name(job, text, sizeof(text));
	if (text_moved(&s->display_name, text))
		PROP_ADD(pr, "DisplayName", 's', s, s->display_name);
	bgcopy_job_get_description(job, text, sizeof(text));
	if (text_moved(&s->description, text))
		PROP_ADD(pr, "Description", 's', s, s->description);
	moved = text_moved(&s->error, bgcopy_job_get_error(job, &err) == BGCOPY_OK ?
			   err.description : "");
	if (moved || error_entered)
		PROP_ADD(pr, "Error", 's', s, s->error);
}

static void diff_digest(struct job_snapshot *s, enum job_digest which, uint64_t now,
			struct props *pr)
{
	if (s->digests[which] == now)
		return;
	assert(pr->ninvalid < JOB_DIGESTS);	/* each digest once per diff */
	s->digests[which] = now;
	pr->invalid[pr->ninvalid++] = job_digest_names[which];
}

/* The added files' digests, when files were added since they were taken:
 * reading every file's at each change was a seventh of bgcopyd's time on
 * 5,000 small files, and as many calls contending for the engine lock. */
static void digest_added_files(struct job_snapshot *s, bgcopy_job *job,
			       uint64_t out[JOB_DIGESTS])
{
	struct bgcopy_progress p = { 0 };

	bgcopy_job_get_progress(job, &p);
	if (p.files_total == s->files_digested)
		return;
	job_digest_added_files(job, out);
	s->files_digested = p.files_total;
}

static void diff_digests(struct job_snapshot *s, bgcopy_job *job, struct props *pr)
{
	uint64_t now[JOB_DIGESTS];

	memcpy(now, s->digests, sizeof(now));
	job_digests(job, now);
	digest_added_files(s, job, now);
	for (int i = 0; i < JOB_DIGESTS; i++)
		if (i != JOB_DIGEST_FILES)
			diff_digest(s, i, now[i], pr);
}

/* Progress goes out with other changes, or alone when `progress_ok`;
 * otherwise it is held for the progress timer. */
static void diff_progress(struct job_snapshot *s, bgcopy_job *job, struct props *pr,
			  bool progress_ok, uint64_t now)
{
	struct bgcopy_progress p = { 0 }, *o = &s->progress;

	bgcopy_job_get_progress(job, &p);
	if (!memcmp(&p, o, sizeof(p))) {
		s->held = false;
		diff_digest(s, JOB_DIGEST_FILES, job_digest_files(job), pr);
		return;
	}
	if (!progress_ok && pr->n == 0 && pr->ninvalid == 0) {
		s->held = true;
		return;
	}
	if (p.bytes_transferred != o->bytes_transferred)
		PROP_ADD(pr, "BytesTransferred", 't', t, p.bytes_transferred);
	if (p.bytes_total != o->bytes_total)
		PROP_ADD(pr, "BytesTotal", 'x', x, p.bytes_total);
	if (p.files_transferred != o->files_transferred)
		PROP_ADD(pr, "FilesTransferred", 'u', u, p.files_transferred);
	if (p.files_total != o->files_total)
		PROP_ADD(pr, "FilesTotal", 'u', u, p.files_total);
	diff_digest(s, JOB_DIGEST_FILES, job_digest_files(job), pr);
	*o = p;
	s->progress_usec = now;
	s->held = false;
}

/* Fills `pr` with what differs from the snapshot and refreshes it.  The
 * state is the one the hook reported (each state a job passes through is
 * announced, however short), or KEEP_STATE to leave it. */
static void snapshot_diff(struct daemon *d, struct job_snapshot *s, int state,
			  struct props *pr, bool progress_ok, uint64_t now)
{
	bgcopy_job *job = s->job;
	enum bgcopy_priority priority = bgcopy_job_get_priority(job);
	uint32_t flags = bgcopy_job_get_notify_flags(job), owner = bgcopy_job_get_owner(job);

	bool error_entered = false;

	pr->n = pr->ninvalid = 0;
	if (state != KEEP_STATE && (enum bgcopy_state)state != s->state) {
		snapshot_set_state(d, s, state);
		PROP_ADD(pr, "State", 's', s, bgcopy_state_name(s->state));
		error_entered = state == BGCOPY_ERROR || state == BGCOPY_TRANSIENT_ERROR;
	}
	if (priority != s->priority) {
		s->priority = priority;
		PROP_ADD(pr, "Priority", 's', s, bgcopy_priority_name(priority));
	}
	if (flags != s->notify_flags) {
		s->notify_flags = flags;
		PROP_ADD(pr, "NotifyFlags", 'u', u, flags);
	}
	if (owner != s->owner) {
		s->owner = owner;
		PROP_ADD(pr, "Owner", 'u', u, owner);
	}
	diff_texts(s, job, pr, error_entered);
	diff_digests(s, job, pr);
	diff_progress(s, job, pr, progress_ok, now);
}

/* The snapshot as it is now, nothing announced. */
static void snapshot_fill(struct daemon *d, struct job_snapshot *s, bgcopy_job *job)
{
	struct props ignored;

	s->job = job;
	s->state = BGCOPY_SUSPENDED;	/* not moving: counted below */
	s->priority = bgcopy_job_get_priority(job);
	s->notify_flags = bgcopy_job_get_notify_flags(job);
	s->owner = bgcopy_job_get_owner(job);
	snapshot_set_state(d, s, bgcopy_job_get_state(job));
	ignored.n = ignored.ninvalid = 0;
	diff_texts(s, job, &ignored, false);
	job_digests(job, s->digests);
	s->files_digested = UINT32_MAX;
	digest_added_files(s, job, s->digests);
	s->digests[JOB_DIGEST_FILES] = job_digest_files(job);
	bgcopy_job_get_progress(job, &s->progress);
}

static int by_job(const void *a, const void *b)
{
	const bgcopy_job *x = ((const struct job_snapshot *)a)->job;
	const bgcopy_job *y = ((const struct job_snapshot *)b)->job;

	return x < y ? -1 : x > y;
}

static struct job_snapshot *snapshot_find(struct daemon *d, bgcopy_job *job)
{
	struct job_snapshot key = { .job = job };
	struct job_snapshot **found = tfind(&key, &d->snapshot_index, by_job);

	return found ? *found : NULL;
}

/* The job's snapshot, made now (and *fresh set) for a job not seen
 * before; NULL when out of memory. */
static struct job_snapshot *snapshot_of(struct daemon *d, bgcopy_job *job, bool *fresh)
{
	struct job_snapshot *s = snapshot_find(d, job), **grown;
	size_t cap;

	*fresh = false;
	if (s)
		return s;
	if (d->nsnapshots == d->snapshots_cap) {
		cap = d->snapshots_cap ? 2 * d->snapshots_cap : 64;
		grown = realloc(d->snapshots, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		d->snapshots = grown;
		d->snapshots_cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->job = job;
	if (!tsearch(s, &d->snapshot_index, by_job)) {
		free(s);
		return NULL;
	}
	*fresh = true;
	snapshot_fill(d, s, job);
	s->index = d->nsnapshots;
	d->snapshots[d->nsnapshots++] = s;
	return s;
}

static void snapshot_remove(struct daemon *d, struct job_snapshot *s)
{
	struct job_snapshot *last = d->snapshots[--d->nsnapshots];

	assert(d->snapshots[s->index] == s);
	tdelete(s, &d->snapshot_index, by_job);
	d->snapshots[s->index] = last;
	last->index = s->index;
	snapshot_set_state(d, s, BGCOPY_ACKNOWLEDGED);	/* not moving */
	snapshot_clear(s);
	free(s);
}

static int append_props(sd_bus_message *m, const struct props *pr)
{
	int r = sd_bus_message_append(m, "s", BGCOPYD_JOB_IFACE);

	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	for (size_t i = 0; r >= 0 && i < pr->n; i++) {
		char type[2] = { pr->type[i], 0 };

		r = sd_bus_message_open_container(m, 'e', "sv");
		if (r >= 0)
			r = sd_bus_message_append(m, "s", pr->name[i]);
		if (r >= 0)
			r = sd_bus_message_open_container(m, 'v', type);
		if (r >= 0)
			r = pr->type[i] == 's' ? bus_append_text(m, pr->v[i].s) :
			    sd_bus_message_append_basic(m, pr->type[i], &pr->v[i]);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "s");
	for (size_t i = 0; r >= 0 && i < pr->ninvalid; i++)
		r = sd_bus_message_append(m, "s", pr->invalid[i]);
	return r >= 0 ? sd_bus_message_close_container(m) : r;
}

static int send_props(sd_bus *bus, const char *path, const struct props *pr)
{
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_signal(bus, &m, path, "org.freedesktop.DBus.Properties",
					  "PropertiesChanged");

	if (r >= 0)
		r = append_props(m, pr);
	if (r >= 0)
		r = sd_bus_send(bus, m, NULL);
	sd_bus_message_unref(m);
	return r;
}

static void emit(struct daemon *d, bgcopy_job *job, const struct props *pr)
{
	char *path = NULL;
	int r;

	if ((pr->n == 0 && pr->ninvalid == 0) || job_object_path(job, &path) < 0)
		return;
	for (struct peer *p = d->peers; p; p = p->next) {
		/* Not before the peer's first message (peer.c, on_message),
		 * which also means its handshake is over. */
		if (!peer_sees(p, job) || !p->spoke)
			continue;
		r = send_props(p->bus, path, pr);
		/* A client that went away is dropped once its close is read.
		 * One that missed a change would trust a wrong mirror of the
		 * job (libbgcopy's client, client_mirror.c): it is hung up on,
		 * and sees its connection lost instead. */
		if (r < 0 && r != -ECONNRESET && r != -EPIPE && r != -ENOTCONN) {
			fprintf(stderr, "bgcopyd: cannot tell pid %ld of a change: %s; "
				"hanging up on it\n", (long)p->pid, strerror(-r));
			shutdown(sd_bus_get_fd(p->bus), SHUT_RDWR);
		}
	}
	free(path);
}

/* Every peer was told the job is final: the engine lets go of it a
 * while later (job_forget.c). */
static void let_go_later(struct daemon *d, struct job_snapshot *s, uint64_t now)
{
	struct final_job *grown;
	size_t cap;

	if (!d->forget_source)
		return;
	if (d->nfinals == d->finals_cap) {
		cap = d->finals_cap ? 2 * d->finals_cap : 16;
		grown = realloc(d->finals, cap * sizeof(*grown));
		if (!grown)
			return;	/* kept until the daemon exits */
		d->finals = grown;
		d->finals_cap = cap;
	}
	d->finals[d->nfinals++] = (struct final_job){ .job = s->job, .at_usec = now };
	s->final = true;
	if (d->nfinals == 1)
		job_watch_arm_forget(d);
}

/* The forget timer, for the oldest final job if any. */
void job_watch_arm_forget(struct daemon *d)
{
	if (!d->nfinals) {
		sd_event_source_set_enabled(d->forget_source, SD_EVENT_OFF);
		return;
	}
	if (sd_event_source_set_time(d->forget_source,
				     d->finals[0].at_usec + d->keep_final_usec) < 0 ||
	    sd_event_source_set_enabled(d->forget_source, SD_EVENT_ONESHOT) < 0)
		sd_event_exit(d->event, 1);
}

/* Bytes that moved or a file that completed, with the job's progress
 * announced less than PROGRESS_USEC ago: the progress is held, and
 * nothing else is compared.  Such a change (job.c job_note_progress,
 * job_file_completed) moves nothing else a diff reads; an added file
 * changes the file count, and is compared whole.  Nine changes in ten
 * on small files, each a diff of twenty properties, every one a call
 * that takes the engine's lock. */
static bool progress_held(struct job_snapshot *s, unsigned what, bool progress_ok)
{
	struct bgcopy_progress p = { 0 };

	if (what != BGCOPY_CHANGE_PROGRESS || progress_ok)
		return false;
	bgcopy_job_get_progress(s->job, &p);
	if (p.files_total != s->progress.files_total || !memcmp(&p, &s->progress, sizeof(p)))
		return false;
	s->held = true;
	return true;
}

/* `what`: the change's BGCOPY_CHANGE_* bits, 0 when not the hook's. */
static void watch_job(struct daemon *d, bgcopy_job *job, unsigned what, int state,
		      bool progress_ok, uint64_t now)
{
	struct props pr;
	bool fresh;
	struct job_snapshot *s = snapshot_of(d, job, &fresh);

	if (!s || fresh)
		return;		/* a new snapshot has nothing to compare with */
	progress_ok = progress_ok || now - s->progress_usec >= PROGRESS_USEC;
	if (progress_held(s, what, progress_ok))
		return;
	snapshot_diff(d, s, state, &pr, progress_ok, now);
	emit(d, job, &pr);
	if (!s->final && (s->state == BGCOPY_ACKNOWLEDGED || s->state == BGCOPY_CANCELLED))
		let_go_later(d, s, now);
}

/* Arms the progress timer for the earliest held progress, if any. */
static void hold_progress(struct daemon *d)
{
	uint64_t at = UINT64_MAX;

	for (size_t i = 0; i < d->nsnapshots; i++)
		if (d->snapshots[i]->held && d->snapshots[i]->progress_usec + PROGRESS_USEC < at)
			at = d->snapshots[i]->progress_usec + PROGRESS_USEC;
	if (at == UINT64_MAX)
		return;
	if (sd_event_source_set_time(d->progress_source, at) < 0 ||
	    sd_event_source_set_enabled(d->progress_source, SD_EVENT_ONESHOT) < 0)
		sd_event_exit(d->event, 1);
}

/* For tests only, the loop's thread alone: a pause of the milliseconds
 * `env` names, read once into *ms (-1 until then), as a loaded machine
 * would make. */
static void delay_for_tests(const char *env, long *ms)
{
	const char *v;

	if (*ms < 0)
		*ms = (v = getenv(env)) ? atol(v) : 0;
	if (*ms > 0)
		usleep((useconds_t)*ms * 1000);
}

/* Announces every change the hook queued; with `now_all` (a method's
 * reply follows) held progress goes out too.  BGCOPYD_TEST_FLUSH_DELAY_MS
 * makes the loop catch up late, so that a job's quick changes meet in
 * one batch (bgcopyd_signals.sh). */
void job_watch_flush(struct daemon *d, bool now_all)
{
	static long late_ms = -1;
	struct job_change *batch;
	bool overflow;
	size_t n;
	uint64_t now = 0;

	delay_for_tests("BGCOPYD_TEST_FLUSH_DELAY_MS", &late_ms);
	n = changes_take(d, &batch, &overflow);

	sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	for (size_t i = 0; i < n; i++)
		watch_job(d, batch[i].job, batch[i].what, batch[i].what & BGCOPY_CHANGE_STATE ?
			  (int)batch[i].state : KEEP_STATE, now_all, now);
	free(batch);
	/* Changes were dropped: every job is compared with the engine. */
	for (size_t i = 0; overflow && i < d->nsnapshots; i++)
		watch_job(d, d->snapshots[i]->job, 0,
			  (int)bgcopy_job_get_state(d->snapshots[i]->job), true, now);
	hold_progress(d);
	idle_update(d);
}

/* A change the engine does not report (the notify flags): announced
 * with the rest, before the method's reply. */
void job_watch_changed(struct daemon *d, bgcopy_job *job)
{
	changes_report(d, job, BGCOPY_CHANGE_PROPERTY, BGCOPY_SUSPENDED);
	job_watch_flush(d, true);
}

/* Before a job's properties are read: what the hook queued is announced
 * first, so that the answer is no older than the signals sent before it
 * and states it replays after it are few (libbgcopy's client mirrors
 * jobs from both, client_mirror.c). */
void job_watch_catch_up(struct daemon *d)
{
	if (changes_waiting(d))
		job_watch_flush(d, false);
}

void job_watch_add(struct daemon *d, bgcopy_job *job)
{
	bool fresh;

	snapshot_of(d, job, &fresh);
}

/* A job just created is announced to every peer that sees it, State
 * (SUSPENDED) and Owner, before the creator's reply: a client streams a
 * job from its creation on (libbgcopy's change hook, client_hook.c). */
void job_watch_created(struct daemon *d, bgcopy_job *job)
{
	struct props pr = { 0 };
	bool fresh;
	struct job_snapshot *s = snapshot_of(d, job, &fresh);

	if (!s)
		return;
	PROP_ADD(&pr, "State", 's', s, bgcopy_state_name(s->state));
	PROP_ADD(&pr, "Owner", 'u', u, s->owner);
	emit(d, job, &pr);
}

/* The state last announced: what a listing shows, so that it continues
 * the signals sent before it (a client's change hook starts from it). */
enum bgcopy_state job_watch_state(struct daemon *d, bgcopy_job *job)
{
	struct job_snapshot *s = snapshot_find(d, job);

	return s ? s->state : bgcopy_job_get_state(job);
}

static int on_changes(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	(void)s, (void)fd, (void)revents;
	changes_ack(userdata);
	job_watch_flush(userdata, false);
	return 0;
}

static int on_progress(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	for (size_t i = 0; i < d->nsnapshots; i++)
		if (d->snapshots[i]->held)
			watch_job(d, d->snapshots[i]->job, 0, KEEP_STATE, true, usec);
	return 0;
}

/* Every job known at start gets its snapshot; the hook reports the rest.
 * The hook comes first: the engine's restored jobs already move, and a
 * change between a job's snapshot and the hook would never be announced
 * (its listing would show the state it had when the daemon started).
 * BGCOPYD_TEST_WATCH_DELAY_MS pauses after the snapshots, as many jobs
 * would (bgcopyd_restart_listing.sh). */
int job_watch_start(struct daemon *d)
{
	long late_ms = -1;
	size_t n = 0;
	bgcopy_job **jobs;
	int r = changes_open(d);

	if (r < 0)
		return r;
	jobs = daemon_jobs(d, NULL, false, &n);
	if (!jobs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		job_watch_add(d, jobs[i]);
	free(jobs);
	delay_for_tests("BGCOPYD_TEST_WATCH_DELAY_MS", &late_ms);
	r = sd_event_add_io(d->event, &d->changes_source, d->changes_fd, EPOLLIN, on_changes, d);
	if (r >= 0)
		r = sd_event_add_time(d->event, &d->progress_source, CLOCK_MONOTONIC,
				      UINT64_MAX, 0, on_progress, d);
	if (r >= 0)
		r = sd_event_source_set_enabled(d->progress_source, SD_EVENT_OFF);
	if (r >= 0)
		idle_update(d);
	return r;
}

/* The job is gone from the engine: so is its snapshot. */
void job_watch_remove(struct daemon *d, bgcopy_job *job)
{
	struct job_snapshot *s = snapshot_find(d, job);

	if (s)
		snapshot_remove(d, s);
}

void job_watch_free(struct daemon *d)
{
	changes_close(d);
	d->changes_source = sd_event_source_disable_unref(d->changes_source);
	d->progress_source = sd_event_source_disable_unref(d->progress_source);
	while (d->nsnapshots)
		snapshot_remove(d, d->snapshots[0]);
	free(d->snapshots);
	d->snapshots = NULL;
	d->nsnapshots = d->snapshots_cap = 0;
}
