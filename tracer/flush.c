/* Finished files' data synced to disk on threads of their own, files that finished together in one sync of their file system; the temporary files a body's first write makes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flush.h"

/* A thread a core, two at least: a file system whose syncs hang then
 * leaves another thread to the rest.  The threads make, write and sync
 * the files, CPU more than waiting now that files that finish together
 * share one syncfs, and more threads than cores contend for the
 * directory's lock: 5,000 x 16 KiB on 2 cores, 8 alternating rounds,
 * took 0.58 s with 2 threads against 0.60 s with 4 (CPU 0.63 against
 * 0.66 s, faster in 5 rounds, slower in 1); 10,000 one-file jobs and
 * 500 x 1 MiB were no slower. */
#define FLUSH_THREADS_MIN 2
#define FLUSH_THREADS_MAX 4

struct flusher {
	bgcopy_engine *engine;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct flush_req *todo, **todo_tail;
	struct flush_req *done, **done_tail;
	pthread_cond_t done_cond;
	unsigned pending;	/* submitted, not yet taken back */
	unsigned ndone;		/* of them synced */
	bool stopping;
	pthread_t threads[FLUSH_THREADS_MAX];
	unsigned nthreads;
};

static void append(struct flush_req ***tail, struct flush_req *r)
{
	r->next = NULL;
	**tail = r;
	*tail = &r->next;
}

static void sync_one(struct flush_req *r)
{
	r->sync_errno = fdatasync(r->fd) != 0 ? errno : 0;
}

bool flush_create(struct flush_req *r, uid_t me)
{
	int pending = CREATE_PENDING;
	struct stat st;

	if (r->fd != TEMP_LATER)
		return r->fd >= 0;
	assert(r->create_path);
	/* Claimed first: a transfer let go before makes nothing. */
	if (!atomic_compare_exchange_strong(&r->create_state, &pending, CREATE_CLAIMED)) {
		r->fd = -1;
		return false;
	}
	test_delay("BGCOPY_TEST_SLOW_OPEN_MS");
	r->fd = temp_file_create(r->create_path, me, &r->planted, &st);
	r->create_errno = r->fd < 0 ? errno : 0;
	if (r->fd >= 0) {
		r->dev = (uint64_t)st.st_dev;
		r->ino = (uint64_t)st.st_ino;
		r->fresh = true;
	}
	return r->fd >= 0;
}

bool flush_abandon(struct flush_req *r)
{
	int pending = CREATE_PENDING;

	if (!r->create_path ||
	    atomic_compare_exchange_strong(&r->create_state, &pending, CREATE_ABANDONED))
		return false;
	atomic_store(&r->abandoned, true);
	return true;
}

/* Its maker removes a file let go meanwhile: a cancel may have removed
 * the name before it was made (one let go later finds the file there).
 * Only that very file: the name is still its file's (flush_abandon), but
 * checked all the same. */
void flush_drop_abandoned(struct flush_req *r)
{
	struct stat st;
	bool fresh = r->fresh;

	r->fresh = false;
	if (fresh && atomic_load(&r->abandoned) &&
	    lstat(r->create_path, &st) == 0 && (uint64_t)st.st_ino == r->ino &&
	    (uint64_t)st.st_dev == r->dev)
		unlink(r->create_path);
}

/* A finished file's temporary file made, if it is still to be, and its
 * last buffered bytes written, here rather than by the worker, just
 * before their sync. */
static void make_and_write(struct flush_req *chain)
{
	uid_t me = fs_uid();	/* a flush thread never takes another's */

	for (struct flush_req *r = chain; r; r = r->next)
		if (flush_create(r, me) && r->unwritten)
			wbuf_write(r->unwritten, r->fd, &r->write_errno);
}

/* The request's file system; false when it cannot be told. */
static bool dev_of(struct flush_req *r)
{
	struct stat st;

	if (!r->dev && fstat(r->fd, &st) == 0)
		r->dev = (uint64_t)st.st_dev;
	return r->dev != 0;
}

/* Several files at once: one syncfs per file system writes back each
 * inode table block once and flushes the device cache once, where a
 * fdatasync per file does both per file.  syncfs reports any write-back error on the file system
 * since these files were opened; then each file is synced alone, for
 * its own errno. */
static void sync_batch(struct flush_req *batch)
{
	struct flush_req *r, *s;

	if (!batch->next) {
		if (batch->fd >= 0)
			sync_one(batch);
		return;
	}
	for (r = batch; r; r = r->next)
		r->sync_errno = r->fd >= 0 ? -1 : 0;	/* -1: not synced yet */
	for (r = batch; r; r = r->next) {
		if (r->sync_errno >= 0)
			continue;
		if (!dev_of(r) || syncfs(r->fd) != 0) {
			for (s = r; s; s = s->next)
				if (s->sync_errno < 0)
					sync_one(s);
			return;
		}
		for (s = r; s; s = s->next)
			if (s->sync_errno < 0 && dev_of(s) && s->dev == r->dev)
				s->sync_errno = 0;
		if (r->sync_errno < 0)
			sync_one(r);	/* its file system changed under it? */
	}
}

static void *flush_main(void *arg)
{
	struct flusher *fl = arg;
	struct flush_req *batch, *r, *next;

	pthread_mutex_lock(&fl->mu);
	for (;;) {
		while (!fl->todo && !fl->stopping)
			pthread_cond_wait(&fl->cond, &fl->mu);
		if (!fl->todo)
			break;
		/* Everything queued: what finished while the last sync ran. */
		batch = fl->todo;
		fl->todo = NULL;
		fl->todo_tail = &fl->todo;
		pthread_mutex_unlock(&fl->mu);
		make_and_write(batch);
		sync_batch(batch);
		for (r = batch; r; r = r->next)
			flush_drop_abandoned(r);
		pthread_mutex_lock(&fl->mu);
		for (r = batch; r; r = next) {
			next = r->next;
			assert(r->sync_errno >= 0);
			append(&fl->done_tail, r);
			fl->ndone++;
		}
		pthread_cond_signal(&fl->done_cond);
		wake_worker(fl->engine);
	}
	pthread_mutex_unlock(&fl->mu);
	return NULL;
}

static unsigned thread_count(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < FLUSH_THREADS_MIN)
		return FLUSH_THREADS_MIN;
	return cores > FLUSH_THREADS_MAX ? FLUSH_THREADS_MAX : (unsigned)cores;
}

int flush_start(bgcopy_engine *engine)
{
	struct flusher *fl = xcalloc(1, sizeof(*fl));
	unsigned n = thread_count();

	if (!fl)
		return BGCOPY_E_NOMEM;
	fl->engine = engine;
	fl->todo_tail = &fl->todo;
	fl->done_tail = &fl->done;
	if (pthread_mutex_init(&fl->mu, NULL) || pthread_cond_init(&fl->cond, NULL) ||
	    pthread_cond_init(&fl->done_cond, NULL)) {
		free(fl);
		return set_error(BGCOPY_E_NOMEM, "cannot create the flush queue");
	}
	engine->flusher = fl;
	for (; fl->nthreads < n; fl->nthreads++)
		if (pthread_create(&fl->threads[fl->nthreads], NULL, flush_main, fl))
			break;
	/* With no thread, flush_submit syncs on the caller's. */
	return BGCOPY_OK;
}

/* A chain of requests (linked by next) woken once: files that finished
 * together go to one thread, and so to one syncfs, not one each. */
void flush_submit(bgcopy_engine *engine, struct flush_req *chain)
{
	struct flusher *fl = engine->flusher;
	struct flush_req *r, *next;

	assert(!engine_locked(engine));
	if (!chain)
		return;
	if (!fl->nthreads)
		make_and_write(chain);
	for (r = chain; !fl->nthreads && r; r = r->next) {
		r->sync_errno = r->fd >= 0 && fdatasync(r->fd) != 0 ? errno : 0;
		flush_drop_abandoned(r);
	}
	pthread_mutex_lock(&fl->mu);
	for (r = chain; r; r = next) {
		next = r->next;
		fl->pending++;
		if (fl->nthreads) {
			append(&fl->todo_tail, r);
		} else {
			append(&fl->done_tail, r);
			fl->ndone++;
		}
	}
	if (fl->nthreads)
		pthread_cond_signal(&fl->cond);
	pthread_mutex_unlock(&fl->mu);
}

/* The synced requests, in the order their syncs ended; with `all`, waits
 * until every request submitted is synced. */
struct flush_req *flush_take_done(bgcopy_engine *engine, bool all)
{
	struct flusher *fl = engine->flusher;
	struct flush_req *done;

	assert(!engine_locked(engine));
	pthread_mutex_lock(&fl->mu);
	while (all && fl->ndone < fl->pending)
		pthread_cond_wait(&fl->done_cond, &fl->mu);
	done = fl->done;
	fl->pending -= fl->ndone;
	fl->ndone = 0;
	fl->done = NULL;
	fl->done_tail = &fl->done;
	pthread_mutex_unlock(&fl->mu);
	return done;
}

void flush_stop(bgcopy_engine *engine)
{
	struct flusher *fl = engine->flusher;

	if (!fl)
		return;
	pthread_mutex_lock(&fl->mu);
	fl->stopping = true;
	pthread_cond_broadcast(&fl->cond);
	pthread_mutex_unlock(&fl->mu);
	for (unsigned i = 0; i < fl->nthreads; i++)
		pthread_join(fl->threads[i], NULL);
	pthread_cond_destroy(&fl->cond);
	pthread_cond_destroy(&fl->done_cond);
	pthread_mutex_destroy(&fl->mu);
	free(fl);
	engine->flusher = NULL;
}
