/*
 * Checksums: a file added with an expected SHA-256 counts as transferred
 * only when its bytes hash to it; another digest is a permanent error of
 * its own context that keeps the temporary file for inspection and never
 * touches the destination.  Also the property ids of the redirect policy
 * and the command line's time limit, which arm JobModification.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness_probe.h"

#define SIZE 200000

/* The digest coreutils computes: an implementation other than ours. */
static void sha256_of(struct harness *h, const char *name, char out[65])
{
	char cmd[PATH_MAX + 32];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s/%s'", h->www, name);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%64s", out), 1);
	assert_int_equal(pclose(p), 0);
	assert_int_equal(strlen(out), 64);
}

static bgcopy_job *checked_job(struct harness *h, bgcopy_engine *e,
			       const char *name, const char *hex)
{
	char path[300];
	bgcopy_job *job;

	snprintf(path, sizeof(path), "/%s", name);
	assert_int_equal(bgcopy_job_create(e, "checksums", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file_sha256(job, harness_url(h, path),
						    harness_out(h, name), hex),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 200), BGCOPY_OK);
	return job;
}

static const char *temp_of(struct harness *h, bgcopy_job *job, const char *name)
{
	static char path[PATH_MAX];
	char id[37];

	bgcopy_job_get_id(job, id);
	snprintf(path, sizeof(path), "%s/.%s.%.8s-0.bgcopy-tmp", h->out, name, id);
	return path;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

struct digests {
	char want[65];		/* what the job is told to expect */
	char got[65];		/* what the server's file has */
};

/* Serves `name` and a digest it does not have (n.bin's). */
static void wrong_digest(struct harness *h, const char *name, struct digests *d)
{
	harness_make_file(h, name, SIZE);
	sha256_of(h, "n.bin", d->want);
	sha256_of(h, name, d->got);
}

/* Waits for ERROR and checks the error names both digests. */
static void fails_with_mismatch(bgcopy_job *job, const struct digests *d)
{
	struct bgcopy_error err;

	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_CHECKSUM);
	assert_int_equal(err.file_index, 0);
	if (!strstr(err.description, d->want) || !strstr(err.description, d->got))
		fail_msg("error '%s' does not name %s and %s", err.description,
			 d->want, d->got);
}

static void the_right_digest_transfers(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	char hex[65];
	bgcopy_job *job;

	harness_make_file(h, "right.bin", SIZE);
	sha256_of(h, "right.bin", hex);
	/* Either case is a digest. */
	for (char *c = hex; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	job = checked_job(h, e, "right.bin", hex);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "right.bin", harness_out(h, "right.bin")));
	unlink(harness_out(h, "right.bin"));
	bgcopy_engine_close(e);
}

/* The wrong bytes stay in the temporary file until cancel; the file that
 * was at the destination is never touched. */
static void a_wrong_digest_is_a_permanent_error(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct digests d;
	bgcopy_job *job;

	wrong_digest(h, "wrong.bin", &d);
	write_text(harness_out(h, "wrong.bin"), "the old file\n");
	job = checked_job(h, e, "wrong.bin", d.want);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	fails_with_mismatch(job, &d);
	assert_true(harness_same(h, "wrong.bin", temp_of(h, job, "wrong.bin")));
	assert_string_equal(probe_read_text(harness_out(h, "wrong.bin")),
			    "the old file\n");
	/* A resume starts the file over: those bytes are not the file. */
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	fails_with_mismatch(job, &d);
	assert_false(harness_log_has(h, "/wrong.bin range=bytes="));
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_false(harness_exists(temp_of(h, job, "wrong.bin")));
	assert_string_equal(probe_read_text(harness_out(h, "wrong.bin")),
			    "the old file\n");
	unlink(harness_out(h, "wrong.bin"));
	bgcopy_engine_close(e);
}

/* Completing the failed job commits nothing and removes the wrong bytes. */
static void complete_after_a_mismatch_commits_nothing(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct digests d;
	bgcopy_job *job;

	wrong_digest(h, "done.bin", &d);
	job = checked_job(h, e, "done.bin", d.want);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	fails_with_mismatch(job, &d);
	assert_true(harness_exists(temp_of(h, job, "done.bin")));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_false(harness_exists(temp_of(h, job, "done.bin")));
	assert_false(harness_exists(harness_out(h, "done.bin")));
	bgcopy_engine_close(e);
}

static void a_digest_that_is_not_hex_is_refused(void **state)
{
	static const char *const bad[] = {
		"", "abc",
		"zz3d8b1f2e7c4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3",
		"4a3d8b1f2e7c4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3f",
		"4a3d8b1f2e7c4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d ",
	};
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct bgcopy_progress p;
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "bad", &job), BGCOPY_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(bgcopy_job_add_file_sha256(job, harness_url(h, "/n.bin"),
							    harness_out(h, "bad.bin"),
							    bad[i]),
				 BGCOPY_E_INVALID_ARG);
		assert_non_null(strstr(bgcopy_last_error(), "not a SHA-256"));
	}
	assert_int_equal(bgcopy_job_get_progress(job, &p), BGCOPY_OK);
	assert_int_equal(p.files_total, 0);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

/* The digest is in the store: a reopened engine still checks it. */
static void the_digest_survives_a_restart(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct digests d;
	char id[37], kept[65];
	bgcopy_job *job;

	wrong_digest(h, "kept.bin", &d);
	job = checked_job(h, e, "kept.bin", d.want);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);

	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_file_sha256(job, 0, kept, sizeof(kept)),
			 BGCOPY_OK);
	assert_string_equal(kept, d.want);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	fails_with_mismatch(job, &d);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

/* A schema-5 store, as the previous release wrote it, migrates: its
 * files expect no digest. */
static void a_schema_5_store_is_migrated(void **state)
{
	struct harness *h = *state;
	char db[400], kept[65] = "x";
	bgcopy_engine *e;
	bgcopy_job *job;

	harness_store_with_a_job(h);
	snprintf(db, sizeof(db), "%s/jobs.db", h->store);
	/* What schema 5 lacked: 6's digest and 7's credentials and headers. */
	harness_exec_sql(db, "ALTER TABLE files DROP COLUMN sha256;"
			 HARNESS_DROP_TO_SCHEMA_6
			 "PRAGMA user_version=5;");
	e = harness_reopen(h, SHORT);
	assert_int_equal(bgcopy_engine_list_jobs(e, &job, 1), 1);
	assert_int_equal(bgcopy_job_get_file_sha256(job, 0, kept, sizeof(kept)),
			 BGCOPY_OK);
	assert_string_equal(kept, "");
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

/* A stored digest that is not one would let the file pass unchecked:
 * the store is refused, and left as it was. */
static void an_unreadable_stored_digest_is_refused(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = NULL;
	char db[400];

	harness_store_with_a_job(h);
	harness_store_let_go(h);	/* a daemon's engine would not see the edit */
	snprintf(db, sizeof(db), "%s/jobs.db", h->store);
	harness_exec_sql(db, "UPDATE files SET sha256 = 'not a digest';");
	assert_int_equal(bgcopy_engine_open(h->store, NULL, &e), BGCOPY_E_STORE);
	assert_non_null(strstr(bgcopy_last_error(), "unreadable SHA-256"));
	harness_exec_sql(db, "UPDATE files SET sha256 = '';");
	e = harness_reopen(h, SHORT);
	bgcopy_engine_close(e);
}

/* Both setters are properties like the others: each arms JobModification. */
static void redirect_policy_and_time_limit_arm_modification(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, SHORT);
	struct probe *p = probe_new();
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "props", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_modification_interval_ms(job, 0), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_interface(job, &p->base), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_notify_flags(job, BGCOPY_NOTIFY_JOB_MODIFICATION),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_engine_wait_idle(e, WAIT_MS), BGCOPY_OK);
	assert_int_equal(probe_calls(p, M), 0);
	assert_int_equal(bgcopy_job_set_redirect_policy(job, BGCOPY_REDIRECT_DISALLOW),
			 BGCOPY_OK);
	assert_true(probe_wait_calls(p, M, 1, WAIT_MS));
	assert_int_equal(bgcopy_job_set_notify_cmdline_timeout(job, 7), BGCOPY_OK);
	assert_true(probe_wait_calls(p, M, 2, WAIT_MS));
	assert_int_equal(bgcopy_job_set_redirect_policy(job, 9), BGCOPY_E_INVALID_ARG);
	assert_int_equal(bgcopy_job_get_redirect_policy(job), BGCOPY_REDIRECT_DISALLOW);
	assert_int_equal(bgcopy_job_get_notify_cmdline_timeout(job), 7);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
	probe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_right_digest_transfers),
		cmocka_unit_test(a_wrong_digest_is_a_permanent_error),
		cmocka_unit_test(complete_after_a_mismatch_commits_nothing),
		cmocka_unit_test(a_digest_that_is_not_hex_is_refused),
		cmocka_unit_test(the_digest_survives_a_restart),
		cmocka_unit_test(a_schema_5_store_is_migrated),
		cmocka_unit_test(an_unreadable_stored_digest_is_refused),
		cmocka_unit_test(redirect_policy_and_time_limit_arm_modification),
	};

	return cmocka_run_group_tests_name("checksums", tests, probe_group_setup,
					   harness_group_teardown);
}
