/* Public verbs for a job's HTTP options: the server's credentials. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "trace.h"

static const char *const auth_scheme_names[] = {
	[BGCOPY_AUTH_NONE] = "none",
	[BGCOPY_AUTH_BASIC] = "basic",
	[BGCOPY_AUTH_DIGEST] = "digest",
	[BGCOPY_AUTH_ANY] = "any",
};

const char *bgcopy_auth_scheme_name(enum bgcopy_auth_scheme scheme)
{
	return (unsigned)scheme < sizeof(auth_scheme_names) /
				  sizeof(*auth_scheme_names) ?
	       auth_scheme_names[scheme] : "unknown";
}

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
