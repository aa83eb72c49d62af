/* A child process run as a job's owner: who it becomes, and waiting for it with a time limit (run_as.c, shared by libbgcopy and bgcopyd). */
#ifndef BGCOPY_RUN_AS_H
#define BGCOPY_RUN_AS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A user's identity for the file system and for a child: uid, gid and
 * groups (fs_identity.c switches a thread to it, run_as_become a child). */
#define FS_IDENTITY_GROUPS 64
struct fs_identity {
	uid_t uid;
	gid_t gid;
	int ngroups;	/* only the primary group past FS_IDENTITY_GROUPS */
	gid_t groups[FS_IDENTITY_GROUPS];
};

/* Whether work for `owner` changes identity: only a root process does,
 * and not for root. */
bool fs_identity_switches(uid_t owner);

/* Who the child runs as: the job's owner.  A root process (a system
 * service) becomes the owner, with its gid, groups and home; any other
 * process cannot change uid and runs it as itself (drop false). */
struct run_as {
	bool drop;
	struct fs_identity id;
	char home[PATH_MAX];	/* with drop: the owner's home directory */
};

/* The passwd and group entries of `uid`, and its home directory when
 * `home` is given; false when the user is unknown or the home longer
 * than home_size - 1 bytes.  The one lookup of an owner (fs_identity.c
 * reports it as an engine error). */
bool owner_identity(uid_t uid, struct fs_identity *id, char *home, size_t home_size);
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
