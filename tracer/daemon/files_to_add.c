/* bgcopyd: the files an AddFile* call adds, held for offload.c's thread that adds them. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "daemon.h"

void files_to_add_free(void *arg)
{
	struct files_to_add *f = arg;

	free(f->urls);
	free(f->paths);
	free(f->url_bytes);
	free(f->path_bytes);
	free(f);
}

int files_to_add_run(bgcopy_job *job, void *arg)
{
	struct files_to_add *f = arg;

	if (f->one)
		return bgcopy_job_add_file_sha256(job, f->urls[0], f->paths[0], f->sha256_hex);
	return bgcopy_job_add_files(job, f->count, f->urls, f->paths);
}

/* AddFileBytes(url, local_path, sha256): both as bytes, "" for no digest. */
int files_to_add_read_bytes(struct files_to_add *f, sd_bus_message *m, sd_bus_error *error)
{
	int r = bus_read_bytes(m, error, "the URL", &f->url_bytes);

	if (r >= 0)
		r = bus_read_bytes(m, error, "the local path", &f->path_bytes);
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &f->sha256_hex);
	if (r >= 0 && !*f->sha256_hex)
		f->sha256_hex = NULL;
	return r;
}

/* Room for one more file; false on no memory. */
static bool grow(struct files_to_add *f)
{
	const char **u, **p;

	if (f->count < f->cap)
		return true;
	f->cap = f->cap ? f->cap * 2 : 64;
	u = realloc(f->urls, f->cap * sizeof(*u));
	if (u)
		f->urls = u;
	p = realloc(f->paths, f->cap * sizeof(*p));
	if (p)
		f->paths = p;
	return u && p;
}

/* The daemon's working directory is not the client's: a relative path
 * would land somewhere the client did not mean. */
int files_to_add_append(struct files_to_add *f, const char *url, const char *local_path,
			sd_bus_error *error)
{
	char shown[PATH_MAX];
	const char *text;

	if (local_path[0] != '/') {
		text = bus_text(local_path, shown, sizeof(shown));
		return f->one ? sd_bus_error_setf(error, "org.bgcopy1.Error.InvalidArgument",
						  "local path '%s' is not absolute", text) :
		       sd_bus_error_setf(error, "org.bgcopy1.Error.InvalidArgument",
					 "file %u: local path '%s' is not absolute",
					 f->count + 1, text);
	}
	if (!grow(f))
		return -ENOMEM;
	f->urls[f->count] = url;
	f->paths[f->count++] = local_path;
	return 0;
}
