/* The download's progress meter (meter.c): one redrawn line on a terminal, sparse lines or JSON elsewhere. */
#ifndef BGCOPY_CLI_METER_H
#define BGCOPY_CLI_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "bgcopy.h"

enum meter_mode {
	METER_TTY,	/* one line redrawn with \r, fitted to the width */
	METER_PLAIN,	/* a line when a transient error comes or goes */
	METER_JSON,	/* a JSON object per state or cause change, on stdout */
};

#define METER_SAMPLES 16

struct meter {
	enum meter_mode mode;
	bgcopy_job *job;
	char id[37];
	char label[64];
	int state;		/* last seen, -1 before the first look */
	char cause[256];	/* last transient error shown */
	bool troubled;		/* a transient error was shown */
	double retry_at;	/* monotonic seconds of the next try, 0: none */
	struct { double t; uint64_t bytes; } sample[METER_SAMPLES];
	int samples, next;
	double looked_at;	/* monotonic seconds of the last look */
};

void meter_init(struct meter *m, enum meter_mode mode, bgcopy_job *job,
		const char *label);
/* One look at the job, unless the last was under 0.2 s ago: redraws or
 * reports what changed. */
void meter_update(struct meter *m);
/* The last look; a terminal's line is ended. */
void meter_end(struct meter *m);

#endif
