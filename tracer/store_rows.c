/* A job and its files as rows: what a stored row reads back as, and the values a save binds, in the order of STORE_JOB_COLUMNS. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CMDLINE_SEP "\x1f"

static char **split_cmdline(const char *text)
{
	size_t n = 1;
	char **argv, *copy, *save = NULL;

	if (!text || !*text)
		return NULL;
	for (const char *p = text; *p; p++)
		n += *p == CMDLINE_SEP[0];
	argv = xcalloc(n + 1, sizeof(*argv));
	copy = xstrdup(text);
	if (!argv || !copy) {
		free(argv);
		free(copy);
		return NULL;
	}
	n = 0;
	for (char *tok = strtok_r(copy, CMDLINE_SEP, &save); tok;
	     tok = strtok_r(NULL, CMDLINE_SEP, &save))
		argv[n++] = xstrdup(tok);
	free(copy);
	return argv;
}

const char *store_col_text(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t ? (const char *)t : "";
}

/* "" when the file expects no digest; anything but 64 hexadecimal
 * digits would let the file pass unchecked: refused. */
static int load_sha256(struct job_file *f, const char *hex)
{
	f->has_sha256 = *hex != '\0';
	return f->has_sha256 ? sha256_from_hex(hex, f->sha256) : 0;
}

int store_row_files(bgcopy_engine *engine, bgcopy_job *job, sqlite3_stmt *q)
{
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct job_file *files = realloc(job->files,
						 (job->nfiles + 1) * sizeof(*files));
		struct job_file *f;

		if (!files)
			break;
		job->files = files;
		f = &files[job->nfiles++];
		memset(f, 0, sizeof(*f));
		f->url = xstrdup(store_col_text(q, 0));
		f->local_path = xstrdup(store_col_text(q, 1));
		f->temp_path = *store_col_text(q, 2) ? xstrdup(store_col_text(q, 2)) : NULL;
		f->bytes_total = sqlite3_column_int64(q, 3);
		f->bytes_done = (uint64_t)sqlite3_column_int64(q, 4);
		f->bytes_saved = f->bytes_done;
		f->completed = sqlite3_column_int(q, 5);
		f->etag = xstrdup(store_col_text(q, 6));
		f->last_modified = xstrdup(store_col_text(q, 7));
		f->final_url = *store_col_text(q, 8) ? xstrdup(store_col_text(q, 8)) : NULL;
		f->url_unchecked = true;	/* when used: job_file_url_check */
		f->response_headers = *store_col_text(q, 10) ? xstrdup(store_col_text(q, 10)) : NULL;
		f->temp_dev = (uint64_t)sqlite3_column_int64(q, 11);
		f->temp_ino = (uint64_t)sqlite3_column_int64(q, 12);
		if (f->completed && job->current_file == job->nfiles - 1)
			job->current_file = job->nfiles;
		if (load_sha256(f, store_col_text(q, 9)))
			return set_error(BGCOPY_E_STORE, "store '%s': file %u of job %s "
					 "has an unreadable SHA-256", engine->store_dir,
					 job->nfiles - 1, job->id);
	}
	if (rc == SQLITE_DONE && job_reserve_file_queue(job, job->nfiles))
		return BGCOPY_E_NOMEM;
	return rc == SQLITE_DONE ? BGCOPY_OK :
	       set_error(BGCOPY_E_STORE, "store '%s': cannot read files: %s", engine->store_dir,
			 sqlite3_errmsg(sqlite3_db_handle(q)));
}

/* "2,5,7": the completed files still owed FileTransferred, in order. */
static int parse_file_queue(bgcopy_job *job, const char *text)
{
	size_t n = 1;

	if (!*text)
		return BGCOPY_OK;
	for (const char *p = text; *p; p++)
		n += *p == ',';
	job->file_queue = xcalloc(n, sizeof(*job->file_queue));
	if (!job->file_queue)
		return BGCOPY_E_NOMEM;
	for (char *p = (char *)text, *end; *p; p = *end ? end + 1 : end) {
		job->file_queue[job->file_queue_len++] = (unsigned)strtoul(p, &end, 10);
		if (end == p)
			break;
	}
	return BGCOPY_OK;
}

/* Both texts are built whole, never cut: a cut one would restore as
 * something else.  NULL on no memory. */
static char *format_file_queue(const bgcopy_job *job)
{
	size_t size = (size_t)job->file_queue_len * 11 + 1, len = 0;
	char *out = xcalloc(size, 1);

	for (unsigned i = 0; out && i < job->file_queue_len; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%u", i ? "," : "",
					job->file_queue[i]);
	return out;
}

static char *format_cmdline(const bgcopy_job *job)
{
	size_t size = 1, len = 0;
	char *out;

	for (char **a = job->cmdline; a && *a; a++)
		size += strlen(*a) + 1;
	out = xcalloc(size, 1);
	for (char **a = job->cmdline; out && a && *a; a++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len ? CMDLINE_SEP : "", *a);
	return out;
}

bgcopy_job *store_row_job(bgcopy_engine *engine, sqlite3_stmt *q)
{
	bgcopy_job *job = job_alloc(engine);
	int64_t parallel;

	if (!job)
		return NULL;
	snprintf(job->id, sizeof(job->id), "%s", store_col_text(q, 0));
	job->name = xstrdup(store_col_text(q, 1));
	job->description = xstrdup(store_col_text(q, 2));
	job->priority = sqlite3_column_int(q, 3);
	job->state = sqlite3_column_int(q, 4);
	job->owner = (uint32_t)sqlite3_column_int64(q, 5);
	job->ctime = sqlite3_column_int64(q, 6);
	job->mtime = sqlite3_column_int64(q, 7);
	job->ttime = sqlite3_column_int64(q, 8);
	job->notify_flags = (uint32_t)sqlite3_column_int(q, 9);
	job->min_retry_ms = (uint64_t)sqlite3_column_int64(q, 10);
	job->no_progress_ms = (uint64_t)sqlite3_column_int64(q, 11);
	job->modification_ms = (uint32_t)sqlite3_column_int64(q, 12);
	job->cmdline = split_cmdline(store_col_text(q, 13));
	job->epoch = (uint64_t)sqlite3_column_int64(q, 14);
	job->has_error = sqlite3_column_int(q, 15);
	job->error = (struct bgcopy_error){
		.context = sqlite3_column_int(q, 16),
		.code = sqlite3_column_int(q, 17),
		.http_status = sqlite3_column_int(q, 18),
		.curl_code = sqlite3_column_int(q, 19),
		.file_index = sqlite3_column_int(q, 20),
	};
	snprintf(job->error.description, sizeof(job->error.description), "%s",
		 store_col_text(q, 21));
	job->ob_transferred.discharged = sqlite3_column_int(q, 22) & BGCOPY_NOTIFY_JOB_TRANSFERRED;
	job->ob_error.discharged = sqlite3_column_int(q, 22) & BGCOPY_NOTIFY_JOB_ERROR;
	job->max_download = (uint64_t)sqlite3_column_int64(q, 24);
	/* Anything but a known policy is taken for the safe default. */
	job->cmdline_timeout_s = sqlite3_column_int64(q, 26) > 0 &&
				 sqlite3_column_int64(q, 26) <= UINT32_MAX ?
				 (uint32_t)sqlite3_column_int64(q, 26) :
				 BGCOPY_DEFAULT_CMDLINE_TIMEOUT_S;
	job->redirect_policy = sqlite3_column_int(q, 25) == BGCOPY_REDIRECT_DISALLOW ||
			       sqlite3_column_int(q, 25) == BGCOPY_REDIRECT_ALLOW_INSECURE ?
			       sqlite3_column_int(q, 25) : BGCOPY_REDIRECT_ALLOW;
	store_http_load(q, 27, job);
	job->notify_service = *store_col_text(q, 41) ? xstrdup(store_col_text(q, 41)) : NULL;
	store_tls_load(q, 42, job);
	/* Out of range (a hand-edited row): the serial default. */
	parallel = sqlite3_column_int64(q, 47);
	job->parallel_files = parallel >= 1 && parallel <= BGCOPY_PARALLEL_FILES_MAX ?
			      (uint32_t)parallel : 1;
	job->created_order = (uint64_t)sqlite3_column_int64(q, 48);
	if (parse_file_queue(job, store_col_text(q, 23))) {
		job_free(job);
		return NULL;
	}
	return job;
}


int store_bind_job(sqlite3_stmt *q, const bgcopy_job *job)
{
	char *cmdline = format_cmdline(job), *queue = format_file_queue(job);

	if (!cmdline || !queue) {
		free(cmdline);
		free(queue);
		return BGCOPY_E_NOMEM;
	}
	sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, job->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, job->description, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, job->priority);
	sqlite3_bind_int(q, 5, job->state);
	sqlite3_bind_int64(q, 6, job->owner);
	sqlite3_bind_int64(q, 7, job->ctime);
	sqlite3_bind_int64(q, 8, job->mtime);
	sqlite3_bind_int64(q, 9, job->ttime);
	sqlite3_bind_int(q, 10, (int)job->notify_flags);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)job->min_retry_ms);
	sqlite3_bind_int64(q, 12, (sqlite3_int64)job->no_progress_ms);
	sqlite3_bind_int64(q, 13, job->modification_ms);
	sqlite3_bind_text(q, 14, cmdline, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 15, (sqlite3_int64)job->epoch);
	sqlite3_bind_int(q, 16, job->has_error);
	sqlite3_bind_int(q, 17, job->error.context);
	sqlite3_bind_int(q, 18, job->error.code);
	sqlite3_bind_int(q, 19, job->error.http_status);
	sqlite3_bind_int(q, 20, job->error.curl_code);
	sqlite3_bind_int(q, 21, job->error.file_index);
	sqlite3_bind_text(q, 22, job->error.description, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 23, (job->ob_transferred.discharged ? BGCOPY_NOTIFY_JOB_TRANSFERRED : 0) |
			 (job->ob_error.discharged ? BGCOPY_NOTIFY_JOB_ERROR : 0));
	sqlite3_bind_text(q, 24, queue, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 25, (sqlite3_int64)job->max_download);
	sqlite3_bind_int(q, 26, job->redirect_policy);
	sqlite3_bind_int64(q, 27, job->cmdline_timeout_s);
	store_http_bind(q, 28, job);
	sqlite3_bind_text(q, 42, job->notify_service ? job->notify_service : "", -1,
			  SQLITE_STATIC);
	store_tls_bind(q, 43, job);
	sqlite3_bind_int64(q, 48, job->parallel_files);
	sqlite3_bind_int64(q, 49, (sqlite3_int64)job->created_order);
	free(cmdline);
	free(queue);
	return BGCOPY_OK;
}

void store_bind_file(sqlite3_stmt *q, const bgcopy_job *job, unsigned index)
{
	const struct job_file *f = &job->files[index];
	char sha256[SHA256_HEX_SIZE] = "";

	if (f->has_sha256)
		sha256_to_hex(f->sha256, sha256);
	sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, (int)index);
	sqlite3_bind_text(q, 3, f->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, f->local_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, f->temp_path ? f->temp_path : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, f->bytes_total);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)f->bytes_done);
	sqlite3_bind_int(q, 8, f->completed);
	sqlite3_bind_text(q, 9, f->etag ? f->etag : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, f->last_modified ? f->last_modified : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(q, 11, f->final_url ? f->final_url : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 13, f->response_headers ? f->response_headers : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(q, 14, (sqlite3_int64)f->temp_dev);
	sqlite3_bind_int64(q, 15, (sqlite3_int64)f->temp_ino);
}
