/* bgcopyd: options, the store and the event loop of the bgcopy service. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"

/* System mode: one root daemon, every user's jobs in one store (each job
 * carries its owner), clients kept apart by their uid (docs/bgcopyd.md). */
#define SYSTEM_STORE	"/var/lib/bgcopy"
#define SYSTEM_RUN_DIR	"/run/bgcopy"

struct options {
	char store[PATH_MAX];
	char socket[PATH_MAX];
	uint64_t idle_exit_s;
	uint64_t max_jobs_per_user, max_jobs;
	struct bgcopy_engine_options engine;	/* 0: the engine's default */
	bool foreground;
	bool system;
};

static void usage(FILE *out)
{
	fputs("usage: bgcopyd [OPTIONS]\n\n"
	      "The bgcopy service: runs the jobs of one store and serves them over\n"
	      "D-Bus, peer to peer, on a Unix socket.\n\n"
	      "  --store DIR           job store (default $XDG_STATE_HOME/bgcopy or\n"
	      "                        ~/.local/state/bgcopy)\n"
	      "  --socket PATH         where clients connect (default\n"
	      "                        $XDG_RUNTIME_DIR/bgcopy/bus)\n"
	      "  --idle-exit SECONDS   exit after this long with no job moving and no\n"
	      "                        client connected (default 0: never)\n"
	      "  --system              the machine's daemon (root): every user's jobs,\n"
	      "                        a store per owner in " SYSTEM_STORE "/users,\n"
	      "                        socket " SYSTEM_RUN_DIR "/bus\n"
	      "  --max-jobs-per-user N jobs one user may have queued (default 60,\n"
	      "                        or $BGCOPYD_MAX_JOBS_PER_USER)\n"
	      "  --max-jobs N          jobs all users together may have (default 300,\n"
	      "                        or $BGCOPYD_MAX_JOBS)\n"
	      "  --dispatcher-threads N threads that run callbacks (default 4)\n"
	      "  --max-connections N   transfers at once (default 16)\n"
	      "  --max-per-host N      transfers at once to one host (default 6)\n"
	      "  --max-files-per-job N files a job may hold (default 200)\n"
	      "  --inactivity-timeout SECONDS\n"
	      "                        cancel a job untouched this long when the\n"
	      "                        store opens (default 7776000: 90 days)\n"
	      "  --foreground          stay attached to the terminal\n"
	      "A socket passed by systemd (socket activation) replaces --socket.\n"
	      "Where a session bus (the system bus with --system) exists it also owns\n"
	      "org.bgcopy1 there, and calls the D-Bus services jobs name to be notified.\n"
	      "  --version             print the version and exit\n"
	      "  -h, --help            this help\n", out);
}

/* `path` made absolute against the working directory, which the daemon
 * leaves for "/". */
static int absolute_into(const char *path, char *out, const char *what)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/')
		n = snprintf(out, PATH_MAX, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, PATH_MAX, "%s/%s", cwd, path);
	else {
		fprintf(stderr, "bgcopyd: cannot make the %s '%s' absolute: %s\n",
			what, path, strerror(errno));
		return -1;
	}
	if (n >= PATH_MAX) {
		fprintf(stderr, "bgcopyd: the %s '%s' is too long\n", what, path);
		return -1;
	}
	return 0;
}

/* The per-user store, as the bgcopy command picks it. */
static int default_store(char *out)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char path[PATH_MAX];
	int n;

	if (xdg && *xdg)
		n = snprintf(path, sizeof(path), "%s/bgcopy", xdg);
	else if (home && *home)
		n = snprintf(path, sizeof(path), "%s/.local/state/bgcopy", home);
	else {
		fputs("bgcopyd: neither XDG_STATE_HOME nor HOME is set: give --store DIR\n",
		      stderr);
		return -1;
	}
	if (n >= (int)sizeof(path)) {
		fputs("bgcopyd: the default store's path is too long: give --store DIR\n",
		      stderr);
		return -1;
	}
	return absolute_into(path, out, "store");
}

/* $XDG_RUNTIME_DIR/bgcopy/bus; the directory is made 0700 if missing and
 * must be ours and private if present. */
static int default_socket(char *out)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	char dir[PATH_MAX];
	struct stat st;

	if (!runtime || runtime[0] != '/') {
		fputs("bgcopyd: XDG_RUNTIME_DIR is not set (or not absolute): "
		      "give --socket PATH\n", stderr);
		return -1;
	}
	if (strlen(runtime) + sizeof("/bgcopy/bus") > sizeof(dir)) {
		fputs("bgcopyd: XDG_RUNTIME_DIR is too long\n", stderr);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/bgcopy", runtime);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "bgcopyd: cannot create '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 0077)) {
		fprintf(stderr, "bgcopyd: '%s' is not a directory of uid %u closed to "
			"others: fix or remove it\n", dir, (unsigned)getuid());
		return -1;
	}
	strcpy(out, dir);
	strcat(out, "/bus");
	return 0;
}

/* /run/bgcopy: made 0755 if missing, and must be root's and writable by
 * root alone, or someone else could replace the socket. */
static int system_socket(char *out)
{
	struct stat st;

	if (mkdir(SYSTEM_RUN_DIR, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "bgcopyd: cannot create '%s': %s\n", SYSTEM_RUN_DIR,
			strerror(errno));
		return -1;
	}
	if (lstat(SYSTEM_RUN_DIR, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 0022)) {
		fprintf(stderr, "bgcopyd: '%s' is not a directory of root's that only root "
			"can write: fix or remove it\n", SYSTEM_RUN_DIR);
		return -1;
	}
	strcpy(out, SYSTEM_RUN_DIR "/bus");
	return 0;
}

static int parse_number(const char *text, const char *option, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > UINT32_MAX) {
		fprintf(stderr, "bgcopyd: %s wants a number, not '%s'\n", option, text);
		return -1;
	}
	*out = v;
	return 0;
}

/* An engine option: a number from 1 up (0 would mean the default). */
static int parse_engine_option(const char *text, const char *option, unsigned *out)
{
	uint64_t v;

	if (parse_number(text, option, &v))
		return -1;
	if (!v) {
		fprintf(stderr, "bgcopyd: %s wants a number from 1 up, not 0\n", option);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* 0 to run, 1 to exit 0 (help), -1 to exit with a usage error. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "system", no_argument, NULL, 'y' },
		{ "max-jobs-per-user", required_argument, NULL, 'u' },
		{ "max-jobs", required_argument, NULL, 'm' },
		{ "dispatcher-threads", required_argument, NULL, 'D' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-per-host", required_argument, NULL, 'H' },
		{ "max-files-per-job", required_argument, NULL, 'F' },
		{ "inactivity-timeout", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *store = NULL, *socket = NULL, *env;
	struct bgcopy_engine_options *e = &o->engine;
	int c;

	/* A daemon started on demand has no options but the client's
	 * environment: its limits may come from there. */
	if ((env = getenv("BGCOPYD_MAX_JOBS_PER_USER")) &&
	    parse_number(env, "BGCOPYD_MAX_JOBS_PER_USER", &o->max_jobs_per_user))
		return -1;
	if ((env = getenv("BGCOPYD_MAX_JOBS")) &&
	    parse_number(env, "BGCOPYD_MAX_JOBS", &o->max_jobs))
		return -1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': store = optarg; break;
		case 'S': socket = optarg; break;
		case 'i': if (parse_number(optarg, "--idle-exit", &o->idle_exit_s)) return -1; break;
		case 'u': if (parse_number(optarg, "--max-jobs-per-user", &o->max_jobs_per_user))
				  return -1;
			  break;
		case 'm': if (parse_number(optarg, "--max-jobs", &o->max_jobs)) return -1; break;
		case 'D': if (parse_engine_option(optarg, "--dispatcher-threads",
						  &e->dispatcher_threads)) return -1;
			  break;
		case 'C': if (parse_engine_option(optarg, "--max-connections",
						  &e->max_connections)) return -1;
			  break;
		case 'H': if (parse_engine_option(optarg, "--max-per-host", &e->max_per_host))
				  return -1;
			  break;
		case 'F': if (parse_engine_option(optarg, "--max-files-per-job",
						  &e->max_files_per_job)) return -1;
			  break;
		case 'I': if (parse_engine_option(optarg, "--inactivity-timeout",
						  &e->inactivity_timeout_s)) return -1;
			  break;
		case 'f': o->foreground = true; break;
		case 'y': o->system = true; break;
		case 'h': usage(stdout); return 1;
		case 'V': printf("bgcopyd %s\n", BGCOPYD_VERSION); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bgcopyd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->system && geteuid() != 0) {
		fputs("bgcopyd: --system runs as root; a user runs bgcopyd without it\n", stderr);
		return -1;
	}
	if (store ? absolute_into(store, o->store, "store") :
	    o->system ? absolute_into(SYSTEM_STORE, o->store, "store") : default_store(o->store))
		return -1;
	if (socket)
		return absolute_into(socket, o->socket, "socket");
	if (sd_listen_fds(0) > 0)
		return 0;	/* systemd passed the socket (listen_adopt) */
	return o->system ? system_socket(o->socket) : default_socket(o->socket);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)si;
	(void)userdata;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Blocked before the engine starts its threads, so that they inherit the
 * mask and the loop alone receives the signals. */
static int catch_signals(struct daemon *d)
{
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	r = sd_event_add_signal(d->event, NULL, SIGTERM, on_signal, NULL);
	return r < 0 ? r : sd_event_add_signal(d->event, NULL, SIGINT, on_signal, NULL);
}

/* Without --foreground the parent returns once the child serves (exit 0)
 * or has said on stderr why it cannot (the child's exit status).  Returns
 * in the child the pipe to write "ready" to, -1 in the foreground. */
static int detach(bool foreground)
{
	int ready[2];
	char byte;
	pid_t pid;

	if (foreground)
		return -1;
	if (pipe2(ready, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		fprintf(stderr, "bgcopyd: cannot start in the background: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		int wstatus = 0;

		close(ready[1]);
		if (read(ready[0], &byte, 1) == 1)
			exit(0);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		exit(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) ? WEXITSTATUS(wstatus) : 1);
	}
	close(ready[0]);
	setsid();
	return ready[1];
}

#define LOG_NAME	"bgcopyd.log"
#define LOG_KEEP_BYTES	(1 << 20)	/* past it, the log becomes LOG_NAME.1 */

/* Where a daemon in the background says what goes wrong once it serves
 * (a notify service that hangs, an abort): the store's LOG_NAME, the
 * store being its owner's alone; /dev/null when it cannot be opened. */
static int open_log(const char *store)
{
	char path[PATH_MAX], old[PATH_MAX + 2];
	struct stat st;
	int fd;

	if (snprintf(path, sizeof(path), "%s/" LOG_NAME, store) >= (int)sizeof(path))
		return -1;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > LOG_KEEP_BYTES) {
		snprintf(old, sizeof(old), "%s.1", path);
		rename(path, old);
	}
	/* O_NONBLOCK: a FIFO at the name fails (ENXIO) rather than hang. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC |
		  O_NONBLOCK, 0600);
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The child serves: stdin and stdout go to /dev/null, stderr to the
 * store's log, and the parent exits 0. */
static void announce_ready(int ready_fd, const char *store)
{
	int null, log;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (ready_fd < 0)
		return;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	log = open_log(store);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(log >= 0 ? log : null, STDERR_FILENO);
		close(null);
	}
	if (log >= 0) {
		close(log);
		/* Not localtime(): it reads the zone again and frees the last
		 * one, while the engine's worker reads it (schedule_cap). */
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&now, &tm));
		fprintf(stderr, "bgcopyd: pid %ld serves store '%s' from %s\n", (long)getpid(),
			store, when);
	}
	if (write(ready_fd, "1", 1) != 1)
		exit(1);
	close(ready_fd);
}

static int open_engine(struct daemon *d, const struct options *o)
{
	/* The engine runs here, never as a client of itself; test options
	 * come from the client that started it (libbgcopy's client mode). */
	const char *test = getenv("BGCOPYD_TEST_OPTIONS");
	struct bgcopy_engine_options opt = o->engine;
	int status;

	opt.flags = BGCOPY_OPEN_EMBEDDED | (o->system ? BGCOPY_OPEN_PER_OWNER : 0);
	opt.test_options = test ? (unsigned)strtoul(test, NULL, 0) : 0;
	status = bgcopy_engine_open(o->store, &opt, &d->engine);

	if (status != BGCOPY_OK) {
		fprintf(stderr, "bgcopyd: %s\n", bgcopy_last_error());
		return BGCOPYD_EXIT_ENGINE - status;
	}
	return 0;
}

/* 0 once stopped, else the exit status: 1, or BGCOPYD_EXIT_ENGINE. */
static int serve(struct daemon *d, const struct options *o, int ready_fd)
{
	int r;

	r = bus_errors_register();
	if (r >= 0)
		r = sd_event_default(&d->event);
	if (r >= 0)
		r = catch_signals(d);
	if (r < 0) {
		fprintf(stderr, "bgcopyd: cannot set up the event loop: %s\n", strerror(-r));
		return 1;
	}
	r = open_engine(d, o);
	if (r)
		return r;
	bus_name_open(d);
	notify_service_restore(d);
	r = listen_adopt(d);
	if (r < 0 || (r == 0 && listen_open(d, o->socket, o->system ? 0666 : 0600)))
		return 1;
	r = listen_attach(d);
	if (r >= 0)
		r = job_forget_start(d);
	if (r >= 0)
		r = job_watch_start(d);
	if (r >= 0)
		r = offload_start(d);
	if (r < 0) {
		fprintf(stderr, "bgcopyd: cannot watch the socket and the jobs: %s\n",
			strerror(-r));
		return 1;
	}
	if (chdir("/") != 0)
		return 1;
	announce_ready(ready_fd, o->store);
	r = sd_event_loop(d->event);
	if (r < 0) {
		fprintf(stderr, "bgcopyd: the event loop failed: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}

static void shutdown_daemon(struct daemon *d, const char *socket)
{
	d->stopping = true;
	offload_stop(d);
	while (d->peers)
		peer_free(d->peers);
	job_forget_free(d);
	job_watch_free(d);
	idle_free(d);
	if (d->listen_fd >= 0)
		listen_close(d, socket);
	bus_name_close(d);
	if (d->engine)
		bgcopy_engine_close(d->engine);
	bus_callback_free(d);
	sd_event_unref(d->event);
}

/* libcurl allocates a transfer's receive buffer (256 KiB, transfer.c) at
 * its start and frees it at its end; glibc's default thresholds then give
 * the memory back to the kernel and take it again, a page fault per page:
 * a fifth of the CPU of 5,000 small files.  A process setting, so the
 * programs set it, not the library. */
static void keep_freed_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
}

int main(int argc, char **argv)
{
	struct options o = { .max_jobs_per_user = BGCOPYD_MAX_JOBS_PER_USER,
			     .max_jobs = BGCOPYD_MAX_JOBS };
	struct daemon d = { .listen_fd = -1, .changes_fd = -1, .uid = getuid(),
			    .changes_lock = PTHREAD_MUTEX_INITIALIZER };
	int r, ready_fd;

	if (argc > 1 && !strcmp(argv[1], BGCOPYD_CALL_SERVICE_ARG))
		return notify_service_call_main(argc, argv);
	keep_freed_memory();
	r = parse_options(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : 2;
	d.idle_exit_usec = o.idle_exit_s * 1000000ull;
	d.system = o.system;
	d.max_jobs_per_user = o.max_jobs_per_user;
	d.max_jobs = o.max_jobs;
	ready_fd = detach(o.foreground);
	r = serve(&d, &o, ready_fd);
	shutdown_daemon(&d, o.socket);
	return r;
}
