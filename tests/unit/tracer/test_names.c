/*
 * Names and numbers from outside: any byte string is a job name, kept
 * byte for byte across a restart; sizes from the store that no sum can
 * hold make an unknown total, not an overflow.
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
#include <sqlite3.h>

#include "harness.h"

/* Not UTF-8, with terminal escapes in it. */
static const char odd_name[] = "\xff\xfe caf\xc3 \x1b[31mred\x1b[0m \xc2\x9b";

static void any_byte_string_is_a_name(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;
	char id[37], name[256];

	assert_int_equal(bgcopy_job_create(e, odd_name, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_description(job, odd_name), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	bgcopy_job_get_display_name(job, name, sizeof(name));
	assert_memory_equal(name, odd_name, sizeof(odd_name));
	bgcopy_job_get_description(job, name, sizeof(name));
	assert_memory_equal(name, odd_name, sizeof(odd_name));
	bgcopy_engine_close(e);
}

static void sizes_no_sum_can_hold_make_an_unknown_total(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	struct bgcopy_progress p;
	bgcopy_job *job;
	char id[37], db_path[400];
	sqlite3 *db;

	assert_int_equal(bgcopy_job_create(e, "huge", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/a"),
					     harness_out(h, "a")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/b"),
					     harness_out(h, "b")), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	bgcopy_engine_close(e);
	harness_store_let_go(h);	/* a daemon's engine would not see the edit */
	snprintf(db_path, sizeof(db_path), "%s/jobs.db", h->store);
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE files SET"
				      " bytes_total = 9223372036854775807,"
				      " bytes_done = -1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_progress(job, &p), BGCOPY_OK);
	assert_int_equal(p.bytes_total, -1);
	assert_true(p.bytes_transferred == UINT64_MAX);
	bgcopy_job_cancel(job);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(any_byte_string_is_a_name),
		cmocka_unit_test(sizes_no_sum_can_hold_make_an_unknown_total),
	};

	return cmocka_run_group_tests_name("names", tests, harness_group_setup,
					   harness_group_teardown);
}
