/* The store's checkpoints, made on a thread of their own: SQLite's automatic one syncs the log and the database inside the commit that crosses its threshold, with the engine lock held. */
#include <sqlite3.h>
#include <stdlib.h>

#include "internal.h"
#include "store_checkpoint.h"

/*
 * A checkpoint copies the log's frames into the database and syncs both:
 * milliseconds, tens of them on a busy disk, and more as the database
 * grows (its pages are scattered).  Made in the commit, it stalled every
 * call and every notification for that long, once per few dozen jobs.
 *
 * The writer's commits tell the thread (sqlite3_wal_hook) when the log
 * has grown by CHECKPOINT_FRAMES, SQLite's own threshold, since the
 * thread's last pass; the thread's connection then copies what it can (a
 * PASSIVE checkpoint: it waits for no one and makes no one wait).
 *
 * The log starts over only at a write that finds all of it copied, and
 * under a steady stream of writes the thread never quite catches up.  So
 * from LOG_LIMIT frames on the thread passes again as soon as it is done,
 * and the writer copies the rest itself, as SQLite did, once a pass left
 * no more than WRITER_SHARE frames: a little copying and two short syncs
 * per LOG_LIMIT frames.  Should the thread fall behind for good (a slow
 * disk), the writer does it all from LOG_CAP on, which bounds the log.
 */
#define CHECKPOINT_FRAMES 1000
#define LOG_LIMIT (4 * CHECKPOINT_FRAMES)
#define WRITER_SHARE (CHECKPOINT_FRAMES / 4)
#define LOG_CAP (4 * LOG_LIMIT)

struct checkpointer {
	sqlite3 *db;		/* the thread's own connection */
	pthread_t thread;
	pthread_mutex_t mu;	/* guards what follows */
	pthread_cond_t cond;
	bool wanted, running, stopping;
	int copied;		/* frames of the log copied by the last pass */
};

static void *checkpoint_main(void *arg)
{
	struct checkpointer *c = arg;
	int copied;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stopping)
			pthread_cond_wait(&c->cond, &c->mu);
		if (c->stopping)
			break;
		c->wanted = false;
		c->running = true;
		pthread_mutex_unlock(&c->mu);
		/* A pass that fails (a full disk, the writer's own pass under
		 * way) copied nothing: the next commit asks again, and what was
		 * committed is safe in the log meanwhile. */
		if (sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
					      NULL, &copied) != SQLITE_OK)
			copied = -1;
		pthread_mutex_lock(&c->mu);
		c->running = false;
		if (copied >= 0)
			c->copied = copied;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* After each commit of the writer, engine lock held: `frames` is the
 * log's length.  Always SQLITE_OK: an error would fail the commit's
 * statement, and the commit itself succeeded. */
static int on_commit(void *arg, sqlite3 *writer, const char *schema, int frames)
{
	struct checkpointer *c = arg;
	int behind;
	bool own;

	pthread_mutex_lock(&c->mu);
	if (frames < c->copied)
		c->copied = 0;		/* the log started over */
	behind = frames - c->copied;
	own = frames >= LOG_CAP ||
	      (!c->running && frames >= LOG_LIMIT && behind <= WRITER_SHARE);
	if (!own && !c->running && (behind >= CHECKPOINT_FRAMES || frames >= LOG_LIMIT)) {
		c->wanted = true;
		pthread_cond_signal(&c->cond);
	}
	pthread_mutex_unlock(&c->mu);
	if (own)
		sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
	return SQLITE_OK;
}

static void checkpointer_free(struct checkpointer *c)
{
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

struct checkpointer *checkpointer_start(sqlite3 *writer)
{
	const char *path = sqlite3_db_filename(writer, "main");
	struct checkpointer *c = path && *path ? xcalloc(1, sizeof(*c)) : NULL;

	if (!c)
		return NULL;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cond, NULL);
	/* The read opens the log and its index now, as the caller: the
	 * thread would open them at its first pass, as whoever it runs as. */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
			    SQLITE_OPEN_NOFOLLOW, NULL) ||
	    sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL;"
			 "SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL) ||
	    pthread_create(&c->thread, NULL, checkpoint_main, c)) {
		checkpointer_free(c);
		return NULL;
	}
	sqlite3_wal_hook(writer, on_commit, c);
	return c;
}

void checkpointer_stop(struct checkpointer *c, sqlite3 *writer)
{
	if (!c)
		return;
	sqlite3_wal_hook(writer, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stopping = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	checkpointer_free(c);
}
