/* File-system calls as a job's owner: a root engine gives the calling thread alone the owner's fsuid, fsgid and groups. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* Switches are not nested: a second one would save the owner's identity
 * as the one to give back. */
static __thread unsigned begun_here;

int fs_identity_lookup(uid_t uid, struct fs_identity *id, char *home, size_t home_size)
{
	if (!owner_identity(uid, id, home, home_size))
		return set_error(BGCOPY_E_INVALID_STATE, "uid %u has no passwd entry, "
				 "or a home directory longer than %zu bytes: nothing "
				 "is done as that user", (unsigned)uid,
				 home ? home_size - 1 : (size_t)PATH_MAX);
	return BGCOPY_OK;
}

uid_t fs_uid(void)
{
	return (uid_t)setfsuid((uid_t)-1);	/* an invalid id changes nothing */
}

/* The raw system call: glibc's setgroups() changes every thread. */
static bool set_thread_groups(int n, const gid_t *groups)
{
	return syscall(SYS_setgroups, (size_t)n, groups) == 0;
}

/* setfsuid and setfsgid say only the id they replaced: asked again, they
 * say whether the first call took. */
static bool set_fs_ids(uid_t uid, gid_t gid)
{
	setfsgid(gid);
	setfsuid(uid);
	return (gid_t)setfsgid(gid) == gid && (uid_t)setfsuid(uid) == uid;
}

/* Taking the user's fsuid drops root's file-system capabilities
 * (CAP_DAC_OVERRIDE...); root's fsuid brings them back. */
static void give_back(const struct as_owner *as)
{
	if (!set_fs_ids(as->uid_was, as->gid_was) ||
	    !set_thread_groups(as->ngroups_was, as->groups_was))
		abort();	/* a root engine's thread must never stay a user */
}

static int save_identity(struct as_owner *as)
{
	int n = getgroups(0, NULL);

	as->uid_was = fs_uid();
	as->gid_was = (gid_t)setfsgid((gid_t)-1);
	as->groups_was = n >= 0 ? xcalloc(n ? (size_t)n : 1, sizeof(gid_t)) : NULL;
	if (!as->groups_was)
		return n < 0 ? set_error(BGCOPY_E_IO, "cannot read the engine's "
					 "groups: %s", strerror(errno)) : BGCOPY_E_NOMEM;
	as->ngroups_was = getgroups(n, as->groups_was);
	if (as->ngroups_was != n)
		return set_error(BGCOPY_E_IO, "the engine's groups changed while "
				 "they were read");
	return BGCOPY_OK;
}

int as_owner_begin(const struct fs_identity *id, struct as_owner *as)
{
	int status;

	assert(!begun_here);
	*as = (struct as_owner){ .begun = true };
	if (!id || !fs_identity_switches(id->uid)) {
		begun_here++;
		return BGCOPY_OK;
	}
	status = save_identity(as);
	if (status)
		goto end;
	if (!set_thread_groups(id->ngroups, id->groups))
		status = set_error(BGCOPY_E_IO, "cannot take the groups of uid %u: "
				   "%s", (unsigned)id->uid, strerror(errno));
	else if (!set_fs_ids(id->uid, id->gid))
		status = set_error(BGCOPY_E_IO, "cannot take the file-system "
				   "identity of uid %u (gid %u)", (unsigned)id->uid,
				   (unsigned)id->gid);
	if (status)
		give_back(as);
	as->switched = !status;
end:
	if (status) {
		free(as->groups_was);
		*as = (struct as_owner){ .begun = false };
	} else {
		begun_here++;
	}
	return status;
}

void as_owner_end(struct as_owner *as)
{
	int saved = errno;	/* callers report what the file call said */

	assert(as->begun && begun_here == 1);
	if (as->switched)
		give_back(as);
	free(as->groups_was);
	*as = (struct as_owner){ .begun = false };
	begun_here--;
	errno = saved;
}

/* A root engine (bgcopyd --system) may have made the file as a job's
 * owner, and removes it as that owner: a directory swapped for a link
 * meanwhile leads the unlink nowhere that user may not go. */
void unlink_as_file_owner(const char *path)
{
	struct fs_identity owner;
	struct as_owner as;
	struct stat st;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (st.st_uid == geteuid()) {
		unlink(path);
		return;
	}
	if (!fs_identity_switches(st.st_uid) ||
	    fs_identity_lookup(st.st_uid, &owner, NULL, 0) ||
	    as_owner_begin(&owner, &as))
		return;
	unlink(path);
	as_owner_end(&as);
}
