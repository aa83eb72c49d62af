/* A job's memory: allocation with the defaults, freeing, and figures derived from it. */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

bgcopy_job *job_alloc(bgcopy_engine *engine)
{
	bgcopy_job *job = xcalloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->engine = engine;
	job->priority = BGCOPY_PRIORITY_NORMAL;
	job->state = BGCOPY_SUSPENDED;
	job->min_retry_ms = BGCOPY_DEFAULT_RETRY_MS;
	job->no_progress_ms = BGCOPY_DEFAULT_NO_PROGRESS_MS;
	job->max_download_time_ms = BGCOPY_DEFAULT_MAX_DOWNLOAD_TIME_S * 1000ull;
	job->modification_ms = BGCOPY_DEFAULT_MODIFICATION_MS;
	job->notify_flags = BGCOPY_NOTIFY_DEFAULT;
	job->cmdline_timeout_s = BGCOPY_DEFAULT_CMDLINE_TIMEOUT_S;
	job->parallel_files = 1;	/* BITS' order: one file at a time */
	job->error.file_index = -1;
	return job;
}

int job_reserve_file_queue(bgcopy_job *job, unsigned files)
{
	unsigned *queue;

	assert(job->file_queue_len <= files);
	if (!files)
		return BGCOPY_OK;
	queue = realloc(job->file_queue, files * sizeof(*queue));
	if (!queue)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	job->file_queue = queue;
	return BGCOPY_OK;
}

void job_free(bgcopy_job *job)
{
	for (unsigned i = 0; i < job->nfiles; i++) {
		pathmap_remove(&job->engine->destinations, job->files[i].local_path, job);
		free(job->files[i].url);
		free(job->files[i].redacted_url);
		free(job->files[i].local_path);
		free(job->files[i].temp_path);
		free(job->files[i].etag);
		free(job->files[i].last_modified);
		free(job->files[i].final_url);
		free(job->files[i].response_headers);
	}
	free(job->files);
	free(job->file_queue);
	argv_free(job->cmdline);
	free(job->name);
	free(job->description);
	free_secret(job->auth.user);
	free_secret(job->auth.password);
	free_secret(job->proxy_auth.user);
	free_secret(job->proxy_auth.password);
	free_secret(job->headers);
	free(job->notify_service);
	free(job->proxy_list);
	free(job->proxy_bypass);
	free(job->fs_owner);
	free(job->tls.client_cert);
	free(job->tls.client_key);
	free(job->tls.ca_file);
	free(job->tls.crl_file);
	free(job);
}

void engine_link_job(bgcopy_engine *engine, bgcopy_job *job)
{
	job->next = NULL;
	job->prev = engine->jobs_tail;
	job->order = ++engine->jobs_linked;
	jobq_mark(job);
	if (engine->jobs_tail)
		engine->jobs_tail->next = job;
	else
		engine->jobs = job;
	engine->jobs_tail = job;
}

static void engine_unlink_job(bgcopy_engine *engine, bgcopy_job *job)
{
	if (job->prev)
		job->prev->next = job->next;
	else
		engine->jobs = job->next;
	if (job->next)
		job->next->prev = job->prev;
	else
		engine->jobs_tail = job->prev;
	job->next = job->prev = NULL;
}

void job_pin(bgcopy_job *job)
{
	assert(engine_locked(job->engine));
	job->pins++;
}

void job_unpin(bgcopy_job *job)
{
	assert(engine_locked(job->engine) && job->pins > 0);
	if (--job->pins == 0 && job->forgotten)
		job_free(job);
}

/* A final job leaves every list and queue at once, so no thread finds it
 * again; its memory goes now, or with its last pin.  Nothing is left of
 * it elsewhere: its files' destinations were let go and its rows left
 * the store when it became final, its transfers were aborted and its
 * registration dropped. */
void job_forget(bgcopy_job *job)
{
	assert(engine_locked(job->engine));
	assert(job_is_final(job) && !job->forgotten && !job->files_busy);
	engine_unlink_job(job->engine, job);
	jobq_forget(job);
	job->forgotten = true;
	if (job->pins == 0)
		job_free(job);
}

/* The file's destination is the job's from now on (until it is freed or
 * final: check_destination_free in job_api.c). */
int job_claim_destination(bgcopy_job *job, unsigned index)
{
	assert(index < job->nfiles);
	return pathmap_put(&job->engine->destinations, job->files[index].local_path,
			   job);
}

bool job_is_final(const bgcopy_job *job)
{
	return state_is_final(job->state);
}

void job_progress(const bgcopy_job *job, struct bgcopy_progress *out)
{
	*out = (struct bgcopy_progress){ .files_total = job->nfiles };
	for (unsigned i = 0; i < job->nfiles; i++) {
		const struct job_file *f = &job->files[i];

		/* Sizes come from servers and the store: a sum past the
		 * type is saturated (bytes done) or unknown (the total). */
		if (__builtin_add_overflow(out->bytes_transferred, f->bytes_done,
					   &out->bytes_transferred))
			out->bytes_transferred = UINT64_MAX;
		if (f->bytes_total < 0 || out->bytes_total < 0 ||
		    __builtin_add_overflow(out->bytes_total, f->bytes_total,
					   &out->bytes_total))
			out->bytes_total = -1;
		out->files_transferred += f->completed;
	}
}

/* A URL loaded from the store is checked when first used rather than at
 * open (url_check was a fifth of an open): refused, it is shown as
 * "(unreadable URL)", and asked again at each use, which fails again. */
int job_file_url_check(bgcopy_job *job, unsigned index)
{
	struct job_file *f = &job->files[index];
	char *redacted = NULL;
	int status;

	assert(index < job->nfiles);
	if (!f->url_unchecked)
		return BGCOPY_OK;
	status = url_check(f->url, job->engine->opt.test_options &
			   BGCOPY_TEST_ALLOW_FILE, &redacted);
	free(f->redacted_url);
	f->redacted_url = status ? xstrdup("(unreadable URL)") : redacted;
	f->url_unchecked = status != BGCOPY_OK;
	return status;
}

int job_as_owner(bgcopy_job *job, struct as_owner *as)
{
	struct fs_identity *id = job->fs_owner;
	int status;

	assert(engine_locked(job->engine));
	if (!fs_identity_switches(job->owner))
		return as_owner_begin(NULL, as);
	if (!id || id->uid != job->owner) {
		free(job->fs_owner);
		job->fs_owner = NULL;
		id = xcalloc(1, sizeof(*id));
		if (!id)
			return BGCOPY_E_NOMEM;
		status = fs_identity_lookup(job->owner, id, NULL, 0);
		if (status) {
			free(id);
			return status;
		}
		job->fs_owner = id;
	}
	return as_owner_begin(id, as);
}

/* The temporary file sits beside its destination, so committing it is a
 * rename within one file system.  NULL on no memory. */
char *job_temp_name(const bgcopy_job *job, unsigned index)
{
	const struct job_file *f = &job->files[index];
	char dir[PATH_MAX], base[PATH_MAX];
	char *path;

	assert(index < job->nfiles);
	snprintf(dir, sizeof(dir), "%s", f->local_path);
	snprintf(base, sizeof(base), "%s", f->local_path);
	if (asprintf(&path, "%s/.%s.%.8s-%u.bgcopy-tmp", dirname(dir),
		     basename(base), job->id, index) < 0)
		return NULL;
	return path;
}

int job_temp_path(bgcopy_job *job, unsigned index)
{
	struct job_file *f = &job->files[index];

	if (f->temp_path)
		return BGCOPY_OK;
	f->temp_path = job_temp_name(job, index);
	return f->temp_path ? BGCOPY_OK : set_error(BGCOPY_E_NOMEM, "out of memory");
}

uint64_t job_active_ms(const bgcopy_job *job, int64_t now)
{
	return job->active_ms + (job->active_since_ms ?
				 (uint64_t)(now - job->active_since_ms) : 0);
}
