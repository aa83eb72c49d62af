/* Running the notify command line: its arguments, a gated start with no shell, its time limit and its exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	run_as_become(as);
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
	/* Looked up before the fork: the child may only make system calls.
	 * An unknown owner runs nothing: never as root for them. */
	if (!run_as_owner(owner, &as) || (as.drop && !set_home(env, as.home)) ||
	    pipe2(gate, O_CLOEXEC) != 0)
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

/* The program never runs: the held child is killed before it execs and
 * reaped at once (it cannot be slow: it only waits at the gate). */
void cmdline_drop(struct gated_cmdline *run)
{
	if (run->pid < 0)
		return;
	kill(run->pid, SIGKILL);
	close(run->gate);
	child_wait(run->pid);
	*run = (struct gated_cmdline){ .pid = -1, .gate = -1 };
}
