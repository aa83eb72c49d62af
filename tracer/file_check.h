/* file_check.c: files to add, checked with the engine lock released; not installed. */
#ifndef BGCOPY_FILE_CHECK_H
#define BGCOPY_FILE_CHECK_H

#include "internal.h"

/* One file to add: its URL split (the bare URL, the redacted one, its
 * user info) and its destination made absolute. */
struct file_check {
	struct url_parts parts;
	char *abs_path;
};

/* Lock held on entry and on return, released between: checks each URL
 * and, as the job's owner, each destination (stat, access: a hung mount
 * must not stall every other job).  On failure *failed is the index of
 * the file refused, or `count` when the job itself no longer takes
 * files (it became final or changed owner meanwhile).  `out` (count
 * entries, zeroed by the caller) is the caller's to free with
 * file_checks_free either way. */
int file_checks_run(bgcopy_job *job, unsigned count, const char *const *urls,
		    const char *const *local_paths, struct file_check *out,
		    unsigned *failed);
void file_checks_free(struct file_check *checks, unsigned count);

#endif /* BGCOPY_FILE_CHECK_H */
