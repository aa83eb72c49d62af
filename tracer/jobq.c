/* The engine's queues of jobs (binary heaps by a key, ties to the older job) and the jobs each reader must look at again. */
#include <stdlib.h>

#include "internal.h"

/*
 * A queue holds the jobs that wait for something (a delivery, a
 * connection, a timer), ordered by a key its reader computes; the reader
 * takes the smallest without scanning every job.  Whatever may change a
 * job's key marks the job (jobq_mark); each reader re-keys its marked
 * jobs before it looks at a queue.  Every function runs with the lock held.
 */

static bool before(const bgcopy_job *x, const bgcopy_job *y, enum jobq_id id)
{
	if (x->qkey[id][0] != y->qkey[id][0])
		return x->qkey[id][0] < y->qkey[id][0];
	if (x->qkey[id][1] != y->qkey[id][1])
		return x->qkey[id][1] < y->qkey[id][1];
	return x->order < y->order;
}

static void place(struct jobq *q, enum jobq_id id, size_t i, bgcopy_job *job)
{
	q->heap[i] = job;
	job->qpos[id] = i + 1;
}

static void sift_up(struct jobq *q, enum jobq_id id, size_t i)
{
	bgcopy_job *job = q->heap[i];

	while (i > 0 && before(job, q->heap[(i - 1) / 2], id)) {
		place(q, id, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(q, id, i, job);
}

static void sift_down(struct jobq *q, enum jobq_id id, size_t i)
{
	bgcopy_job *job = q->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->len)
			break;
		if (c + 1 < q->len && before(q->heap[c + 1], q->heap[c], id))
			c++;
		if (!before(q->heap[c], job, id))
			break;
		place(q, id, i, q->heap[c]);
		i = c;
	}
	place(q, id, i, job);
}

/* Moves `job`, at `i`, to where its key puts it. */
static void settle_at(struct jobq *q, enum jobq_id id, bgcopy_job *job, size_t i)
{
	sift_up(q, id, i);
	sift_down(q, id, job->qpos[id] - 1);
}

static bool grow(struct jobq *q)
{
	size_t cap = q->cap ? 2 * q->cap : 64;
	bgcopy_job **heap;

	if (q->len < q->cap)
		return true;
	heap = realloc(q->heap, cap * sizeof(*heap));
	if (!heap)
		return false;
	q->heap = heap;
	q->cap = cap;
	return true;
}

bool jobq_set(bgcopy_job *job, enum jobq_id id, int64_t k0, int64_t k1)
{
	struct jobq *q = &job->engine->queues[id];

	assert(engine_locked(job->engine) && !job->forgotten);
	job->qkey[id][0] = k0;
	job->qkey[id][1] = k1;
	if (!job->qpos[id]) {
		if (!grow(q))
			return false;
		place(q, id, q->len++, job);
	}
	settle_at(q, id, job, job->qpos[id] - 1);
	return true;
}

void jobq_remove(bgcopy_job *job, enum jobq_id id)
{
	struct jobq *q = &job->engine->queues[id];
	size_t i = job->qpos[id];
	bgcopy_job *moved;

	assert(engine_locked(job->engine));
	if (!i)
		return;
	job->qpos[id] = 0;
	moved = q->heap[--q->len];
	if (--i == q->len)
		return;
	place(q, id, i, moved);
	settle_at(q, id, moved, i);
}

bgcopy_job *jobq_top(bgcopy_engine *engine, enum jobq_id id)
{
	assert(engine_locked(engine));
	return engine->queues[id].len ? engine->queues[id].heap[0] : NULL;
}

size_t jobq_len(const bgcopy_engine *engine, enum jobq_id id)
{
	return engine->queues[id].len;
}

bgcopy_job *jobq_at(bgcopy_engine *engine, enum jobq_id id, size_t i)
{
	assert(i < engine->queues[id].len);
	return engine->queues[id].heap[i];
}

bool jobq_holds(const bgcopy_job *job, enum jobq_id id)
{
	return job->qpos[id] != 0;
}

void jobq_free(bgcopy_engine *engine)
{
	for (int id = 0; id < JOBQ_COUNT; id++) {
		free(engine->queues[id].heap);
		engine->queues[id] = (struct jobq){ 0 };
	}
}

void jobq_mark(bgcopy_job *job)
{
	bgcopy_engine *engine = job->engine;

	assert(engine_locked(engine));
	if (job->forgotten)
		return;		/* a pinned job's last steps: no reader must see it */
	for (int r = 0; r < JOBQ_READERS; r++) {
		if (job->marked[r])
			continue;
		job->marked[r] = true;
		job->marked_next[r] = engine->marked[r];
		engine->marked[r] = job;
	}
}

/* Out of every queue and every reader's marks, for good. */
void jobq_forget(bgcopy_job *job)
{
	bgcopy_engine *engine = job->engine;

	assert(engine_locked(engine));
	for (int id = 0; id < JOBQ_COUNT; id++)
		jobq_remove(job, id);
	for (int r = 0; r < JOBQ_READERS; r++) {
		bgcopy_job **p = &engine->marked[r];

		if (!job->marked[r])
			continue;
		while (*p != job)
			p = &(*p)->marked_next[r];
		*p = job->marked_next[r];
		job->marked[r] = false;
	}
}

bgcopy_job *jobq_next_marked(bgcopy_engine *engine, enum jobq_reader r)
{
	bgcopy_job *job = engine->marked[r];

	assert(engine_locked(engine));
	if (job) {
		engine->marked[r] = job->marked_next[r];
		job->marked[r] = false;
	}
	return job;
}
