/* store_checkpoint.c: the store's checkpoints, made on a thread of their own; not installed. */
#ifndef BGCOPY_STORE_CHECKPOINT_H
#define BGCOPY_STORE_CHECKPOINT_H

#include <sqlite3.h>

struct checkpointer;

/* Takes over the checkpoints of `writer`, the connection every write of
 * the store goes through.  The thread's own connection, to the writer's
 * database file, is opened here, by the caller's thread, so with its
 * identity.  NULL when it cannot be: then nothing changed, and SQLite's
 * automatic checkpoints, made in the writer's commits, stay in place. */
struct checkpointer *checkpointer_start(sqlite3 *writer);
/* Before the writer closes: waits for a checkpoint under way, then
 * closes the thread's connection.  NULL is nothing. */
void checkpointer_stop(struct checkpointer *c, sqlite3 *writer);

#endif
