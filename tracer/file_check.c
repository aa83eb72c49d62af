/* Files to add checked with the engine lock released: each URL, and each destination as the job's owner. */
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

#include "file_check.h"

/* The directory of the file before, when it passed: the files of one
 * call mostly share theirs, which is then checked once. */
struct dir_seen {
	char path[PATH_MAX];
	bool ok;
};

static int check_directory(const char *dir, struct dir_seen *seen)
{
	struct stat st;

	if (seen->ok && !strcmp(seen->path, dir))
		return BGCOPY_OK;
	seen->ok = false;
	if (stat(dir, &st) != 0)
		return set_error(BGCOPY_E_INVALID_ARG, errno == ENOENT ?
				 "destination directory '%s' does not exist: %s" :
				 "destination directory '%s' cannot be reached: %s",
				 dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return set_error(BGCOPY_E_INVALID_ARG, "'%s' is not a directory", dir);
	/* AT_EACCESS: the identity taken, not the real uid access() uses. */
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "destination directory '%s' is not writable: %s",
				 dir, strerror(errno));
	snprintf(seen->path, sizeof(seen->path), "%s", dir);
	seen->ok = true;
	return BGCOPY_OK;
}

/* Lock not held, as the job's owner. */
static int check_destination(const char *local_path, struct dir_seen *seen)
{
	char copy[PATH_MAX];
	struct stat st;
	int status;

	if (!local_path || !*local_path)
		return set_error(BGCOPY_E_INVALID_ARG, "empty local path");
	if (strlen(local_path) >= PATH_MAX)
		return set_error(BGCOPY_E_INVALID_ARG, "local path is too long");
	if (local_path[strlen(local_path) - 1] == '/')
		return set_error(BGCOPY_E_INVALID_ARG,
				 "local path '%s' names a directory, not a file",
				 local_path);
	snprintf(copy, sizeof(copy), "%s", local_path);
	/* Not the copy itself: for a bare name dirname returns ".". */
	status = check_directory(dirname(copy), seen);
	/* Checked again at commit: a rename would replace a FIFO or device. */
	if (!status && stat(local_path, &st) == 0 && !S_ISREG(st.st_mode))
		status = set_error(BGCOPY_E_INVALID_ARG, "destination '%s' exists and "
				   "is not a regular file", local_path);
	return status;
}

/* The destination as an absolute path; `cwd` is read at the first
 * relative one. */
static int absolute_path(const char *local_path, char *cwd, char **out)
{
	if (local_path[0] == '/')
		*out = xstrdup(local_path);
	else if ((!*cwd && !getcwd(cwd, PATH_MAX)) ||
		 strlen(cwd) + strlen(local_path) + 2 > PATH_MAX ||
		 asprintf(out, "%s/%s", cwd, local_path) < 0)
		return set_error(BGCOPY_E_INVALID_ARG,
				 "cannot make '%s' absolute", local_path);
	return *out ? BGCOPY_OK : set_error(BGCOPY_E_NOMEM, "out of memory");
}

static int check_files(bool allow_file, unsigned count, const char *const *urls,
		       const char *const *local_paths, struct file_check *out,
		       unsigned *failed)
{
	struct dir_seen seen = { .ok = false };
	char cwd[PATH_MAX] = "";
	int status = BGCOPY_OK;

	test_delay("BGCOPY_TEST_SLOW_CHECK_MS");
	for (unsigned i = 0; i < count; i++) {
		status = url_split(urls[i], allow_file, &out[i].parts);
		if (!status)
			status = check_destination(local_paths[i], &seen);
		if (!status)
			status = absolute_path(local_paths[i], cwd, &out[i].abs_path);
		if (status) {
			*failed = i;
			return status;
		}
	}
	return BGCOPY_OK;
}

int file_checks_run(bgcopy_job *job, unsigned count, const char *const *urls,
		    const char *const *local_paths, struct file_check *out,
		    unsigned *failed)
{
	bgcopy_engine *engine = job->engine;
	uint32_t owner = job->owner;
	struct as_owner as;
	struct call_pause pause;
	int status;

	assert(engine_locked(engine));
	*failed = count;
	status = job_as_owner(job, &as);
	if (status)
		return status;
	store_unlock_in_call(engine, &pause);
	status = check_files(engine->opt.test_options & BGCOPY_TEST_ALLOW_FILE, count,
			     urls, local_paths, out, failed);
	as_owner_end(&as);
	store_relock_in_call(engine, &pause);
	if (status)
		return status;
	*failed = count;
	if (job_is_final(job))
		return set_error(BGCOPY_E_INVALID_STATE, "job %s became %s while its "
				 "files were checked", job->id,
				 bgcopy_state_name(job->state));
	if (job->owner != owner)
		return set_error(BGCOPY_E_INVALID_STATE, "job %s changed owner while "
				 "its files were checked", job->id);
	return BGCOPY_OK;
}

void file_checks_free(struct file_check *checks, unsigned count)
{
	for (unsigned i = 0; checks && i < count; i++) {
		url_parts_free(&checks[i].parts);
		free(checks[i].abs_path);
	}
}
