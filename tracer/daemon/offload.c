/* bgcopyd: verbs whose file-system steps a stranger can make hang, run on threads of their own while the loop serves every other client. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon.h"

/*
 * Complete and Cancel rename and remove files, AddFile(s) stat the
 * destinations: on a FUSE or NFS mount that hangs, any user could stop
 * the one loop, and with it every client of the daemon.  libbgcopy makes
 * those steps with its lock released; here the loop hands such a call to
 * a thread and answers it when the thread is done, after the change
 * signals of what it did (reply_changed's order).  The message keeps
 * the strings it carries alive until then; the job is not let go of
 * while a call holds it (offload_holds, job_forget.c).
 */
#define OFFLOAD_THREADS 4

struct offload_call {
	sd_bus_message *m;		/* referenced: the reply goes to it */
	bgcopy_job *job;
	offload_fn run;
	void *arg;
	void (*free_arg)(void *arg);
	int status;
	char error[1024];		/* bgcopy_last_error is per thread */
	struct offload_call *next;	/* todo or done, under lock */
	struct offload_call *held_next;	/* loop thread: every call not answered */
};

struct offload {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct offload_call *todo, **todo_tail, *done;
	bool stopping;
	int wake_fd;			/* eventfd: a call is done */
	sd_event_source *source;
	struct offload_call *held;	/* loop thread */
	pthread_t threads[OFFLOAD_THREADS];
	unsigned nthreads;
};

static void *offload_main(void *arg)
{
	struct offload *o = arg;
	struct offload_call *c;
	uint64_t one = 1;

	pthread_mutex_lock(&o->lock);
	for (;;) {
		while (!o->todo && !o->stopping)
			pthread_cond_wait(&o->cond, &o->lock);
		if (!o->todo)
			break;
		c = o->todo;
		o->todo = c->next;
		if (!o->todo)
			o->todo_tail = &o->todo;
		pthread_mutex_unlock(&o->lock);
		c->status = c->run(c->job, c->arg);
		if (c->status != BGCOPY_OK)
			snprintf(c->error, sizeof(c->error), "%s", bgcopy_last_error());
		pthread_mutex_lock(&o->lock);
		c->next = o->done;
		o->done = c;
		/* The counter only grows: a failed write means it is set. */
		if (write(o->wake_fd, &one, sizeof(one)) < 0)
			continue;
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

static void forget_held(struct offload *o, struct offload_call *c)
{
	struct offload_call **at = &o->held;

	while (*at != c)
		at = &(*at)->held_next;
	*at = c->held_next;
}

static void call_free(struct offload_call *c)
{
	if (c->free_arg)
		c->free_arg(c->arg);
	sd_bus_message_unref(c->m);
	free(c);
}

/* Loop thread: each call done is answered, its changes announced first. */
static int on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	struct offload *o = d->offload;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct offload_call *done, *next;
	uint64_t count;

	(void)s, (void)revents;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return -errno;
	pthread_mutex_lock(&o->lock);
	done = o->done;
	o->done = NULL;
	pthread_mutex_unlock(&o->lock);
	for (; done; done = next) {
		next = done->next;
		forget_held(o, done);
		d->offloaded--;
		if (done->status == BGCOPY_OK) {
			job_watch_changed(d, done->job);
			sd_bus_reply_method_return(done->m, NULL);
		} else {
			bus_error_from_text(&error, done->status, done->error);
			sd_bus_reply_method_error(done->m, &error);
			sd_bus_error_free(&error);
		}
		call_free(done);
	}
	idle_update(d);
	return 0;
}

int offload_start(struct daemon *d)
{
	struct offload *o = calloc(1, sizeof(*o));
	int r;

	if (!o)
		return -ENOMEM;
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	o->todo_tail = &o->todo;
	d->offload = o;
	o->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->wake_fd < 0)
		return -errno;
	r = sd_event_add_io(d->event, &o->source, o->wake_fd, EPOLLIN, on_done, d);
	for (; r >= 0 && o->nthreads < OFFLOAD_THREADS; o->nthreads++)
		if ((r = -pthread_create(&o->threads[o->nthreads], NULL, offload_main, o)))
			break;
	return r;
}

int offload_call(struct daemon *d, sd_bus_message *m, bgcopy_job *job, offload_fn run,
		 void *arg, void (*free_arg)(void *arg))
{
	struct offload *o = d->offload;
	struct offload_call *c = calloc(1, sizeof(*c));

	if (!c) {
		if (free_arg)
			free_arg(arg);
		return -ENOMEM;
	}
	*c = (struct offload_call){ .m = sd_bus_message_ref(m), .job = job, .run = run,
				    .arg = arg, .free_arg = free_arg, .held_next = o->held };
	o->held = c;
	d->offloaded++;
	pthread_mutex_lock(&o->lock);
	*o->todo_tail = c;
	o->todo_tail = &c->next;
	pthread_cond_signal(&o->cond);
	pthread_mutex_unlock(&o->lock);
	return 1;	/* answered by on_done */
}

bool offload_holds(struct daemon *d, bgcopy_job *job)
{
	for (struct offload_call *c = d->offload ? d->offload->held : NULL; c; c = c->held_next)
		if (c->job == job)
			return true;
	return false;
}

/* Waits for the calls under way (they end in the engine, which is
 * still open); none is answered: the clients are gone by now. */
void offload_stop(struct daemon *d)
{
	struct offload *o = d->offload;
	struct offload_call *c, *next;

	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	o->stopping = true;
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
	for (unsigned i = 0; i < o->nthreads; i++)
		pthread_join(o->threads[i], NULL);
	for (c = o->held; c; c = next) {
		next = c->held_next;
		call_free(c);
	}
	sd_event_source_disable_unref(o->source);
	if (o->wake_fd >= 0)
		close(o->wake_fd);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
	free(o);
	d->offload = NULL;
	d->offloaded = 0;
}
