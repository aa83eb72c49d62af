/* testd: files from the root, whole or one range, throttled or cut. */
#define _GNU_SOURCE

#include "testd.h"

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
static unsigned int open_file(const char *name, int *fd, struct stat *out)
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
	*out = st;
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

/* A file's validators as a real server makes them: a strong ETag from
 * the inode, size and modification time, and the modification date. */
struct file_validators {
	char etag[80];		/* "" when not sent */
	char date[64];		/* "" when not sent */
};

static void make_validators(const struct stat *st, enum validators which,
			    struct file_validators *v)
{
	struct tm tm;

	v->etag[0] = v->date[0] = '\0';
	if (which == VAL_NONE)
		return;
	if (which == VAL_BOTH)
		snprintf(v->etag, sizeof(v->etag), "\"%jx-%jx-%jx.%lx\"",
			 (uintmax_t)st->st_ino, (uintmax_t)st->st_size,
			 (uintmax_t)st->st_mtim.tv_sec,
			 (unsigned long)st->st_mtim.tv_nsec);
	if (gmtime_r(&st->st_mtim.tv_sec, &tm))
		strftime(v->date, sizeof(v->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* RFC 9110 13.1.5: a strong ETag must match exactly, a date must equal
 * the Last-Modified date; a weak tag or no validator never matches. */
static int if_range_holds(const char *if_range, const struct file_validators *v)
{
	if (if_range[0] == '"')
		return v->etag[0] && strcmp(if_range, v->etag) == 0;
	if (strncmp(if_range, "W/", 2) == 0)
		return 0;
	return v->date[0] && strcmp(if_range, v->date) == 0;
}

static int add_validators(struct MHD_Response *resp,
			  const struct file_validators *v)
{
	if (v->etag[0] && MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG,
						  v->etag) != MHD_YES)
		return -1;
	if (v->date[0] && MHD_add_response_header(resp,
						  MHD_HTTP_HEADER_LAST_MODIFIED,
						  v->date) != MHD_YES)
		return -1;
	return 0;
}

/*
 * Serves @name honouring a single byte range unless @o says otherwise.
 * The body is streamed by body_reader() so the cut, slow and range cases
 * all go through one path; for HEAD MHD never calls the reader and only
 * sends the headers, Content-Length included.
 */
enum MHD_Result serve_file(const struct request *req, const char *name,
				  const struct serve_opts *o)
{
	struct MHD_Response *resp = NULL;
	struct body *b = NULL;
	enum range_kind rk = RANGE_NONE;
	struct file_validators v;
	uint64_t total, first = 0, last = 0;
	unsigned int status;
	struct stat st;
	char cr[96];
	int fd = -1;

	status = open_file(name, &fd, &st);
	if (status)
		return send_status(req, status);
	total = (uint64_t)st.st_size;
	make_validators(&st, o->validators, &v);
	/* A failed If-Range means: the whole, current file. */
	if (req->range && !o->ignore_range &&
	    (!req->if_range || o->ignore_if_range || if_range_holds(req->if_range, &v)))
		rk = parse_range(req->range, total, &first, &last);
	if (rk == RANGE_UNSATISFIABLE) {
		if (close(fd) != 0)
			warnx_("close: %s", strerror(errno));
		return send_unsatisfiable(req, total);
	}
	if (rk == RANGE_OK && o->lie_start)
		shift_range(total, &first, &last);
	if (rk == RANGE_OK && o->short_end && last > first)
		last--;		/* an honest header for a range not asked */
	if (!req->range && o->unasked_partial && total >= 2) {
		rk = RANGE_OK;
		first = 0;
		last = total / 2 - 1;
	}

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
				    "application/octet-stream") != MHD_YES ||
	    add_validators(resp, &v))
		goto error;
	/* A server that ignores Range would not advertise it either. */
	if (!o->ignore_range &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES,
				    "bytes") != MHD_YES)
		goto error;
	if (o->secret_headers &&
	    (MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, TESTD_COOKIE) != MHD_YES ||
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_LOCATION,
				     TESTD_CONTENT_LOCATION) != MHD_YES ||
	     MHD_add_response_header(resp, "X-Testd-Note", "shown-value") != MHD_YES))
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

/* The endless fault's body: pseudo-random bytes, chunked, until the
 * client gives up or the server stops. */
static ssize_t endless_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	if (atomic_load(&stopping))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	for (size_t i = 0; i < max; i++)
		buf[i] = (char)((pos + i) * 2654435761u >> 13);
	return (ssize_t)max;
}

enum MHD_Result serve_endless(const struct request *req)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BODY_BLOCK_SIZE,
						 endless_reader, NULL, NULL);
	if (!resp)
		return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
	return send_response(req, MHD_HTTP_OK, resp);
}
