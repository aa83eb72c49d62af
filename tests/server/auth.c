/* testd: what requests send: /digest/<name> (HTTP Digest), /headers/<name> (X- headers logged). */
#define _GNU_SOURCE

#include "testd.h"

#define DIGEST_REALM "testd"
#define DIGEST_OPAQUE "6f70617175650a"
#define DIGEST_NONCE_S 300

enum MHD_Result handle_digest(const struct request *req, const char *name)
{
	static const struct serve_opts plain = { 0, 0, UINT64_MAX, 0, VAL_BOTH, 0, 0, 0, 0 };
	struct MHD_Response *resp;
	char *user = MHD_digest_auth_get_username(req->conn);
	int ok = MHD_NO;
	enum MHD_Result ret;

	if (user && !strcmp(user, DIGEST_USER))
		ok = MHD_digest_auth_check2(req->conn, DIGEST_REALM, user,
					    DIGEST_PASSWORD, DIGEST_NONCE_S,
					    MHD_DIGEST_ALG_MD5);
	MHD_free(user);
	if (ok == MHD_YES)
		return serve_file(req, name, &plain);
	resp = MHD_create_response_from_buffer(strlen("unauthorized\n"),
					       (void *)"unauthorized\n",
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	log_line(req->method, req->url, req->range, MHD_HTTP_UNAUTHORIZED,
		 req->if_range);
	ret = MHD_queue_auth_fail_response2(req->conn, DIGEST_REALM, DIGEST_OPAQUE,
					    resp, ok == MHD_INVALID_NONCE,
					    MHD_DIGEST_ALG_MD5);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result log_x_header(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *value)
{
	(void)cls;
	(void)kind;
	if ((key[0] == 'X' || key[0] == 'x') && key[1] == '-' && log_fp) {
		flockfile(log_fp);
		fprintf(log_fp, "HEADER %s: %s\n", key, value ? value : "");
		fflush(log_fp);
		funlockfile(log_fp);
	}
	return MHD_YES;
}

enum MHD_Result handle_headers(const struct request *req, const char *name)
{
	static const struct serve_opts plain = { 0, 0, UINT64_MAX, 0, VAL_BOTH, 0, 0, 0, 1 };

	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, log_x_header, NULL);
	return serve_file(req, name, &plain);
}
