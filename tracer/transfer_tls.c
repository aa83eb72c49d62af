/* A job's TLS files, opened as its owner before each transfer and handed to libcurl as the very files opened. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer.h"

/* Which of the job's files an x->tls_fd slot holds, and how its errors
 * name it. */
enum { TLS_CERT, TLS_KEY, TLS_CA, TLS_CRL };
static_assert(TLS_CRL + 1 == TRANSFER_TLS_FILES, "one slot per file");

int tls_file_open(const char *what, const char *path, bool private_key)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO in its place must not hang the caller; it is
	 * refused below, as anything but a regular file is. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return set_error(BGCOPY_E_INVALID_ARG, "cannot read the %s '%s': %s",
				 what, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return set_error(BGCOPY_E_INVALID_ARG, "the %s '%s' is not a regular "
				 "file", what, path);
	}
	if (private_key && (st.st_mode & 077)) {
		close(fd);
		return set_error(BGCOPY_E_INVALID_ARG, "the %s '%s' can be read or written "
				 "by other users (mode %04o): a private key must be its "
				 "owner's alone (chmod 600)", what, path,
				 (unsigned)(st.st_mode & 07777));
	}
	return fd;
}

void transfer_close_tls(struct transfer *x)
{
	for (int i = 0; i < TRANSFER_TLS_FILES; i++) {
		if (x->tls_fd[i] >= 0)
			close(x->tls_fd[i]);
		x->tls_fd[i] = -1;
	}
}

/* Opens what the job names, each as the owner; false on the first that
 * does not open, its error left in bgcopy_last_error().  Lock not held. */
static bool open_each(struct transfer *x, char *const paths[])
{
	bool key_apart = paths[TLS_KEY] != NULL;
	const char *what[TRANSFER_TLS_FILES] = {
		[TLS_CERT] = key_apart ? "client certificate" : "client certificate and key",
		[TLS_KEY] = "private key", [TLS_CA] = "CA file", [TLS_CRL] = "CRL file",
	};

	test_delay("BGCOPY_TEST_SLOW_TLS_OPEN_MS");
	for (int i = 0; i < TRANSFER_TLS_FILES; i++) {
		if (!paths[i])
			continue;
		x->tls_fd[i] = tls_file_open(what[i], paths[i],
					     i == TLS_KEY || (i == TLS_CERT && !key_apart));
		if (x->tls_fd[i] < 0)
			return false;
	}
	return true;
}

/* The paths to open, copied: the job's may change once the lock is let
 * go.  False when out of memory. */
static bool copy_paths(const struct job_tls *t, char *paths[])
{
	const char *from[TRANSFER_TLS_FILES] = {
		[TLS_CERT] = t->client_cert,
		[TLS_KEY] = t->client_cert ? t->client_key : NULL,
		[TLS_CA] = t->ca_file,
		[TLS_CRL] = t->flags & BGCOPY_SECURITY_CHECK_REVOCATION ? t->crl_file : NULL,
	};
	bool ok = true;

	for (int i = 0; i < TRANSFER_TLS_FILES; i++)
		ok = (!from[i] || (paths[i] = xstrdup(from[i]))) && ok;
	return ok;
}

static void free_paths(char *paths[])
{
	for (int i = 0; i < TRANSFER_TLS_FILES; i++)
		free(paths[i]);
}

/* A root engine (bgcopyd --system) would read any path a user names:
 * each file is opened here with the owner's file-system identity, links
 * followed with the owner's rights, and libcurl is given the descriptor's
 * /proc/self/fd name (set_tls), which reaches the very file opened: what
 * libcurl reads is what the owner could.  Paths rather than the bytes
 * (the *_BLOB options) because libcurl 7.88 has no blob for a CRL.  The
 * opens run with the lock let go, as the temporary file's do: a hung
 * mount a user names must not stall every API call. */
enum tls_open transfer_open_tls(bgcopy_job *job, struct transfer *x, struct bgcopy_error *err)
{
	const struct job_tls *t = &job->tls;
	enum bgcopy_state state = job->state;
	char *paths[TRANSFER_TLS_FILES] = { NULL };
	struct as_owner as;
	bool opened;

	assert(engine_locked(job->engine));
	assert(!(t->flags & BGCOPY_SECURITY_CHECK_REVOCATION) || t->crl_file);
	for (int i = 0; i < TRANSFER_TLS_FILES; i++)
		x->tls_fd[i] = -1;
	/* The flags of the files opened: a later change waits for the next
	 * transfer, as a change of file does. */
	x->tls_flags = t->flags;
	x->tls_any = t->client_cert || t->ca_file || t->flags;
	if (!x->tls_any)
		return TLS_OPENED;
	*err = (struct bgcopy_error){ .context = BGCOPY_ERRCTX_TLS,
				      .file_index = (int)x->index };
	if (!copy_paths(t, paths)) {
		free_paths(paths);
		error_describe(err, "cannot open the job's TLS files: out of memory");
		return TLS_FAILED;
	}
	if (job_as_owner(job, &as)) {
		free_paths(paths);
		error_describe(err, "cannot read the job's TLS files as its owner: %s",
			       bgcopy_last_error());
		return TLS_FAILED;
	}
	engine_unlock(job->engine);
	opened = open_each(x, paths);
	engine_lock(job->engine);
	as_owner_end(&as);
	free_paths(paths);
	if (job->state != state || job->files[x->index].in_flight || job->files_busy) {
		transfer_close_tls(x);		/* cancelled, suspended meanwhile */
		return TLS_GONE;
	}
	if (!opened) {
		error_describe(err, "%s", bgcopy_last_error());
		transfer_close_tls(x);
		return TLS_FAILED;
	}
	return TLS_OPENED;
}

/* libcurl opens the name itself when it connects. */
static void set_file(CURL *easy, CURLoption option, int fd)
{
	char name[32];

	assert(fd >= 0);
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	curl_easy_setopt(easy, option, name);	/* libcurl copies it */
}

/* Such a job's transfers neither reuse a connection or TLS session nor
 * leave one: libcurl 7.88 does not compare CRL files when it reuses one,
 * which could skip the job's revocation check.  Nor a cached CA store:
 * libcurl keys it by the file's name, and another job's descriptor may
 * have the same number. */
void transfer_set_tls(CURL *easy, const struct transfer *x)
{
	if (!x->tls_any)
		return;
	curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 0L);
	if (x->tls_fd[TLS_CERT] >= 0) {
		set_file(easy, CURLOPT_SSLCERT, x->tls_fd[TLS_CERT]);
		curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
		set_file(easy, CURLOPT_SSLKEY, x->tls_fd[x->tls_fd[TLS_KEY] >= 0 ?
							  TLS_KEY : TLS_CERT]);
	}
	/* Instead of the system's: its directory too. */
	if (x->tls_fd[TLS_CA] >= 0) {
		set_file(easy, CURLOPT_CAINFO, x->tls_fd[TLS_CA]);
		curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
	}
	if (x->tls_flags & BGCOPY_SECURITY_CHECK_REVOCATION)
		set_file(easy, CURLOPT_CRLFILE, x->tls_fd[TLS_CRL]);
	if (x->tls_flags & (BGCOPY_SECURITY_IGNORE_CN_INVALID |
			    BGCOPY_SECURITY_NO_SERVER_VERIFICATION))
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	if (x->tls_flags & BGCOPY_SECURITY_NO_SERVER_VERIFICATION)
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
}
