/* The verbs of throughput: set-bandwidth (a job's cap or the engine's), set-bandwidth-schedule, bandwidth to show the engine's, set-parallel-files. */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The engine's caps last as long as its process: bgcopyd's are worth setting. */
static int need_daemon(bgcopy_engine *engine)
{
	if (!bgcopy_engine_is_client(engine))
		return fail(EXIT_USAGE, "an engine's bandwidth caps last as long as its process: "
			    "set them through bgcopyd (BGCOPY_EMBEDDED unset)");
	return 0;
}

/* A job's cap, or with no JOB the engine's (bgcopyd's: root only). */
int cmd_set_bandwidth(struct cli *cli, bgcopy_engine *engine)
{
	const char *text = cli->argv[cli->argc - 1];
	unsigned long long bps;
	bgcopy_job *job;
	char *end;
	int rc;

	if (cli->argc != 2 && cli->argc != 3)
		return fail(EXIT_USAGE, "usage: bgcopy set-bandwidth [JOB] BYTES_PER_S");
	errno = 0;
	bps = strtoull(text, &end, 10);
	if (errno || end == text || *end || *text == '-')
		return fail(EXIT_USAGE, "BYTES_PER_S must be a whole number, not '%s'", text);
	if (cli->argc == 2 && (rc = need_daemon(engine)))
		return rc;
	if (cli->argc == 2)
		rc = bgcopy_engine_set_max_bandwidth(engine, bps);
	else if (!(rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)))
		rc = bgcopy_job_set_max_bandwidth(job, bps);
	return rc ? api_fail(rc) : 0;
}

/* How many of a job's files move at once (the engine checks 1..16). */
int cmd_set_parallel_files(struct cli *cli, bgcopy_engine *engine)
{
	unsigned long files;
	bgcopy_job *job;
	int rc;

	if (cli->argc != 3)
		return fail(EXIT_USAGE, "usage: bgcopy set-parallel-files JOB FILES");
	if ((rc = parse_uint(cli->argv[2], "FILES", UINT32_MAX, &files)))
		return rc;
	if (!(rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)))
		rc = bgcopy_job_set_parallel_files(job, (uint32_t)files);
	return rc ? api_fail(rc) : 0;
}

/* BITS' bandwidth policy: "DAYS FROM-TO BYTES_PER_S; ...", root's. */
int cmd_set_bandwidth_schedule(struct cli *cli, bgcopy_engine *engine)
{
	int rc;

	if (cli->argc != 2)
		return fail(EXIT_USAGE, "usage: bgcopy set-bandwidth-schedule "
			    "'DAYS FROM-TO BYTES_PER_S[; ...]' | --clear");
	if ((rc = need_daemon(engine)))
		return rc;
	rc = bgcopy_engine_set_bandwidth_schedule(engine, strcmp(cli->argv[1], "--clear") ?
						  cli->argv[1] : NULL);
	return rc ? api_fail(rc) : 0;
}

int cmd_bandwidth(struct cli *cli, bgcopy_engine *engine)
{
	char schedule[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];
	int rc;

	if (cli->argc != 1)
		return fail(EXIT_USAGE, "usage: bgcopy bandwidth");
	if ((rc = need_daemon(engine)))
		return rc;
	if ((rc = bgcopy_engine_get_bandwidth_schedule(engine, schedule, sizeof(schedule))))
		return api_fail(rc);
	printf("engine cap %llu B/s (0: none), schedule '%s'\n",
	       (unsigned long long)bgcopy_engine_get_max_bandwidth(engine), schedule);
	return 0;
}
