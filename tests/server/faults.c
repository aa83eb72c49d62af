/* testd: the /fault/<spec>/<name> routes, and routing every request. */
#define _GNU_SOURCE

#include "testd.h"

static const struct fault_def {
	const char *name;
	enum fault_kind kind;
	unsigned int status;
	int has_arg;
	uint64_t min_arg;
} fault_defs[] = {
	{ "404", FAULT_STATUS, MHD_HTTP_NOT_FOUND, 0, 0 },
	{ "403", FAULT_STATUS, MHD_HTTP_FORBIDDEN, 0, 0 },
	{ "410", FAULT_STATUS, MHD_HTTP_GONE, 0, 0 },
	{ "500", FAULT_STATUS, MHD_HTTP_INTERNAL_SERVER_ERROR, 0, 0 },
	{ "503", FAULT_STATUS, MHD_HTTP_SERVICE_UNAVAILABLE, 0, 0 },
	{ "304", FAULT_STATUS, MHD_HTTP_NOT_MODIFIED, 0, 0 },
	{ "503-then-ok", FAULT_THEN_OK, 0, 1, 0 },
	{ "retry-after", FAULT_RETRY_AFTER, 0, 1, 0 },
	{ "reset", FAULT_RESET, 0, 1, 0 },
	{ "no-range", FAULT_NO_RANGE, 0, 0, 0 },
	{ "short", FAULT_SHORT, 0, 1, 0 },
	{ "slow", FAULT_SLOW, 0, 1, 1 },
	{ "redirect-loop", FAULT_REDIRECT_LOOP, 0, 0, 0 },
	{ "redirect-file", FAULT_REDIRECT_FILE, 0, 0, 0 },
	{ "redirect", FAULT_REDIRECT, 0, 0, 0 },
	{ "redirect-http", FAULT_REDIRECT_HTTP, 0, 1, 1 },
	{ "length-mismatch", FAULT_LENGTH_MISMATCH, 0, 0, 0 },
	{ "reset-no-range", FAULT_RESET_NO_RANGE, 0, 1, 0 },
	{ "reset-mismatch", FAULT_RESET_MISMATCH, 0, 1, 0 },
	{ "reset-short-end", FAULT_RESET_SHORT_END, 0, 1, 0 },
	{ "swap", FAULT_SWAP, 0, 1, 0 },
	{ "swap-date", FAULT_SWAP_DATE, 0, 1, 0 },
	{ "swap-none", FAULT_SWAP_NONE, 0, 1, 0 },
	{ "swap-blind", FAULT_SWAP_BLIND, 0, 1, 0 },
	{ "unasked-206", FAULT_UNASKED_206, 0, 1, 0 },
	{ "endless", FAULT_ENDLESS, 0, 0, 0 },
};

/*
 * Matches @spec ("name" or "name:N") against fault_defs.  Returns 0 and
 * fills @f, or -1 for unknown names and missing or bad arguments.
 */
static int parse_fault(const char *spec, struct fault *f)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	size_t i;

	for (i = 0; i < sizeof(fault_defs) / sizeof(fault_defs[0]); i++) {
		const struct fault_def *d = &fault_defs[i];

		if (strlen(d->name) != nlen || strncmp(d->name, spec, nlen))
			continue;
		if (!d->has_arg != !colon)
			return -1;
		f->kind = d->kind;
		f->status = d->status;
		f->arg = 0;
		if (colon && (parse_u64(colon + 1, UINT64_MAX, &f->arg) ||
			      f->arg < d->min_arg))
			return -1;
		return 0;
	}
	return -1;
}

/* How many times this exact path was asked for before, or -1 on error. */
static int previous_hits(const struct request *req, uint64_t *n)
{
	if (count_hit(req->url, n)) {
		warnx_("out of memory counting %s", req->url);
		return -1;
	}
	return 0;
}

/*
 * The swap faults: the first GET serves <name> cut after K bytes; every
 * later request serves <name>.v2, the file as changed on the server.
 * Returns the name to serve, in @buf when it is the second version.
 */
static const char *swap_version(const struct request *req,
				const struct fault *f, const char *name,
				struct serve_opts *o, char *buf, size_t size)
{
	uint64_t n = 1;

	o->validators = f->kind == FAULT_SWAP_DATE ? VAL_DATE_ONLY :
			f->kind == FAULT_SWAP_NONE ? VAL_NONE : VAL_BOTH;
	o->ignore_if_range = f->kind == FAULT_SWAP_BLIND;
	if (req->is_get && previous_hits(req, &n))
		return NULL;
	if (req->is_get && n == 0) {
		o->cut = f->arg;
		return name;
	}
	snprintf(buf, size, "%s.v2", name);
	return buf;
}

static enum MHD_Result handle_fault(const struct request *req,
				    const char *rest)
{
	struct serve_opts o = { 0, 0, UINT64_MAX, 0, VAL_BOTH, 0, 0, 0, 0 };
	struct fault f;
	char spec[FAULT_SPEC_MAX + 1], msg[FAULT_SPEC_MAX + 64], ra[32];
	char changed[PATH_MAX];
	const char *slash = strchr(rest, '/');
	const char *name = slash ? slash + 1 : "";
	size_t slen = slash ? (size_t)(slash - rest) : strlen(rest);
	uint64_t n;
	int too_long;

	/* No real spec is this long; truncating only shortens the message. */
	too_long = slen > FAULT_SPEC_MAX;
	if (too_long)
		slen = FAULT_SPEC_MAX;
	memcpy(spec, rest, slen);
	spec[slen] = '\0';
	if (too_long || parse_fault(spec, &f)) {
		snprintf(msg, sizeof(msg), "unknown fault spec '%s'\n", spec);
		return send_text(req, MHD_HTTP_BAD_REQUEST, msg);
	}

	switch (f.kind) {
	case FAULT_STATUS:
		snprintf(msg, sizeof(msg), "fault %s\n", spec);
		return send_text(req, f.status, msg);
	case FAULT_THEN_OK:
		if (previous_hits(req, &n))
			return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
		if (n < f.arg)
			return send_text(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					 "fault 503-then-ok\n");
		break;
	case FAULT_RETRY_AFTER:
		if (previous_hits(req, &n))
			return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
		if (n == 0) {
			snprintf(ra, sizeof(ra), "%" PRIu64, f.arg);
			return send_text_hdr(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					     "fault retry-after\n",
					     MHD_HTTP_HEADER_RETRY_AFTER, ra);
		}
		break;
	case FAULT_RESET:
	case FAULT_RESET_NO_RANGE:
	case FAULT_RESET_MISMATCH:
	case FAULT_RESET_SHORT_END:
		/*
		 * Only a GET has a body to cut, so a HEAD probe must not use
		 * up the one reset the test is waiting for.  The resumed
		 * request then meets a server that ignores or misreports the
		 * range, for the two combined specs.
		 */
		if (req->is_get) {
			if (previous_hits(req, &n))
				return send_status(req,
						   MHD_HTTP_INTERNAL_SERVER_ERROR);
			if (n == 0)
				o.cut = f.arg;
			else if (f.kind == FAULT_RESET_NO_RANGE)
				o.ignore_range = 1;
			else if (f.kind == FAULT_RESET_MISMATCH && n == 1)
				o.lie_start = 1;
			else if (f.kind == FAULT_RESET_SHORT_END && n == 1)
				o.short_end = 1;
		}
		break;
	case FAULT_NO_RANGE:
		o.ignore_range = 1;
		break;
	case FAULT_SHORT:
		o.cut = f.arg;
		break;
	case FAULT_SLOW:
		o.bps = f.arg;
		break;
	case FAULT_REDIRECT_LOOP:
		return send_redirect(req, "", req->url);
	case FAULT_REDIRECT_FILE:
		return send_text_hdr(req, MHD_HTTP_FOUND, "redirect\n",
				     MHD_HTTP_HEADER_LOCATION,
				     "file:///etc/passwd");
	case FAULT_REDIRECT:
		while (*name == '/')
			name++;
		return send_redirect(req, "/", name);
	case FAULT_REDIRECT_HTTP:
		while (*name == '/')
			name++;
		snprintf(changed, sizeof(changed), "http://127.0.0.1:%" PRIu64 "/",
			 f.arg);
		return send_redirect(req, changed, name);
	case FAULT_LENGTH_MISMATCH:
		o.lie_start = 1;
		break;
	case FAULT_SWAP:
	case FAULT_SWAP_DATE:
	case FAULT_SWAP_NONE:
	case FAULT_SWAP_BLIND:
		name = swap_version(req, &f, name, &o, changed, sizeof(changed));
		if (!name)
			return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
		break;
	case FAULT_UNASKED_206:
		if (req->is_get && !req->range) {
			if (previous_hits(req, &n))
				return send_status(req, MHD_HTTP_INTERNAL_SERVER_ERROR);
			o.unasked_partial = n < f.arg;
		}
		break;
	case FAULT_ENDLESS:
		return serve_endless(req);
	}
	return serve_file(req, name, &o);
}

enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn,
				      const char *url, const char *method,
				      const char *version,
				      const char *upload_data,
				      size_t *upload_data_size, void **con_cls)
{
	static const struct serve_opts plain = { 0, 0, UINT64_MAX, 0, VAL_BOTH, 0, 0, 0, 0 };
	struct request req;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;

	/*
	 * Answering on the first call is fine: GET and HEAD carry no body,
	 * and for anything else MHD discards the upload after our 405.
	 */
	req.conn = conn;
	req.method = method;
	req.url = url;
	req.range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						MHD_HTTP_HEADER_RANGE);
	req.if_range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						   MHD_HTTP_HEADER_IF_RANGE);
	req.is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
	if (!req.is_get && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return send_text_hdr(&req, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed\n",
				     MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (strncmp(url, "/fault/", 7) == 0)
		return handle_fault(&req, url + 7);
	if (strncmp(url, "/digest/", 8) == 0)
		return handle_digest(&req, url + 8);
	if (strncmp(url, "/headers/", 9) == 0)
		return handle_headers(&req, url + 9);
	return serve_file(&req, url, &plain);
}
