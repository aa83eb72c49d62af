/* Public verbs for a job's HTTP options: the server's credentials, custom headers. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client/client.h"
#include "internal.h"
#include "trace.h"

/* Lock held.  Takes `user` and `password` over, whatever happens; the
 * trace and the store's neighbours see only the scheme's name. */
void job_take_credentials(bgcopy_job *job, enum bgcopy_auth_scheme scheme,
			  char *user, char *password)
{
	free_secret(job->auth_user);
	free_secret(job->auth_password);
	job->auth_scheme = scheme;
	job->auth_user = user;
	job->auth_password = password;
	job_property_changed(job, BGCOPY_TP_PROP_CREDENTIALS,
			     bgcopy_auth_scheme_name(scheme));
}

int bgcopy_job_set_credentials(bgcopy_job *job, enum bgcopy_auth_scheme scheme,
			       const char *user, const char *password)
{
	char *u, *p;

	if (scheme != BGCOPY_AUTH_BASIC && scheme != BGCOPY_AUTH_DIGEST &&
	    scheme != BGCOPY_AUTH_ANY)
		return set_error(BGCOPY_E_INVALID_ARG, "unknown authentication "
				 "scheme %d", (int)scheme);
	/* A colon in the user would be read as the start of the password. */
	if (!user || !*user || strchr(user, ':') || !password)
		return set_error(BGCOPY_E_INVALID_ARG, "credentials need a user "
				 "without ':' and a password");
	CLIENT_DISPATCH(job ? job->engine : NULL,
			client_job_set_credentials(job, scheme, user, password));
	API_ENTER(job, API_CHANGE);
	u = xstrdup(user);
	p = xstrdup(password);
	if (!u || !p) {
		free_secret(u);
		free_secret(p);
		return api_leave(job->engine, BGCOPY_E_NOMEM);
	}
	job_take_credentials(job, scheme, u, p);
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_clear_credentials(bgcopy_job *job)
{
	CLIENT_DISPATCH(job ? job->engine : NULL, client_job_set_credentials(job,
			BGCOPY_AUTH_NONE, NULL, NULL));
	API_ENTER(job, API_CHANGE);
	job_take_credentials(job, BGCOPY_AUTH_NONE, NULL, NULL);
	return api_leave(job->engine, BGCOPY_OK);
}

enum bgcopy_auth_scheme bgcopy_job_get_auth_scheme(bgcopy_job *job)
{
	enum bgcopy_auth_scheme scheme;

	api_enter(job, API_READ);
	scheme = job->auth_scheme;
	api_leave_read(job->engine);
	return scheme;
}

/* ---- custom headers ---------------------------------------------------- */

static bool is_token_char(unsigned char c)
{
	return c > 32 && c < 127 && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

/* Engine-owned: resumes and lengths must stay the engine's to ask. */
static bool reserved_name(const char *name, size_t len)
{
	static const char *const reserved[] = {
		"Range", "If-Range", "Host", "Content-Length", "Transfer-Encoding",
		"Authorization",
	};

	for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved); i++)
		if (strlen(reserved[i]) == len && !strncasecmp(name, reserved[i], len))
			return true;
	return false;
}

/* "Name: value" lines (CRLF or LF, blank ones dropped) into `out`, LF
 * separated; the refusal names the line's number, never its value. */
static int check_headers(const char *text, char *out)
{
	size_t n = 0, at = 0;

	for (const char *line = text; *line; n++) {
		size_t len = strcspn(line, "\n"), name = 0, end = len;

		if (end && line[end - 1] == '\r')
			end--;
		while (name < end && is_token_char((unsigned char)line[name]))
			name++;
		if (end && (name == 0 || line[name] != ':'))
			return set_error(BGCOPY_E_INVALID_ARG, "header line %zu is not "
					 "'Name: value'", n + 1);
		if (end && reserved_name(line, name))
			return set_error(BGCOPY_E_INVALID_ARG, "header line %zu: "
					 "%.*s is the engine's to send", n + 1,
					 (int)name, line);
		for (size_t i = name; i < end; i++)
			if ((unsigned char)line[i] < 32 && line[i] != '\t')
				return set_error(BGCOPY_E_INVALID_ARG, "header line "
						 "%zu has a control character", n + 1);
		if (end) {
			memcpy(out + at, line, end);
			at += end;
			out[at++] = '\n';
		}
		line += len + (line[len] == '\n');
	}
	out[at ? at - 1 : 0] = '\0';
	return BGCOPY_OK;
}

/* "X-A, X-B": what may be shown of the headers. */
static void header_names(const char *text, char *out, size_t size)
{
	size_t at = 0;

	out[0] = '\0';
	for (const char *line = text; line && *line && at + 1 < size; ) {
		size_t len = strcspn(line, "\n"), name = strcspn(line, ":");
		int n = snprintf(out + at, size - at, "%s%.*s", at ? ", " : "",
				 (int)name, line);

		at = n < 0 ? size : at + (size_t)n;
		line += len + (line[len] == '\n');
	}
}

int bgcopy_job_set_headers(bgcopy_job *job, const char *headers)
{
	char names[BGCOPY_HEADERS_MAX + 1], *copy = NULL;
	int status;

	if (headers && strlen(headers) > BGCOPY_HEADERS_MAX)
		return set_error(BGCOPY_E_LIMIT, "headers are %zu bytes, more than "
				 "%u", strlen(headers), BGCOPY_HEADERS_MAX);
	if (headers && *headers) {
		copy = xcalloc(strlen(headers) + 1, 1);
		if (!copy)
			return BGCOPY_E_NOMEM;
		status = check_headers(headers, copy);
		if (status) {
			free_secret(copy);
			return status;
		}
	}
	if (copy && !*copy) {
		free(copy);
		copy = NULL;
	}
	if (!job) {
		free_secret(copy);
		return set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	}
	if (job->engine->client) {
		status = client_job_set_headers(job, copy);
		free_secret(copy);
		return status;
	}
	status = api_enter(job, API_CHANGE);
	if (status) {
		free_secret(copy);
		return api_leave(job->engine, status);
	}
	free_secret(job->headers);
	job->headers = copy;
	header_names(copy, names, sizeof(names));
	job_property_changed(job, BGCOPY_TP_PROP_HEADERS, names);
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_get_header_names(bgcopy_job *job, char *out, size_t size)
{
	if (!out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "no room for the names");
	api_enter(job, API_READ);
	header_names(job->headers, out, size);
	api_leave_read(job->engine);
	return BGCOPY_OK;
}
