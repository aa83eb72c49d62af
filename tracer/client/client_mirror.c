/* Client mode: job handles mirror the daemon's jobs, kept current by its change signals; a job is read whole (GetAll) only when they do not suffice. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

bgcopy_job *client_mirror_add(bgcopy_engine *engine, const char *id)
{
	bgcopy_job *job = client_mirror_of(engine, id);

	if (job)
		return job;
	if (strlen(id) != sizeof(job->id) - 1) {
		set_error(BGCOPY_E_IO, "bgcopyd sent a malformed job id '%s'", id);
		return NULL;
	}
	job = job_alloc(engine);
	if (!job)
		return NULL;
	memcpy(job->id, id, sizeof(job->id));
	engine_link_job(engine, job);
	return job;
}

/* An embedded engine opened now would not load a job that is
 * ACKNOWLEDGED or CANCELLED (the store drops it); the daemon's engine
 * keeps it until the daemon exits. */
static bool final_state_name(const char *state)
{
	return !strcmp(state, bgcopy_state_name(BGCOPY_ACKNOWLEDGED)) ||
	       !strcmp(state, bgcopy_state_name(BGCOPY_CANCELLED));
}

/* Every job the daemon shows us gets a mirror, in creation order, but
 * one already final when this engine first sees it. */
int client_sync_jobs(bgcopy_engine *engine)
{
	sd_bus_message *reply = NULL;
	const char *id, *name, *state, *path;
	uint32_t owner;
	int r, status;

	status = client_callv(engine, "/org/bgcopy1", "org.bgcopy1.Manager",
			      engine->opt.flags & BGCOPY_OPEN_ALL_USERS ?
			      "ListAllUsersJobs" : "ListJobs", &reply, "");
	if (status)
		return status;
	r = sd_bus_message_enter_container(reply, 'a', "(sssuo)");
	while (r > 0 && (r = sd_bus_message_read(reply, "(sssuo)", &id, &name, &state,
						  &owner, &path)) > 0)
		if ((!final_state_name(state) || client_mirror_of(engine, id)) &&
		    !client_mirror_add(engine, id))
			status = BGCOPY_E_NOMEM;
	client_message_unref(engine, reply);
	if (r < 0)
		return set_error(BGCOPY_E_IO, "bgcopyd sent a malformed job list: %s",
				 strerror(-r));
	return status;
}

int client_job_create(bgcopy_engine *engine, const char *name, bgcopy_job **out)
{
	sd_bus_message *m, *reply = NULL;
	const char *path;
	char id[37];
	int status;

	if (!out)
		return set_error(BGCOPY_E_INVALID_ARG, "engine and out are required");
	*out = NULL;
	if (engine->opt.flags & BGCOPY_OPEN_READ_ONLY)
		return set_error(BGCOPY_E_READ_ONLY, "the engine was opened read-only; "
				 "no job can be created");
	status = client_new_call(engine, "/org/bgcopy1", "CreateJobBytes", &reply);
	if (status)
		return status;
	/* The call becomes its reply. */
	m = reply;
	reply = NULL;
	status = client_append_bytes(m, name ? name : "") < 0 ?
		 set_error(BGCOPY_E_NOMEM, "cannot build a call to bgcopyd") :
		 client_send(engine, m, &reply);
	client_message_unref(engine, m);
	if (status)
		return status;
	if (sd_bus_message_read(reply, "o", &path) < 0 || !client_job_id(path, id)) {
		client_message_unref(engine, reply);
		return set_error(BGCOPY_E_IO, "bgcopyd answered CreateJob with no job");
	}
	client_message_unref(engine, reply);
	engine_lock(engine);
	*out = client_mirror_add(engine, id);	/* read whole by its first getter */
	engine_unlock(engine);
	return *out ? BGCOPY_OK : BGCOPY_E_NOMEM;
}

/* ---- reading one job's properties into its mirror -------------------- */

static void set_text(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return;		/* the old value stays until the next refresh */
	free(*field);
	*field = copy;
}

static void free_files(bgcopy_job *job)
{
	for (unsigned i = 0; i < job->nfiles; i++) {
		free(job->files[i].url);
		free(job->files[i].redacted_url);
		free(job->files[i].local_path);
		free(job->files[i].final_url);
	}
	free(job->files);
	job->files = NULL;
	job->nfiles = 0;
}

static int read_files(bgcopy_job *job, sd_bus_message *m)
{
	const char *url, *redacted, *local, *final_url;
	struct job_file *files = NULL, *f;
	int64_t total;
	uint64_t done;
	int completed, r;
	unsigned n = 0;

	r = sd_bus_message_enter_container(m, 'a', "(sssxtbs)");
	while (r > 0 && (r = sd_bus_message_read(m, "(sssxtbs)", &url, &redacted, &local,
						  &total, &done, &completed, &final_url)) > 0) {
		f = realloc(files, (n + 1) * sizeof(*files));
		if (!f) {
			r = -ENOMEM;
			break;
		}
		files = f;
		files[n++] = (struct job_file){
			.url = strdup(url), .redacted_url = strdup(redacted),
			.local_path = strdup(local), .bytes_total = total,
			.bytes_done = done, .completed = completed,
			.final_url = *final_url ? strdup(final_url) : NULL,
		};
	}
	free_files(job);
	job->files = files;
	job->nfiles = n;
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* One 'ay' into a string of its own; NULL when out of memory. */
static char *read_bytes(sd_bus_message *m, int *r)
{
	const void *data;
	size_t n;
	char *s;

	*r = sd_bus_message_read_array(m, 'y', &data, &n);
	if (*r < 0 || !(s = malloc(n + 1)))
		return NULL;
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* DisplayNameBytes and DescriptionBytes: the exact bytes of the texts
 * read before them, which show U+FFFD for what is not UTF-8. */
static int read_text_bytes(char **field, sd_bus_message *m)
{
	int r;
	char *s = read_bytes(m, &r);

	if (s) {
		free(*field);
		*field = s;
	}
	return r;
}

/* LocalPaths, after Files (bus_job.c's order): each path's bytes. */
static int read_local_paths(bgcopy_job *job, sd_bus_message *m)
{
	int r = sd_bus_message_enter_container(m, 'a', "ay");
	char *s;

	for (unsigned i = 0; r > 0 && !sd_bus_message_at_end(m, false); i++) {
		s = read_bytes(m, &r);
		if (s && i < job->nfiles) {
			free(job->files[i].local_path);
			job->files[i].local_path = s;
		} else {
			free(s);
		}
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* After Files (bus_job.c's order): each file's expected digest. */
static int read_files_sha256(bgcopy_job *job, sd_bus_message *m)
{
	char **hex = NULL;
	int r = sd_bus_message_read_strv(m, &hex);

	for (unsigned i = 0; r >= 0 && hex && hex[i] && i < job->nfiles; i++)
		job->files[i].has_sha256 = *hex[i] &&
					   sha256_from_hex(hex[i], job->files[i].sha256) == 0;
	argv_free(hex);
	return r;
}

static int read_cmdline(bgcopy_job *job, sd_bus_message *m)
{
	char **argv = NULL;
	int r = sd_bus_message_read_strv(m, &argv);

	if (r < 0)
		return r;
	argv_free(job->cmdline);
	job->cmdline = argv && argv[0] ? argv : NULL;
	if (!job->cmdline)
		argv_free(argv);
	return 0;
}

static int read_error(bgcopy_job *job, sd_bus_message *m)
{
	const char *desc;
	int has, ctx, r;

	r = sd_bus_message_read(m, "(biiiiis)", &has, &ctx, &job->error.code,
				&job->error.http_status, &job->error.curl_code,
				&job->error.file_index, &desc);
	if (r < 0)
		return r;
	job->has_error = has;
	job->error.context = (enum bgcopy_error_context)ctx;
	snprintf(job->error.description, sizeof(job->error.description), "%s", desc);
	return 0;
}

static void set_pending(bgcopy_job *job, uint32_t pending)
{
	job->ob_transferred.armed = pending & BGCOPY_NOTIFY_JOB_TRANSFERRED;
	job->ob_error.armed = pending & BGCOPY_NOTIFY_JOB_ERROR;
	job->ob_modification.armed = pending & BGCOPY_NOTIFY_JOB_MODIFICATION;
	job->file_queue_len = pending & BGCOPY_NOTIFY_FILE_TRANSFERRED ? 1 : 0;
}

/* The daemon shows header names alone ("X-A, X-B"): the mirror keeps
 * them as value-less lines ("X-A:\nX-B:"), which give those names back. */
static void mirror_header_names(bgcopy_job *job, const char *names)
{
	size_t n = strlen(names);
	char *lines = *names ? malloc(n + 2) : NULL, *at = lines;

	for (const char *c = names; lines && *c; c++) {
		if (c[0] == ',' && c[1] == ' ') {
			*at++ = ':';
			*at++ = '\n';
			c++;
		} else
			*at++ = *c;
	}
	if (lines)
		strcpy(at, ":");
	free(job->headers);
	job->headers = lines;
}

/* The properties whose value is a name. */
static void read_named(bgcopy_job *job, const char *name, const char *value)
{
	if (!strcmp(name, "DisplayName"))
		set_text(&job->name, value);
	else if (!strcmp(name, "Description"))
		set_text(&job->description, value);
	else if (!strcmp(name, "State")) {
		for (int s = BGCOPY_QUEUED; s <= BGCOPY_CANCELLED; s++)
			if (!strcmp(value, bgcopy_state_name(s)))
				job->state = s;
	} else if (!strcmp(name, "Priority")) {
		for (int p = BGCOPY_PRIORITY_FOREGROUND; p <= BGCOPY_PRIORITY_LOW; p++)
			if (!strcmp(value, bgcopy_priority_name(p)))
				job->priority = p;
	} else if (!strcmp(name, "RedirectPolicy")) {
		for (int p = BGCOPY_REDIRECT_ALLOW; p <= BGCOPY_REDIRECT_ALLOW_INSECURE; p++)
			if (!strcmp(value, bgcopy_redirect_policy_name(p)))
				job->redirect_policy = p;
	} else if (!strcmp(name, "AuthScheme") || !strcmp(name, "ProxyAuthScheme")) {
		for (int a = BGCOPY_AUTH_NONE; a <= BGCOPY_AUTH_ANY; a++)
			if (!strcmp(value, bgcopy_auth_scheme_name(a)))
				(*name == 'A' ? &job->auth : &job->proxy_auth)->scheme = a;
	} else if (!strcmp(name, "HeaderNames"))
		mirror_header_names(job, value);
	else if (!strcmp(name, "NotifyService"))
		set_text(&job->notify_service, value);
	else if (!strcmp(name, "ProxyUsage")) {
		for (int u = BGCOPY_PROXY_PRECONFIG; u <= BGCOPY_PROXY_OVERRIDE; u++)
			if (!strcmp(value, bgcopy_proxy_usage_name(u)))
				job->proxy_usage = u;
	} else if (!strcmp(name, "ProxyList"))
		set_text(&job->proxy_list, value);
	else if (!strcmp(name, "ProxyBypass"))
		set_text(&job->proxy_bypass, value);
	else if (!strcmp(name, "ClientCertificate"))
		set_text(&job->tls.client_cert, value);
	else if (!strcmp(name, "ClientKey"))
		set_text(&job->tls.client_key, value);
	else if (!strcmp(name, "CaFile"))
		set_text(&job->tls.ca_file, value);
	else if (!strcmp(name, "CrlFile"))
		set_text(&job->tls.crl_file, value);
}

/* One property's variant, already entered. */
static int read_property(bgcopy_job *job, sd_bus_message *m, const char *name,
			 const char *type)
{
	uint64_t t;
	uint32_t u;
	const char *s;
	int r;

	if (!strcmp(name, "Files"))
		return read_files(job, m);
	if (!strcmp(name, "NotifyCmdline"))
		return read_cmdline(job, m);
	if (!strcmp(name, "FilesSha256"))
		return read_files_sha256(job, m);
	if (!strcmp(name, "LocalPaths"))
		return read_local_paths(job, m);
	if (!strcmp(name, "DisplayNameBytes"))
		return read_text_bytes(&job->name, m);
	if (!strcmp(name, "DescriptionBytes"))
		return read_text_bytes(&job->description, m);
	if (!strcmp(name, "ErrorDetail"))
		return read_error(job, m);
	if (!strcmp(name, "Times"))
		return sd_bus_message_read(m, "(xxx)", &job->ctime, &job->mtime, &job->ttime);
	if (!strcmp(type, "s")) {
		r = sd_bus_message_read(m, "s", &s);
		if (r >= 0)
			read_named(job, name, s);
		return r;
	}
	if (!strcmp(type, "u")) {
		r = sd_bus_message_read(m, "u", &u);
		if (r < 0)
			return r;
		if (!strcmp(name, "Owner"))
			job->owner = u;
		else if (!strcmp(name, "NotifyFlags"))
			job->notify_flags = u;
		else if (!strcmp(name, "MinRetryDelay"))
			job->min_retry_ms = (uint64_t)u * 1000;
		else if (!strcmp(name, "NoProgressTimeout"))
			job->no_progress_ms = (uint64_t)u * 1000;
		else if (!strcmp(name, "MaxDownloadTime"))
			job->max_download_time_ms = (uint64_t)u * 1000;
		else if (!strcmp(name, "NotifyCmdlineTimeout"))
			job->cmdline_timeout_s = u;
		else if (!strcmp(name, "PendingNotifications"))
			set_pending(job, u);
		else if (!strcmp(name, "SecurityFlags"))
			job->tls.flags = u & JOB_TLS_FLAGS;
		else if (!strcmp(name, "ParallelFiles"))
			job->parallel_files = u;
		return 0;
	}
	if (!strcmp(type, "b") && !strcmp(name, "DynamicContent")) {
		int b = 0;

		r = sd_bus_message_read(m, "b", &b);
		job->dynamic_content = b != 0;
		return r;
	}
	if (!strcmp(type, "t") && !strcmp(name, "MaxBandwidth"))
		return sd_bus_message_read(m, "t", &job->max_bandwidth);
	if (!strcmp(type, "t") && (!strcmp(name, "MaxDownloadSize") || !strcmp(name, "NotifyEpoch"))) {
		r = sd_bus_message_read(m, "t", &t);
		if (r >= 0)
			*(!strcmp(name, "NotifyEpoch") ? &job->epoch : &job->max_download) = t;
		return r;
	}
	return sd_bus_message_skip(m, type);
}

/* Values a change signal carries that the mirror takes as they come;
 * any other named in a signal (progress, Error: text that stands for
 * ErrorDetail) makes the mirror read the job whole. */
static bool taken_from_signal(const char *name)
{
	static const char *const names[] = {
		"State", "Priority", "Owner", "NotifyFlags", "DisplayName", "Description",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* One property's entry, already entered: its variant read into the
 * mirror, or skipped (the mirror no longer current). */
static int read_entry(bgcopy_job *job, sd_bus_message *m, bool from_signal)
{
	const char *name, *type;
	int r = sd_bus_message_read(m, "s", &name);

	if (r >= 0 && from_signal && !taken_from_signal(name)) {
		job->mirror_current = false;
		return sd_bus_message_skip(m, "v");
	}
	if (r >= 0)
		r = sd_bus_message_peek_type(m, NULL, &type);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'v', type);
	if (r >= 0)
		r = read_property(job, m, name, type);
	return r >= 0 ? sd_bus_message_exit_container(m) : r;
}

/* An a{sv} of GetAll or of PropertiesChanged into the mirror. */
static int read_all(bgcopy_job *job, sd_bus_message *m, bool from_signal)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");

	while (r > 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = read_entry(job, m, from_signal);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);	/* the entry */
		if (r >= 0)
			r = 1;
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* The whole job from the daemon.  Every change signal sent before the
 * reply is older than what it carries: one connection keeps the
 * daemon's order, and its cookies (serial numbers) grow with it. */
static int read_whole(bgcopy_job *job)
{
	bgcopy_engine *engine = job->engine;
	sd_bus_message *reply = NULL;
	uint64_t cookie = 0;
	char path[128];
	int status;

	client_job_path(job->id, path, sizeof(path));
	status = client_callv(engine, path, "org.freedesktop.DBus.Properties", "GetAll", &reply,
			      "s", "org.bgcopy1.Job");
	if (status)
		return status;
	if (read_all(job, reply, false) < 0 || sd_bus_message_get_cookie(reply, &cookie) < 0) {
		job->mirror_current = job->mirror_signaled = false;
		status = set_error(BGCOPY_E_IO, "bgcopyd sent malformed properties of job %s",
				   job->id);
	} else {
		/* Not when answered before a change of ours (client_bus.c). */
		job->mirror_current = job->mirror_signaled = cookie > job->mirror_changed;
		job->mirror_cookie = cookie;
	}
	client_message_unref(engine, reply);
	return status;
}

/* ---- change signals -------------------------------------------------- */

/* Past this many signals waiting for a getter they are dropped, and
 * every mirror is read whole when next used: a process that reads no
 * job keeps no backlog. */
#define SIGNALS_MAX 4096

/* bus_lock held: sd_bus_process calls the match. */
static void drop_signals(struct client *c)
{
	for (size_t i = 0; i < c->nsignals; i++)
		sd_bus_message_unref(c->signals[i]);
	free(c->signals);
	c->signals = NULL;
	c->nsignals = c->signals_cap = 0;
}

/* Every PropertiesChanged of a job object, kept in the order received
 * for the next getter, which holds the engine lock this cannot take. */
static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct client *c = userdata;
	sd_bus_message **grown = NULL;
	size_t cap;

	(void)error;
	if (c->signals_dropped)
		return 0;
	if (c->nsignals == c->signals_cap) {
		cap = c->signals_cap ? 2 * c->signals_cap : 64;
		if (cap <= SIGNALS_MAX)
			grown = realloc(c->signals, cap * sizeof(*grown));
		if (!grown) {
			drop_signals(c);
			c->signals_dropped = true;
			return 0;
		}
		c->signals = grown;
		c->signals_cap = cap;
	}
	c->signals[c->nsignals++] = sd_bus_message_ref(m);
	return 0;
}

/* At the open, before any job is read: the daemon sends every peer the
 * signals of the jobs it sees; the match picks them out locally. */
int client_mirror_watch(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	int r = sd_bus_add_match(c->bus, NULL, "type='signal',"
				 "interface='org.freedesktop.DBus.Properties',"
				 "member='PropertiesChanged',"
				 "path_namespace='/org/bgcopy1/job'",
				 on_properties_changed, c);

	return r < 0 ? set_error(BGCOPY_E_NOMEM, "cannot watch bgcopyd's change signals: %s",
				 strerror(-r)) : BGCOPY_OK;
}

/* The signals nobody applied, once no thread reads the connection. */
void client_mirror_free(bgcopy_engine *engine)
{
	struct client *c = engine->client;

	pthread_mutex_lock(&c->bus_lock);
	drop_signals(c);
	pthread_mutex_unlock(&c->bus_lock);
}

/* One signal into its job's mirror, unless the mirror was read whole
 * after the daemon sent it (or the job has no mirror yet: read whole
 * when it gets one). */
static void apply_signal(bgcopy_engine *engine, sd_bus_message *m)
{
	const char *path = sd_bus_message_get_path(m), *iface, *name;
	char id[37];
	bgcopy_job *job;
	uint64_t cookie;
	int r;

	if (!path || !client_job_id(path, id) || sd_bus_message_get_cookie(m, &cookie) < 0)
		return;
	job = client_mirror_of(engine, id);
	if (!job || cookie <= job->mirror_cookie)
		return;
	job->mirror_cookie = cookie;
	r = sd_bus_message_rewind(m, true);
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &iface);
	if (r >= 0 && strcmp(iface, "org.bgcopy1.Job"))
		return;
	if (r >= 0)
		r = read_all(job, m, true);
	/* Named alone (invalidated): read whole when next used. */
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "s");
	if (r < 0 || (r > 0 && !sd_bus_message_at_end(m, false)))
		job->mirror_current = false;
	while (r > 0 && (r = sd_bus_message_read(m, "s", &name)) > 0)
		if (taken_from_signal(name))
			job->mirror_signaled = false;
	if (r < 0)
		job->mirror_signaled = false;
}

/* Reads what the daemon has sent so far (the connection's order) and
 * applies its change signals in that order. */
static int apply_signals(bgcopy_engine *engine)
{
	struct client *c = engine->client;
	sd_bus_message **signals;
	size_t n;
	bool dropped;
	int r, status;

	/* One message at a time: the callbacks' replies go out meanwhile. */
	do {
		pthread_mutex_lock(&c->bus_lock);
		status = client_check_open(c);
		r = status ? 0 : sd_bus_process(c->bus, NULL);
		if (r < 0) {
			client_read_failed(c, r);
			status = client_check_open(c);
		}
		pthread_mutex_unlock(&c->bus_lock);
	} while (r > 0);
	pthread_mutex_lock(&c->bus_lock);
	signals = c->signals;
	n = c->nsignals;
	dropped = c->signals_dropped;
	c->signals = NULL;
	c->nsignals = c->signals_cap = 0;
	c->signals_dropped = false;
	pthread_mutex_unlock(&c->bus_lock);

	for (bgcopy_job *job = engine->jobs; dropped && job; job = job->next)
		job->mirror_current = job->mirror_signaled = false;
	for (size_t i = 0; i < n; i++)
		apply_signal(engine, signals[i]);
	pthread_mutex_lock(&c->bus_lock);
	for (size_t i = 0; i < n; i++)
		sd_bus_message_unref(signals[i]);
	pthread_mutex_unlock(&c->bus_lock);
	free(signals);
	return status;
}

int client_mirror_read(bgcopy_job *job, enum api_rule rule)
{
	bool current;
	int status;

	assert(engine_locked(job->engine));
	status = apply_signals(job->engine);
	current = rule == API_READ_SIGNALED ? job->mirror_signaled :
		  rule != API_READ_LIVE && job->mirror_current;
	if (status == BGCOPY_OK && !current) {
		status = read_whole(job);
		/* bgcopyd let go of it a while after it became final
		 * (job_forget.c): what was read of it last is its end. */
		if (status == BGCOPY_E_NOT_FOUND && state_is_final(job->state))
			status = BGCOPY_OK;
	}
	return status;
}
