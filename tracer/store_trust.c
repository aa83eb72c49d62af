/* Whether a store directory and its database may be trusted, checked before SQLite sees them. */

/*
 * Like OpenSSH's StrictModes and git's safe.directory: a store another
 * user owns or may write could make us run their command line or unlink
 * our files, so it is refused with one line that names the path, its
 * owner and the fix, and nothing in it is touched.
 *
 * A -wal is checked against its -shm before SQLite opens the database:
 * SQLite would apply any well-formed WAL it finds, a foreign one
 * included, and delete it at close.  A -wal copied with its own -shm
 * passes that, so the log must also continue this database: SQLite's
 * formats tie a log to no database, but each frame of page 1 carries the
 * change counter it was written after, and every store starts its
 * counter at a random value and writes page 1 first in each session's
 * log (the mark, stamped at every open).  A log with no frame of page 1
 * carries nothing of its database and is taken (docs/CONTRACT.md).  A
 * log without its -shm is taken only when it would change nothing.
 * A SQLite file that is not a bgcopy store is refused before anything
 * converts it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* "bgcp", in the database header's application_id. */
#define STORE_APPLICATION_ID 0x62676370

#define WAL_HEADER_SIZE 32
#define WAL_MAGIC_LE 0x377f0682u
#define WAL_MAGIC_BE 0x377f0683u
#define WAL_FORMAT 3007000u
#define WAL_FRAME_HEADER 24
/* The database header's file change counter, and its copy that says
 * the header's database size is valid. */
#define DB_CHANGE_COUNTER 24
#define DB_VERSION_VALID_FOR 92
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

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
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

static int foreign_wal(const char *wal, const char *why, ...)
	__attribute__((format(printf, 2, 3)));

static int foreign_wal(const char *wal, const char *why, ...)
{
	char text[320];
	va_list ap;

	va_start(ap, why);
	vsnprintf(text, sizeof(text), why, ap);
	va_end(ap);
	return set_error(BGCOPY_E_STORE, "refusing store file '%s': %s; it was "
			 "left untouched; fix: if the store's last engine ended "
			 "normally, move '%s' and its -shm away", wal, text, wal);
}

/* SQLite's WAL checksum of `n` bytes (a multiple of 8), continuing `s`;
 * `big`: the words are big-endian (the magic says). */
static void wal_checksum(bool big, const unsigned char *p, size_t n, uint32_t s[2])
{
	for (size_t i = 0; i < n; i += 8) {
		s[0] += (big ? get_be32(p + i) : get_le32(p + i)) + s[1];
		s[1] += (big ? get_be32(p + i + 4) : get_le32(p + i + 4)) + s[0];
	}
}

/* A log's frames as SQLite's recovery reads them: this log's salts and
 * checksums chained from the header.  The caller counts commits. */
struct wal_reader {
	int fd;
	bool big;		/* the words are big-endian (the magic says) */
	const unsigned char *head;
	size_t frame_size;
	uint32_t s[2];
	off_t at;		/* of the next frame */
	unsigned char *frame;	/* header then page, after wal_next */
};

/* False (nothing to read) when the header's own checksum is wrong:
 * SQLite then takes the log for an empty one. */
static int wal_open(struct wal_reader *r, int fd, const unsigned char *head,
		    uint32_t page_size, bool *readable)
{
	*r = (struct wal_reader){ .fd = fd, .big = get_be32(head) & 1, .head = head,
				  .frame_size = WAL_FRAME_HEADER + (size_t)page_size,
				  .at = WAL_HEADER_SIZE };
	r->frame = malloc(r->frame_size);
	if (!r->frame)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	wal_checksum(r->big, head, 24, r->s);
	*readable = r->s[0] == get_be32(head + 24) && r->s[1] == get_be32(head + 28);
	return BGCOPY_OK;
}

/* The next valid frame in r->frame; false at the end of the valid ones. */
static bool wal_next(struct wal_reader *r)
{
	const unsigned char *f = r->frame;

	if (pread(r->fd, r->frame, r->frame_size, r->at) != (ssize_t)r->frame_size)
		return false;
	wal_checksum(r->big, f, 8, r->s);
	wal_checksum(r->big, f + WAL_FRAME_HEADER, r->frame_size - WAL_FRAME_HEADER, r->s);
	if (memcmp(f + 8, r->head + 16, 8) || get_be32(f) == 0 ||
	    r->s[0] != get_be32(f + 16) || r->s[1] != get_be32(f + 20))
		return false;
	r->at += (off_t)r->frame_size;
	return true;
}

static bool wal_is_commit(const struct wal_reader *r)
{
	return get_be32(r->frame + 4) != 0;
}

/* Page 1's change counters in the frames SQLite would apply. */
struct page_one_evidence {
	bool seen;		/* a committed frame of page 1 */
	uint32_t first;		/* the first one's counter */
	bool holds_db;		/* one of them is the database's counter */
};

/* Gathers page 1's counters from the frames up to the last commit. */
static int wal_page_one(int fd, const unsigned char *head, uint32_t page_size,
			uint32_t db_counter, struct page_one_evidence *ev)
{
	struct wal_reader r;
	bool readable, seen = false, holds = false;
	uint32_t first = 0;
	int status = wal_open(&r, fd, head, page_size, &readable);

	*ev = (struct page_one_evidence){ 0 };
	while (!status && readable && wal_next(&r)) {
		if (get_be32(r.frame) == 1) {
			uint32_t c = get_be32(r.frame + WAL_FRAME_HEADER + DB_CHANGE_COUNTER);

			first = seen ? first : c;
			seen = true;
			holds = holds || c == db_counter;
		}
		if (wal_is_commit(&r) && seen) {
			ev->first = ev->seen ? ev->first : first;
			ev->seen = true;
			ev->holds_db = ev->holds_db || holds;
		}
	}
	free(r.frame);
	return status;
}

/* The frames of a log: each one's page number and where its page is. */
struct wal_frames {
	struct wal_frame {
		uint32_t page;
		off_t at;
	} *f;
	size_t n, committed, cap;	/* committed: the frames up to the last commit */
};

static int wal_list_frames(int fd, const unsigned char *head, uint32_t page_size,
			   struct wal_frames *l)
{
	struct wal_reader r;
	bool readable;
	int status = wal_open(&r, fd, head, page_size, &readable);

	while (!status && readable && wal_next(&r)) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 64;
			struct wal_frame *f = realloc(l->f, cap * sizeof(*f));

			if (!f) {
				status = set_error(BGCOPY_E_NOMEM, "out of memory");
				break;
			}
			l->f = f;
			l->cap = cap;
		}
		l->f[l->n++] = (struct wal_frame){
			.page = get_be32(r.frame),
			.at = r.at - (off_t)r.frame_size + WAL_FRAME_HEADER,
		};
		if (wal_is_commit(&r))
			l->committed = l->n;
	}
	free(r.frame);
	return status;
}

/* Whether the last committed version of every page in the log is already
 * the database's: replaying such a log changes nothing. */
static int wal_redundant(const char *db, int fd, const unsigned char *head,
			 uint32_t page_size, bool *redundant)
{
	struct wal_frames l = { 0 };
	unsigned char *ours = malloc(page_size), *theirs = malloc(page_size);
	int dbfd = open(db, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int status = ours && theirs ? BGCOPY_OK : set_error(BGCOPY_E_NOMEM, "out of memory");

	*redundant = dbfd >= 0;
	if (!status)
		status = wal_list_frames(fd, head, page_size, &l);
	for (size_t i = 0; !status && *redundant && i < l.committed; i++) {
		bool superseded = false;

		for (size_t j = i + 1; j < l.committed && !superseded; j++)
			superseded = l.f[j].page == l.f[i].page;
		if (superseded)
			continue;
		*redundant = pread(fd, theirs, page_size, l.f[i].at) == (ssize_t)page_size &&
			     pread(dbfd, ours, page_size,
				   (off_t)(l.f[i].page - 1) * page_size) == (ssize_t)page_size &&
			     !memcmp(ours, theirs, page_size);
	}
	if (dbfd >= 0)
		close(dbfd);
	free(l.f);
	free(ours);
	free(theirs);
	return status;
}

/* The log's changes were made to this database: its first page 1 was
 * written after this database's (counter + 1), or a checkpoint copied
 * one of its page 1s into it.  A log with no page 1 shows nothing: taken
 * when its -shm index vouches for it. */
static int check_continues(const char *db, const char *wal,
			   const unsigned char *head, uint32_t page_size,
			   bool index_vouches)
{
	static const char no_index[] = "it has no -shm index to prove it belongs "
				       "to jobs.db, and ";
	unsigned char db_head[100];
	struct page_one_evidence ev;
	uint32_t counter;
	int fd, status;

	if (read_head(db, db_head, sizeof(db_head)) != (ssize_t)sizeof(db_head))
		return BGCOPY_OK;
	counter = get_be32(db_head + DB_CHANGE_COUNTER);
	fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return set_error(BGCOPY_E_STORE, "cannot read '%s': %s", wal,
				 strerror(errno));
	status = wal_page_one(fd, head, page_size, counter, &ev);
	close(fd);
	if (status || (ev.seen && (ev.first == counter + 1 || ev.holds_db)))
		return status;
	if (!ev.seen)
		return index_vouches ? BGCOPY_OK :
		       foreign_wal(wal, "%sits pages are not the database's", no_index);
	return foreign_wal(wal, "%sits changes were not made to this database "
			   "(its page 1 follows change counter %u, the "
			   "database's is %u)", index_vouches ? "" : no_index,
			   ev.first - 1, counter);
}

/* A log without its index.  SQLite unlinks the -shm before the -wal when
 * it closes, so a process killed between the two leaves a checkpointed
 * log alone, whose pages are the database's already: taken.  And the
 * first connection after a kill empties the -shm before it rebuilds it
 * from the log, so one killed between the two leaves a log of committed
 * changes with an empty index: taken when its page 1 continues this
 * database (check_continues).  Any other log without an index is
 * refused. */
static int check_redundant(const char *db, const char *wal,
			   const unsigned char *head, uint32_t page_size)
{
	bool redundant;
	int status, fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return set_error(BGCOPY_E_STORE, "cannot read '%s': %s", wal,
				 strerror(errno));
	status = wal_redundant(db, fd, head, page_size, &redundant);
	close(fd);
	if (status || redundant)
		return status;
	return check_continues(db, wal, head, page_size, false);
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
		return check_redundant(db, wal, head, page_size);
	memcpy(&index_frames, index + SHM_MAX_FRAME, sizeof(index_frames));
	index_page = (uint32_t)(index[SHM_PAGE_SIZE] | index[SHM_PAGE_SIZE + 1] << 8);
	if (magic == WAL_MAGIC_BE)
		index_page = (index_page >> 8 | index_page << 8) & 0xffff;
	if ((index_page == 1 ? 65536 : index_page) != page_size &&
	    index_page != 0)
		return foreign_wal(wal, "its -shm index is for another page size");
	if (!memcmp(index + SHM_SALTS, head + 16, 8))
		return check_continues(db, wal, head, page_size, true);
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

/* A new database's header, written by SQLite with our mark, then its
 * change counter set to a random value: two stores never share one, so
 * a log from another store cannot continue this one's (check_continues).
 * Nothing else has the file yet: it was just created under the lock.
 * Written in place (no journal, no log: a log left by a failed close
 * would carry the header from before the new counter, and be refused as
 * another store's), left in WAL mode, and synced once, at the end: each
 * step synced took 16 syncs to make a store (bgcopyd's start on a new
 * store).  A store that fails to be made is removed (store_trust_create_db):
 * a leftover would never get its counter. */
static int init_db(const char *path)
{
	unsigned char head[100];
	uint32_t counter;
	sqlite3 *db = NULL;
	char sql[160];
	int fd, status = BGCOPY_OK;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
		 "PRAGMA application_id=%d; PRAGMA journal_mode=WAL;", STORE_APPLICATION_ID);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL))
		status = set_error(BGCOPY_E_STORE, "cannot create '%s': %s", path,
				   db ? sqlite3_errmsg(db) : "out of memory");
	if (sqlite3_close(db) != SQLITE_OK && !status)
		status = set_error(BGCOPY_E_STORE, "cannot create '%s': it did not close",
				   path);
	if (status)
		return status;
	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    getrandom(&counter, sizeof(counter), 0) != (ssize_t)sizeof(counter))
		status = set_error(BGCOPY_E_IO, "cannot create '%s': %s", path,
				   strerror(errno));
	if (!status) {
		put_be32(head + DB_CHANGE_COUNTER, counter);
		put_be32(head + DB_VERSION_VALID_FOR, counter);
		if (pwrite(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
		    fsync(fd) != 0)
			status = set_error(BGCOPY_E_IO, "cannot write '%s': %s",
					   path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return status;
}

/* 0600 whatever the umask: the database holds URLs that may carry
 * credentials.  SQLite gives its -wal and -shm the database's mode. */
int store_trust_create_db(const char *dir)
{
	char db[PATH_MAX];
	int fd, saved, status;

	snprintf(db, sizeof(db), "%s/jobs.db", dir);
	fd = open(db, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? BGCOPY_OK :
		       set_error(BGCOPY_E_IO, "cannot create '%s': %s", db,
				 strerror(errno));
	if (fchmod(fd, 0600) != 0) {
		saved = errno;
		close(fd);
		unlink(db);
		return set_error(BGCOPY_E_IO, "cannot make '%s' private: %s", db,
				 strerror(saved));
	}
	close(fd);
	status = init_db(db);
	if (status)
		unlink(db);
	return status;
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
 * existed has our tables; an empty file is a new store.  Anything else
 * is someone else's database.  Ours is stamped (`*stamp`) at every open
 * that may write: the mark's page (page 1) then begins the session's log
 * and ties the log to this database (check_continues).  Read as an
 * immutable file: no lock, no -wal or -shm created or read.
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
	if (app_id != STORE_APPLICATION_ID &&
	    (app_id != 0 || (tables > 0 && ours != 2))) {
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

/* A store of a newer schema is refused next (store.c), untouched. */
int store_trust_stamp(struct sqlite3 *db, const char *dir)
{
	char sql[64];
	int version = 0;

	if (query_int(db, "PRAGMA user_version", &version) == 0 &&
	    version > STORE_SCHEMA)
		return BGCOPY_OK;
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d;", STORE_APPLICATION_ID);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL))
		return set_error(BGCOPY_E_STORE, "store '%s': cannot mark jobs.db "
				 "as a bgcopy store: %s", dir, sqlite3_errmsg(db));
	return BGCOPY_OK;
}
