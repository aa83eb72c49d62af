/* One transfer's state, shared by the worker's files (transfer.c, transfer_body.c); not installed. */
#ifndef BGCOPY_TRANSFER_H
#define BGCOPY_TRANSFER_H

#include <curl/curl.h>

#include "flush.h"

struct transfer {
	struct transfer *next, **prev_next;	/* engine->transfers, lock held */
	bgcopy_engine *engine;
	bgcopy_job *job;		/* NULL once the job let go; under the lock */
	bgcopy_job *pinned;		/* let go while its temporary file was made */
	unsigned index;
	CURL *easy;
	int fd;				/* TEMP_LATER: made by the first write */
	uint64_t range_from;		/* 0: whole file asked */
	bool answered;			/* final headers seen */
	bool is_file;			/* file:// (tests only): no headers, no ranges */
	bool range_honoured;
	bool changed;			/* another version answered: start over */
	int restart;			/* why the file starts over: BGCOPY_TP_RESTART_* */
	int if_range;			/* what the resume's If-Range carried */
	bool too_big;			/* past the job's maximum download size */
	bool unframed;			/* no length, no chunks: a cut looks whole */
	bool dynamic;			/* the job's dynamic content flag, at start */
	bool excess;			/* more body than Content-Length said */
	int verify;			/* the SHA-256 check: BGCOPY_TP_VERIFY_* */
	char refused[160];		/* why the answer was refused, "" if not */
	long http_error;		/* status >= 400, 0 when none */
	int write_errno;
	struct http_answer answer;	/* of the response being read */
	struct curl_slist *headers;	/* the job's, then If-Range */
	char *origin;			/* where the job's headers may go, NULL: none */
	uint64_t rate_cap;		/* transfer_rate.c: the cap now, 0: none */
	uint64_t rate_min;		/* the lowest cap of the attempt, 0: none */
	int64_t rate_since_ms;		/* when rate_cap was set */
	uint64_t rate_bytes;		/* body bytes taken since */
	int64_t rate_resume_ms;		/* paused until then; 0: not paused */
	/* transfer_tls.c: the job's TLS files, opened as its owner (-1:
	 * none), and its flags, as they were when the transfer started. */
#define TRANSFER_TLS_FILES 4
	int tls_fd[TRANSFER_TLS_FILES];	/* certificate, key, CA, CRL */
	uint32_t tls_flags;
	bool tls_any;			/* any file or flag: no reuse */
	char *resp;			/* transfer_headers.c: the response's headers */
	size_t resp_len;
	uint64_t received;		/* body bytes in this attempt */
	size_t unaccounted;		/* written, not yet in bytes_done; worker only */
	struct wbuf wbuf;		/* body not yet written, worker only */
	struct transfer *done_next;	/* collect_done's list, worker only */
	struct transfer *given_next;	/* take_done's to the flusher, worker only */
	bool held;			/* done, waiting for its job's earlier file */
	CURLcode result;		/* what curl said when it was done */
	struct flush_req flush;		/* its file's sync, worker only */
	size_t flush_len;		/* of wbuf, given to the flusher to write */
	bool flushing;			/* the flusher has it */
	bool syncing;			/* flushing, as the lock's holders see it */
	bool synced;
	char errbuf[CURL_ERROR_SIZE];
};

/* transfer_end.c, lock held: let_go when the job no longer wants the
 * transfer; the worker then reaps it (reap_abandoned) or finishes with it
 * and frees it (unlink_transfer). */
void let_go(bgcopy_job *job, struct transfer *x);
void transfer_link(bgcopy_engine *engine, struct transfer *x);
void unlink_transfer(bgcopy_engine *engine, struct transfer *x);
void reap_abandoned(bgcopy_engine *engine);

/* transfer_body.c: the body's way to the disk (worker thread). */
bool over_cap(const bgcopy_job *job, uint64_t size);
void account_written(struct transfer *x);	/* lock held */
bool write_buffered(struct transfer *x);	/* lock not held */
/* A finished body's buffered bytes go to the flusher, which writes them
 * before the sync; then the write is counted as write_buffered counts
 * its own (worker, lock not held). */
void write_by_flusher(struct transfer *x);
void written_by_flusher(struct transfer *x);

/* transfer_options.c: the job's credentials, headers and TLS on `easy`
 * (lock held; false: no memory); transfer_free_options when it is done,
 * after the easy handle's cleanup. */
bool transfer_set_options(CURL *easy, struct transfer *x, const struct job_file *f);
void transfer_free_options(struct transfer *x);

/* transfer_tls.c, lock held.  transfer_open_tls opens the job's TLS
 * files as its owner, before anything else of the transfer, letting the
 * lock go meanwhile: TLS_FAILED, and the permanent error to give
 * (context TLS, naming the file and why), when one cannot be read as the
 * owner, is not a regular file, or is a private key others may now read
 * or write: no request goes out; TLS_GONE when the job changed
 * meanwhile.  transfer_set_tls sets them on `easy`; transfer_close_tls
 * closes them. */
enum tls_open { TLS_OPENED, TLS_FAILED, TLS_GONE };
enum tls_open transfer_open_tls(bgcopy_job *job, struct transfer *x, struct bgcopy_error *err);
void transfer_set_tls(CURL *easy, const struct transfer *x);
void transfer_close_tls(struct transfer *x);

/* transfer_headers.c: each header line of a response (worker, lock not
 * held), then, at its end, the file keeps them (lock held). */
void response_header_line(struct transfer *x, const char *data, size_t len);
void response_headers_keep(struct transfer *x);

/* transfer_rate.c, on the worker (rate_apply in internal.h): whether the
 * body's next `len` bytes must wait (the write callback then pauses);
 * lock not held, the paused transfers whose time came go on, and the
 * poll's timeout shrinks to the next one's. */
bool rate_pause(struct transfer *x, size_t len);
int rate_resume(bgcopy_engine *engine, int timeout_ms);

/* transfer_outcome.c */
/* The protocols a redirect may lead to: never from https to http unless
 * the job allows it (BITS' default policy). */
const char *transfer_redirect_protocols(const bgcopy_job *job, const char *url);
/* The URL curl went (or would have gone) to last, without its secrets. */
char *transfer_redirect_target(struct transfer *x);
/* Classifies a finished attempt; true when the file is complete, else
 * `err` says why and `transient` whether a later try may succeed. */
bool transfer_classify(struct transfer *x, CURLcode rc, struct bgcopy_error *err,
		       bool *transient);
/* The attempt's trace record (lock held); final_url: where redirects led
 * a completed file, NULL if nowhere. */
void transfer_trace_attempt(bgcopy_job *job, struct transfer *x, CURLcode rc,
			    const char *final_url);

#endif /* BGCOPY_TRANSFER_H */
