/* A job's HTTP options on its transfers' easy handles: credentials, headers, proxy, TLS (transfer_tls.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transfer.h"

static const unsigned long auth_methods[] = {
	[BGCOPY_AUTH_BASIC] = CURLAUTH_BASIC,
	[BGCOPY_AUTH_DIGEST] = CURLAUTH_DIGEST,
	[BGCOPY_AUTH_ANY] = CURLAUTH_ANY,
};

static bool has_credentials(const struct credentials *c)
{
	return c->scheme != BGCOPY_AUTH_NONE && c->user && c->password;
}

/* libcurl copies the strings.  It sends them to the URL's host only, never
 * to a host a redirect leads to (no CURLOPT_UNRESTRICTED_AUTH). */
static void set_auth(CURL *easy, const bgcopy_job *job)
{
	if (!has_credentials(&job->auth))
		return;
	curl_easy_setopt(easy, CURLOPT_HTTPAUTH, auth_methods[job->auth.scheme]);
	curl_easy_setopt(easy, CURLOPT_USERNAME, job->auth.user);
	curl_easy_setopt(easy, CURLOPT_PASSWORD, job->auth.password);
}

/* PRECONFIG leaves libcurl to read http_proxy, https_proxy and no_proxy
 * from the environment; "" as the proxy turns that off; OVERRIDE's
 * bypass list replaces no_proxy.  The first proxy of the list is used. */
static bool set_proxy(CURL *easy, const bgcopy_job *job)
{
	char *first;

	if (job->proxy_usage == BGCOPY_PROXY_NO_PROXY)
		curl_easy_setopt(easy, CURLOPT_PROXY, "");
	if (job->proxy_usage == BGCOPY_PROXY_OVERRIDE) {
		assert(job->proxy_list);
		first = strndup(job->proxy_list, strcspn(job->proxy_list, " "));
		if (!first)
			return false;
		curl_easy_setopt(easy, CURLOPT_PROXY, first);
		free(first);
		curl_easy_setopt(easy, CURLOPT_NOPROXY,
				 job->proxy_bypass ? job->proxy_bypass : "");
	}
	if (has_credentials(&job->proxy_auth)) {
		curl_easy_setopt(easy, CURLOPT_PROXYAUTH, auth_methods[job->proxy_auth.scheme]);
		curl_easy_setopt(easy, CURLOPT_PROXYUSERNAME, job->proxy_auth.user);
		curl_easy_setopt(easy, CURLOPT_PROXYPASSWORD, job->proxy_auth.password);
	}
	return true;
}

/* scheme://host:port, which a redirect must keep for the headers to go. */
static char *origin_of(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;

	if (u && !curl_url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
	    !curl_url_get(u, CURLUPART_HOST, &host, 0) &&
	    !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) &&
	    asprintf(&out, "%s://%s:%s", scheme, host, port) < 0)
		out = NULL;
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* Before each request, redirects' included: once the request leaves the
 * file's origin, the job's headers are emptied ("Name:" is sent as
 * nothing) and stay so.  If-Range is the engine's, never the job's. */
static int before_request(void *arg, char *ip, char *local_ip, int remote_port,
			  int local_port)
{
	struct transfer *x = arg;
	char *url = NULL, *here;

	(void)ip, (void)local_ip, (void)remote_port, (void)local_port;
	if (!x->origin || curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url) ||
	    !url)
		return CURL_PREREQFUNC_OK;
	here = origin_of(url);
	if (here && !strcmp(here, x->origin)) {
		free(here);
		return CURL_PREREQFUNC_OK;
	}
	free(here);
	for (struct curl_slist *h = x->headers; h; h = h->next)
		if (strncasecmp(h->data, "If-Range:", 9))
			h->data[strcspn(h->data, ":") + 1] = '\0';
	free(x->origin);
	x->origin = NULL;
	return CURL_PREREQFUNC_OK;
}

bool transfer_set_options(CURL *easy, struct transfer *x, const struct job_file *f)
{
	const char *text = x->job->headers;

	set_auth(easy, x->job);
	transfer_set_tls(easy, x);
	if (!set_proxy(easy, x->job))
		return false;
	if (!text || !*text)
		return true;
	x->origin = origin_of(f->url);
	if (!x->origin)
		return false;
	for (const char *line = text; *line; ) {
		size_t len = strcspn(line, "\n");
		char *copy = strndup(line, len);
		struct curl_slist *l = copy ? curl_slist_append(x->headers, copy) : NULL;

		free(copy);
		if (!l)
			return false;
		x->headers = l;
		line += len + (line[len] == '\n');
	}
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, before_request);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, x);
	return true;
}

void transfer_free_options(struct transfer *x)
{
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	free(x->origin);
	x->origin = NULL;
	free(x->resp);
	x->resp = NULL;
	transfer_close_tls(x);
}
