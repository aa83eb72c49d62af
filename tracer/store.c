/*
 * The job store: a SQLite database and a lock file in the store directory.
 *
 * Every change is written through before the API call that made it
 * returns.  WAL with synchronous=NORMAL: a committed transaction survives
 * the process being killed (it is in the WAL, in the kernel's hands); only
 * a power loss may take the last ones back.
 *
 * One engine per store: the lock file carries an fcntl write lock and the
 * holder's pid, which is how a second process names who is in the way.
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

/* How long a write waits for a reader (another process's info, list). */
#define STORE_BUSY_MS 2000
#define CMDLINE_SEP "\x1f"

struct store {
	sqlite3 *db;
	int lock_fd;
	bool closed_clean;	/* store_clean.c: unchanged since a clean close */
	char failure[256];	/* the last write that failed */
	unsigned failures;	/* how many have, ever: see store_check() */
	sqlite3_stmt *save_job, *save_file, *delete_job, *delete_files, *note_temp;
	sqlite3_stmt *delete_temps;	/* store_temps.c */
};

/* Schema 1, as first released; later versions are reached by the
 * migrations below, in one transaction. */
static const char schema_v1[] =
	"CREATE TABLE IF NOT EXISTS jobs ("
	" id TEXT PRIMARY KEY, name TEXT, description TEXT, priority INT,"
	" state INT, owner INT, ctime INT, mtime INT, ttime INT, flags INT,"
	" min_retry_ms INT, no_progress_ms INT, modification_ms INT,"
	" cmdline TEXT, epoch INT, has_error INT, err_context INT,"
	" err_code INT, err_http INT, err_curl INT, err_file INT, err_text TEXT,"
	" created_order INTEGER);"
	"CREATE TABLE IF NOT EXISTS files ("
	" job_id TEXT, idx INT, url TEXT, local_path TEXT, temp_path TEXT,"
	" bytes_total INT, bytes_done INT, completed INT,"
	" PRIMARY KEY (job_id, idx));";

/* migrations[v] takes a store from schema v to v + 1. */
static const char *const migrations[STORE_SCHEMA] = {
	[0] = schema_v1,
	/* 2: which notifications were delivered, and the files still owed
	 * FileTransferred, so a restart owes exactly what was not. */
	[1] = "ALTER TABLE jobs ADD COLUMN discharged INT DEFAULT 0;"
	      "ALTER TABLE jobs ADD COLUMN file_queue TEXT DEFAULT '';",
	/* 3: every temporary file we create, so the ones whose job left the
	 * store can be found again, and only ours. */
	[2] = "CREATE TABLE IF NOT EXISTS temps (path TEXT PRIMARY KEY, job_id TEXT);",
	/* 4: the validators of the version a file's bytes came from, so a
	 * resume after a restart never joins two versions; a job's cap on
	 * the size of its files. */
	[3] = "ALTER TABLE files ADD COLUMN etag TEXT DEFAULT '';"
	      "ALTER TABLE files ADD COLUMN last_modified TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN max_download INT DEFAULT 0;",
	/* 5: how a job follows redirects, and where a file's ended; how
	 * long its command line may run. */
	[4] = "ALTER TABLE jobs ADD COLUMN redirect_policy INT DEFAULT 0;"
	      "ALTER TABLE files ADD COLUMN final_url TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN cmdline_timeout_s INT DEFAULT 300;",
	/* 6: the SHA-256 a file's bytes must have, in hexadecimal. */
	[5] = "ALTER TABLE files ADD COLUMN sha256 TEXT DEFAULT '';",
	/* 7: the server's credentials and the job's custom headers (the
	 * store is its owner's only). */
	[6] = "ALTER TABLE jobs ADD COLUMN auth_scheme INT DEFAULT 0;"
	      "ALTER TABLE jobs ADD COLUMN auth_user TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN auth_password TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN headers TEXT DEFAULT '';",
	/* 8: the D-Bus service bgcopyd calls when no client listens. */
	[7] = "ALTER TABLE jobs ADD COLUMN notify_service TEXT DEFAULT '';",
	/* 9 (issue 16): the job's proxy and the proxy's credentials; its
	 * maximum download time and the time spent against it; its dynamic
	 * content flag and bandwidth cap; a file's last response headers. */
	[8] = "ALTER TABLE jobs ADD COLUMN proxy_usage INT DEFAULT 0;"
	      "ALTER TABLE jobs ADD COLUMN proxy_list TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN proxy_bypass TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN proxy_auth_scheme INT DEFAULT 0;"
	      "ALTER TABLE jobs ADD COLUMN proxy_user TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN proxy_password TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN max_download_time_ms INT DEFAULT 7776000000;"
	      "ALTER TABLE jobs ADD COLUMN active_ms INT DEFAULT 0;"
	      "ALTER TABLE jobs ADD COLUMN dynamic_content INT DEFAULT 0;"
	      "ALTER TABLE jobs ADD COLUMN max_bandwidth INT DEFAULT 0;"
	      "ALTER TABLE files ADD COLUMN response_headers TEXT DEFAULT '';",
	/* 10 (issue 16): the job's TLS files, as paths, and security flags. */
	[9] = "ALTER TABLE jobs ADD COLUMN tls_client_cert TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN tls_client_key TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN tls_ca_file TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN tls_crl_file TEXT DEFAULT '';"
	      "ALTER TABLE jobs ADD COLUMN security_flags INT DEFAULT 0;",
	/* 11 (issue 16): the engine's own settings (store_settings.c). */
	[10] = "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT);",
	/* 12 (issue 17): how many of a job's files move at once. */
	[11] = "ALTER TABLE jobs ADD COLUMN parallel_files INT DEFAULT 1;",
};

#define JOB_COLUMNS							\
	"id, name, description, priority, state, owner, ctime, mtime,"	\
	" ttime, flags, min_retry_ms, no_progress_ms, modification_ms,"	\
	" cmdline, epoch, has_error, err_context, err_code, err_http,"	\
	" err_curl, err_file, err_text, discharged, file_queue, max_download,"	\
	" redirect_policy, cmdline_timeout_s, auth_scheme, auth_user,"	\
	" auth_password, headers, proxy_usage, proxy_list, proxy_bypass,"	\
	" proxy_auth_scheme, proxy_user, proxy_password, max_download_time_ms,"	\
	" active_ms, dynamic_content, max_bandwidth, notify_service,"	\
	" tls_client_cert, tls_client_key, tls_ca_file, tls_crl_file,"	\
	" security_flags, parallel_files"

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
		"INSERT INTO jobs (" JOB_COLUMNS ", created_order)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,"
		"?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,"
		"?32,?33,?34,?35,?36,?37,?38,?39,?40,?41,?42,?43,?44,?45,?46,?47,?48,"
		"COALESCE((SELECT created_order FROM jobs WHERE id=?1),"
		"(SELECT IFNULL(MAX(created_order),0)+1 FROM jobs)))";
	static const char save_file[] =
		"INSERT INTO files VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)";

	/* Indexes rather than a schema version: an older bgcopy reads the
	 * store as before.  Creating a job reads MAX(created_order) and a
	 * job leaves with its temps rows: both O(log n) with these. */
	if (sqlite3_exec(st->db, "CREATE INDEX IF NOT EXISTS jobs_by_order"
			 " ON jobs (created_order);"
			 "CREATE INDEX IF NOT EXISTS temps_by_job ON temps (job_id);",
			 NULL, NULL, NULL))
		return db_error(st->db, "cannot index the store", dir);
	if (prepare_upsert(st, save_job, "jobs", (const char *[]){ "id", NULL },
			   (const char *[]){ "created_order", NULL }, &st->save_job) ||
	    prepare_upsert(st, save_file, "files", (const char *[]){ "job_id", "idx", NULL },
			   (const char *[]){ NULL }, &st->save_file) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM jobs WHERE id=?1", -1,
			       &st->delete_job, NULL) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM files WHERE job_id=?1", -1,
			       &st->delete_files, NULL) ||
	    sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO temps VALUES (?1,?2)",
			       -1, &st->note_temp, NULL) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM temps WHERE job_id=?1", -1,
			       &st->delete_temps, NULL))
		return db_error(st->db, "cannot prepare statements", dir);
	return BGCOPY_OK;
}

/* Creates the schema, or checks the one found: a newer one is refused. */
/* Checks the schema found, refusing a newer one, and brings an older one
 * (or a new, empty file) up to date in one transaction. */
static int check_schema(struct store *st, const char *dir, bool read_only)
{
	char sql[64];
	sqlite3_stmt *q;
	int version = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL))
		return db_error(st->db, "cannot read the schema version "
				"(damaged database left untouched)", dir);
	if (sqlite3_step(q) == SQLITE_ROW)
		version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (version < 0)
		return db_error(st->db, "the database is damaged and was left "
				"untouched", dir);
	if (version > STORE_SCHEMA)
		return set_error(BGCOPY_E_STORE, "store '%s' was written by a newer "
				 "bgcopy (schema %d, this one knows %d)", dir,
				 version, STORE_SCHEMA);
	if (version == STORE_SCHEMA)
		return BGCOPY_OK;
	if (read_only)
		return set_error(BGCOPY_E_STORE, "store '%s' has schema %d and needs "
				 "migrating to %d by a process that may write it",
				 dir, version, STORE_SCHEMA);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE;", NULL, NULL, NULL))
		return db_error(st->db, "cannot begin the migration", dir);
	for (int v = version; v < STORE_SCHEMA; v++) {
		if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL)) {
			int status = db_error(st->db, "cannot migrate the schema", dir);

			sqlite3_exec(st->db, "ROLLBACK;", NULL, NULL, NULL);
			return status;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d; COMMIT;", STORE_SCHEMA);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL)) {
		int status = db_error(st->db, "cannot migrate the schema", dir);

		sqlite3_exec(st->db, "ROLLBACK;", NULL, NULL, NULL);
		return status;
	}
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

static char **split_cmdline(const char *text)
{
	size_t n = 1;
	char **argv, *copy, *save = NULL;

	if (!text || !*text)
		return NULL;
	for (const char *p = text; *p; p++)
		n += *p == CMDLINE_SEP[0];
	argv = xcalloc(n + 1, sizeof(*argv));
	copy = xstrdup(text);
	if (!argv || !copy) {
		free(argv);
		free(copy);
		return NULL;
	}
	n = 0;
	for (char *tok = strtok_r(copy, CMDLINE_SEP, &save); tok;
	     tok = strtok_r(NULL, CMDLINE_SEP, &save))
		argv[n++] = xstrdup(tok);
	free(copy);
	return argv;
}

static const char *col_text(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t ? (const char *)t : "";
}

/* "" when the file expects no digest; anything but 64 hexadecimal
 * digits would let the file pass unchecked: refused. */
static int load_sha256(struct job_file *f, const char *hex)
{
	f->has_sha256 = *hex != '\0';
	return f->has_sha256 ? sha256_from_hex(hex, f->sha256) : 0;
}

/* `q` is the statement of every job's load: prepared once per open. */
static int load_files(bgcopy_engine *engine, bgcopy_job *job, sqlite3_stmt *q)
{
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct job_file *files = realloc(job->files,
						 (job->nfiles + 1) * sizeof(*files));
		struct job_file *f;

		if (!files)
			break;
		job->files = files;
		f = &files[job->nfiles++];
		memset(f, 0, sizeof(*f));
		f->url = xstrdup(col_text(q, 0));
		f->local_path = xstrdup(col_text(q, 1));
		f->temp_path = *col_text(q, 2) ? xstrdup(col_text(q, 2)) : NULL;
		f->bytes_total = sqlite3_column_int64(q, 3);
		f->bytes_done = (uint64_t)sqlite3_column_int64(q, 4);
		f->bytes_saved = f->bytes_done;
		f->completed = sqlite3_column_int(q, 5);
		f->etag = xstrdup(col_text(q, 6));
		f->last_modified = xstrdup(col_text(q, 7));
		f->final_url = *col_text(q, 8) ? xstrdup(col_text(q, 8)) : NULL;
		f->url_unchecked = true;	/* when used: job_file_url_check */
		f->response_headers = *col_text(q, 10) ? xstrdup(col_text(q, 10)) : NULL;
		if (f->completed && job->current_file == job->nfiles - 1)
			job->current_file = job->nfiles;
		if (load_sha256(f, col_text(q, 9)))
			return set_error(BGCOPY_E_STORE, "store '%s': file %u of job %s "
					 "has an unreadable SHA-256", engine->store_dir,
					 job->nfiles - 1, job->id);
	}
	return rc == SQLITE_DONE ? BGCOPY_OK :
	       db_error(engine->store->db, "cannot read files", engine->store_dir);
}

/* "2,5,7": the completed files still owed FileTransferred, in order. */
static int parse_file_queue(bgcopy_job *job, const char *text)
{
	size_t n = 1;

	if (!*text)
		return BGCOPY_OK;
	for (const char *p = text; *p; p++)
		n += *p == ',';
	job->file_queue = xcalloc(n, sizeof(*job->file_queue));
	if (!job->file_queue)
		return BGCOPY_E_NOMEM;
	for (char *p = (char *)text, *end; *p; p = *end ? end + 1 : end) {
		job->file_queue[job->file_queue_len++] = (unsigned)strtoul(p, &end, 10);
		if (end == p)
			break;
	}
	return BGCOPY_OK;
}

/* Both texts are built whole, never cut: a cut one would restore as
 * something else.  NULL on no memory. */
static char *format_file_queue(const bgcopy_job *job)
{
	size_t size = (size_t)job->file_queue_len * 11 + 1, len = 0;
	char *out = xcalloc(size, 1);

	for (unsigned i = 0; out && i < job->file_queue_len; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%u", i ? "," : "",
					job->file_queue[i]);
	return out;
}

static char *format_cmdline(const bgcopy_job *job)
{
	size_t size = 1, len = 0;
	char *out;

	for (char **a = job->cmdline; a && *a; a++)
		size += strlen(*a) + 1;
	out = xcalloc(size, 1);
	for (char **a = job->cmdline; out && a && *a; a++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len ? CMDLINE_SEP : "", *a);
	return out;
}

/* Restores one job row as it was stored. */
static bgcopy_job *restore_job(bgcopy_engine *engine, sqlite3_stmt *q)
{
	bgcopy_job *job = job_alloc(engine);
	int64_t parallel;

	if (!job)
		return NULL;
	snprintf(job->id, sizeof(job->id), "%s", col_text(q, 0));
	job->name = xstrdup(col_text(q, 1));
	job->description = xstrdup(col_text(q, 2));
	job->priority = sqlite3_column_int(q, 3);
	job->state = sqlite3_column_int(q, 4);
	job->owner = (uint32_t)sqlite3_column_int64(q, 5);
	job->ctime = sqlite3_column_int64(q, 6);
	job->mtime = sqlite3_column_int64(q, 7);
	job->ttime = sqlite3_column_int64(q, 8);
	job->notify_flags = (uint32_t)sqlite3_column_int(q, 9);
	job->min_retry_ms = (uint64_t)sqlite3_column_int64(q, 10);
	job->no_progress_ms = (uint64_t)sqlite3_column_int64(q, 11);
	job->modification_ms = (uint32_t)sqlite3_column_int64(q, 12);
	job->cmdline = split_cmdline(col_text(q, 13));
	job->epoch = (uint64_t)sqlite3_column_int64(q, 14);
	job->has_error = sqlite3_column_int(q, 15);
	job->error = (struct bgcopy_error){
		.context = sqlite3_column_int(q, 16),
		.code = sqlite3_column_int(q, 17),
		.http_status = sqlite3_column_int(q, 18),
		.curl_code = sqlite3_column_int(q, 19),
		.file_index = sqlite3_column_int(q, 20),
	};
	snprintf(job->error.description, sizeof(job->error.description), "%s",
		 col_text(q, 21));
	job->ob_transferred.discharged = sqlite3_column_int(q, 22) & BGCOPY_NOTIFY_JOB_TRANSFERRED;
	job->ob_error.discharged = sqlite3_column_int(q, 22) & BGCOPY_NOTIFY_JOB_ERROR;
	job->max_download = (uint64_t)sqlite3_column_int64(q, 24);
	/* Anything but a known policy is taken for the safe default. */
	job->cmdline_timeout_s = sqlite3_column_int64(q, 26) > 0 &&
				 sqlite3_column_int64(q, 26) <= UINT32_MAX ?
				 (uint32_t)sqlite3_column_int64(q, 26) :
				 BGCOPY_DEFAULT_CMDLINE_TIMEOUT_S;
	job->redirect_policy = sqlite3_column_int(q, 25) == BGCOPY_REDIRECT_DISALLOW ||
			       sqlite3_column_int(q, 25) == BGCOPY_REDIRECT_ALLOW_INSECURE ?
			       sqlite3_column_int(q, 25) : BGCOPY_REDIRECT_ALLOW;
	store_http_load(q, 27, job);
	job->notify_service = *col_text(q, 41) ? xstrdup(col_text(q, 41)) : NULL;
	store_tls_load(q, 42, job);
	/* Out of range (a hand-edited row): the serial default. */
	parallel = sqlite3_column_int64(q, 47);
	job->parallel_files = parallel >= 1 && parallel <= BGCOPY_PARALLEL_FILES_MAX ?
			      (uint32_t)parallel : 1;
	if (parse_file_queue(job, col_text(q, 23))) {
		job_free(job);
		return NULL;
	}
	return job;
}

static void free_jobs(bgcopy_job *job)
{
	for (bgcopy_job *next; job; job = next) {
		next = job->next;
		job_free(job);
	}
}

int store_load_jobs(bgcopy_engine *engine, bgcopy_job **jobs)
{
	bgcopy_job *head = NULL, **tail = &head, *job;
	sqlite3_stmt *q, *files = NULL;
	int rc = SQLITE_ERROR, status = BGCOPY_OK;

	*jobs = NULL;
	if (sqlite3_prepare_v2(engine->store->db,
			       "SELECT " JOB_COLUMNS " FROM jobs ORDER BY created_order", -1,
			       &q, NULL) ||
	    sqlite3_prepare_v2(engine->store->db,
			       "SELECT url, local_path, temp_path, bytes_total,"
			       " bytes_done, completed, etag, last_modified, final_url,"
			       " sha256, response_headers"
			       " FROM files WHERE job_id=?1"
			       " ORDER BY idx", -1, &files, NULL)) {
		status = db_error(engine->store->db, "cannot read jobs",
				  engine->store_dir);
		goto end;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		job = restore_job(engine, q);
		if (!job) {
			status = BGCOPY_E_NOMEM;
			break;
		}
		*tail = job;
		tail = &job->next;
		status = load_files(engine, job, files);
		if (status)
			break;
	}
	if (!status && rc != SQLITE_DONE)
		status = db_error(engine->store->db, "cannot read jobs",
				  engine->store_dir);
end:
	sqlite3_finalize(files);
	sqlite3_finalize(q);
	if (status)
		free_jobs(head);
	else
		*jobs = head;
	return status;
}

static int run(sqlite3_stmt *q, bgcopy_engine *engine)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc == SQLITE_DONE)
		return BGCOPY_OK;
	/* Remembered for the API call that made the change (store_check). */
	snprintf(engine->store->failure, sizeof(engine->store->failure), "%s",
		 sqlite3_errmsg(engine->store->db));
	engine->store->failures++;
	return db_error(engine->store->db, "cannot write", engine->store_dir);
}

int store_write(bgcopy_engine *engine, sqlite3_stmt *q)
{
	return run(q, engine);
}

sqlite3 *store_db(bgcopy_engine *engine)
{
	return engine->store ? engine->store->db : NULL;
}

/* Savepoints, so that groups of writes nest. */
void store_begin(bgcopy_engine *engine)
{
	if (engine->store && engine->store->save_job)
		sqlite3_exec(engine->store->db, "SAVEPOINT bgcopy;", NULL, NULL, NULL);
}

void store_end(bgcopy_engine *engine, int status)
{
	struct store *st = engine->store;

	if (!st || !st->save_job)
		return;
	if (status)
		sqlite3_exec(st->db, "ROLLBACK TO bgcopy;", NULL, NULL, NULL);
	if (sqlite3_exec(st->db, "RELEASE bgcopy;", NULL, NULL, NULL)) {
		snprintf(st->failure, sizeof(st->failure), "%s",
			 sqlite3_errmsg(st->db));
		st->failures++;
	}
}

unsigned store_failures(bgcopy_engine *engine)
{
	return engine->store ? engine->store->failures : 0;
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

/* Temporary files this store created for jobs that have left it (a crash
 * between the two): removed if still ours, then forgotten, all in one
 * statement (the rows leave with their job since store_delete_job does
 * it, so only a crash or an older bgcopy leaves any). */
void store_remove_orphan_temps(bgcopy_engine *engine)
{
	sqlite3 *db = engine->store->db;
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(db, "SELECT path FROM temps WHERE job_id NOT IN"
			       " (SELECT id FROM jobs)", -1, &q, NULL))
		return;
	while (sqlite3_step(q) == SQLITE_ROW)
		unlink_as_file_owner(col_text(q, 0));
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(db, "DELETE FROM temps WHERE job_id NOT IN"
			       " (SELECT id FROM jobs)", -1, &q, NULL))
		return;
	run(q, engine);
	sqlite3_finalize(q);
}

void store_note_temp(bgcopy_job *job, const char *path)
{
	struct store *st = job->engine->store;

	if (!st || !st->note_temp)
		return;
	sqlite3_bind_text(st->note_temp, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->note_temp, 2, job->id, -1, SQLITE_STATIC);
	run(st->note_temp, job->engine);
}

int store_open(bgcopy_engine *engine, uint32_t *schema)
{
	bool read_only = engine->opt.flags & BGCOPY_OPEN_READ_ONLY;
	struct store *st = xcalloc(1, sizeof(*st));
	char *path = NULL;
	int status, flags;
	bool stamp, immutable = false;

	*schema = STORE_SCHEMA;

	if (!st)
		return BGCOPY_E_NOMEM;
	st->lock_fd = -1;
	engine->store = st;
	/* Before anything in the directory is created or opened. */
	status = store_trust_check(engine->store_dir);
	if (status)
		return status;
	if (!read_only) {
		status = store_lock_take(engine->store_dir, &st->lock_fd,
					  &st->closed_clean);
		if (!status)
			status = store_trust_create_db(engine->store_dir);
		if (status)
			return status;
	}
	if (!read_only || !store_lock_holder(engine->store_dir))
		status = store_trust_wal(engine->store_dir);
	if (!status)
		status = store_trust_identity(engine->store_dir, &stamp);
	if (status)
		return status;
	if (read_only && (status = store_medium_read_only(engine->store_dir,
							  &immutable)))
		return status;
	path = immutable ? store_medium_uri(engine->store_dir) :
	       store_path(engine->store_dir, "jobs.db");
	if (!path)
		return set_error(BGCOPY_E_NOMEM, "out of memory");
	flags = read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI :
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL)) {
		status = read_only && access(path, F_OK) != 0 ?
			 set_error(BGCOPY_E_NOT_FOUND, "store '%s' has no jobs "
				   "database yet", engine->store_dir) :
			 db_error(st->db, "cannot open jobs.db", engine->store_dir);
		free(path);
		return status;
	}
	free(path);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/* Read before writing anything: a damaged database is reported and
	 * left exactly as it was found (unless it is byte for byte as a
	 * clean close left it: store_clean.c). */
	if (!st->closed_clean)
		status = check_integrity(st, engine->store_dir);
	/* Closing would checkpoint a log a crash left into the damaged file. */
	if (status)
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (!status && stamp && !read_only)
		status = store_trust_stamp(st->db, engine->store_dir);
	if (status)
		return status;
	if (!read_only &&
	    sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 /* cleared credentials leave no copy in free pages */
			 "PRAGMA secure_delete=ON;",
			 NULL, NULL, NULL))
		return db_error(st->db, "cannot set the journal mode", engine->store_dir);
	status = check_schema(st, engine->store_dir, read_only);
	if (!status && !read_only)
		status = prepare(st, engine->store_dir);
	return status;
}

void store_close(bgcopy_engine *engine)
{
	struct store *st = engine->store;

	if (!st)
		return;
	sqlite3_finalize(st->save_job);
	sqlite3_finalize(st->save_file);
	sqlite3_finalize(st->delete_job);
	sqlite3_finalize(st->delete_files);
	sqlite3_finalize(st->note_temp);
	sqlite3_finalize(st->delete_temps);
	/* Marked while still locked: no one else can have written since. */
	if (sqlite3_close(st->db) == SQLITE_OK && st->lock_fd >= 0)
		store_clean_mark(engine->store_dir, st->lock_fd);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
	engine->store = NULL;
}

/* A final job leaves the store: its files are settled by then. */
static int store_delete_job(bgcopy_job *job)
{
	struct store *st = job->engine->store;
	int status;

	/* One transaction: a crash must not leave a job without its files,
	 * nor its temps rows without their job. */
	store_begin(job->engine);
	sqlite3_bind_text(st->delete_files, 1, job->id, -1, SQLITE_STATIC);
	status = run(st->delete_files, job->engine);
	sqlite3_bind_text(st->delete_job, 1, job->id, -1, SQLITE_STATIC);
	if (!status)
		status = run(st->delete_job, job->engine);
	/* Its temporary files are committed or removed by now (job_end.c):
	 * the rows would only make the next open look for them. */
	sqlite3_bind_text(st->delete_temps, 1, job->id, -1, SQLITE_STATIC);
	if (!status)
		status = run(st->delete_temps, job->engine);
	store_end(job->engine, status);
	return status;
}

int store_save_job(bgcopy_job *job)
{
	struct store *st = job->engine->store;
	sqlite3_stmt *q;
	char *cmdline, *queue;
	int status;

	if (!st || !st->save_job)
		return BGCOPY_OK;
	if (job_is_final(job))
		return store_delete_job(job);
	cmdline = format_cmdline(job);
	queue = format_file_queue(job);
	if (!cmdline || !queue) {
		free(cmdline);
		free(queue);
		snprintf(st->failure, sizeof(st->failure), "out of memory");
		st->failures++;
		return BGCOPY_E_NOMEM;
	}
	q = st->save_job;
	sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, job->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, job->description, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, job->priority);
	sqlite3_bind_int(q, 5, job->state);
	sqlite3_bind_int64(q, 6, job->owner);
	sqlite3_bind_int64(q, 7, job->ctime);
	sqlite3_bind_int64(q, 8, job->mtime);
	sqlite3_bind_int64(q, 9, job->ttime);
	sqlite3_bind_int(q, 10, (int)job->notify_flags);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)job->min_retry_ms);
	sqlite3_bind_int64(q, 12, (sqlite3_int64)job->no_progress_ms);
	sqlite3_bind_int64(q, 13, job->modification_ms);
	sqlite3_bind_text(q, 14, cmdline, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 15, (sqlite3_int64)job->epoch);
	sqlite3_bind_int(q, 16, job->has_error);
	sqlite3_bind_int(q, 17, job->error.context);
	sqlite3_bind_int(q, 18, job->error.code);
	sqlite3_bind_int(q, 19, job->error.http_status);
	sqlite3_bind_int(q, 20, job->error.curl_code);
	sqlite3_bind_int(q, 21, job->error.file_index);
	sqlite3_bind_text(q, 22, job->error.description, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 23, (job->ob_transferred.discharged ? BGCOPY_NOTIFY_JOB_TRANSFERRED : 0) |
			 (job->ob_error.discharged ? BGCOPY_NOTIFY_JOB_ERROR : 0));
	sqlite3_bind_text(q, 24, queue, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 25, (sqlite3_int64)job->max_download);
	sqlite3_bind_int(q, 26, job->redirect_policy);
	sqlite3_bind_int64(q, 27, job->cmdline_timeout_s);
	store_http_bind(q, 28, job);
	sqlite3_bind_text(q, 42, job->notify_service ? job->notify_service : "", -1,
			  SQLITE_STATIC);
	store_tls_bind(q, 43, job);
	sqlite3_bind_int64(q, 48, job->parallel_files);
	status = run(q, job->engine);
	free(cmdline);
	free(queue);
	return status;
}

int store_save_file(bgcopy_job *job, unsigned index)
{
	struct store *st = job->engine->store;
	const struct job_file *f = &job->files[index];
	char sha256[SHA256_HEX_SIZE] = "";
	sqlite3_stmt *q;
	int status;

	if (!st || !st->save_file || job_is_final(job))
		return BGCOPY_OK;
	if (f->has_sha256)
		sha256_to_hex(f->sha256, sha256);
	q = st->save_file;
	sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, (int)index);
	sqlite3_bind_text(q, 3, f->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, f->local_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, f->temp_path ? f->temp_path : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, f->bytes_total);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)f->bytes_done);
	sqlite3_bind_int(q, 8, f->completed);
	sqlite3_bind_text(q, 9, f->etag ? f->etag : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, f->last_modified ? f->last_modified : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(q, 11, f->final_url ? f->final_url : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 13, f->response_headers ? f->response_headers : "", -1,
			  SQLITE_STATIC);
	status = run(q, job->engine);
	if (!status)
		job->files[index].bytes_saved = f->bytes_done;
	return status;
}
