/*
 * testd: a small HTTP/1.1 server on 127.0.0.1 for the bgcopy tests.
 *
 * It serves the files of one directory (GET and HEAD, single byte ranges)
 * and, under /fault/<spec>/<name>, misbehaves on purpose so the tests can
 * drive the libcurl download engine through every error path it has to
 * survive: error statuses, 503 storms, Retry-After, connections cut
 * mid-body, servers that ignore or botch Range, slow links and bad
 * redirects.  See README.md next to this file for the option list and the
 * fault specs.
 *
 * libmicrohttpd runs one thread per connection, so a slow or stalled
 * transfer never holds up the others; the main thread only waits for
 * SIGTERM/SIGINT or for --max-seconds to pass, so a server a test forgot
 * to kill still goes away on its own.
 */
#define _GNU_SOURCE

#include "testd.h"

int root_fd = -1;
FILE *log_fp;
atomic_int stopping;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " --root DIR [--port N] [--port-file FILE]"
		" [--log FILE] [--max-seconds N]\n"
		"       [--tls-cert PEM --tls-key PEM]\n"
		"  --root DIR         directory to serve (required)\n"
		"  --port N           port on 127.0.0.1; 0 (default) picks one\n"
		"  --port-file FILE   write the port there, atomically\n"
		"  --log FILE         append one line per request\n"
		"  --max-seconds N    exit after N seconds (default 600, 0: never)\n"
		"  --tls-cert PEM     serve HTTPS with this certificate\n"
		"  --tls-key PEM      and this private key\n");
}

/* Returns 0 to run, 1 after --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "max-seconds", required_argument, NULL, 't' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "r:p:f:l:t:c:k:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			cfg->root = optarg;
			break;
		case 'p':
			if (parse_u64(optarg, 65535, &v)) {
				warnx_("bad --port: %s", optarg);
				return -1;
			}
			cfg->port = (uint16_t)v;
			break;
		case 'f':
			cfg->port_file = optarg;
			break;
		case 'l':
			cfg->log_path = optarg;
			break;
		case 't':
			if (parse_u64(optarg, MAX_SECONDS_LIMIT, &v)) {
				warnx_("bad --max-seconds: %s", optarg);
				return -1;
			}
			cfg->max_seconds = (unsigned long)v;
			break;
		case 'c':
			cfg->tls_cert = optarg;
			break;
		case 'k':
			cfg->tls_key = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		warnx_("unexpected argument: %s", argv[optind]);
		usage(stderr);
		return -1;
	}
	if (!cfg->tls_cert != !cfg->tls_key) {
		warnx_("--tls-cert and --tls-key go together");
		usage(stderr);
		return -1;
	}
	if (!cfg->root) {
		warnx_("--root is required");
		usage(stderr);
		return -1;
	}
	return 0;
}

static int open_log(const char *path)
{
	log_fp = fopen(path, "a");
	if (!log_fp) {
		warnx_("cannot open log %s: %s", path, strerror(errno));
		return -1;
	}
	/* Line buffered as well as flushed: belt and braces for grep. */
	if (setvbuf(log_fp, NULL, _IOLBF, 0) != 0) {
		warnx_("setvbuf: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Blocks the stop signals in this thread before MHD creates its threads,
 * so they inherit the mask and only wait_for_stop() ever takes them.
 * SIGPIPE is ignored because a client hanging up is routine here.
 */
static int setup_signals(sigset_t *set)
{
	int err;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		warnx_("signal: %s", strerror(errno));
		return -1;
	}
	if (sigemptyset(set) || sigaddset(set, SIGTERM) ||
	    sigaddset(set, SIGINT)) {
		warnx_("sigset: %s", strerror(errno));
		return -1;
	}
	err = pthread_sigmask(SIG_BLOCK, set, NULL);
	if (err) {
		warnx_("pthread_sigmask: %s", strerror(err));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = { .max_seconds = 600 };
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d = NULL;
	int rc = EXIT_FAILURE, port_file_written = 0;
	uint16_t port, raw_port = 0;
	char raw_port_file[PATH_MAX] = "";
	sigset_t stop_set;

	switch (parse_args(argc, argv, &cfg)) {
	case 0:
		break;
	case 1:
		return EXIT_SUCCESS;
	default:
		return 2;
	}

	root_fd = open(cfg.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		warnx_("cannot open root %s: %s", cfg.root, strerror(errno));
		goto end;
	}
	if (cfg.log_path && open_log(cfg.log_path))
		goto end;
	if (setup_signals(&stop_set))
		goto end;

	d = start_daemon(&cfg);
	if (!d) {
		warnx_("cannot start server on 127.0.0.1:%u",
		       (unsigned int)cfg.port);
		goto end;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || info->port == 0) {
		warnx_("cannot learn the bound port");
		goto end;
	}
	port = info->port;
	if (start_raw(&raw_port))
		goto end;

	if (printf("PORT %u\nRAWPORT %u\n", (unsigned int)port,
		   (unsigned int)raw_port) < 0 ||
	    fflush(stdout) != 0) {
		warnx_("writing stdout: %s", strerror(errno));
		goto end;
	}
	if (cfg.port_file) {
		/* The raw port first: a reader waits for the main file. */
		snprintf(raw_port_file, sizeof(raw_port_file), "%s.raw", cfg.port_file);
		if (write_port_file(raw_port_file, raw_port) ||
		    write_port_file(cfg.port_file, port))
			goto end;
		port_file_written = 1;
	}

	if (wait_for_stop(&stop_set, cfg.max_seconds))
		goto end;
	rc = EXIT_SUCCESS;
end:
	atomic_store(&stopping, 1);
	stop_daemon(d);
	stop_raw();
	/*
	 * A stale port file would send the next test to a dead port.  It may
	 * already be gone along with the test's scratch directory.
	 */
	if (port_file_written && unlink(cfg.port_file) != 0 && errno != ENOENT)
		warnx_("unlink %s: %s", cfg.port_file, strerror(errno));
	if (raw_port_file[0])
		unlink(raw_port_file);
	free_hits();
	if (log_fp && fclose(log_fp) != 0) {
		warnx_("closing log: %s", strerror(errno));
		rc = EXIT_FAILURE;
	}
	if (root_fd >= 0 && close(root_fd) != 0)
		warnx_("close root: %s", strerror(errno));
	return rc;
}
