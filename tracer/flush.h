/* flush.c: finished files synced on threads of their own, and the temporary files a body's first write makes; not installed. */
#ifndef BGCOPY_FLUSH_H
#define BGCOPY_FLUSH_H

#include <stdatomic.h>

#include "internal.h"

/* One file to sync, embedded in what it belongs to (struct transfer). */
struct flush_req {
	struct flush_req *next;
	int fd;			/* TEMP_LATER: not made yet; -1: could not be */
	uint64_t dev, ino;	/* the file's, from when it was opened; dev 0: ask */
	struct wbuf *unwritten;	/* written before the sync, NULL: nothing */
	int write_errno;	/* that write's errno, 0 when it succeeded */
	int sync_errno;		/* fdatasync's errno, 0 when it succeeded */
	/* A new file's temporary file, made by whoever writes its body
	 * first (flush_create): the worker, or for a body that ended in
	 * the buffer the flush thread, never at the transfer's start. */
	char *create_path;	/* NULL: opened when its transfer started */
	atomic_int create_state;	/* CREATE_*, below */
	atomic_bool abandoned;	/* let go after it was claimed */
	int create_errno;	/* 0, or why it could not be made */
	bool planted;		/* not a regular file of ours in the way */
	bool fresh;		/* made, not yet seen by flush_drop_abandoned */
};

enum { CREATE_PENDING, CREATE_CLAIMED, CREATE_ABANDONED };

/* Lock not held.  Syncs submitted files on threads of their own, each
 * made and its unwritten bytes written first; flush_take_done gives back
 * the synced ones (with `all`, once every one submitted is) and wakes the
 * worker when one is. */
int flush_start(bgcopy_engine *engine);
void flush_submit(bgcopy_engine *engine, struct flush_req *chain);
struct flush_req *flush_take_done(bgcopy_engine *engine, bool all);
void flush_stop(bgcopy_engine *engine);

/* Any thread, lock not held: makes r's temporary file unless it has one,
 * as `me` (the thread's fs_uid()); false when it has none (could not be
 * made: create_errno, or let go before: flush_abandon). */
bool flush_create(struct flush_req *r, uid_t me);
/* Lock held, as its transfer is let go: true when its temporary file is
 * being made or was made, which then stays its file's (no other transfer
 * of the file may make one at that name) until the request is taken back;
 * flush_drop_abandoned, by its maker after the first write (and sync),
 * removes it then. */
bool flush_abandon(struct flush_req *r);
void flush_drop_abandoned(struct flush_req *r);

#endif /* BGCOPY_FLUSH_H */
