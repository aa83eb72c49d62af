/* A job as the command shows it: a JSON object, and the text made from it. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgcopy.h"
#include "job_view.h"
#include "safe_text.h"

json_t *error_json(const struct bgcopy_error *err)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:i,s:o}",
		"context", err->context, "code", err->code,
		"http_status", err->http_status, "curl_code", err->curl_code,
		"file_index", err->file_index,
		"description", json_text(err->description));
}

/* The proxy's usage and lists; of its credentials, the scheme alone. */
static void add_proxy_json(bgcopy_job *job, json_t *o)
{
	char proxies[BGCOPY_PROXY_LIST_MAX + 1], bypass[BGCOPY_PROXY_LIST_MAX + 1];

	bgcopy_job_get_proxy_lists(job, proxies, sizeof(proxies), bypass, sizeof(bypass));
	json_object_set_new(o, "proxy", json_string(
		bgcopy_proxy_usage_name(bgcopy_job_get_proxy_usage(job))));
	json_object_set_new(o, "proxy_list", json_text(proxies));
	json_object_set_new(o, "proxy_bypass", json_text(bypass));
	json_object_set_new(o, "proxy_credentials", json_string(
		bgcopy_auth_scheme_name(bgcopy_job_get_proxy_auth_scheme(job))));
}

/* The TLS files' paths and the security flags, by value and by name. */
static void add_tls_json(bgcopy_job *job, json_t *o)
{
	char cert[4096] = "", key[4096] = "", ca[4096] = "", crl[4096] = "", names[256] = "";
	uint32_t flags = bgcopy_job_get_security_flags(job);

	bgcopy_job_get_client_certificate(job, cert, sizeof(cert), key, sizeof(key));
	bgcopy_job_get_ca_file(job, ca, sizeof(ca));
	bgcopy_job_get_crl_file(job, crl, sizeof(crl));
	bgcopy_security_flag_names(flags, names, sizeof(names));
	json_object_set_new(o, "client_certificate", json_text(cert));
	json_object_set_new(o, "client_key", json_text(key));
	json_object_set_new(o, "ca_file", json_text(ca));
	json_object_set_new(o, "crl_file", json_text(crl));
	json_object_set_new(o, "security_flags", json_integer(flags));
	json_object_set_new(o, "security_flag_names", json_string(*names ? names : "none"));
}

json_t *job_json(bgcopy_job *job, bool show_args)
{
	char id[37], name[256], desc[1024], cmd[1024], names[1024];
	char service[BGCOPY_NOTIFY_SERVICE_MAX + 1];
	struct bgcopy_progress p;
	struct bgcopy_error err;
	json_t *files = json_array(), *o;

	bgcopy_job_get_id(job, id);
	bgcopy_job_get_display_name(job, name, sizeof(name));
	bgcopy_job_get_description(job, desc, sizeof(desc));
	/* Arguments may hold tokens: shown only when asked for. */
	if (show_args)
		bgcopy_job_get_notify_cmdline(job, cmd, sizeof(cmd));
	else
		bgcopy_job_get_notify_cmdline_summary(job, cmd, sizeof(cmd));
	bgcopy_job_get_progress(job, &p);
	for (unsigned i = 0; i < p.files_total; i++) {
		struct bgcopy_file_info f;
		char final_url[2048];

		if (bgcopy_job_get_file(job, i, &f) == BGCOPY_OK &&
		    bgcopy_job_get_file_final_url(job, i, final_url,
						  sizeof(final_url)) == BGCOPY_OK)
			json_array_append_new(files, json_pack("{s:o,s:o,s:o,s:I,s:I,s:b}",
				"url", json_text(f.redacted_url),
				"final_url", json_text(final_url),
				"local_path", json_text(f.local_path),
				"bytes_total", (json_int_t)f.bytes_total,
				"bytes_transferred", (json_int_t)f.bytes_transferred,
				"completed", f.completed));
	}
	o = json_pack("{s:s,s:o,s:o,s:s,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:i,s:i,s:i,s:I,s:i,s:o,s:I,s:I,s:o}",
		"id", id, "name", json_text(name), "description", json_text(desc),
		"state", bgcopy_state_name(bgcopy_job_get_state(job)),
		"priority", bgcopy_priority_name(bgcopy_job_get_priority(job)),
		"owner", (int)bgcopy_job_get_owner(job),
		"created", (json_int_t)bgcopy_job_get_time(job, BGCOPY_TIME_CREATED),
		"modified", (json_int_t)bgcopy_job_get_time(job, BGCOPY_TIME_MODIFIED),
		"transferred", (json_int_t)bgcopy_job_get_time(job, BGCOPY_TIME_TRANSFERRED),
		"bytes_total", (json_int_t)p.bytes_total,
		"bytes_transferred", (json_int_t)p.bytes_transferred,
		"files_total", (int)p.files_total,
		"files_transferred", (int)p.files_transferred,
		"notify_flags", (int)bgcopy_job_get_notify_flags(job),
		"notify_epoch", (json_int_t)bgcopy_job_get_notify_epoch(job),
		"pending_notifications", (int)bgcopy_job_get_pending_notifications(job),
		"notify_cmdline", json_text(cmd),
		"min_retry_delay", (json_int_t)bgcopy_job_get_min_retry_delay(job),
		"no_progress_timeout", (json_int_t)bgcopy_job_get_no_progress_timeout(job),
		"files", files);
	if (o) {
		json_object_set_new(o, "max_download_size", json_integer(
			(json_int_t)bgcopy_job_get_max_download_size(job)));
		json_object_set_new(o, "redirect_policy", json_string(
			bgcopy_redirect_policy_name(bgcopy_job_get_redirect_policy(job))));
		json_object_set_new(o, "credentials", json_string(
			bgcopy_auth_scheme_name(bgcopy_job_get_auth_scheme(job))));
		bgcopy_job_get_header_names(job, names, sizeof(names));
		json_object_set_new(o, "header_names", json_text(names));
		add_proxy_json(job, o);
		add_tls_json(job, o);
		json_object_set_new(o, "max_bandwidth", json_integer(
			(json_int_t)bgcopy_job_get_max_bandwidth(job)));
		json_object_set_new(o, "parallel_files", json_integer(
			(json_int_t)bgcopy_job_get_parallel_files(job)));
		json_object_set_new(o, "dynamic_content",
				    json_boolean(bgcopy_job_get_dynamic_content(job)));
		json_object_set_new(o, "max_download_time", json_integer(
			(json_int_t)bgcopy_job_get_max_download_time(job)));
		json_object_set_new(o, "notify_cmdline_timeout", json_integer(
			(json_int_t)bgcopy_job_get_notify_cmdline_timeout(job)));
		bgcopy_job_get_notify_service(job, service, sizeof(service));
		json_object_set_new(o, "notify_service", json_string(service));
	}
	if (o && bgcopy_job_get_error(job, &err) == BGCOPY_OK)
		json_object_set_new(o, "error", error_json(&err));
	return o;
}

/* Each file's last response headers, as the engine kept them. */
void add_response_headers(bgcopy_job *job, json_t *o)
{
	char *text = malloc(BGCOPY_RESPONSE_HEADERS_MAX + 1);
	json_t *files = json_object_get(o, "files"), *f;
	size_t i;

	json_array_foreach(files, i, f) {
		if (text && bgcopy_job_get_file_response_headers(job, (unsigned)i, text,
				BGCOPY_RESPONSE_HEADERS_MAX + 1) == BGCOPY_OK)
			json_object_set_new(f, "response_headers", json_text(text));
	}
	free(text);
}

void print_job_text(json_t *o)
{
	json_t *files = json_object_get(o, "files"), *f, *err;
	size_t i;

	print_safe(stdout, "job %s \"%s\"\n", json_string_value(json_object_get(o, "id")),
	       json_string_value(json_object_get(o, "name")));
	print_safe(stdout, "  state %s, priority %s, %lld/%lld bytes, %lld/%lld files\n",
	       json_string_value(json_object_get(o, "state")),
	       json_string_value(json_object_get(o, "priority")),
	       json_integer_value(json_object_get(o, "bytes_transferred")),
	       json_integer_value(json_object_get(o, "bytes_total")),
	       json_integer_value(json_object_get(o, "files_transferred")),
	       json_integer_value(json_object_get(o, "files_total")));
	print_safe(stdout, "  notify flags 0x%llx, epoch %lld, pending 0x%llx, command line '%s' (time limit %llds)\n",
	       json_integer_value(json_object_get(o, "notify_flags")),
	       json_integer_value(json_object_get(o, "notify_epoch")),
	       json_integer_value(json_object_get(o, "pending_notifications")),
	       json_string_value(json_object_get(o, "notify_cmdline")),
	       json_integer_value(json_object_get(o, "notify_cmdline_timeout")));
	print_safe(stdout, "  retry delay %llds, no-progress timeout %llds, max download size %lld bytes (0: none), redirects %s, credentials %s, headers '%s'\n",
	       json_integer_value(json_object_get(o, "min_retry_delay")),
	       json_integer_value(json_object_get(o, "no_progress_timeout")),
	       json_integer_value(json_object_get(o, "max_download_size")),
	       json_string_value(json_object_get(o, "redirect_policy")),
	       json_string_value(json_object_get(o, "credentials")),
	       json_string_value(json_object_get(o, "header_names")));
	if (*json_string_value(json_object_get(o, "notify_service")))
		print_safe(stdout, "  notify service %s\n",
			   json_string_value(json_object_get(o, "notify_service")));
	print_safe(stdout, "  max download time %llds (0: none), dynamic content %s, bandwidth cap %lld B/s (0: none), parallel files %lld\n",
	       json_integer_value(json_object_get(o, "max_download_time")),
	       json_is_true(json_object_get(o, "dynamic_content")) ? "on" : "off",
	       json_integer_value(json_object_get(o, "max_bandwidth")),
	       json_integer_value(json_object_get(o, "parallel_files")));
	print_safe(stdout, "  proxy %s '%s', bypass '%s', proxy credentials %s\n",
	       json_string_value(json_object_get(o, "proxy")),
	       json_string_value(json_object_get(o, "proxy_list")),
	       json_string_value(json_object_get(o, "proxy_bypass")),
	       json_string_value(json_object_get(o, "proxy_credentials")));
	print_safe(stdout, "  tls client certificate '%s' key '%s', CA file '%s', CRL file '%s', security flags 0x%llx (%s)\n",
	       json_string_value(json_object_get(o, "client_certificate")),
	       json_string_value(json_object_get(o, "client_key")),
	       json_string_value(json_object_get(o, "ca_file")),
	       json_string_value(json_object_get(o, "crl_file")),
	       json_integer_value(json_object_get(o, "security_flags")),
	       json_string_value(json_object_get(o, "security_flag_names")));
	if ((err = json_object_get(o, "error")))
		print_safe(stdout, "  error: %s\n", json_string_value(json_object_get(err, "description")));
	json_array_foreach(files, i, f)
		print_safe(stdout, "  file %zu: %s%s%s -> %s (%lld/%lld bytes%s)\n", i,
		       json_string_value(json_object_get(f, "url")),
		       *json_string_value(json_object_get(f, "final_url")) ? ", redirected to " : "",
		       json_string_value(json_object_get(f, "final_url")),
		       json_string_value(json_object_get(f, "local_path")),
		       json_integer_value(json_object_get(f, "bytes_transferred")),
		       json_integer_value(json_object_get(f, "bytes_total")),
		       json_is_true(json_object_get(f, "completed")) ? ", done" : "");
	json_array_foreach(files, i, f) {
		const char *h = json_string_value(json_object_get(f, "response_headers"));

		if (!h)
			continue;
		print_safe(stdout, "  file %zu response headers:%s\n", i, *h ? "" : " none");
		for (const char *line = h; *line; ) {	/* one line each: escaped */
			size_t len = strcspn(line, "\n");

			print_safe(stdout, "    %.*s\n", (int)len, line);
			line += len + (line[len] == '\n');
		}
	}
}
