/*
 * Transfers: one worker thread drives libcurl's multi interface for every
 * job.  A job receives up to parallel_files of its files at once (one, as
 * BITS, by default; a file whose bytes are all in is synced meanwhile,
 * and completes once it is), lowest index first, each into a temporary file
 * beside its destination; a later attempt resumes one with a Range
 * request made conditional by If-Range, and starts over whenever the
 * answer is not the same version (transfer_http.c judges the answers).
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "trace.h"
#include "transfer.h"

#define MAX_REDIRECTS	8
/* libcurl's receive buffer: larger reads and writes, fewer lock round
 * trips per byte, for a large file; 32 KiB for a small one, where
 * libcurl's own 16 KiB took two reads (and a poll between) for a 16 KiB
 * file and its headers: 5,000 x 16 KiB, 3 alternating rounds, 119,000 to
 * 121,000 system calls against 128,000 to 136,000, CPU 706 to 737 ms
 * against 738 to 773 ms. */
#define RECV_BUFFER_BYTES (256L * 1024)
#define SMALL_RECV_BUFFER_BYTES (32L * 1024)

/* One file's failure is the job's: its other files stop, their bytes
 * kept for the resume.  On the worker, whose last writes are counted
 * first (an API thread's abort cannot: they are the worker's). */
static void fail_job(bgcopy_job *job, bool transient, const struct bgcopy_error *err)
{
	for (struct transfer *x = job->engine->transfers; x; x = x->next)
		if (x->job == job)
			account_written(x);
	transfer_abort_job(job);
	job_fail(job, transient, err);
}

/* ---- curl callbacks (worker thread, lock not held) ------------------- */

/* Takes a whole file's answer: the file starts over from byte 0, as the
 * version these validators name. */
static void take_whole_file(struct transfer *x, bgcopy_job *job,
			    curl_off_t length)
{
	struct job_file *f = &job->files[x->index];

	assert(engine_locked(x->engine));
	f->bytes_done = 0;
	f->bytes_total = length >= 0 ? (int64_t)length : -1;
	/* With no memory for them, no validators: no resume either. */
	if (file_take_validators(f, &x->answer))
		file_forget_validators(f);
	/* A stored row with no bytes resumes from nothing: left as it is. */
	if (f->bytes_saved > 0)
		store_save_file(job, x->index);
}

/* Called at the blank line that ends a response's headers; redirects
 * and errors are left to curl. */
static void headers_done(struct transfer *x)
{
	long code = 0, version = 0;
	curl_off_t length = -1;
	enum answer_fit fit = ANSWER_BAD;
	bgcopy_job *job;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 400) {
		x->http_error = code;	/* classified when curl is done */
		return;
	}
	if (code == 0 && !x->is_file)
		return;		/* a proxy's CONNECT answer, not the server's */
	if (code != 0 && (code < 200 || code >= 300))
		return;		/* 0: file://, which has no status */
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
	curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &version);
	x->unframed = !x->is_file && !x->dynamic &&
		      answer_unframed(&x->answer, version == CURL_HTTP_VERSION_1_0 ||
				      version == CURL_HTTP_VERSION_1_1, length);
	if (x->unframed)
		return;		/* not answered: no byte of it is taken */
	engine_lock(x->engine);
	if (x->job)
		fit = answer_check(&x->answer, code, x->range_from,
				   &x->job->files[x->index], x->refused,
				   sizeof(x->refused));
	engine_unlock(x->engine);
	if (fit == ANSWER_CHANGED)
		x->changed = true;
	if (fit == ANSWER_CHANGED || (fit == ANSWER_WHOLE && x->range_from > 0))
		x->restart = BGCOPY_TP_RESTART_OTHER_VERSION;
	else if (fit == ANSWER_BAD)
		x->restart = BGCOPY_TP_RESTART_BAD_RANGE;
	if (fit == ANSWER_BAD || fit == ANSWER_CHANGED)
		return;		/* not answered: no byte of it is taken */
	if (fit == ANSWER_WHOLE && x->range_from > 0 &&
	    (ftruncate(x->fd, 0) != 0 || lseek(x->fd, 0, SEEK_SET) < 0)) {
		x->write_errno = errno;
		return;
	}
	x->answered = true;
	x->range_honoured = fit == ANSWER_RESUME;
	engine_lock(x->engine);
	job = x->job;
	if (job) {
		if (fit == ANSWER_WHOLE)
			take_whole_file(x, job, length);
		else
			job->files[x->index].bytes_total = x->answer.cr_total;
		x->too_big = over_cap(job, job->files[x->index].bytes_total > 0 ?
				      (uint64_t)job->files[x->index].bytes_total : 0);
		if (job->state == BGCOPY_CONNECTING)
			job_set_state(job, BGCOPY_TRANSFERRING,
				      BGCOPY_TP_CAUSE_SERVER_ANSWERED);
	}
	engine_unlock(x->engine);
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *x = arg;
	size_t len = size * n;

	response_header_line(x, data, len);
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		answer_reset(&x->answer);	/* a new response begins */
		x->excess = false;		/* a redirect's excess is not ours */
		x->http_error = 0;	/* a 401 that authentication answers is not */
		return len;
	}
	if ((len == 2 && data[0] == '\r') || (len == 1 && data[0] == '\n')) {
		engine_lock(x->engine);
		response_headers_keep(x);
		engine_unlock(x->engine);
		headers_done(x);
	}
	else
		answer_header(&x->answer, data, len);
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *x = arg;
	size_t len = size * n;

	/* file:// sends no headers: its body is its answer. */
	if (!x->answered && x->is_file)
		headers_done(x);
	/* A challenge's body, never the file: curl may answer it (no abort). */
	if (x->http_error == 401 || x->http_error == 407)
		return len;
	if (x->write_errno || x->http_error || !x->answered || x->too_big ||
	    (!wbuf_fits(&x->wbuf, len) && !write_buffered(x)))
		return 0;	/* an error body, or a refused answer, is not the file */
	if (rate_pause(x, len))
		return CURL_WRITEFUNC_PAUSE;	/* over its bandwidth cap: libcurl keeps them */
	if (!wbuf_add(&x->wbuf, data, len)) {
		x->write_errno = ENOMEM;
		return 0;
	}
	return len;
}

/* libcurl drops the bytes past a Content-Length and tells of them only
 * in a verbose message: the answer was not what it announced. */
static int on_debug(CURL *e, curl_infotype type, char *data, size_t size,
		    void *arg)
{
	struct transfer *x = arg;

	(void)e;
	if (type == CURLINFO_TEXT && size >= 12 && !strncmp(data, "Excess found", 12))
		x->excess = true;
	return 0;
}

/* ---- starting and finishing ------------------------------------------ */

static bool add_if_range(struct transfer *x, const struct job_file *f)
{
	struct curl_slist *l;
	char *line;

	if (asprintf(&line, "If-Range: %s", file_if_range(f)) < 0)
		return false;
	x->if_range = file_if_range(f) == f->etag ? BGCOPY_TP_IF_RANGE_ETAG :
		      BGCOPY_TP_IF_RANGE_DATE;
	l = curl_slist_append(x->headers, line);
	free(line);
	if (l)
		x->headers = l;
	return l != NULL;
}

/* libcurl allocates the buffer at each transfer's start and frees it at
 * its end: for thousands of small files, a large one makes glibc give the
 * memory back and take it again a page fault at a time (5,000 x 16 KiB,
 * 5 alternating rounds: most runs 12,000 to 22,000 faults against 3,000
 * to 6,000 with 16 KiB, CPU 0.91 s against 0.79 s; 32 KiB made no more).  A
 * file's size is known once its headers came; before that its job's
 * previous file stands for it, since a job's files tend to be alike. */
static long recv_buffer_bytes(const bgcopy_job *job, unsigned index)
{
	int64_t expected = job->files[index].bytes_total;

	assert(engine_locked(job->engine));
	if (expected < 0 && index > 0)
		expected = job->files[index - 1].bytes_total;
	return expected >= 0 && expected < RECV_BUFFER_BYTES ? SMALL_RECV_BUFFER_BYTES :
	       RECV_BUFFER_BYTES;
}

static CURL *make_easy(bgcopy_engine *engine, struct transfer *x,
		       const struct job_file *f)
{
	const char *protocols = engine->opt.test_options & BGCOPY_TEST_ALLOW_FILE ?
				"http,https,file" : "http,https";
	char range[48];
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, f->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, x);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION,
			 x->job->redirect_policy != BGCOPY_REDIRECT_DISALLOW);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR,
			 transfer_redirect_protocols(x->job, f->url));
	if (engine->opt.test_options & BGCOPY_TEST_TRUST_ANY_TLS) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "bgcopy/1");
	curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, recv_buffer_bytes(x->job, x->index));
	if (!transfer_set_options(e, x, f)) {
		curl_easy_cleanup(e);
		return NULL;
	}
	/* CURLOPT_RANGE rather than RESUME_FROM: curl would fail a resume
	 * the server ignores, and we want to start over instead.  If-Range
	 * makes the server send the whole file if it changed meanwhile. */
	if (x->range_from) {
		snprintf(range, sizeof(range), "%" PRIu64 "-", x->range_from);
		curl_easy_setopt(e, CURLOPT_RANGE, range);
		if (!add_if_range(x, f)) {
			curl_easy_cleanup(e);
			return NULL;
		}
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	return e;
}

static void start_transfer(bgcopy_engine *engine, bgcopy_job *job)
{
	struct bgcopy_error err;
	struct transfer *x;
	struct job_file *f;
	unsigned index;

	assert(engine_locked(engine));
	assert(job->xfers - job->xfers_syncing < job->parallel_files);
	if (job_first_incomplete(job) >= job->nfiles) {
		assert(!job->xfers);
		job_set_state(job, BGCOPY_TRANSFERRED, BGCOPY_TP_CAUSE_ALL_FILES_DONE);
		return;
	}
	index = sched_next_file(job);
	if (index >= job->nfiles)
		return;		/* every file left is moving */
	x = xcalloc(1, sizeof(*x));
	if (!x)
		return;
	if (job->state == BGCOPY_QUEUED)
		job_set_state(job, BGCOPY_CONNECTING, BGCOPY_TP_CAUSE_SCHEDULED);
	/* A stored row is checked before anything is fetched. */
	if (job_file_url_check(job, index)) {
		err = (struct bgcopy_error){ .context = BGCOPY_ERRCTX_ENGINE,
					     .file_index = (int)index };
		error_describe(&err, "the stored URL of file %u is refused: %s",
			       index, bgcopy_last_error());
		free(x);
		fail_job(job, false, &err);
		return;
	}
	x->index = index;
	switch (transfer_open_tls(job, x, &err)) {
	case TLS_OPENED:
		break;
	case TLS_FAILED:
		fail_job(job, false, &err);
		/* fall through */
	case TLS_GONE:
		free(x);
		return;
	}
	f = &job->files[index];	/* the lock was let go */
	x->is_file = !strncasecmp(f->url, "file:", 5);
	x->dynamic = job->dynamic_content;
	/* Bytes of a version we could not name again are not resumed
	 * (file:// never names one), nor dynamic content's. */
	if (!file_resumable(f) || x->dynamic) {
		if (f->bytes_done)
			x->restart = x->dynamic ? BGCOPY_TP_RESTART_DYNAMIC_CONTENT :
				     BGCOPY_TP_RESTART_NO_VALIDATOR;
		f->bytes_done = 0;
	}
	x->fd = temp_start(job, index, &x->flush, &err);
	if (x->fd < 0 && x->fd != TEMP_LATER) {
		if (x->fd != OPEN_TEMP_GONE)
			fail_job(job, transient_errno(err.code), &err);
		transfer_close_tls(x);
		free(x);
		return;
	}
	f = &job->files[index];	/* the lock was let go */
	x->engine = engine;
	x->job = job;
	x->range_from = f->bytes_done;
	x->flush.fd = x->fd;
	if (x->fd >= 0)
		x->flush.dev = f->temp_dev;	/* the flusher need not ask */
	answer_reset(&x->answer);
	x->easy = make_easy(engine, x, f);
	if (!x->easy || curl_multi_add_handle(engine->multi, x->easy)) {
		if (x->easy)
			curl_easy_cleanup(x->easy);
		transfer_free_options(x);
		if (x->fd >= 0)
			close(x->fd);
		free(x->flush.create_path);
		free(x);
		err = (struct bgcopy_error){ .context = BGCOPY_ERRCTX_ENGINE,
					     .file_index = (int)index };
		error_describe(&err, "cannot start a transfer (out of memory)");
		fail_job(job, true, &err);
		return;
	}
	transfer_link(engine, x);
	engine->active++;
	f->in_flight = true;
	job->xfers++;
	job->sched_stamp = ++engine->sched_clock;
}

static void schedule(bgcopy_engine *engine)
{
	bgcopy_job *job;

	while (engine->active - engine->syncing < engine->opt.max_connections &&
	       (job = sched_next_runnable(engine))) {
		uint64_t stamp = job->sched_stamp;
		bool started;

		/* start_transfer lets the lock go: the job may be forgotten. */
		job_pin(job);
		start_transfer(engine, job);
		if (job->forgotten) {
			job_unpin(job);
			continue;
		}
		sched_rekey(job);
		started = job->sched_stamp != stamp;
		job_unpin(job);
		/* A job with more files to start is runnable again, behind
		 * its equals; the same stamp on top: it could not start (no
		 * memory), later. */
		if (!started && sched_next_runnable(engine) == job)
			break;
	}
}

/* The server has another version of the file now: it starts over from
 * byte 0 at once, no error and no retry delay. */
static void start_over(bgcopy_job *job, unsigned index)
{
	assert(engine_locked(job->engine));
	job->files[index].bytes_done = 0;
	store_save_file(job, index);
	if (job->state == BGCOPY_CONNECTING)
		job_set_state(job, BGCOPY_TRANSFERRING,
			      BGCOPY_TP_CAUSE_SERVER_ANSWERED);
	wake_worker(job->engine);
}

/* Where redirects led the completed transfer, redacted; NULL when
 * nowhere. */
static void note_final_url(bgcopy_job *job, struct transfer *x)
{
	struct job_file *f = &job->files[x->index];
	long redirects = 0;

	assert(engine_locked(job->engine));
	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_COUNT, &redirects);
	free(f->final_url);
	f->final_url = redirects > 0 ? transfer_redirect_target(x) : NULL;
}

static void finish(bgcopy_engine *engine, struct transfer *x, CURLcode rc)
{
	bgcopy_job *job = x->job;
	struct bgcopy_error err;
	bool transient = false, complete;

	assert(engine_locked(engine));
	assert(!job || job->files[x->index].in_flight);
	account_written(x);
	/* We read no error body (and may have stopped it ourselves): say
	 * what curl would have said. */
	if (x->http_error)
		rc = CURLE_HTTP_RETURNED_ERROR;
	if (!job) {
		unlink_transfer(engine, x);
		return;
	}
	if (x->flush.create_path && x->fd >= 0) {
		/* Saved with the file's completion, before any rename. */
		job->files[x->index].temp_dev = x->flush.dev;
		job->files[x->index].temp_ino = x->flush.ino;
	}
	if (x->flush.create_errno) {
		temp_error(job, x->index, x->flush.planted, x->flush.create_errno, &err);
		transient = transient_errno(err.code);
		complete = false;
	} else {
		complete = !x->changed && transfer_classify(x, rc, &err, &transient);
	}
	if (complete) {
		/* Releases the lock while it reads: the job may let go. */
		x->verify = transfer_verify(engine, &x->job, x->index, x->fd,
					    &err, &transient);
		if (!(job = x->job)) {
			unlink_transfer(engine, x);
			return;
		}
		complete = x->verify == BGCOPY_TP_VERIFY_NONE ||
			   x->verify == BGCOPY_TP_VERIFY_MATCH;
	}
	let_go(job, x);
	if (complete)
		note_final_url(job, x);
	if (!complete && !x->changed && x->http_error == 416 && !x->verify)
		x->restart = BGCOPY_TP_RESTART_RANGE_NOT_SATISFIABLE;
	transfer_trace_attempt(job, x, rc, complete ? job->files[x->index].final_url : NULL);
	if (x->changed)
		start_over(job, x->index);
	else if (complete) {
		/* take_done had every file that may be complete synced. */
		assert(x->synced);
		if (x->flush.sync_errno != 0) {
			err = (struct bgcopy_error){
				.context = BGCOPY_ERRCTX_LOCAL_FILE, .code = x->flush.sync_errno,
				.file_index = (int)x->index };
			error_describe(&err, "cannot sync '%s': %s",
				       job->files[x->index].temp_path,
				       strerror(err.code));
			fail_job(job, transient_errno(err.code), &err);
		} else {
			if (job->state == BGCOPY_CONNECTING)
				job_set_state(job, BGCOPY_TRANSFERRING,
					      BGCOPY_TP_CAUSE_SERVER_ANSWERED);
			job_file_completed(job, x->index);
		}
	} else {
		if (x->refused[0] || x->http_error == 416)
			job->files[x->index].bytes_done = 0;
		store_save_file(job, x->index);
		fail_job(job, transient, &err);
	}
	unlink_transfer(engine, x);
}

/* A due timer: the retry delay is over, the maximum download time
 * spent, or no progress came in time. */
static void timer_fire(bgcopy_job *job, int64_t now)
{
	if (job->state == BGCOPY_TRANSIENT_ERROR && now >= job->retry_at_ms) {
		job_set_state(job, BGCOPY_QUEUED, BGCOPY_TP_CAUSE_RETRY_DELAY_ELAPSED);
		return;
	}
	transfer_abort_job(job);
	if (job->max_download_time_ms && job->active_since_ms &&
	    job_active_ms(job, now) >= job->max_download_time_ms) {
		job->error = (struct bgcopy_error){
			.context = BGCOPY_ERRCTX_MAX_DOWNLOAD_TIME, .file_index = -1 };
		error_describe(&job->error, "maximum download time of %llu ms spent "
			       "connecting and transferring",
			       (unsigned long long)job->max_download_time_ms);
		job->has_error = true;
		job_set_state(job, BGCOPY_ERROR, BGCOPY_TP_CAUSE_PERMANENT_FAILURE);
		return;
	}
	job->error = (struct bgcopy_error){
		.context = BGCOPY_ERRCTX_ENGINE, .file_index = -1 };
	error_describe(&job->error, "no progress for %llu ms",
		       (unsigned long long)job->no_progress_ms);
	job->has_error = true;
	job_set_state(job, BGCOPY_ERROR, BGCOPY_TP_CAUSE_NO_PROGRESS_TIMEOUT);
}

/* Lock held. Moves jobs on when their timers expire; returns the next
 * deadline in ms, or -1 when none. */
static int64_t transfer_timers(bgcopy_engine *engine)
{
	int64_t now = now_ms(), next;
	bgcopy_job *job;

	assert(engine_locked(engine));
	while ((job = sched_due_timer(engine, now, &next))) {
		timer_fire(job, now);
		sched_rekey(job);
	}
	return next;
}

static void append_done(struct transfer ***tail, struct transfer *x)
{
	x->done_next = NULL;
	**tail = x;
	*tail = &x->done_next;
}

/* Lock not held: the transfers that are done, each file that may be
 * complete synced first by the flusher (with `all`: every one), which
 * also writes what is left of its body.  The others' buffered bodies
 * are written here.  *given: the ones handed to the flusher now. */
static struct transfer *take_done(bgcopy_engine *engine, bool all,
				  struct transfer **given)
{
	struct transfer *done = NULL, **tail = &done, *x;
	struct flush_req *r, *next, *sync = NULL, **sync_tail = &sync;
	CURLMsg *msg;
	int left;

	assert(!engine_locked(engine));
	*given = NULL;
	while ((msg = curl_multi_info_read(engine->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		x->result = msg->data.result;
		if (x->result != CURLE_OK && x->http_error != 416) {
			append_done(&tail, x);
			continue;
		}
		write_by_flusher(x);
		x->flush.fd = x->fd;
		x->flush.next = NULL;
		x->flushing = true;
		x->given_next = *given;
		*given = x;
		*sync_tail = &x->flush;
		sync_tail = &x->flush.next;
	}
	for (x = engine->transfers; x; x = x->next)
		if (!x->flushing)
			write_buffered(x);
	flush_submit(engine, sync);
	for (r = flush_take_done(engine, all); r; r = next) {
		next = r->next;
		x = (struct transfer *)((char *)r - offsetof(struct transfer, flush));
		x->flushing = false;
		x->synced = true;
		x->fd = r->fd;		/* the flush thread may have made it */
		written_by_flusher(x);
		append_done(&tail, x);
	}
	return done;
}

/* Lock held.  A file given to the flusher holds no connection, nor its
 * job's turn: the job's next file starts meanwhile, so the sync's
 * latency is not paid once per file (its completion still waits for
 * the sync).  `given`: take_done's; true when there were any. */
static bool note_syncing(bgcopy_engine *engine, struct transfer *given)
{
	bool any = given != NULL;

	assert(engine_locked(engine));
	for (struct transfer *x = given; x; x = x->given_next) {
		assert(!x->syncing);
		x->syncing = true;
		engine->syncing++;
		if (x->job) {
			x->job->xfers_syncing++;
			x->job->files[x->index].syncing = true;
			jobq_mark(x->job);
		}
	}
	return any;
}

/* A job of one file at a time ends its files in index order, as BITS
 * does, though their syncs may end in any order: a file done while an
 * earlier one of its job is still being synced waits for it.  The job's
 * count of files being synced answers first: most have no other.  Then
 * only its files from the first not completed are looked at, not every
 * transfer of the engine: with thousands of small files, hundreds are
 * being synced at once, and this runs with the lock held. */
static bool waits_for_earlier(const struct transfer *x)
{
	const bgcopy_job *job = x->job;

	if (!job || job->parallel_files > 1 || job->xfers_syncing == (unsigned)x->syncing)
		return false;
	assert(engine_locked(job->engine));
	for (unsigned i = job->current_file; i < x->index; i++) {
		assert(!job->files[i].syncing || job->files[i].in_flight);
		if (job->files[i].syncing)
			return true;
	}
	return false;
}

/* `list` with `more` inserted, lowest file index first: a job's earlier
 * file ends before its later ones. */
static struct transfer *by_index(struct transfer *list, struct transfer *more)
{
	struct transfer *next, **at;

	for (; more; more = next) {
		next = more->done_next;
		for (at = &list; *at && (*at)->index <= more->index; at = &(*at)->done_next)
			;
		more->done_next = *at;
		*at = more;
	}
	return list;
}

/* How long the worker finishes transfers under one store transaction
 * once one of them made a notification due and another thread waits for
 * the lock: most often the dispatcher it woke, which can deliver it only
 * once the transaction is committed and the lock let go.  Holding it for
 * the whole batch made the notification wait for every other file of it.
 * Measured (issue 17), 100,000 one-file jobs each completed from its
 * JobTransferred callback, 4 alternating rounds: the latency of that
 * notification fell from 1.7-2.8 / 8.0-16.4 ms (p50 / p99) to 0.85-0.88
 * / 4.6-5.1 ms; the run took 35.5-43.4 s against 29.6-35.9 s.  Letting
 * go after every transfer gave 0.5 ms at p99 but took a quarter longer:
 * a commit each, and the connections idle while the worker waits its
 * turn. */
#define BATCH_HOLD_US 250

/* Ends the transfers that ended together, and those held back before;
 * the ones still held back stay in `held`.  One store transaction, cut
 * as BATCH_HOLD_US says. */
static void collect_done(bgcopy_engine *engine, struct transfer *done,
			 struct transfer **held)
{
	struct transfer *x, *next, **held_tail = held;
	int64_t began;
	unsigned wakes;

	assert(engine_locked(engine));
	x = by_index(*held, done);
	*held = NULL;
	store_begin(engine);
	began = now_us();
	wakes = engine->dispatch_wakes;
	for (; x; x = next) {
		next = x->done_next;
		x->held = waits_for_earlier(x);
		if (x->held) {
			append_done(&held_tail, x);
			continue;
		}
		finish(engine, x, x->result);
		if (next && engine->dispatch_wakes != wakes &&
		    now_us() - began >= BATCH_HOLD_US && engine_lock_wanted(engine)) {
			store_end(engine, BGCOPY_OK);
			engine_unlock(engine);
			engine_lock(engine);
			store_begin(engine);
			began = now_us();
			wakes = engine->dispatch_wakes;
		}
	}
	store_end(engine, BGCOPY_OK);
}

static void *worker_main(void *arg)
{
	bgcopy_engine *engine = arg;
	struct transfer *done, *given, *held = NULL;
	int running, timeout;
	bool noted;
	int64_t next;

	worker_thread_begin(engine);
	engine_lock(engine);
	while (!engine->stopping) {
		reap_abandoned(engine);
		next = transfer_timers(engine);
		schedule(engine);
		rate_apply(engine);
		engine_unlock(engine);

		curl_multi_perform(engine->multi, &running);
		done = take_done(engine, false, &given);
		engine_lock(engine);
		noted = note_syncing(engine, given);
		collect_done(engine, done, &held);
		engine_unlock(engine);

		/* A job whose file went to be synced may start its next. */
		timeout = worker_again(engine) || noted ? 0 : 1000;
		if (next >= 0 && next - now_ms() < timeout)
			timeout = next > now_ms() ? (int)(next - now_ms()) : 0;
		timeout = rate_resume(engine, timeout);
		curl_multi_poll(engine->multi, NULL, 0, timeout, NULL);
		engine_lock(engine);
	}
	/* What is synced is complete: recorded before the fds close. */
	engine_unlock(engine);
	done = take_done(engine, true, &given);
	engine_lock(engine);
	note_syncing(engine, given);
	collect_done(engine, done, &held);
	assert(!held);		/* every sync ended */
	while (engine->transfers) {
		struct transfer *x = engine->transfers;

		account_written(x);
		if (x->job) {
			store_save_file(x->job, x->index);
			let_go(x->job, x);
		}
		unlink_transfer(engine, x);
	}
	engine_unlock(engine);
	wbuf_pool_drain();
	return NULL;
}

int transfer_start_worker(bgcopy_engine *engine)
{
	CURLM *multi = curl_multi_init();

	if (!multi)
		return set_error(BGCOPY_E_NOMEM, "cannot create the curl multi handle");
	curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)engine->opt.max_connections);
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			  (long)engine->opt.max_per_host);
	engine->multi = multi;
	if (flush_start(engine) ||
	    pthread_create(&engine->worker, NULL, worker_main, engine)) {
		flush_stop(engine);
		engine->multi = NULL;
		curl_multi_cleanup(multi);
		return set_error(BGCOPY_E_NOMEM, "cannot start the transfer worker");
	}
	engine->worker_started = true;
	return BGCOPY_OK;
}

void transfer_stop_worker(bgcopy_engine *engine)
{
	if (!engine->worker_started)
		return;
	wake_worker(engine);
	pthread_join(engine->worker, NULL);
	flush_stop(engine);
	engine->worker_started = false;
	curl_multi_cleanup(engine->multi);
	engine->multi = NULL;
}
