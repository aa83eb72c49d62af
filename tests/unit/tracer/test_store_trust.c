/*
 * Store trust: a store another user owns or may write, a symbolic link,
 * a foreign write-ahead log or a SQLite file that is not a bgcopy store
 * is refused with a line naming it and the fix, every file left
 * byte-identical; a new store is private whatever the umask; a store on a
 * read-only file system is inspected, never run, and left as it was.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"

static const char *const store_files[] = { "jobs.db", "jobs.db-wal", "jobs.db-shm" };
#define NFILES (sizeof(store_files) / sizeof(*store_files))

/* Every file of a store, as bytes; NULL for one that does not exist. */
struct snapshot {
	char *data[NFILES];
	long len[NFILES];
};

static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	*len = -1;
	if (!f)
		return NULL;
	buf = malloc(1 << 22);
	assert_non_null(buf);
	*len = (long)fread(buf, 1, 1 << 22, f);
	fclose(f);
	return buf;
}

static void take_snapshot(const char *dir, struct snapshot *s)
{
	char path[600];

	for (size_t i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, store_files[i]);
		s->data[i] = slurp(path, &s->len[i]);
	}
}

static void copy_file(const char *from, const char *to)
{
	long len;
	char *data = slurp(from, &len);
	FILE *f = fopen(to, "wb");

	assert_non_null(data);
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, (size_t)len, f), (size_t)len);
	assert_int_equal(fclose(f), 0);
	free(data);
}

/* Every file of `dir` is as `before` shows it (which is freed). */
static void assert_unchanged(const char *dir, struct snapshot *before)
{
	struct snapshot after;

	take_snapshot(dir, &after);
	for (size_t i = 0; i < NFILES; i++) {
		if (before->len[i] != after.len[i])
			fail_msg("%s: %ld bytes before, %ld after", store_files[i],
				 before->len[i], after.len[i]);
		if (before->len[i] > 0)
			assert_memory_equal(before->data[i], after.data[i],
					    (size_t)before->len[i]);
		free(before->data[i]);
		free(after.data[i]);
	}
}

/* Opening `dir` fails naming `what`, and no file of it changed. */
static void refused_untouched(const char *dir, const char *what)
{
	struct snapshot before;
	bgcopy_engine *e = NULL;
	int status;

	take_snapshot(dir, &before);
	for (int read_only = 0; read_only < 2; read_only++) {
		struct bgcopy_engine_options opt = {
			.flags = read_only ? BGCOPY_OPEN_READ_ONLY : 0,
		};

		status = bgcopy_engine_open(dir, &opt, &e);
		if (status != BGCOPY_E_STORE)
			fail_msg("opening '%s' (read-only %d): %d, '%s'", dir,
				 read_only, status, bgcopy_last_error());
		assert_null(e);
		if (!strstr(bgcopy_last_error(), what))
			fail_msg("error '%s' does not say '%s'", bgcopy_last_error(), what);
		if (strchr(bgcopy_last_error(), '\n'))
			fail_msg("error '%s' is more than one line", bgcopy_last_error());
	}
	assert_unchanged(dir, &before);
}

static const char *in_store(struct harness *h, const char *name)
{
	static char path[600];

	snprintf(path, sizeof(path), "%s/%s", h->store, name);
	return path;
}

static uid_t nobody(void)
{
	struct passwd *pw = getpwnam("nobody");

	assert_non_null(pw);
	return pw->pw_uid;
}

static void opens(struct harness *h)
{
	bgcopy_engine *e = harness_open(h, NULL);

	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 1);
	bgcopy_engine_close(e);
}

static void a_store_owned_by_another_user_is_refused(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	char owner[64];

	if (geteuid() != 0)
		skip();
	harness_store_with_a_job(h);
	snprintf(owner, sizeof(owner), "owned by uid %u", (unsigned)nobody());
	assert_int_equal(chown(h->store, nobody(), 0), 0);
	refused_untouched(h->store, owner);
	assert_int_equal(chown(h->store, 0, 0), 0);
	assert_int_equal(chown(in_store(h, "jobs.db"), nobody(), 0), 0);
	refused_untouched(h->store, owner);
	refused_untouched(h->store, "fix: chown 0");
	assert_int_equal(chown(in_store(h, "jobs.db"), 0, 0), 0);
	opens(h);
}

static void a_store_others_may_write_is_refused(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;

	harness_store_with_a_job(h);
	assert_int_equal(chmod(h->store, 0770), 0);
	refused_untouched(h->store, "writable by its group (mode 0770");
	refused_untouched(h->store, "fix: chmod go-w");
	assert_int_equal(chmod(h->store, 0700), 0);
	assert_int_equal(chmod(in_store(h, "jobs.db"), 0602), 0);
	refused_untouched(h->store, "jobs.db': it is writable by others");
	assert_int_equal(chmod(in_store(h, "jobs.db"), 0600), 0);
	opens(h);
}

static void a_symbolic_link_is_refused(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	char real[400], link[420], db[600];

	harness_store_with_a_job(h);
	snprintf(real, sizeof(real), "%s", h->store);
	snprintf(link, sizeof(link), "%s-link", real);
	assert_int_equal(symlink(real, link), 0);
	refused_untouched(link, "it is a symbolic link");
	/* The database itself a link to a file elsewhere. */
	snprintf(db, sizeof(db), "%s/elsewhere.db", h->dir);
	assert_int_equal(rename(in_store(h, "jobs.db"), db), 0);
	assert_int_equal(symlink(db, in_store(h, "jobs.db")), 0);
	refused_untouched(h->store, "jobs.db': it is a symbolic link");
	assert_int_equal(unlink(in_store(h, "jobs.db")), 0);
	assert_int_equal(rename(db, in_store(h, "jobs.db")), 0);
	opens(h);
}

/* A live engine's log, copied while it runs. */
static void copy_live_store(struct harness *h, const char *to)
{
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;
	char path[600];

	assert_int_equal(mkdir(to, 0700), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(bgcopy_job_create(e, "other", &job), BGCOPY_OK);
	for (size_t i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", to, store_files[i]);
		copy_file(in_store(h, store_files[i]), path);
	}
	bgcopy_engine_close(e);
}

static void a_foreign_write_ahead_log_is_refused(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	char other[300], mine[300], killed[300], killed2[300], from[600], to[600];
	bgcopy_engine *e;

	snprintf(killed2, sizeof(killed2), "%s/killed-in-recovery", h->dir);
	snprintf(other, sizeof(other), "%s/other-live", h->dir);
	snprintf(mine, sizeof(mine), "%s/mine-live", h->dir);
	snprintf(killed, sizeof(killed), "%s/killed", h->dir);
	copy_live_store(h, other);
	copy_live_store(h, mine);
	/* Its own log and index, as a killed engine leaves them: applied. */
	copy_live_store(h, killed);
	snprintf(h->store, sizeof(h->store), "%s", killed);
	e = harness_open(h, NULL);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 5);
	bgcopy_engine_close(e);
	/* Its own log, and the index emptied as the first connection after a
	 * kill empties it before rebuilding it, then killed: applied. */
	copy_live_store(h, killed2);
	snprintf(to, sizeof(to), "%s/jobs.db-shm", killed2);
	assert_int_equal(truncate(to, 0), 0);
	snprintf(h->store, sizeof(h->store), "%s", killed2);
	e = harness_open(h, NULL);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 5);
	bgcopy_engine_close(e);
	/* Another database's log beside our index. */
	snprintf(from, sizeof(from), "%s/jobs.db-wal", other);
	snprintf(to, sizeof(to), "%s/jobs.db-wal", mine);
	copy_file(from, to);
	refused_untouched(mine, "jobs.db-wal': its salts are not the ones");
	/* A log without the index that would vouch for it. */
	snprintf(to, sizeof(to), "%s/jobs.db-shm", mine);
	assert_int_equal(unlink(to), 0);
	refused_untouched(mine, "jobs.db-wal': it has no -shm index");
	/* Not a log at all. */
	snprintf(from, sizeof(from), "%s/jobs.db", other);
	snprintf(to, sizeof(to), "%s/jobs.db-wal", mine);
	copy_file(from, to);
	refused_untouched(mine, "it is not a SQLite write-ahead log");
}

static void a_foreign_log_with_its_own_index_is_refused(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	char other[300], mine[300], from[600], to[600];

	/* Two stores of the same history: only the log's content can tell
	 * whose it is. */
	snprintf(other, sizeof(other), "%s/other-pair", h->dir);
	snprintf(mine, sizeof(mine), "%s/mine-pair", h->dir);
	copy_live_store(h, other);
	copy_live_store(h, mine);
	for (size_t i = 1; i < NFILES; i++) {
		snprintf(from, sizeof(from), "%s/%s", other, store_files[i]);
		snprintf(to, sizeof(to), "%s/%s", mine, store_files[i]);
		copy_file(from, to);
	}
	refused_untouched(mine, "jobs.db-wal': its changes were not made to "
			  "this database");
}

static int application_id(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int id;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &q,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	id = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return id;
}

static void another_programs_database_is_refused(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;

	snprintf(h->store, sizeof(h->store), "%s/photos", h->dir);
	assert_int_equal(mkdir(h->store, 0700), 0);
	harness_exec_sql(in_store(h, "jobs.db"), "CREATE TABLE photos (id INT, data BLOB);"
		 "INSERT INTO photos VALUES (1, x'00ff');");
	refused_untouched(h->store, "jobs.db is not a bgcopy store");
	/* Our tables under another program's mark. */
	harness_store_with_a_job(h);
	harness_exec_sql(in_store(h, "jobs.db"), "PRAGMA application_id=42;");
	refused_untouched(h->store, "application_id 0x2a");
}

static void a_store_from_before_the_mark_is_stamped(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;

	harness_store_with_a_job(h);
	assert_int_equal(application_id(in_store(h, "jobs.db")), 0x62676370);
	harness_exec_sql(in_store(h, "jobs.db"), "PRAGMA application_id=0;");
	opens(h);
	assert_int_equal(application_id(in_store(h, "jobs.db")), 0x62676370);
}

static void a_new_store_is_private_whatever_the_umask(void **state)
{
	struct harness *h = *state;
	mode_t old = umask(0);
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;
	struct stat st;

	assert_int_equal(bgcopy_job_create(e, "private", &job), BGCOPY_OK);
	assert_int_equal(stat(h->store, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	for (size_t i = 0; i < NFILES; i++) {
		assert_int_equal(stat(in_store(h, store_files[i]), &st), 0);
		if ((st.st_mode & 07777) != 0600)
			fail_msg("%s: mode %04o", store_files[i], st.st_mode & 07777);
	}
	bgcopy_engine_close(e);
	umask(old);
}

/* SQLite unlinks the -shm before the -wal when it closes: an engine
 * killed between the two leaves a checkpointed log without its index,
 * which is the store's own and must not lock its owner out. */
static void a_checkpointed_log_left_without_its_index_is_taken(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	char saved[600];
	bgcopy_job *job;
	size_t jobs;
	struct stat st;

	for (int i = 0; i < 5; i++)
		assert_int_equal(bgcopy_job_create(e, "logged", &job), BGCOPY_OK);
	jobs = bgcopy_engine_list_jobs(e, NULL, 0);
	harness_exec_sql(in_store(h, "jobs.db"), "PRAGMA wal_checkpoint(FULL);");
	snprintf(saved, sizeof(saved), "%s/saved-wal", h->dir);
	copy_file(in_store(h, "jobs.db-wal"), saved);
	bgcopy_engine_close(e);
	copy_file(saved, in_store(h, "jobs.db-wal"));
	assert_int_not_equal(stat(in_store(h, "jobs.db-shm"), &st), 0);
	e = harness_open(h, NULL);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), jobs);
	bgcopy_engine_close(e);
}

/* What a process saw of a store bound read-only in its own mount namespace. */
struct read_only_view {
	int writable_status;		/* of a writable open */
	bool names_the_medium;		/* its error says why */
	int read_only_status;		/* of an inspecting open */
	size_t jobs;			/* that open lists */
};

static int look_at_read_only_store(const char *dir, struct read_only_view *v)
{
	struct bgcopy_engine_options inspect = { .flags = BGCOPY_OPEN_READ_ONLY };
	bgcopy_engine *e = NULL;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(dir, dir, NULL, MS_BIND, NULL) ||
	    mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL))
		return -1;
	v->writable_status = bgcopy_engine_open(dir, NULL, &e);
	v->names_the_medium = strstr(bgcopy_last_error(), "Read-only file system");
	if (e)
		bgcopy_engine_close(e);
	e = NULL;
	v->read_only_status = bgcopy_engine_open(dir, &inspect, &e);
	if (e) {
		v->jobs = bgcopy_engine_list_jobs(e, NULL, 0);
		bgcopy_engine_close(e);
	}
	return 0;
}

/* A store on read-only media (a CD, a snapshot, a ro bind mount) cannot
 * be run, says why, and can still be inspected; nothing in it changes. */
static void a_store_on_a_read_only_file_system_is_inspected_untouched(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	struct read_only_view v = { 0 };
	struct snapshot before;
	int fds[2], status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	harness_store_with_a_job(h);
	take_snapshot(h->store, &before);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (look_at_read_only_store(h->store, &v) != 0)
			_exit(77);
		_exit(write(fds[1], &v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		close(fds[0]);
		skip();		/* no mount namespace here */
	}
	assert_int_equal(read(fds[0], &v, sizeof(v)), sizeof(v));
	close(fds[0]);
	assert_int_equal(v.writable_status, BGCOPY_E_IO);
	assert_true(v.names_the_medium);
	assert_int_equal(v.read_only_status, BGCOPY_OK);
	assert_int_equal(v.jobs, 1);
	assert_unchanged(h->store, &before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_store_owned_by_another_user_is_refused),
		cmocka_unit_test(a_store_others_may_write_is_refused),
		cmocka_unit_test(a_symbolic_link_is_refused),
		cmocka_unit_test(a_foreign_write_ahead_log_is_refused),
		cmocka_unit_test(a_foreign_log_with_its_own_index_is_refused),
		cmocka_unit_test(another_programs_database_is_refused),
		cmocka_unit_test(a_store_from_before_the_mark_is_stamped),
		cmocka_unit_test(a_new_store_is_private_whatever_the_umask),
		cmocka_unit_test(a_store_on_a_read_only_file_system_is_inspected_untouched),
		cmocka_unit_test(a_checkpointed_log_left_without_its_index_is_taken),
	};

	return cmocka_run_group_tests_name("store trust", tests, harness_group_setup,
					   harness_group_teardown);
}
