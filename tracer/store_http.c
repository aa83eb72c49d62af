/* A job's HTTP options in its store row: server and proxy credentials, custom headers, proxy, limits, TLS. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *text_at(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t ? (const char *)t : "";
}

static char *text_or_null(sqlite3_stmt *q, int col)
{
	return *text_at(q, col) ? xstrdup(text_at(q, col)) : NULL;
}

/* Anything but a known scheme is taken for none: no secret is sent. */
static void load_credentials(sqlite3_stmt *q, int col, struct credentials *c)
{
	int scheme = sqlite3_column_int(q, col);

	c->scheme = scheme == BGCOPY_AUTH_BASIC || scheme == BGCOPY_AUTH_DIGEST ||
		    scheme == BGCOPY_AUTH_ANY ? scheme : BGCOPY_AUTH_NONE;
	if (c->scheme != BGCOPY_AUTH_NONE) {
		c->user = xstrdup(text_at(q, col + 1));
		c->password = xstrdup(text_at(q, col + 2));
	}
}

/* Columns: auth_scheme, auth_user, auth_password, headers, proxy_usage,
 * proxy_list, proxy_bypass, proxy_auth_scheme, proxy_user, proxy_password,
 * max_download_time_ms, active_ms, dynamic_content, max_bandwidth. */
void store_http_load(sqlite3_stmt *q, int col, bgcopy_job *job)
{
	int usage = sqlite3_column_int(q, col + 4);

	load_credentials(q, col, &job->auth);
	job->headers = text_or_null(q, col + 3);
	/* An unknown usage is the default; OVERRIDE needs its proxy. */
	job->proxy_list = text_or_null(q, col + 5);
	job->proxy_usage = usage == BGCOPY_PROXY_NO_PROXY ? BGCOPY_PROXY_NO_PROXY :
			   usage == BGCOPY_PROXY_OVERRIDE && job->proxy_list ?
			   BGCOPY_PROXY_OVERRIDE : BGCOPY_PROXY_PRECONFIG;
	if (job->proxy_usage == BGCOPY_PROXY_OVERRIDE)
		job->proxy_bypass = text_or_null(q, col + 6);
	else {
		free(job->proxy_list);
		job->proxy_list = NULL;
	}
	load_credentials(q, col + 7, &job->proxy_auth);
	job->max_download_time_ms = (uint64_t)sqlite3_column_int64(q, col + 10);
	job->active_ms = (uint64_t)sqlite3_column_int64(q, col + 11);
	job->dynamic_content = sqlite3_column_int(q, col + 12) != 0;
	job->max_bandwidth = (uint64_t)sqlite3_column_int64(q, col + 13);
}

static void bind_text(sqlite3_stmt *q, int col, const char *text)
{
	sqlite3_bind_text(q, col, text ? text : "", -1, SQLITE_STATIC);
}

static void bind_credentials(sqlite3_stmt *q, int col, const struct credentials *c)
{
	sqlite3_bind_int(q, col, c->scheme);
	bind_text(q, col + 1, c->user);
	bind_text(q, col + 2, c->password);
}

void store_http_bind(sqlite3_stmt *q, int col, const bgcopy_job *job)
{
	bind_credentials(q, col, &job->auth);
	bind_text(q, col + 3, job->headers);
	sqlite3_bind_int(q, col + 4, job->proxy_usage);
	bind_text(q, col + 5, job->proxy_list);
	bind_text(q, col + 6, job->proxy_bypass);
	bind_credentials(q, col + 7, &job->proxy_auth);
	sqlite3_bind_int64(q, col + 10, (sqlite3_int64)job->max_download_time_ms);
	/* The clock as of now, should the job be active. */
	sqlite3_bind_int64(q, col + 11, (sqlite3_int64)job_active_ms(job, now_ms()));
	sqlite3_bind_int(q, col + 12, (int)job->dynamic_content);
	sqlite3_bind_int64(q, col + 13, (sqlite3_int64)job->max_bandwidth);
}

/* Columns: tls_client_cert, tls_client_key, tls_ca_file, tls_crl_file,
 * security_flags.  Revocation is checked only with a CRL file. */
void store_tls_load(sqlite3_stmt *q, int col, bgcopy_job *job)
{
	job->tls.client_cert = text_or_null(q, col);
	job->tls.client_key = job->tls.client_cert ? text_or_null(q, col + 1) : NULL;
	job->tls.ca_file = text_or_null(q, col + 2);
	job->tls.crl_file = text_or_null(q, col + 3);
	job->tls.flags = (uint32_t)sqlite3_column_int64(q, col + 4) & JOB_TLS_FLAGS;
	if (!job->tls.crl_file)
		job->tls.flags &= ~BGCOPY_SECURITY_CHECK_REVOCATION;
}

void store_tls_bind(sqlite3_stmt *q, int col, const bgcopy_job *job)
{
	bind_text(q, col, job->tls.client_cert);
	bind_text(q, col + 1, job->tls.client_key);
	bind_text(q, col + 2, job->tls.ca_file);
	bind_text(q, col + 3, job->tls.crl_file);
	sqlite3_bind_int64(q, col + 4, job->tls.flags);
}
