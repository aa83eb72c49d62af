/* A BITS-style application of bgcopyd for the stress tests: queues jobs through libbgcopy's client mode, reconnects and registers again whenever the daemon goes away. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bgcopy.h"

/*
 * service_client --store DIR --name NAME --jobs N --url BASE --out DIR
 *                --log FILE [--callback-ms MS] [--deadline-s S]
 *
 * Job i is named NAME-i and downloads BASE/NAME-i.bin to DIR/NAME-i.bin,
 * with JobTransferred notifications to a notify interface of this process.
 * The interface appends "JOB_TRANSFERRED <id> <name>" to FILE (O_APPEND,
 * one write) when a call arrives, then takes MS milliseconds to return
 * success, appending "RETURNING <id> <name>" just before it does.  A
 * job is completed once it is TRANSFERRED and its JobTransferred has
 * been received.
 *
 * The daemon may be killed at any moment.  Every call that finds it gone
 * (BGCOPY_E_IO) makes the client close its engine, open it again (which
 * starts a daemon on demand), find its jobs by id and register its
 * interface again, as a BITS application does.  Each step is idempotent:
 * a create whose answer was lost is found by its name rather than made
 * twice, a file is added only to a job that has none.
 *
 * Prints "job NAME-i ID" when a job's id is known and, at the end,
 * "received ID COUNT" per job (JobTransferred calls received); a summary
 * (reconnects, creates and completes whose answer was lost) goes to
 * stderr.  Exit 0
 * when every job was completed; 1 when a job the daemon had acknowledged
 * disappeared (lost), a call failed otherwise, or S seconds (default 100)
 * passed first; 2 on a usage error.
 */

#define TICK_MS 100

enum phase { NEW, CREATED, RUNNING, COMPLETING, DONE };

struct slot {
	char name[64];
	char id[37];
	bool create_sent;	/* a create was sent: look for it by name first */
	enum phase phase;
	int last_state;		/* the job's state as last read, or why not */
	bgcopy_job *job;	/* this connection's handle */
	atomic_uint received;	/* JobTransferred calls, over every connection */
};

struct client {
	const char *store, *url, *out;
	int log_fd;
	unsigned callback_ms;
	struct slot *slots;
	unsigned nslots;
	bgcopy_engine *engine;
	struct bgcopy_callback iface;
	atomic_int iface_refs;
	unsigned reconnects;
	unsigned adopted;	/* creates whose answer was lost */
	unsigned completed_unseen;	/* completes whose answer was lost */
};

static struct client client;
/* Slots' ids: written by the main thread, read by callbacks. */
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_id(struct slot *s, bgcopy_job *job)
{
	pthread_mutex_lock(&ids_lock);
	bgcopy_job_get_id(job, s->id);
	pthread_mutex_unlock(&ids_lock);
	printf("job %s %s\n", s->name, s->id);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void iface_add_ref(struct bgcopy_callback *self)
{
	(void)self;
	atomic_fetch_add(&client.iface_refs, 1);
}

static void iface_release(struct bgcopy_callback *self)
{
	(void)self;
	atomic_fetch_sub(&client.iface_refs, 1);
}

static struct slot *slot_of(const char *id)
{
	struct slot *found = NULL;

	pthread_mutex_lock(&ids_lock);
	for (unsigned i = 0; i < client.nslots && !found; i++)
		if (!strcmp(client.slots[i].id, id))
			found = &client.slots[i];
	pthread_mutex_unlock(&ids_lock);
	return found;
}

/* One line, one write: the clients share the file. */
static void log_callback(const char *what, const char *id, const char *name)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "%s %s %s\n", what, id, name);

	if (write(client.log_fd, line, (size_t)n) != n)
		fprintf(stderr, "service_client: cannot log a callback: %s\n", strerror(errno));
}

/* Logged on arrival, so a daemon killed while we sleep still sees a
 * receipt here; the sleep is where kills land inside callbacks, and the
 * second line tells a kill there from one after the answer. */
static int job_transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	char id[37];
	struct slot *s;

	(void)self;
	bgcopy_job_get_id(job, id);
	s = slot_of(id);
	if (!s) {
		fprintf(stderr, "service_client: JobTransferred for job %s, never ours\n", id);
		return -1;
	}
	log_callback("JOB_TRANSFERRED", id, s->name);
	sleep_ms(client.callback_ms);
	atomic_fetch_add(&s->received, 1);
	log_callback("RETURNING", id, s->name);
	return 0;
}

static const struct bgcopy_callback_ops iface_ops = {
	.add_ref = iface_add_ref, .release = iface_release,
	.job_transferred = job_transferred,
};

/* A status that means the daemon went away: reconnect and go on. */
static bool daemon_gone(int status)
{
	return status == BGCOPY_E_IO;
}

/* The same for a call on a connected engine: BGCOPY_E_IO is also a file
 * the daemon could not use (a complete whose temporary file is missing),
 * which reconnecting would only repeat; the daemon is gone only when the
 * engine no longer answers. */
static bool call_lost_daemon(int status)
{
	return daemon_gone(status) && bgcopy_engine_wait_idle(client.engine, 0) == BGCOPY_E_IO;
}

static void disconnect(void)
{
	if (!client.engine)
		return;
	bgcopy_engine_close(client.engine);
	client.engine = NULL;
	for (unsigned i = 0; i < client.nslots; i++)
		client.slots[i].job = NULL;
}

/* A create whose answer was lost: the job is there under its name, or
 * the create never reached the store. */
static int adopt_by_name(struct slot *s)
{
	size_t cap = bgcopy_engine_list_jobs(client.engine, NULL, 0), n;
	bgcopy_job **jobs = calloc(cap ? cap : 1, sizeof(*jobs));
	char name[64];

	if (!jobs)
		return BGCOPY_E_NOMEM;
	/* Other clients' jobs may have come meanwhile: only `cap` are filled. */
	n = bgcopy_engine_list_jobs(client.engine, jobs, cap);
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n && !s->id[0]; i++) {
		bgcopy_job_get_display_name(jobs[i], name, sizeof(name));
		if (!strcmp(name, s->name)) {
			set_id(s, jobs[i]);
			s->job = jobs[i];
			client.adopted++;
		}
	}
	free(jobs);
	return BGCOPY_OK;
}

/* Finds the slot's job on this connection and registers the interface
 * again; a job gone after its complete was sent was completed. */
static int attach(struct slot *s)
{
	int status = bgcopy_engine_find_job(client.engine, s->id, &s->job);

	if (status == BGCOPY_E_NOT_FOUND && s->phase == COMPLETING) {
		s->phase = DONE;
		client.completed_unseen++;
		return BGCOPY_OK;
	}
	if (status == BGCOPY_E_NOT_FOUND) {
		fprintf(stderr, "service_client: job %s (%s) was lost: %s\n", s->id, s->name,
			bgcopy_last_error());
		return status;
	}
	if (status || s->phase != RUNNING)
		return status;
	return bgcopy_job_set_notify_interface(s->job, &client.iface);
}

/* Opens an engine served by a daemon (starting one if none) and finds
 * every job again; retried until `deadline` while daemons die. */
static int connect_daemon(long deadline)
{
	struct bgcopy_engine_options opt = {
		.flags = BGCOPY_OPEN_SERVICE, .test_options = BGCOPY_TEST_SHORT_RETRY,
	};
	int status;

	for (;;) {
		disconnect();
		status = bgcopy_engine_open(client.store, &opt, &client.engine);
		if (status == BGCOPY_OK && !bgcopy_engine_is_client(client.engine))
			status = BGCOPY_E_IO;	/* a daemon on its way: try again */
		for (unsigned i = 0; status == BGCOPY_OK && i < client.nslots; i++) {
			struct slot *s = &client.slots[i];

			if (s->phase == DONE)
				continue;
			if (s->id[0])
				status = attach(s);
			else if (s->create_sent)
				status = adopt_by_name(s);
		}
		if (status == BGCOPY_OK || !daemon_gone(status))
			return status;
		if (now_ms() > deadline)
			return status;
		sleep_ms(TICK_MS);
	}
}

/* A daemon lost gives BGCOPY_E_IO for the state (bgcopy.h): a status
 * then, not a state that is not SUSPENDED, which would leave the job
 * suspended for ever (seen once in 30 kills under TSan). */
static int resume_if_suspended(bgcopy_job *job)
{
	enum bgcopy_state state = bgcopy_job_get_state(job);

	if ((int)state < 0)
		return (int)state;
	return state == BGCOPY_SUSPENDED ? bgcopy_job_resume(job) : BGCOPY_OK;
}

/* One step of a job's life: create, set up and resume, then complete
 * once its JobTransferred has come. */
static int step(struct slot *s)
{
	char url[1024], path[4096];
	struct bgcopy_progress progress;
	int status = BGCOPY_OK;

	switch (s->phase) {
	case NEW:
		if (!s->id[0]) {
			s->create_sent = true;
			status = bgcopy_job_create(client.engine, s->name, &s->job);
			if (status)
				return status;
			set_id(s, s->job);
		}
		s->phase = CREATED;
		return BGCOPY_OK;
	case CREATED:
		snprintf(url, sizeof(url), "%s/%s.bin", client.url, s->name);
		snprintf(path, sizeof(path), "%s/%s.bin", client.out, s->name);
		status = bgcopy_job_get_progress(s->job, &progress);
		if (!status && progress.files_total == 0)
			status = bgcopy_job_add_file(s->job, url, path);
		if (!status)
			status = bgcopy_job_set_min_retry_delay_ms(s->job, 500);
		if (!status)
			status = bgcopy_job_set_notify_flags(s->job, BGCOPY_NOTIFY_JOB_TRANSFERRED);
		if (!status)
			status = bgcopy_job_set_notify_interface(s->job, &client.iface);
		if (!status)
			status = resume_if_suspended(s->job);
		if (!status)
			s->phase = RUNNING;
		return status;
	case RUNNING:
		if (!atomic_load(&s->received))
			return BGCOPY_OK;
		s->last_state = (int)bgcopy_job_get_state(s->job);
		if (s->last_state != BGCOPY_TRANSFERRED)
			return BGCOPY_OK;
		s->phase = COMPLETING;
		/* fall through */
	case COMPLETING:
		status = bgcopy_job_complete(s->job);
		if (!status)
			s->phase = DONE;
		return status;
	case DONE:
		break;
	}
	return status;
}

static bool all_done(void)
{
	for (unsigned i = 0; i < client.nslots; i++)
		if (client.slots[i].phase != DONE)
			return false;
	return true;
}

/* Is the daemon still there?  A job waiting for its callback makes no
 * call, so ask something that returns a status. */
static int ping(void)
{
	int status = bgcopy_engine_wait_idle(client.engine, 0);

	return status == BGCOPY_E_LIMIT ? BGCOPY_OK : status;
}

static int run(long deadline)
{
	int status = connect_daemon(deadline);

	while (status == BGCOPY_OK && !all_done()) {
		for (unsigned i = 0; status == BGCOPY_OK && i < client.nslots; i++)
			status = step(&client.slots[i]);
		if (status == BGCOPY_OK)
			status = ping();
		if (call_lost_daemon(status) && now_ms() < deadline) {
			fprintf(stderr, "service_client: reconnecting: %s\n", bgcopy_last_error());
			client.reconnects++;
			status = connect_daemon(deadline);
		} else if (status == BGCOPY_OK) {
			sleep_ms(TICK_MS);
		}
		if (status == BGCOPY_OK && now_ms() > deadline) {
			fprintf(stderr, "service_client: the deadline passed\n");
			status = BGCOPY_E_LIMIT;
		}
	}
	if (status)
		fprintf(stderr, "service_client: %s: %s\n", bgcopy_strerror(status),
			bgcopy_last_error());
	return status;
}

static void report(void)
{
	static const char *const phase_name[] = {
		"new", "created", "running", "completing", "done",
	};

	for (unsigned i = 0; i < client.nslots; i++) {
		struct slot *s = &client.slots[i];

		if (s->id[0])
			printf("received %s %u\n", s->id, atomic_load(&s->received));
		/* Once its JobTransferred came, what this client read of its state. */
		if (s->phase == RUNNING && atomic_load(&s->received))
			fprintf(stderr, "service_client: %s (%s) not done: running, read as %s\n",
				s->name, s->id, s->last_state < 0 ? bgcopy_strerror(s->last_state) :
				bgcopy_state_name((enum bgcopy_state)s->last_state));
		else if (s->phase != DONE)
			fprintf(stderr, "service_client: %s (%s) not done: %s\n", s->name,
				s->id[0] ? s->id : "no id", phase_name[s->phase]);
	}
	fprintf(stderr, "service_client: %u jobs, %u reconnects, %u creates and %u completes "
		"whose answer was lost\n", client.nslots, client.reconnects, client.adopted,
		client.completed_unseen);
}

static int usage(void)
{
	fprintf(stderr, "usage: service_client --store DIR --name NAME --jobs N --url BASE "
		"--out DIR --log FILE [--callback-ms MS] [--deadline-s S]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' }, { "name", required_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' }, { "url", required_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' }, { "log", required_argument, NULL, 'l' },
		{ "callback-ms", required_argument, NULL, 'c' },
		{ "deadline-s", required_argument, NULL, 'd' }, { NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *log = NULL;
	unsigned deadline_s = 100;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': client.store = optarg; break;
		case 'n': name = optarg; break;
		case 'j': client.nslots = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'u': client.url = optarg; break;
		case 'o': client.out = optarg; break;
		case 'l': log = optarg; break;
		case 'c': client.callback_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': deadline_s = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return usage();
		}
	}
	if (!client.store || !name || !client.nslots || !client.url || !client.out || !log ||
	    optind != argc || strlen(name) > 40)
		return usage();
	client.log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	client.slots = calloc(client.nslots, sizeof(*client.slots));
	if (client.log_fd < 0 || !client.slots) {
		fprintf(stderr, "service_client: cannot open '%s': %s\n", log, strerror(errno));
		return 2;
	}
	for (unsigned i = 0; i < client.nslots; i++)
		snprintf(client.slots[i].name, sizeof(client.slots[i].name), "%s-%u", name, i);
	client.iface.ops = &iface_ops;
	setvbuf(stdout, NULL, _IOLBF, 0);
	status = run(now_ms() + deadline_s * 1000L);
	disconnect();
	report();
	if (atomic_load(&client.iface_refs) != 0) {
		fprintf(stderr, "service_client: %d interface references left after close\n",
			atomic_load(&client.iface_refs));
		status = BGCOPY_E_INVALID_STATE;
	}
	free(client.slots);
	close(client.log_fd);
	return status ? 1 : 0;
}
