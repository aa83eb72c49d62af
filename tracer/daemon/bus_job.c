/* bgcopyd: a job object per job, /org/bgcopy1/job/<id> (org.bgcopy1.Job): its properties and verbs. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"

#define JOB_ID_LEN 36

/* A verb of the Job interface names who acts on the job in the trace;
 * reading its properties does not. */
static void trace_job_request(const struct peer *p, bgcopy_job *job, sd_bus_message *m)
{
	if (m && sd_bus_message_is_method_call(m, BGCOPYD_JOB_IFACE, NULL))
		bgcopy_engine_trace_request(p->daemon->engine, job, p->pid, p->uid,
					    sd_bus_message_get_member(m));
}

/* The job a path names if the caller may see it.  Any other job path,
 * of a job that does not exist or is another user's, answers NotFound
 * alike: a job the caller may not see is one that does not exist. */
int job_find(sd_bus *bus, const char *path, const char *interface,
		    void *userdata, void **found, sd_bus_error *error)
{
	static const char prefix[] = BGCOPYD_JOB_PREFIX "/";
	struct peer *p = userdata;
	char id[JOB_ID_LEN + 1];
	bgcopy_job *job;

	(void)interface;
	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	path += sizeof(prefix) - 1;
	if (strlen(path) != JOB_ID_LEN || strspn(path, "0123456789abcdef_") != JOB_ID_LEN)
		return bus_error_not_found(error, path);
	strcpy(id, path);
	for (char *c = id; *c; c++)
		if (*c == '_')
			*c = '-';
	if (bgcopy_engine_find_job(p->daemon->engine, id, &job) != BGCOPY_OK ||
	    !peer_sees(p, job))
		return bus_error_not_found(error, id);
	trace_job_request(p, job, sd_bus_get_current_message(bus));
	*found = job;
	return 1;
}

/* The children of /org/bgcopy1/job the caller may see. */
static int job_enumerate(sd_bus *bus, const char *path, void *userdata,
			 char ***nodes, sd_bus_error *error)
{
	size_t n = 0, k = 0;
	struct peer *p = userdata;
	bgcopy_job **jobs = daemon_jobs(p->daemon, p, false, &n);
	char **paths = calloc(n + 1, sizeof(*paths));
	int r = jobs && paths ? 0 : -ENOMEM;

	(void)bus, (void)path, (void)error;
	for (; r >= 0 && k < n; k++)
		r = job_object_path(jobs[k], &paths[k]);
	free(jobs);
	if (r < 0) {
		for (size_t i = 0; paths && i < k; i++)
			free(paths[i]);
		free(paths);
		return r;
	}
	*nodes = paths;
	return 0;
}

/* The peer whose connection a message came on (the slot's userdata). */
struct peer *message_peer(sd_bus_message *m)
{
	return sd_bus_slot_get_userdata(sd_bus_get_current_slot(sd_bus_message_get_bus(m)));
}

/* After a verb: its change signals go out before the reply. */
int reply_changed(sd_bus_message *m, bgcopy_job *job, int status, sd_bus_error *error)
{
	if (status != BGCOPY_OK)
		return bus_error_from_status(error, status);
	job_watch_changed(message_peer(m)->daemon, job);
	return sd_bus_reply_method_return(m, NULL);
}

/* Complete and Cancel rename and remove files: offload.c runs them. */
static const struct job_verb {
	const char *member;
	int (*verb)(bgcopy_job *job);
	bool offloaded;
} job_verbs[] = {
	{ "Resume", bgcopy_job_resume, false },
	{ "Suspend", bgcopy_job_suspend, false },
	{ "Cancel", bgcopy_job_cancel, true },
	{ "Complete", bgcopy_job_complete, true },
};

static int run_verb(bgcopy_job *job, void *arg)
{
	return ((const struct job_verb *)arg)->verb(job);
}

/* Resume, Suspend, Cancel and Complete: no arguments, one bgcopy verb. */
static int method_verb(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m);

	for (size_t i = 0; i < sizeof(job_verbs) / sizeof(job_verbs[0]); i++) {
		const struct job_verb *v = &job_verbs[i];

		if (strcmp(member, v->member))
			continue;
		if (v->offloaded)
			return offload_call(message_peer(m)->daemon, m, userdata, run_verb,
					    (void *)v, NULL);
		return reply_changed(m, userdata, v->verb(userdata), error);
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_METHOD,
				 "no verb '%s'", member);
}

/* The files read (r >= 0) go to a thread of offload.c's; else the read's error. */
static int add_offloaded(sd_bus_message *m, bgcopy_job *job, struct files_to_add *f, int r)
{
	if (r < 0) {
		files_to_add_free(f);
		return r;
	}
	return offload_call(message_peer(m)->daemon, m, job, files_to_add_run, f,
			    files_to_add_free);
}

/* AddFile, AddFileSha256 with the file's expected digest, and
 * AddFileBytes for a URL or path that is not UTF-8. */
static int method_add_file(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m), *url, *local_path;
	struct files_to_add *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	f->one = true;
	if (!strcmp(member, "AddFileBytes")) {
		r = files_to_add_read_bytes(f, m, error);
		url = f->url_bytes;
		local_path = f->path_bytes;
	} else {
		r = !strcmp(member, "AddFileSha256") ?
		    sd_bus_message_read(m, "sss", &url, &local_path, &f->sha256_hex) :
		    sd_bus_message_read(m, "ss", &url, &local_path);
	}
	if (r >= 0)
		r = files_to_add_append(f, url, local_path, error);
	return add_offloaded(m, userdata, f, r);
}

/* AddFiles: an array of (url, local_path), added all or none. */
static int method_add_files(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct files_to_add *f = calloc(1, sizeof(*f));
	const char *url, *local_path;
	int r;

	if (!f)
		return -ENOMEM;
	r = sd_bus_message_enter_container(m, 'a', "(ss)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(ss)", &url, &local_path)) > 0)
		r = files_to_add_append(f, url, local_path, error);
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return add_offloaded(m, userdata, f, r);
}

/* SetDisplayName, SetDescription, and their ...Bytes forms for text
 * that is not UTF-8. */
static int method_set_text(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m);
	bool display = !strncmp(member, "SetDisplayName", 14);
	const char *what = display ? "the display name" : "the description", *text = NULL;
	char *bytes = NULL;
	int r;

	r = strstr(member, "Bytes") ? bus_read_bytes(m, error, what, &bytes) :
	    sd_bus_message_read(m, "s", &text);
	if (bytes)
		text = bytes;
	if (r >= 0)
		r = bus_error_check_text(error, what, text);
	if (r >= 0)
		r = reply_changed(m, userdata, display ? bgcopy_job_set_display_name(userdata, text) :
				  bgcopy_job_set_description(userdata, text), error);
	free(bytes);
	return r;
}

/* SetPriority and SetRedirectPolicy: one of an enum's names, any case. */
static int method_set_named(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	bool priority = !strcmp(sd_bus_message_get_member(m), "SetPriority");
	int last = priority ? BGCOPY_PRIORITY_LOW : BGCOPY_REDIRECT_ALLOW_INSECURE;
	const char *name;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	for (int v = 0; v <= last; v++)
		if (!strcasecmp(name, priority ? bgcopy_priority_name(v) :
				bgcopy_redirect_policy_name(v)))
			return reply_changed(m, userdata, priority ? bgcopy_job_set_priority(userdata, v) :
					     bgcopy_job_set_redirect_policy(userdata, v), error);
	return sd_bus_error_setf(error, "org.bgcopy1.Error.InvalidArgument", priority ?
				 "priority must be FOREGROUND, HIGH, NORMAL or LOW, not '%s'" :
				 "redirect policy must be allow, disallow or allow-insecure, "
				 "not '%s'", name);
}

static int method_set_notify_flags(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	uint32_t flags;
	int r;

	r = sd_bus_message_read(m, "u", &flags);
	if (r < 0)
		return r;
	return reply_changed(m, userdata, bgcopy_job_set_notify_flags(userdata, flags), error);
}

/* BITS' SetNotifyCmdLine: an array, run without a shell, as the owner;
 * an empty array clears it, as a NULL argv does. */
static int method_set_notify_cmdline(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	char **argv = NULL;
	int r;

	r = sd_bus_message_read_strv(m, &argv);
	if (r < 0)
		return r;
	r = reply_changed(m, userdata, bgcopy_job_set_notify_cmdline(userdata,
				(const char *const *)argv), error);
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
	return r;
}

/* SetCredentials(scheme, user, password), ClearCredentials() and their
 * Proxy twins: BITS' SetCredentials for the server or the proxy; the
 * password is never shown again. */
static int method_set_credentials(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m), *scheme, *user, *password;
	bool proxy = strstr(member, "Proxy") != NULL;
	int r;

	if (!strncmp(member, "Clear", 5))
		return reply_changed(m, userdata, proxy ?
				     bgcopy_job_clear_proxy_credentials(userdata) :
				     bgcopy_job_clear_credentials(userdata), error);
	r = sd_bus_message_read(m, "sss", &scheme, &user, &password);
	if (r < 0)
		return r;
	for (int a = BGCOPY_AUTH_BASIC; a <= BGCOPY_AUTH_ANY; a++)
		if (!strcmp(scheme, bgcopy_auth_scheme_name(a)))
			return reply_changed(m, userdata, proxy ?
					     bgcopy_job_set_proxy_credentials(userdata, a,
									      user, password) :
					     bgcopy_job_set_credentials(userdata, a, user, password),
					     error);
	return sd_bus_error_setf(error, "org.bgcopy1.Error.InvalidArgument",
				 "scheme must be basic, digest or any, not '%s'", scheme);
}

/* GetFileResponseHeaders(index): the last response's headers, as kept. */
static int method_get_response_headers(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	char text[BGCOPY_RESPONSE_HEADERS_MAX + 1];
	uint32_t index;
	int r = sd_bus_message_read(m, "u", &index), status;

	if (r < 0)
		return r;
	status = bgcopy_job_get_file_response_headers(userdata, index, text, sizeof(text));
	if (status != BGCOPY_OK)
		return bus_error_from_status(error, status);
	return sd_bus_reply_method_return(m, "s", text);
}

/* SetProxy(usage, proxies, bypass): BITS' SetProxySettings. */
static int method_set_proxy(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *usage, *proxies, *bypass;
	int r = sd_bus_message_read(m, "sss", &usage, &proxies, &bypass);

	if (r < 0)
		return r;
	for (int u = BGCOPY_PROXY_PRECONFIG; u <= BGCOPY_PROXY_OVERRIDE; u++)
		if (!strcmp(usage, bgcopy_proxy_usage_name(u)))
			return reply_changed(m, userdata, bgcopy_job_set_proxy(userdata, u,
					     proxies, bypass), error);
	return sd_bus_error_setf(error, "org.bgcopy1.Error.InvalidArgument",
				 "proxy usage must be preconfig, no_proxy or override, not '%s'",
				 usage);
}

/* SetHeaders(lines): "" removes them. */
static int method_set_headers(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *headers;
	int r = sd_bus_message_read(m, "s", &headers);

	if (r < 0)
		return r;
	return reply_changed(m, userdata, bgcopy_job_set_headers(userdata,
			     *headers ? headers : NULL), error);
}

/* BITS' TakeOwnership: root becomes the owner; the previous owner's
 * command line goes (bgcopy_job_take_ownership). */
static int method_take_ownership(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct peer *p = message_peer(m);

	if (p->uid != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "only root takes ownership of a job, not uid %u",
					 (unsigned)p->uid);
	return reply_changed(m, userdata, bgcopy_job_take_ownership(userdata, p->uid), error);
}

static int property_get_text(sd_bus *bus, const char *path, const char *interface,
			     const char *property, sd_bus_message *reply,
			     void *userdata, sd_bus_error *error)
{
	char id[37], text[BGCOPYD_TEXT_MAX];
	struct bgcopy_error err;
	bgcopy_job *job = userdata;

	(void)bus, (void)path, (void)interface, (void)error;
	if (!strcmp(property, "Id")) {
		bgcopy_job_get_id(job, id);
		return sd_bus_message_append(reply, "s", id);
	}
	if (!strcmp(property, "State"))
		return sd_bus_message_append(reply, "s", bgcopy_state_name(bgcopy_job_get_state(job)));
	if (!strcmp(property, "Priority"))
		return sd_bus_message_append(reply, "s",
					     bgcopy_priority_name(bgcopy_job_get_priority(job)));
	if (!strncmp(property, "DisplayName", 11))
		bgcopy_job_get_display_name(job, text, sizeof(text));
	else if (!strncmp(property, "Description", 11))
		bgcopy_job_get_description(job, text, sizeof(text));
	else	/* Error: its description, "" when the job has none */
		snprintf(text, sizeof(text), "%s",
			 bgcopy_job_get_error(job, &err) == BGCOPY_OK ? err.description : "");
	/* DisplayNameBytes, DescriptionBytes: the bytes as they are. */
	return strstr(property, "Bytes") ? bus_append_bytes(reply, text) :
	       bus_append_text(reply, text);
}

static int property_get_number(sd_bus *bus, const char *path, const char *interface,
			       const char *property, sd_bus_message *reply,
			       void *userdata, sd_bus_error *error)
{
	struct bgcopy_progress progress = { 0 };
	bgcopy_job *job = userdata;

	(void)bus, (void)path, (void)interface, (void)error;
	if (!strcmp(property, "Owner"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_owner(job));
	if (!strcmp(property, "NotifyFlags"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_notify_flags(job));
	bgcopy_job_get_progress(job, &progress);
	if (!strcmp(property, "BytesTransferred"))
		return sd_bus_message_append(reply, "t", progress.bytes_transferred);
	if (!strcmp(property, "BytesTotal"))
		return sd_bus_message_append(reply, "x", progress.bytes_total);
	if (!strcmp(property, "FilesTransferred"))
		return sd_bus_message_append(reply, "u", progress.files_transferred);
	return sd_bus_message_append(reply, "u", progress.files_total);
}

/* What libbgcopy's client mode mirrors beyond the properties above:
 * every value a bgcopy_job_get_* function returns. */
static int property_get_more(sd_bus *bus, const char *path, const char *interface,
			     const char *property, sd_bus_message *reply,
			     void *userdata, sd_bus_error *error)
{
	bgcopy_job *job = userdata;

	(void)bus, (void)path, (void)interface, (void)error;
	if (!strcmp(property, "MinRetryDelay"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_min_retry_delay(job));
	if (!strcmp(property, "NoProgressTimeout"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_no_progress_timeout(job));
	if (!strcmp(property, "MaxDownloadSize"))
		return sd_bus_message_append(reply, "t", bgcopy_job_get_max_download_size(job));
	if (!strcmp(property, "RedirectPolicy"))
		return sd_bus_message_append(reply, "s", bgcopy_redirect_policy_name(
						     bgcopy_job_get_redirect_policy(job)));
	if (!strcmp(property, "AuthScheme"))
		return sd_bus_message_append(reply, "s", bgcopy_auth_scheme_name(
						     bgcopy_job_get_auth_scheme(job)));
	if (!strcmp(property, "MaxBandwidth"))
		return sd_bus_message_append(reply, "t", bgcopy_job_get_max_bandwidth(job));
	if (!strcmp(property, "ParallelFiles"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_parallel_files(job));
	if (!strcmp(property, "DynamicContent"))
		return sd_bus_message_append(reply, "b", bgcopy_job_get_dynamic_content(job));
	if (!strcmp(property, "MaxDownloadTime"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_max_download_time(job));
	if (!strcmp(property, "ProxyAuthScheme"))
		return sd_bus_message_append(reply, "s", bgcopy_auth_scheme_name(
						     bgcopy_job_get_proxy_auth_scheme(job)));
	if (!strcmp(property, "ProxyUsage"))
		return sd_bus_message_append(reply, "s", bgcopy_proxy_usage_name(
						     bgcopy_job_get_proxy_usage(job)));
	if (!strcmp(property, "ProxyList") || !strcmp(property, "ProxyBypass")) {
		char proxies[BGCOPY_PROXY_LIST_MAX + 1], bypass[BGCOPY_PROXY_LIST_MAX + 1];

		bgcopy_job_get_proxy_lists(job, proxies, sizeof(proxies), bypass, sizeof(bypass));
		return sd_bus_message_append(reply, "s", property[5] == 'L' ? proxies : bypass);
	}
	if (!strcmp(property, "HeaderNames")) {
		char names[BGCOPY_HEADERS_MAX + 1];

		bgcopy_job_get_header_names(job, names, sizeof(names));
		return sd_bus_message_append(reply, "s", names);
	}
	if (!strcmp(property, "NotifyService")) {
		char name[BGCOPY_NOTIFY_SERVICE_MAX + 1];

		bgcopy_job_get_notify_service(job, name, sizeof(name));
		return sd_bus_message_append(reply, "s", name);
	}
	if (!strcmp(property, "NotifyCmdlineTimeout"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_notify_cmdline_timeout(job));
	if (!strcmp(property, "NotifyEpoch"))
		return sd_bus_message_append(reply, "t", bgcopy_job_get_notify_epoch(job));
	if (!strcmp(property, "PendingNotifications"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_pending_notifications(job));
	if (!strcmp(property, "Times"))
		return sd_bus_message_append(reply, "(xxx)",
					     bgcopy_job_get_time(job, BGCOPY_TIME_CREATED),
					     bgcopy_job_get_time(job, BGCOPY_TIME_MODIFIED),
					     bgcopy_job_get_time(job, BGCOPY_TIME_TRANSFERRED));
	return -EINVAL;
}

/* ErrorDetail: whether the job has an error, then struct bgcopy_error. */
static int property_get_error_detail(sd_bus *bus, const char *path, const char *interface,
				     const char *property, sd_bus_message *reply,
				     void *userdata, sd_bus_error *error)
{
	struct bgcopy_error e = { .file_index = -1 };
	int has = bgcopy_job_get_error(userdata, &e) == BGCOPY_OK;

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	char shown[sizeof(e.description)];

	return sd_bus_message_append(reply, "(biiiiis)", has, (int32_t)e.context, e.code,
				     e.http_status, e.curl_code, e.file_index,
				     bus_text(e.description, shown, sizeof(shown)));
}

/* Files: url (as given: the caller is the owner), redacted url, local
 * path, bytes total, bytes done, completed, final url. */
static int property_get_files(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply,
			      void *userdata, sd_bus_error *error)
{
	static struct bgcopy_file_info f;	/* 8 KiB: the loop thread alone */
	static char final_url[2048];
	int r = sd_bus_message_open_container(reply, 'a', "(sssxtbs)");

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	for (unsigned i = 0; r >= 0 && bgcopy_job_get_file(userdata, i, &f) == BGCOPY_OK; i++) {
		if (bgcopy_job_get_file_final_url(userdata, i, final_url, sizeof(final_url)))
			final_url[0] = '\0';
		r = sd_bus_message_open_container(reply, 'r', "sssxtbs");
		if (r >= 0)
			r = bus_append_text(reply, f.url);
		if (r >= 0)
			r = bus_append_text(reply, f.redacted_url);
		if (r >= 0)
			r = bus_append_text(reply, f.local_path);
		if (r >= 0)
			r = sd_bus_message_append(reply, "xtb", f.bytes_total, f.bytes_transferred,
						  f.completed);
		if (r >= 0)
			r = bus_append_text(reply, final_url);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
	}
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* LocalPaths: each file's local path as its bytes, in the order of Files. */
static int property_get_local_paths(sd_bus *bus, const char *path, const char *interface,
				    const char *property, sd_bus_message *reply,
				    void *userdata, sd_bus_error *error)
{
	static struct bgcopy_file_info f;	/* 8 KiB: the loop thread alone */
	int r = sd_bus_message_open_container(reply, 'a', "ay");

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	for (unsigned i = 0; r >= 0 && bgcopy_job_get_file(userdata, i, &f) == BGCOPY_OK; i++)
		r = bus_append_bytes(reply, f.local_path);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* FilesSha256: each file's expected SHA-256 in lower-case hex, "" for
 * none, in the order of Files. */
static int property_get_files_sha256(sd_bus *bus, const char *path, const char *interface,
				     const char *property, sd_bus_message *reply,
				     void *userdata, sd_bus_error *error)
{
	char hex[65];
	int r = sd_bus_message_open_container(reply, 'a', "s");

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	for (unsigned i = 0; r >= 0 && bgcopy_job_get_file_sha256(userdata, i, hex, sizeof(hex)) ==
	     BGCOPY_OK; i++)
		r = sd_bus_message_append(reply, "s", hex);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_cmdline(sd_bus *bus, const char *path, const char *interface,
				const char *property, sd_bus_message *reply,
				void *userdata, sd_bus_error *error)
{
	char arg[4096];
	int r = sd_bus_message_open_container(reply, 'a', "s");

	(void)bus, (void)path, (void)interface, (void)property, (void)error;
	for (unsigned i = 0; r >= 0 && bgcopy_job_get_notify_cmdline_arg(
		     userdata, i, arg, sizeof(arg)) == BGCOPY_OK; i++)
		r = bus_append_text(reply, arg);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* SetMinRetryDelayMs, SetNoProgressTimeout, SetMaxDownloadSize,
 * SetModificationIntervalMs, SetNotifyCmdlineTimeout, SetParallelFiles...:
 * one number each. */
static int method_set_number(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m);
	uint64_t t = 0;
	uint32_t u = 0;
	int r, status, b = 0;

	if (!strcmp(member, "SetMinRetryDelayMs") || !strcmp(member, "SetMaxDownloadSize") ||
	    !strcmp(member, "SetMaxBandwidth"))
		r = sd_bus_message_read(m, "t", &t);
	else if (!strcmp(member, "SetDynamicContent"))
		r = sd_bus_message_read(m, "b", &b);
	else
		r = sd_bus_message_read(m, "u", &u);
	if (r < 0)
		return r;
	if (!strcmp(member, "SetMinRetryDelayMs"))
		status = bgcopy_job_set_min_retry_delay_ms(userdata, t);
	else if (!strcmp(member, "SetMaxDownloadSize"))
		status = bgcopy_job_set_max_download_size(userdata, t);
	else if (!strcmp(member, "SetNoProgressTimeout"))
		status = bgcopy_job_set_no_progress_timeout(userdata, u);
	else if (!strcmp(member, "SetModificationIntervalMs"))
		status = bgcopy_job_set_modification_interval_ms(userdata, u);
	else if (!strcmp(member, "SetMaxDownloadTime"))
		status = bgcopy_job_set_max_download_time(userdata, u);
	else if (!strcmp(member, "SetDynamicContent"))
		status = bgcopy_job_set_dynamic_content(userdata, b);
	else if (!strcmp(member, "SetMaxBandwidth"))
		status = bgcopy_job_set_max_bandwidth(userdata, t);
	else if (!strcmp(member, "SetParallelFiles"))
		status = bgcopy_job_set_parallel_files(userdata, u);
	else
		status = bgcopy_job_set_notify_cmdline_timeout(userdata, u);
	return reply_changed(m, userdata, status, error);
}

/* The caller's object at `path` becomes the job's notify interface;
 * "/" removes it.  Either way a new epoch begins. */
static int method_set_notify_interface(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *path;
	int r;

	r = sd_bus_message_read(m, "o", &path);
	if (r < 0)
		return r;
	if (message_peer(m) == message_peer(m)->daemon->bus_peer)
		return sd_bus_error_setf(error, "org.bgcopy1.Error.InvalidArgument",
					 "on the bus a job takes a notify service "
					 "(SetNotifyService); interfaces register over the socket");
	return reply_changed(m, userdata, bus_callback_register(message_peer(m), userdata, path),
			     error);
}

/* BITS' SetNotifyCLSID: "" clears it.  Unless a client's interface
 * serves the job, the service's takes over (or leaves) at once. */
static int method_set_notify_service(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = message_peer(m)->daemon;
	const char *name;
	int r, status;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	status = bgcopy_job_set_notify_service(userdata, name);
	if (status == BGCOPY_OK && !bus_callback_has_client(d, userdata))
		status = notify_service_install(d, userdata);
	return reply_changed(m, userdata, status, error);
}

#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED
#define INVALIDATES SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION

static const sd_bus_vtable job_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Id", "s", property_get_text, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("DisplayName", "s", property_get_text, 0, CHANGES),
	SD_BUS_PROPERTY("Description", "s", property_get_text, 0, CHANGES),
	SD_BUS_PROPERTY("State", "s", property_get_text, 0, CHANGES),
	SD_BUS_PROPERTY("Priority", "s", property_get_text, 0, CHANGES),
	SD_BUS_PROPERTY("Owner", "u", property_get_number, 0, CHANGES),
	SD_BUS_PROPERTY("NotifyFlags", "u", property_get_number, 0, CHANGES),
	SD_BUS_PROPERTY("BytesTransferred", "t", property_get_number, 0, CHANGES),
	SD_BUS_PROPERTY("BytesTotal", "x", property_get_number, 0, CHANGES),
	SD_BUS_PROPERTY("FilesTransferred", "u", property_get_number, 0, CHANGES),
	SD_BUS_PROPERTY("FilesTotal", "u", property_get_number, 0, CHANGES),
	SD_BUS_PROPERTY("Error", "s", property_get_text, 0, CHANGES),
	SD_BUS_METHOD_WITH_ARGS("AddFile", SD_BUS_ARGS("s", url, "s", local_path),
				SD_BUS_NO_RESULT, method_add_file, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("AddFiles", SD_BUS_ARGS("a(ss)", files),
				SD_BUS_NO_RESULT, method_add_files, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("AddFileSha256",
				SD_BUS_ARGS("s", url, "s", local_path, "s", sha256),
				SD_BUS_NO_RESULT, method_add_file, UNPRIV),
	SD_BUS_METHOD("Resume", NULL, NULL, method_verb, UNPRIV),
	SD_BUS_METHOD("Suspend", NULL, NULL, method_verb, UNPRIV),
	SD_BUS_METHOD("Cancel", NULL, NULL, method_verb, UNPRIV),
	SD_BUS_METHOD("Complete", NULL, NULL, method_verb, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetDisplayName", SD_BUS_ARGS("s", display_name),
				SD_BUS_NO_RESULT, method_set_text, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetDescription", SD_BUS_ARGS("s", description),
				SD_BUS_NO_RESULT, method_set_text, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetPriority", SD_BUS_ARGS("s", priority),
				SD_BUS_NO_RESULT, method_set_named, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetNotifyFlags", SD_BUS_ARGS("u", flags),
				SD_BUS_NO_RESULT, method_set_notify_flags, UNPRIV),
	/* Announced by name, as invalidated (job_digest.c), but
	 * PendingNotifications: a delivery changes it and is not reported. */
	SD_BUS_PROPERTY("MinRetryDelay", "u", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("NoProgressTimeout", "u", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("MaxDownloadSize", "t", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("RedirectPolicy", "s", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("NotifyCmdline", "as", property_get_cmdline, 0, INVALIDATES),
	SD_BUS_PROPERTY("NotifyCmdlineTimeout", "u", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("AuthScheme", "s", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("HeaderNames", "s", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("NotifyEpoch", "t", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("PendingNotifications", "u", property_get_more, 0, 0),
	SD_BUS_PROPERTY("Times", "(xxx)", property_get_more, 0, INVALIDATES),
	SD_BUS_PROPERTY("ErrorDetail", "(biiiiis)", property_get_error_detail, 0, INVALIDATES),
	SD_BUS_PROPERTY("Files", "a(sssxtbs)", property_get_files, 0, INVALIDATES),
	/* After Files: a client's mirror takes it over the files just read. */
	SD_BUS_PROPERTY("FilesSha256", "as", property_get_files_sha256, 0, INVALIDATES),
	/* Bytes that need not be UTF-8, after the texts they are exactly. */
	SD_BUS_PROPERTY("DisplayNameBytes", "ay", property_get_text, 0, INVALIDATES),
	SD_BUS_PROPERTY("DescriptionBytes", "ay", property_get_text, 0, INVALIDATES),
	SD_BUS_PROPERTY("LocalPaths", "aay", property_get_local_paths, 0, INVALIDATES),
	SD_BUS_METHOD_WITH_ARGS("AddFileBytes",
				SD_BUS_ARGS("ay", url, "ay", local_path, "s", sha256),
				SD_BUS_NO_RESULT, method_add_file, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetDisplayNameBytes", SD_BUS_ARGS("ay", display_name),
				SD_BUS_NO_RESULT, method_set_text, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetDescriptionBytes", SD_BUS_ARGS("ay", description),
				SD_BUS_NO_RESULT, method_set_text, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetMinRetryDelayMs", SD_BUS_ARGS("t", ms),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetNoProgressTimeout", SD_BUS_ARGS("u", seconds),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetMaxDownloadSize", SD_BUS_ARGS("t", bytes),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetModificationIntervalMs", SD_BUS_ARGS("u", ms),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetNotifyCmdlineTimeout", SD_BUS_ARGS("u", seconds),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetRedirectPolicy", SD_BUS_ARGS("s", policy),
				SD_BUS_NO_RESULT, method_set_named, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetNotifyCmdline", SD_BUS_ARGS("as", argv),
				SD_BUS_NO_RESULT, method_set_notify_cmdline, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetNotifyInterface", SD_BUS_ARGS("o", callback),
				SD_BUS_NO_RESULT, method_set_notify_interface, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetCredentials",
				SD_BUS_ARGS("s", scheme, "s", user, "s", password),
				SD_BUS_NO_RESULT, method_set_credentials, UNPRIV),
	SD_BUS_METHOD("ClearCredentials", NULL, NULL, method_set_credentials, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetHeaders", SD_BUS_ARGS("s", headers),
				SD_BUS_NO_RESULT, method_set_headers, UNPRIV),
	SD_BUS_METHOD("TakeOwnership", NULL, NULL, method_take_ownership, UNPRIV),
	SD_BUS_PROPERTY("NotifyService", "s", property_get_more, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetNotifyService", SD_BUS_ARGS("s", name),
				SD_BUS_NO_RESULT, method_set_notify_service, UNPRIV),
	/* Issue 16: the proxy and its credentials. */
	SD_BUS_PROPERTY("ProxyUsage", "s", property_get_more, 0, 0),
	SD_BUS_PROPERTY("ProxyList", "s", property_get_more, 0, 0),
	SD_BUS_PROPERTY("ProxyBypass", "s", property_get_more, 0, 0),
	SD_BUS_PROPERTY("ProxyAuthScheme", "s", property_get_more, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetProxy",
				SD_BUS_ARGS("s", usage, "s", proxies, "s", bypass),
				SD_BUS_NO_RESULT, method_set_proxy, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetProxyCredentials",
				SD_BUS_ARGS("s", scheme, "s", user, "s", password),
				SD_BUS_NO_RESULT, method_set_credentials, UNPRIV),
	SD_BUS_METHOD("ClearProxyCredentials", NULL, NULL, method_set_credentials, UNPRIV),
	SD_BUS_PROPERTY("MaxDownloadTime", "u", property_get_more, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetMaxDownloadTime", SD_BUS_ARGS("u", seconds),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_PROPERTY("DynamicContent", "b", property_get_more, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetDynamicContent", SD_BUS_ARGS("b", enabled),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("GetFileResponseHeaders", SD_BUS_ARGS("u", index),
				SD_BUS_RESULT("s", headers), method_get_response_headers, UNPRIV),
	SD_BUS_PROPERTY("MaxBandwidth", "t", property_get_more, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetMaxBandwidth", SD_BUS_ARGS("t", bytes_per_s),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_PROPERTY("ParallelFiles", "u", property_get_more, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetParallelFiles", SD_BUS_ARGS("u", files),
				SD_BUS_NO_RESULT, method_set_number, UNPRIV),
	SD_BUS_VTABLE_END
};

int bus_job_register(struct peer *p)
{
	int r;

	r = sd_bus_add_fallback_vtable(p->bus, NULL, BGCOPYD_JOB_PREFIX, BGCOPYD_JOB_IFACE,
				       job_vtable, job_find, p);
	if (r < 0)
		return r;
	return sd_bus_add_node_enumerator(p->bus, NULL, BGCOPYD_JOB_PREFIX, job_enumerate, p);
}
