/* testd: /digest/<name>, the file behind HTTP Digest authentication. */
#define _GNU_SOURCE

#include "testd.h"

#define DIGEST_REALM "testd"
#define DIGEST_OPAQUE "6f70617175650a"
#define DIGEST_NONCE_S 300

enum MHD_Result handle_digest(const struct request *req, const char *name)
{
	static const struct serve_opts plain = { 0, 0, UINT64_MAX, 0, VAL_BOTH, 0, 0, 0 };
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
