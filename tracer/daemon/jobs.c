/* bgcopyd: which jobs a client may see (owner isolation) and the object paths that name them. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"

/* The id with '_' for '-', which object paths do not allow. */
int job_object_path(bgcopy_job *job, char **out)
{
	char id[37];

	bgcopy_job_get_id(job, id);
	for (char *c = id; *c; c++)
		if (*c == '-')
			*c = '_';
	return asprintf(out, BGCOPYD_JOB_PREFIX "/%s", id) < 0 ? -ENOMEM : 0;
}

bool peer_sees(const struct peer *p, bgcopy_job *job)
{
	return p->uid == 0 || bgcopy_job_get_owner(job) == p->uid;
}

/* The jobs `p` may see (every job for p NULL), or with `own` only the
 * ones it owns, in creation order; NULL when out of memory. */
bgcopy_job **daemon_jobs(struct daemon *d, const struct peer *p, bool own, size_t *n)
{
	size_t all = bgcopy_engine_list_jobs(d->engine, NULL, 0), got, k = 0;
	bgcopy_job **jobs = calloc(all ? all : 1, sizeof(*jobs));

	if (!jobs)
		return NULL;
	/* Jobs are created on this thread alone: the count cannot grow
	 * between the two calls. */
	got = bgcopy_engine_list_jobs(d->engine, jobs, all);
	if (got < all)
		all = got;
	for (size_t i = 0; i < all; i++)
		if (!p || (own ? bgcopy_job_get_owner(jobs[i]) == p->uid : peer_sees(p, jobs[i])))
			jobs[k++] = jobs[i];
	*n = k;
	return jobs;
}

/* Jobs that count against the limits: those not yet ACKNOWLEDGED or
 * CANCELLED (BITS counts the jobs in its queue). */
int daemon_count_jobs(struct daemon *d, uid_t uid, size_t *owned, size_t *all)
{
	size_t n = 0;
	bgcopy_job **jobs = daemon_jobs(d, NULL, false, &n);

	if (!jobs)
		return -ENOMEM;
	*owned = *all = 0;
	for (size_t i = 0; i < n; i++) {
		enum bgcopy_state state = bgcopy_job_get_state(jobs[i]);

		if (state == BGCOPY_ACKNOWLEDGED || state == BGCOPY_CANCELLED)
			continue;
		(*all)++;
		*owned += bgcopy_job_get_owner(jobs[i]) == uid;
	}
	free(jobs);
	return 0;
}
