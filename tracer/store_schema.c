/* The store's schema: version 1 as first released, each migration since, and the check that brings a database up to date or refuses it. */
#include <sqlite3.h>
#include <stdio.h>

#include "internal.h"

static int db_error(sqlite3 *db, const char *what, const char *dir)
{
	return set_error(BGCOPY_E_STORE, "store '%s': %s: %s", dir, what, sqlite3_errmsg(db));
}

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
	/* 13: which file a temporary file is, so a complete killed between
	 * its rename and its record knows its own file at the destination. */
	[12] = "ALTER TABLE files ADD COLUMN temp_dev INT DEFAULT 0;"
	       "ALTER TABLE files ADD COLUMN temp_ino INT DEFAULT 0;",
	/* 14 (issue 17): files and temps are their primary keys' b-trees
	 * (WITHOUT ROWID), a job's temps rows found by that key, not by an
	 * index: adding and removing a job's rows touches five b-trees, not
	 * eight, and every such write is made with the engine lock held. */
	[13] = "CREATE TABLE files_v14 ("
	       " job_id TEXT, idx INT, url TEXT, local_path TEXT, temp_path TEXT,"
	       " bytes_total INT, bytes_done INT, completed INT,"
	       " etag TEXT DEFAULT '', last_modified TEXT DEFAULT '',"
	       " final_url TEXT DEFAULT '', sha256 TEXT DEFAULT '',"
	       " response_headers TEXT DEFAULT '',"
	       " temp_dev INT DEFAULT 0, temp_ino INT DEFAULT 0,"
	       " PRIMARY KEY (job_id, idx)) WITHOUT ROWID;"
	       "INSERT INTO files_v14 SELECT job_id, idx, url, local_path, temp_path,"
	       " bytes_total, bytes_done, completed, etag, last_modified, final_url,"
	       " sha256, response_headers, temp_dev, temp_ino FROM files;"
	       "DROP TABLE files;"
	       "ALTER TABLE files_v14 RENAME TO files;"
	       /* The key's columns first: SQLite 3.40's quick_check finds a
	        * NULL in any other WITHOUT ROWID table. */
	       "CREATE TABLE temps_v14 (job_id TEXT, path TEXT,"
	       " PRIMARY KEY (job_id, path)) WITHOUT ROWID;"
	       "INSERT OR IGNORE INTO temps_v14 SELECT job_id, path FROM temps;"
	       "DROP TABLE temps;"
	       "ALTER TABLE temps_v14 RENAME TO temps;",
};

/* Checks the schema found, refusing a newer one, and brings an older one
 * (or a new, empty file) up to date in one transaction. */
int store_schema_check(sqlite3 *db, const char *dir, bool read_only)
{
	char sql[64];
	sqlite3_stmt *q;
	int version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL))
		return db_error(db, "cannot read the schema version "
				"(damaged database left untouched)", dir);
	if (sqlite3_step(q) == SQLITE_ROW)
		version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (version < 0)
		return db_error(db, "the database is damaged and was left "
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
	if (sqlite3_exec(db, "BEGIN IMMEDIATE;", NULL, NULL, NULL))
		return db_error(db, "cannot begin the migration", dir);
	for (int v = version; v < STORE_SCHEMA; v++) {
		if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL)) {
			int status = db_error(db, "cannot migrate the schema", dir);

			sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
			return status;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d; COMMIT;", STORE_SCHEMA);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL)) {
		int status = db_error(db, "cannot migrate the schema", dir);

		sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
		return status;
	}
	return BGCOPY_OK;
}

