/* testd: the daemon (HTTP or TLS), the port file, waiting to stop. */
#define _GNU_SOURCE

#include "testd.h"

/* Writes the port to @path via a temporary file so readers never see half. */
int write_port_file(const char *path, uint16_t port)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		warnx_("port file name too long: %s", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f)
		goto error;
	if (fprintf(f, "%u\n", (unsigned int)port) < 0)
		goto error;
	n = fclose(f);
	f = NULL;
	if (n != 0)
		goto error;
	if (rename(tmp, path) != 0)
		goto error;
	return 0;
error:
	warnx_("writing %s: %s", path, strerror(errno));
	if (f)
		fclose(f);
	unlink(tmp);
	return -1;
}

/* The PEM text MHD reads from for the daemon's whole life. */
static char *tls_cert_pem, *tls_key_pem;

/* The whole of a small file, NUL-terminated, or NULL. */
static char *slurp_pem(const char *path)
{
	char *buf = NULL;
	long n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		warnx_("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < 1 << 20 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (!buf)
		warnx_("cannot read %s", path);
	fclose(f);
	return buf;
}

/* Digest nonces are made from it; a test server needs no real secret. */
static char digest_random[32] = "testd digest nonce seed";

struct MHD_Daemon *start_daemon(const struct config *cfg)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	uint16_t port = cfg->port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/*
	 * Thread per connection: slow bodies sleep in the reader, which
	 * would stall every other client under a single polling thread.
	 * poll() rather than select() so high fd numbers are no problem.
	 */
	if (!cfg->tls_cert)
		return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
					MHD_USE_THREAD_PER_CONNECTION |
					MHD_USE_POLL | MHD_USE_ERROR_LOG,
					port, NULL, NULL, handle_request, NULL,
					MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
					MHD_OPTION_CONNECTION_TIMEOUT,
					CONNECTION_TIMEOUT_S,
					MHD_OPTION_DIGEST_AUTH_RANDOM,
					sizeof(digest_random), digest_random,
					/* jobs in parallel each keep a nonce */
					MHD_OPTION_NONCE_NC_SIZE, 64u,
					MHD_OPTION_END);
	tls_cert_pem = slurp_pem(cfg->tls_cert);
	tls_key_pem = slurp_pem(cfg->tls_key);
	d = !tls_cert_pem || !tls_key_pem ? NULL :
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_TLS,
			     port, NULL, NULL, handle_request, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
			     MHD_OPTION_HTTPS_MEM_CERT, tls_cert_pem,
			     MHD_OPTION_HTTPS_MEM_KEY, tls_key_pem,
			     MHD_OPTION_END);
	return d;
}

/*
 * Blocks until SIGTERM/SIGINT or until @max_seconds (0: forever) pass.
 * The signals were blocked before any thread started, so sigtimedwait()
 * here is the only place they are ever delivered: no handler, no races.
 */
int wait_for_stop(const sigset_t *set, unsigned long max_seconds)
{
	struct timespec now, deadline, left;
	int sig;

	if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) {
		warnx_("clock_gettime: %s", strerror(errno));
		return -1;
	}
	deadline.tv_sec += (time_t)max_seconds;
	for (;;) {
		if (max_seconds == 0) {
			sig = sigwaitinfo(set, NULL);
		} else {
			if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
				warnx_("clock_gettime: %s", strerror(errno));
				return -1;
			}
			left.tv_sec = deadline.tv_sec - now.tv_sec;
			left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_nsec += 1000000000L;
				left.tv_sec--;
			}
			if (left.tv_sec < 0) {
				warnx_("--max-seconds %lu reached, exiting",
				       max_seconds);
				return 0;
			}
			sig = sigtimedwait(set, NULL, &left);
		}
		if (sig > 0) {
			warnx_("%s, exiting", strsignal(sig));
			return 0;
		}
		if (errno != EAGAIN && errno != EINTR) {
			warnx_("sigtimedwait: %s", strerror(errno));
			return -1;
		}
	}
}

/* Stops the daemon (when it started) and frees the TLS material. */
void stop_daemon(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
	free(tls_cert_pem);
	free(tls_key_pem);
}
