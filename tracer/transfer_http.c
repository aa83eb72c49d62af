/*
 * HTTP answers: the validators and the range a response carries, and
 * whether its bytes may join the ones a file already has.  One version
 * of a file, never two: a resume must prove it is the same version (a
 * strong ETag, else the Last-Modified date and the size), or the file
 * starts over from byte 0.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

void answer_reset(struct http_answer *a)
{
	*a = (struct http_answer){ .cr_start = -1, .cr_end = -1, .cr_total = -1 };
}

/* The header's value without the name, the leading blanks and the line
 * end, into `out`; false when it does not fit. */
static bool header_value(const char *line, size_t len, size_t name_len,
			 char *out, size_t size)
{
	const char *v = line + name_len, *end = line + len;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - v) >= size)
		return false;
	memcpy(out, v, (size_t)(end - v));
	out[end - v] = '\0';
	return true;
}

static void parse_content_range(struct http_answer *a, const char *value)
{
	long long first, last, total;

	if (sscanf(value, "bytes %lld-%lld/%lld", &first, &last, &total) == 3 &&
	    first >= 0 && last >= first && total > last) {
		a->cr_start = first;
		a->cr_end = last;
		a->cr_total = total;
	} else if (sscanf(value, "bytes */%lld", &total) == 1 && total >= 0) {
		a->cr_total = total;	/* with 416: the size the server has */
	} else {
		a->cr_garbled = true;
	}
}

void answer_header(struct http_answer *a, const char *line, size_t len)
{
	char value[256];

	if (len >= 14 && !strncasecmp(line, "Content-Range:", 14)) {
		if (header_value(line, len, 14, value, sizeof(value)))
			parse_content_range(a, value);
		else
			a->cr_garbled = true;
	} else if (len >= 5 && !strncasecmp(line, "ETag:", 5)) {
		/* A weak tag cannot prove two byte ranges belong together. */
		if (header_value(line, len, 5, value, sizeof(value)) &&
		    value[0] == '"')
			snprintf(a->etag, sizeof(a->etag), "%s", value);
	} else if (len >= 18 && !strncasecmp(line, "Transfer-Encoding:", 18)) {
		a->chunked = header_value(line, len, 18, value, sizeof(value)) &&
			     strcasestr(value, "chunked");
	} else if (len >= 14 && !strncasecmp(line, "Last-Modified:", 14)) {
		/* Too long for a date: none, which rules a resume out. */
		if (!header_value(line, len, 14, a->last_modified,
				  sizeof(a->last_modified)))
			a->last_modified[0] = '\0';
	}
}

/* An HTTP/1 body with neither a length nor chunks ends when the
 * connection does, so a cut one cannot be told from a whole one. */
bool answer_unframed(const struct http_answer *a, bool http1, int64_t length)
{
	return http1 && length < 0 && !a->chunked;
}

/* A validator read back from the store goes into a request header: one
 * with a line break in it would be a header of someone else's making. */
static bool usable(const char *validator)
{
	if (!validator || !*validator)
		return false;
	for (const unsigned char *p = (const unsigned char *)validator; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool file_resumable(const struct job_file *f)
{
	return usable(f->etag) || usable(f->last_modified);
}

const char *file_if_range(const struct job_file *f)
{
	assert(file_resumable(f));
	return usable(f->etag) ? f->etag : f->last_modified;
}

static bool same_text(const char *recorded, const char *answered)
{
	return !strcmp(recorded ? recorded : "", answered);
}

/* The answer is the version the file's bytes came from: the strong
 * ETag, else the date and the size. */
static bool same_version(const struct http_answer *a, const struct job_file *f)
{
	if (f->bytes_total >= 0 && a->cr_total != f->bytes_total)
		return false;
	if (usable(f->etag))
		return same_text(f->etag, a->etag);
	return same_text(f->last_modified, a->last_modified);
}

enum answer_fit answer_check(const struct http_answer *a, long code,
			     uint64_t range_from, const struct job_file *f,
			     char *why, size_t size)
{
	if (code != 206)
		return ANSWER_WHOLE;
	if (range_from == 0) {
		snprintf(why, size, "server answered 206 to a request without Range");
		return ANSWER_BAD;
	}
	if (a->cr_start != (int64_t)range_from || a->cr_end != a->cr_total - 1) {
		snprintf(why, size, "server answered range %lld-%lld to a "
			 "request for %" PRIu64 "-", (long long)a->cr_start,
			 (long long)a->cr_end, range_from);
		return ANSWER_BAD;
	}
	return same_version(a, f) ? ANSWER_RESUME : ANSWER_CHANGED;
}

int file_take_validators(struct job_file *f, const struct http_answer *a)
{
	char *etag = xstrdup(a->etag), *date = xstrdup(a->last_modified);

	if (!etag || !date) {
		free(etag);
		free(date);
		return BGCOPY_E_NOMEM;
	}
	free(f->etag);
	free(f->last_modified);
	f->etag = etag;
	f->last_modified = date;
	return BGCOPY_OK;
}

void file_forget_validators(struct job_file *f)
{
	free(f->etag);
	free(f->last_modified);
	f->etag = f->last_modified = NULL;
}

/* Which failures may heal by themselves: worth a retry. */
bool transient_http(long code)
{
	return code == 408 || code == 429 || code == 500 || code == 502 ||
	       code == 503 || code == 504;
}

bool transient_curl(int rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}
