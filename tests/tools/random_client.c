/*
 * random_client: a seeded application that drives the real engine at random and counts what it receives.
 *
 *   random_client [--separate] SEED JOBS URL WWW OUTDIR SCRIPT
 *
 * Serves itself a few files by writing them under WWW (the directory the
 * test server at URL serves), opens an engine on OUTDIR/store with
 * BGCOPY_TEST_SHORT_RETRY (and BGCOPY_TEST_SLOW_SPAWN when SEED is a
 * multiple of 3, BGCOPY_TEST_SLOW_BEGIN when it is one more), and runs JOBS jobs through it, a dozen at a time: random
 * notify flags, retry delays, modification intervals, priorities, files
 * (plain, 503 then OK, cut short, slow, 404, failing for good), notify
 * interfaces set, replaced and removed, notify command lines set and
 * cleared, suspend, resume, cancel, complete and add-file, from the main
 * thread and from inside callbacks; callbacks are slow or fail at random.
 * The command line is SCRIPT OUTDIR/cmdline.log STATUS (the engine appends
 * the job id and the event): the script logs one line per run and exits
 * STATUS, so the test counts runs from the log.  With --separate, a job
 * has either interfaces or a command line, never both: no interface is
 * set while a command line may run (the checker's open findings of issue
 * 13 are about that case; make check runs this way until they are fixed).
 *
 * Every choice comes from SEED through a splitmix64 generator: the main
 * thread has one, each job's callbacks have their own (a job's callbacks
 * are serialized by contract).  Timing is real, so two runs of one seed
 * make the same choices but may see them land differently.
 *
 * At the end the client waits for the engine to settle (every job that
 * still wants bytes is suspended first), completes or cancels every job,
 * closes the engine and prints, on stdout, one line per job and kind:
 *   receipt JOB-ID KIND COUNT
 * KIND is JOB_TRANSFERRED, JOB_ERROR, JOB_MODIFICATION or FILE_TRANSFERRED
 * (as the trace names them) and COUNT the callbacks of that kind it
 * received for that job; tests/e2e/random_clients.sh checks them against
 * the trace's callback_begin events.  A summary goes to stderr.
 *
 * Exit status: 0 done; 1 the engine broke a promise the client can see by
 * itself (did not settle, an interface's references do not balance after
 * close, a callback for a job it never created, a final job accepted a
 * change); 2 usage or set-up error.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgcopy.h"

#define ACTIVE_JOBS 12		/* jobs the main thread works on at once */
#define IFACES 5		/* interface objects shared by every job */
#define SERVED_FILES 6
#define MAX_FILES_PER_JOB 6
#define SETTLE_MS 60000		/* a correct engine settles far sooner */

static const unsigned served_size[SERVED_FILES] = {
	1000, 16000, 40000, 64000, 150000, 300000,
};

static const char *const kind_name[] = {
	"JOB_TRANSFERRED", "JOB_ERROR", "JOB_MODIFICATION", "FILE_TRANSFERRED",
};
enum kind { KIND_T, KIND_E, KIND_M, KIND_F, KINDS };

/* splitmix64: small, seedable, good enough to pick actions. */
struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

static bool rng_percent(struct rng *r, unsigned percent)
{
	return rng_below(r, 100) < percent;
}

enum action {
	ACT_RESUME, ACT_SUSPEND, ACT_SET_IFACE, ACT_CLEAR_IFACE, ACT_SET_FLAGS,
	ACT_SET_CMDLINE, ACT_CLEAR_CMDLINE, ACT_ADD_FILE, ACT_SET_PRIORITY,
	ACT_SET_RETRY, ACT_SET_TIMEOUT, ACT_COMPLETE, ACT_CANCEL, ACTIONS,
};

static const char *const action_name[ACTIONS] = {
	"resume", "suspend", "set-interface", "clear-interface", "set-flags",
	"set-cmdline", "clear-cmdline", "add-file", "set-priority",
	"set-retry", "set-timeout", "complete", "cancel",
};

/* How often each thread picks each action, in parts of the row's sum.
 * Callbacks end their own job less often than the main thread does. */
static const unsigned main_weight[ACTIONS] = {
	20, 8, 12, 4, 10, 6, 3, 5, 3, 3, 1, 2, 1,
};
static const unsigned callback_weight[ACTIONS] = {
	12, 6, 12, 6, 10, 6, 4, 6, 3, 3, 1, 2, 1,
};

struct choice {
	enum action what;
	uint64_t arg;		/* the action's own random draws */
};

struct client_job {
	bgcopy_job *job;
	char id[37];
	unsigned index;
	/* Guards what callbacks touch: a broken engine that overlaps two
	 * callbacks of one job must not corrupt the count that proves it. */
	pthread_mutex_t lock;
	struct rng rng;			/* the callbacks' choices */
	unsigned fail_percent;		/* how often its T, E and F fail */
	unsigned actions_left;		/* API calls its callbacks may make */
	unsigned receipts[KINDS];
	unsigned files;
	unsigned ticks_left;		/* main thread: lifetime */
	bool cmdline_only;		/* --separate: no interface, ever */
};

struct client_iface {
	struct bgcopy_callback cb;	/* first: the engine hands back &cb */
	atomic_int refs;
};

static struct {
	uint64_t seed;
	bool separate;			/* --separate */
	const char *url, *www, *outdir, *script;
	char log_path[4096];
	bgcopy_engine *engine;
	struct rng rng;			/* the main thread's choices */
	struct client_job *jobs;
	atomic_uint njobs;		/* published after the entry is filled */
	struct client_iface ifaces[IFACES];
	atomic_uint unknown_jobs;	/* callbacks for jobs never created */
	atomic_uint final_accepted;	/* mutators a final job did not refuse */
	atomic_uint done[ACTIONS], refused[ACTIONS];
	/* Callbacks act under the read side; the final settling takes the
	 * write side once to stop them (a resume after the last suspend
	 * would keep a job that can never finish busy for ever). */
	pthread_rwlock_t acting;
	bool settling;
} client = { .acting = PTHREAD_RWLOCK_INITIALIZER };

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static struct choice choose(struct rng *r, const unsigned weight[ACTIONS])
{
	unsigned total = 0, pick;
	struct choice c = { .what = ACT_RESUME };

	for (int a = 0; a < ACTIONS; a++)
		total += weight[a];
	pick = rng_below(r, total);
	while (pick >= weight[c.what])
		pick -= weight[c.what++];
	c.arg = rng_next(r);
	return c;
}

/* Any flags, DISABLE now and then. */
static uint32_t random_flags(uint64_t arg)
{
	uint32_t flags = (uint32_t)arg & 0x1b;

	return (arg >> 8) % 10 == 0 ? flags | BGCOPY_NOTIFY_DISABLE : flags;
}

/* A served file, plain or through one of the test server's faults. */
static void random_url(uint64_t arg, char *out, size_t size)
{
	unsigned file = (unsigned)(arg % SERVED_FILES);
	unsigned n = (unsigned)((arg >> 8) % 1000) + 1;
	const char *base = client.url;

	arg >>= 20;
	switch (arg % 16) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
		snprintf(out, size, "%s/s%" PRIu64 "-%u.bin", base, client.seed, file);
		break;
	case 8: case 9:
		snprintf(out, size, "%s/fault/503-then-ok:%u/s%" PRIu64 "-%u.bin",
			 base, n % 3 + 1, client.seed, file);
		break;
	case 10: case 11:
		snprintf(out, size, "%s/fault/reset:%u/s%" PRIu64 "-%u.bin", base,
			 1 + n * (served_size[file] / 1000) / 2, client.seed, file);
		break;
	case 12:	/* about a quarter of a second for the biggest slow one */
		snprintf(out, size, "%s/fault/slow:%u/s%" PRIu64 "-%u.bin", base,
			 250000 + n * 250, client.seed, file % 4);
		break;
	case 13: case 14:
		snprintf(out, size, "%s/fault/404/s%" PRIu64 "-%u.bin", base,
			 client.seed, file);
		break;
	default:	/* transient for ever: only a suspend or cancel ends it */
		snprintf(out, size, "%s/fault/%s/s%" PRIu64 "-%u.bin", base,
			 n % 2 ? "503" : "short:100", client.seed, file);
		break;
	}
}

static int add_file(struct client_job *cj, uint64_t arg)
{
	char url[512], path[4096];
	unsigned n;

	pthread_mutex_lock(&cj->lock);
	n = cj->files < MAX_FILES_PER_JOB ? cj->files++ : MAX_FILES_PER_JOB;
	pthread_mutex_unlock(&cj->lock);
	if (n == MAX_FILES_PER_JOB)
		return BGCOPY_E_LIMIT;
	random_url(arg, url, sizeof(url));
	snprintf(path, sizeof(path), "%s/dl/j%u-f%u", client.outdir, cj->index, n);
	return bgcopy_job_add_file(cj->job, url, path);
}

static int set_cmdline(struct client_job *cj, uint64_t arg)
{
	const char *argv[] = {
		client.script, client.log_path, arg % 6 ? "0" : "1", NULL,
	};

	return bgcopy_job_set_notify_cmdline(cj->job, argv);
}

/* --separate refuses what would mix interfaces and a command line. */
static bool mixes_routes(const struct client_job *cj, enum action what)
{
	if (!client.separate)
		return false;
	return cj->cmdline_only ? what == ACT_SET_IFACE : what == ACT_SET_CMDLINE;
}

static int perform(struct client_job *cj, struct choice c)
{
	bgcopy_job *job = cj->job;

	if (mixes_routes(cj, c.what))
		return BGCOPY_E_INVALID_STATE;
	switch (c.what) {
	case ACT_RESUME:
		return bgcopy_job_resume(job);
	case ACT_SUSPEND:
		return bgcopy_job_suspend(job);
	case ACT_SET_IFACE:
		return bgcopy_job_set_notify_interface(job,
				&client.ifaces[c.arg % IFACES].cb);
	case ACT_CLEAR_IFACE:
		return bgcopy_job_set_notify_interface(job, NULL);
	case ACT_SET_FLAGS:
		return bgcopy_job_set_notify_flags(job, random_flags(c.arg));
	case ACT_SET_CMDLINE:
		return set_cmdline(cj, c.arg);
	case ACT_CLEAR_CMDLINE:
		return bgcopy_job_set_notify_cmdline(job, NULL);
	case ACT_ADD_FILE:
		return add_file(cj, c.arg);
	case ACT_SET_PRIORITY:
		return bgcopy_job_set_priority(job, (enum bgcopy_priority)(c.arg % 4));
	case ACT_SET_RETRY:
		return bgcopy_job_set_min_retry_delay_ms(job, 30 + c.arg % 270);
	case ACT_SET_TIMEOUT:
		return bgcopy_job_set_no_progress_timeout(job, 1 + (uint32_t)(c.arg % 3));
	case ACT_COMPLETE:
		return bgcopy_job_complete(job);
	case ACT_CANCEL:
		return bgcopy_job_cancel(job);
	default:
		return BGCOPY_E_INVALID_ARG;
	}
}

/* Performs it and counts the outcome: refusals (a resume without files,
 * a mutator on a final job) are expected and only counted. */
static int act(struct client_job *cj, struct choice c)
{
	int rc = perform(cj, c);

	atomic_fetch_add(rc == BGCOPY_OK ? &client.done[c.what] :
			 &client.refused[c.what], 1);
	return rc;
}

static struct client_job *find_job(bgcopy_job *job)
{
	unsigned n = atomic_load_explicit(&client.njobs, memory_order_acquire);

	while (n-- > 0)
		if (client.jobs[n].job == job)
			return &client.jobs[n];
	return NULL;
}

/* One callback: counted, then maybe slow, maybe an API call, maybe a
 * failure, as the job's own generator says. */
static int receive(bgcopy_job *job, enum kind kind)
{
	struct client_job *cj = find_job(job);
	struct choice c = { .what = ACTIONS };
	unsigned delay_ms = 0;
	int result;

	if (!cj) {
		atomic_fetch_add(&client.unknown_jobs, 1);
		return 0;
	}
	pthread_mutex_lock(&cj->lock);
	cj->receipts[kind]++;
	if (rng_percent(&cj->rng, 10))
		delay_ms = 1 + rng_below(&cj->rng, 20);
	if (cj->actions_left > 0 && rng_percent(&cj->rng, 25)) {
		cj->actions_left--;
		c = choose(&cj->rng, callback_weight);
	}
	/* JobModification's result is ignored: fail it too, to show that. */
	result = rng_percent(&cj->rng, cj->fail_percent) ? 1 : 0;
	pthread_mutex_unlock(&cj->lock);
	sleep_ms(delay_ms);
	if (c.what != ACTIONS) {
		pthread_rwlock_rdlock(&client.acting);
		if (!client.settling)
			act(cj, c);
		pthread_rwlock_unlock(&client.acting);
	}
	return result;
}

static void iface_add_ref(struct bgcopy_callback *self)
{
	atomic_fetch_add(&((struct client_iface *)self)->refs, 1);
}

static void iface_release(struct bgcopy_callback *self)
{
	atomic_fetch_sub(&((struct client_iface *)self)->refs, 1);
}

static int on_transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	(void)self;
	return receive(job, KIND_T);
}

static int on_error(struct bgcopy_callback *self, bgcopy_job *job,
		    const struct bgcopy_error *error)
{
	(void)self;
	(void)error;
	return receive(job, KIND_E);
}

static int on_modification(struct bgcopy_callback *self, bgcopy_job *job)
{
	(void)self;
	return receive(job, KIND_M);
}

static int on_file(struct bgcopy_callback *self, bgcopy_job *job,
		   unsigned file_index)
{
	(void)self;
	(void)file_index;
	return receive(job, KIND_F);
}

static const struct bgcopy_callback_ops iface_ops = {
	.add_ref = iface_add_ref, .release = iface_release,
	.job_transferred = on_transferred, .job_error = on_error,
	.job_modification = on_modification, .file_transferred = on_file,
};

/* The files the jobs download, made for this seed so that the server's
 * per-path fault counters start fresh. */
static int serve_files(void)
{
	char path[4096];
	struct rng r = { client.seed };

	for (unsigned i = 0; i < SERVED_FILES; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/s%" PRIu64 "-%u.bin", client.www,
			 client.seed, i);
		f = fopen(path, "w");
		if (!f)
			return -1;
		for (unsigned b = 0; b < served_size[i]; b++)
			fputc((int)(rng_next(&r) & 0xff), f);
		if (fclose(f) != 0)
			return -1;
	}
	return 0;
}

/* A new job, set up at random and published to the callbacks before it
 * can have any. */
static int create_job(unsigned index)
{
	struct client_job *cj = &client.jobs[index];
	struct rng *r = &client.rng;
	static const unsigned fail_percent[] = { 0, 0, 10, 30, 60 };
	char name[64];
	unsigned files;

	snprintf(name, sizeof(name), "random %" PRIu64 "/%u", client.seed, index);
	if (bgcopy_job_create(client.engine, name, &cj->job) != BGCOPY_OK)
		return -1;
	bgcopy_job_get_id(cj->job, cj->id);
	cj->index = index;
	pthread_mutex_init(&cj->lock, NULL);
	cj->rng.state = client.seed * 1000003u + index;
	cj->fail_percent = fail_percent[rng_below(r, 5)];
	cj->actions_left = rng_below(r, 7);
	cj->ticks_left = 50 + rng_below(r, 350);
	cj->cmdline_only = rng_percent(r, 40);
	atomic_store_explicit(&client.njobs, index + 1, memory_order_release);

	if (bgcopy_job_set_notify_flags(cj->job, random_flags(rng_next(r))) ||
	    bgcopy_job_set_min_retry_delay_ms(cj->job, 30 + rng_below(r, 270)) ||
	    bgcopy_job_set_modification_interval_ms(cj->job, 20 + rng_below(r, 280)))
		return -1;
	files = 1 + rng_below(r, 3);
	while (files--)
		if (add_file(cj, rng_next(r)) != BGCOPY_OK)
			return -1;
	if (rng_percent(r, 60))
		act(cj, (struct choice){ ACT_SET_IFACE, rng_next(r) });
	if (rng_percent(r, 50))
		act(cj, (struct choice){ ACT_SET_CMDLINE, rng_next(r) });
	if (rng_percent(r, 90))
		act(cj, (struct choice){ ACT_RESUME, 0 });
	return 0;
}

static bool is_final(struct client_job *cj)
{
	enum bgcopy_state state = bgcopy_job_get_state(cj->job);

	return state == BGCOPY_ACKNOWLEDGED || state == BGCOPY_CANCELLED;
}

/* A job already ACKNOWLEDGED or CANCELLED must refuse every mutator. */
static void poke_any(unsigned created)
{
	struct client_job *cj = &client.jobs[rng_below(&client.rng, created)];
	struct choice c = choose(&client.rng, main_weight);
	bool was_final = is_final(cj);

	if (act(cj, c) == BGCOPY_OK && was_final) {
		fprintf(stderr, "seed %" PRIu64 ": %s on final job %s succeeded\n",
			client.seed, action_name[c.what], cj->id);
		atomic_fetch_add(&client.final_accepted, 1);
	}
}

/* At the end of its lifetime a job is completed or cancelled, or left
 * as it is for the final settling. */
static void retire(struct client_job *cj)
{
	struct rng *r = &client.rng;
	enum bgcopy_state state = bgcopy_job_get_state(cj->job);

	if (is_final(cj) || rng_percent(r, 25))
		return;
	if ((state == BGCOPY_TRANSFERRED || state == BGCOPY_ERROR ||
	     state == BGCOPY_SUSPENDED) && rng_percent(r, 75))
		act(cj, (struct choice){ ACT_COMPLETE, 0 });
	else
		act(cj, (struct choice){ ACT_CANCEL, 0 });
}

/* The main thread's work: jobs created a dozen at a time, each poked at
 * random until it ends or its lifetime runs out, and now and then a job
 * long gone (mutators on final jobs must be refused). */
static int drive(unsigned total)
{
	struct rng *r = &client.rng;
	unsigned active[ACTIVE_JOBS], nactive = 0, created = 0;

	while (created < total || nactive > 0) {
		if (created < total && nactive < ACTIVE_JOBS &&
		    rng_percent(r, 30)) {
			if (create_job(created) != 0)
				return -1;
			active[nactive++] = created++;
		}
		for (unsigned slot = nactive; slot-- > 0;) {
			struct client_job *cj = &client.jobs[active[slot]];

			if (cj->ticks_left-- > 0 && !is_final(cj))
				continue;
			retire(cj);
			active[slot] = active[--nactive];
		}
		if (nactive > 0 && rng_percent(r, 80))
			act(&client.jobs[active[rng_below(r, nactive)]],
			    choose(r, main_weight));
		if (created > 0 && rng_percent(r, 2))
			poke_any(created);
		sleep_ms(rng_below(r, 4));
	}
	return 0;
}

static bool wants_bytes(enum bgcopy_state state)
{
	return state == BGCOPY_QUEUED || state == BGCOPY_CONNECTING ||
	       state == BGCOPY_TRANSFERRING || state == BGCOPY_TRANSIENT_ERROR;
}

/* Lets every notification that can be delivered be delivered (callbacks
 * stop acting, and a job still moving bytes is suspended, or it might
 * never settle), then ends every job and closes.  -1 when the engine
 * does not settle. */
static int finish(unsigned total)
{
	int rc = 0;

	pthread_rwlock_wrlock(&client.acting);
	client.settling = true;
	pthread_rwlock_unlock(&client.acting);
	for (unsigned i = 0; i < total; i++)
		if (wants_bytes(bgcopy_job_get_state(client.jobs[i].job)))
			act(&client.jobs[i], (struct choice){ ACT_SUSPEND, 0 });
	if (bgcopy_engine_wait_idle(client.engine, SETTLE_MS) != BGCOPY_OK) {
		fprintf(stderr, "seed %" PRIu64 ": the engine did not settle: %s\n",
			client.seed, bgcopy_last_error());
		rc = -1;
	}
	for (unsigned i = 0; i < total; i++) {
		struct client_job *cj = &client.jobs[i];
		enum bgcopy_state state = bgcopy_job_get_state(cj->job);

		if (state == BGCOPY_TRANSFERRED || state == BGCOPY_ERROR ||
		    state == BGCOPY_SUSPENDED)
			act(cj, (struct choice){ ACT_COMPLETE, 0 });
		else if (state != BGCOPY_ACKNOWLEDGED && state != BGCOPY_CANCELLED)
			act(cj, (struct choice){ ACT_CANCEL, 0 });
	}
	if (bgcopy_engine_wait_idle(client.engine, SETTLE_MS) != BGCOPY_OK) {
		fprintf(stderr, "seed %" PRIu64 ": ended jobs did not settle: %s\n",
			client.seed, bgcopy_last_error());
		rc = -1;
	}
	bgcopy_engine_close(client.engine);
	return rc;
}

/* What the client saw by itself: every reference the engine took given
 * back after close, no callback for a stranger, no change to a final job. */
static int check_promises(void)
{
	int rc = 0;

	for (unsigned i = 0; i < IFACES; i++) {
		int refs = atomic_load(&client.ifaces[i].refs);

		if (refs != 0) {
			fprintf(stderr, "seed %" PRIu64 ": interface %u holds %d "
				"references after close\n", client.seed, i, refs);
			rc = -1;
		}
	}
	if (atomic_load(&client.final_accepted) > 0)
		rc = -1;
	if (atomic_load(&client.unknown_jobs) > 0) {
		fprintf(stderr, "seed %" PRIu64 ": %u callbacks for jobs never "
			"created\n", client.seed, atomic_load(&client.unknown_jobs));
		rc = -1;
	}
	return rc;
}

static void report(unsigned total)
{
	unsigned sum[KINDS] = { 0 };

	for (unsigned i = 0; i < total; i++)
		for (int k = 0; k < KINDS; k++) {
			printf("receipt %s %s %u\n", client.jobs[i].id, kind_name[k],
			       client.jobs[i].receipts[k]);
			sum[k] += client.jobs[i].receipts[k];
		}
	fprintf(stderr, "seed %" PRIu64 ": %u jobs; callbacks T %u E %u M %u F %u;"
		" actions done/refused:", client.seed, total, sum[KIND_T],
		sum[KIND_E], sum[KIND_M], sum[KIND_F]);
	for (int a = 0; a < ACTIONS; a++)
		fprintf(stderr, " %s %u/%u", action_name[a],
			atomic_load(&client.done[a]), atomic_load(&client.refused[a]));
	fputc('\n', stderr);
}

static int set_up(char **argv, unsigned *total)
{
	struct bgcopy_engine_options opt = { .test_options = BGCOPY_TEST_SHORT_RETRY };
	char store[4096];
	char *end;

	client.seed = strtoull(argv[0], &end, 10);
	*total = (unsigned)strtoul(argv[1], NULL, 10);
	if (*end || *total == 0)
		return -1;
	client.url = argv[2];
	client.www = argv[3];
	client.outdir = argv[4];
	client.script = argv[5];
	client.rng.state = client.seed;
	snprintf(client.log_path, sizeof(client.log_path), "%s/cmdline.log",
		 client.outdir);
	snprintf(store, sizeof(store), "%s/store", client.outdir);
	if (client.seed % 3 == 0)
		opt.test_options |= BGCOPY_TEST_SLOW_SPAWN;
	if (client.seed % 3 == 1)
		opt.test_options |= BGCOPY_TEST_SLOW_BEGIN;
	for (unsigned i = 0; i < IFACES; i++)
		client.ifaces[i].cb.ops = &iface_ops;
	client.jobs = calloc(*total, sizeof(*client.jobs));
	if (!client.jobs || serve_files() != 0)
		return -1;
	if (bgcopy_engine_open(store, &opt, &client.engine) != BGCOPY_OK) {
		fprintf(stderr, "random_client: %s\n", bgcopy_last_error());
		return -1;
	}
	fprintf(stderr, "seed %" PRIu64 ": %u jobs, test options 0x%x%s\n",
		client.seed, *total, opt.test_options,
		client.separate ? ", interfaces and command lines separate" : "");
	return 0;
}

int main(int argc, char **argv)
{
	unsigned total;
	int rc;

	client.separate = argc > 1 && strcmp(argv[1], "--separate") == 0;
	if (argc != 7 + client.separate) {
		fprintf(stderr, "usage: random_client [--separate] SEED JOBS URL WWW "
			"OUTDIR SCRIPT\n");
		return 2;
	}
	argv += 1 + client.separate;
	if (set_up(argv, &total) != 0) {
		fprintf(stderr, "random_client: cannot set up seed %s\n", argv[0]);
		return 2;
	}
	if (drive(total) != 0) {
		fprintf(stderr, "seed %" PRIu64 ": a new job could not be set up: %s\n",
			client.seed, bgcopy_last_error());
		return 2;
	}
	rc = finish(total);
	if (check_promises() != 0)
		rc = -1;
	report(total);
	free(client.jobs);
	return rc == 0 ? 0 : 1;
}
