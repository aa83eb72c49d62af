/* The per-owner layout's directories: users/<uid>/ under the engine's store, each one owner's store, all root's. */
/*
 * bgcopyd --system keeps every user's jobs, and a user's credentials with
 * them, in a store of that user's alone: one user's damaged or full
 * database stops no one else's jobs, and removing a user's jobs is
 * removing a directory.  The directories are the engine's (root's), mode
 * 0700: users reach their jobs through the daemon, never the files, and
 * store_trust_check() refuses a directory anyone else could have written.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

static int make_private_dir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return BGCOPY_OK;
	return set_error(BGCOPY_E_STORE, "cannot create store directory '%s': %s", path,
			 strerror(errno));
}

int store_owners_dir(const char *store_dir, uint32_t uid, bool create, char **out)
{
	char *users = NULL;
	int status = BGCOPY_OK;

	*out = NULL;
	if (asprintf(&users, "%s/users", store_dir) < 0 ||
	    asprintf(out, "%s/%u", users, (unsigned)uid) < 0) {
		free(users);
		*out = NULL;
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	}
	if (create)
		status = make_private_dir(users);
	if (!status)
		status = store_trust_check(users);
	if (!status && create)
		status = make_private_dir(*out);
	free(users);
	if (status) {
		free(*out);
		*out = NULL;
	}
	return status;
}

/* A uid as the layout writes it: decimal, no sign, no leading zero. */
static bool parse_uid(const char *name, uint32_t *uid)
{
	unsigned long long v;
	char *end;

	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
		return false;
	errno = 0;
	v = strtoull(name, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*uid = (uint32_t)v;
	return true;
}

static int by_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The owners with a store, in uid order; anything else in users/ is not
 * the layout's and is left alone. */
int store_owners_list(const char *store_dir, uint32_t **uids, size_t *n)
{
	char *users;
	struct dirent *e;
	size_t cap = 0;
	uint32_t uid;
	DIR *dir;
	int status;

	*uids = NULL;
	*n = 0;
	if (asprintf(&users, "%s/users", store_dir) < 0)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	dir = opendir(users);
	if (!dir) {
		status = errno == ENOENT ? BGCOPY_OK :
			 set_error(BGCOPY_E_STORE, "cannot read store directory '%s': %s",
				   users, strerror(errno));
		free(users);
		return status;
	}
	status = store_trust_check(users);
	while (!status && (e = readdir(dir))) {
		if (!parse_uid(e->d_name, &uid))
			continue;
		if (*n == cap) {
			uint32_t *more = realloc(*uids, (cap = cap ? 2 * cap : 16) * sizeof(*more));

			if (!more) {
				status = set_error(BGCOPY_E_NOMEM, "out of memory");
				break;
			}
			*uids = more;
		}
		(*uids)[(*n)++] = uid;
	}
	closedir(dir);
	free(users);
	if (status) {
		free(*uids);
		*uids = NULL;
		*n = 0;
		return status;
	}
	qsort(*uids, *n, sizeof(**uids), by_uid);
	return BGCOPY_OK;
}
