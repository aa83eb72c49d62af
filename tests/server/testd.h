/* testd's private header: what its parts share. */
#ifndef BGCOPY_TESTD_H
#define BGCOPY_TESTD_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#define PROG "testd"

/* Size of the buffer MHD hands the body reader; also the largest write. */
#define BODY_BLOCK_SIZE (32 * 1024)

/* A slow body sleeps in slices this long so shutdown is never held up. */
#define SLOW_SLICE_NS 100000000L

/* Idle connections are dropped after this, so they cannot pile up. */
#define CONNECTION_TIMEOUT_S 60u

/* Keeps the deadline arithmetic in wait_for_stop() far from overflow. */
#define MAX_SECONDS_LIMIT (366u * 24u * 3600u)

/* Longer than any real spec; longer ones are rejected as unknown. */
#define FAULT_SPEC_MAX 64

struct config {
	const char *root;
	const char *port_file;
	const char *log_path;
	uint16_t port;
	unsigned long max_seconds;	/* 0: run until signalled */
	const char *tls_cert, *tls_key;	/* PEM files: serve HTTPS */
};

/* One request as the handlers see it; everything points into MHD memory. */
struct request {
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	const char *range;	/* raw Range header, NULL when absent */
	const char *if_range;	/* raw If-Range header, NULL when absent */
	int is_get;
};

/* Which validators a response carries (a real server sends both). */
enum validators { VAL_BOTH, VAL_DATE_ONLY, VAL_NONE };

/* How serve_file() should (mis)behave for one response. */
struct serve_opts {
	int ignore_range;	/* answer 200 with the whole file regardless */
	int lie_start;		/* 206 whose start is not the one asked for */
	uint64_t cut;		/* abort the body after this many bytes */
	uint64_t bps;		/* trickle at this rate; 0 means full speed */
	enum validators validators;
	int ignore_if_range;	/* serve the range even when If-Range fails */
	int unasked_partial;	/* 206 of the first half to a request without Range */
	int short_end;		/* 206 that stops a byte short of the end */
	int secret_headers;	/* Set-Cookie and Content-Location with secrets
				   (TESTD_SECRET_HEADERS), and X-Testd-Note */
};
/* What /headers/ answers with: values a client must never show. */
#define TESTD_COOKIE "testd-session=cookie-secret-4417"
#define TESTD_CONTENT_LOCATION "http://loc-user:loc-pw-8812@127.0.0.1/x?token=loc-token-5150"

/* State of one body being streamed by body_reader(). */
struct body {
	int fd;
	uint64_t start;		/* file offset of the first body byte */
	uint64_t length;	/* body length announced in Content-Length */
	uint64_t cut;		/* end with an error once this much is sent */
	uint64_t bps;
};

enum range_kind { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE };

enum fault_kind {
	FAULT_STATUS,
	FAULT_THEN_OK,
	FAULT_RETRY_AFTER,
	FAULT_RESET,
	FAULT_NO_RANGE,
	FAULT_SHORT,
	FAULT_SLOW,
	FAULT_REDIRECT_LOOP,
	FAULT_REDIRECT_FILE,
	FAULT_REDIRECT,
	FAULT_REDIRECT_HTTP,
	FAULT_LENGTH_MISMATCH,
	FAULT_RESET_NO_RANGE,
	FAULT_RESET_MISMATCH,
	FAULT_RESET_SHORT_END,
	FAULT_SWAP,
	FAULT_SWAP_DATE,
	FAULT_SWAP_NONE,
	FAULT_SWAP_BLIND,
	FAULT_UNASKED_206,
	FAULT_ENDLESS
};

struct fault {
	enum fault_kind kind;
	unsigned int status;	/* FAULT_STATUS only */
	uint64_t arg;		/* the number after ':' if the spec takes one */
};

/* The served directory, the request log (NULL: none), and whether
 * shutdown has started (sleeping slow bodies give up promptly). */
extern int root_fd;
extern FILE *log_fp;
extern atomic_int stopping;

/* respond.c: messages, numbers, the request log, responses */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *scan_u64(const char *p, uint64_t *out);
int parse_u64(const char *s, uint64_t max, uint64_t *out);
int count_hit(const char *path, uint64_t *before);
void free_hits(void);
enum MHD_Result send_response(const struct request *req,
				     unsigned int status,
				     struct MHD_Response *resp);
enum MHD_Result send_text_hdr(const struct request *req,
				     unsigned int status, const char *text,
				     const char *hname, const char *hvalue);
enum MHD_Result send_text(const struct request *req,
				 unsigned int status, const char *text);
enum MHD_Result send_status(const struct request *req,
				   unsigned int status);
void log_line(const char *method, const char *url, const char *range,
	      unsigned int status, const char *if_range);
enum MHD_Result send_redirect(const struct request *req,
				     const char *prefix, const char *path);

/* ranges.c: files from the root, with or without a byte range */
enum MHD_Result serve_file(const struct request *req, const char *name,
				  const struct serve_opts *o);
enum MHD_Result serve_endless(const struct request *req);

/* auth.c: what a request sends: the files under /digest/ need this user
 * and password */
#define DIGEST_USER "alice"
#define DIGEST_PASSWORD "digest-pw-5309"
enum MHD_Result handle_digest(const struct request *req, const char *name);
/* /headers/<name>: the file, its request's X- headers logged first; the
 * answer carries secret_headers */
enum MHD_Result handle_headers(const struct request *req, const char *name);

/* faults.c: the /fault/<spec>/ routes */
enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn,
				      const char *url, const char *method,
				      const char *version,
				      const char *upload_data,
				      size_t *upload_data_size, void **con_cls);

/* daemon.c: the listening daemon (HTTP or TLS), the port file, the wait */
int write_port_file(const char *path, uint16_t port);
struct MHD_Daemon *start_daemon(const struct config *cfg);
int wait_for_stop(const sigset_t *set, unsigned long max_seconds);
void stop_daemon(struct MHD_Daemon *d);

/* raw.c: the second port, /raw/<spec>/<name> answered by hand */
int start_raw(uint16_t *port);
void stop_raw(void);

#endif /* BGCOPY_TESTD_H */
