/* The last response's headers of each file (as DO's HTTP_RESPONSE_HEADERS), kept without cookies, authentication data or URL secrets. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transfer.h"

/* Headers whose values are secrets or the keys to a session: their name
 * is kept, their value never (not in memory past the line, the store,
 * the API or bgcopyd). */
static bool value_withheld(const char *name, size_t len)
{
	static const char *const withheld[] = {
		"Set-Cookie", "Set-Cookie2", "Authentication-Info",
		"Proxy-Authentication-Info",
	};

	for (size_t i = 0; i < sizeof(withheld) / sizeof(*withheld); i++)
		if (strlen(withheld[i]) == len && !strncasecmp(name, withheld[i], len))
			return true;
	return false;
}

/* A URL's user info and query may be tokens (url.c redacts both). */
static bool value_is_url(const char *name, size_t len)
{
	return (len == 8 && !strncasecmp(name, "Location", len)) ||
	       (len == 16 && !strncasecmp(name, "Content-Location", len));
}

static void append(struct transfer *x, const char *text, size_t len)
{
	char *grown;

	if (x->resp_len + len + 2 > BGCOPY_RESPONSE_HEADERS_MAX + 1)
		return;		/* past the cap: the rest is left out */
	grown = realloc(x->resp, x->resp_len + len + 2);
	if (!grown)
		return;
	x->resp = grown;
	for (size_t i = 0; i < len; i++)	/* no line breaks of the server's making */
		x->resp[x->resp_len++] = (unsigned char)text[i] < 32 && text[i] != '\t' ?
					 '?' : text[i];
	x->resp[x->resp_len++] = '\n';
	x->resp[x->resp_len] = '\0';
}

/* "Name: value" with the value the URL redacted, or "(not kept)". */
static void append_hidden(struct transfer *x, const char *data, size_t name, size_t len)
{
	char line[BGCOPY_RESPONSE_HEADERS_MAX], *value, *redacted = NULL;
	size_t at = name + 1;
	int n;

	while (at < len && data[at] == ' ')
		at++;
	value = value_is_url(data, name) ? strndup(data + at, len - at) : NULL;
	if (!value || url_check(value, false, &redacted) != BGCOPY_OK || !redacted) {
		free(redacted);
		redacted = NULL;
	}
	n = snprintf(line, sizeof(line), "%.*s: %s", (int)name, data,
		     redacted ? redacted : "(not kept)");
	append(x, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
	free(value);
	free(redacted);
}

void response_header_line(struct transfer *x, const char *data, size_t len)
{
	const char *colon;
	size_t name;

	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= 5 && !strncmp(data, "HTTP/", 5))
		x->resp_len = 0;	/* a new response: only the last is kept */
	colon = memchr(data, ':', len);	/* curl's line has no NUL */
	name = colon ? (size_t)(colon - data) : len;
	if (name < len && (value_withheld(data, name) || value_is_url(data, name)))
		append_hidden(x, data, name, len);
	else if (len)
		append(x, data, len);
}

void response_headers_keep(struct transfer *x)
{
	struct job_file *f;
	char *copy;

	assert(engine_locked(x->engine));
	if (!x->job || !x->resp_len)
		return;
	f = &x->job->files[x->index];
	copy = strndup(x->resp, x->resp_len - 1);	/* without the last line break */
	if (!copy)
		return;		/* the file keeps the headers it had */
	free(f->response_headers);
	f->response_headers = copy;
}
