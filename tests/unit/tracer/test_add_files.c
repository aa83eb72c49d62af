/*
 * bgcopy_job_add_files: many files in one call, all or none, stored in
 * one transaction and restored after a reopen.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

#define MANY 150

struct list {
	char *urls[MANY], *paths[MANY];
};

/* Files NAME.0 .. NAME.(n-1), all from /a.bin. */
static void make_list(struct harness *h, struct list *l, const char *name, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char out[64];

		snprintf(out, sizeof(out), "%s.%u", name, i);
		l->urls[i] = strdup(harness_url(h, "/a.bin"));
		l->paths[i] = strdup(harness_out(h, out));
	}
}

static void free_list(struct list *l, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(l->urls[i]);
		free(l->paths[i]);
	}
}

static void many_files_in_one_call_are_stored_and_transferred(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	struct bgcopy_file_info f;
	struct list l;
	bgcopy_job *job;
	char id[37];

	harness_make_file(h, "a.bin", 3000);
	make_list(h, &l, "many", MANY);
	assert_int_equal(bgcopy_job_create(e, "many", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_files(job, MANY, (const char *const *)l.urls,
					      (const char *const *)l.paths), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(harness_progress(job).files_total, MANY);
	assert_int_equal(bgcopy_job_get_file(job, MANY - 1, &f), BGCOPY_OK);
	assert_string_equal(f.local_path, l.paths[MANY - 1]);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 30000));
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	for (unsigned i = 0; i < MANY; i += MANY / 3)
		assert_true(harness_same(h, "a.bin", l.paths[i]));
	for (unsigned i = 0; i < MANY; i++)
		remove(l.paths[i]);
	free_list(&l, MANY);
	bgcopy_engine_close(e);
}

/* The first file refused names its place in the list; none is added and
 * every destination of the list is free again. */
static void one_refused_file_adds_none(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	struct list l;
	bgcopy_job *job, *other;
	char *url;

	make_list(h, &l, "some", 10);
	url = l.urls[7];
	l.urls[7] = strdup("gopher://127.0.0.1/x");
	assert_int_equal(bgcopy_job_create(e, "some", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/a.bin"),
					     harness_out(h, "kept")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_files(job, 10, (const char *const *)l.urls,
					      (const char *const *)l.paths),
			 BGCOPY_E_INVALID_ARG);
	if (!strstr(bgcopy_last_error(), "file 8 of 10: ") ||
	    !strstr(bgcopy_last_error(), "gopher") ||
	    !strstr(bgcopy_last_error(), "nothing was added"))
		fail_msg("error '%s'", bgcopy_last_error());
	assert_int_equal(harness_progress(job).files_total, 1);
	/* A destination twice in one list is refused too. */
	free(l.urls[7]);
	l.urls[7] = url;
	free(l.paths[9]);
	l.paths[9] = strdup(l.paths[0]);
	assert_int_equal(bgcopy_job_add_files(job, 10, (const char *const *)l.urls,
					      (const char *const *)l.paths),
			 BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "file 10 of 10: "));
	assert_int_equal(harness_progress(job).files_total, 1);
	/* A directory is checked for each file that has its own, though
	 * the files before shared one that passed. */
	free(l.paths[9]);
	l.paths[9] = strdup(harness_out(h, "missing/some.9"));
	assert_int_equal(bgcopy_job_add_files(job, 10, (const char *const *)l.urls,
					      (const char *const *)l.paths),
			 BGCOPY_E_INVALID_ARG);
	if (!strstr(bgcopy_last_error(), "file 10 of 10: ") ||
	    !strstr(bgcopy_last_error(), "does not exist"))
		fail_msg("error '%s'", bgcopy_last_error());
	assert_int_equal(harness_progress(job).files_total, 1);
	assert_int_equal(bgcopy_job_create(e, "other", &other), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_files(other, 9, (const char *const *)l.urls,
					      (const char *const *)l.paths), BGCOPY_OK);
	assert_int_equal(harness_progress(other).files_total, 9);
	bgcopy_job_cancel(job);
	bgcopy_job_cancel(other);
	free_list(&l, 10);
	bgcopy_engine_close(e);
}

static void a_list_past_the_cap_adds_none(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options opt = { .max_files_per_job = 5 };
	bgcopy_engine *e = harness_engine_with(h, &opt);
	struct list l;
	bgcopy_job *job;

	make_list(h, &l, "cap", 6);
	assert_int_equal(bgcopy_job_create(e, "cap", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_files(job, 2, (const char *const *)l.urls,
					      (const char *const *)l.paths), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_files(job, 4, (const char *const *)l.urls + 2,
					      (const char *const *)l.paths + 2), BGCOPY_E_LIMIT);
	assert_non_null(strstr(bgcopy_last_error(), "4 more do not fit"));
	assert_int_equal(harness_progress(job).files_total, 2);
	assert_int_equal(bgcopy_job_add_files(job, 3, (const char *const *)l.urls + 2,
					      (const char *const *)l.paths + 2), BGCOPY_OK);
	assert_int_equal(harness_progress(job).files_total, 5);
	bgcopy_job_cancel(job);
	free_list(&l, 6);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(many_files_in_one_call_are_stored_and_transferred),
		cmocka_unit_test(one_refused_file_adds_none),
		cmocka_unit_test(a_list_past_the_cap_adds_none),
	};

	return cmocka_run_group_tests_name("add files", tests, harness_group_setup,
					   harness_group_teardown);
}
