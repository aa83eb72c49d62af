/* Public verbs for a job's HTTP options: server and proxy credentials, custom headers, proxy. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client/client.h"
#include "internal.h"
#include "trace.h"

/* Lock held.  Takes `user` and `password` over, whatever happens; the
 * trace and the store's neighbours see only the scheme's name. */
void job_take_credentials(bgcopy_job *job, struct credentials *which,
			  enum bgcopy_auth_scheme scheme, char *user, char *password)
{
	assert(which == &job->auth || which == &job->proxy_auth);
	free_secret(which->user);
	free_secret(which->password);
	which->scheme = scheme;
	which->user = user;
	which->password = password;
	job_property_changed(job, which == &job->auth ? BGCOPY_TP_PROP_CREDENTIALS :
			     BGCOPY_TP_PROP_PROXY_CREDENTIALS,
			     bgcopy_auth_scheme_name(scheme));
}

/* The server's credentials, or with `proxy` the proxy's. */
static int set_credentials(bgcopy_job *job, bool proxy, enum bgcopy_auth_scheme scheme,
			   const char *user, const char *password)
{
	char *u, *p;

	if (scheme != BGCOPY_AUTH_NONE) {
		if (scheme != BGCOPY_AUTH_BASIC && scheme != BGCOPY_AUTH_DIGEST &&
		    scheme != BGCOPY_AUTH_ANY)
			return set_error(BGCOPY_E_INVALID_ARG, "unknown authentication "
					 "scheme %d", (int)scheme);
		/* A colon in the user would be read as the start of the password. */
		if (!user || !*user || strchr(user, ':') || !password)
			return set_error(BGCOPY_E_INVALID_ARG, "%s credentials need a "
					 "user without ':' and a password",
					 proxy ? "proxy" : "server");
	}
	CLIENT_DISPATCH(job ? job->engine : NULL,
			client_job_set_credentials(job, proxy, scheme, user, password));
	API_ENTER(job, API_CHANGE);
	u = scheme != BGCOPY_AUTH_NONE ? xstrdup(user) : NULL;
	p = scheme != BGCOPY_AUTH_NONE ? xstrdup(password) : NULL;
	if (scheme != BGCOPY_AUTH_NONE && (!u || !p)) {
		free_secret(u);
		free_secret(p);
		return api_leave(job->engine, BGCOPY_E_NOMEM);
	}
	job_take_credentials(job, proxy ? &job->proxy_auth : &job->auth, scheme, u, p);
	return api_leave(job->engine, BGCOPY_OK);
}

static enum bgcopy_auth_scheme get_scheme(bgcopy_job *job, bool proxy)
{
	/* bgcopyd announces the server's scheme, not the proxy's. */
	enum bgcopy_auth_scheme scheme = (enum bgcopy_auth_scheme)BGCOPY_E_IO;

	if (api_enter(job, proxy ? API_READ_LIVE : API_READ) == BGCOPY_OK)
		scheme = proxy ? job->proxy_auth.scheme : job->auth.scheme;
	api_leave_read(job->engine);
	return scheme;
}

int bgcopy_job_set_credentials(bgcopy_job *job, enum bgcopy_auth_scheme scheme,
			       const char *user, const char *password)
{
	if (scheme == BGCOPY_AUTH_NONE)
		return set_error(BGCOPY_E_INVALID_ARG, "unknown authentication scheme 0 "
				 "(bgcopy_job_clear_credentials removes them)");
	return set_credentials(job, false, scheme, user, password);
}

int bgcopy_job_clear_credentials(bgcopy_job *job)
{
	return set_credentials(job, false, BGCOPY_AUTH_NONE, NULL, NULL);
}

enum bgcopy_auth_scheme bgcopy_job_get_auth_scheme(bgcopy_job *job)
{
	return get_scheme(job, false);
}

int bgcopy_job_set_proxy_credentials(bgcopy_job *job, enum bgcopy_auth_scheme scheme,
				     const char *user, const char *password)
{
	if (scheme == BGCOPY_AUTH_NONE)
		return set_error(BGCOPY_E_INVALID_ARG, "unknown authentication scheme 0 "
				 "(bgcopy_job_clear_proxy_credentials removes them)");
	return set_credentials(job, true, scheme, user, password);
}

int bgcopy_job_clear_proxy_credentials(bgcopy_job *job)
{
	return set_credentials(job, true, BGCOPY_AUTH_NONE, NULL, NULL);
}

enum bgcopy_auth_scheme bgcopy_job_get_proxy_auth_scheme(bgcopy_job *job)
{
	return get_scheme(job, true);
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

/* Lock held: takes `headers` over; the trace sees their names. */
static void job_take_headers(bgcopy_job *job, char *headers)
{
	char names[BGCOPY_HEADERS_MAX + 1];

	free_secret(job->headers);
	job->headers = headers;
	header_names(headers, names, sizeof(names));
	job_property_changed(job, BGCOPY_TP_PROP_HEADERS, names);
}

void job_drop_secrets(bgcopy_job *job)
{
	if (job->auth.scheme != BGCOPY_AUTH_NONE)
		job_take_credentials(job, &job->auth, BGCOPY_AUTH_NONE, NULL, NULL);
	if (job->proxy_auth.scheme != BGCOPY_AUTH_NONE)
		job_take_credentials(job, &job->proxy_auth, BGCOPY_AUTH_NONE, NULL, NULL);
	if (job->headers)
		job_take_headers(job, NULL);
	job_drop_client_certificate(job);
}

int bgcopy_job_set_headers(bgcopy_job *job, const char *headers)
{
	char *copy = NULL;
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
	job_take_headers(job, copy);
	return api_leave(job->engine, BGCOPY_OK);
}

int bgcopy_job_get_header_names(bgcopy_job *job, char *out, size_t size)
{
	int status;

	if (!out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "no room for the names");
	status = api_enter(job, API_READ);
	header_names(status == BGCOPY_OK ? job->headers : NULL, out, size);
	api_leave_read(job->engine);
	return status;
}

/* ---- proxy -------------------------------------------------------------- */

/* The words of `text` (separated by whitespace or any of `seps`) joined
 * by `join` into `out` (NULL: none); the refusal names `what` and the
 * word's number, never a value that may hold a secret. */
static int proxy_words(const char *text, const char *seps, char join, const char *what,
		       char **out)
{
	size_t n = 0, at = 0, len = text ? strlen(text) : 0;
	char *words;

	*out = NULL;
	if (len > BGCOPY_PROXY_LIST_MAX)
		return set_error(BGCOPY_E_LIMIT, "the %s list is %zu bytes, more than %u",
				 what, len, BGCOPY_PROXY_LIST_MAX);
	if (!len)
		return BGCOPY_OK;
	words = xcalloc(len + 1, 1);
	if (!words)
		return BGCOPY_E_NOMEM;
	for (const char *c = text; *c; ) {
		size_t word = strcspn(c, seps);

		for (size_t i = 0; i < word; i++) {
			if (c[i] == '@') {
				free_secret(words);
				return set_error(BGCOPY_E_INVALID_ARG, "%s %zu has user info: "
						 "proxy credentials are set on their own",
						 what, n + 1);
			}
			if ((unsigned char)c[i] < 33 || (unsigned char)c[i] > 126) {
				free_secret(words);
				return set_error(BGCOPY_E_INVALID_ARG, "%s %zu has a byte "
						 "that is not printable ASCII", what, n + 1);
			}
		}
		if (word) {
			if (at)
				words[at++] = join;
			memcpy(words + at, c, word);
			at += word;
			n++;
		}
		c += word + (c[word] != '\0');
	}
	if (!at) {
		free(words);
		return BGCOPY_OK;
	}
	*out = words;
	return BGCOPY_OK;
}

/* Lock held: takes `proxies` and `bypass` over. */
static void job_take_proxy(bgcopy_job *job, enum bgcopy_proxy_usage usage,
			   char *proxies, char *bypass)
{
	free(job->proxy_list);
	free(job->proxy_bypass);
	job->proxy_usage = usage;
	job->proxy_list = proxies;
	job->proxy_bypass = bypass;
	job_property_changed(job, BGCOPY_TP_PROP_PROXY, bgcopy_proxy_usage_name(usage));
}

int bgcopy_job_set_proxy(bgcopy_job *job, enum bgcopy_proxy_usage usage,
			 const char *proxies, const char *bypass)
{
	char *list = NULL, *skip = NULL;
	int status;

	if (usage != BGCOPY_PROXY_PRECONFIG && usage != BGCOPY_PROXY_NO_PROXY &&
	    usage != BGCOPY_PROXY_OVERRIDE)
		return set_error(BGCOPY_E_INVALID_ARG, "unknown proxy usage %d", (int)usage);
	if (usage != BGCOPY_PROXY_OVERRIDE && ((proxies && *proxies) || (bypass && *bypass)))
		return set_error(BGCOPY_E_INVALID_ARG, "proxy and bypass lists go with "
				 "the override usage only, not %s",
				 bgcopy_proxy_usage_name(usage));
	status = proxy_words(proxies, " \t\r\n;", ' ', "proxy", &list);
	if (!status)
		status = proxy_words(bypass, " \t\r\n;,", ',', "bypass entry", &skip);
	if (!status && usage == BGCOPY_PROXY_OVERRIDE && !list)
		status = set_error(BGCOPY_E_INVALID_ARG, "the override usage needs a proxy");
	if (!status && !job)
		status = set_error(BGCOPY_E_INVALID_ARG, "job is NULL");
	if (status)
		goto end;
	if (job->engine->client) {
		status = client_job_set_proxy(job, usage, list, skip);
		goto end;
	}
	status = api_enter(job, API_CHANGE);
	if (!status) {
		job_take_proxy(job, usage, list, skip);
		list = skip = NULL;
	}
	status = api_leave(job->engine, status);
end:
	free(list);
	free(skip);
	return status;
}

enum bgcopy_proxy_usage bgcopy_job_get_proxy_usage(bgcopy_job *job)
{
	enum bgcopy_proxy_usage usage = (enum bgcopy_proxy_usage)BGCOPY_E_IO;

	if (api_enter(job, API_READ_LIVE) == BGCOPY_OK)
		usage = job->proxy_usage;
	api_leave_read(job->engine);
	return usage;
}

int bgcopy_job_get_proxy_lists(bgcopy_job *job, char *proxies, size_t proxies_size,
			       char *bypass, size_t bypass_size)
{
	int status;

	if (!proxies || !proxies_size || !bypass || !bypass_size)
		return set_error(BGCOPY_E_INVALID_ARG, "no room for the proxy lists");
	status = api_enter(job, API_READ_LIVE);
	snprintf(proxies, proxies_size, "%s",
		 status == BGCOPY_OK && job->proxy_list ? job->proxy_list : "");
	snprintf(bypass, bypass_size, "%s",
		 status == BGCOPY_OK && job->proxy_bypass ? job->proxy_bypass : "");
	api_leave_read(job->engine);
	return status;
}

/* ---- response headers --------------------------------------------------- */

int bgcopy_job_get_file_response_headers(bgcopy_job *job, unsigned index, char *out,
					 size_t size)
{
	int status = BGCOPY_OK;

	if (!job || !out || !size)
		return set_error(BGCOPY_E_INVALID_ARG, "no job, or no room for the headers");
	CLIENT_DISPATCH(job->engine,
			client_file_response_headers(job, index, out, size));
	api_enter(job, API_READ);
	if (index >= job->nfiles)
		status = set_error(BGCOPY_E_NOT_FOUND, "job %s has no file %u", job->id, index);
	else
		snprintf(out, size, "%s", job->files[index].response_headers ?
			 job->files[index].response_headers : "");
	api_leave_read(job->engine);
	return status;
}
