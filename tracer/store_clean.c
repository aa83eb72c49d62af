/* Whether a store is as its last engine left it when it closed cleanly, so that its integrity check can be skipped. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/*
 * PRAGMA quick_check reads every page: at 20,000 jobs it was a tenth of
 * an open, paid by every process that opens the store.  What it guards
 * against is a database damaged since SQLite last wrote it: a crash
 * mid-write on a medium that lies about syncs, a copy, an editor, a
 * truncation.  An engine that closes cleanly (SQLite checkpointed and
 * removed the log) writes beside its pid, in the lock file it holds, the
 * identity of jobs.db as it left it: device, inode, size, and the
 * modification and change times.  The next writer skips the check only
 * when all five are unchanged and there is no log: any write to the file
 * since moves its change time, which no one can set back (tick_passed).
 * A process killed, a close that failed, a reader's open: the check runs.
 */

#define CLEAN_TAG "clean"
#define TICK_WAIT_MS 50

/* File times come from the kernel's coarse clock (a tick, 1 to 10 ms):
 * a write in the tick of the last one would leave them unchanged.  Once
 * the coarse clock has passed the file's change time, any later write
 * moves it; false if that takes longer than is worth waiting. */
static bool tick_passed(const struct timespec *ctime)
{
	struct timespec now, ms = { .tv_nsec = 1000000 };

	for (int i = 0; i < TICK_WAIT_MS; i++) {
		clock_gettime(CLOCK_REALTIME_COARSE, &now);
		if (now.tv_sec > ctime->tv_sec ||
		    (now.tv_sec == ctime->tv_sec && now.tv_nsec > ctime->tv_nsec))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

static int db_identity(const char *dir, char *out, size_t size,
		       struct timespec *ctime)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/jobs.db-wal", dir);
	if (access(path, F_OK) == 0)
		return -1;	/* a log: SQLite did not finish with it */
	snprintf(path, sizeof(path), "%s/jobs.db", dir);
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	snprintf(out, size, CLEAN_TAG " %ju %ju %jd %jd.%09ld %jd.%09ld",
		 (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
		 (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		 (intmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	*ctime = st.st_ctim;
	return 0;
}

/* After SQLite closed the database: the lock file becomes the pid and
 * the identity, on its second line (store_lock_holder reads the first). */
void store_clean_mark(const char *dir, int lock_fd)
{
	char identity[160], text[200];
	struct timespec ctime;
	int len;

	if (db_identity(dir, identity, sizeof(identity), &ctime) ||
	    !tick_passed(&ctime))
		return;
	len = snprintf(text, sizeof(text), "%ld\n%s\n", (long)getpid(), identity);
	if (ftruncate(lock_fd, 0) == 0)
		(void)!pwrite(lock_fd, text, (size_t)len, 0);
}

/* `lock_text`: what the lock file held before this engine took it. */
bool store_clean_since_close(const char *dir, const char *lock_text)
{
	const char *line = strchr(lock_text, '\n');
	char identity[160];
	struct timespec ctime;

	if (!line || strncmp(line + 1, CLEAN_TAG " ", strlen(CLEAN_TAG " ")) ||
	    db_identity(dir, identity, sizeof(identity), &ctime))
		return false;
	return !strncmp(line + 1, identity, strlen(identity)) &&
	       line[1 + strlen(identity)] == '\n';
}
