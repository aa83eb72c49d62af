/*
 * URL checks and redaction through libcurl's URL API, so what we accept is
 * exactly what curl will fetch.  Redaction drops user info, query and
 * fragment: traces and messages must never carry secrets; user info is
 * taken out of a URL before it is kept (url_take_userinfo).
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

int url_check(const char *url, bool allow_file, char **redacted)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	char *shown;
	int status = BGCOPY_OK;

	*redacted = NULL;
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
	    !(allow_file && !strcasecmp(scheme, "file"))) {
		status = set_error(BGCOPY_E_INVALID_ARG,
				   "URL scheme '%s' is not allowed (only http and https)",
				   scheme);
		goto end;
	}
	shown = redact(u);
	if (!shown) {
		status = set_error(BGCOPY_E_NOMEM, "out of memory");
		goto end;
	}
	*redacted = xstrdup(shown);
	curl_free(shown);
	if (!*redacted)
		status = BGCOPY_E_NOMEM;
end:
	curl_free(scheme);
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

char *url_take_userinfo(const char *url, char **user, char **password)
{
	CURLU *u = curl_url();
	char *bare = NULL, *out = NULL;

	*user = *password = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0))
		goto end;
	*user = url_part(u, CURLUPART_USER);
	if (*user) {
		*password = url_part(u, CURLUPART_PASSWORD);
		if (!*password)
			*password = xstrdup("");
	}
	if (curl_url_set(u, CURLUPART_USER, NULL, 0) ||
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) ||
	    curl_url_get(u, CURLUPART_URL, &bare, 0))
		goto end;
	out = xstrdup(bare);
end:
	curl_free(bare);
	curl_url_cleanup(u);
	if (!out || (*user && !*password)) {
		free(out);
		free_secret(*user);
		free_secret(*password);
		*user = *password = NULL;
		return NULL;
	}
	return out;
}
