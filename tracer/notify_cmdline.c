/* Running the notify command line: its arguments, a gated start with no shell, its time limit and its exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "trace.h"

static const char *event_name(int kind)
{
	return kind == BGCOPY_TP_KIND_JOB_TRANSFERRED ? "transferred" : "error";
}

/* Program, arguments, job id and event name, all copied: the job's
 * command line may be replaced while the program starts.  NULL on no
 * memory.  Lock held. */
char **cmdline_argv(const bgcopy_job *job, int kind)
{
	const char *extra[] = { job->id, event_name(kind) };
	size_t n = 0;
	char **argv;

	assert(engine_locked(job->engine));
	assert(job->cmdline && job->cmdline[0]);
	while (job->cmdline[n])
		n++;
	argv = xcalloc(n + 3, sizeof(*argv));
	for (size_t i = 0; argv && i < n + 2; i++) {
		argv[i] = xstrdup(i < n ? job->cmdline[i] : extra[i - n]);
		if (!argv[i]) {
			argv_free(argv);
			return NULL;
		}
	}
	return argv;
}

/* The program's whole environment, documented in docs/CONTRACT.md:
 * PATH, HOME and LANG as the engine has them, then what it is told.  The
 * engine's own variables (credentials among them) are not passed on.
 * NULL on no memory.  Lock held. */
char **cmdline_env(const bgcopy_job *job, int kind)
{
	static const char *const kept[] = { "PATH", "HOME", "LANG" };
	char **env = xcalloc(sizeof(kept) / sizeof(kept[0]) + 3, sizeof(*env));
	size_t n = 0;

	assert(engine_locked(job->engine));
	if (!env)
		return NULL;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		const char *value = getenv(kept[i]);

		if (!value && strcmp(kept[i], "PATH") == 0)
			value = "/usr/local/bin:/usr/bin:/bin";
		if (value && asprintf(&env[n++], "%s=%s", kept[i], value) < 0)
			goto nomem;
	}
	if (asprintf(&env[n++], "BGCOPY_JOB_ID=%s", job->id) < 0 ||
	    asprintf(&env[n++], "BGCOPY_EVENT=%s", event_name(kind)) < 0)
		goto nomem;
	return env;
nomem:
	env[n - 1] = NULL;	/* asprintf left it undefined */
	argv_free(env);
	set_error(BGCOPY_E_NOMEM, "out of memory");
	return NULL;
}

/* Who the program runs as: the job's owner.  A root engine (a system
 * service) becomes the owner, with its gid, groups and home; any other
 * engine cannot change uid and runs it as itself. */
struct run_as {
	bool drop;
	struct fs_identity id;
};

/* HOME=dir in env, which cmdline_env filled with the engine's. */
static bool set_home(char **env, const char *dir)
{
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], "HOME=", 5)) {
			char *home;

			if (asprintf(&home, "HOME=%s", dir) < 0)
				return false;
			free(env[i]);
			env[i] = home;
		}
	return true;
}

/* Looked up before the fork: the child may only make system calls.
 * False when the owner is unknown: the program must not run as root. */
static bool run_as_owner(uid_t owner, char **env, struct run_as *as)
{
	char home[PATH_MAX];

	*as = (struct run_as){ .drop = false };
	if (!fs_identity_switches(owner))
		return true;
	as->drop = true;
	return fs_identity_lookup(owner, &as->id, home, sizeof(home)) == BGCOPY_OK &&
	       set_home(env, home);
}

static void become(const struct run_as *as)
{
	if (!as->drop)
		return;
	if (setgroups((size_t)as->id.ngroups, as->id.groups) != 0 ||
	    setgid(as->id.gid) != 0 || setuid(as->id.uid) != 0 || setuid(0) == 0)
		_exit(127);	/* never run as root for another user */
}

/*
 * The command line is started held at a gate: a child that waits for one
 * byte on a pipe before it execs.  The engine opens the gate only once it
 * has checked, under the lock, that the notification is still owed and
 * recorded cmdline_run; a notification voided in between runs nothing.
 */
static void gated_child(char **argv, char **env, const struct run_as *as, int gate)
{
	char go;
	ssize_t n;
	int null = open("/dev/null", O_RDWR);

	/* A group of its own: past its time limit, the program and all it
	 * started are killed together. */
	setpgid(0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	while ((n = read(gate, &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(127);
	/* The engine's sockets, store and files are not the program's. */
	close_range(3, ~0u, 0);
	become(as);
	execvpe(argv[0], argv, env);
	_exit(127);
}

/* Forks the held child, to run as `owner`; run->pid is -1 when that
 * failed. */
void cmdline_spawn_gated(char **argv, char **env, uid_t owner, struct gated_cmdline *run)
{
	struct run_as as;
	int gate[2];

	*run = (struct gated_cmdline){ .pid = -1, .gate = -1 };
	if (!run_as_owner(owner, env, &as) || pipe2(gate, O_CLOEXEC) != 0)
		return;
	run->pid = fork();
	if (run->pid == 0)
		gated_child(argv, env, &as, gate[0]);
	if (run->pid > 0)
		setpgid(run->pid, run->pid);	/* whichever of the two runs first */
	close(gate[0]);
	if (run->pid < 0)
		close(gate[1]);
	else
		run->gate = gate[1];
}

/* The program runs. */
void cmdline_open_gate(struct gated_cmdline *run)
{
	if (run->gate < 0)
		return;
	if (write(run->gate, "g", 1) != 1)
		kill(run->pid, SIGKILL);	/* never half-started */
	close(run->gate);
	run->gate = -1;
}

/* Its exit status, the negated signal that killed it, or 127 if it never
 * ran. */
static int cmdline_wait(pid_t pid)
{
	int wstatus;

	if (pid < 0)
		return 127;
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return WIFSIGNALED(wstatus) ? -WTERMSIG(wstatus) : 127;
}

/* The program never runs: the held child is killed before it execs and
 * reaped at once (it cannot be slow: it only waits at the gate). */
void cmdline_drop(struct gated_cmdline *run)
{
	if (run->pid < 0)
		return;
	kill(run->pid, SIGKILL);
	close(run->gate);
	cmdline_wait(run->pid);
	*run = (struct gated_cmdline){ .pid = -1, .gate = -1 };
}

/*
 * Waits at most `limit_s` for the program, with no lock held and no
 * polling: a pidfd becomes readable when it exits.  Past the limit its
 * whole process group is killed, then reaped, and *timed_out is set.
 * Without pidfds (Linux before 5.3) it waits without a limit.
 */
int cmdline_wait_limited(pid_t pid, uint32_t limit_s, bool *timed_out)
{
	int64_t deadline = now_ms() + (int64_t)limit_s * 1000;
	struct pollfd pfd = { .events = POLLIN };
	int rc = 0;

	*timed_out = false;
	if (pid < 0)
		return 127;
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	while (pfd.fd >= 0) {
		int64_t left = deadline - now_ms();

		rc = poll(&pfd, 1, left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left);
		if ((rc < 0 && errno == EINTR) || (rc == 0 && left > INT_MAX))
			continue;
		break;
	}
	if (pfd.fd >= 0 && rc == 0) {
		*timed_out = true;
		kill(-pid, SIGKILL);	/* the group it made itself... */
		kill(pid, SIGKILL);	/* ...or the program alone if it could not */
	}
	if (pfd.fd >= 0)
		close(pfd.fd);
	return cmdline_wait(pid);
}
