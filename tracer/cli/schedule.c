/* The verbs of the engine's bandwidth: set-bandwidth-schedule, and bandwidth to show it. */
#include <stdio.h>
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
