/* Public verbs that create a job, add its files and move it: create, add_file, add_files, resume, suspend, complete, cancel. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "client/client.h"
#include "file_check.h"
#include "internal.h"
#include "trace.h"

/* A job in its first state, not yet linked: NULL on no memory. */
static bgcopy_job *new_job(bgcopy_engine *engine, const char *display_name, uint32_t owner)
{
	bgcopy_job *job = job_alloc(engine);
	uuid_t uu;

	if (!job)
		return NULL;
	uuid_generate_random(uu);
	uuid_unparse_lower(uu, job->id);
	job->name = xstrdup(display_name ? display_name : "");
	job->description = xstrdup("");
	if (!job->name || !job->description) {
		job_free(job);
		return NULL;
	}
	job->owner = owner;
	job->ctime = job->mtime = now_wall_s();
	return job;
}

int bgcopy_job_create(bgcopy_engine *engine, const char *display_name,
		      bgcopy_job **out)
{
	return bgcopy_job_create_as(engine, display_name, (uint32_t)getuid(), out);
}

int bgcopy_job_create_as(bgcopy_engine *engine, const char *display_name,
			 uint32_t owner, bgcopy_job **out)
{
	bgcopy_job *job;
	int status;

	if (owner != (uint32_t)getuid() && (geteuid() != 0 || (engine && engine->client)))
		return set_error(BGCOPY_E_INVALID_ARG, "uid %u cannot create a job for "
				 "uid %u: only root can, in its own engine (bgcopyd "
				 "makes its caller the owner)", (unsigned)getuid(),
				 (unsigned)owner);
	CLIENT_DISPATCH(engine, client_job_create(engine, display_name, out));
	if (!engine || !out)
		return set_error(BGCOPY_E_INVALID_ARG, "engine and out are required");
	*out = NULL;
	job = new_job(engine, display_name, owner);
	if (!job)
		return BGCOPY_E_NOMEM;
	status = api_enter_engine(engine, API_CHANGE);
	/* Refused, naming why, rather than created with nowhere to stay. */
	if (!status)
		status = store_owner_ready(engine, owner);
	if (status) {
		job_free(job);
		return api_leave(engine, status);
	}
	engine_link_job(engine, job);
	trace_job_event(job, BGCOPY_TP_EV_job_created);
	job_changed(job, BGCOPY_CHANGE_STATE);	/* it enters SUSPENDED */
	store_save_job(job);
	*out = job;	/* linked: the handle is good even if not stored */
	return api_leave(engine, BGCOPY_OK);
}

/* Two files committed to one path would leave whichever came last:
 * a destination belongs to one file of one unfinished job. */
static int check_destination_free(bgcopy_engine *engine, const char *path)
{
	bgcopy_job *holder = pathmap_get(&engine->destinations, path);

	assert(engine_locked(engine));
	if (!holder || job_is_final(holder))
		return BGCOPY_OK;
	for (unsigned i = 0; i < holder->nfiles; i++)
		if (!strcmp(holder->files[i].local_path, path))
			return set_error(BGCOPY_E_INVALID_ARG, "'%s' is already "
					 "the destination of file %u of job %s",
					 path, i, holder->id);
	assert(!"a destination's holder has no file there");
	return BGCOPY_OK;
}

/* Appends the file to the job; takes `redacted` over on success. */
static int append_file(bgcopy_job *job, const char *url, const char *path,
		       char *redacted)
{
	struct job_file *files, *f;

	if (job->nfiles >= job->engine->opt.max_files_per_job)
		return set_error(BGCOPY_E_LIMIT, "job %s already has %u files, the cap",
				 job->id, job->nfiles);
	files = realloc(job->files, (job->nfiles + 1) * sizeof(*files));
	if (!files)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	job->files = files;
	if (job_reserve_file_queue(job, job->nfiles + 1))
		return BGCOPY_E_NOMEM;
	f = &files[job->nfiles];
	*f = (struct job_file){ .url = xstrdup(url), .local_path = xstrdup(path),
				.bytes_total = -1 };
	if (!f->url || !f->local_path) {
		free(f->url);
		free(f->local_path);
		return BGCOPY_E_NOMEM;
	}
	job->nfiles++;
	if (job_claim_destination(job, job->nfiles - 1)) {
		job->nfiles--;
		free(f->url);
		free(f->local_path);
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	}
	f->redacted_url = redacted;
	return BGCOPY_OK;
}

int bgcopy_job_add_file(bgcopy_job *job, const char *url,
			const char *local_path)
{
	return bgcopy_job_add_file_sha256(job, url, local_path, NULL);
}

/* User info a URL carried, kept until its file is surely added. */
struct url_secrets {
	char *user, *password;
};

/* Appends a checked file (lock held); nothing appended when it is
 * refused.  The URL's user info goes to `secrets`. */
static int append_checked(bgcopy_job *job, struct file_check *c,
			  struct url_secrets *secrets)
{
	int status = check_destination_free(job->engine, c->abs_path);

	*secrets = (struct url_secrets){ 0 };
	/* The URL is kept without its user info: that becomes the job's
	 * credentials, kept where secrets are. */
	if (!status)
		status = append_file(job, c->parts.bare, c->abs_path, c->parts.redacted);
	if (!status) {
		c->parts.redacted = NULL;	/* the file's now */
		*secrets = (struct url_secrets){ c->parts.user, c->parts.password };
		c->parts.user = c->parts.password = NULL;
	}
	return status;
}

/* Files from index `first` on, traced and stored; the job then says it
 * changed (lock held).  One store transaction: the rows, their temporary
 * names (noted here, off the transfer's path) and the job's row. */
static void files_added(bgcopy_job *job, unsigned first)
{
	store_begin(job->engine);
	job_touch(job);
	for (unsigned i = first; i < job->nfiles; i++) {
		TRACE(file_added, TRACE_JOB(job), (int32_t)i,
		      job->files[i].redacted_url, job->files[i].local_path);
		store_save_file(job, i);
	}
	job_note_temps(job, first);
	notify_on_modification(job);
	job_changed(job, BGCOPY_CHANGE_PROGRESS);
	if (job->state == BGCOPY_TRANSFERRED)
		job_set_state(job, BGCOPY_QUEUED, BGCOPY_TP_CAUSE_FILE_ADDED);
	else
		store_save_job(job);
	store_end(job->engine, BGCOPY_OK);
}

/* Takes the files appended from index `first` on out again. */
static void drop_files(bgcopy_job *job, unsigned first)
{
	while (job->nfiles > first) {
		struct job_file *f = &job->files[--job->nfiles];

		pathmap_remove(&job->engine->destinations, f->local_path, job);
		free(f->url);
		free(f->redacted_url);
		free(f->local_path);
	}
}

static void free_secrets(struct url_secrets *secrets, unsigned count)
{
	for (unsigned i = 0; secrets && i < count; i++) {
		free_secret(secrets[i].user);
		free_secret(secrets[i].password);
	}
}

/* Checks the files with the lock released (file_check.c), then appends
 * them all or none; the user info of their URLs goes to `secrets`.
 * *failed: the index of the file refused, or `count`. */
static int add_checked(bgcopy_job *job, unsigned count, const char *const *urls,
		       const char *const *local_paths, struct url_secrets *secrets,
		       unsigned *failed)
{
	struct file_check *checks = xcalloc(count, sizeof(*checks));
	unsigned first;
	int status;

	memset(secrets, 0, count * sizeof(*secrets));
	*failed = count;
	if (!checks)
		return BGCOPY_E_NOMEM;
	status = file_checks_run(job, count, urls, local_paths, checks, failed);
	first = job->nfiles;	/* others may have added files meanwhile */
	for (unsigned i = 0; !status && i < count; i++)
		if ((status = append_checked(job, &checks[i], &secrets[i])))
			*failed = i;
	if (status)
		drop_files(job, first);
	file_checks_free(checks, count);
	free(checks);
	return status;
}


int bgcopy_job_add_file_sha256(bgcopy_job *job, const char *url,
			       const char *local_path, const char *sha256_hex)
{
	unsigned char sha256[SHA256_BYTES];
	struct url_secrets secrets;
	unsigned failed;
	int status;

	if (sha256_hex && sha256_from_hex(sha256_hex, sha256))
		return set_error(BGCOPY_E_INVALID_ARG, "'%s' is not a SHA-256: "
				 "64 hexadecimal digits are wanted", sha256_hex);
	CLIENT_DISPATCH(job ? job->engine : NULL,
			client_job_add_file(job, url, local_path, sha256_hex));

	API_ENTER(job, API_CHANGE);
	status = add_checked(job, 1, &url, &local_path, &secrets, &failed);
	if (status) {
		free_secrets(&secrets, 1);
		return api_leave(job->engine, status);
	}
	if (secrets.user)
		job_take_credentials(job, &job->auth, BGCOPY_AUTH_ANY, secrets.user, secrets.password);
	job->files[job->nfiles - 1].has_sha256 = sha256_hex != NULL;
	if (sha256_hex)
		memcpy(job->files[job->nfiles - 1].sha256, sha256, sizeof(sha256));
	files_added(job, job->nfiles - 1);
	return api_leave(job->engine, BGCOPY_OK);
}

/* All or nothing, in one store transaction. */
static int add_all(bgcopy_job *job, unsigned count, const char *const *urls,
		   const char *const *local_paths, struct url_secrets *secrets)
{
	unsigned cap = job->engine->opt.max_files_per_job, failed;
	char why[512];
	int status;

	if (count > cap - job->nfiles)
		return set_error(BGCOPY_E_LIMIT, "job %s has %u files and may have "
				 "%u: %u more do not fit; nothing was added",
				 job->id, job->nfiles, cap, count);
	status = add_checked(job, count, urls, local_paths, secrets, &failed);
	if (status) {
		snprintf(why, sizeof(why), "%s", bgcopy_last_error());
		if (failed < count)
			return set_error(status, "file %u of %u: %s; nothing was added",
					 failed + 1, count, why);
		return set_error(status, "%s; nothing was added", why);
	}
	store_begin(job->engine);
	for (unsigned i = 0; i < count; i++)
		if (secrets[i].user) {
			job_take_credentials(job, &job->auth, BGCOPY_AUTH_ANY, secrets[i].user,
					     secrets[i].password);
			secrets[i] = (struct url_secrets){ 0 };
		}
	files_added(job, job->nfiles - count);
	store_end(job->engine, BGCOPY_OK);
	return BGCOPY_OK;
}

int bgcopy_job_add_files(bgcopy_job *job, unsigned count, const char *const *urls,
			 const char *const *local_paths)
{
	struct url_secrets *secrets;
	int status;

	if (count && (!urls || !local_paths))
		return set_error(BGCOPY_E_INVALID_ARG, "urls and local_paths are required");
	CLIENT_DISPATCH(job ? job->engine : NULL,
			client_job_add_files(job, count, urls, local_paths));

	API_ENTER(job, API_CHANGE);
	if (!count)
		return api_leave(job->engine, BGCOPY_OK);
	secrets = xcalloc(count, sizeof(*secrets));
	status = secrets ? add_all(job, count, urls, local_paths, secrets) :
		 BGCOPY_E_NOMEM;
	free_secrets(secrets, count);
	free(secrets);
	return api_leave(job->engine, status);
}

int bgcopy_job_resume(bgcopy_job *job)
{
	int status = BGCOPY_OK;

	test_delay("BGCOPY_TEST_SLOW_RESUME_MS");	/* a caller's own steps around it */
	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_verb(job, "Resume"));

	API_ENTER(job, API_CHANGE);
	switch (job->state) {
	case BGCOPY_SUSPENDED:
	case BGCOPY_ERROR:
		if (job->nfiles == 0) {
			status = set_error(BGCOPY_E_INVALID_STATE,
					   "job %s has no files to transfer", job->id);
			break;
		}
		job->has_error = false;
		job->error = (struct bgcopy_error){ .file_index = -1 };
		job_set_state(job, BGCOPY_QUEUED, BGCOPY_TP_CAUSE_RESUME);
		break;
	case BGCOPY_TRANSFERRED:
		status = set_error(BGCOPY_E_INVALID_STATE,
			"job %s is already TRANSFERRED; complete it or add a file",
			job->id);
		break;
	default:
		break;		/* already on its way */
	}
	return api_leave(job->engine, status);
}

int bgcopy_job_suspend(bgcopy_job *job)
{
	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_verb(job, "Suspend"));
	API_ENTER(job, API_CHANGE);
	transfer_abort_job(job);
	job_set_state(job, BGCOPY_SUSPENDED, BGCOPY_TP_CAUSE_SUSPEND);
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_complete(bgcopy_job *job)
{
	int status;

	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_verb(job, "Complete"));

	API_ENTER(job, API_CHANGE);
	if (job->state != BGCOPY_TRANSFERRED && job->state != BGCOPY_ERROR &&
	    job->state != BGCOPY_SUSPENDED)
		return api_leave(job->engine, set_error(BGCOPY_E_INVALID_STATE,
			"job %s is %s; only a TRANSFERRED, ERROR or SUSPENDED job "
			"can be completed", job->id, bgcopy_state_name(job->state)));
	transfer_abort_job(job);
	status = job_commit_files(job);
	if (status)
		return api_leave(job->engine, status);
	job_set_state(job, BGCOPY_ACKNOWLEDGED, BGCOPY_TP_CAUSE_COMPLETE);
	status = api_leave(job->engine, BGCOPY_OK);
	notify_flush_releases(job->engine);
	return status;
}

int bgcopy_job_cancel(bgcopy_job *job)
{
	int status;

	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_verb(job, "Cancel"));

	API_ENTER(job, API_CHANGE);
	job_cancel_now(job);
	status = api_leave(job->engine, BGCOPY_OK);
	notify_flush_releases(job->engine);
	return status;
}

int bgcopy_engine_set_change_hook(bgcopy_engine *engine, bgcopy_change_hook hook,
				  void *data)
{
	int status;

	if (!engine)
		return set_error(BGCOPY_E_INVALID_ARG, "engine is NULL");
	CLIENT_DISPATCH(engine, client_set_change_hook(engine, hook, data));
	status = api_enter_engine(engine, API_READ);
	if (status)
		return api_leave(engine, status);
	/* Hooks run with the lock held: none is running now. */
	engine->change_hook = hook;
	engine->change_data = data;
	api_leave_read(engine);
	return BGCOPY_OK;
}

/* The command line goes first: between the two calls the job has its old
 * owner and nothing of theirs that could run.  Their credentials, proxy
 * credentials and custom headers go too, as BITS removes them: the new
 * owner must not borrow them. */
int bgcopy_job_take_ownership(bgcopy_job *job, uint32_t owner)
{
	int status;

	if (!job)
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (geteuid() != 0)
		return set_error(BGCOPY_E_INVALID_ARG, "only root takes ownership of a job");
	/* bgcopyd gives the job to its caller. */
	CLIENT_DISPATCH(job->engine, owner == (uint32_t)getuid() ?
			client_job_verb(job, "TakeOwnership") :
			set_error(BGCOPY_E_INVALID_ARG, "through bgcopyd a job is taken "
				  "by its caller, not for uid %u", (unsigned)owner));
	status = bgcopy_job_set_notify_cmdline(job, NULL);
	if (status)
		return status;
	API_ENTER(job, API_CHANGE);
	job_drop_secrets(job);
	job->owner = owner;
	job_touch(job);
	store_move_job(job);
	job_changed(job, BGCOPY_CHANGE_PROPERTY);
	return api_leave(job->engine, BGCOPY_OK);
}
