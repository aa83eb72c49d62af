/* bgcopy monitor (monitor.c): every job's state and progress changes as they happen, like bitsadmin /monitor. */
#ifndef BGCOPY_CLI_MONITOR_H
#define BGCOPY_CLI_MONITOR_H

#include "bgcopy.h"

/* argv[0] is "monitor"; returns the command's exit status. */
int monitor_run(bgcopy_engine *engine, int argc, char **argv);

#endif
