/*
 * fake_engine: the scenario language's trace back end.  Emits the events
 * of one scenario (tests/scenario/README.md) through the real provider's
 * hook table, each at its time from the start, only when a session
 * enabled it, as the engine does; so a scenario that breaks a rule of the
 * contract leaves a trace that bgcopy-analyze must fail.
 *
 *   fake_engine LIBBGCOPY-TP.SO FILE.scn NAME   emit scenario NAME
 *   fake_engine LIBBGCOPY-TP.SO NAME            one of engine_job.scn
 *   fake_engine --list FILE.scn                 the scenarios marked trace
 *   fake_engine --expect FILE.scn NAME          what bgcopy-analyze must say:
 *       options: --grace-ms=N [--max-latency-ms=N]
 *       verdict: PASS|FAIL|INCONCLUSIVE
 *       finding: JOB-ID RULE KIND [inconclusive]   (one line per finding)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/scenario/scenario.h"
#include "tests/tools/tpemit.h"

#define JOBS 6
#define ENGINES 10

struct fake {
	const char *name;		/* every job's name: the scenario's */
	struct tpe_engine engines[ENGINES];
	struct tpe_job jobs[JOBS];
	char store[64];
	struct timespec start;
};

static void sleep_until(const struct fake *f, int64_t ms)
{
	struct timespec now;
	long elapsed;

	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (now.tv_sec - f->start.tv_sec) * 1000 +
		  (now.tv_nsec - f->start.tv_nsec) / 1000000;
	if (ms > elapsed)
		tpe_sleep_ms(ms - elapsed);
}

static void job_info(const struct fake *f, struct tpe_job *j,
		     const struct scn_step *st)
{
	struct bgcopy_tp_job_info info = {
		.name = f->name, .priority = BGCOPY_TP_PRIORITY_NORMAL,
		.owner = (uint32_t) getuid(), .state = st->to,
		.notify_flags = st->flags, .min_retry_delay_ms = 5000,
		.no_progress_timeout_ms = 1209600000,
		.modification_interval_ms = 500, .epoch = st->epoch,
		.notify_cmdline = st->has_cmdline ? st->text : "",
	};

	if (st->verb == SCN_CREATED)
		TPE_JOB(j, job_created, &info);
	else
		TPE_JOB(j, job_restored, &info);
}

static void state_change(struct tpe_job *j, const struct scn_step *st)
{
	struct bgcopy_tp_state_change s = {
		.from = st->from, .to = st->to, .error_file = -1,
		.description = "",
	};

	TPE_JOB(j, state_change, &s);
}

static void notification(struct tpe_job *j, const struct scn_step *st)
{
	struct bgcopy_tp_notification n = {
		.kind = st->kind, .epoch = st->epoch,
		.attempt = (uint32_t) st->attempt, .file_index = st->file,
	};

	switch (st->verb) {
	case SCN_ARMED:
		TPE_JOB(j, notify_armed, &n);
		break;
	case SCN_COALESCED:
		TPE_JOB(j, notify_coalesced, &n);
		break;
	case SCN_BEGIN:
		TPE_JOB(j, callback_begin, &n, st->iface);
		break;
	case SCN_END:
		TPE_JOB(j, callback_end, &n, st->result, 1000);
		break;
	case SCN_CMDLINE_RUN:
		TPE_JOB(j, cmdline_run, &n, "/bin/true", 4242);
		break;
	default:
		TPE_JOB(j, cmdline_exit, &n, 4242, st->result, 0);
		break;
	}
}

static int emit(struct fake *f, const struct scn_step *st)
{
	struct tpe_engine *e = &f->engines[st->engine];
	struct tpe_job *j = st->job ? &f->jobs[st->job - 'a'] : NULL;

	if (j)
		j->e = e;
	switch (st->verb) {
	case SCN_ENGINE_OPEN:
		tpe_engine_open(e, f->store, (uint32_t) st->threads);
		break;
	case SCN_ENGINE_CLOSE:
		tpe_engine_close(e);
		break;
	case SCN_CREATED:
	case SCN_RESTORED:
		job_info(f, j, st);
		break;
	case SCN_FILE_ADDED:
		TPE_JOB(j, file_added, st->file, "http://127.0.0.1/fake.bin",
			"/tmp/fake/f");
		break;
	case SCN_FILE_COMPLETE:
		tpe_file_complete(j, st->file, st->bytes);
		break;
	case SCN_STATE:
		state_change(j, st);
		break;
	case SCN_FLAGS:
		TPE_JOB(j, flags_change, st->flags, st->new_flags, 0);
		break;
	case SCN_IFACE:
		TPE_JOB(j, interface_set, st->epoch, st->new_epoch, st->iface);
		break;
	case SCN_RELEASE:
		tpe_release(j, st->iface, st->epoch);
		break;
	case SCN_PROPERTY:
		tpe_property(j, st->property, st->text);
		break;
	case SCN_PROGRESS:
		tpe_progress(j, st->file, st->bytes, st->total);
		break;
	case SCN_TRANSFER:
		tpe_transfer(j, st->file, st->bytes);
		break;
	case SCN_MISSING:
		j->seq += st->count;	/* as if the tracer lost them */
		break;
	case SCN_DISCARD:
		fprintf(stderr, "line %u: a trace cannot be told to discard\n",
			st->line);
		return -1;
	case SCN_FORWARDED:
	case SCN_CLIENT_OPEN:
	case SCN_RECEIVED:
	case SCN_RETURNED:
		/* a client is another process: tests/e2e/bgcopyd_traced_callbacks.sh */
		fprintf(stderr, "line %u: one fake engine cannot be bgcopyd and "
			"its client\n", st->line);
		return -1;
	default:
		notification(j, st);
		break;
	}
	return 0;
}

static int run(const char *provider, const struct scenario *s)
{
	static struct fake f;
	uint64_t base;
	size_t i;
	char job;

	f.engines[0].h = tpe_load(provider);
	if (!f.engines[0].h)
		return 2;
	base = ((uint64_t) getpid() << 32) ^ (uint64_t) time(NULL);
	for (i = 0; i < ENGINES; i++)
		f.engines[i] = (struct tpe_engine) { f.engines[0].h, base + i };
	for (job = 'a'; job < 'a' + JOBS; job++) {
		memset(&f.jobs[job - 'a'], 0, sizeof(f.jobs[0]));
		snprintf(f.jobs[job - 'a'].id, sizeof(f.jobs[0].id), "%s",
			 scn_job_id(job));
	}
	f.name = s->name;
	snprintf(f.store, sizeof(f.store), "/tmp/fake-store-%d",
		 (int) getpid());
	clock_gettime(CLOCK_MONOTONIC, &f.start);
	for (i = 0; i < s->n_steps; i++) {
		sleep_until(&f, s->steps[i].ms);
		if (emit(&f, &s->steps[i]))
			return 1;
	}
	return 0;
}

static void list(const struct scn_file *file)
{
	size_t i;

	for (i = 0; i < file->n; i++) {
		if (file->scenarios[i].trace)
			printf("%s\n", file->scenarios[i].name);
	}
}

static void expect(const struct scenario *s)
{
	const struct scn_finding *x;
	size_t i;

	printf("options: --grace-ms=%lld", (long long) s->grace_ms);
	if (s->max_latency_ms >= 0)
		printf(" --max-latency-ms=%lld", (long long) s->max_latency_ms);
	printf("\nverdict: %s\n", scn_verdict_name(s->verdict));
	for (i = 0; i < s->n_findings; i++) {
		x = &s->findings[i];
		printf("finding: %s %s %s%s\n", scn_job_id(x->job),
		       scn_rule_id(x->rule), scn_kind_name(x->kind),
		       x->inconclusive ? " inconclusive" : "");
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: fake_engine LIBBGCOPY-TP.SO FILE.scn NAME\n"
		"       fake_engine LIBBGCOPY-TP.SO NAME (of engine_job.scn)\n"
		"       fake_engine --list FILE.scn\n"
		"       fake_engine --expect FILE.scn NAME\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct scn_file file;
	const struct scenario *s = NULL;
	char err[512], engine_job[512], *by_name[5];
	int rc;

	if (argc == 3 && strcmp(argv[1], "--list")) {
		snprintf(engine_job, sizeof(engine_job), "%s/engine_job.scn",
			 scn_source_dir());
		by_name[0] = argv[0];
		by_name[1] = argv[1];
		by_name[2] = engine_job;
		by_name[3] = argv[2];
		by_name[4] = NULL;
		argv = by_name;
		argc = 4;
	}
	if (argc < 3 || argc > 4 || (!strcmp(argv[1], "--list")) != (argc == 3))
		return usage();
	if (scn_load(argv[2], &file, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (argc == 4 && !(s = scn_find(&file, argv[3]))) {
		fprintf(stderr, "%s: no scenario %s\n", argv[2], argv[3]);
		rc = 2;
	} else if (argc == 3) {
		list(&file);
		rc = 0;
	} else if (!strcmp(argv[1], "--expect")) {
		expect(s);
		rc = 0;
	} else {
		rc = run(argv[1], s);
	}
	scn_free(&file);
	return rc;
}
