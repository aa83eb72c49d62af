/*
 * The per-owner layout (BGCOPY_OPEN_PER_OWNER, bgcopyd --system): each
 * owner's jobs in users/<uid>/ under the store, root's alone; the layout
 * kept by later opens; TakeOwnership moving a job, and a move cut at any
 * step finished or undone at the next open, never two jobs; a store of
 * the old layout moved over; hostile directories and layouts refused by
 * name.  Root only (jobs of another uid).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define OTHER 65534u	/* nobody */

static const struct bgcopy_engine_options per_owner = {
	.flags = BGCOPY_OPEN_EMBEDDED | BGCOPY_OPEN_PER_OWNER,
};

static const struct bgcopy_engine_options embedded = {
	.flags = BGCOPY_OPEN_EMBEDDED,
};

static void skip_unless_root(void)
{
	harness_skip_through_daemon("it opens the store's files and the per-owner layout");
	if (geteuid() != 0) {
		print_message("root only: jobs of another uid\n");
		skip();
	}
}

/* jobs.db of the store (uid < 0) or of one owner's. */
static const char *db_of(struct harness *h, long uid)
{
	static char path[2][400];
	static int turn;
	char *p = path[turn++ % 2];

	if (uid < 0)
		snprintf(p, 400, "%s/jobs.db", h->store);
	else
		snprintf(p, 400, "%s/users/%ld/jobs.db", h->store, uid);
	return p;
}

static int jobs_in(const char *db_path)
{
	return harness_count_rows(db_path, "SELECT COUNT(*) FROM jobs");
}

/* Where any owner may add files: the engine checks a destination as the
 * job's owner. */
static char shared_out[] = "/tmp/bgcopy-owners-XXXXXX";

static bgcopy_job *job_of(struct harness *h, bgcopy_engine *e, uint32_t owner, const char *name)
{
	char dest[400];
	bgcopy_job *job;

	snprintf(dest, sizeof(dest), "%s/%s", shared_out, name);
	assert_int_equal(bgcopy_job_create_as(e, name, owner, &job), BGCOPY_OK);
	if (bgcopy_job_add_file(job, harness_url(h, "/a.bin"), dest) != BGCOPY_OK)
		fail_msg("add_file: %s", bgcopy_last_error());
	return job;
}

static void assert_name(bgcopy_job *job, const char *name)
{
	char got[64];

	bgcopy_job_get_display_name(job, got, sizeof(got));
	assert_string_equal(got, name);
}

static uint32_t files_of(bgcopy_job *job)
{
	struct bgcopy_progress p;

	assert_int_equal(bgcopy_job_get_progress(job, &p), BGCOPY_OK);
	return p.files_total;
}

static void assert_private_dir(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void each_owner_has_a_store_of_their_own(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine_with(h, &per_owner);
	bgcopy_job *jobs[3];
	char path[400];

	job_of(h, e, OTHER, "n1");
	job_of(h, e, 0, "r1");
	job_of(h, e, OTHER, "n2");
	bgcopy_engine_close(e);

	snprintf(path, sizeof(path), "%s/users", h->store);
	assert_private_dir(path);
	snprintf(path, sizeof(path), "%s/users/%u", h->store, OTHER);
	assert_private_dir(path);
	assert_int_equal(jobs_in(db_of(h, -1)), 0);
	assert_int_equal(jobs_in(db_of(h, 0)), 1);
	assert_int_equal(jobs_in(db_of(h, OTHER)), 2);
	assert_int_equal(harness_count_rows(db_of(h, OTHER), "SELECT COUNT(*) FROM files"), 2);

	/* Opened without the flag, the store keeps its layout, and the jobs
	 * come back in the order they were created. */
	e = harness_open(h, &embedded);
	assert_int_equal(bgcopy_engine_list_jobs(e, jobs, 3), 3);
	assert_name(jobs[0], "n1");
	assert_name(jobs[1], "r1");
	assert_name(jobs[2], "n2");
	assert_int_equal(bgcopy_job_get_owner(jobs[0]), OTHER);
	assert_int_equal(bgcopy_job_get_owner(jobs[1]), 0);
	job_of(h, e, OTHER, "n3");
	bgcopy_engine_close(e);
	assert_int_equal(jobs_in(db_of(h, -1)), 0);
	assert_int_equal(jobs_in(db_of(h, OTHER)), 3);
}

static void take_ownership_moves_the_job(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine_with(h, &per_owner);
	bgcopy_job *job = job_of(h, e, OTHER, "moved");
	char id[37];

	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_take_ownership(job, 0), BGCOPY_OK);
	assert_int_equal(jobs_in(db_of(h, OTHER)), 0);
	assert_int_equal(harness_count_rows(db_of(h, OTHER), "SELECT COUNT(*) FROM files"), 0);
	assert_int_equal(jobs_in(db_of(h, 0)), 1);
	assert_int_equal(harness_count_rows(db_of(h, 0), "SELECT COUNT(*) FROM files"), 1);
	/* It goes on in its new store: its next change is written there. */
	assert_int_equal(bgcopy_job_set_description(job, "after"), BGCOPY_OK);
	bgcopy_engine_close(e);
	assert_int_equal(harness_count_rows(db_of(h, 0), "SELECT COUNT(*) FROM jobs WHERE description='after'"), 1);

	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_owner(job), 0);
	assert_int_equal(files_of(job), 1);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 1);
	bgcopy_engine_close(e);
}

/* A job of OTHER's with one file, then the engine closed: its id. */
static void stored_job_of_other(struct harness *h, char id[37])
{
	bgcopy_engine *e = harness_engine_with(h, &per_owner);

	bgcopy_job_get_id(job_of(h, e, OTHER, "cut"), id);
	bgcopy_engine_close(e);
}

/* The open after a cut move: one job, root's, in root's store alone. */
static void assert_moved_once(struct harness *h, const char *id)
{
	bgcopy_engine *e = harness_reopen(h, 0);
	bgcopy_job *job;

	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 1);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_owner(job), 0);
	assert_int_equal(files_of(job), 1);
	bgcopy_engine_close(e);
	assert_int_equal(jobs_in(db_of(h, OTHER)), 0);
	assert_int_equal(harness_count_rows(db_of(h, OTHER), "SELECT COUNT(*) FROM files"), 0);
	assert_int_equal(jobs_in(db_of(h, 0)), 1);
	assert_int_equal(harness_count_rows(db_of(h, 0), "SELECT COUNT(*) FROM files"), 1);
}

static void a_move_cut_after_its_first_step_is_finished(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	char id[37];

	stored_job_of_other(h, id);
	/* Step 1 done: the row in the old store names the new owner. */
	harness_exec_sql(db_of(h, OTHER), "UPDATE jobs SET owner=0;");
	assert_moved_once(h, id);
}

static void a_move_cut_after_its_second_step_leaves_one_job(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	char sql[1200], id[37];
	bgcopy_engine *e;
	bgcopy_job *other;

	stored_job_of_other(h, id);
	/* root's store exists (a job of root's opened it), then steps 1 and
	 * 2: the job in both stores, each row naming root. */
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_job_create_as(e, "root's", 0, &other), BGCOPY_OK);
	assert_int_equal(bgcopy_job_cancel(other), BGCOPY_OK);
	bgcopy_engine_close(e);
	snprintf(sql, sizeof(sql),
		 "UPDATE jobs SET owner=0;"
		 "ATTACH '%s' AS root;"
		 "INSERT INTO root.jobs SELECT * FROM main.jobs;"
		 "INSERT INTO root.files SELECT * FROM main.files;"
		 "DETACH root;", db_of(h, 0));
	harness_exec_sql(db_of(h, OTHER), sql);
	assert_moved_once(h, id);
}

static void a_store_of_the_old_layout_moves_to_its_owners(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine_with(h, &embedded);
	bgcopy_job *jobs[2];

	job_of(h, e, OTHER, "old-n");
	job_of(h, e, 0, "old-r");
	bgcopy_engine_close(e);
	assert_int_equal(jobs_in(db_of(h, -1)), 2);

	e = harness_open(h, &per_owner);
	assert_int_equal(bgcopy_engine_list_jobs(e, jobs, 2), 2);
	assert_name(jobs[0], "old-n");
	assert_int_equal(bgcopy_job_get_owner(jobs[0]), OTHER);
	assert_name(jobs[1], "old-r");
	bgcopy_engine_close(e);
	assert_int_equal(jobs_in(db_of(h, -1)), 0);
	assert_int_equal(harness_count_rows(db_of(h, -1), "SELECT COUNT(*) FROM files"), 0);
	assert_int_equal(jobs_in(db_of(h, OTHER)), 1);
	assert_int_equal(jobs_in(db_of(h, 0)), 1);
}

static void a_reader_sees_every_owners_jobs(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	const struct bgcopy_engine_options reader = {
		.flags = BGCOPY_OPEN_EMBEDDED | BGCOPY_OPEN_READ_ONLY,
	};
	bgcopy_engine *e = harness_engine_with(h, &per_owner);

	job_of(h, e, OTHER, "n");
	job_of(h, e, 0, "r");
	bgcopy_engine *r = harness_open(h, &reader);

	assert_int_equal(bgcopy_engine_list_jobs(r, NULL, 0), 2);
	bgcopy_engine_close(r);
	bgcopy_engine_close(e);
}

static void expect_refusal(const char *what)
{
	if (!strstr(bgcopy_last_error(), what))
		fail_msg("error '%s' does not say '%s'", bgcopy_last_error(), what);
}

static void a_directory_another_user_could_write_is_refused(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine_with(h, &per_owner);
	char path[400];
	bgcopy_job *job;

	/* Planted before the owner's first job: the job is refused, naming
	 * the directory, and is nowhere. */
	snprintf(path, sizeof(path), "%s/users", h->store);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/users/%u", h->store, OTHER);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chown(path, OTHER, OTHER), 0);
	assert_int_not_equal(bgcopy_job_create_as(e, "planted", OTHER, &job), BGCOPY_OK);
	expect_refusal(path);
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 0);
	/* Another owner is not stopped by it. */
	job_of(h, e, 0, "r");
	bgcopy_engine_close(e);
	/* Nor is the next open: it names the directory. */
	assert_int_equal(bgcopy_engine_open(h->store, &embedded, &e), BGCOPY_E_STORE);
	expect_refusal(path);
}

static void an_unknown_layout_is_refused(void **state)
{
	skip_unless_root();
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine_with(h, &per_owner);

	bgcopy_engine_close(e);
	harness_exec_sql(db_of(h, -1), "UPDATE settings SET value='sharded' WHERE name='layout';");
	assert_int_equal(bgcopy_engine_open(h->store, &embedded, &e), BGCOPY_E_STORE);
	expect_refusal("layout 'sharded'");
}

int main(void)
{
	int failed;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_owner_has_a_store_of_their_own),
		cmocka_unit_test(take_ownership_moves_the_job),
		cmocka_unit_test(a_move_cut_after_its_first_step_is_finished),
		cmocka_unit_test(a_move_cut_after_its_second_step_leaves_one_job),
		cmocka_unit_test(a_store_of_the_old_layout_moves_to_its_owners),
		cmocka_unit_test(a_reader_sees_every_owners_jobs),
		cmocka_unit_test(a_directory_another_user_could_write_is_refused),
		cmocka_unit_test(an_unknown_layout_is_refused),
	};

	if (!mkdtemp(shared_out) || chmod(shared_out, 01777) != 0) {
		perror(shared_out);
		return 1;
	}
	failed = cmocka_run_group_tests_name("store_owners", tests, harness_group_setup,
					     harness_group_teardown);
	rmdir(shared_out);
	return failed;
}
