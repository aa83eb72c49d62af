/* bgcopyd: the idle exit: a timer armed only while no job moves, no client is connected and no call is under way. */
#include "daemon.h"

static int on_idle(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	return sd_event_exit(((struct daemon *)userdata)->event, 0);
}

/* Called whenever a job starts or stops moving, a client comes or goes
 * and a call offload.c ran is answered: the clock starts when the daemon becomes idle, and no
 * timer runs otherwise (no periodic wake-up). */
void idle_update(struct daemon *d)
{
	int enabled = SD_EVENT_OFF;
	bool idle = d->nmoving == 0 && d->npeers == 0 && d->offloaded == 0;

	if (!d->idle_exit_usec || !d->event)
		return;
	if (d->idle_source)
		sd_event_source_get_enabled(d->idle_source, &enabled);
	if (!idle) {
		if (enabled != SD_EVENT_OFF)
			sd_event_source_set_enabled(d->idle_source, SD_EVENT_OFF);
		return;
	}
	if (enabled != SD_EVENT_OFF)
		return;		/* already counting since it became idle */
	if (!d->idle_source) {
		if (sd_event_add_time_relative(d->event, &d->idle_source, CLOCK_MONOTONIC,
					       d->idle_exit_usec, 0, on_idle, d) < 0)
			sd_event_exit(d->event, 1);
		return;
	}
	if (sd_event_source_set_time_relative(d->idle_source, d->idle_exit_usec) < 0 ||
	    sd_event_source_set_enabled(d->idle_source, SD_EVENT_ONESHOT) < 0)
		sd_event_exit(d->event, 1);
}

void idle_free(struct daemon *d)
{
	d->idle_source = sd_event_source_disable_unref(d->idle_source);
}
