/* Public verbs that set and read a job's properties, progress, files and error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "internal.h"
#include "trace.h"

static int set_text(bgcopy_job *job, char **field, const char *value,
		    int property)
{
	char *copy;

	if (!value)
		return set_error(BGCOPY_E_INVALID_ARG, "text is NULL");
	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_set_text(job, property, value));
	API_ENTER(job, API_CHANGE);
	copy = xstrdup(value);
	if (!copy)
		return api_leave(job->engine, BGCOPY_E_NOMEM);
	free(*field);
	*field = copy;
	job_property_changed(job, property, copy);
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_set_display_name(bgcopy_job *job, const char *name)
{
	return set_text(job, job ? &job->name : NULL, name,
			BGCOPY_TP_PROP_DISPLAY_NAME);
}

int bgcopy_job_set_description(bgcopy_job *job, const char *text)
{
	return set_text(job, job ? &job->description : NULL, text,
			BGCOPY_TP_PROP_DESCRIPTION);
}

/* Sets a numeric property under the lock; `apply` has checked the range. */
static int set_number(bgcopy_job *job, uint64_t *field64, uint32_t *field32,
		      uint64_t value, int property)
{
	char text[32];

	CLIENT_DISPATCH(job->engine, client_job_set_number(job, property, value));
	API_ENTER(job, API_CHANGE);
	if (field64)
		*field64 = value;
	else
		*field32 = (uint32_t)value;
	snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
	job_property_changed(job, property, text);
	if (property == BGCOPY_TP_PROP_PRIORITY ||
	    property == BGCOPY_TP_PROP_MAX_DOWNLOAD_TIME ||
	    property == BGCOPY_TP_PROP_MAX_BANDWIDTH ||
	    property == BGCOPY_TP_PROP_PARALLEL_FILES)
		wake_worker(job->engine);	/* it orders the queue, or a timer */
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_set_priority(bgcopy_job *job, enum bgcopy_priority priority)
{
	uint32_t p;

	if (!job || (unsigned)priority > BGCOPY_PRIORITY_LOW)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "priority must be FOREGROUND, HIGH, NORMAL or LOW");
	/* GCC gives an enum with only non-negative values the type
	 * unsigned int, so the priority is stored through the 32-bit path. */
	p = priority;
	return set_number(job, NULL, (uint32_t *)&job->priority, p,
			  BGCOPY_TP_PROP_PRIORITY);
}

int bgcopy_job_set_min_retry_delay_ms(bgcopy_job *job, uint64_t ms)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (ms < BGCOPY_RETRY_FLOOR_MS &&
	    !(job->engine->opt.test_options & BGCOPY_TEST_SHORT_RETRY))
		return set_error(BGCOPY_E_INVALID_ARG,
				 "minimum retry delay %llu ms is below the 5 s floor",
				 (unsigned long long)ms);
	return set_number(job, &job->min_retry_ms, NULL, ms,
			  BGCOPY_TP_PROP_MIN_RETRY_DELAY);
}

int bgcopy_job_set_min_retry_delay(bgcopy_job *job, uint32_t seconds)
{
	int status = bgcopy_job_set_min_retry_delay_ms(job, (uint64_t)seconds * 1000);

	/* Refused in the unit the caller gave. */
	if (status == BGCOPY_E_INVALID_ARG && job)
		set_error(status, "minimum retry delay %u s is below the 5 s floor",
			  (unsigned)seconds);
	return status;
}

int bgcopy_job_set_no_progress_timeout(bgcopy_job *job, uint32_t seconds)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, &job->no_progress_ms, NULL,
			  (uint64_t)seconds * 1000,
			  BGCOPY_TP_PROP_NO_PROGRESS_TIMEOUT);
}

int bgcopy_job_set_max_download_time(bgcopy_job *job, uint32_t seconds)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, &job->max_download_time_ms, NULL, (uint64_t)seconds * 1000,
			  BGCOPY_TP_PROP_MAX_DOWNLOAD_TIME);
}

int bgcopy_job_set_dynamic_content(bgcopy_job *job, int enabled)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, NULL, &job->dynamic_content, enabled != 0,
			  BGCOPY_TP_PROP_DYNAMIC_CONTENT);
}

int bgcopy_job_set_max_bandwidth(bgcopy_job *job, uint64_t bytes_per_s)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, &job->max_bandwidth, NULL, bytes_per_s,
			  BGCOPY_TP_PROP_MAX_BANDWIDTH);
}

int bgcopy_job_set_parallel_files(bgcopy_job *job, uint32_t files)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (files < 1 || files > BGCOPY_PARALLEL_FILES_MAX)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "parallel files %u is not between 1 and %u",
				 (unsigned)files, BGCOPY_PARALLEL_FILES_MAX);
	return set_number(job, NULL, &job->parallel_files, files,
			  BGCOPY_TP_PROP_PARALLEL_FILES);
}

int bgcopy_job_set_max_download_size(bgcopy_job *job, uint64_t bytes)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, &job->max_download, NULL, bytes,
			  BGCOPY_TP_PROP_MAX_DOWNLOAD_SIZE);
}

int bgcopy_job_set_modification_interval_ms(bgcopy_job *job, uint32_t ms)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, NULL, &job->modification_ms, ms,
			  BGCOPY_TP_PROP_MODIFICATION_INTERVAL);
}

/* Takes effect from the job's next transfer; a running one keeps the
 * policy it started with. */
int bgcopy_job_set_redirect_policy(bgcopy_job *job,
				   enum bgcopy_redirect_policy policy)
{
	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_set_redirect_policy(job, policy));
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (policy != BGCOPY_REDIRECT_ALLOW && policy != BGCOPY_REDIRECT_DISALLOW &&
	    policy != BGCOPY_REDIRECT_ALLOW_INSECURE)
		return set_error(BGCOPY_E_INVALID_ARG, "unknown redirect policy %d",
				 (int)policy);
	/* Stored through the 32-bit path, as the priority is. */
	return set_number(job, NULL, (uint32_t *)&job->redirect_policy,
			  (uint32_t)policy, BGCOPY_TP_PROP_REDIRECT_POLICY);
}

/* ---- getters --------------------------------------------------------- */

void bgcopy_job_get_id(const bgcopy_job *job, char out[37])
{
	memcpy(out, job->id, sizeof(job->id));
}

/* `lost`: what a client engine's getter gives once bgcopyd is gone
 * (bgcopy.h, bgcopy_engine_open). */
#define GETTER(type, name, rule, lost, expr)			\
	type name(bgcopy_job *job)				\
	{							\
		type value = (type)(lost);			\
		if (api_enter(job, rule) == BGCOPY_OK)		\
			value = (expr);				\
		api_leave_read(job->engine);			\
		return value;					\
	}

GETTER(enum bgcopy_state, bgcopy_job_get_state, API_READ_SIGNALED, BGCOPY_E_IO, job->state)
GETTER(enum bgcopy_priority, bgcopy_job_get_priority, API_READ_SIGNALED, BGCOPY_E_IO, job->priority)
GETTER(uint32_t, bgcopy_job_get_owner, API_READ_SIGNALED, 0, job->owner)
GETTER(uint32_t, bgcopy_job_get_min_retry_delay, API_READ, 0,
       (uint32_t)(job->min_retry_ms / 1000))
GETTER(uint32_t, bgcopy_job_get_no_progress_timeout, API_READ, 0,
       (uint32_t)(job->no_progress_ms / 1000))
GETTER(uint32_t, bgcopy_job_get_notify_flags, API_READ_SIGNALED, 0, job->notify_flags)
GETTER(uint64_t, bgcopy_job_get_notify_epoch, API_READ, 0, job->epoch)
GETTER(uint64_t, bgcopy_job_get_max_download_size, API_READ, 0, job->max_download)
GETTER(int, bgcopy_job_get_dynamic_content, API_READ_LIVE, BGCOPY_E_IO,
       (int)job->dynamic_content)
GETTER(uint64_t, bgcopy_job_get_max_bandwidth, API_READ_LIVE, 0, job->max_bandwidth)
GETTER(uint32_t, bgcopy_job_get_parallel_files, API_READ_LIVE, 0, job->parallel_files)
GETTER(uint32_t, bgcopy_job_get_max_download_time, API_READ_LIVE, 0,
       (uint32_t)(job->max_download_time_ms / 1000))
GETTER(enum bgcopy_redirect_policy, bgcopy_job_get_redirect_policy, API_READ, BGCOPY_E_IO,
       job->redirect_policy)

int64_t bgcopy_job_get_time(bgcopy_job *job, int which)
{
	int64_t t = BGCOPY_E_IO;

	if (api_enter(job, API_READ) == BGCOPY_OK)
		t = which == BGCOPY_TIME_CREATED ? job->ctime :
		    which == BGCOPY_TIME_MODIFIED ? job->mtime : job->ttime;
	api_leave_read(job->engine);
	return t;
}

/* As snprintf "%s" would, cut to size - 1, without its cost: bgcopyd
 * reads every file of a job at each of its changes (job_digest.c). */
static void copy_text(char *out, size_t size, const char *text)
{
	size_t len;

	if (!size)
		return;
	len = text ? strnlen(text, size - 1) : 0;
	memcpy(out, text ? text : "", len);
	out[len] = '\0';
}

/* "" when a client engine's bgcopyd is gone. */
void bgcopy_job_get_display_name(bgcopy_job *job, char *out, size_t size)
{
	bool read = api_enter(job, API_READ) == BGCOPY_OK;

	copy_text(out, size, read ? job->name : NULL);
	api_leave_read(job->engine);
}

void bgcopy_job_get_description(bgcopy_job *job, char *out, size_t size)
{
	bool read = api_enter(job, API_READ) == BGCOPY_OK;

	copy_text(out, size, read ? job->description : NULL);
	api_leave_read(job->engine);
}

int bgcopy_job_get_progress(bgcopy_job *job, struct bgcopy_progress *out)
{
	int status;

	if (!job || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	status = api_enter(job, API_READ);
	if (!status)
		job_progress(job, out);
	api_leave_read(job->engine);
	return status;
}

int bgcopy_job_get_file(bgcopy_job *job, unsigned index,
			struct bgcopy_file_info *out)
{
	int status = BGCOPY_OK;

	if (!job || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	status = api_enter(job, API_READ);
	if (status == BGCOPY_OK && index >= job->nfiles) {
		status = set_error(BGCOPY_E_NOT_FOUND, "job %s has no file %u",
				   job->id, index);
	} else if (status == BGCOPY_OK) {
		const struct job_file *f = &job->files[index];

		job_file_url_check(job, index);	/* else shown as unreadable */
		copy_text(out->url, sizeof(out->url), f->url);
		copy_text(out->redacted_url, sizeof(out->redacted_url),
			  f->redacted_url);
		copy_text(out->local_path, sizeof(out->local_path), f->local_path);
		out->bytes_total = f->bytes_total;
		out->bytes_transferred = f->bytes_done;
		out->completed = f->completed;
	}
	api_leave_read(job->engine);
	return status;
}

int bgcopy_job_get_error(bgcopy_job *job, struct bgcopy_error *out)
{
	int status = BGCOPY_OK;

	if (!job || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	status = api_enter(job, API_READ);
	if (status == BGCOPY_OK && job->has_error)
		*out = job->error;
	else if (status == BGCOPY_OK)
		status = set_error(BGCOPY_E_NOT_FOUND, "job %s has no error",
				   job->id);
	api_leave_read(job->engine);
	return status;
}

int bgcopy_job_get_file_final_url(bgcopy_job *job, unsigned index, char *out,
				  size_t size)
{
	int status = BGCOPY_OK;

	if (!job || !out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	status = api_enter(job, API_READ);
	*out = '\0';
	if (status == BGCOPY_OK && index >= job->nfiles)
		status = set_error(BGCOPY_E_NOT_FOUND, "job %s has no file %u",
				   job->id, index);
	else if (status == BGCOPY_OK)
		snprintf(out, size, "%s", job->files[index].final_url ?
			 job->files[index].final_url : "");
	api_leave_read(job->engine);
	return status;
}

int bgcopy_job_get_file_sha256(bgcopy_job *job, unsigned index, char *out,
			       size_t size)
{
	int status = BGCOPY_OK;

	if (!job || !out || size < SHA256_HEX_SIZE)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "job and out (%d bytes) are required",
				 SHA256_HEX_SIZE);
	status = api_enter(job, API_READ);
	*out = '\0';
	if (status == BGCOPY_OK && index >= job->nfiles)
		status = set_error(BGCOPY_E_NOT_FOUND, "job %s has no file %u",
				   job->id, index);
	else if (status == BGCOPY_OK && job->files[index].has_sha256)
		sha256_to_hex(job->files[index].sha256, out);
	api_leave_read(job->engine);
	return status;
}
