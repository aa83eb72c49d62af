/* Bandwidth caps on the running transfers: the job's own, and an even share of the engine's (or its schedule's) for jobs not FOREGROUND, kept by pausing the body. */
/*
 * libcurl's CURLOPT_MAX_RECV_SPEED_LARGE (7.88) lets a short transfer run
 * at full speed (400 KB capped at 50 KB/s came in 15 ms here) and takes a
 * changed value late, so the body is paced here: past its allowance since
 * the cap was set, the write callback pauses the transfer
 * (CURL_WRITEFUNC_PAUSE) until the allowance covers it.
 */
#include <time.h>

#include "transfer.h"

#define RATE_BURST_MS 100	/* what may come at once: a tenth of a second's worth */

/* The transfers the engine's cap is shared by. */
static unsigned capped_by_engine(const bgcopy_engine *engine)
{
	unsigned n = 0;

	for (const struct transfer *x = engine->transfers; x; x = x->next)
		n += x->job && !x->syncing && x->job->priority != BGCOPY_PRIORITY_FOREGROUND;
	return n;
}

/* The smaller of two caps, 0 being none. */
static uint64_t tighter(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* The engine's cap now: its schedule's, else its own. */
static uint64_t engine_cap(const bgcopy_engine *engine)
{
	uint64_t bps;

	return schedule_cap(&engine->schedule, time(NULL), &bps) ? bps : engine->max_bandwidth;
}

/* The job's own cap, shared evenly by its files still receiving. */
static uint64_t job_share(const bgcopy_job *job)
{
	uint64_t share;

	assert(job->xfers > job->xfers_syncing);
	share = job->max_bandwidth / (job->xfers - job->xfers_syncing);
	return job->max_bandwidth && !share ? 1 : share;	/* never 0: no cap */
}

void rate_apply(bgcopy_engine *engine)
{
	unsigned sharing = capped_by_engine(engine);
	uint64_t engine_bps = engine_cap(engine);
	uint64_t share = sharing && engine_bps ? engine_bps / sharing : 0;

	assert(engine_locked(engine));
	if (sharing && engine_bps && !share)
		share = 1;	/* never 0, which would lift the cap */
	for (struct transfer *x = engine->transfers; x; x = x->next) {
		uint64_t cap;

		if (!x->job || x->syncing)
			continue;
		cap = tighter(job_share(x->job),
			      x->job->priority == BGCOPY_PRIORITY_FOREGROUND ? 0 : share);
		if (cap == x->rate_cap)
			continue;
		x->rate_cap = cap;
		x->rate_min = tighter(x->rate_min, cap);
		x->rate_since_ms = now_ms();	/* a new allowance from now */
		x->rate_bytes = 0;
		if (x->rate_resume_ms)		/* paused: go on and be judged anew */
			x->rate_resume_ms = x->rate_since_ms;
	}
}

/* Bytes the transfer may have had `ms` after its cap was set. */
static uint64_t allowance(const struct transfer *x, int64_t ms)
{
	return x->rate_cap * (uint64_t)(ms + RATE_BURST_MS) / 1000;
}

bool rate_pause(struct transfer *x, size_t len)
{
	int64_t now = now_ms();
	uint64_t want = x->rate_bytes + len;

	if (!x->rate_cap || want <= allowance(x, now - x->rate_since_ms)) {
		x->rate_bytes = want;
		return false;
	}
	/* When the allowance covers these bytes; libcurl keeps them. */
	x->rate_resume_ms = x->rate_since_ms - RATE_BURST_MS +
			    (int64_t)(want * 1000 / x->rate_cap) + 1;
	return true;
}

int rate_resume(bgcopy_engine *engine, int timeout_ms)
{
	int64_t now = now_ms();

	for (struct transfer *x = engine->transfers; x; x = x->next) {
		if (!x->rate_resume_ms)
			continue;
		if (now >= x->rate_resume_ms) {
			x->rate_resume_ms = 0;
			curl_easy_pause(x->easy, CURLPAUSE_CONT);
		} else if (x->rate_resume_ms - now < timeout_ms) {
			timeout_ms = (int)(x->rate_resume_ms - now);
		}
	}
	return timeout_ms;
}
