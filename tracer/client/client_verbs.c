/* Client mode: the verbs that change a job, each one method call on its object in the daemon. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "trace.h"

/* A call on the job's object, to fill and send (job_send). */
static int job_message(bgcopy_job *job, const char *member, sd_bus_message **m)
{
	char path[128];
	int status;

	status = client_writable(job);
	if (status)
		return status;
	client_job_path(job->id, path, sizeof(path));
	return client_new_call(job->engine, path, member, m);
}

/* `r`: how filling it went (sd-bus, negative on failure). */
static int job_send(bgcopy_job *job, sd_bus_message *m, int r)
{
	int status = r < 0 ? set_error(BGCOPY_E_NOMEM, "cannot build a call to bgcopyd") :
		     client_send(job->engine, m, NULL);
	enum bgcopy_state state;

	client_message_unref(job->engine, m);
	if (status != BGCOPY_E_NOT_FOUND)
		return status;
	/* bgcopyd let go of it a while after it became final (job_forget.c):
	 * the embedded engine's answer, which it would have given. */
	engine_lock(job->engine);
	state = job->state;
	engine_unlock(job->engine);
	if (state_is_final(state))
		status = set_error(BGCOPY_E_INVALID_STATE, "job %s is %s; a final job cannot "
				   "change", job->id, bgcopy_state_name(state));
	return status;
}

/* One call on the job's object; its arguments as sd_bus_message_append
 * takes them. */
static int job_call(bgcopy_job *job, const char *member, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int status, r;

	status = job_message(job, member, &m);
	if (status)
		return status;
	va_start(ap, types);
	r = types ? sd_bus_message_appendv(m, types, ap) : 0;
	va_end(ap);
	return job_send(job, m, r);
}

/* A job completed or cancelled lets go of its interface, as in the
 * embedded engine (the daemon's has let go of ours). */
int client_job_verb(bgcopy_job *job, const char *member)
{
	int status = job_call(job, member, NULL);

	if (!status && (!strcmp(member, "Complete") || !strcmp(member, "Cancel")))
		client_drop_interface(job);
	return status;
}

/* The daemon's working directory is not ours: a relative path is made
 * absolute here, as the embedded engine does.  `abs`: PATH_MAX bytes. */
static const char *absolute_local(const char *local_path, char *abs)
{
	char cwd[PATH_MAX];

	if (local_path[0] == '/')
		return local_path;
	if (!getcwd(cwd, sizeof(cwd)) ||
	    snprintf(abs, PATH_MAX, "%s/%s", cwd, local_path) >= PATH_MAX) {
		set_error(BGCOPY_E_INVALID_ARG, "local path '%s' is too long", local_path);
		return NULL;
	}
	return abs;
}

int client_job_add_file(bgcopy_job *job, const char *url, const char *local_path,
			const char *sha256_hex)
{
	char abs[PATH_MAX];
	sd_bus_message *m = NULL;
	int status, r;

	if (!url || !local_path)
		return set_error(BGCOPY_E_INVALID_ARG, "a URL and a local path are required");
	local_path = absolute_local(local_path, abs);
	if (!local_path)
		return BGCOPY_E_INVALID_ARG;
	status = job_message(job, "AddFileBytes", &m);
	if (status)
		return status;
	r = client_append_bytes(m, url);
	if (r >= 0)
		r = client_append_bytes(m, local_path);
	if (r >= 0)
		r = sd_bus_message_append(m, "s", sha256_hex ? sha256_hex : "");
	return job_send(job, m, r);
}

/* One AddFiles call: the daemon adds them all or none. */
int client_job_add_files(bgcopy_job *job, unsigned count, const char *const *urls,
			 const char *const *local_paths)
{
	sd_bus_message *m = NULL;
	char abs[PATH_MAX];
	const char *path;
	int status, r;

	status = job_message(job, "AddFiles", &m);
	if (status)
		return status;
	r = sd_bus_message_open_container(m, 'a', "(ss)");
	for (unsigned i = 0; r >= 0 && i < count; i++) {
		if (!urls[i] || !local_paths[i]) {
			client_message_unref(job->engine, m);
			return set_error(BGCOPY_E_INVALID_ARG, "file %u of %u: a URL and a "
					 "local path are required; nothing was added",
					 i + 1, count);
		}
		path = absolute_local(local_paths[i], abs);
		if (!path) {
			client_message_unref(job->engine, m);
			return BGCOPY_E_INVALID_ARG;
		}
		r = sd_bus_message_append(m, "(ss)", urls[i], path);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return job_send(job, m, r);
}

int client_job_set_text(bgcopy_job *job, int property, const char *text)
{
	sd_bus_message *m = NULL;
	int status;

	status = job_message(job, property == BGCOPY_TP_PROP_DISPLAY_NAME ?
			     "SetDisplayNameBytes" : "SetDescriptionBytes", &m);
	return status ? status : job_send(job, m, client_append_bytes(m, text));
}

/* The numeric properties set_number() in job_props_api.c sets. */
int client_job_set_number(bgcopy_job *job, int property, uint64_t value)
{
	switch (property) {
	case BGCOPY_TP_PROP_PRIORITY:
		return job_call(job, "SetPriority", "s", bgcopy_priority_name(value));
	case BGCOPY_TP_PROP_MIN_RETRY_DELAY:
		return job_call(job, "SetMinRetryDelayMs", "t", value);
	case BGCOPY_TP_PROP_MAX_DOWNLOAD_SIZE:
		return job_call(job, "SetMaxDownloadSize", "t", value);
	case BGCOPY_TP_PROP_NO_PROGRESS_TIMEOUT:
		/* Seconds over the bus, as the public verb takes them. */
		return job_call(job, "SetNoProgressTimeout", "u", (uint32_t)(value / 1000));
	case BGCOPY_TP_PROP_MODIFICATION_INTERVAL:
		return job_call(job, "SetModificationIntervalMs", "u", (uint32_t)value);
	case CLIENT_PROP_CMDLINE_TIMEOUT:
		return job_call(job, "SetNotifyCmdlineTimeout", "u", (uint32_t)value);
	case BGCOPY_TP_PROP_MAX_BANDWIDTH:
		return job_call(job, "SetMaxBandwidth", "t", value);
	case BGCOPY_TP_PROP_DYNAMIC_CONTENT:
		return job_call(job, "SetDynamicContent", "b", (int)value);
	case BGCOPY_TP_PROP_MAX_DOWNLOAD_TIME:
		return job_call(job, "SetMaxDownloadTime", "u", (uint32_t)(value / 1000));
	case BGCOPY_TP_PROP_PARALLEL_FILES:
		return job_call(job, "SetParallelFiles", "u", (uint32_t)value);
	}
	assert(!"a numeric property client mode does not know");
	return set_error(BGCOPY_E_INVALID_ARG, "property %d cannot be set", property);
}

int client_job_set_credentials(bgcopy_job *job, bool proxy, enum bgcopy_auth_scheme scheme,
			       const char *user, const char *password)
{
	if (scheme == BGCOPY_AUTH_NONE)
		return job_call(job, proxy ? "ClearProxyCredentials" : "ClearCredentials", NULL);
	return job_call(job, proxy ? "SetProxyCredentials" : "SetCredentials", "sss",
			bgcopy_auth_scheme_name(scheme), user, password);
}

int client_job_set_proxy(bgcopy_job *job, enum bgcopy_proxy_usage usage,
			 const char *proxies, const char *bypass)
{
	return job_call(job, "SetProxy", "sss", bgcopy_proxy_usage_name(usage),
			proxies ? proxies : "", bypass ? bypass : "");
}

int client_job_set_headers(bgcopy_job *job, const char *headers)
{
	return job_call(job, "SetHeaders", "s", headers ? headers : "");
}

int client_engine_max_bandwidth(bgcopy_engine *engine, uint64_t *bps, bool set)
{
	sd_bus_message *reply = NULL;
	int status;

	if (set)
		return client_callv(engine, "/org/bgcopy1", "org.bgcopy1.Manager",
				    "SetMaxBandwidth", NULL, "t", *bps);
	status = client_callv(engine, "/org/bgcopy1", "org.freedesktop.DBus.Properties",
			      "Get", &reply, "ss", "org.bgcopy1.Manager", "MaxBandwidth");
	if (!status && sd_bus_message_read(reply, "v", "t", bps) < 0)
		status = set_error(BGCOPY_E_NOMEM, "cannot read bgcopyd's answer");
	client_message_unref(engine, reply);
	return status;
}

int client_file_response_headers(bgcopy_job *job, unsigned index, char *out, size_t size)
{
	sd_bus_message *reply = NULL;
	const char *text = "";
	char path[128];
	int status;

	client_job_path(job->id, path, sizeof(path));
	status = client_callv(job->engine, path, "org.bgcopy1.Job", "GetFileResponseHeaders",
			      &reply, "u", index);
	if (!status && sd_bus_message_read(reply, "s", &text) < 0)
		status = set_error(BGCOPY_E_NOMEM, "cannot read bgcopyd's answer");
	if (!status)
		snprintf(out, size, "%s", text);
	client_message_unref(job->engine, reply);
	return status;
}

int client_job_set_redirect_policy(bgcopy_job *job, enum bgcopy_redirect_policy p)
{
	if (p != BGCOPY_REDIRECT_ALLOW && p != BGCOPY_REDIRECT_DISALLOW &&
	    p != BGCOPY_REDIRECT_ALLOW_INSECURE)
		return set_error(BGCOPY_E_INVALID_ARG, "unknown redirect policy %d", (int)p);
	return job_call(job, "SetRedirectPolicy", "s", bgcopy_redirect_policy_name(p));
}

int client_job_set_notify_flags(bgcopy_job *job, uint32_t flags)
{
	return job_call(job, "SetNotifyFlags", "u", flags);
}

int client_job_set_notify_cmdline(bgcopy_job *job, const char *const *argv)
{
	sd_bus_message *m = NULL;
	char path[128];
	int status;

	if (argv && argv[0] && !*argv[0])
		return set_error(BGCOPY_E_INVALID_ARG, "notify command line has an empty program");
	status = client_writable(job);
	if (status)
		return status;
	client_job_path(job->id, path, sizeof(path));
	status = client_new_call(job->engine, path, "SetNotifyCmdline", &m);
	if (status)
		return status;
	status = sd_bus_message_append_strv(m, argv && argv[0] ? (char **)argv : NULL) < 0 ?
		 set_error(BGCOPY_E_NOMEM, "cannot build a call to bgcopyd") :
		 client_send(job->engine, m, NULL);
	client_message_unref(job->engine, m);
	return status;
}

int client_job_set_notify_service(bgcopy_job *job, const char *name)
{
	return job_call(job, "SetNotifyService", "s", name ? name : "");
}

/* The daemon says whether its jobs have settled; asked every 50 ms. */
int client_wait_idle(bgcopy_engine *engine, long timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	sd_bus_message *reply = NULL;
	int idle = 0, status;

	for (;;) {
		status = client_callv(engine, "/org/bgcopy1", "org.freedesktop.DBus.Properties",
				      "Get", &reply, "ss", "org.bgcopy1.Manager", "Idle");
		if (status)
			return status;
		if (sd_bus_message_read(reply, "v", "b", &idle) < 0)
			idle = 0;
		client_message_unref(engine, reply);
		reply = NULL;
		if (idle)
			return BGCOPY_OK;
		if (deadline >= 0 && now_ms() >= deadline)
			return set_error(BGCOPY_E_LIMIT, "jobs still active after %ld ms",
					 timeout_ms);
		usleep(50 * 1000);
	}
}

/* ---- TLS (issue 16) ---- */

int client_job_set_tls(bgcopy_job *job, const char *member, const char *path,
		       const char *key)
{
	if (!strcmp(member, "SetClientCertificate"))
		return job_call(job, member, "ss", path ? path : "", key ? key : "");
	return job_call(job, member, "s", path ? path : "");
}

int client_job_set_security_flags(bgcopy_job *job, uint32_t flags)
{
	return job_call(job, "SetSecurityFlags", "u", flags);
}

/* ---- bandwidth schedule (issue 16) ---- */

int client_engine_bandwidth_schedule(bgcopy_engine *engine, const char *text, char *out,
				     size_t size)
{
	sd_bus_message *reply = NULL;
	const char *got = NULL;
	int status;

	if (text)
		return client_callv(engine, "/org/bgcopy1", "org.bgcopy1.Manager",
				    "SetBandwidthSchedule", NULL, "s", text);
	status = client_callv(engine, "/org/bgcopy1", "org.freedesktop.DBus.Properties",
			      "Get", &reply, "ss", "org.bgcopy1.Manager", "BandwidthSchedule");
	if (!status && sd_bus_message_read(reply, "v", "s", &got) < 0)
		status = set_error(BGCOPY_E_NOMEM, "cannot read bgcopyd's answer");
	if (!status && (size_t)snprintf(out, size, "%s", got) >= size)
		status = set_error(BGCOPY_E_LIMIT, "the bandwidth schedule is %zu bytes, "
				   "more than the %zu given", strlen(got), size - 1);
	client_message_unref(engine, reply);
	return status;
}
