/* Running the notify command line: its arguments, a gated start with no shell, and its exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "trace.h"

/* Program, arguments, job id and event name, all copied: the job's
 * command line may be replaced while the program starts.  NULL on no
 * memory.  Lock held. */
char **cmdline_argv(const bgcopy_job *job, int kind)
{
	const char *extra[] = {
		job->id,
		kind == BGCOPY_TP_KIND_JOB_TRANSFERRED ? "transferred" : "error",
	};
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

/*
 * The command line is started held at a gate: a child that waits for one
 * byte on a pipe before it execs.  The engine opens the gate only once it
 * has checked, under the lock, that the notification is still owed and
 * recorded cmdline_run; a notification voided in between runs nothing.
 */
static void gated_child(char **argv, int gate)
{
	char go;
	ssize_t n;
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	while ((n = read(gate, &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(127);
	/* The engine's sockets, store and files are not the program's. */
	close_range(3, ~0u, 0);
	execvp(argv[0], argv);
	_exit(127);
}

/* Forks the held child; run->pid is -1 when that failed. */
void cmdline_spawn_gated(char **argv, struct gated_cmdline *run)
{
	int gate[2];

	*run = (struct gated_cmdline){ .pid = -1, .gate = -1 };
	if (pipe2(gate, O_CLOEXEC) != 0)
		return;
	run->pid = fork();
	if (run->pid == 0)
		gated_child(argv, gate[0]);
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
	cmdline_wait(run->pid);
	*run = (struct gated_cmdline){ .pid = -1, .gate = -1 };
}

/* Its exit status, the negated signal that killed it, or 127 if it never
 * ran. */
int cmdline_wait(pid_t pid)
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
