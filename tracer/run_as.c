/* A child process run as a job's owner, shared by libbgcopy's notify command line and bgcopyd's notify service calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "run_as.h"

bool owner_identity(uid_t uid, struct fs_identity *id, char *home, size_t home_size)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0 || !found ||
	    (home && strlen(pw.pw_dir) >= home_size))
		return false;
	*id = (struct fs_identity){ .uid = uid, .gid = pw.pw_gid,
				    .ngroups = FS_IDENTITY_GROUPS };
	if (getgrouplist(pw.pw_name, pw.pw_gid, id->groups, &id->ngroups) < 0) {
		id->groups[0] = pw.pw_gid;	/* more groups than we keep */
		id->ngroups = 1;
	}
	if (home)
		strcpy(home, pw.pw_dir);
	return true;
}

/* The owner first: a job of root's asks no system call (one a
 * transfer). */
bool fs_identity_switches(uid_t owner)
{
	return owner != 0 && geteuid() == 0;
}

bool run_as_owner(uid_t owner, struct run_as *as)
{
	*as = (struct run_as){ .drop = false };
	if (!fs_identity_switches(owner))
		return true;
	as->drop = true;
	return owner_identity(owner, &as->id, as->home, sizeof(as->home));
}

void run_as_become(const struct run_as *as)
{
	if (!as->drop)
		return;
	if (setgroups((size_t)as->id.ngroups, as->id.groups) != 0 ||
	    setgid(as->id.gid) != 0 || setuid(as->id.uid) != 0 || setuid(0) == 0)
		_exit(127);	/* never run as root for another user */
}

int child_wait(pid_t pid)
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

/*
 * With no polling: a pidfd becomes readable when the child exits.
 * Without pidfds (Linux before 5.3) it waits without a limit.
 */
int child_wait_limited(pid_t pid, int64_t limit_ms, bool *timed_out)
{
	int64_t deadline = now_ms() + limit_ms;
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
		kill(pid, SIGKILL);	/* ...or the child alone if it made none */
	}
	if (pfd.fd >= 0)
		close(pfd.fd);
	return child_wait(pid);
}
