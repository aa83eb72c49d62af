/* Whether a store directory and its database may be trusted, checked before SQLite sees them. */

/*
 * Like OpenSSH's StrictModes and git's safe.directory: a store another
 * user owns or may write could make us run their command line or unlink
 * our files, so it is refused with one line that names the path, its
 * owner and the fix, and nothing in it is touched.
 *
 * A -wal is checked against its -shm before SQLite opens the database:
 * SQLite would apply any well-formed WAL it finds, a foreign one
 * included, and delete it at close.  A SQLite file that is not a bgcopy
 * store is refused before anything converts it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* "bgcp", in the database header's application_id. */
#define STORE_APPLICATION_ID 0x62676370

#define WAL_HEADER_SIZE 32
#define WAL_MAGIC_LE 0x377f0682u
#define WAL_MAGIC_BE 0x377f0683u
#define WAL_FORMAT 3007000u
/* The -shm file starts with the wal-index header (SQLite's WalIndexHdr),
 * in the writer's byte order, twice. */
#define SHM_HEADER_SIZE 48
#define SHM_IS_INIT 12
#define SHM_PAGE_SIZE 14
#define SHM_MAX_FRAME 16
#define SHM_SALTS 32

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int refuse(const char *path, const char *why, const char *fix)
{
	return set_error(BGCOPY_E_STORE, "refusing store file '%s': %s; %s",
			 path, why, fix);
}

/* Owned by us or root, not writable by group or others, not a link. */
static int check_owner_and_mode(const char *path, bool want_dir, bool *exists)
{
	char why[160], fix[PATH_MAX + 64];
	struct stat st;

	*exists = false;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return BGCOPY_OK;
		return set_error(BGCOPY_E_STORE, "cannot inspect store file '%s': %s",
				 path, strerror(errno));
	}
	*exists = true;
	if (S_ISLNK(st.st_mode))
		return refuse(path, "it is a symbolic link",
			      "fix: replace the link by the directory or file it names");
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return refuse(path, want_dir ? "it is not a directory" :
			      "it is not a regular file", "fix: move it away");
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(why, sizeof(why), "it is owned by uid %u, not by you "
			 "(uid %u) or root", (unsigned)st.st_uid, (unsigned)geteuid());
		snprintf(fix, sizeof(fix), "fix: chown %u '%s', or use a store "
			 "of your own", (unsigned)geteuid(), path);
		return refuse(path, why, fix);
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, sizeof(why), "it is writable by %s (mode %04o, "
			 "owner uid %u)", st.st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		snprintf(fix, sizeof(fix), "fix: chmod go-w '%s'", path);
		return refuse(path, why, fix);
	}
	return BGCOPY_OK;
}

/* Reads the first `size` bytes; the number read, -1 on error. */
static ssize_t read_head(const char *path, unsigned char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = pread(fd, buf, size, 0);
	close(fd);
	return n;
}

/* The database's page size from its header, 0 when it has none yet. */
static uint32_t db_page_size(const char *db)
{
	unsigned char head[100];
	uint32_t size;

	if (read_head(db, head, sizeof(head)) != (ssize_t)sizeof(head))
		return 0;
	size = (uint32_t)head[16] << 8 | head[17];
	return size == 1 ? 65536 : size;
}

static int foreign_wal(const char *wal, const char *why)
{
	return set_error(BGCOPY_E_STORE, "refusing store file '%s': %s; it was "
			 "left untouched; fix: if the store's last engine ended "
			 "normally, move '%s' and its -shm away", wal, why, wal);
}

/*
 * A WAL belongs to the database when its header is SQLite's, its page
 * size is the database's and its salts are the ones the -shm index
 * holds for it.  One exception: SQLite restarting a checkpointed WAL
 * writes the index (first salt plus one, no frame) just before the WAL's
 * header, and an engine killed between the two leaves exactly that.
 */
static int check_wal(const char *db, const char *wal, const char *shm)
{
	unsigned char head[WAL_HEADER_SIZE], index[SHM_HEADER_SIZE];
	uint32_t magic, page_size, index_page, index_frames;
	ssize_t n = read_head(wal, head, sizeof(head));

	if (n < 0)
		return set_error(BGCOPY_E_STORE, "cannot read '%s': %s", wal,
				 strerror(errno));
	if (n < WAL_HEADER_SIZE)
		return BGCOPY_OK;	/* SQLite takes it for an empty log */
	magic = get_be32(head);
	page_size = get_be32(head + 8);
	if ((magic != WAL_MAGIC_LE && magic != WAL_MAGIC_BE) ||
	    get_be32(head + 4) != WAL_FORMAT)
		return foreign_wal(wal, "it is not a SQLite write-ahead log");
	if (page_size != db_page_size(db))
		return foreign_wal(wal, "its page size is not the database's");
	if (read_head(shm, index, sizeof(index)) != (ssize_t)sizeof(index) ||
	    !index[SHM_IS_INIT])
		return foreign_wal(wal, "it has no -shm index to prove it "
				   "belongs to jobs.db");
	memcpy(&index_frames, index + SHM_MAX_FRAME, sizeof(index_frames));
	index_page = (uint32_t)(index[SHM_PAGE_SIZE] | index[SHM_PAGE_SIZE + 1] << 8);
	if (magic == WAL_MAGIC_BE)
		index_page = (index_page >> 8 | index_page << 8) & 0xffff;
	if ((index_page == 1 ? 65536 : index_page) != page_size &&
	    index_page != 0)
		return foreign_wal(wal, "its -shm index is for another page size");
	if (!memcmp(index + SHM_SALTS, head + 16, 8))
		return BGCOPY_OK;
	if (index_frames == 0 &&
	    get_be32(index + SHM_SALTS) == get_be32(head + 16) + 1)
		return BGCOPY_OK;
	return foreign_wal(wal, "its salts are not the ones its -shm index "
			   "records");
}

/* The directory, then each of its database files that exists. */
int store_trust_check(const char *dir)
{
	static const char *const names[] = { "jobs.db", "jobs.db-wal", "jobs.db-shm" };
	char path[PATH_MAX];
	bool exists;
	int status;

	if (strlen(dir) + sizeof("/jobs.db-shm") > sizeof(path))
		return set_error(BGCOPY_E_INVALID_ARG, "store path is too long");
	status = check_owner_and_mode(dir, true, &exists);
	for (size_t i = 0; !status && exists && i < sizeof(names) / sizeof(*names); i++) {
		bool file_exists;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		status = check_owner_and_mode(path, false, &file_exists);
	}
	return status;
}

/* Only while no engine writes the store: a live engine's log is its own. */
int store_trust_wal(const char *dir)
{
	char db[PATH_MAX], wal[PATH_MAX], shm[PATH_MAX];

	snprintf(db, sizeof(db), "%s/jobs.db", dir);
	snprintf(wal, sizeof(wal), "%s/jobs.db-wal", dir);
	snprintf(shm, sizeof(shm), "%s/jobs.db-shm", dir);
	return check_wal(db, wal, shm);
}

/* 0600 whatever the umask: the database holds URLs that may carry
 * credentials.  SQLite gives its -wal and -shm the database's mode. */
int store_trust_create_db(const char *dir)
{
	char db[PATH_MAX];
	int fd;

	snprintf(db, sizeof(db), "%s/jobs.db", dir);
	fd = open(db, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? BGCOPY_OK :
		       set_error(BGCOPY_E_IO, "cannot create '%s': %s", db,
				 strerror(errno));
	if (fchmod(fd, 0600) != 0) {
		int saved = errno;

		close(fd);
		return set_error(BGCOPY_E_IO, "cannot make '%s' private: %s", db,
				 strerror(saved));
	}
	close(fd);
	return BGCOPY_OK;
}

static int query_int(sqlite3 *db, const char *sql, int *value)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL))
		return -1;
	rc = sqlite3_step(q);
	*value = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* "file:" URI of a path, every byte but [A-Za-z0-9/._-] escaped. */
static void immutable_uri(const char *path, char *out, size_t size)
{
	size_t len = (size_t)snprintf(out, size, "file:");

	for (const unsigned char *p = (const unsigned char *)path;
	     *p && len + 4 < size; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-", *p))
			out[len++] = (char)*p;
		else
			len += (size_t)snprintf(out + len, size - len, "%%%02X", *p);
	}
	snprintf(out + len, size - len, "?immutable=1");
}

/*
 * Ours when it carries our application_id; a store written before the id
 * existed has our tables and is stamped (`*stamp`) once open; an empty
 * file is a new store.  Anything else is someone else's database.  Read
 * as an immutable file: no lock, no -wal or -shm created or read.
 */
int store_trust_identity(const char *dir, bool *stamp)
{
	char db_path[PATH_MAX], uri[3 * PATH_MAX + 32];
	int app_id = 0, tables = 0, ours = 0, status = BGCOPY_OK;
	sqlite3 *db = NULL;

	*stamp = false;
	snprintf(db_path, sizeof(db_path), "%s/jobs.db", dir);
	if (access(db_path, F_OK) != 0)
		return BGCOPY_OK;
	immutable_uri(db_path, uri, sizeof(uri));
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) ||
	    query_int(db, "PRAGMA application_id", &app_id) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master", &tables) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table'"
		      " AND name IN ('jobs','files')", &ours)) {
		status = set_error(BGCOPY_E_STORE, "store '%s': jobs.db is damaged "
				   "(%s); it was left untouched", dir,
				   db ? sqlite3_errmsg(db) : "cannot open");
		goto end;
	}
	if (app_id == STORE_APPLICATION_ID)
		goto end;
	if (app_id != 0 || (tables > 0 && ours != 2)) {
		status = set_error(BGCOPY_E_STORE, "store '%s': jobs.db is not a "
				   "bgcopy store (application_id %#x, %d objects); "
				   "it was left untouched; fix: move it away or use "
				   "another store", dir, (unsigned)app_id, tables);
		goto end;
	}
	*stamp = true;
end:
	sqlite3_close(db);
	return status;
}

int store_trust_stamp(struct sqlite3 *db, const char *dir)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d;", STORE_APPLICATION_ID);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL))
		return set_error(BGCOPY_E_STORE, "store '%s': cannot mark jobs.db "
				 "as a bgcopy store: %s", dir, sqlite3_errmsg(db));
	return BGCOPY_OK;
}
