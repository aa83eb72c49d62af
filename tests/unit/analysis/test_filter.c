/* The selection of a run or a process (analysis/filter.c) among a daemon's events: peer_request decides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/filter.h"

#define RUN_NS 4026531111ull	/* the recorded run's UTS namespace */
#define HOST_NS 4026531838ull	/* everyone else's, the daemon's too */
#define DAEMON 100		/* the daemon's pid, and its loop thread */
#define ENGINE 0xabcull
#define CLIENT 200		/* the daemon's client, as SO_PEERCRED says */
#define OTHER_CLIENT 201

static struct filter run_filter(void)
{
	struct filter f;
	struct filter_spec spec = { .by_run = true, .run_uts_ns = RUN_NS,
				    .pid = -1 };

	filter_init(&f, &spec);
	return f;
}

/* An event the daemon's loop thread traced. */
static struct bgc_record daemon_event(enum bgc_rec_type type, const char *job)
{
	return (struct bgc_record) {
		.type = type, .ts = 1, .vpid = DAEMON, .vtid = DAEMON,
		.uts_ns = (int64_t) HOST_NS, .engine = ENGINE, .job = job,
	};
}

static struct bgc_record request(const char *verb, const char *target,
				 uint64_t peer_ns)
{
	struct bgc_record r = daemon_event(BGC_REC_PEER_REQUEST, NULL);

	r.verb = verb;
	r.target_job = target;
	r.peer_pid = CLIENT;
	r.peer_uts_ns = peer_ns;
	return r;
}

static int keep(struct filter *f, struct bgc_record r)
{
	return filter_keep(f, &r);
}

/* The run asks for tracing, then creates a job: the daemon's engine_open
 * and every event of that job are kept, from its job_created on. */
static void run_creates_a_job_in_the_daemon(void **state)
{
	struct filter f = run_filter();

	(void) state;
	assert_int_equal(keep(&f, daemon_event(BGC_REC_ENGINE_OPEN, NULL)), 0);
	assert_int_equal(keep(&f, request("EnableTracing", "", RUN_NS)), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_ENGINE_OPEN, NULL)), 1);
	assert_int_equal(keep(&f, request("CreateJob", "", RUN_NS)), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_JOB_CREATED, "job-1")), 1);
	assert_int_equal(keep(&f, request("Resume", "job-1", RUN_NS)), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_STATE_CHANGE, "job-1")), 1);
	/* One creation per request: the next job of the thread is not it. */
	assert_int_equal(keep(&f, daemon_event(BGC_REC_JOB_CREATED, "job-2")), 0);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_STATE_CHANGE, "job-2")), 0);
	filter_fini(&f);
}

/* Another process's job in the same daemon is left out and counted; the
 * run's CreateJob that made no job leaves nothing pending for the next
 * caller's. */
static void other_peers_jobs_are_left_out(void **state)
{
	struct filter f = run_filter();
	char line[256];

	(void) state;
	assert_int_equal(keep(&f, request("EnableTracing", "", RUN_NS)), 1);
	assert_int_equal(keep(&f, request("CreateJob", "", RUN_NS)), 1);
	/* refused (TooManyJobs): no job_created */
	assert_int_equal(keep(&f, request("CreateJob", "", HOST_NS)), 0);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_JOB_CREATED, "other")), 0);
	assert_int_equal(keep(&f, request("Resume", "other", HOST_NS)), 0);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_TRANSFER, "other")), 0);
	/* A peer that had gone is nobody's: 0 is no namespace. */
	assert_int_equal(keep(&f, request("CreateJob", "", 0)), 0);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_JOB_CREATED, "gone")), 0);
	assert_int_equal(filter_summary(&f, line, sizeof(line)), 0);
	assert_string_equal(line, "left out: 6 events of 1 processes outside "
			    "the selection (2 jobs)");
	filter_fini(&f);
}

/* A job the run acts on after its first events were left out is kept
 * from then on (the oracle finds its start missing: INCONCLUSIVE). */
static void run_claims_an_older_job(void **state)
{
	struct filter f = run_filter();

	(void) state;
	assert_int_equal(keep(&f, daemon_event(BGC_REC_PROGRESS, "old")), 0);
	assert_int_equal(keep(&f, request("Resume", "old", RUN_NS)), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_STATE_CHANGE, "old")), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_ENGINE_CLOSE, NULL)), 1);
	filter_fini(&f);
}

static struct filter pid_filter(void)
{
	struct filter f;
	struct filter_spec spec = { .pid = CLIENT };

	filter_init(&f, &spec);
	return f;
}

/* --pid follows its process into the daemon as --run does: the jobs it
 * created or acted on are kept with the daemon's engine; another
 * client's job is left out and counted, whatever its namespace. */
static void pid_follows_its_jobs_into_the_daemon(void **state)
{
	struct filter f = pid_filter();
	struct bgc_record other = request("CreateJob", "", HOST_NS);
	char line[256];

	(void) state;
	other.peer_pid = OTHER_CLIENT;
	assert_int_equal(keep(&f, daemon_event(BGC_REC_ENGINE_OPEN, NULL)), 0);
	assert_int_equal(keep(&f, request("EnableTracing", "", HOST_NS)), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_ENGINE_OPEN, NULL)), 1);
	assert_int_equal(keep(&f, request("CreateJob", "", HOST_NS)), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_JOB_CREATED, "job-1")), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_STATE_CHANGE, "job-1")), 1);
	assert_int_equal(keep(&f, other), 0);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_JOB_CREATED, "other")), 0);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_TRANSFER, "other")), 0);
	assert_int_equal(filter_summary(&f, line, sizeof(line)), 0);
	assert_string_equal(line, "left out: 4 events of 1 processes outside "
			    "the selection (1 jobs)");
	filter_fini(&f);
}

/* A job --pid's process acts on after its first events were left out is
 * kept from then on, as with --run (INCONCLUSIVE, never half a story). */
static void pid_claims_an_older_job(void **state)
{
	struct filter f = pid_filter();

	(void) state;
	assert_int_equal(keep(&f, daemon_event(BGC_REC_PROGRESS, "old")), 0);
	assert_int_equal(keep(&f, request("Cancel", "old", HOST_NS)), 1);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_STATE_CHANGE, "old")), 1);
	filter_fini(&f);
}

/* --run and --pid together: a peer of the run that is not the pid is
 * not followed. */
static void run_and_pid_follow_only_that_process(void **state)
{
	struct filter f;
	struct filter_spec spec = { .by_run = true, .run_uts_ns = RUN_NS,
				    .pid = OTHER_CLIENT };

	(void) state;
	filter_init(&f, &spec);
	assert_int_equal(keep(&f, request("CreateJob", "", RUN_NS)), 0);
	assert_int_equal(keep(&f, daemon_event(BGC_REC_JOB_CREATED, "job-1")), 0);
	filter_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_creates_a_job_in_the_daemon),
		cmocka_unit_test(other_peers_jobs_are_left_out),
		cmocka_unit_test(run_claims_an_older_job),
		cmocka_unit_test(pid_follows_its_jobs_into_the_daemon),
		cmocka_unit_test(pid_claims_an_older_job),
		cmocka_unit_test(run_and_pid_follow_only_that_process),
	};

	return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
