/* Transfers: what a finished attempt came to, a complete file or an error that is transient or permanent, and its trace. */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "trace.h"
#include "transfer.h"

/* The protocols a redirect may lead to: never from https to http unless
 * the job allows it (BITS' default policy). */
const char *transfer_redirect_protocols(const bgcopy_job *job, const char *url)
{
	if (job->redirect_policy == BGCOPY_REDIRECT_ALLOW &&
	    !strncasecmp(url, "https:", 6))
		return "https";
	return "http,https";
}

/* The URL curl went (or would have gone) to last, without its secrets;
 * NULL when unreadable or out of memory. */
char *transfer_redirect_target(struct transfer *x)
{
	char *effective = NULL, *redacted = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &effective);
	if (!effective || url_check(effective, true, &redacted) != BGCOPY_OK)
		return xstrdup("(unreadable URL)");
	return redacted;
}

/* The handshake failed: the server's certificate was not trusted, or
 * the job's TLS files could not be used. */
static bool tls_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
		return true;
	default:
		return false;
	}
}

/* Classifies a finished attempt; returns true when the file is complete. */
bool transfer_classify(struct transfer *x, CURLcode rc, struct bgcopy_error *err,
		       bool *transient)
{
	const struct job_file *f = &x->job->files[x->index];
	long code = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	*err = (struct bgcopy_error){
		.http_status = (int)code, .curl_code = (int)rc,
		.file_index = (int)x->index,
	};
	*transient = true;
	/* Asked for the bytes after the end: everything was here already
	 * (progress was saved after the last byte, before completion). */
	if (x->http_error == 416 && x->range_from > 0 &&
	    x->answer.cr_total == (int64_t)x->range_from) {
		x->job->files[x->index].bytes_total = x->answer.cr_total;
		return true;
	}
	if (x->http_error) {
		err->context = BGCOPY_ERRCTX_REMOTE_FILE;
		err->http_status = (int)x->http_error;
		err->curl_code = CURLE_HTTP_RETURNED_ERROR;	/* not our abort */
		/* A range the server cannot serve: start the file over. */
		*transient = transient_http(x->http_error) || x->http_error == 416;
		error_describe(err, "HTTP %ld from %s", x->http_error, f->redacted_url);
		return false;
	}
	/* A final 3xx is an answer with no file in it (304, no Location
	 * to follow, or a job that follows none: on_body refused its body). */
	if ((rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && !x->write_errno)) &&
	    code >= 300 && code < 400) {
		err->context = BGCOPY_ERRCTX_REMOTE_FILE;
		*transient = false;
		error_describe(err, "HTTP %ld with no file from %s%s", code,
			       f->redacted_url,
			       x->job->redirect_policy == BGCOPY_REDIRECT_DISALLOW ?
			       " (the job follows no redirect)" : "");
		return false;
	}
	if (rc == CURLE_UNSUPPORTED_PROTOCOL &&
	    !strcmp(transfer_redirect_protocols(x->job, f->url), "https")) {
		char *target = transfer_redirect_target(x);

		err->context = BGCOPY_ERRCTX_REMOTE_FILE;
		*transient = false;
		error_describe(err, "redirect from https to a URL that is not "
			       "https refused (%s to %s); the job's redirect "
			       "policy can allow it", f->redacted_url,
			       target ? target : "?");
		free(target);
		return false;
	}
	if (x->too_big) {
		err->context = BGCOPY_ERRCTX_REMOTE_FILE;
		*transient = false;
		error_describe(err, "file is larger than the job's maximum download "
			       "size of %" PRIu64 " bytes (%s)", x->job->max_download,
			       f->redacted_url);
		return false;
	}
	if (x->unframed) {
		err->context = BGCOPY_ERRCTX_REMOTE_FILE;
		*transient = false;
		error_describe(err, "server sent neither a Content-Length nor a "
			       "chunked body (%s): a body ended by closing the "
			       "connection cannot be told from a cut one; a job "
			       "with the dynamic content flag takes it",
			       f->redacted_url);
		return false;
	}
	if (x->excess && !x->refused[0])
		snprintf(x->refused, sizeof(x->refused), "server sent more bytes "
			 "than its Content-Length announced");
	if (x->refused[0]) {
		err->context = BGCOPY_ERRCTX_REMOTE_FILE;
		error_describe(err, "%s (%s)", x->refused, f->redacted_url);
		return false;
	}
	/* Before the count: libcurl may have handed over the whole body
	 * and the last write of it failed. */
	if (x->write_errno) {
		err->context = BGCOPY_ERRCTX_LOCAL_FILE;
		err->code = x->write_errno;
		*transient = transient_errno(x->write_errno);
		error_describe(err, "cannot write '%s': %s%s", f->temp_path,
			       *transient ? "the disk is full: " : "",
			       strerror(x->write_errno));
		return false;
	}
	if (rc == CURLE_OK && (f->bytes_total < 0 ||
			       f->bytes_done == (uint64_t)f->bytes_total))
		return true;
	if (rc == CURLE_OK) {
		err->context = BGCOPY_ERRCTX_REMOTE_FILE;
		error_describe(err, "server sent %" PRIu64 " of %" PRId64 " bytes",
			       f->bytes_done, f->bytes_total);
		return false;
	}
	err->context = tls_failure(rc) ? BGCOPY_ERRCTX_TLS : BGCOPY_ERRCTX_TRANSPORT;
	*transient = transient_curl(rc);
	error_describe(err, "%s%s (%s)",
		 err->context == BGCOPY_ERRCTX_TLS ? "TLS handshake failed: " : "",
		 x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc),
		 f->redacted_url);
	return false;
}

static uint64_t info_us(CURL *e, CURLINFO what)
{
	curl_off_t v = 0;

	curl_easy_getinfo(e, what, &v);
	return v > 0 ? (uint64_t)v : 0;
}

void transfer_trace_attempt(bgcopy_job *job, struct transfer *x, CURLcode rc,
			    const char *final_url)
{
	long code = 0;

	if (!TRACE_ENABLED(transfer))
		return;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	TRACE(transfer, TRACE_JOB(job), (&(struct bgcopy_tp_transfer){
		.file_index = (int32_t)x->index,
		.url = job->files[x->index].redacted_url,
		.http_status = (int32_t)code,
		.range_from = x->range_from,
		.range_honoured = x->range_honoured,
		.bytes = x->received,
		.namelookup_us = info_us(x->easy, CURLINFO_NAMELOOKUP_TIME_T),
		.connect_us = info_us(x->easy, CURLINFO_CONNECT_TIME_T),
		.tls_us = info_us(x->easy, CURLINFO_APPCONNECT_TIME_T),
		.first_byte_us = info_us(x->easy, CURLINFO_STARTTRANSFER_TIME_T),
		.total_us = info_us(x->easy, CURLINFO_TOTAL_TIME_T),
		.curl_code = (int32_t)rc,
		.restart = x->restart,
		.if_range = x->if_range,
		.sha256_expected = job->files[x->index].has_sha256,
		.verify = x->verify,
		.final_url = final_url ? final_url : "",
		.rate_cap_bps = x->rate_min,
	}));
}
