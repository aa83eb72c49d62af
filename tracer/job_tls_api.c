/* Public verbs for a job's TLS: client certificate and key, the CA and CRL files, security flags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "internal.h"
#include "trace.h"

/* Lock held.  What a TLS file must be when set: an absolute path to a
 * regular file the job's owner can read, as the engine reads it when it
 * transfers (transfer_tls.c), so a root engine never opens one with
 * root's rights for a user; a private key also readable or writable by
 * its owner alone, since anyone who reads it can be the job's client
 * (checked again before each transfer). */
static int check_file(bgcopy_job *job, const char *what, const char *path,
		      bool private_key)
{
	struct as_owner as;
	int fd, status;

	assert(engine_locked(job->engine));
	if (path[0] != '/')
		return set_error(BGCOPY_E_INVALID_ARG, "the %s '%s' is not an absolute "
				 "path", what, path);
	status = job_as_owner(job, &as);
	if (status)
		return status;
	fd = tls_file_open(what, path, private_key);
	as_owner_end(&as);
	if (fd < 0)
		return fd;
	close(fd);
	return BGCOPY_OK;
}

/* NULL for NULL or "", else a copy in *out; false when out of memory. */
static bool copy_path(const char *path, char **out)
{
	*out = path && *path ? xstrdup(path) : NULL;
	return !path || !*path || *out;
}

/* Lock held: takes `cert` and `key` over. */
static void job_take_client_certificate(bgcopy_job *job, char *cert, char *key)
{
	free(job->tls.client_cert);
	free(job->tls.client_key);
	job->tls.client_cert = cert;
	job->tls.client_key = key;
	job_property_changed(job, BGCOPY_TP_PROP_CLIENT_CERTIFICATE, cert ? cert : "");
}

void job_drop_client_certificate(bgcopy_job *job)
{
	if (job->tls.client_cert)
		job_take_client_certificate(job, NULL, NULL);
}

int bgcopy_job_set_client_certificate(bgcopy_job *job, const char *cert, const char *key)
{
	char *c = NULL, *k = NULL;
	int status;

	if ((!cert || !*cert) && key && *key)
		return set_error(BGCOPY_E_INVALID_ARG, "a private key goes with a client "
				 "certificate");
	CLIENT_DISPATCH(job ? job->engine : NULL,
			client_job_set_tls(job, "SetClientCertificate", cert, key));
	API_ENTER(job, API_CHANGE);
	if (cert && *cert) {
		bool key_apart = key && *key;

		/* Without a key of its own, the certificate's file holds it. */
		status = check_file(job, key_apart ? "client certificate" :
				    "client certificate and key", cert, !key_apart);
		if (!status && key_apart)
			status = check_file(job, "private key", key, true);
		if (status)
			return api_leave(job->engine, status);
	}
	if (!copy_path(cert, &c) || !copy_path(cert && *cert ? key : NULL, &k)) {
		free(c);
		return api_leave(job->engine, BGCOPY_E_NOMEM);
	}
	job_take_client_certificate(job, c, k);
	return api_leave(job->engine, BGCOPY_OK);
}

/* The CA or the CRL file; the CRL stays while revocation is checked. */
static int set_trust_file(bgcopy_job *job, bool crl, const char *path)
{
	char *copy, **field;

	CLIENT_DISPATCH(job ? job->engine : NULL,
			client_job_set_tls(job, crl ? "SetCrlFile" : "SetCaFile", path, NULL));
	API_ENTER(job, API_CHANGE);
	if (path && *path) {
		int status = check_file(job, crl ? "CRL file" : "CA file", path, false);

		if (status)
			return api_leave(job->engine, status);
	}
	if (crl && (!path || !*path) && (job->tls.flags & BGCOPY_SECURITY_CHECK_REVOCATION))
		return api_leave(job->engine, set_error(BGCOPY_E_INVALID_ARG, "job %s checks "
			"revocation against its CRL file: clear check-revocation first",
			job->id));
	if (!copy_path(path, &copy))
		return api_leave(job->engine, BGCOPY_E_NOMEM);
	field = crl ? &job->tls.crl_file : &job->tls.ca_file;
	free(*field);
	*field = copy;
	job_property_changed(job, crl ? BGCOPY_TP_PROP_CRL_FILE : BGCOPY_TP_PROP_CA_FILE,
			     copy ? copy : "");
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_set_ca_file(bgcopy_job *job, const char *path)
{
	return set_trust_file(job, false, path);
}

int bgcopy_job_set_crl_file(bgcopy_job *job, const char *path)
{
	return set_trust_file(job, true, path);
}

/* A path into `out`; BGCOPY_E_LIMIT when it does not fit. */
static int give_path(const char *path, char *out, size_t size)
{
	if ((size_t)snprintf(out, size, "%s", path ? path : "") >= size)
		return set_error(BGCOPY_E_LIMIT, "the path is %zu bytes, more than "
				 "the %zu given", strlen(path), size - 1);
	return BGCOPY_OK;
}

int bgcopy_job_get_client_certificate(bgcopy_job *job, char *cert, size_t cert_size,
				      char *key, size_t key_size)
{
	int status;

	if (!job || !cert || !cert_size || !key || !key_size)
		return set_error(BGCOPY_E_INVALID_ARG, "no job, or no room for the paths");
	/* bgcopyd announces no TLS setting: a client reads them afresh. */
	status = api_enter(job, API_READ_LIVE);
	if (!status)
		status = give_path(job->tls.client_cert, cert, cert_size);
	if (!status)
		status = give_path(job->tls.client_key, key, key_size);
	api_leave_read(job->engine);
	return status;
}

static int get_trust_file(bgcopy_job *job, bool crl, char *out, size_t size)
{
	int status;

	if (!job || !out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "no job, or no room for the path");
	status = api_enter(job, API_READ_LIVE);
	if (!status)
		status = give_path(crl ? job->tls.crl_file : job->tls.ca_file, out, size);
	api_leave_read(job->engine);
	return status;
}

int bgcopy_job_get_ca_file(bgcopy_job *job, char *out, size_t size)
{
	return get_trust_file(job, false, out, size);
}

int bgcopy_job_get_crl_file(bgcopy_job *job, char *out, size_t size)
{
	return get_trust_file(job, true, out, size);
}

/* ---- security flags ----------------------------------------------------- */

#define UNHONOURED (BGCOPY_SECURITY_IGNORE_DATE_INVALID |			\
		    BGCOPY_SECURITY_IGNORE_UNKNOWN_CA | BGCOPY_SECURITY_IGNORE_WRONG_USAGE)

const char *bgcopy_security_flag_name(uint32_t flag)
{
	switch (flag) {
	case BGCOPY_SECURITY_CHECK_REVOCATION: return "check-revocation";
	case BGCOPY_SECURITY_IGNORE_CN_INVALID: return "ignore-cn-invalid";
	case BGCOPY_SECURITY_IGNORE_DATE_INVALID: return "ignore-date-invalid";
	case BGCOPY_SECURITY_IGNORE_UNKNOWN_CA: return "ignore-unknown-ca";
	case BGCOPY_SECURITY_IGNORE_WRONG_USAGE: return "ignore-wrong-usage";
	case BGCOPY_SECURITY_REDIRECT_ALLOW_REPORT: return "redirect-allow-report";
	case BGCOPY_SECURITY_REDIRECT_DISALLOW: return "redirect-disallow";
	case BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP: return "redirect-allow-https-to-http";
	case BGCOPY_SECURITY_NO_SERVER_VERIFICATION: return "no-server-verification";
	default: return NULL;
	}
}

/* The redirect policy BITS' redirect bits name. */
static int redirect_policy_of(uint32_t flags, enum bgcopy_redirect_policy *out)
{
	uint32_t policy = flags & BGCOPY_SECURITY_REDIRECT_POLICY_MASK;
	bool to_http = flags & BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP;

	if (policy == BGCOPY_SECURITY_REDIRECT_DISALLOW && !to_http)
		*out = BGCOPY_REDIRECT_DISALLOW;
	else if (policy == BGCOPY_SECURITY_REDIRECT_ALLOW_SILENT ||
		 policy == BGCOPY_SECURITY_REDIRECT_ALLOW_REPORT)
		*out = to_http ? BGCOPY_REDIRECT_ALLOW_INSECURE : BGCOPY_REDIRECT_ALLOW;
	else
		return set_error(BGCOPY_E_INVALID_ARG, "redirect policy 0x%x%s is none "
				 "of allow-silent, allow-report and disallow", policy,
				 to_http ? " with allow-https-to-http" : "");
	return BGCOPY_OK;
}

void bgcopy_security_flag_names(uint32_t flags, char *out, size_t size)
{
	size_t at = 0;

	if (!out || !size)
		return;
	out[0] = '\0';
	for (uint32_t bit = 1; bit && at < size; bit <<= 1)
		if ((flags & bit) && bgcopy_security_flag_name(bit))
			at += (size_t)snprintf(out + at, size - at, "%s%s", at ? "," : "",
					       bgcopy_security_flag_name(bit));
}

int bgcopy_job_set_security_flags(bgcopy_job *job, uint32_t flags)
{
	uint32_t unknown = flags & ~(JOB_TLS_FLAGS | UNHONOURED | BGCOPY_SECURITY_REDIRECT_POLICY_MASK |
				     BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP);
	enum bgcopy_redirect_policy policy = BGCOPY_REDIRECT_ALLOW;
	char names[160], text[8];
	int status;

	if (unknown)
		return set_error(BGCOPY_E_INVALID_ARG, "unknown security flags 0x%x", unknown);
	if (flags & UNHONOURED)
		return set_error(BGCOPY_E_INVALID_ARG, "%s cannot be honoured: libcurl "
				 "cannot skip that check of the server's certificate "
				 "alone (no-server-verification skips every check)",
				 bgcopy_security_flag_name(flags & UNHONOURED & -(flags & UNHONOURED)));
	status = redirect_policy_of(flags, &policy);
	if (status)
		return status;
	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_set_security_flags(job, flags));
	API_ENTER(job, API_CHANGE);
	if ((flags & BGCOPY_SECURITY_CHECK_REVOCATION) && !job->tls.crl_file)
		return api_leave(job->engine, set_error(BGCOPY_E_INVALID_ARG, "check-revocation "
			"needs the job's CRL file first: libcurl checks revocation "
			"against a CRL file and fetches none"));
	if (policy != job->redirect_policy) {
		job->redirect_policy = policy;
		snprintf(text, sizeof(text), "%d", (int)policy);
		job_property_changed(job, BGCOPY_TP_PROP_REDIRECT_POLICY, text);
	}
	job->tls.flags = flags & JOB_TLS_FLAGS;
	bgcopy_security_flag_names(job->tls.flags, names, sizeof(names));
	job_property_changed(job, BGCOPY_TP_PROP_SECURITY_FLAGS, names);
	return api_leave(job->engine, BGCOPY_OK);
}

uint32_t bgcopy_job_get_security_flags(bgcopy_job *job)
{
	static const uint32_t redirect_bits[] = {
		[BGCOPY_REDIRECT_ALLOW] = BGCOPY_SECURITY_REDIRECT_ALLOW_SILENT,
		[BGCOPY_REDIRECT_DISALLOW] = BGCOPY_SECURITY_REDIRECT_DISALLOW,
		[BGCOPY_REDIRECT_ALLOW_INSECURE] = BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP,
	};
	uint32_t flags = 0;

	if (!job)
		return 0;
	if (api_enter(job, API_READ_LIVE) == BGCOPY_OK) {
		assert((unsigned)job->redirect_policy <= BGCOPY_REDIRECT_ALLOW_INSECURE);
		flags = job->tls.flags | redirect_bits[job->redirect_policy];
	}
	api_leave_read(job->engine);
	return flags;
}
