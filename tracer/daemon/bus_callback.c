/* bgcopyd: notify interfaces that clients export (org.bgcopy1.Callback), called by the engine's threads through the loop. */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon.h"


/*
 * The engine calls an interface on one of its dispatcher threads and
 * waits for the result; sd-bus connections belong to the loop thread.
 * So a call is a request queued for the loop, which sends it to the
 * client and wakes the dispatcher with the reply: 0 when the client's
 * method answered 0, -1 (a failed attempt, retried per the contract)
 * on any other answer, an error, a time-out or a client that has gone.
 */
struct remote_cb {
	struct bgcopy_callback base;
	struct callbacks *all;
	unsigned refs;			/* all->lock: the last one unlinks it */
	struct peer *peer;		/* all->lock; NULL once the client has gone */
	char path[128];			/* the client's object */
	bgcopy_job *job;
	bool current;			/* loop thread: still the job's interface */
	struct remote_cb *next;		/* all->cbs, all->lock */
};

struct request {
	struct remote_cb *cb;
	const char *member;
	char id[37];
	struct bgcopy_error error;
	uint32_t file_index;
	struct bgcopy_callback_attempt attempt;	/* passed on, for both traces */
	struct peer *peer;		/* loop thread: who was called */
	sd_bus_slot *slot;		/* loop thread */
	int result;
	bool done;			/* all->lock; then the waiter owns it again */
	struct request *next;
};

struct callbacks {
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct request *queue;		/* lock: waiting for the loop */
	struct request *sent;		/* loop thread: waiting for a reply */
	struct remote_cb *cbs;		/* lock: every live interface */
	int wake_fd;
	sd_event_source *source;
	uint64_t timeout_usec;
};

static void finish(struct callbacks *all, struct request *req, int result)
{
	pthread_mutex_lock(&all->lock);
	req->result = result;
	req->done = true;
	pthread_cond_broadcast(&all->done);
	pthread_mutex_unlock(&all->lock);
}

static void unlink_sent(struct callbacks *all, struct request *req)
{
	for (struct request **r = &all->sent; *r; r = &(*r)->next)
		if (*r == req) {
			*r = req->next;
			return;
		}
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct request *req = userdata;
	struct callbacks *all = req->cb->all;
	int32_t result = -1;

	(void)error;
	if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "i", &result) < 0)
		result = -1;
	unlink_sent(all, req);
	req->slot = sd_bus_slot_unref(req->slot);
	finish(all, req, result == 0 ? 0 : -1);
	return 0;
}

static int send_request(struct callbacks *all, struct request *req, struct peer *peer)
{
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(peer->bus, &m, NULL, req->cb->path,
					   BGCOPYD_CALLBACK_IFACE, req->member);
	if (r >= 0)
		r = callback_append_args(m, req->member, req->id, &req->error, req->file_index,
					 &req->attempt);
	if (r >= 0)
		r = sd_bus_call_async(peer->bus, &req->slot, m, on_reply, req, all->timeout_usec);
	sd_bus_message_unref(m);
	if (r < 0)
		return r;
	req->peer = peer;
	req->next = all->sent;
	all->sent = req;
	return 0;
}

/* The loop's side: sends every queued request to its client. */
static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct callbacks *all = userdata;
	struct request *req, *next;
	struct peer *peer;
	uint64_t n;

	(void)s, (void)revents;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&all->lock);
	req = all->queue;
	all->queue = NULL;
	pthread_mutex_unlock(&all->lock);
	for (; req; req = next) {
		next = req->next;
		pthread_mutex_lock(&all->lock);
		peer = req->cb->peer;
		pthread_mutex_unlock(&all->lock);
		if (!peer || send_request(all, req, peer) < 0)
			finish(all, req, -1);
	}
	return 0;
}

/* A dispatcher thread: one callback, as the client answers it. */
static int invoke(struct remote_cb *cb, bgcopy_job *job, struct request *req)
{
	struct callbacks *all = cb->all;
	uint64_t one = 1;
	pid_t to;

	req->cb = cb;
	bgcopy_job_get_id(job, req->id);
	pthread_mutex_lock(&all->lock);
	to = cb->peer ? cb->peer->pid : 0;
	pthread_mutex_unlock(&all->lock);
	if (!to || bgcopy_callback_forward(to, &req->attempt) != BGCOPY_OK)
		return -1;	/* its client has gone: a failed attempt */
	pthread_mutex_lock(&all->lock);
	if (!cb->peer) {
		pthread_mutex_unlock(&all->lock);
		return -1;
	}
	req->next = all->queue;
	all->queue = req;
	pthread_mutex_unlock(&all->lock);
	/* The request is queued: it is ours again only once done.  EAGAIN,
	 * an eventfd at its limit, means the loop is awake already. */
	if (write(all->wake_fd, &one, sizeof(one)) != sizeof(one))
		assert(errno == EAGAIN);
	pthread_mutex_lock(&all->lock);
	while (!req->done)
		pthread_cond_wait(&all->done, &all->lock);
	pthread_mutex_unlock(&all->lock);
	return req->result;
}

static struct remote_cb *remote_of(struct bgcopy_callback *self)
{
	return (struct remote_cb *)self;
}

static int job_transferred(struct bgcopy_callback *self, bgcopy_job *job)
{
	struct request req = { .member = "JobTransferred" };

	return invoke(remote_of(self), job, &req);
}

static int job_error(struct bgcopy_callback *self, bgcopy_job *job,
		     const struct bgcopy_error *error)
{
	struct request req = { .member = "JobError", .error = *error };

	return invoke(remote_of(self), job, &req);
}

static int job_modification(struct bgcopy_callback *self, bgcopy_job *job)
{
	struct request req = { .member = "JobModification" };

	return invoke(remote_of(self), job, &req);
}

static int file_transferred(struct bgcopy_callback *self, bgcopy_job *job, unsigned index)
{
	struct request req = { .member = "FileTransferred", .file_index = index };

	return invoke(remote_of(self), job, &req);
}

/* References change under all->lock, as the list does: the last one
 * goes and unlinks in one hold, so bus_callback_peer_gone, which takes
 * a reference on what it finds listed, never finds one being freed. */
static void cb_add_ref(struct bgcopy_callback *self)
{
	struct callbacks *all = remote_of(self)->all;

	pthread_mutex_lock(&all->lock);
	remote_of(self)->refs++;
	pthread_mutex_unlock(&all->lock);
}

static void cb_release(struct bgcopy_callback *self)
{
	struct remote_cb *cb = remote_of(self);
	struct callbacks *all = cb->all;
	bool last;

	pthread_mutex_lock(&all->lock);
	assert(cb->refs > 0);
	last = --cb->refs == 0;
	for (struct remote_cb **c = &all->cbs; last && *c; c = &(*c)->next)
		if (*c == cb) {
			*c = cb->next;
			break;
		}
	pthread_mutex_unlock(&all->lock);
	if (last)
		free(cb);
}

static const struct bgcopy_callback_ops remote_ops = {
	.add_ref = cb_add_ref,
	.release = cb_release,
	.job_transferred = job_transferred,
	.job_error = job_error,
	.job_modification = job_modification,
	.file_transferred = file_transferred,
};

static int callbacks_start(struct daemon *d)
{
	struct callbacks *all;
	int r;

	if (d->callbacks)
		return 0;
	all = calloc(1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	all->timeout_usec = callback_timeout_usec();
	all->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (all->wake_fd < 0) {
		free(all);
		return -errno;
	}
	pthread_mutex_init(&all->lock, NULL);
	pthread_cond_init(&all->done, NULL);
	r = sd_event_add_io(d->event, &all->source, all->wake_fd, EPOLLIN, on_wake, all);
	if (r < 0) {
		close(all->wake_fd);
		free(all);
		return r;
	}
	d->callbacks = all;
	return 0;
}

/* The job's current interface (if any was registered here), but
 * `keep`, is no longer current: replaced, or its client gone. */
static void retire_current(struct callbacks *all, bgcopy_job *job,
			   const struct remote_cb *keep)
{
	pthread_mutex_lock(&all->lock);
	for (struct remote_cb *c = all->cbs; c; c = c->next)
		if (c->job == job && c != keep)
			c->current = false;
	pthread_mutex_unlock(&all->lock);
}

/* SetNotifyInterface: `path` on the caller's connection becomes the
 * job's notify interface ("/" removes it): a new epoch either way.
 * Returns a bgcopy status. */
int bus_callback_register(struct peer *p, bgcopy_job *job, const char *path)
{
	struct remote_cb *cb = NULL;
	struct callbacks *all;
	int status;

	if (callbacks_start(p->daemon) < 0)
		return BGCOPY_E_NOMEM;
	all = p->daemon->callbacks;
	if (strcmp(path, "/")) {
		cb = calloc(1, sizeof(*cb));
		if (!cb)
			return BGCOPY_E_NOMEM;
		*cb = (struct remote_cb){ .base.ops = &remote_ops, .all = all, .refs = 1,
					  .peer = p, .job = job, .current = true };
		snprintf(cb->path, sizeof(cb->path), "%s", path);
		pthread_mutex_lock(&all->lock);
		cb->next = all->cbs;
		all->cbs = cb;
		pthread_mutex_unlock(&all->lock);
	}
	if (!cb) {	/* the job's notify service, if any, takes over */
		retire_current(all, job, NULL);
		return notify_service_install(p->daemon, job);
	}
	/* The one it replaces stays current if the engine refuses. */
	status = bgcopy_job_set_notify_interface(job, &cb->base);
	if (status == BGCOPY_OK)
		retire_current(all, job, cb);
	else
		cb->current = false;
	cb_release(&cb->base);	/* the engine holds its own reference */
	return status;
}

/* A client's connection closed: its interfaces are released (a new
 * epoch for each job it was current on) and its calls fail now. */
void bus_callback_peer_gone(struct peer *p)
{
	struct callbacks *all = p->daemon->callbacks;
	struct request **r, *req;
	struct remote_cb *c, *held[64];
	size_t n;

	if (!all)
		return;
	for (r = &all->sent; *r;) {
		req = *r;
		if (req->peer != p) {
			r = &req->next;
			continue;
		}
		*r = req->next;
		req->slot = sd_bus_slot_unref(req->slot);
		finish(all, req, -1);
	}
	do {
		n = 0;
		pthread_mutex_lock(&all->lock);
		for (c = all->cbs; c; c = c->next) {
			if (c->peer == p && !c->current)
				c->peer = NULL;
			if (c->peer == p && n < sizeof(held) / sizeof(held[0])) {
				c->peer = NULL;
				c->current = false;
				c->refs++;	/* listed: not going */
				held[n++] = c;
			}
		}
		/* Queued calls to it fail; their waiters own them again. */
		for (r = &all->queue; *r;) {
			req = *r;
			if (req->cb->peer) {
				r = &req->next;
				continue;
			}
			*r = req->next;
			req->result = -1;
			req->done = true;
		}
		pthread_cond_broadcast(&all->done);
		pthread_mutex_unlock(&all->lock);
		for (size_t i = 0; i < n; i++) {
			/* A final job keeps its interface (it can change no
			 * more); calls to it fail from now on.  Another's
			 * notify service, if any, takes over. */
			notify_service_install(p->daemon, held[i]->job);
			job_watch_changed(p->daemon, held[i]->job);	/* NotifyEpoch */
			cb_release(&held[i]->base);
		}
	} while (n == sizeof(held) / sizeof(held[0]));
}

/* Whether a client's interface is the job's (then a notify service
 * waits for it to go). */
bool bus_callback_has_client(struct daemon *d, bgcopy_job *job)
{
	struct callbacks *all = d->callbacks;
	bool found = false;

	if (!all)
		return false;
	pthread_mutex_lock(&all->lock);
	for (struct remote_cb *c = all->cbs; c && !found; c = c->next)
		found = c->job == job && c->current && c->peer;
	pthread_mutex_unlock(&all->lock);
	return found;
}

/* The engine let go of the job: interfaces still referenced (a call in
 * flight, a client yet to go) name it no more. */
void bus_callback_forget_job(struct daemon *d, bgcopy_job *job)
{
	struct callbacks *all = d->callbacks;

	if (!all)
		return;
	pthread_mutex_lock(&all->lock);
	for (struct remote_cb *c = all->cbs; c; c = c->next)
		if (c->job == job) {
			c->job = NULL;
			c->current = false;
		}
	pthread_mutex_unlock(&all->lock);
}

void bus_callback_free(struct daemon *d)
{
	struct callbacks *all = d->callbacks;

	if (!all)
		return;
	assert(!all->sent && !all->queue);
	sd_event_source_disable_unref(all->source);
	close(all->wake_fd);
	pthread_cond_destroy(&all->done);
	pthread_mutex_destroy(&all->lock);
	free(all);
	d->callbacks = NULL;
}
