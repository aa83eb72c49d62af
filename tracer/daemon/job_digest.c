/* bgcopyd: a digest per job property that job_watch.c does not compare field by field, to announce the ones that changed. */
#include <string.h>

#include "daemon.h"

/* FNV-1a, 64 bits: a changed value gives another digest but with odds
 * of 2^-64, which a missed signal of a property read with GetAll at
 * every use (libbgcopy's client mode) can afford. */
#define FNV_START 1469598103934665603ull

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *c = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ull;
	return h;
}

static uint64_t fnv_text(uint64_t h, const char *text)
{
	return fnv(h, text, strlen(text) + 1);	/* the NUL separates texts */
}

static uint64_t fnv_number(uint64_t h, uint64_t v)
{
	return fnv(h, &v, sizeof(v));
}

const char *const job_digest_names[JOB_DIGESTS] = {
	[JOB_DIGEST_MIN_RETRY] = "MinRetryDelay",
	[JOB_DIGEST_NO_PROGRESS] = "NoProgressTimeout",
	[JOB_DIGEST_MAX_DOWNLOAD] = "MaxDownloadSize",
	[JOB_DIGEST_REDIRECT] = "RedirectPolicy",
	[JOB_DIGEST_CMDLINE] = "NotifyCmdline",
	[JOB_DIGEST_CMDLINE_TIMEOUT] = "NotifyCmdlineTimeout",
	[JOB_DIGEST_AUTH] = "AuthScheme",
	[JOB_DIGEST_HEADERS] = "HeaderNames",
	[JOB_DIGEST_EPOCH] = "NotifyEpoch",
	[JOB_DIGEST_TIMES] = "Times",
	[JOB_DIGEST_ERROR] = "ErrorDetail",
	[JOB_DIGEST_FILES] = "Files",
	[JOB_DIGEST_FILES_SHA256] = "FilesSha256",
	[JOB_DIGEST_NAME_BYTES] = "DisplayNameBytes",
	[JOB_DIGEST_DESCRIPTION_BYTES] = "DescriptionBytes",
	[JOB_DIGEST_LOCAL_PATHS] = "LocalPaths",
};

static uint64_t digest_cmdline(bgcopy_job *job)
{
	static char arg[4096];	/* the loop thread alone */
	uint64_t h = FNV_START;

	for (unsigned i = 0; bgcopy_job_get_notify_cmdline_arg(job, i, arg, sizeof(arg)) ==
	     BGCOPY_OK; i++)
		h = fnv_text(h, arg);
	return h;
}

static uint64_t digest_headers(bgcopy_job *job)
{
	static char names[BGCOPY_HEADERS_MAX + 1];

	bgcopy_job_get_header_names(job, names, sizeof(names));
	return fnv_text(FNV_START, names);
}

static uint64_t digest_error(bgcopy_job *job)
{
	struct bgcopy_error e = { .file_index = -1 };
	uint64_t h = fnv_number(FNV_START, bgcopy_job_get_error(job, &e) == BGCOPY_OK);

	h = fnv_number(h, (uint64_t)e.context);
	h = fnv_number(h, (uint64_t)(int64_t)e.code);
	h = fnv_number(h, (uint64_t)(int64_t)e.http_status);
	h = fnv_number(h, (uint64_t)(int64_t)e.curl_code);
	h = fnv_number(h, (uint64_t)(int64_t)e.file_index);
	return fnv_text(h, e.description);
}

static uint64_t digest_times(bgcopy_job *job)
{
	uint64_t h = FNV_START;

	for (int which = BGCOPY_TIME_CREATED; which <= BGCOPY_TIME_TRANSFERRED; which++)
		h = fnv_number(h, (uint64_t)bgcopy_job_get_time(job, which));
	return h;
}

uint64_t job_digest_files(bgcopy_job *job)
{
	static struct bgcopy_file_info f;	/* 8 KiB: the loop thread alone */
	static char final_url[2048];
	uint64_t h = FNV_START;

	for (unsigned i = 0; bgcopy_job_get_file(job, i, &f) == BGCOPY_OK; i++) {
		if (bgcopy_job_get_file_final_url(job, i, final_url, sizeof(final_url)))
			final_url[0] = '\0';
		h = fnv_text(fnv_text(fnv_text(h, f.url), f.local_path), final_url);
		h = fnv_number(fnv_number(h, (uint64_t)f.bytes_total), f.bytes_transferred);
		h = fnv_number(h, (uint64_t)f.completed);
	}
	return h;
}

static uint64_t digest_files_sha256(bgcopy_job *job)
{
	char hex[65];
	uint64_t h = FNV_START;

	for (unsigned i = 0; bgcopy_job_get_file_sha256(job, i, hex, sizeof(hex)) == BGCOPY_OK; i++)
		h = fnv_text(h, hex);
	return h;
}

static uint64_t digest_texts(bgcopy_job *job, bool description)
{
	char text[BGCOPYD_TEXT_MAX];

	if (description)
		bgcopy_job_get_description(job, text, sizeof(text));
	else
		bgcopy_job_get_display_name(job, text, sizeof(text));
	return fnv_text(FNV_START, text);
}

static uint64_t digest_local_paths(bgcopy_job *job)
{
	static struct bgcopy_file_info f;	/* 8 KiB: the loop thread alone */
	uint64_t h = FNV_START;

	for (unsigned i = 0; bgcopy_job_get_file(job, i, &f) == BGCOPY_OK; i++)
		h = fnv_text(h, f.local_path);
	return h;
}

/* Every digest but Files, which goes with the progress (job_watch.c),
 * and job_digest_added_files's. */
void job_digests(bgcopy_job *job, uint64_t out[JOB_DIGESTS])
{
	out[JOB_DIGEST_MIN_RETRY] = bgcopy_job_get_min_retry_delay(job);
	out[JOB_DIGEST_NO_PROGRESS] = bgcopy_job_get_no_progress_timeout(job);
	out[JOB_DIGEST_MAX_DOWNLOAD] = bgcopy_job_get_max_download_size(job);
	out[JOB_DIGEST_REDIRECT] = (uint64_t)bgcopy_job_get_redirect_policy(job);
	out[JOB_DIGEST_CMDLINE] = digest_cmdline(job);
	out[JOB_DIGEST_CMDLINE_TIMEOUT] = bgcopy_job_get_notify_cmdline_timeout(job);
	out[JOB_DIGEST_AUTH] = (uint64_t)bgcopy_job_get_auth_scheme(job);
	out[JOB_DIGEST_HEADERS] = digest_headers(job);
	out[JOB_DIGEST_EPOCH] = bgcopy_job_get_notify_epoch(job);
	out[JOB_DIGEST_TIMES] = digest_times(job);
	out[JOB_DIGEST_ERROR] = digest_error(job);
	out[JOB_DIGEST_NAME_BYTES] = digest_texts(job, false);
	out[JOB_DIGEST_DESCRIPTION_BYTES] = digest_texts(job, true);
}

/* LocalPaths and FilesSha256: what a file keeps from its add on, so they
 * change only when files are added (job_watch.c asks again then). */
void job_digest_added_files(bgcopy_job *job, uint64_t out[JOB_DIGESTS])
{
	out[JOB_DIGEST_FILES_SHA256] = digest_files_sha256(job);
	out[JOB_DIGEST_LOCAL_PATHS] = digest_local_paths(job);
}
