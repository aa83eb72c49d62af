/* A job's credentials on its transfers' easy handles. */
#include <curl/curl.h>

#include "internal.h"

/* libcurl copies the strings.  It sends them to the URL's host only, never
 * to a host a redirect leads to (no CURLOPT_UNRESTRICTED_AUTH). */
void transfer_set_auth(void *easy, const bgcopy_job *job)
{
	static const unsigned long methods[] = {
		[BGCOPY_AUTH_BASIC] = CURLAUTH_BASIC,
		[BGCOPY_AUTH_DIGEST] = CURLAUTH_DIGEST,
		[BGCOPY_AUTH_ANY] = CURLAUTH_ANY,
	};

	if (job->auth_scheme == BGCOPY_AUTH_NONE || !job->auth_user ||
	    !job->auth_password)
		return;
	curl_easy_setopt(easy, CURLOPT_HTTPAUTH, methods[job->auth_scheme]);
	curl_easy_setopt(easy, CURLOPT_USERNAME, job->auth_user);
	curl_easy_setopt(easy, CURLOPT_PASSWORD, job->auth_password);
}
