/* Client mode: where the daemon of a store listens, and starting it on demand (race-free, like gpg-agent). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"

#define SOCKET_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))
#define DEFAULT_IDLE_EXIT "600"
#define DAEMON_BASE_ARGS 7	/* bgcopyd --store S --socket P --idle-exit N */

extern char **environ;

/* `path` made absolute against the working directory. */
static int absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, size, "%s/%s", cwd, path) < (int)size ? 0 : -1;
}

/* The per-user store, as the bgcopy command and bgcopyd pick it. */
static bool is_default_store(const char *store)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char def[PATH_MAX];

	if (xdg && *xdg)
		snprintf(def, sizeof(def), "%s/bgcopy", xdg);
	else if (home && *home)
		snprintf(def, sizeof(def), "%s/.local/state/bgcopy", home);
	else
		return false;
	return !strcmp(def, store);
}

/* FNV-1a: a short stable name for a store's socket. */
static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* BGCOPY_SOCKET if set; else the default store's socket is bgcopyd's
 * default, $XDG_RUNTIME_DIR/bgcopy/bus, and any other store's is named
 * after its path there; with no XDG_RUNTIME_DIR it is in the store. */
int client_socket_path(const char *store, char *out, size_t size)
{
	const char *forced = getenv("BGCOPY_SOCKET"), *runtime = getenv("XDG_RUNTIME_DIR");
	char abs[PATH_MAX];
	int n;

	if (absolute(store, abs, sizeof(abs)))
		return set_error(BGCOPY_E_INVALID_ARG, "store path '%s' is too long", store);
	if (forced && *forced)
		n = snprintf(out, size, "%s", forced);
	else if (runtime && runtime[0] == '/' && is_default_store(abs))
		n = snprintf(out, size, "%s/bgcopy/bus", runtime);
	else if (runtime && runtime[0] == '/')
		n = snprintf(out, size, "%s/bgcopy/store-%016llx.bus", runtime,
			     (unsigned long long)path_hash(abs));
	else
		n = snprintf(out, size, "%s/bgcopyd.bus", abs);
	if (n < 0 || (size_t)n >= size || (size_t)n >= SOCKET_MAX)
		return set_error(BGCOPY_E_INVALID_ARG, "the socket of store '%s' would be "
				 "longer than %zu bytes: set BGCOPY_SOCKET", abs, SOCKET_MAX - 1);
	return BGCOPY_OK;
}

/* `path` is root's and, when a directory, writable by root alone: only
 * root could have put what it holds there.  -errno when it cannot be
 * read, 1 when it is not trusted (the reason is set). */
static int root_alone(const char *path, bool dir)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return -errno;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISSOCK(st.st_mode))
		set_error(BGCOPY_E_IO, "'%s' is not a %s: no system bgcopyd is trusted there",
			  path, dir ? "directory" : "socket");
	else if (st.st_uid != 0 || (dir && (st.st_mode & 0022)))
		set_error(BGCOPY_E_IO, "'%s' (uid %u, mode %04o) is not root's alone: it is "
			  "not trusted as bgcopyd --system's", path, (unsigned)st.st_uid,
			  (unsigned)(st.st_mode & 07777));
	else
		return 0;
	return 1;
}

int client_no_system_daemon(const char *socket)
{
	return set_error(BGCOPY_E_IO, "no system bgcopyd answers on '%s': root starts it "
			 "with 'bgcopyd --system' (or 'systemctl start bgcopyd.socket')",
			 socket);
}

int client_system_socket(char *out, size_t size)
{
	char path[] = BGCOPY_SYSTEM_SOCKET;
	int r = root_alone("/", true);

	/* Each directory from / down, then the socket itself. */
	for (char *slash = strchr(path + 1, '/'); !r && slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		r = root_alone(path, true);
		*slash = '/';
	}
	if (!r)
		r = root_alone(path, false);
	if (r == 1)
		return BGCOPY_E_IO;
	if (r == -ENOENT)
		return client_no_system_daemon(path);
	if (r)
		return set_error(BGCOPY_E_IO, "cannot check '%s': %s", path, strerror(-r));
	assert(strlen(path) < size);
	snprintf(out, size, "%s", path);
	return BGCOPY_OK;
}

/* bgcopyd: $BGCOPYD, beside the library (lib/../bin) or the program,
 * else from PATH. */
static void daemon_program(char *out, size_t size)
{
	const char *forced = getenv("BGCOPYD");
	char here[PATH_MAX], *slash;
	Dl_info info;
	ssize_t n;

	if (forced && *forced) {
		snprintf(out, size, "%s", forced);
		return;
	}
	if (dladdr((void *)daemon_program, &info) && info.dli_fname &&
	    snprintf(here, sizeof(here), "%s", info.dli_fname) < (int)sizeof(here) &&
	    (slash = strrchr(here, '/'))) {
		*slash = '\0';
		snprintf(out, size, "%s/../bin/bgcopyd", here);
		if (access(out, X_OK) == 0)
			return;
	}
	n = readlink("/proc/self/exe", here, sizeof(here) - 1);
	if (n > 0) {
		here[n] = '\0';
		if ((slash = strrchr(here, '/'))) {
			*slash = '\0';
			snprintf(out, size, "%s/bgcopyd", here);
			if (access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, size, "bgcopyd");
}

/* environ plus the test options the daemon's engine must run with. */
static char **daemon_env(unsigned test_options)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "BGCOPYD_TEST_OPTIONS=", 21))
			env[k++] = environ[i];
	if (asprintf(&env[k], "BGCOPYD_TEST_OPTIONS=%u", test_options) < 0) {
		free(env);
		return NULL;
	}
	return env;
}

/* Copies the daemon's stderr to ours until it serves or exits, keeping
 * its last line (its reason when it cannot serve) without "bgcopyd: ". */
static void forward_stderr(int fd, char *last, size_t size)
{
	char buf[512], line[512];
	size_t n_line = 0;
	ssize_t n;

	last[0] = '\0';
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0 || write(STDERR_FILENO, buf, (size_t)n) < 0)
			continue;	/* our stderr closed: the line is still kept */
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (n_line < sizeof(line) - 1)
					line[n_line++] = buf[i];
				continue;
			}
			line[n_line] = '\0';
			snprintf(last, size, "%s", strncmp(line, "bgcopyd: ", 9) ? line : line + 9);
			n_line = 0;
		}
	}
}

/* Runs bgcopyd, which returns once it serves (0) or has said why not:
 * a store its engine refused gives that engine's status and reason. */
static int run_daemon(const char *store, const char *socket,
		      const struct bgcopy_engine_options *asked)
{
	const char *idle = getenv("BGCOPYD_IDLE_EXIT");
	char program[PATH_MAX], idle_s[32], numbers[CLIENT_DAEMON_OPTIONS][CLIENT_NUMBER_SIZE];
	char *argv[DAEMON_BASE_ARGS + 2 * CLIENT_DAEMON_OPTIONS + 1] = {
		program, "--store", (char *)store, "--socket", (char *)socket,
		"--idle-exit", idle_s,
	};
	size_t argc;
	char **env = daemon_env(asked->test_options);
	posix_spawn_file_actions_t fa;
	int r, wstatus = 0, err[2], code;
	char reason[512];
	pid_t pid;

	if (!env)
		return BGCOPY_E_NOMEM;
	snprintf(idle_s, sizeof(idle_s), "%s", idle && *idle ? idle : DEFAULT_IDLE_EXIT);
	/* The caller's engine options are the daemon's engine's. */
	argc = DAEMON_BASE_ARGS + client_options_argv(asked, argv + DAEMON_BASE_ARGS, numbers);
	argv[argc] = NULL;
	daemon_program(program, sizeof(program));
	/* The daemon outlives us: it keeps no descriptor of ours, such as a
	 * pipe a caller reads to EOF, and its stderr is a pipe to us until
	 * it serves. */
	r = pipe2(err, O_CLOEXEC) ? errno : 0;
	if (!r) {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
		posix_spawn_file_actions_addclosefrom_np(&fa, 3);
		r = posix_spawnp(&pid, program, &fa, NULL, argv, env);
		posix_spawn_file_actions_destroy(&fa);
		close(err[1]);
		if (!r)
			forward_stderr(err[0], reason, sizeof(reason));
		close(err[0]);
	}
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], "BGCOPYD_TEST_OPTIONS=", 21))
			free(env[i]);
	free(env);
	if (r)
		return set_error(BGCOPY_E_IO, "cannot start %s: %s", program, strerror(r));
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) - CLIENT_EXIT_ENGINE : 0;
	if (code > 0 && code <= -BGCOPY_E_READ_ONLY && reason[0])
		return set_error(-code, "%s", reason);
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus))
		return set_error(BGCOPY_E_IO, "%s could not serve store '%s' on '%s' "
				 "(its reason is above)", program, store, socket);
	return BGCOPY_OK;
}

static bool daemon_answers(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

/* Clients that find no daemon at once take turns under a lock beside the
 * socket: the first starts it, the others then find it serving.  A
 * store another process holds in its own engine gets no daemon:
 * CLIENT_NO_DAEMON, and the caller opens it as before. */
int client_start_daemon(const char *store, const char *socket,
			const struct bgcopy_engine_options *asked)
{
	char lock_path[PATH_MAX], dir[PATH_MAX], *slash;
	int fd, status = BGCOPY_OK;

	snprintf(dir, sizeof(dir), "%s", socket);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return set_error(BGCOPY_E_IO, "cannot create '%s': %s", dir,
					 strerror(errno));
	}
	snprintf(lock_path, sizeof(lock_path), "%s.lock", socket);
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return set_error(BGCOPY_E_IO, "cannot open '%s': %s", lock_path, strerror(errno));
	while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
		;
	if (!daemon_answers(socket)) {
		if (store_lock_holder(store) > 0)
			status = CLIENT_NO_DAEMON;
		else
			status = run_daemon(store, socket, asked);
	}
	close(fd);
	return status;
}
