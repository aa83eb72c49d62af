/*
 * The job store: damaged and foreign databases are refused and left
 * untouched, older schemas migrate, abandoned jobs expire, and temporary
 * files of jobs that left the store are removed.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void write_all(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int count_rows(struct harness *h, const char *sql)
{
	return harness_count_rows(harness_store_db(h), sql);
}

static void refused_and_untouched(struct harness *h, const char *what)
{
	size_t before_len, after_len;
	char *before = read_all(harness_store_db(h), &before_len), *after;
	bgcopy_engine *e = NULL;

	assert_int_equal(bgcopy_engine_open(h->store, NULL, &e), BGCOPY_E_STORE);
	assert_null(e);
	if (!strstr(bgcopy_last_error(), what))
		fail_msg("error '%s' does not say '%s'", bgcopy_last_error(), what);
	after = read_all(harness_store_db(h), &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static void garbage_is_refused_and_left_untouched(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	char junk[8192];

	harness_store_with_a_job(h);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	write_all(harness_store_db(h), junk, sizeof(junk));
	refused_and_untouched(h, "damaged");
}

static void a_truncated_database_is_refused_and_left_untouched(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;
	size_t len;
	char *data;

	/* Enough jobs to span several pages, then cut the file short. */
	for (int i = 0; i < 200; i++)
		assert_int_equal(bgcopy_job_create(e, "padding padding padding", &job),
				 BGCOPY_OK);
	bgcopy_engine_close(e);
	data = read_all(harness_store_db(h), &len);
	assert_true(len > 8192);
	write_all(harness_store_db(h), data, len / 2);
	free(data);
	refused_and_untouched(h, "damaged");
}

/* Zeroes the root page of the jobs' id index, which opening the store
 * reads at most in the sweep of departed jobs' temps rows, which passes
 * over a read that fails: only the integrity check reports it. */
static void damage_an_unread_index(struct harness *h)
{
	int root = 0, page_size = 0, fd;
	char zeros[65536] = { 0 }, uri[512];
	sqlite3_stmt *q;
	sqlite3 *db;

	/* Immutable: no -wal or -shm left beside it by this look. */
	snprintf(uri, sizeof(uri), "file:%s?immutable=1", harness_store_db(h));
	assert_int_equal(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
					 NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rootpage,"
					    " (SELECT page_size FROM pragma_page_size)"
					    " FROM sqlite_master WHERE name = 'sqlite_autoindex_jobs_1'",
					    -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	root = sqlite3_column_int(q, 0);
	page_size = sqlite3_column_int(q, 1);
	sqlite3_finalize(q);
	sqlite3_close(db);
	assert_true(root > 1 && page_size > 0 && page_size <= (int)sizeof(zeros));
	fd = open(harness_store_db(h), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, zeros, (size_t)page_size,
				(off_t)(root - 1) * page_size), page_size);
	close(fd);
}

/* The integrity check is skipped only for a store exactly as a clean
 * close left it: a write since, even one that keeps its size, brings
 * it back. */
static void a_store_changed_since_its_clean_close_is_checked(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;

	harness_store_with_a_job(h);
	damage_an_unread_index(h);
	refused_and_untouched(h, "damaged");
}

/* An engine killed leaves no mark of a clean close: the next one checks. */
static void a_store_whose_engine_was_killed_is_checked(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	int ready[2], status;
	pid_t child;
	char byte;

	harness_store_with_a_job(h);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		bgcopy_engine *e;

		if (bgcopy_engine_open(h->store, NULL, &e) != BGCOPY_OK)
			_exit(3);
		(void)!write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	assert_int_equal(read(ready[0], &byte, 1), 1);
	damage_an_unread_index(h);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	close(ready[0]);
	close(ready[1]);
	refused_and_untouched(h, "damaged");
}

/* Stored URLs are checked when used, not at open: a row no one could
 * add is refused, with a clear error, before any temporary file or
 * request; until then it shows as unreadable. */
static void a_hostile_url_row_is_refused_before_anything_is_fetched(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	struct bgcopy_file_info f;
	struct bgcopy_error err;
	bgcopy_engine *e;
	bgcopy_job *job;
	char id[37], temp[600];

	harness_store_with_a_job(h);
	harness_exec_sql(harness_store_db(h), "UPDATE files SET url = 'gopher://127.0.0.1/k';");
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_list_jobs(e, &job, 1), 1);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_get_file(job, 0, &f), BGCOPY_OK);
	assert_string_equal(f.redacted_url, "(unreadable URL)");
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, 10000));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	if (!strstr(err.description, "stored URL of file 0 is refused") ||
	    !strstr(err.description, "gopher"))
		fail_msg("error '%s'", err.description);
	snprintf(temp, sizeof(temp), "%s/.k.%.8s-0.bgcopy-tmp", h->out, id);
	assert_false(harness_exists(temp));
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

static void a_newer_schema_is_refused(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;

	harness_store_with_a_job(h);
	harness_exec_sql(harness_store_db(h), "PRAGMA user_version=99;");
	refused_and_untouched(h, "newer bgcopy (schema 99");
}

static void schema_1_is_migrated_with_its_jobs(void **state)
{
	struct harness *h = *state;
	struct bgcopy_file_info info;
	bgcopy_engine *e;
	bgcopy_job *job;
	char sql[2048];

	snprintf(h->store, sizeof(h->store), "%s/v1-store", h->dir);
	assert_int_equal(mkdir(h->store, 0700), 0);
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE jobs (id TEXT PRIMARY KEY, name TEXT, description TEXT,"
		 " priority INT, state INT, owner INT, ctime INT, mtime INT, ttime INT,"
		 " flags INT, min_retry_ms INT, no_progress_ms INT, modification_ms INT,"
		 " cmdline TEXT, epoch INT, has_error INT, err_context INT, err_code INT,"
		 " err_http INT, err_curl INT, err_file INT, err_text TEXT,"
		 " created_order INTEGER);"
		 "CREATE TABLE files (job_id TEXT, idx INT, url TEXT, local_path TEXT,"
		 " temp_path TEXT, bytes_total INT, bytes_done INT, completed INT,"
		 " PRIMARY KEY (job_id, idx));"
		 "INSERT INTO jobs VALUES ('0b5a1d1e-0000-4000-8000-000000000001',"
		 " 'old job', '', 1, 3, 0, %lld, %lld, 0, 9, 600000, 1209600000, 500,"
		 " '', 4, 0, 0, 0, 0, 0, -1, '', 1);"
		 "INSERT INTO files VALUES ('0b5a1d1e-0000-4000-8000-000000000001', 0,"
		 " 'http://127.0.0.1:1/old', '%s/old.bin', '', -1, 0, 0);"
		 "PRAGMA user_version=1;",
		 (long long)time(NULL), (long long)time(NULL), h->out);
	harness_exec_sql(harness_store_db(h), sql);
	e = harness_open(h, NULL);
	assert_int_equal(bgcopy_engine_find_job(e, "0b5a1d1e-0000-4000-8000-000000000001",
						&job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_SUSPENDED);
	assert_int_equal(bgcopy_job_get_priority(job), BGCOPY_PRIORITY_HIGH);
	assert_int_equal(bgcopy_job_get_notify_flags(job), 9);
	assert_int_equal(bgcopy_job_get_notify_epoch(job), 4);
	assert_int_equal(bgcopy_job_get_file(job, 0, &info), BGCOPY_OK);
	assert_string_equal(info.url, "http://127.0.0.1:1/old");
	/* The migrated store takes the new columns. */
	assert_int_equal(bgcopy_job_set_display_name(job, "still here"), BGCOPY_OK);
	bgcopy_engine_close(e);
	e = harness_open(h, NULL);
	assert_int_equal(bgcopy_engine_find_job(e, "0b5a1d1e", &job), BGCOPY_OK);
	char name[64];
	bgcopy_job_get_display_name(job, name, sizeof(name));
	assert_string_equal(name, "still here");
	bgcopy_engine_close(e);
}

/* A schema-3 store with a half-downloaded file: it migrates in place,
 * and the bytes, whose version no schema-3 store recorded, are fetched
 * again rather than joined to whatever the server has now. */
static void schema_3_is_migrated_and_unnamed_bytes_start_over(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	char id[37], temp[600], sql[2048];
	struct bgcopy_progress p;
	sqlite3 *db;
	sqlite3_stmt *q;

	harness_make_file(h, "v3.bin", 60000);
	assert_int_equal(bgcopy_job_create(e, "v3", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/v3.bin"),
					     harness_out(h, "v3.bin")), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	/* Back to schema 3, as the previous release wrote it. */
	snprintf(temp, sizeof(temp), "%s/.v3.bin.%.8s-0.bgcopy-tmp", h->out, id);
	write_all(temp, "0123456789", 10);
	snprintf(sql, sizeof(sql),
		 "ALTER TABLE files DROP COLUMN etag;"
		 "ALTER TABLE files DROP COLUMN last_modified;"
		 "ALTER TABLE jobs DROP COLUMN max_download;"
		 "ALTER TABLE jobs DROP COLUMN redirect_policy;"
		 "ALTER TABLE jobs DROP COLUMN cmdline_timeout_s;"
		 "ALTER TABLE files DROP COLUMN final_url;"
		 "ALTER TABLE files DROP COLUMN sha256;"
		 HARNESS_DROP_TO_SCHEMA_6
		 "UPDATE files SET bytes_done = 10, bytes_total = 60000, temp_path = '%s';"
		 "PRAGMA user_version=3;", temp);
	harness_exec_sql(harness_store_db(h), sql);

	e = harness_reopen(h, BGCOPY_TEST_SHORT_RETRY);
	assert_int_equal(sqlite3_open(harness_store_db(h), &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT etag FROM files", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "");
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 14);
	sqlite3_finalize(q);
	/* Schema 14: files and temps are their keys' b-trees, no rowid. */
	assert_int_not_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM files", -1, &q, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM temps", -1, &q, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	bgcopy_job_get_progress(job, &p);
	assert_int_equal(p.bytes_transferred, 10);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 10000));
	assert_false(harness_log_has(h, "/v3.bin range=bytes="));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "v3.bin", harness_out(h, "v3.bin")));
	unlink(harness_out(h, "v3.bin"));
	bgcopy_engine_close(e);
}

/* Schema 7 keeps a job's credentials and headers: a URL's user info lands
 * there, not in the stored URL, and a schema-6 store migrates to none. */
static void credentials_survive_a_restart(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job, *old;
	char id[37], old_id[37], url[512], names[64], proxies[64];
	sqlite3 *db;
	sqlite3_stmt *q;

	assert_int_equal(bgcopy_job_create(e, "old", &old), BGCOPY_OK);
	bgcopy_job_get_id(old, old_id);
	bgcopy_engine_close(e);
	harness_exec_sql(harness_store_db(h), HARNESS_DROP_TO_SCHEMA_6
			 "PRAGMA user_version=6;");
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, old_id, &old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_auth_scheme(old), BGCOPY_AUTH_NONE);
	assert_int_equal(bgcopy_job_set_credentials(old, BGCOPY_AUTH_DIGEST, "u:x", "p"),
			 BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_set_credentials(old, BGCOPY_AUTH_DIGEST, "u", "p"),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_headers(old, "X-A: 1\r\n\nX-B: two"), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_headers(old, "Range: bytes=0-"), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_set_headers(old, "no colon"), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_get_proxy_usage(old), BGCOPY_PROXY_PRECONFIG);
	assert_int_equal(bgcopy_job_set_proxy(old, BGCOPY_PROXY_OVERRIDE, NULL, "x"),
			 BGCOPY_E_INVALID_ARG);	/* override needs a proxy */
	assert_int_equal(bgcopy_job_set_proxy(old, BGCOPY_PROXY_NO_PROXY, "p:1", NULL),
			 BGCOPY_E_INVALID_ARG);	/* a list with another usage */
	assert_int_equal(bgcopy_job_set_proxy(old, BGCOPY_PROXY_OVERRIDE, "u:pw@p:1", NULL),
			 BGCOPY_E_INVALID_ARG);	/* user info */
	assert_int_equal(bgcopy_job_set_proxy(old, BGCOPY_PROXY_OVERRIDE,
					      " p1:3128;http://p2:8080 ", "a.example, .b;c"),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_proxy_credentials(old, BGCOPY_AUTH_BASIC, "pu", "pp"),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "url", &job), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	snprintf(url, sizeof(url), "http://me:s%%3Acret@%s",
		 harness_url(h, "/c.bin") + strlen("http://"));
	assert_int_equal(bgcopy_job_add_file(job, url, harness_out(h, "c.bin")),
			 BGCOPY_OK);
	bgcopy_engine_close(e);

	assert_int_equal(sqlite3_open(harness_store_db(h), &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT url FROM files", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_null(strstr((const char *)sqlite3_column_text(q, 0), "me"));
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT auth_user, auth_password "
					    "FROM jobs WHERE id = ?1", -1, &q, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "me");
	assert_string_equal((const char *)sqlite3_column_text(q, 1), "s:cret");
	sqlite3_finalize(q);
	sqlite3_close(db);

	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_auth_scheme(job), BGCOPY_AUTH_ANY);
	assert_int_equal(bgcopy_engine_find_job(e, old_id, &old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_auth_scheme(old), BGCOPY_AUTH_DIGEST);
	assert_int_equal(bgcopy_job_get_header_names(old, names, sizeof(names)), BGCOPY_OK);
	assert_string_equal(names, "X-A, X-B");
	assert_int_equal(bgcopy_job_get_proxy_usage(old), BGCOPY_PROXY_OVERRIDE);
	assert_int_equal(bgcopy_job_get_proxy_lists(old, proxies, sizeof(proxies), names,
						    sizeof(names)), BGCOPY_OK);
	assert_string_equal(proxies, "p1:3128 http://p2:8080");
	assert_string_equal(names, "a.example,.b,c");
	assert_int_equal(bgcopy_job_get_proxy_auth_scheme(old), BGCOPY_AUTH_BASIC);
	assert_int_equal(bgcopy_job_clear_credentials(old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_auth_scheme(old), BGCOPY_AUTH_NONE);
	assert_int_equal(bgcopy_job_clear_proxy_credentials(old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_proxy(old, BGCOPY_PROXY_NO_PROXY, NULL, NULL),
			 BGCOPY_OK);
	bgcopy_engine_close(e);

	/* Cleared, they stay cleared. */
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, old_id, &old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_proxy_auth_scheme(old), BGCOPY_AUTH_NONE);
	assert_int_equal(bgcopy_job_get_proxy_usage(old), BGCOPY_PROXY_NO_PROXY);
	assert_int_equal(bgcopy_job_get_proxy_lists(old, proxies, sizeof(proxies), names,
						    sizeof(names)), BGCOPY_OK);
	assert_string_equal(proxies, "");
	bgcopy_engine_close(e);
}

/* Schema 8 keeps a job's notify service (BITS' notification CLSID): a
 * name that is not a well-known D-Bus name is refused and changes
 * nothing, a cleared one stays cleared, a schema-7 store migrates to none. */
static void the_notify_service_survives_a_restart(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job, *old;
	char id[37], old_id[37], name[BGCOPY_NOTIFY_SERVICE_MAX + 1], small[8];

	assert_int_equal(bgcopy_job_create(e, "old", &old), BGCOPY_OK);
	bgcopy_job_get_id(old, old_id);
	bgcopy_engine_close(e);
	harness_exec_sql(harness_store_db(h), HARNESS_DROP_TO_SCHEMA_7
			 "PRAGMA user_version=7;");
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, old_id, &old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_service(old, name, sizeof(name)), BGCOPY_OK);
	assert_string_equal(name, "");
	assert_int_equal(bgcopy_job_set_notify_service(old, "org.example.Old"), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_service(old, NULL), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "service", &job), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_set_notify_service(job, "org.example.App"), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_service(job, ":1.5"), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_set_notify_service(job, "nodots"), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_set_notify_service(job, "org..example"), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_get_notify_service(job, small, sizeof(small)), BGCOPY_E_LIMIT);
	bgcopy_engine_close(e);

	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_service(job, name, sizeof(name)), BGCOPY_OK);
	assert_string_equal(name, "org.example.App");
	assert_int_equal(bgcopy_engine_find_job(e, old_id, &old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_notify_service(old, name, sizeof(name)), BGCOPY_OK);
	assert_string_equal(name, "");
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_service(job, "org.example.Late"),
			 BGCOPY_E_INVALID_STATE);
	bgcopy_engine_close(e);
}

static void abandoned_jobs_expire(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	struct bgcopy_engine_options opt = { .inactivity_timeout_s = 3600 };
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *old, *recent;
	char sql[256], id[37];

	assert_int_equal(bgcopy_job_create(e, "old", &old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "recent", &recent), BGCOPY_OK);
	bgcopy_job_get_id(old, id);
	bgcopy_engine_close(e);
	/* Stored mid-transfer: restoring it must not count as activity. */
	snprintf(sql, sizeof(sql), "UPDATE jobs SET mtime = mtime - 7200, state = 2 "
		 "WHERE id = '%s';", id);
	harness_exec_sql(harness_store_db(h), sql);
	e = harness_open(h, &opt);
	assert_int_equal(bgcopy_engine_find_job(e, id, &old), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(old), BGCOPY_CANCELLED);
	bgcopy_engine_close(e);
	e = harness_open(h, &opt);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 1);
	bgcopy_engine_close(e);
}

static void temporary_files_of_departed_jobs_are_removed(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	char id[37], ours[600], foreign[600], sql[256];
	struct bgcopy_progress p;

	harness_make_file(h, "gone.bin", 400000);
	assert_int_equal(bgcopy_job_create(e, "gone", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/fault/slow:100000/gone.bin"),
					     harness_out(h, "gone.bin")), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	do {
		harness_sleep_ms(20);
		bgcopy_job_get_progress(job, &p);
	} while (p.bytes_transferred == 0);
	bgcopy_engine_close(e);
	snprintf(ours, sizeof(ours), "%s/.gone.bin.%.8s-0.bgcopy-tmp", h->out, id);
	assert_true(harness_exists(ours));
	/* Another store's temporary file, in the same directory. */
	snprintf(foreign, sizeof(foreign), "%s/.x.bin.deadbeef-0.bgcopy-tmp", h->out);
	write_all(foreign, "x", 1);
	/* The job leaves the store, its temporary file stays: a crash. */
	snprintf(sql, sizeof(sql), "DELETE FROM jobs WHERE id = '%s';"
		 "DELETE FROM files WHERE job_id = '%s';", id, id);
	harness_exec_sql(harness_store_db(h), sql);
	e = harness_reopen(h, 0);
	assert_false(harness_exists(ours));
	assert_true(harness_exists(foreign));
	bgcopy_engine_close(e);
	/* Removed and forgotten: the next open has nothing to look for. */
	assert_int_equal(count_rows(h, "SELECT count(*) FROM temps"), 0);
	unlink(foreign);
}

static int temps_rows(struct harness *h, const char *id)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM temps WHERE job_id = '%s'", id);
	return count_rows(h, sql);
}

/* Two jobs may note one temporary name (their ids' first eight digits
 * and destinations alike): one that left the store does not take the
 * file of one still in it. */
static void a_temporary_file_a_present_job_noted_is_kept(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *gone, *kept;
	char gone_id[37], kept_id[37], shared[600], sql[1536];

	assert_int_equal(bgcopy_job_create(e, "gone", &gone), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "kept", &kept), BGCOPY_OK);
	bgcopy_job_get_id(gone, gone_id);
	bgcopy_job_get_id(kept, kept_id);
	bgcopy_engine_close(e);
	snprintf(shared, sizeof(shared), "%s/.shared.bin.00000000-0.bgcopy-tmp", h->out);
	write_all(shared, "x", 1);
	snprintf(sql, sizeof(sql), "INSERT INTO temps (path, job_id) VALUES ('%s', '%s'),"
		 " ('%s', '%s'); DELETE FROM jobs WHERE id = '%s';",
		 shared, gone_id, shared, kept_id, gone_id);
	harness_exec_sql(harness_store_db(h), sql);
	e = harness_reopen(h, 0);
	assert_true(harness_exists(shared));
	bgcopy_engine_close(e);
	assert_int_equal(temps_rows(h, gone_id), 0);
	assert_int_equal(temps_rows(h, kept_id), 1);
	unlink(shared);
}

/* Every file's temporary name is in the store with the file, from the
 * transaction that adds it, before its temporary file can exist. */
static void a_jobs_temporary_names_are_noted_with_its_files(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	char id[37], url[600], out1[600], out2[600];

	harness_make_file(h, "n0.bin", 400000);
	harness_make_file(h, "n1.bin", 1000);
	assert_int_equal(bgcopy_job_create(e, "noted", &job), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/fault/slow:100000/n0.bin"),
					     harness_out(h, "n0.bin")), BGCOPY_OK);
	assert_int_equal(temps_rows(h, id), 1);
	snprintf(url, sizeof(url), "%s", harness_url(h, "/n1.bin"));
	snprintf(out1, sizeof(out1), "%s", harness_out(h, "n1.bin"));
	snprintf(out2, sizeof(out2), "%s", harness_out(h, "n2.bin"));
	assert_int_equal(bgcopy_job_add_files(job, 2, (const char *[]){ url, url },
					      (const char *[]){ out1, out2 }), BGCOPY_OK);
	assert_int_equal(temps_rows(h, id), 3);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 20000));
	assert_int_equal(temps_rows(h, id), 3);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(temps_rows(h, id), 0);
	bgcopy_engine_close(e);
}

/* A job whose rows lack their temporary names (a store written before
 * they were noted with the files) notes them all at its first transfer,
 * in one transaction rather than one a file; a file added then is noted
 * with it. */
static void a_restored_job_notes_its_temporary_names_at_its_first_transfer(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	struct bgcopy_progress p;
	char sql[128], id[37];

	harness_make_file(h, "r0.bin", 400000);
	harness_make_file(h, "r1.bin", 1000);
	assert_int_equal(bgcopy_job_create(e, "restored", &job), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/fault/slow:100000/r0.bin"),
					     harness_out(h, "r0.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/r1.bin"),
					     harness_out(h, "r1.bin")), BGCOPY_OK);
	bgcopy_engine_close(e);
	snprintf(sql, sizeof(sql), "DELETE FROM temps WHERE job_id = '%s'", id);
	harness_exec_sql(harness_store_db(h), sql);

	e = harness_reopen(h, BGCOPY_TEST_SHORT_RETRY);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(temps_rows(h, id), 0);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	do {
		harness_sleep_ms(20);
		bgcopy_job_get_progress(job, &p);
	} while (p.bytes_transferred == 0);
	assert_int_equal(temps_rows(h, id), 2);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/r1.bin"),
					     harness_out(h, "r2.bin")), BGCOPY_OK);
	assert_int_equal(temps_rows(h, id), 3);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 20000));
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(temps_rows(h, id), 0);
	bgcopy_engine_close(e);
}

/* A job that leaves the store takes its temps rows along: they would
 * only make the next open look for files long gone. */
static void a_departed_job_leaves_no_temps_rows(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	struct bgcopy_progress p;
	char sql[128], id[37], temp[600];

	harness_make_file(h, "left.bin", 400000);
	assert_int_equal(bgcopy_job_create(e, "left", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/fault/slow:100000/left.bin"),
					     harness_out(h, "left.bin")), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	do {
		harness_sleep_ms(20);
		bgcopy_job_get_progress(job, &p);
	} while (p.bytes_transferred == 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM temps WHERE job_id = '%s'", id);
	assert_int_equal(count_rows(h, sql), 1);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(count_rows(h, sql), 0);
	snprintf(temp, sizeof(temp), "%s/.left.bin.%.8s-0.bgcopy-tmp", h->out, id);
	assert_false(harness_exists(temp));
	bgcopy_engine_close(e);
}

/* The Last-Modified date testd sends for a file. */
static const char *http_date(const char *path)
{
	static char date[64];
	struct stat st;
	struct tm tm;

	assert_int_equal(stat(path, &st), 0);
	assert_non_null(gmtime_r(&st.st_mtim.tv_sec, &tm));
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return date;
}

static void a_resume_past_the_end_completes_the_file(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	char id[37], temp[600], src[600], sql[1024];
	size_t len;
	char *data;

	harness_make_file(h, "whole.bin", 50000);
	assert_int_equal(bgcopy_job_create(e, "whole", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/whole.bin"),
					     harness_out(h, "whole.bin")), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	/* A crash after the last byte was saved, before completion was; the
	 * bytes came from the version of this date. */
	snprintf(src, sizeof(src), "%s/whole.bin", h->www);
	snprintf(temp, sizeof(temp), "%s/.whole.bin.%.8s-0.bgcopy-tmp", h->out, id);
	data = read_all(src, &len);
	write_all(temp, data, len);
	free(data);
	snprintf(sql, sizeof(sql), "UPDATE files SET bytes_done = %zu, temp_path = '%s',"
		 " last_modified = '%s';", len, temp, http_date(src));
	harness_exec_sql(harness_store_db(h), sql);
	e = harness_reopen(h, BGCOPY_TEST_SHORT_RETRY);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 10000));
	assert_true(harness_log_has(h, "range=bytes=50000- status=416"));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "whole.bin", harness_out(h, "whole.bin")));
	unlink(harness_out(h, "whole.bin"));
	bgcopy_engine_close(e);
}

static void a_change_the_store_cannot_record_is_reported(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;
	sqlite3 *other;

	assert_int_equal(bgcopy_job_create(e, "busy", &job), BGCOPY_OK);
	/* Another connection holds the database longer than we wait. */
	assert_int_equal(sqlite3_open(harness_store_db(h), &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE;", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(bgcopy_job_set_display_name(job, "renamed"), BGCOPY_E_STORE);
	assert_non_null(strstr(bgcopy_last_error(), "could not record"));
	sqlite3_exec(other, "ROLLBACK;", NULL, NULL, NULL);
	sqlite3_close(other);
	/* Once the store answers again, so does the API. */
	assert_int_equal(bgcopy_job_set_display_name(job, "renamed"), BGCOPY_OK);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(garbage_is_refused_and_left_untouched),
		cmocka_unit_test(a_truncated_database_is_refused_and_left_untouched),
		cmocka_unit_test(a_store_changed_since_its_clean_close_is_checked),
		cmocka_unit_test(a_store_whose_engine_was_killed_is_checked),
		cmocka_unit_test(a_hostile_url_row_is_refused_before_anything_is_fetched),
		cmocka_unit_test(a_newer_schema_is_refused),
		cmocka_unit_test(schema_1_is_migrated_with_its_jobs),
		cmocka_unit_test(schema_3_is_migrated_and_unnamed_bytes_start_over),
		cmocka_unit_test(credentials_survive_a_restart),
		cmocka_unit_test(the_notify_service_survives_a_restart),
		cmocka_unit_test(abandoned_jobs_expire),
		cmocka_unit_test(temporary_files_of_departed_jobs_are_removed),
		cmocka_unit_test(a_temporary_file_a_present_job_noted_is_kept),
		cmocka_unit_test(a_departed_job_leaves_no_temps_rows),
		cmocka_unit_test(a_jobs_temporary_names_are_noted_with_its_files),
		cmocka_unit_test(a_restored_job_notes_its_temporary_names_at_its_first_transfer),
		cmocka_unit_test(a_resume_past_the_end_completes_the_file),
		cmocka_unit_test(a_change_the_store_cannot_record_is_reported),
	};

	return cmocka_run_group_tests_name("store", tests, harness_group_setup,
					   harness_group_teardown);
}
