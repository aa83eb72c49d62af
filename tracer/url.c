/*
 * URL checks and redaction through libcurl's URL API, so what we accept is
 * exactly what curl will fetch.  Redaction drops user info, query and
 * fragment: traces and messages must never carry secrets; user info is
 * taken out of a URL before it is kept (url_split).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static char *redact(CURLU *u)
{
	char *out = NULL;

	if (curl_url_set(u, CURLUPART_USER, NULL, 0) ||
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) ||
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) ||
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) ||
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) ||
	    curl_url_get(u, CURLUPART_URL, &out, 0))
		return NULL;
	return out;
}

/* `url` parsed, absolute, http or https (or file when allowed); *out
 * for the caller to curl_url_cleanup, NULL on failure. */
static int parse_checked(const char *url, bool allow_file, CURLU **out)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int status = BGCOPY_OK;

	*out = NULL;
	if (!u)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	if (!url || !*url) {
		status = set_error(BGCOPY_E_INVALID_ARG, "empty URL");
		goto end;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0)) {
		status = set_error(BGCOPY_E_INVALID_ARG,
				   "malformed URL (expected http:// or https://)");
		goto end;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) {
		status = set_error(BGCOPY_E_INVALID_ARG, "URL has no scheme");
		goto end;
	}
	if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https") &&
	    !(allow_file && !strcasecmp(scheme, "file")))
		status = set_error(BGCOPY_E_INVALID_ARG,
				   "URL scheme '%s' is not allowed (only http and https)",
				   scheme);
end:
	curl_free(scheme);
	if (status)
		curl_url_cleanup(u);
	else
		*out = u;
	return status;
}

/* The URL without what redact() drops, in memory of ours. */
static int redacted_copy(CURLU *u, char **redacted)
{
	char *shown = redact(u);

	*redacted = shown ? xstrdup(shown) : NULL;
	curl_free(shown);
	return *redacted ? BGCOPY_OK : set_error(BGCOPY_E_NOMEM, "out of memory");
}

int url_check(const char *url, bool allow_file, char **redacted)
{
	CURLU *u;
	int status = parse_checked(url, allow_file, &u);

	*redacted = NULL;
	if (!status)
		status = redacted_copy(u, redacted);
	curl_url_cleanup(u);
	return status;
}

/* URL-decoded, as the user typed them percent-encoded into the URL. */
static char *url_part(CURLU *u, CURLUPart part)
{
	char *v = NULL, *copy;

	if (curl_url_get(u, part, &v, CURLU_URLDECODE))
		return NULL;
	copy = xstrdup(v);
	explicit_bzero(v, strlen(v));
	curl_free(v);
	return copy;
}

/* Takes the user info out of `u`: out->bare is the URL without it. */
static int take_userinfo(CURLU *u, struct url_parts *out)
{
	char *bare = NULL;

	out->user = url_part(u, CURLUPART_USER);
	if (out->user) {
		out->password = url_part(u, CURLUPART_PASSWORD);
		if (!out->password)
			out->password = xstrdup("");
	}
	if (!curl_url_set(u, CURLUPART_USER, NULL, 0) &&
	    !curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) &&
	    !curl_url_get(u, CURLUPART_URL, &bare, 0))
		out->bare = xstrdup(bare);
	curl_free(bare);
	if (!out->bare || (out->user && !out->password))
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	return BGCOPY_OK;
}

void url_parts_free(struct url_parts *p)
{
	free(p->bare);
	free(p->redacted);
	free_secret(p->user);
	free_secret(p->password);
	*p = (struct url_parts){ 0 };
}

int url_split(const char *url, bool allow_file, struct url_parts *out)
{
	CURLU *u;
	int status = parse_checked(url, allow_file, &u);

	*out = (struct url_parts){ 0 };
	if (!status)
		status = take_userinfo(u, out);
	if (!status)
		status = redacted_copy(u, &out->redacted);
	curl_url_cleanup(u);
	if (status)
		url_parts_free(out);
	return status;
}
