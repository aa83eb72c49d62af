/* Running the notify command line: its arguments, a spawn with no shell, and its exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "trace.h"

extern char **environ;

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

/* Starts the command line with no shell, its output going nowhere;
 * returns its pid or -1. */
pid_t cmdline_spawn(char **argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : pid;
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
