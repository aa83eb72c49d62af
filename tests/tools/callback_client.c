/* A client of bgcopyd for tests: registers a notify interface on one job, then acknowledges its JobTransferred or hangs inside it until killed. */
/*
 * callback_client STORE JOB ack|hang
 *   ack   JobTransferred returns 0; exits once the daemon owes the job no
 *         JobTransferred, printing "method ran" or "method never ran"
 *         (a client library that swallows calls runs none)
 *   hang  prints "inside" in JobTransferred and waits there to be killed
 * Prints "registered" once the interface is set.  Exit 0, or 1 with why.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bgcopy.h"

#define WAIT_S 120

struct client_cb {
	struct bgcopy_callback base;
	bool hang;
	bool ran;			/* atomic */
};

static void no_ref(struct bgcopy_callback *cb)
{
	(void)cb;	/* static: lives as long as the process */
}

static int job_transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	struct client_cb *cb = (struct client_cb *)self;

	(void)job;
	__atomic_store_n(&cb->ran, true, __ATOMIC_RELEASE);
	if (cb->hang) {
		printf("inside\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	return 0;
}

static const struct bgcopy_callback_ops ops = {
	.add_ref = no_ref, .release = no_ref, .job_transferred = job_transferred,
};

/* Until the job is TRANSFERRED and its JobTransferred no longer owed. */
static bool wait_delivered(bgcopy_job *job)
{
	for (int i = 0; i < WAIT_S * 20; i++) {
		if (bgcopy_job_get_state(job) == BGCOPY_TRANSFERRED &&
		    !(bgcopy_job_get_pending_notifications(job) & BGCOPY_NOTIFY_JOB_TRANSFERRED))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

int main(int argc, char **argv)
{
	static struct client_cb cb = { .base.ops = &ops };
	bgcopy_engine *engine = NULL;
	bgcopy_job *job;
	int status = 1;

	if (argc != 4 || (strcmp(argv[3], "ack") && strcmp(argv[3], "hang"))) {
		fprintf(stderr, "usage: callback_client STORE JOB ack|hang\n");
		return 1;
	}
	cb.hang = !strcmp(argv[3], "hang");
	if (bgcopy_engine_open(argv[1], NULL, &engine) != BGCOPY_OK ||
	    !bgcopy_engine_is_client(engine)) {
		fprintf(stderr, "callback_client: no client engine on %s: %s\n", argv[1],
			engine ? "it opened embedded" : bgcopy_last_error());
		goto end;
	}
	if (bgcopy_engine_find_job(engine, argv[2], &job) != BGCOPY_OK ||
	    bgcopy_job_set_notify_interface(job, &cb.base) != BGCOPY_OK) {
		fprintf(stderr, "callback_client: cannot register on job %s: %s\n", argv[2],
			bgcopy_last_error());
		goto end;
	}
	printf("registered\n");
	fflush(stdout);
	if (!wait_delivered(job)) {
		fprintf(stderr, "callback_client: JobTransferred still owed after %d s\n",
			WAIT_S);
		goto end;
	}
	printf(__atomic_load_n(&cb.ran, __ATOMIC_ACQUIRE) ? "method ran\n" :
	       "method never ran\n");
	status = 0;
end:
	bgcopy_engine_close(engine);
	return status;
}
