/* A child process run as a job's owner: who it becomes, and waiting for it with a time limit (run_as.c, shared by libbgcopy and bgcopyd). */
#ifndef BGCOPY_RUN_AS_H
#define BGCOPY_RUN_AS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Who the child runs as: the job's owner.  A root process (a system
 * service) becomes the owner, with its gid, groups and home; any other
 * process cannot change uid and runs it as itself (drop false). */
#define RUN_AS_GROUPS 64
struct run_as {
	bool drop;
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[RUN_AS_GROUPS];
	char home[PATH_MAX];	/* with drop: the owner's home directory */
};

/* Looked up before the fork: the child may only make system calls.
 * False when the owner is unknown: nothing may run as root for them. */
bool run_as_owner(uid_t owner, struct run_as *as);
/* In the child: becomes the owner, or exits with 127; never returns as
 * root for another user. */
void run_as_become(const struct run_as *as);
/* The child's exit status, the negated signal that killed it, or 127 if
 * it never ran (pid -1). */
int child_wait(pid_t pid);
/* child_wait for at most `limit_ms`; past it the child's process group
 * and the child are killed, reaped, and *timed_out set. */
int child_wait_limited(pid_t pid, int64_t limit_ms, bool *timed_out);

#endif /* BGCOPY_RUN_AS_H */
