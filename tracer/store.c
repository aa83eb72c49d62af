/*
 * The job store: a SQLite database and a lock file in the store directory.
 *
 * Every change is written through before the API call that made it
 * returns.  WAL with synchronous=NORMAL: a committed transaction survives
 * the process being killed (it is in the WAL, in the kernel's hands); only
 * a power loss may take the last ones back.  The log is checkpointed
 * into the database by a thread of its own (store_checkpoint.c).
 *
 * One engine per store: the lock file carries an fcntl write lock and the
 * holder's pid, which is how a second process names who is in the way.
 *
 * In the per-owner layout (BGCOPY_OPEN_PER_OWNER, store_owners.c) the
 * engine's store keeps its settings and each owner's jobs are in a store
 * of their own, opened at the open or at the owner's first job.  A job's
 * rows are all in one store (job->store), so each store's transactions
 * keep what one store's did; a job that changes owner moves (move_rows).
 *
 * A leaf: it turns rows into jobs and jobs into rows and changes no job's
 * state; what a restored job is owed is restore.c's business.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "store_checkpoint.h"

/* How long a write waits for a reader (another process's info, list). */
#define STORE_BUSY_MS 2000

struct store {
	sqlite3 *db;
	char *dir;
	uint32_t owner;		/* per-owner layout: whose jobs it holds */
	int lock_fd;
	bool closed_clean;	/* store_clean.c: unchanged since a clean close */
	unsigned savepoints;	/* store_begin()s open on it */
	struct checkpointer *checkpointer;	/* NULL: SQLite's own, in commits */
	sqlite3_stmt *save_job, *save_file, *delete_job, *delete_files, *note_temp, *delete_temps;
	/* Prepared once: compiling them at every group of writes was a
	 * twentieth of a small file's whole cost. */
	sqlite3_stmt *savepoint, *release, *rollback_to;
	/* The engine's store only (engine->store): */
	char failure[256];	/* the last write that failed, in any store */
	unsigned failures;	/* how many have, ever: see store_check() */
	uint64_t last_order;	/* the highest created_order in any store */
	bool per_owner;
	struct store *owners;	/* per-owner layout: the ones open */
	struct store *next;	/* in owners */
};

static int db_error(sqlite3 *db, const char *what, const char *dir)
{
	return set_error(BGCOPY_E_STORE, "store '%s': %s: %s", dir, what,
			 db ? sqlite3_errmsg(db) : "cannot open");
}

static char *store_path(const char *dir, const char *name)
{
	char *path;

	return asprintf(&path, "%s/%s", dir, name) < 0 ? NULL : path;
}

/* Saving a row again updates it in place (store_upsert.c). */
static int prepare_upsert(struct store *st, const char *insert, const char *table,
			  const char *const *key, const char *const *keep,
			  sqlite3_stmt **stmt)
{
	char *sql = store_upsert_sql(st->db, insert, table, key, keep);
	int rc = sql ? sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) : SQLITE_NOMEM;

	free(sql);
	return rc;
}

static int prepare(struct store *st, const char *dir)
{
	static const char save_job[] =
		"INSERT INTO jobs (" STORE_JOB_COLUMNS ", created_order)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,"
		"?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,"
		"?32,?33,?34,?35,?36,?37,?38,?39,?40,?41,?42,?43,?44,?45,?46,?47,?48,"
		"COALESCE((SELECT created_order FROM jobs WHERE id=?1), ?49))";
	static const char save_file[] =
		"INSERT INTO files VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)";

	/* An index rather than a schema version: an older bgcopy reads the
	 * store as before.  Jobs load in created_order, O(log n) with it. */
	if (sqlite3_exec(st->db, "CREATE INDEX IF NOT EXISTS jobs_by_order"
			 " ON jobs (created_order);", NULL, NULL, NULL))
		return db_error(st->db, "cannot index the store", dir);
	if (prepare_upsert(st, save_job, "jobs", (const char *[]){ "id", NULL },
			   (const char *[]){ "created_order", NULL }, &st->save_job) ||
	    prepare_upsert(st, save_file, "files", (const char *[]){ "job_id", "idx", NULL },
			   (const char *[]){ NULL }, &st->save_file) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM jobs WHERE id=?1", -1,
			       &st->delete_job, NULL) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM files WHERE job_id=?1", -1,
			       &st->delete_files, NULL) ||
	    sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO temps (path, job_id)"
			       " VALUES (?1,?2)",
			       -1, &st->note_temp, NULL) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM temps WHERE job_id=?1", -1,
			       &st->delete_temps, NULL) ||
	    sqlite3_prepare_v2(st->db, "SAVEPOINT bgcopy", -1, &st->savepoint, NULL) ||
	    sqlite3_prepare_v2(st->db, "RELEASE bgcopy", -1, &st->release, NULL) ||
	    sqlite3_prepare_v2(st->db, "ROLLBACK TO bgcopy", -1, &st->rollback_to, NULL))
		return db_error(st->db, "cannot prepare statements", dir);
	return BGCOPY_OK;
}

static int check_integrity(struct store *st, const char *dir)
{
	sqlite3_stmt *q;
	const char *verdict = NULL;
	int status = BGCOPY_OK;

	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &q, NULL))
		return set_error(BGCOPY_E_STORE, "store '%s': jobs.db is damaged (%s); "
				 "it was left untouched", dir, sqlite3_errmsg(st->db));
	if (sqlite3_step(q) == SQLITE_ROW)
		verdict = (const char *)sqlite3_column_text(q, 0);
	if (!verdict || strcmp(verdict, "ok"))
		status = set_error(BGCOPY_E_STORE, "store '%s': jobs.db is damaged "
				   "(%s); it was left untouched", dir,
				   verdict ? verdict : sqlite3_errmsg(st->db));
	sqlite3_finalize(q);
	return status;
}

static void free_jobs(bgcopy_job *job)
{
	for (bgcopy_job *next; job; job = next) {
		next = job->next;
		job_free(job);
	}
}

/* A write that could not be made, remembered for the API call that made
 * the change (store_check), whichever store it was for. */
static void note_failure(bgcopy_engine *engine, const char *why)
{
	snprintf(engine->store->failure, sizeof(engine->store->failure), "%s", why);
	engine->store->failures++;
}

static int write_failed(bgcopy_engine *engine, sqlite3 *db, const char *dir)
{
	note_failure(engine, sqlite3_errmsg(db));
	return db_error(db, "cannot write", dir);
}

static int run(bgcopy_engine *engine, sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc == SQLITE_DONE)
		return BGCOPY_OK;
	return write_failed(engine, sqlite3_db_handle(q), engine->store_dir);
}

int store_write(bgcopy_engine *engine, sqlite3_stmt *q)
{
	return run(engine, q);
}

sqlite3 *store_db(bgcopy_engine *engine)
{
	return engine->store ? engine->store->db : NULL;
}

/* Savepoints, so that groups of writes nest; counted per store, since an
 * owner's store may open inside a group. */
/* Runs a statement that takes no bindings and returns no rows. */
static bool step_done(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc == SQLITE_DONE;
}

static void begin_one(struct store *st)
{
	if (st->savepoint && step_done(st->savepoint))
		st->savepoints++;
}

static int end_one(bgcopy_engine *engine, struct store *st, int status)
{
	if (!st->savepoints)
		return status;
	st->savepoints--;
	if (status)
		step_done(st->rollback_to);
	if (!step_done(st->release))
		return write_failed(engine, st->db, st->dir);
	return status;
}

void store_begin(bgcopy_engine *engine)
{
	if (!engine->store)
		return;
	begin_one(engine->store);
	for (struct store *st = engine->store->owners; st; st = st->next)
		begin_one(st);
}

void store_end(bgcopy_engine *engine, int status)
{
	if (!engine->store)
		return;
	for (struct store *st = engine->store->owners; st; st = st->next)
		end_one(engine, st, status);
	end_one(engine, engine->store, status);
}

unsigned store_failures(bgcopy_engine *engine)
{
	return engine->store ? engine->store->failures : 0;
}

/* Other calls set api.c's mark while the lock is out; their failures are not this call's. */
void store_unlock_in_call(bgcopy_engine *engine, struct call_pause *p)
{
	p->mark = engine->call_mark;
	p->failures = store_failures(engine);
	engine_unlock(engine);
}

void store_relock_in_call(bgcopy_engine *engine, const struct call_pause *p)
{
	engine_lock(engine);
	engine->call_mark = p->mark + (store_failures(engine) - p->failures);
}

int store_check(bgcopy_engine *engine, unsigned before, int status)
{
	struct store *st = engine->store;

	if (!st || st->failures == before || status != BGCOPY_OK)
		return status;
	return set_error(BGCOPY_E_STORE, "the change was made but store '%s' "
			 "could not record it (%s): it may not survive a "
			 "restart", engine->store_dir, st->failure);
}

static struct store *new_store(char *dir, uint32_t owner)
{
	struct store *st = dir ? xcalloc(1, sizeof(*st)) : NULL;

	if (!st) {
		free(dir);
		return NULL;
	}
	st->dir = dir;
	st->owner = owner;
	st->lock_fd = -1;
	return st;
}

static void close_one(struct store *st)
{
	checkpointer_stop(st->checkpointer, st->db);
	sqlite3_finalize(st->save_job);
	sqlite3_finalize(st->save_file);
	sqlite3_finalize(st->delete_job);
	sqlite3_finalize(st->delete_files);
	sqlite3_finalize(st->note_temp);
	sqlite3_finalize(st->delete_temps);
	sqlite3_finalize(st->savepoint);
	sqlite3_finalize(st->release);
	sqlite3_finalize(st->rollback_to);
	/* Marked while still locked: no one else can have written since. */
	if (sqlite3_close(st->db) == SQLITE_OK && st->lock_fd >= 0)
		store_clean_mark(st->dir, st->lock_fd);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st->dir);
	free(st);
}

static int open_dir(bgcopy_engine *engine, struct store *st, uint32_t *schema)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	const char *dir = st->dir;
	char *path = NULL;
	int status, flags;
	bool stamp, immutable = false;

	*schema = STORE_SCHEMA;
	/* Before anything in the directory is created or opened. */
	status = store_trust_check(dir);
	if (status)
		return status;
	if (!read_only) {
		status = store_lock_take(dir, &st->lock_fd, &st->closed_clean);
		if (!status)
			status = store_trust_create_db(dir);
		if (status)
			return status;
	}
	if (!read_only || !store_lock_holder(dir))
		status = store_trust_wal(dir);
	if (!status)
		status = store_trust_identity(dir, &stamp);
	if (status)
		return status;
	if (read_only && (status = store_medium_read_only(dir, &immutable)))
		return status;
	path = immutable ? store_medium_uri(dir) : store_path(dir, "jobs.db");
	if (!path)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	flags = read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI :
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL)) {
		status = read_only && access(path, F_OK) != 0 ?
			 set_error(BGCOPY_E_NOT_FOUND, "store '%s' has no jobs "
				   "database yet", dir) :
			 db_error(st->db, "cannot open jobs.db", dir);
		free(path);
		return status;
	}
	free(path);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/* Read before writing anything: a damaged database is reported and
	 * left exactly as it was found (unless it is byte for byte as a
	 * clean close left it: store_clean.c). */
	if (!st->closed_clean)
		status = check_integrity(st, dir);
	/* Closing would checkpoint a log a crash left into the damaged file. */
	if (status)
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (!status && stamp && !read_only)
		status = store_trust_stamp(st->db, dir);
	if (status)
		return status;
	if (!read_only &&
	    sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 /* cleared credentials leave no copy in free pages */
			 "PRAGMA secure_delete=ON;",
			 NULL, NULL, NULL))
		return db_error(st->db, "cannot set the journal mode", dir);
	status = store_schema_check(st->db, dir, read_only);
	if (!status && !read_only)
		status = prepare(st, dir);
	if (!status && !read_only)
		st->checkpointer = checkpointer_start(st->db);
	return status;
}

static struct store *find_owner(bgcopy_engine *engine, uint32_t owner)
{
	struct store *st = engine->store;

	if (!st || !st->per_owner)
		return st;
	for (st = st->owners; st; st = st->next)
		if (st->owner == owner)
			return st;
	return NULL;
}

/* Opens `owner`'s store, creating it unless the engine only reads. */
static int open_owner(bgcopy_engine *engine, uint32_t owner, struct store **out)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	struct store *st;
	char *dir;
	uint32_t schema;
	int status;

	assert(engine->store && engine->store->per_owner);
	status = store_owners_dir(engine->store_dir, owner, !read_only, &dir);
	if (status)
		return status;
	st = new_store(dir, owner);
	if (!st)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	status = open_dir(engine, st, &schema);
	if (status) {
		close_one(st);
		return status;
	}
	st->next = engine->store->owners;
	engine->store->owners = st;
	*out = st;
	return BGCOPY_OK;
}

int store_owner_ready(bgcopy_engine *engine, uint32_t owner)
{
	struct store *st;

	return find_owner(engine, owner) ? BGCOPY_OK : open_owner(engine, owner, &st);
}

/* The store of the job's rows: its owner's, found or opened at its first
 * write.  NULL with no store, or, counted as a failed write, when its
 * owner's cannot open. */
static struct store *job_store(bgcopy_job *job)
{
	bgcopy_engine *engine = job->engine;

	if (!job->store && !(job->store = find_owner(engine, job->owner)) &&
	    engine->store && open_owner(engine, job->owner, &job->store))
		note_failure(engine, bgcopy_last_error());
	return job->store;
}

int store_open_owners(bgcopy_engine *engine)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	uint32_t *owners = NULL;
	size_t n = 0;
	int status;

	engine->store->per_owner = true;
	status = store_owners_list(engine->store_dir, &owners, &n);
	for (size_t i = 0; !status && i < n; i++) {
		struct store *st;

		status = open_owner(engine, owners[i], &st);
		/* A reader skips a store a crash left before its database. */
		if (status == BGCOPY_E_NOT_FOUND && read_only)
			status = BGCOPY_OK;
	}
	free(owners);
	return status;
}

int store_open(bgcopy_engine *engine, uint32_t *schema)
{
	engine->store = new_store(xstrdup(engine->store_dir), 0);
	if (!engine->store)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	return open_dir(engine, engine->store, schema);
}

void store_close(bgcopy_engine *engine)
{
	struct store *st = engine->store;

	if (!st)
		return;
	while (st->owners) {
		struct store *owner = st->owners;

		st->owners = owner->next;
		close_one(owner);
	}
	close_one(st);
	engine->store = NULL;
}

/* Temporary files this store created for jobs that have left it (a crash
 * between the two): removed if still ours, then forgotten, all in one
 * statement (the rows leave with their job since delete_rows does it, so
 * only a crash or an older bgcopy leaves any). */
static void remove_orphan_temps(bgcopy_engine *engine, struct store *st)
{
	sqlite3_stmt *q;

	/* Nor one a job still in the store noted too: its file now. */
	if (sqlite3_prepare_v2(st->db, "SELECT path FROM temps WHERE job_id NOT IN"
			       " (SELECT id FROM jobs) AND path NOT IN (SELECT path"
			       " FROM temps WHERE job_id IN (SELECT id FROM jobs))",
			       -1, &q, NULL))
		return;
	while (sqlite3_step(q) == SQLITE_ROW)
		unlink_as_file_owner(store_col_text(q, 0));
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(st->db, "DELETE FROM temps WHERE job_id NOT IN"
			       " (SELECT id FROM jobs)", -1, &q, NULL))
		return;
	run(engine, q);
	sqlite3_finalize(q);
}

void store_remove_orphan_temps(bgcopy_engine *engine)
{
	remove_orphan_temps(engine, engine->store);
	for (struct store *st = engine->store->owners; st; st = st->next)
		remove_orphan_temps(engine, st);
}

void store_note_temp(bgcopy_job *job, const char *path)
{
	struct store *st = job_store(job);

	if (!st || !st->note_temp)
		return;
	sqlite3_bind_text(st->note_temp, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->note_temp, 2, job->id, -1, SQLITE_STATIC);
	run(job->engine, st->note_temp);
}

/* A job leaves a store: its files are settled by then, or it moved. */
static int delete_rows(bgcopy_engine *engine, struct store *st, const char *id)
{
	int status;

	/* One transaction: a crash must not leave a job without its files,
	 * nor its temps rows without their job. */
	begin_one(st);
	sqlite3_bind_text(st->delete_files, 1, id, -1, SQLITE_STATIC);
	status = run(engine, st->delete_files);
	sqlite3_bind_text(st->delete_job, 1, id, -1, SQLITE_STATIC);
	if (!status)
		status = run(engine, st->delete_job);
	/* Its temporary files are committed or removed by now (job_end.c),
	 * or their rows moved with it: these would only make the next open
	 * look for them. */
	sqlite3_bind_text(st->delete_temps, 1, id, -1, SQLITE_STATIC);
	if (!status)
		status = run(engine, st->delete_temps);
	return end_one(engine, st, status);
}

static int save_job_row(bgcopy_job *job, struct store *st)
{
	int status;

	/* One order across every owner's store: a new job comes last. */
	if (!job->created_order)
		job->created_order = ++job->engine->store->last_order;
	status = store_bind_job(st->save_job, job);
	if (status) {
		sqlite3_clear_bindings(st->save_job);
		note_failure(job->engine, "out of memory");
		return status;
	}
	status = run(job->engine, st->save_job);
	if (!status)
		job->row_saved_ms = now_ms();
	return status;
}

static int save_file_row(bgcopy_job *job, struct store *st, unsigned index)
{
	int status;

	store_bind_file(st->save_file, job, index);
	status = run(job->engine, st->save_file);
	if (!status)
		job->files[index].bytes_saved = job->files[index].bytes_done;
	return status;
}

int store_save_job(bgcopy_job *job)
{
	struct store *st = job_store(job);

	if (!st)
		return job->engine->store ? BGCOPY_E_STORE : BGCOPY_OK;
	if (!st->save_job)
		return BGCOPY_OK;
	return job_is_final(job) ? delete_rows(job->engine, st, job->id) : save_job_row(job, st);
}

int store_save_file(bgcopy_job *job, unsigned index)
{
	struct store *st = job_store(job);

	if (!st)
		return job->engine->store ? BGCOPY_E_STORE : BGCOPY_OK;
	if (!st->save_file || job_is_final(job))
		return BGCOPY_OK;
	return save_file_row(job, st, index);
}

/* The rows of the job's temporary files, `from` into `to`. */
static int copy_temps(bgcopy_job *job, struct store *from, struct store *to)
{
	sqlite3_stmt *q;
	int rc, status = BGCOPY_OK;

	if (sqlite3_prepare_v2(from->db, "SELECT path FROM temps WHERE job_id=?1", -1, &q,
			       NULL))
		return db_error(from->db, "cannot read temps", from->dir);
	sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
	while (!status && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_bind_text(to->note_temp, 1, store_col_text(q, 0), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(to->note_temp, 2, job->id, -1, SQLITE_STATIC);
		status = run(job->engine, to->note_temp);
	}
	if (!status && rc != SQLITE_DONE)
		status = db_error(from->db, "cannot read temps", from->dir);
	sqlite3_finalize(q);
	return status;
}

/*
 * The job's rows, from its store into `to`, in three commits so that a
 * crash between any two leaves the job in one store once it is loaded
 * again (settle_misplaced):
 *   1. its row in its old store names the new owner: a load finding it
 *      there takes it for what is left of a move;
 *   2. job, files and temps rows into `to`, at once;
 *   3. out of the old store.
 */
static int move_rows(bgcopy_job *job, struct store *to)
{
	bgcopy_engine *engine = job->engine;
	struct store *from = job->store;
	int status;

	assert(from && from != to && !from->savepoints && !to->savepoints);
	status = save_job_row(job, from);
	if (status)
		return status;
	begin_one(to);
	status = save_job_row(job, to);
	for (unsigned i = 0; !status && i < job->nfiles; i++)
		status = save_file_row(job, to, i);
	if (!status)
		status = copy_temps(job, from, to);
	status = end_one(engine, to, status);
	if (status)
		return status;
	job->store = to;
	return delete_rows(engine, from, job->id);
}

int store_move_job(bgcopy_job *job)
{
	struct store *from = job_store(job), *to;
	int status;

	if (!from || !from->save_job)
		return store_save_job(job);
	to = find_owner(job->engine, job->owner);
	if (!to && (status = open_owner(job->engine, job->owner, &to))) {
		note_failure(job->engine, bgcopy_last_error());
		return status;
	}
	if (to == from)
		return store_save_job(job);
	if (job_is_final(job)) {
		job->store = to;	/* it has no rows left to move */
		return BGCOPY_OK;
	}
	return move_rows(job, to);
}

/* Appends the jobs of one store at *tail. */
static int load_store(bgcopy_engine *engine, struct store *st, bgcopy_job ***tail)
{
	sqlite3_stmt *q, *files = NULL;
	bgcopy_job *job;
	int rc = SQLITE_ERROR, status = BGCOPY_OK;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT " STORE_JOB_COLUMNS ", created_order FROM jobs"
			       " ORDER BY created_order", -1,
			       &q, NULL) ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT url, local_path, temp_path, bytes_total,"
			       " bytes_done, completed, etag, last_modified, final_url,"
			       " sha256, response_headers, temp_dev, temp_ino"
			       " FROM files WHERE job_id=?1"
			       " ORDER BY idx", -1, &files, NULL)) {
		status = db_error(st->db, "cannot read jobs", st->dir);
		goto end;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		job = store_row_job(engine, q);
		if (!job) {
			status = BGCOPY_E_NOMEM;
			break;
		}
		job->store = st;
		if (job->created_order > engine->store->last_order)
			engine->store->last_order = job->created_order;
		**tail = job;
		*tail = &job->next;
		status = store_row_files(engine, job, files);
		if (status)
			break;
	}
	if (!status && rc != SQLITE_DONE)
		status = db_error(st->db, "cannot read jobs", st->dir);
end:
	sqlite3_finalize(files);
	sqlite3_finalize(q);
	return status;
}

static bool misplaced(const bgcopy_job *job)
{
	return job->store->owner != job->owner || job->store == job->engine->store;
}

/* Per-owner layout: a job found outside its owner's store is what a move
 * (move_rows) or an older layout left.  Where its owner's store has it
 * too, the move had done step 2 and this copy goes; otherwise it moves
 * now.  A reader changes nothing and shows the one copy. */
static int settle_misplaced(bgcopy_engine *engine, bgcopy_job **head)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	int status = BGCOPY_OK;

	for (bgcopy_job **link = head, *job; !status && (job = *link);) {
		bgcopy_job *placed = NULL;
		struct store *to;

		if (!misplaced(job)) {
			link = &job->next;
			continue;
		}
		for (bgcopy_job *other = *head; other && !placed; other = other->next)
			if (other != job && !misplaced(other) && !strcmp(other->id, job->id))
				placed = other;
		if (placed) {
			if (!read_only)
				status = delete_rows(engine, job->store, job->id);
			*link = job->next;
			job_free(job);
			continue;
		}
		if (!read_only) {
			to = find_owner(engine, job->owner);
			status = to ? BGCOPY_OK : open_owner(engine, job->owner, &to);
			if (!status)
				status = move_rows(job, to);
		}
		link = &job->next;
	}
	return status;
}

struct loaded {
	bgcopy_job *job;
	size_t order;		/* in load order: a tie keeps it */
};

static int by_creation(const void *a, const void *b)
{
	const struct loaded *x = a, *y = b;

	if (x->job->created_order != y->job->created_order)
		return x->job->created_order < y->job->created_order ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Every owner's store in one creation order (a store of the old layout
 * had its own: its jobs tie, and keep it). */
static int sort_by_creation(bgcopy_job **head)
{
	size_t n = 0;
	struct loaded *all;

	for (bgcopy_job *job = *head; job; job = job->next)
		n++;
	if (!n)
		return BGCOPY_OK;
	all = xcalloc(n, sizeof(*all));
	if (!all)
		return BGCOPY_E_NOMEM;
	n = 0;
	for (bgcopy_job *job = *head; job; job = job->next, n++)
		all[n] = (struct loaded){ job, n };
	qsort(all, n, sizeof(*all), by_creation);
	for (size_t i = 0; i < n; i++)
		all[i].job->next = i + 1 < n ? all[i + 1].job : NULL;
	*head = all[0].job;
	free(all);
	return BGCOPY_OK;
}

int store_load_jobs(bgcopy_engine *engine, bgcopy_job **jobs)
{
	bgcopy_job *head = NULL, **tail = &head;
	int status = load_store(engine, engine->store, &tail);

	for (struct store *st = engine->store->owners; !status && st; st = st->next)
		status = load_store(engine, st, &tail);
	if (!status && engine->store->per_owner) {
		status = settle_misplaced(engine, &head);
		if (!status)
			status = sort_by_creation(&head);
	}
	if (status) {
		free_jobs(head);
		head = NULL;
	}
	*jobs = head;
	return status;
}
