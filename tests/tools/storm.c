/*
 * storm: a JobModification storm through the real engine (libbgcopy).
 *
 *   storm STORE URL OUTDIR JOBS FILES [INTERVAL_MS]
 *
 * Opens an engine on STORE and creates JOBS jobs of FILES files each, all
 * downloading URL, with notify flags 0x1b (TRANSFERRED, ERROR,
 * MODIFICATION, FILE_TRANSFERRED), a modification interval of INTERVAL_MS
 * (default 1) and one interface that accepts everything.  Resumes them,
 * waits until the engine is idle (at most 300 s), completes every job that
 * is TRANSFERRED, cancels the others and closes.  Exit status 0 when every
 * job was TRANSFERRED, 1 otherwise, 2 on a usage or API error.
 * tests/e2e/analyze_verdicts.sh records it with tiny, discarding buffers.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgcopy.h"

static atomic_uint refs, calls;

static void add_ref(struct bgcopy_callback *self)
{
	(void) self;
	atomic_fetch_add(&refs, 1);
}

static void release(struct bgcopy_callback *self)
{
	(void) self;
	atomic_fetch_sub(&refs, 1);
}

static int job_event(struct bgcopy_callback *self, bgcopy_job *job)
{
	(void) self;
	(void) job;
	atomic_fetch_add(&calls, 1);
	return 0;
}

static int job_error(struct bgcopy_callback *self, bgcopy_job *job,
		     const struct bgcopy_error *error)
{
	(void) error;
	return job_event(self, job);
}

static int file_done(struct bgcopy_callback *self, bgcopy_job *job,
		     unsigned index)
{
	(void) index;
	return job_event(self, job);
}

static const struct bgcopy_callback_ops ops = {
	.add_ref = add_ref, .release = release,
	.job_transferred = job_event, .job_error = job_error,
	.job_modification = job_event, .file_transferred = file_done,
};

static struct bgcopy_callback cb = { .ops = &ops };

static int check(int rc, const char *what)
{
	if (rc)
		fprintf(stderr, "storm: %s: %s\n", what, bgcopy_last_error());
	return rc;
}

int main(int argc, char **argv)
{
	struct bgcopy_engine_options opt = { 0 };
	bgcopy_engine *engine;
	bgcopy_job **jobs;
	unsigned n_jobs, n_files, interval = 1, i, f, done = 0;
	char path[4096], name[64];

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: storm STORE URL OUTDIR JOBS FILES "
			"[INTERVAL_MS]\n");
		return 2;
	}
	n_jobs = (unsigned) strtoul(argv[4], NULL, 10);
	n_files = (unsigned) strtoul(argv[5], NULL, 10);
	if (argc == 7)
		interval = (unsigned) strtoul(argv[6], NULL, 10);
	jobs = calloc(n_jobs ? n_jobs : 1, sizeof(*jobs));
	if (!jobs || check(bgcopy_engine_open(argv[1], &opt, &engine),
			   "open"))
		return 2;
	for (i = 0; i < n_jobs; i++) {
		snprintf(name, sizeof(name), "storm %u", i);
		if (check(bgcopy_job_create(engine, name, &jobs[i]), "create") ||
		    check(bgcopy_job_set_notify_flags(jobs[i], 0x1b), "flags") ||
		    check(bgcopy_job_set_modification_interval_ms(jobs[i],
				interval), "interval"))
			return 2;
		for (f = 0; f < n_files; f++) {
			snprintf(path, sizeof(path), "%s/storm-%u-%u", argv[3],
				 i, f);
			if (check(bgcopy_job_add_file(jobs[i], argv[2], path),
				  "add"))
				return 2;
		}
		if (check(bgcopy_job_set_notify_interface(jobs[i], &cb),
			  "interface"))
			return 2;
	}
	for (i = 0; i < n_jobs; i++) {
		if (check(bgcopy_job_resume(jobs[i]), "resume"))
			return 2;
	}
	bgcopy_engine_wait_idle(engine, 300000);
	for (i = 0; i < n_jobs; i++) {
		if (bgcopy_job_get_state(jobs[i]) == BGCOPY_TRANSFERRED) {
			done++;
			bgcopy_job_complete(jobs[i]);
		} else {
			bgcopy_job_cancel(jobs[i]);
		}
	}
	bgcopy_engine_close(engine);
	printf("storm: %u of %u jobs transferred, %u callbacks\n", done,
	       n_jobs, atomic_load(&calls));
	free(jobs);
	return done == n_jobs ? 0 : 1;
}
