/*
 * Jobs: creation, files, properties and the state machine of
 * docs/CONTRACT.md section 2.  Every public entry point takes the engine
 * lock, refuses final jobs and read-only engines, changes the job, traces
 * the change and writes it through to the store before returning.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "internal.h"
#include "trace.h"

bool job_is_final(const bgcopy_job *job)
{
	return job->state == BGCOPY_ACKNOWLEDGED ||
	       job->state == BGCOPY_CANCELLED;
}

static bool job_wants_bytes_in(enum bgcopy_state state)
{
	switch (state) {
	case BGCOPY_QUEUED:
	case BGCOPY_CONNECTING:
	case BGCOPY_TRANSFERRING:
	case BGCOPY_TRANSIENT_ERROR:
		return true;
	default:
		return false;
	}
}

bool job_wants_bytes(const bgcopy_job *job)
{
	return job_wants_bytes_in(job->state);
}

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
	job->modification_ms = BGCOPY_DEFAULT_MODIFICATION_MS;
	job->notify_flags = BGCOPY_NOTIFY_DEFAULT;
	job->error.file_index = -1;
	return job;
}

void job_free(bgcopy_job *job)
{
	for (unsigned i = 0; i < job->nfiles; i++) {
		free(job->files[i].url);
		free(job->files[i].redacted_url);
		free(job->files[i].local_path);
		free(job->files[i].temp_path);
	}
	free(job->files);
	free(job->file_queue);
	argv_free(job->cmdline);
	free(job->name);
	free(job->description);
	free(job);
}

void engine_link_job(bgcopy_engine *engine, bgcopy_job *job)
{
	if (engine->jobs_tail)
		engine->jobs_tail->next = job;
	else
		engine->jobs = job;
	engine->jobs_tail = job;
}

void job_touch(bgcopy_job *job)
{
	job->mtime = now_wall_s();
}

/* The temporary file sits beside its destination, so committing it is a
 * rename within one file system. */
int job_temp_path(bgcopy_job *job, unsigned index)
{
	struct job_file *f = &job->files[index];
	char dir[PATH_MAX], base[PATH_MAX];
	char *path;

	if (f->temp_path)
		return BGCOPY_OK;
	snprintf(dir, sizeof(dir), "%s", f->local_path);
	snprintf(base, sizeof(base), "%s", f->local_path);
	if (asprintf(&path, "%s/.%s.%.8s-%u.bgcopy-tmp", dirname(dir),
		     basename(base), job->id, index) < 0)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	f->temp_path = path;
	return BGCOPY_OK;
}

static int cause_error_context(const bgcopy_job *job, enum bgcopy_state to)
{
	return (to == BGCOPY_ERROR || to == BGCOPY_TRANSIENT_ERROR) &&
	       job->has_error ? (int)job->error.context : BGCOPY_ERRCTX_NONE;
}

void job_set_state(bgcopy_job *job, enum bgcopy_state to, int cause)
{
	enum bgcopy_state from = job->state;
	bool with_error = cause_error_context(job, to) != BGCOPY_ERRCTX_NONE;

	if (from == to)
		return;
	job->state = to;
	job_touch(job);
	/* The no-progress clock starts when the job starts wanting bytes,
	 * and stops while it waits in the queue for a connection: the
	 * contract counts it in CONNECTING, TRANSFERRING, TRANSIENT_ERROR. */
	if (!job_wants_bytes_in(from) && job_wants_bytes(job))
		job->last_progress_ms = now_ms();
	if (to == BGCOPY_QUEUED)
		job->queued_since_ms = now_ms();
	if (from == BGCOPY_QUEUED && job->queued_since_ms)
		job->last_progress_ms += now_ms() - job->queued_since_ms;
	if (to == BGCOPY_TRANSFERRED)
		job->ttime = job->mtime;
	TRACE(state_change, TRACE_JOB(job),
	      (&(struct bgcopy_tp_state_change){
		      .from = from, .to = to, .cause = cause,
		      .error_context = cause_error_context(job, to),
		      .error_code = with_error ? job->error.code : 0,
		      .http_status = with_error ? job->error.http_status : 0,
		      .curl_code = with_error ? job->error.curl_code : 0,
		      .error_file = with_error ? job->error.file_index : -1,
		      .description = with_error ? job->error.description : "",
	      }));
	notify_on_state(job, from, to);
	store_save_job(job);
	pthread_cond_broadcast(&job->engine->idle_cond);
	transfer_wake(job->engine);
}

void job_fail(bgcopy_job *job, bool transient, const struct bgcopy_error *err)
{
	job->error = *err;
	job->has_error = true;
	if (transient) {
		/* +1: whole milliseconds must not cut the delay short. */
		job->retry_at_ms = now_ms() + (int64_t)job->min_retry_ms + 1;
		job_set_state(job, BGCOPY_TRANSIENT_ERROR,
			      BGCOPY_TP_CAUSE_TRANSIENT_FAILURE);
	} else {
		job_set_state(job, BGCOPY_ERROR, BGCOPY_TP_CAUSE_PERMANENT_FAILURE);
	}
}

void job_note_progress(bgcopy_job *job, unsigned index)
{
	job->last_progress_ms = now_ms();
	if (TRACE_ENABLED(progress)) {
		struct bgcopy_progress p;
		struct job_file *f = &job->files[index];

		job_progress(job, &p);
		TRACE(progress, TRACE_JOB(job),
		      (&(struct bgcopy_tp_progress){
			      .file_index = (int32_t)index,
			      .file_bytes = f->bytes_done,
			      .file_total = f->bytes_total,
			      .job_bytes = p.bytes_transferred,
			      .job_total = p.bytes_total,
		      }));
	}
	notify_on_modification(job);
}

void job_file_completed(bgcopy_job *job, unsigned index)
{
	struct job_file *f = &job->files[index];
	unsigned before;

	f->completed = true;
	f->bytes_total = (int64_t)f->bytes_done;
	job->current_file = index + 1;
	TRACE(file_complete, TRACE_JOB(job), (int32_t)index, f->bytes_done);
	/* The file's completion and the FileTransferred it is owed are
	 * stored together, or a crash could lose the notification. */
	before = store_failures(job->engine);
	store_begin(job->engine);
	store_save_file(job, index);
	notify_on_file_completed(job, index);
	/* Between files the job stays TRANSFERRING; the worker starts the
	 * next one. */
	if (job->current_file >= job->nfiles) {
		job_set_state(job, BGCOPY_TRANSFERRED,
			      BGCOPY_TP_CAUSE_ALL_FILES_DONE);
	} else {
		store_save_job(job);
		transfer_wake(job->engine);
	}
	store_end(job->engine, store_check(job->engine, before, BGCOPY_OK));
}

/* ---- entry points ---------------------------------------------------- */

/* Takes the lock and checks that the job may change.  On failure the lock
 * is released again and the error set. */
static int lock_mutable(bgcopy_job *job)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	pthread_mutex_lock(&job->engine->lock);
	job->engine->call_mark = store_failures(job->engine);
	if (job->engine->opt.flags & BGCOPY_OPEN_READ_ONLY) {
		pthread_mutex_unlock(&job->engine->lock);
		return set_error(BGCOPY_E_READ_ONLY,
				 "the engine was opened read-only; job %s cannot change",
				 job->id);
	}
	if (job_is_final(job)) {
		pthread_mutex_unlock(&job->engine->lock);
		return set_error(BGCOPY_E_INVALID_STATE,
				 "job %s is %s; a final job cannot change",
				 job->id, bgcopy_state_name(job->state));
	}
	return BGCOPY_OK;
}

static int unlock_with(bgcopy_job *job, int status)
{
	status = store_check(job->engine, job->engine->call_mark, status);
	pthread_mutex_unlock(&job->engine->lock);
	return status;
}

int bgcopy_job_create(bgcopy_engine *engine, const char *display_name,
		      bgcopy_job **out)
{
	bgcopy_job *job;
	uuid_t uu;

	if (!engine || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "engine and out are required");
	*out = NULL;
	if (engine->opt.flags & BGCOPY_OPEN_READ_ONLY)
		return set_error(BGCOPY_E_READ_ONLY,
				 "the engine was opened read-only; no job can be created");
	job = job_alloc(engine);
	if (!job)
		return BGCOPY_E_NOMEM;
	uuid_generate_random(uu);
	uuid_unparse_lower(uu, job->id);
	job->name = xstrdup(display_name ? display_name : "");
	job->description = xstrdup("");
	if (!job->name || !job->description) {
		job_free(job);
		return BGCOPY_E_NOMEM;
	}
	job->owner = (uint32_t)getuid();
	job->ctime = job->mtime = now_wall_s();

	pthread_mutex_lock(&engine->lock);
	engine->call_mark = store_failures(engine);
	engine_link_job(engine, job);
	trace_job_event(job, BGCOPY_TP_EV_job_created);
	store_save_job(job);
	*out = job;	/* linked: the handle is good even if not stored */
	return unlock_with(job, BGCOPY_OK);
}

static int check_destination(const char *local_path)
{
	char dir[PATH_MAX];
	struct stat st;

	if (!local_path || !*local_path)
		return set_error(BGCOPY_E_INVALID_ARG, "empty local path");
	if (strlen(local_path) >= PATH_MAX)
		return set_error(BGCOPY_E_INVALID_ARG, "local path is too long");
	if (local_path[strlen(local_path) - 1] == '/')
		return set_error(BGCOPY_E_INVALID_ARG,
				 "local path '%s' names a directory, not a file",
				 local_path);
	snprintf(dir, sizeof(dir), "%s", local_path);
	dirname(dir);
	if (stat(dir, &st) != 0)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "destination directory '%s' does not exist: %s",
				 dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return set_error(BGCOPY_E_INVALID_ARG,
				 "'%s' is not a directory", dir);
	if (access(dir, W_OK | X_OK) != 0)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "destination directory '%s' is not writable: %s",
				 dir, strerror(errno));
	return BGCOPY_OK;
}

int bgcopy_job_add_file(bgcopy_job *job, const char *url,
			const char *local_path)
{
	bool allow_file;
	struct job_file *files, *f;
	char *redacted = NULL;
	char abs_path[PATH_MAX];
	int status;

	status = lock_mutable(job);
	if (status)
		return status;
	allow_file = job->engine->opt.test_options & BGCOPY_TEST_ALLOW_FILE;
	status = url_check(url, allow_file, &redacted);
	if (status)
		return unlock_with(job, status);
	status = check_destination(local_path);
	if (status)
		goto fail;
	if (local_path[0] != '/') {
		if (!getcwd(abs_path, sizeof(abs_path)) ||
		    strlen(abs_path) + strlen(local_path) + 2 > sizeof(abs_path)) {
			status = set_error(BGCOPY_E_INVALID_ARG,
					   "cannot make '%s' absolute", local_path);
			goto fail;
		}
		strcat(abs_path, "/");
		strcat(abs_path, local_path);
	} else {
		snprintf(abs_path, sizeof(abs_path), "%s", local_path);
	}
	if (job->nfiles >= job->engine->opt.max_files_per_job) {
		status = set_error(BGCOPY_E_LIMIT, "job %s already has %u files, the cap",
				   job->id, job->nfiles);
		goto fail;
	}
	files = realloc(job->files, (job->nfiles + 1) * sizeof(*files));
	if (!files) {
		status = set_error(BGCOPY_E_NOMEM, "out of memory");
		goto fail;
	}
	job->files = files;
	f = &files[job->nfiles];
	memset(f, 0, sizeof(*f));
	f->url = xstrdup(url);
	f->local_path = xstrdup(abs_path);
	f->redacted_url = redacted;
	f->bytes_total = -1;
	if (!f->url || !f->local_path) {
		free(f->url);
		free(f->local_path);
		status = BGCOPY_E_NOMEM;
		goto fail;
	}
	redacted = NULL;
	job->nfiles++;
	job_touch(job);
	TRACE(file_added, TRACE_JOB(job), (int32_t)(job->nfiles - 1),
	      f->redacted_url, f->local_path);
	store_save_file(job, job->nfiles - 1);
	notify_on_modification(job);
	if (job->state == BGCOPY_TRANSFERRED)
		job_set_state(job, BGCOPY_QUEUED, BGCOPY_TP_CAUSE_FILE_ADDED);
	else
		store_save_job(job);
	return unlock_with(job, BGCOPY_OK);
fail:
	free(redacted);
	return unlock_with(job, status);
}

int bgcopy_job_resume(bgcopy_job *job)
{
	int status = lock_mutable(job);

	if (status)
		return status;
	switch (job->state) {
	case BGCOPY_SUSPENDED:
	case BGCOPY_ERROR:
		if (job->nfiles == 0)
			return unlock_with(job, set_error(BGCOPY_E_INVALID_STATE,
				"job %s has no files to transfer", job->id));
		job->has_error = false;
		job->error = (struct bgcopy_error){ .file_index = -1 };
		job_set_state(job, BGCOPY_QUEUED, BGCOPY_TP_CAUSE_RESUME);
		return unlock_with(job, BGCOPY_OK);
	case BGCOPY_TRANSFERRED:
		return unlock_with(job, set_error(BGCOPY_E_INVALID_STATE,
			"job %s is already TRANSFERRED; complete it or add a file",
			job->id));
	default:
		return unlock_with(job, BGCOPY_OK);	/* already on its way */
	}
}

int bgcopy_job_suspend(bgcopy_job *job)
{
	int status = lock_mutable(job);

	if (status)
		return status;
	transfer_abort_job(job);
	job_set_state(job, BGCOPY_SUSPENDED, BGCOPY_TP_CAUSE_SUSPEND);
	return unlock_with(job, BGCOPY_OK);
}

static void remove_temp(struct job_file *f)
{
	if (f->temp_path && unlink(f->temp_path) != 0 && errno != ENOENT)
		set_error(BGCOPY_E_IO, "cannot remove '%s': %s", f->temp_path,
			  strerror(errno));
}

/* fchmod through a descriptor that follows no symlink: someone who can
 * write the directory must not get us to chmod a file of theirs choosing. */
static void share_temp(const char *path, mode_t mode)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
		fchmod(fd, mode);
	close(fd);
}

/* Commits finished files.  A rename that fails leaves the job as it was;
 * a file already renamed by an earlier, interrupted complete counts as
 * committed. */
static int commit_files(bgcopy_job *job)
{
	struct stat st;

	for (unsigned i = 0; i < job->nfiles; i++) {
		struct job_file *f = &job->files[i];

		if (!f->completed || !f->temp_path)
			continue;
		/* Temporary files are private (0600); the result is not. */
		share_temp(f->temp_path, job->engine->file_mode);
		if (rename(f->temp_path, f->local_path) == 0)
			continue;
		if (errno == ENOENT && lstat(f->local_path, &st) == 0)
			continue;
		return set_error(BGCOPY_E_IO, "cannot rename '%s' to '%s': %s",
				 f->temp_path, f->local_path, strerror(errno));
	}
	for (unsigned i = 0; i < job->nfiles; i++)
		if (!job->files[i].completed)
			remove_temp(&job->files[i]);
	return BGCOPY_OK;
}

int bgcopy_job_complete(bgcopy_job *job)
{
	int status = lock_mutable(job);

	if (status)
		return status;
	if (job->state != BGCOPY_TRANSFERRED && job->state != BGCOPY_ERROR &&
	    job->state != BGCOPY_SUSPENDED)
		return unlock_with(job, set_error(BGCOPY_E_INVALID_STATE,
			"job %s is %s; only a TRANSFERRED, ERROR or SUSPENDED job "
			"can be completed", job->id, bgcopy_state_name(job->state)));
	transfer_abort_job(job);
	status = commit_files(job);
	if (status)
		return unlock_with(job, status);
	job_set_state(job, BGCOPY_ACKNOWLEDGED, BGCOPY_TP_CAUSE_COMPLETE);
	status = unlock_with(job, BGCOPY_OK);
	notify_flush_releases(job->engine);
	return status;
}

void job_cancel_now(bgcopy_job *job)
{
	transfer_abort_job(job);
	for (unsigned i = 0; i < job->nfiles; i++) {
		job_temp_path(job, i);
		remove_temp(&job->files[i]);
	}
	job_set_state(job, BGCOPY_CANCELLED, BGCOPY_TP_CAUSE_CANCEL);
}

int bgcopy_job_cancel(bgcopy_job *job)
{
	int status = lock_mutable(job);

	if (status)
		return status;
	job_cancel_now(job);
	status = unlock_with(job, BGCOPY_OK);
	notify_flush_releases(job->engine);
	return status;
}

/* ---- properties ------------------------------------------------------ */

void job_property_changed(bgcopy_job *job, int property, const char *value)
{
	job_touch(job);
	TRACE(property_change, TRACE_JOB(job), property, value);
	notify_on_modification(job);
	store_save_job(job);
}

static int set_text(bgcopy_job *job, char **field, const char *value,
		    int property)
{
	char *copy;
	int status;

	if (!value)
		return set_error(BGCOPY_E_INVALID_ARG, "text is NULL");
	status = lock_mutable(job);
	if (status)
		return status;
	copy = xstrdup(value);
	if (!copy)
		return unlock_with(job, BGCOPY_E_NOMEM);
	free(*field);
	*field = copy;
	job_property_changed(job, property, copy);
	return unlock_with(job, BGCOPY_OK);
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
	int status = lock_mutable(job);

	if (status)
		return status;
	if (field64)
		*field64 = value;
	else
		*field32 = (uint32_t)value;
	snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
	job_property_changed(job, property, text);
	if (property == BGCOPY_TP_PROP_PRIORITY)
		transfer_wake(job->engine);
	return unlock_with(job, BGCOPY_OK);
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
	return bgcopy_job_set_min_retry_delay_ms(job, (uint64_t)seconds * 1000);
}

int bgcopy_job_set_no_progress_timeout(bgcopy_job *job, uint32_t seconds)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, &job->no_progress_ms, NULL,
			  (uint64_t)seconds * 1000,
			  BGCOPY_TP_PROP_NO_PROGRESS_TIMEOUT);
}

int bgcopy_job_set_modification_interval_ms(bgcopy_job *job, uint32_t ms)
{
	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	return set_number(job, NULL, &job->modification_ms, ms,
			  BGCOPY_TP_PROP_MODIFICATION_INTERVAL);
}

/* ---- getters --------------------------------------------------------- */

void bgcopy_job_get_id(const bgcopy_job *job, char out[37])
{
	memcpy(out, job->id, sizeof(job->id));
}

#define GETTER(type, name, expr)				\
	type name(bgcopy_job *job)				\
	{							\
		type value;					\
		pthread_mutex_lock(&job->engine->lock);		\
		value = (expr);					\
		pthread_mutex_unlock(&job->engine->lock);	\
		return value;					\
	}

GETTER(enum bgcopy_state, bgcopy_job_get_state, job->state)
GETTER(enum bgcopy_priority, bgcopy_job_get_priority, job->priority)
GETTER(uint32_t, bgcopy_job_get_owner, job->owner)
GETTER(uint32_t, bgcopy_job_get_min_retry_delay, (uint32_t)(job->min_retry_ms / 1000))
GETTER(uint32_t, bgcopy_job_get_no_progress_timeout, (uint32_t)(job->no_progress_ms / 1000))
GETTER(uint32_t, bgcopy_job_get_notify_flags, job->notify_flags)
GETTER(uint64_t, bgcopy_job_get_notify_epoch, job->epoch)

int64_t bgcopy_job_get_time(bgcopy_job *job, int which)
{
	int64_t t;

	pthread_mutex_lock(&job->engine->lock);
	t = which == BGCOPY_TIME_CREATED ? job->ctime :
	    which == BGCOPY_TIME_MODIFIED ? job->mtime : job->ttime;
	pthread_mutex_unlock(&job->engine->lock);
	return t;
}

static void copy_text(char *out, size_t size, const char *text)
{
	if (size)
		snprintf(out, size, "%s", text ? text : "");
}

void bgcopy_job_get_display_name(bgcopy_job *job, char *out, size_t size)
{
	pthread_mutex_lock(&job->engine->lock);
	copy_text(out, size, job->name);
	pthread_mutex_unlock(&job->engine->lock);
}

void bgcopy_job_get_description(bgcopy_job *job, char *out, size_t size)
{
	pthread_mutex_lock(&job->engine->lock);
	copy_text(out, size, job->description);
	pthread_mutex_unlock(&job->engine->lock);
}

void job_progress(const bgcopy_job *job, struct bgcopy_progress *out)
{
	*out = (struct bgcopy_progress){ .files_total = job->nfiles };
	for (unsigned i = 0; i < job->nfiles; i++) {
		const struct job_file *f = &job->files[i];

		out->bytes_transferred += f->bytes_done;
		if (f->bytes_total < 0 || out->bytes_total < 0)
			out->bytes_total = -1;
		else
			out->bytes_total += f->bytes_total;
		out->files_transferred += f->completed;
	}
}

int bgcopy_job_get_progress(bgcopy_job *job, struct bgcopy_progress *out)
{
	if (!job || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	pthread_mutex_lock(&job->engine->lock);
	job_progress(job, out);
	pthread_mutex_unlock(&job->engine->lock);
	return BGCOPY_OK;
}

int bgcopy_job_get_file(bgcopy_job *job, unsigned index,
			struct bgcopy_file_info *out)
{
	int status = BGCOPY_OK;

	if (!job || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	pthread_mutex_lock(&job->engine->lock);
	if (index >= job->nfiles) {
		status = set_error(BGCOPY_E_NOT_FOUND, "job %s has no file %u",
				   job->id, index);
	} else {
		const struct job_file *f = &job->files[index];

		copy_text(out->url, sizeof(out->url), f->url);
		copy_text(out->redacted_url, sizeof(out->redacted_url),
			  f->redacted_url);
		copy_text(out->local_path, sizeof(out->local_path), f->local_path);
		out->bytes_total = f->bytes_total;
		out->bytes_transferred = f->bytes_done;
		out->completed = f->completed;
	}
	pthread_mutex_unlock(&job->engine->lock);
	return status;
}

int bgcopy_job_get_error(bgcopy_job *job, struct bgcopy_error *out)
{
	int status = BGCOPY_OK;

	if (!job || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "job and out are required");
	pthread_mutex_lock(&job->engine->lock);
	if (job->has_error)
		*out = job->error;
	else
		status = set_error(BGCOPY_E_NOT_FOUND, "job %s has no error",
				   job->id);
	pthread_mutex_unlock(&job->engine->lock);
	return status;
}
