/*
 * Checksums: a finished file with an expected SHA-256 counts as
 * transferred only if its temporary file hashes to it.  The file is read
 * with the engine lock released (a large file takes a while), and a
 * mismatch is a permanent error that keeps the temporary file for
 * inspection until the job is resumed, completed or cancelled.
 */
#include <string.h>

#include "internal.h"
#include "trace.h"

static void describe_mismatch(const bgcopy_job *job, unsigned index,
			      const unsigned char expected[SHA256_BYTES],
			      const unsigned char actual[SHA256_BYTES],
			      struct bgcopy_error *err)
{
	const struct job_file *f = &job->files[index];
	char want[SHA256_HEX_SIZE], got[SHA256_HEX_SIZE];

	sha256_to_hex(expected, want);
	sha256_to_hex(actual, got);
	*err = (struct bgcopy_error){ .context = BGCOPY_ERRCTX_CHECKSUM,
				      .file_index = (int)index };
	error_describe(err, "SHA-256 mismatch: expected %s, got %s (%s)",
		       want, got, f->redacted_url);
}

static void describe_unreadable(const bgcopy_job *job, unsigned index,
				int code, struct bgcopy_error *err)
{
	const struct job_file *f = &job->files[index];

	*err = (struct bgcopy_error){ .context = BGCOPY_ERRCTX_LOCAL_FILE,
				      .code = code, .file_index = (int)index };
	error_describe(err, "cannot read '%s' to check its SHA-256: %s",
		       f->temp_path ? f->temp_path : f->local_path,
		       strerror(code));
}

int transfer_verify(bgcopy_engine *engine, bgcopy_job *const *owner,
		    unsigned index, int fd, struct bgcopy_error *err,
		    bool *transient)
{
	unsigned char expected[SHA256_BYTES], actual[SHA256_BYTES];
	bgcopy_job *job = *owner;
	int code;

	assert(engine_locked(engine));
	assert(job && index < job->nfiles);
	if (!job->files[index].has_sha256)
		return BGCOPY_TP_VERIFY_NONE;
	memcpy(expected, job->files[index].sha256, sizeof(expected));
	engine_unlock(engine);
	code = sha256_of_fd(fd, actual);
	engine_lock(engine);
	/* Suspended, cancelled or completed meanwhile: not ours to judge. */
	job = *owner;
	if (!job)
		return BGCOPY_TP_VERIFY_NONE;
	*transient = false;
	if (code) {
		describe_unreadable(job, index, code, err);
		*transient = transient_errno(code);
		return BGCOPY_TP_VERIFY_UNREADABLE;
	}
	if (!memcmp(expected, actual, sizeof(actual)))
		return BGCOPY_TP_VERIFY_MATCH;
	describe_mismatch(job, index, expected, actual, err);
	/* These bytes are not the file: a resume starts it over. */
	job->files[index].bytes_done = 0;
	return BGCOPY_TP_VERIFY_MISMATCH;
}
