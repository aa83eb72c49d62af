/*
 * testd: a small HTTP/1.1 server on 127.0.0.1 for the bgcopy tests.
 *
 * It serves the files of one directory (GET and HEAD, single byte ranges)
 * and, under /fault/<spec>/<name>, misbehaves on purpose so the tests can
 * drive the libcurl download engine through every error path it has to
 * survive: error statuses, 503 storms, Retry-After, connections cut
 * mid-body, servers that ignore or botch Range, slow links and bad
 * redirects.  See README.md next to this file for the option list and the
 * fault specs.
 *
 * libmicrohttpd runs one thread per connection, so a slow or stalled
 * transfer never holds up the others; the main thread only waits for
 * SIGTERM/SIGINT or for --max-seconds to pass, so a server a test forgot
 * to kill still goes away on its own.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#define PROG "testd"

/* Size of the buffer MHD hands the body reader; also the largest write. */
#define BODY_BLOCK_SIZE (32 * 1024)

/* A slow body sleeps in slices this long so shutdown is never held up. */
#define SLOW_SLICE_NS 100000000L

/* Idle connections are dropped after this, so they cannot pile up. */
#define CONNECTION_TIMEOUT_S 60u

/* Keeps the deadline arithmetic in wait_for_stop() far from overflow. */
#define MAX_SECONDS_LIMIT (366u * 24u * 3600u)

/* Longer than any real spec; longer ones are rejected as unknown. */
#define FAULT_SPEC_MAX 64

struct config {
	const char *root;
	const char *port_file;
	const char *log_path;
	uint16_t port;
	unsigned long max_seconds;	/* 0: run until signalled */
	const char *tls_cert, *tls_key;	/* PEM files: serve HTTPS */
};

/* One request as the handlers see it; everything points into MHD memory. */
struct request {
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	const char *range;	/* raw Range header, NULL when absent */
	int is_get;
};

/* How serve_file() should (mis)behave for one response. */
struct serve_opts {
	int ignore_range;	/* answer 200 with the whole file regardless */
	int lie_start;		/* 206 whose start is not the one asked for */
	uint64_t cut;		/* abort the body after this many bytes */
	uint64_t bps;		/* trickle at this rate; 0 means full speed */
};

/* State of one body being streamed by body_reader(). */
struct body {
	int fd;
	uint64_t start;		/* file offset of the first body byte */
	uint64_t length;	/* body length announced in Content-Length */
	uint64_t cut;		/* end with an error once this much is sent */
	uint64_t bps;
};

enum range_kind { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE };

enum fault_kind {
	FAULT_STATUS,
	FAULT_THEN_OK,
	FAULT_RETRY_AFTER,
	FAULT_RESET,
	FAULT_NO_RANGE,
	FAULT_SHORT,
	FAULT_SLOW,
	FAULT_REDIRECT_LOOP,
	FAULT_REDIRECT_FILE,
	FAULT_REDIRECT,
	FAULT_LENGTH_MISMATCH,
	FAULT_RESET_NO_RANGE,
	FAULT_RESET_MISMATCH
};

struct fault {
	enum fault_kind kind;
	unsigned int status;	/* FAULT_STATUS only */
	uint64_t arg;		/* the number after ':' if the spec takes one */
};

static const struct fault_def {
	const char *name;
	enum fault_kind kind;
	unsigned int status;
	int has_arg;
	uint64_t min_arg;
} fault_defs[] = {
	{ "404", FAULT_STATUS, MHD_HTTP_NOT_FOUND, 0, 0 },
	{ "403", FAULT_STATUS, MHD_HTTP_FORBIDDEN, 0, 0 },
	{ "500", FAULT_STATUS, MHD_HTTP_INTERNAL_SERVER_ERROR, 0, 0 },
	{ "503", FAULT_STATUS, MHD_HTTP_SERVICE_UNAVAILABLE, 0, 0 },
	{ "304", FAULT_STATUS, MHD_HTTP_NOT_MODIFIED, 0, 0 },
	{ "503-then-ok", FAULT_THEN_OK, 0, 1, 0 },
	{ "retry-after", FAULT_RETRY_AFTER, 0, 1, 0 },
	{ "reset", FAULT_RESET, 0, 1, 0 },
	{ "no-range", FAULT_NO_RANGE, 0, 0, 0 },
	{ "short", FAULT_SHORT, 0, 1, 0 },
	{ "slow", FAULT_SLOW, 0, 1, 1 },
	{ "redirect-loop", FAULT_REDIRECT_LOOP, 0, 0, 0 },
	{ "redirect-file", FAULT_REDIRECT_FILE, 0, 0, 0 },
	{ "redirect", FAULT_REDIRECT, 0, 0, 0 },
	{ "length-mismatch", FAULT_LENGTH_MISMATCH, 0, 0, 0 },
	{ "reset-no-range", FAULT_RESET_NO_RANGE, 0, 1, 0 },
	{ "reset-mismatch", FAULT_RESET_MISMATCH, 0, 1, 0 },
};

/* Per-path request counters for the faults that change over time. */
struct hit {
	struct hit *next;
	uint64_t count;
	char path[];
};

static int root_fd = -1;
static FILE *log_fp;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hit *hits;
static pthread_mutex_t hits_lock = PTHREAD_MUTEX_INITIALIZER;

/* Set once shutdown starts so sleeping slow bodies give up promptly. */
static atomic_int stopping;

static void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warnx_(const char *fmt, ...)
{
	va_list ap;

	/* Connection threads warn too: keep each message on its own line. */
	flockfile(stderr);
	va_start(ap, fmt);
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	funlockfile(stderr);
}

/*
 * Reads a run of decimal digits.  Returns the first character after them,
 * or NULL when there are none or the value does not fit, so callers can
 * tell "0" from garbage without strtoull's sign and space leniency.
 */
static const char *scan_u64(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	const char *start = p;

	while (*p >= '0' && *p <= '9') {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
		p++;
	}
	if (p == start)
		return NULL;
	*out = v;
	return p;
}

/* Whole-string variant of scan_u64(): 0 on success, -1 otherwise. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v;
	const char *end = scan_u64(s, &v);

	if (!end || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* What RFC 3986 allows in a path segment, plus the slash. */
static int is_path_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-._~!$&'()*+,;=:@/", c));
}

/*
 * Percent-encodes @path after @prefix.  MHD hands us the decoded URL, so a
 * name with spaces or '%' must be re-encoded before it goes into a
 * Location header (or the redirect would point elsewhere) or into the log
 * (where a space would split the field).  Everything RFC 3986 allows in a
 * path is kept, so "/fault/reset:5000/a" stays greppable as typed.
 * Returns a malloc'd string or NULL.
 */
static char *encode_path(const char *prefix, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t plen = strlen(prefix), len = strlen(path);
	char *out, *o;
	const unsigned char *p;

	if (len > (SIZE_MAX - plen - 1) / 3)
		return NULL;
	out = malloc(plen + 3 * len + 1);
	if (!out)
		return NULL;
	memcpy(out, prefix, plen);
	o = out + plen;
	for (p = (const unsigned char *)path; *p; p++) {
		if (is_path_char(*p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/*
 * Appends "<METHOD> <PATH> range=<Range or -> status=<code>" to the log.
 * Tests grep these lines right after their client returns, which is why
 * callers log before queueing the response and why every line is flushed.
 */
static void log_request(const struct request *req, unsigned int status)
{
	char *path;
	int err;

	if (!log_fp)
		return;
	path = encode_path("", req->url);
	err = pthread_mutex_lock(&log_lock);
	if (err) {
		warnx_("log lock: %s", strerror(err));
		goto end;
	}
	/* Should encoding run out of memory, a raw path beats no line. */
	if (fprintf(log_fp, "%s %s range=%s status=%u\n", req->method,
		    path ? path : req->url, req->range ? req->range : "-",
		    status) < 0 ||
	    fflush(log_fp) != 0)
		warnx_("writing log: %s", strerror(errno));
	err = pthread_mutex_unlock(&log_lock);
	if (err)
		warnx_("log unlock: %s", strerror(err));
end:
	free(path);
}

/*
 * Counts one more request for @path and reports how many came before it.
 * The key is the exact decoded path, so "503-then-ok:2/a" and
 * "503-then-ok:3/a" have separate counters.
 */
static int count_hit(const char *path, uint64_t *before)
{
	struct hit *h;
	size_t len;
	int err, rc = -1;

	err = pthread_mutex_lock(&hits_lock);
	if (err) {
		warnx_("hits lock: %s", strerror(err));
		return -1;
	}
	for (h = hits; h; h = h->next)
		if (strcmp(h->path, path) == 0)
			break;
	if (!h) {
		len = strlen(path);
		h = malloc(sizeof(*h) + len + 1);
		if (!h)
			goto end;
		memcpy(h->path, path, len + 1);
		h->count = 0;
		h->next = hits;
		hits = h;
	}
	*before = h->count++;
	rc = 0;
end:
	err = pthread_mutex_unlock(&hits_lock);
	if (err) {
		warnx_("hits unlock: %s", strerror(err));
		rc = -1;
	}
	return rc;
}

static void free_hits(void)
{
	struct hit *h, *next;

	for (h = hits; h; h = next) {
		next = h->next;
		free(h);
	}
	hits = NULL;
}

/*
 * Logs and queues @resp, then drops our reference: MHD keeps its own until
 * the response is sent, so the caller never touches @resp again.
 */
static enum MHD_Result send_response(const struct request *req,
				     unsigned int status,
				     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	log_request(req, status);
	ret = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	if (ret != MHD_YES)
		warnx_("cannot queue %u for %s %s", status, req->method,
		       req->url);
	return ret;
}

/*
 * Builds a small text/plain response with optional extra header.  Returns
 * NULL when MHD cannot allocate it; the caller then gives up on the
 * connection, as there is nothing smaller left to send.
 */
static struct MHD_Response *text_response(const char *text, const char *hname,
					  const char *hvalue)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return NULL;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/plain") != MHD_YES)
		goto error;
	if (hname && MHD_add_response_header(resp, hname, hvalue) != MHD_YES)
		goto error;
	return resp;
error:
	MHD_destroy_response(resp);
	return NULL;
}

static enum MHD_Result send_text_hdr(const struct request *req,
				     unsigned int status, const char *text,
				     const char *hname, const char *hvalue)
{
	struct MHD_Response *resp = text_response(text, hname, hvalue);

	if (!resp) {
		warnx_("out of memory answering %s %s", req->method, req->url);
		log_request(req, 0);	/* 0: connection dropped */
		return MHD_NO;
	}
	return send_response(req, status, resp);
}

static enum MHD_Result send_text(const struct request *req,
				 unsigned int status, const char *text)
{
	return send_text_hdr(req, status, text, NULL, NULL);
}

static enum MHD_Result send_status(const struct request *req,
				   unsigned int status)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "status %u\n", status);
	return send_text(req, status, msg);
}

static enum MHD_Result send_redirect(const struct request *req,
				     const char *prefix, const char *path)
{
	enum MHD_Result ret;
	char *location = encode_path(prefix, path);

	if (!location)
		return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
	ret = send_text_hdr(req, MHD_HTTP_FOUND, "redirect\n",
			    MHD_HTTP_HEADER_LOCATION, location);
	free(location);
	return ret;
}

/*
 * Parses a single "bytes=A-", "bytes=A-B" or "bytes=-N" against a file of
 * @total bytes.  Anything else (other units, several ranges, B < A) is
 * ignored, as RFC 9110 allows, and the caller then answers 200.
 */
static enum range_kind parse_range(const char *hdr, uint64_t total,
				   uint64_t *first, uint64_t *last)
{
	const char *p = hdr;
	uint64_t a, b = 0;
	int has_last = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "bytes=", 6) != 0)
		return RANGE_NONE;
	p += 6;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-') {
		/* Suffix range: the last N bytes. */
		p = scan_u64(p + 1, &b);
		if (!p)
			return RANGE_NONE;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return RANGE_NONE;
		if (b == 0 || total == 0)
			return RANGE_UNSATISFIABLE;
		*first = b >= total ? 0 : total - b;
		*last = total - 1;
		return RANGE_OK;
	}
	p = scan_u64(p, &a);
	if (!p || *p != '-')
		return RANGE_NONE;
	p++;
	if (*p >= '0' && *p <= '9') {
		p = scan_u64(p, &b);
		if (!p)
			return RANGE_NONE;
		has_last = 1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return RANGE_NONE;
	if (has_last && b < a)
		return RANGE_NONE;
	if (a >= total)
		return RANGE_UNSATISFIABLE;
	*first = a;
	*last = (!has_last || b >= total) ? total - 1 : b;
	return RANGE_OK;
}

/*
 * Sleeps long enough that @n bytes at @bps bytes/s take the right time,
 * in short slices so a stopping server is not kept waiting.  Returns -1
 * when shutdown started meanwhile.
 */
static int throttle(uint64_t n, uint64_t bps)
{
	uint64_t ns = n * 1000000000ull / bps;
	struct timespec ts;

	while (ns > 0) {
		if (atomic_load(&stopping))
			return -1;
		ts.tv_sec = 0;
		ts.tv_nsec = ns > SLOW_SLICE_NS ? SLOW_SLICE_NS : (long)ns;
		ns -= (uint64_t)ts.tv_nsec;
		/* EINTR just shortens one slice; the rate stays close. */
		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			return -1;
	}
	return atomic_load(&stopping) ? -1 : 0;
}

/*
 * MHD's content reader.  @pos is the number of body bytes already handed
 * over.  Ending with MHD_CONTENT_READER_END_WITH_ERROR after the cut point
 * makes MHD close the socket with Content-Length unmet, which is exactly
 * the truncated body the reset and short faults promise.
 */
static ssize_t body_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct body *b = cls;
	uint64_t want;
	ssize_t n;

	if (atomic_load(&stopping) || pos >= b->cut)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (pos >= b->length)
		return MHD_CONTENT_READER_END_OF_STREAM;
	want = b->length - pos;
	if (want > max)
		want = max;
	if (want > b->cut - pos)
		want = b->cut - pos;
	if (b->bps) {
		/* About ten writes a second: smooth, yet not one per byte. */
		uint64_t chunk = b->bps / 10 ? b->bps / 10 : 1;

		if (want > chunk)
			want = chunk;
		if (throttle(want, b->bps))
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	do
		n = pread(b->fd, buf, (size_t)want, (off_t)(b->start + pos));
	while (n < 0 && errno == EINTR);
	/* 0 means the file shrank under us: the promised length is a lie. */
	if (n <= 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n;
}

static void body_free(void *cls)
{
	struct body *b = cls;

	if (close(b->fd) != 0)
		warnx_("close: %s", strerror(errno));
	free(b);
}

/*
 * Rejects any ".." path segment so a request can never leave the root.
 * Leading slashes are skipped by the caller, so openat() never sees an
 * absolute path either.
 */
static int name_is_safe(const char *name)
{
	const char *seg = name, *slash;
	size_t len;

	for (;;) {
		slash = strchr(seg, '/');
		len = slash ? (size_t)(slash - seg) : strlen(seg);
		if (len == 2 && seg[0] == '.' && seg[1] == '.')
			return 0;
		if (!slash)
			return 1;
		seg = slash + 1;
	}
}

/*
 * Opens @name under the root.  Returns 0 with *fd and *size set, or the
 * HTTP status to answer with instead.
 */
static unsigned int open_file(const char *name, int *fd, uint64_t *size)
{
	struct stat st;
	int f;

	while (*name == '/')
		name++;
	if (!name_is_safe(name))
		return MHD_HTTP_FORBIDDEN;
	if (*name == '\0')
		return MHD_HTTP_NOT_FOUND;
	f = openat(root_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (f < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG)
			return MHD_HTTP_NOT_FOUND;
		if (errno == EACCES || errno == EPERM)
			return MHD_HTTP_FORBIDDEN;
		warnx_("open %s: %s", name, strerror(errno));
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if (fstat(f, &st) != 0) {
		warnx_("fstat %s: %s", name, strerror(errno));
		goto error;
	}
	/* Directories and devices are not downloads. */
	if (!S_ISREG(st.st_mode) || st.st_size < 0) {
		if (close(f) != 0)
			warnx_("close: %s", strerror(errno));
		return MHD_HTTP_NOT_FOUND;
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
error:
	if (close(f) != 0)
		warnx_("close: %s", strerror(errno));
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

static enum MHD_Result send_unsatisfiable(const struct request *req,
					  uint64_t total)
{
	char cr[64];

	snprintf(cr, sizeof(cr), "bytes */%" PRIu64, total);
	return send_text_hdr(req, MHD_HTTP_RANGE_NOT_SATISFIABLE,
			     "range not satisfiable\n",
			     MHD_HTTP_HEADER_CONTENT_RANGE, cr);
}

/*
 * The length-mismatch fault: keep the length asked for but move the start
 * (to 0, or to 1 when 0 was asked for) so the Content-Range no longer
 * matches the request.  Body and header stay consistent with each other;
 * only the client's check of the start can catch it.  A file under two
 * bytes has nowhere else to start, so it is served honestly.
 */
static void shift_range(uint64_t total, uint64_t *first, uint64_t *last)
{
	uint64_t len = *last - *first + 1;

	if (total < 2)
		return;
	*first = *first > 0 ? 0 : 1;
	*last = len - 1 > total - 1 - *first ? total - 1 : *first + len - 1;
}

/*
 * Serves @name honouring a single byte range unless @o says otherwise.
 * The body is streamed by body_reader() so the cut, slow and range cases
 * all go through one path; for HEAD MHD never calls the reader and only
 * sends the headers, Content-Length included.
 */
static enum MHD_Result serve_file(const struct request *req, const char *name,
				  const struct serve_opts *o)
{
	struct MHD_Response *resp = NULL;
	struct body *b = NULL;
	enum range_kind rk = RANGE_NONE;
	uint64_t total, first = 0, last = 0;
	unsigned int status;
	char cr[96];
	int fd = -1;

	status = open_file(name, &fd, &total);
	if (status)
		return send_status(req, status);
	if (req->range && !o->ignore_range)
		rk = parse_range(req->range, total, &first, &last);
	if (rk == RANGE_UNSATISFIABLE) {
		if (close(fd) != 0)
			warnx_("close: %s", strerror(errno));
		return send_unsatisfiable(req, total);
	}
	if (rk == RANGE_OK && o->lie_start)
		shift_range(total, &first, &last);

	b = malloc(sizeof(*b));
	if (!b)
		goto error;
	b->fd = fd;
	b->start = rk == RANGE_OK ? first : 0;
	b->length = rk == RANGE_OK ? last - first + 1 : total;
	b->cut = o->cut;
	b->bps = o->bps;
	resp = MHD_create_response_from_callback(b->length, BODY_BLOCK_SIZE,
						 body_reader, b, body_free);
	if (!resp)
		goto error;
	/* From here on MHD owns the body and closes the file. */
	b = NULL;
	fd = -1;

	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "application/octet-stream") != MHD_YES)
		goto error;
	/* A server that ignores Range would not advertise it either. */
	if (!o->ignore_range &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES,
				    "bytes") != MHD_YES)
		goto error;
	if (rk == RANGE_OK) {
		snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
			 first, last, total);
		if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
					    cr) != MHD_YES)
			goto error;
	}
	return send_response(req, rk == RANGE_OK ? MHD_HTTP_PARTIAL_CONTENT :
			     MHD_HTTP_OK, resp);
error:
	if (resp)
		MHD_destroy_response(resp);
	free(b);
	if (fd >= 0 && close(fd) != 0)
		warnx_("close: %s", strerror(errno));
	return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
}

/*
 * Matches @spec ("name" or "name:N") against fault_defs.  Returns 0 and
 * fills @f, or -1 for unknown names and missing or bad arguments.
 */
static int parse_fault(const char *spec, struct fault *f)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	size_t i;

	for (i = 0; i < sizeof(fault_defs) / sizeof(fault_defs[0]); i++) {
		const struct fault_def *d = &fault_defs[i];

		if (strlen(d->name) != nlen || strncmp(d->name, spec, nlen))
			continue;
		if (!d->has_arg != !colon)
			return -1;
		f->kind = d->kind;
		f->status = d->status;
		f->arg = 0;
		if (colon && (parse_u64(colon + 1, UINT64_MAX, &f->arg) ||
			      f->arg < d->min_arg))
			return -1;
		return 0;
	}
	return -1;
}

/* How many times this exact path was asked for before, or -1 on error. */
static int previous_hits(const struct request *req, uint64_t *n)
{
	if (count_hit(req->url, n)) {
		warnx_("out of memory counting %s", req->url);
		return -1;
	}
	return 0;
}

static enum MHD_Result handle_fault(const struct request *req,
				    const char *rest)
{
	struct serve_opts o = { 0, 0, UINT64_MAX, 0 };
	struct fault f;
	char spec[FAULT_SPEC_MAX + 1], msg[FAULT_SPEC_MAX + 64], ra[32];
	const char *slash = strchr(rest, '/');
	const char *name = slash ? slash + 1 : "";
	size_t slen = slash ? (size_t)(slash - rest) : strlen(rest);
	uint64_t n;
	int too_long;

	/* No real spec is this long; truncating only shortens the message. */
	too_long = slen > FAULT_SPEC_MAX;
	if (too_long)
		slen = FAULT_SPEC_MAX;
	memcpy(spec, rest, slen);
	spec[slen] = '\0';
	if (too_long || parse_fault(spec, &f)) {
		snprintf(msg, sizeof(msg), "unknown fault spec '%s'\n", spec);
		return send_text(req, MHD_HTTP_BAD_REQUEST, msg);
	}

	switch (f.kind) {
	case FAULT_STATUS:
		snprintf(msg, sizeof(msg), "fault %s\n", spec);
		return send_text(req, f.status, msg);
	case FAULT_THEN_OK:
		if (previous_hits(req, &n))
			return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
		if (n < f.arg)
			return send_text(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					 "fault 503-then-ok\n");
		break;
	case FAULT_RETRY_AFTER:
		if (previous_hits(req, &n))
			return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
		if (n == 0) {
			snprintf(ra, sizeof(ra), "%" PRIu64, f.arg);
			return send_text_hdr(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					     "fault retry-after\n",
					     MHD_HTTP_HEADER_RETRY_AFTER, ra);
		}
		break;
	case FAULT_RESET:
	case FAULT_RESET_NO_RANGE:
	case FAULT_RESET_MISMATCH:
		/*
		 * Only a GET has a body to cut, so a HEAD probe must not use
		 * up the one reset the test is waiting for.  The resumed
		 * request then meets a server that ignores or misreports the
		 * range, for the two combined specs.
		 */
		if (req->is_get) {
			if (previous_hits(req, &n))
				return send_status(req,
						   MHD_HTTP_INTERNAL_SERVER_ERROR);
			if (n == 0)
				o.cut = f.arg;
			else if (f.kind == FAULT_RESET_NO_RANGE)
				o.ignore_range = 1;
			else if (f.kind == FAULT_RESET_MISMATCH && n == 1)
				o.lie_start = 1;
		}
		break;
	case FAULT_NO_RANGE:
		o.ignore_range = 1;
		break;
	case FAULT_SHORT:
		o.cut = f.arg;
		break;
	case FAULT_SLOW:
		o.bps = f.arg;
		break;
	case FAULT_REDIRECT_LOOP:
		return send_redirect(req, "", req->url);
	case FAULT_REDIRECT_FILE:
		return send_text_hdr(req, MHD_HTTP_FOUND, "redirect\n",
				     MHD_HTTP_HEADER_LOCATION,
				     "file:///etc/passwd");
	case FAULT_REDIRECT:
		while (*name == '/')
			name++;
		return send_redirect(req, "/", name);
	case FAULT_LENGTH_MISMATCH:
		o.lie_start = 1;
		break;
	}
	return serve_file(req, name, &o);
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn,
				      const char *url, const char *method,
				      const char *version,
				      const char *upload_data,
				      size_t *upload_data_size, void **con_cls)
{
	static const struct serve_opts plain = { 0, 0, UINT64_MAX, 0 };
	struct request req;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;

	/*
	 * Answering on the first call is fine: GET and HEAD carry no body,
	 * and for anything else MHD discards the upload after our 405.
	 */
	req.conn = conn;
	req.method = method;
	req.url = url;
	req.range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						MHD_HTTP_HEADER_RANGE);
	req.is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
	if (!req.is_get && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return send_text_hdr(&req, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed\n",
				     MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (strncmp(url, "/fault/", 7) == 0)
		return handle_fault(&req, url + 7);
	return serve_file(&req, url, &plain);
}

/* Writes the port to @path via a temporary file so readers never see half. */
static int write_port_file(const char *path, uint16_t port)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		warnx_("port file name too long: %s", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f)
		goto error;
	if (fprintf(f, "%u\n", (unsigned int)port) < 0)
		goto error;
	n = fclose(f);
	f = NULL;
	if (n != 0)
		goto error;
	if (rename(tmp, path) != 0)
		goto error;
	return 0;
error:
	warnx_("writing %s: %s", path, strerror(errno));
	if (f)
		fclose(f);
	unlink(tmp);
	return -1;
}

/* The PEM text MHD reads from for the daemon's whole life. */
static char *tls_cert_pem, *tls_key_pem;

/* The whole of a small file, NUL-terminated, or NULL. */
static char *slurp_pem(const char *path)
{
	char *buf = NULL;
	long n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		warnx_("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < 1 << 20 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (!buf)
		warnx_("cannot read %s", path);
	fclose(f);
	return buf;
}

static struct MHD_Daemon *start_daemon(const struct config *cfg)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	uint16_t port = cfg->port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/*
	 * Thread per connection: slow bodies sleep in the reader, which
	 * would stall every other client under a single polling thread.
	 * poll() rather than select() so high fd numbers are no problem.
	 */
	if (!cfg->tls_cert)
		return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
					MHD_USE_THREAD_PER_CONNECTION |
					MHD_USE_POLL | MHD_USE_ERROR_LOG,
					port, NULL, NULL, handle_request, NULL,
					MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
					MHD_OPTION_CONNECTION_TIMEOUT,
					CONNECTION_TIMEOUT_S,
					MHD_OPTION_END);
	tls_cert_pem = slurp_pem(cfg->tls_cert);
	tls_key_pem = slurp_pem(cfg->tls_key);
	d = !tls_cert_pem || !tls_key_pem ? NULL :
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_TLS,
			     port, NULL, NULL, handle_request, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
			     MHD_OPTION_HTTPS_MEM_CERT, tls_cert_pem,
			     MHD_OPTION_HTTPS_MEM_KEY, tls_key_pem,
			     MHD_OPTION_END);
	return d;
}

/*
 * Blocks until SIGTERM/SIGINT or until @max_seconds (0: forever) pass.
 * The signals were blocked before any thread started, so sigtimedwait()
 * here is the only place they are ever delivered: no handler, no races.
 */
static int wait_for_stop(const sigset_t *set, unsigned long max_seconds)
{
	struct timespec now, deadline, left;
	int sig;

	if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) {
		warnx_("clock_gettime: %s", strerror(errno));
		return -1;
	}
	deadline.tv_sec += (time_t)max_seconds;
	for (;;) {
		if (max_seconds == 0) {
			sig = sigwaitinfo(set, NULL);
		} else {
			if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
				warnx_("clock_gettime: %s", strerror(errno));
				return -1;
			}
			left.tv_sec = deadline.tv_sec - now.tv_sec;
			left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_nsec += 1000000000L;
				left.tv_sec--;
			}
			if (left.tv_sec < 0) {
				warnx_("--max-seconds %lu reached, exiting",
				       max_seconds);
				return 0;
			}
			sig = sigtimedwait(set, NULL, &left);
		}
		if (sig > 0) {
			warnx_("%s, exiting", strsignal(sig));
			return 0;
		}
		if (errno != EAGAIN && errno != EINTR) {
			warnx_("sigtimedwait: %s", strerror(errno));
			return -1;
		}
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " --root DIR [--port N] [--port-file FILE]"
		" [--log FILE] [--max-seconds N]\n"
		"       [--tls-cert PEM --tls-key PEM]\n"
		"  --root DIR         directory to serve (required)\n"
		"  --port N           port on 127.0.0.1; 0 (default) picks one\n"
		"  --port-file FILE   write the port there, atomically\n"
		"  --log FILE         append one line per request\n"
		"  --max-seconds N    exit after N seconds (default 600, 0: never)\n"
		"  --tls-cert PEM     serve HTTPS with this certificate\n"
		"  --tls-key PEM      and this private key\n");
}

/* Returns 0 to run, 1 after --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "max-seconds", required_argument, NULL, 't' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "r:p:f:l:t:c:k:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			cfg->root = optarg;
			break;
		case 'p':
			if (parse_u64(optarg, 65535, &v)) {
				warnx_("bad --port: %s", optarg);
				return -1;
			}
			cfg->port = (uint16_t)v;
			break;
		case 'f':
			cfg->port_file = optarg;
			break;
		case 'l':
			cfg->log_path = optarg;
			break;
		case 't':
			if (parse_u64(optarg, MAX_SECONDS_LIMIT, &v)) {
				warnx_("bad --max-seconds: %s", optarg);
				return -1;
			}
			cfg->max_seconds = (unsigned long)v;
			break;
		case 'c':
			cfg->tls_cert = optarg;
			break;
		case 'k':
			cfg->tls_key = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		warnx_("unexpected argument: %s", argv[optind]);
		usage(stderr);
		return -1;
	}
	if (!cfg->tls_cert != !cfg->tls_key) {
		warnx_("--tls-cert and --tls-key go together");
		usage(stderr);
		return -1;
	}
	if (!cfg->root) {
		warnx_("--root is required");
		usage(stderr);
		return -1;
	}
	return 0;
}

static int open_log(const char *path)
{
	log_fp = fopen(path, "a");
	if (!log_fp) {
		warnx_("cannot open log %s: %s", path, strerror(errno));
		return -1;
	}
	/* Line buffered as well as flushed: belt and braces for grep. */
	if (setvbuf(log_fp, NULL, _IOLBF, 0) != 0) {
		warnx_("setvbuf: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Blocks the stop signals in this thread before MHD creates its threads,
 * so they inherit the mask and only wait_for_stop() ever takes them.
 * SIGPIPE is ignored because a client hanging up is routine here.
 */
static int setup_signals(sigset_t *set)
{
	int err;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		warnx_("signal: %s", strerror(errno));
		return -1;
	}
	if (sigemptyset(set) || sigaddset(set, SIGTERM) ||
	    sigaddset(set, SIGINT)) {
		warnx_("sigset: %s", strerror(errno));
		return -1;
	}
	err = pthread_sigmask(SIG_BLOCK, set, NULL);
	if (err) {
		warnx_("pthread_sigmask: %s", strerror(err));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = { .max_seconds = 600 };
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d = NULL;
	int rc = EXIT_FAILURE, port_file_written = 0;
	uint16_t port;
	sigset_t stop_set;

	switch (parse_args(argc, argv, &cfg)) {
	case 0:
		break;
	case 1:
		return EXIT_SUCCESS;
	default:
		return 2;
	}

	root_fd = open(cfg.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		warnx_("cannot open root %s: %s", cfg.root, strerror(errno));
		goto end;
	}
	if (cfg.log_path && open_log(cfg.log_path))
		goto end;
	if (setup_signals(&stop_set))
		goto end;

	d = start_daemon(&cfg);
	if (!d) {
		warnx_("cannot start server on 127.0.0.1:%u",
		       (unsigned int)cfg.port);
		goto end;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || info->port == 0) {
		warnx_("cannot learn the bound port");
		goto end;
	}
	port = info->port;

	if (printf("PORT %u\n", (unsigned int)port) < 0 ||
	    fflush(stdout) != 0) {
		warnx_("writing stdout: %s", strerror(errno));
		goto end;
	}
	if (cfg.port_file) {
		if (write_port_file(cfg.port_file, port))
			goto end;
		port_file_written = 1;
	}

	if (wait_for_stop(&stop_set, cfg.max_seconds))
		goto end;
	rc = EXIT_SUCCESS;
end:
	atomic_store(&stopping, 1);
	if (d)
		MHD_stop_daemon(d);
	free(tls_cert_pem);
	free(tls_key_pem);
	/*
	 * A stale port file would send the next test to a dead port.  It may
	 * already be gone along with the test's scratch directory.
	 */
	if (port_file_written && unlink(cfg.port_file) != 0 && errno != ENOENT)
		warnx_("unlink %s: %s", cfg.port_file, strerror(errno));
	free_hits();
	if (log_fp && fclose(log_fp) != 0) {
		warnx_("closing log: %s", strerror(errno));
		rc = EXIT_FAILURE;
	}
	if (root_fd >= 0 && close(root_fd) != 0)
		warnx_("close root: %s", strerror(errno));
	return rc;
}
