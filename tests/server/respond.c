/* testd: messages, numbers, the request log and counters, responses. */
#define _GNU_SOURCE

#include "testd.h"

/* Per-path request counters for the faults that change over time. */
struct hit {
	struct hit *next;
	uint64_t count;
	char path[];
};


static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hit *hits;
static pthread_mutex_t hits_lock = PTHREAD_MUTEX_INITIALIZER;

void warnx_(const char *fmt, ...)
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
const char *scan_u64(const char *p, uint64_t *out)
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
int parse_u64(const char *s, uint64_t max, uint64_t *out)
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
 * Appends "<METHOD> <PATH> range=<Range or -> status=<code>
 * if-range=<If-Range or ->" to the log.
 * Tests grep these lines right after their client returns, which is why
 * callers log before sending the response and why every line is flushed.
 */
void log_line(const char *method, const char *url, const char *range,
	      unsigned int status, const char *if_range)
{
	char *path;
	int err;

	if (!log_fp)
		return;
	path = encode_path("", url);
	err = pthread_mutex_lock(&log_lock);
	if (err) {
		warnx_("log lock: %s", strerror(err));
		goto end;
	}
	/* Should encoding run out of memory, a raw path beats no line. */
	if (fprintf(log_fp, "%s %s range=%s status=%u if-range=%s\n",
		    method, path ? path : url, range ? range : "-", status,
		    if_range ? if_range : "-") < 0 ||
	    fflush(log_fp) != 0)
		warnx_("writing log: %s", strerror(errno));
	err = pthread_mutex_unlock(&log_lock);
	if (err)
		warnx_("log unlock: %s", strerror(err));
end:
	free(path);
}

static void log_request(const struct request *req, unsigned int status)
{
	log_line(req->method, req->url, req->range, status, req->if_range);
}

/*
 * Counts one more request for @path and reports how many came before it.
 * The key is the exact decoded path, so "503-then-ok:2/a" and
 * "503-then-ok:3/a" have separate counters.
 */
int count_hit(const char *path, uint64_t *before)
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

void free_hits(void)
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
enum MHD_Result send_response(const struct request *req,
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

enum MHD_Result send_text_hdr(const struct request *req,
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

enum MHD_Result send_text(const struct request *req,
				 unsigned int status, const char *text)
{
	return send_text_hdr(req, status, text, NULL, NULL);
}

enum MHD_Result send_status(const struct request *req,
				   unsigned int status)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "status %u\n", status);
	return send_text(req, status, msg);
}

enum MHD_Result send_redirect(const struct request *req,
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
