/*
 * bgcopy-record: run a command under a bgcopy LTTng session, through
 * liblttng-ctl, and leave a trace (and, with --check, a verdict).
 *
 *   bgcopy record [-o DIR] [--lossy] [--live] [--check[=OPTS]] -- COMMAND [ARG...]
 *
 * `bgcopy record` runs this program, which lives beside bgcopy; keeping it
 * apart is what lets bgcopy itself run where LTTng is not installed.
 *
 * Lossless by default: the channel blocks instead of discarding, and the
 * command is run with LTTNG_UST_ALLOW_BLOCKING=1.  A session daemon that
 * is already running is used; otherwise one is started and only that one
 * is stopped afterwards.  Exit status: the command's, or with --check the
 * checker's verdict when the command succeeded; 2 for a usage error (the
 * command does not run); 125 when recording failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <libgen.h>
#include <limits.h>
#include <lttng/lttng.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_FILE "bgcopy-run"	/* beside the trace: the run's uts_ns */
#define EXIT_USAGE 2
#define EXIT_RECORD_FAILED 125
#define CHANNEL "bgcopy"
#define LIVE_TIMER_US 100000		/* how often live data is flushed */

struct recorder {
	char dir[PATH_MAX];
	char session[64];
	bool lossy;
	bool live;
	bool wait_viewer;
	bool check;
	char **check_args;		/* options for bgcopy-analyze */
	int ncheck_args;
	char *check_words;		/* what check_args point into */
	char **command;
	pid_t sessiond;			/* the daemon we started, if any */
	pid_t relayd;			/* our relay daemon, with --live */
	int control_port, data_port, live_port;
	bool session_created;
	char self_dir[PATH_MAX];	/* where bgcopy-record lives */
	bool isolated;			/* RUN_FILE names the run's namespace */
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("bgcopy record: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bgcopy record [OPTION]... -- COMMAND [ARG...]\n"
		"  -o, --output DIR  where the trace goes (default ./bgcopy-trace-DATE-TIME)\n"
		"  --lossy           let LTTng discard events rather than block the program\n"
		"  --live            record through lttng-relayd in live mode and print the\n"
		"                    URL a live viewer can follow (bgcopy-analyze --live URL,\n"
		"                    babeltrace2 --input-format=lttng-live URL)\n"
		"  --wait-viewer     with --live: start COMMAND only once a viewer is\n"
		"                    connected (30 s at most)\n"
		"  --check[=OPTS]    then run bgcopy-analyze on the trace and exit with its\n"
		"                    verdict (0 PASS, 1 FAIL, 2 INCONCLUSIVE, 3 unreadable);\n"
		"                    OPTS are bgcopy-analyze options separated by spaces,\n"
		"                    e.g. --check='--format=json --junit=report.xml'\n"
		"  -h, --help        this help\n"
		"  --version         the version\n"
		"Options go in any order before --.\n"
		"exit status: the command's (or the verdict with --check); 2 for a usage\n"
		"error, before COMMAND runs; 125 when recording itself failed\n");
}

/* Splits --check=OPTS on blanks into r->check_args; 0 or -1. */
static int split_check_args(struct recorder *r, const char *opts)
{
	char *copy = strdup(opts), *word, *save = NULL;
	char **args = NULL;
	int n = 0;

	if (!copy)
		return fail("out of memory");
	for (word = strtok_r(copy, " \t\n", &save); word;
	     word = strtok_r(NULL, " \t\n", &save)) {
		char **grown = realloc(args, sizeof(*args) * (size_t)(n + 1));

		if (!grown) {
			free(args);
			free(copy);
			return fail("out of memory");
		}
		args = grown;
		args[n++] = word;
	}
	r->check_args = args;
	r->ncheck_args = n;
	r->check_words = copy;
	return 0;
}

/* 0, or -1 after saying what was wrong (a usage error). */
/* The system daemon's events go to root's sessions alone, and another
 * user's command runs in a user namespace (isolate) where root's files
 * show as nobody's, so the system socket could not be trusted: said here
 * rather than by the command's own refusal. */
static int refuse_system_unless_root(void)
{
	const char *system = getenv("BGCOPY_SYSTEM");

	if (geteuid() == 0 || !system || !*system || !strcmp(system, "0"))
		return 0;
	return fail("recording bgcopyd --system's clients is for root: uid %u's "
		    "trace would not hold the system daemon's events (LTTng gives "
		    "them to root's sessions), and the command would run where the "
		    "system socket cannot be trusted", (unsigned)geteuid());
}

static int parse_args(int argc, char **argv, struct recorder *r)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "lossy", no_argument, NULL, 'l' },
		{ "live", no_argument, NULL, 'L' },
		{ "wait-viewer", no_argument, NULL, 'w' },
		{ "check", optional_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	/* '+': stop at the first word that is not ours, and at --. */
	while ((c = getopt_long(argc, argv, "+:o:h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (strlen(optarg) >= sizeof(r->dir) - 1)
				return fail("output path too long");
			snprintf(r->dir, sizeof(r->dir), "%s", optarg);
			break;
		case 'l':
			r->lossy = true;
			break;
		case 'L':
			r->live = true;
			break;
		case 'w':
			r->live = r->wait_viewer = true;
			break;
		case 'c':
			r->check = true;
			if (optarg && r->check_words)
				return fail("--check=OPTS given twice: put every "
					    "bgcopy-analyze option in one");
			if (optarg && split_check_args(r, optarg))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("bgcopy-record %s\n", BGCOPY_VERSION);
			exit(0);
		case ':':
			return fail("option '%s' wants a value", argv[optind - 1]);
		default:
			return fail("unknown option '%s' (bgcopy-analyze options go "
				    "in --check='OPTS'); see bgcopy record --help",
				    argv[optind - 1]);
		}
	}
	if (optind < 2 || strcmp(argv[optind - 1], "--") != 0) {
		if (optind < argc)
			return fail("unexpected argument '%s' before --: put the "
				    "command after --", argv[optind]);
		return fail("no command: put it after --");
	}
	if (optind == argc)
		return fail("no command after --");
	r->command = argv + optind;
	return refuse_system_unless_root();
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	return empty;
}

/* The trace directory must exist and be writable by us before LTTng's
 * consumer (which may run as another user) is asked to write there. */
static int prepare_dir(struct recorder *r)
{
	char cwd[PATH_MAX], abs[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;

	if (!r->dir[0]) {
		localtime_r(&now, &tm);
		strftime(r->dir, sizeof(r->dir), "bgcopy-trace-%Y%m%d-%H%M%S", &tm);
	}
	if (r->dir[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, r->dir) >= (int)sizeof(abs))
			return fail("cannot make '%s' absolute", r->dir);
		snprintf(r->dir, sizeof(r->dir), "%s", abs);
	}
	if (mkdir(r->dir, 0755) != 0 && errno != EEXIST)
		return fail("cannot create trace directory '%s': %s", r->dir,
			    strerror(errno));
	if (access(r->dir, W_OK | X_OK) != 0)
		return fail("trace directory '%s' is not writable: %s", r->dir,
			    strerror(errno));
	if (!dir_is_empty(r->dir))
		return fail("trace directory '%s' is not empty: a new trace would "
			    "mix with what is there", r->dir);
	return 0;
}

/* The provider must be there, or the trace would be silently empty. */
static int check_provider(const struct recorder *r)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/../lib/libbgcopy-tp.so", r->self_dir);
	if (access(path, R_OK) != 0)
		return fail("the tracepoint provider '%s' is missing: %s", path,
			    strerror(errno));
	return 0;
}

static int start_sessiond(struct recorder *r)
{
	char pidfile[PATH_MAX + 32], arg[PATH_MAX + 48];
	FILE *f;
	pid_t pid;
	int status;

	if (lttng_session_daemon_alive() == 1)
		return 0;
	snprintf(pidfile, sizeof(pidfile), "%s/.sessiond.pid", r->dir);
	snprintf(arg, sizeof(arg), "--pidfile=%s", pidfile);
	pid = fork();
	if (pid < 0)
		return fail("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		execlp("lttng-sessiond", "lttng-sessiond", "--daemonize", arg,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return fail("no session daemon runs and lttng-sessiond could not "
			    "be started (is lttng-tools installed?)");
	for (int i = 0; i < 100 && lttng_session_daemon_alive() != 1; i++)
		usleep(50000);
	f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%d", &r->sessiond) != 1)
		r->sessiond = 0;
	if (f)
		fclose(f);
	unlink(pidfile);
	if (lttng_session_daemon_alive() != 1)
		return fail("lttng-sessiond started but does not answer");
	return 0;
}

static bool port_listens(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Established TCP connections to a local port: live viewers. */
static int connections_to(int port)
{
	char line[256];
	unsigned local_port, state;
	int n = 0;
	FILE *f = fopen("/proc/net/tcp", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*8x:%x %*8x:%*x %x", &local_port, &state) == 2 &&
		    (int)local_port == port && state == 1 /* ESTABLISHED */)
			n++;
	if (f)
		fclose(f);
	return n;
}

/* A port on 127.0.0.1 that was free a moment ago. */
static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Live sessions go through a relay daemon.  We run our own, on free
 * ports and writing under the trace directory, for as long as we run:
 * a shared one would put the trace wherever it was told to. */
static int start_relayd(struct recorder *r)
{
	char out[PATH_MAX + 16], control[48], data[48], live[48];

	r->control_port = free_port();
	r->data_port = free_port();
	r->live_port = free_port();
	if (r->control_port < 0 || r->data_port < 0 || r->live_port < 0)
		return fail("no free port for lttng-relayd");
	snprintf(out, sizeof(out), "--output=%s", r->dir);
	snprintf(control, sizeof(control), "--control-port=tcp://127.0.0.1:%d",
		 r->control_port);
	snprintf(data, sizeof(data), "--data-port=tcp://127.0.0.1:%d", r->data_port);
	snprintf(live, sizeof(live), "--live-port=tcp://127.0.0.1:%d", r->live_port);
	r->relayd = fork();
	if (r->relayd < 0)
		return fail("cannot fork: %s", strerror(errno));
	if (r->relayd == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execlp("lttng-relayd", "lttng-relayd", out, control, data, live,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		if (port_listens(r->control_port) && port_listens(r->live_port))
			return 0;
		if (waitpid(r->relayd, NULL, WNOHANG) == r->relayd) {
			r->relayd = 0;
			break;
		}
		usleep(50000);
	}
	return fail("lttng-relayd could not be started (is lttng-tools installed?)");
}

static int lttng_fail(const char *what, int code)
{
	return fail("%s: %s", what, lttng_strerror(code));
}

static int setup_session(struct recorder *r)
{
	struct lttng_domain domain = { .type = LTTNG_DOMAIN_UST,
				       .buf_type = LTTNG_BUFFER_PER_UID };
	enum lttng_event_context_type contexts[] = {
		LTTNG_EVENT_CONTEXT_VPID, LTTNG_EVENT_CONTEXT_VTID,
		LTTNG_EVENT_CONTEXT_PROCNAME,
		LTTNG_EVENT_CONTEXT_UTS_NS,	/* marks our run (run_command) */
	};
	struct lttng_channel *chan = NULL;
	struct lttng_handle *handle = NULL;
	struct lttng_event ev;
	char url[PATH_MAX + 8];
	int rc;

	snprintf(r->session, sizeof(r->session), "bgcopy-record-%d", (int)getpid());
	if (r->live)
		snprintf(url, sizeof(url), "net://127.0.0.1:%d:%d", r->control_port,
			 r->data_port);
	else
		snprintf(url, sizeof(url), "file://%s", r->dir);
	rc = r->live ? lttng_create_session_live(r->session, url, LIVE_TIMER_US) :
		       lttng_create_session(r->session, url);
	if (rc < 0)
		return lttng_fail("cannot create the tracing session", rc);
	r->session_created = true;
	handle = lttng_create_handle(r->session, &domain);
	chan = lttng_channel_create(&domain);
	if (!handle || !chan) {
		rc = fail("out of memory");
		goto end;
	}
	snprintf(chan->name, sizeof(chan->name), "%s", CHANNEL);
	chan->attr.overwrite = 0;
	chan->attr.subbuf_size = 1u << 20;
	chan->attr.num_subbuf = 8;
	/* -1: block for as long as it takes, so no event is ever lost. */
	if (!r->lossy && (rc = lttng_channel_set_blocking_timeout(chan, -1)) < 0) {
		rc = lttng_fail("cannot make the channel lossless", rc);
		goto end;
	}
	if ((rc = lttng_enable_channel(handle, chan)) < 0) {
		rc = lttng_fail("cannot enable the channel", rc);
		goto end;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = LTTNG_EVENT_TRACEPOINT;
	ev.loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
	snprintf(ev.name, sizeof(ev.name), "bgcopy:*");
	if ((rc = lttng_enable_event(handle, &ev, CHANNEL)) < 0) {
		rc = lttng_fail("cannot enable the bgcopy events", rc);
		goto end;
	}
	for (size_t i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
		struct lttng_event_context ctx = { .ctx = contexts[i] };

		if ((rc = lttng_add_context(handle, &ctx, NULL, CHANNEL)) < 0) {
			rc = lttng_fail("cannot add a context", rc);
			goto end;
		}
	}
	if ((rc = lttng_start_tracing(r->session)) < 0) {
		rc = lttng_fail("cannot start tracing", rc);
		goto end;
	}
	if (r->live) {
		char host[256] = "localhost";

		gethostname(host, sizeof(host) - 1);
		fprintf(stderr, "bgcopy record: live at net://127.0.0.1:%d/host/%s/%s\n",
			r->live_port, host, r->session);
	}
end:
	lttng_channel_destroy(chan);
	lttng_destroy_handle(handle);
	return rc < 0 ? -1 : 0;
}

/* What the child tells the parent about its namespace before exec. */
struct isolation {
	uint64_t uts_ns;		/* 0: none of its own */
	int error;
};

/* Gives the calling process a UTS namespace of its own, which its
 * children inherit: their events carry its inode (uts_ns context), so a
 * check can tell the run's processes from every other on the machine.
 * The host name is copied, so the command sees no difference.  Without
 * CAP_SYS_ADMIN, through a user namespace mapping our own ids. */
static struct isolation isolate(void)
{
	struct isolation iso = { 0 };
	char map[64];
	struct stat st;
	uid_t uid = getuid();
	gid_t gid = getgid();
	int fd;

	if (unshare(CLONE_NEWUTS) != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWUTS) != 0) {
			iso.error = errno;
			return iso;
		}
		fd = open("/proc/self/setgroups", O_WRONLY);
		if (fd >= 0) {
			(void) !write(fd, "deny", 4);
			close(fd);
		}
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
		fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd >= 0) {
			(void) !write(fd, map, strlen(map));
			close(fd);
		}
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
		fd = open("/proc/self/gid_map", O_WRONLY);
		if (fd >= 0) {
			(void) !write(fd, map, strlen(map));
			close(fd);
		}
	}
	if (stat("/proc/self/ns/uts", &st) != 0)
		iso.error = errno;
	else
		iso.uts_ns = (uint64_t)st.st_ino;
	return iso;
}

/* Writes DIR/bgcopy-run, which `bgcopy-analyze --run' reads. */
static int write_run_file(const struct recorder *r, pid_t pid,
			  const struct isolation *iso)
{
	char path[PATH_MAX + 16];
	FILE *f;

	if (!iso->uts_ns) {
		fprintf(stderr, "bgcopy record: warning: cannot give the command "
			"a UTS namespace of its own (%s): every process's events "
			"are in the trace%s\n", strerror(iso->error),
			r->check ? " and the check judges them all" : "");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/" RUN_FILE, r->dir);
	f = fopen(path, "w");
	if (!f || fprintf(f, "# bgcopy record: the events of this run carry "
			  "this uts_ns\npid %d\nuts_ns %" PRIu64 "\n", (int)pid,
			  iso->uts_ns) < 0 || fclose(f) != 0) {
		if (f)
			fclose(f);
		return fail("cannot write '%s': %s", path, strerror(errno));
	}
	return 0;
}

/* Runs the command with the provider wanted, in a UTS namespace of its
 * own, with the signal dispositions we found; Ctrl-C reaches it (same
 * process group) while we wait.  Its status, or -1. */
static int run_command(struct recorder *r, const struct sigaction *old_int,
		       const struct sigaction *old_term)
{
	struct isolation iso = { 0 };
	int status, told[2];
	pid_t pid;

	if (pipe2(told, O_CLOEXEC) != 0)
		return fail("cannot make a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(told[0]);
		close(told[1]);
		return fail("cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(told[0]);
		iso = isolate();
		(void) !write(told[1], &iso, sizeof(iso));
		close(told[1]);
		sigaction(SIGINT, old_int, NULL);
		sigaction(SIGTERM, old_term, NULL);
		setenv("BGCOPY_TRACE", "1", 1);
		/* liblttng-ust would read every loaded library's ELF headers
		 * for events this session does not record (13 ms of a
		 * program's start here); a user who wants them says so. */
		setenv("LTTNG_UST_WITHOUT_BADDR_STATEDUMP", "1", 0);
		if (!r->lossy)
			setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
		execvp(r->command[0], r->command);
		fprintf(stderr, "bgcopy record: cannot run '%s': %s\n",
			r->command[0], strerror(errno));
		_exit(127);
	}
	close(told[1]);
	if (read(told[0], &iso, sizeof(iso)) != (ssize_t)sizeof(iso))
		iso = (struct isolation) { .error = EIO };
	close(told[0]);
	r->isolated = iso.uts_ns != 0;
	if (write_run_file(r, pid, &iso))
		r->isolated = false;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void teardown(struct recorder *r)
{
	int rc;

	if (r->session_created) {
		if ((rc = lttng_stop_tracing(r->session)) < 0)
			lttng_fail("cannot stop tracing", rc);
		if ((rc = lttng_destroy_session(r->session)) < 0)
			lttng_fail("cannot destroy the session", rc);
	}
	if (r->sessiond > 0) {
		kill(r->sessiond, SIGTERM);
		for (int i = 0; i < 100 && kill(r->sessiond, 0) == 0; i++)
			usleep(50000);
	}
	if (r->relayd > 0) {
		/* A viewer must hear that the session ended before the relay
		 * goes: give it a few seconds to finish and hang up. */
		for (int i = 0; i < 100 && connections_to(r->live_port) > 0; i++)
			usleep(50000);
		kill(r->relayd, SIGTERM);
		waitpid(r->relayd, NULL, 0);
	}
}

/* Whether a CTF `metadata' file lies under path: LTTng writes none
 * until some process traces an event. */
static bool has_metadata(const char *path, int depth)
{
	char sub[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d = depth > 0 ? opendir(path) : NULL;

	while (d && !found && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >=
		    (int)sizeof(sub))
			continue;
		found = !strcmp(e->d_name, "metadata") ||
			(e->d_type == DT_DIR && has_metadata(sub, depth - 1));
	}
	if (d)
		closedir(d);
	return found;
}

static bool has_trace(const struct recorder *r)
{
	return has_metadata(r->dir, 6);
}

static int run_checker(struct recorder *r)
{
	char analyze[PATH_MAX + 32], run[PATH_MAX + 32];
	char **argv = calloc((size_t)r->ncheck_args + 4, sizeof(*argv));
	int status;
	pid_t pid;

	if (!argv)
		return EXIT_RECORD_FAILED;
	if (!has_trace(r)) {
		fprintf(stderr, "bgcopy record: no bgcopy event was recorded: "
			"no job to judge\n");
		free(argv);
		return 0;
	}
	snprintf(analyze, sizeof(analyze), "%s/bgcopy-analyze", r->self_dir);
	snprintf(run, sizeof(run), "--run=%s/" RUN_FILE, r->dir);
	argv[0] = analyze;
	for (int i = 0; i < r->ncheck_args; i++)
		argv[i + 1] = r->check_args[i];
	argv[r->ncheck_args + 1] = r->isolated ? run : r->dir;
	argv[r->ncheck_args + 2] = r->isolated ? r->dir : NULL;
	pid = fork();
	if (pid == 0) {
		execv(analyze, argv);
		fprintf(stderr, "bgcopy record: cannot run %s: %s\n", analyze,
			strerror(errno));
		_exit(3);
	}
	free(argv);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return EXIT_RECORD_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

/* Records the command and, with --check, judges it: the exit status. */
static int record(struct recorder *r, const struct sigaction *old_int,
		  const struct sigaction *old_term)
{
	char self[PATH_MAX];
	ssize_t n;
	int status;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fail("cannot find where bgcopy-record lives");
		return EXIT_RECORD_FAILED;
	}
	self[n] = '\0';
	snprintf(r->self_dir, sizeof(r->self_dir), "%s", dirname(self));
	if (prepare_dir(r) || check_provider(r) || start_sessiond(r) ||
	    (r->live && start_relayd(r)) || setup_session(r)) {
		teardown(r);
		return EXIT_RECORD_FAILED;
	}
	if (r->wait_viewer) {
		for (int i = 0; i < 600 && connections_to(r->live_port) == 0; i++)
			usleep(50000);
		usleep(500000);		/* time for it to attach to the session */
	}
	status = run_command(r, old_int, old_term);
	teardown(r);
	if (status < 0)
		return EXIT_RECORD_FAILED;
	fprintf(stderr, "bgcopy record: trace written to %s\n", r->dir);
	if (r->check && status == 0)
		return run_checker(r);
	return status;
}

int main(int argc, char **argv)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_term;
	struct recorder r = { 0 };
	int status;

	/* Ctrl-C must not leave a session or a daemon behind: we ignore it,
	 * the command does not, and we tear down after it has gone. */
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGTERM, &ignore, &old_term);

	status = parse_args(argc, argv, &r) ? EXIT_USAGE :
		 record(&r, &old_int, &old_term);
	free(r.check_args);
	free(r.check_words);
	return status;
}
