/*
 * The engine's bandwidth schedule: what is taken, how it is kept (and
 * shown back), what is refused and why, and how it and the engine's
 * cap outlive the engine (the store's settings, schema 11); the schedule
 * in force is the business of tests/e2e/http_bandwidth_schedule.sh,
 * which reads the trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static void assert_kept(bgcopy_engine *e, const char *given, const char *kept)
{
	char out[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];

	assert_int_equal(bgcopy_engine_set_bandwidth_schedule(e, given), BGCOPY_OK);
	assert_int_equal(bgcopy_engine_get_bandwidth_schedule(e, out, sizeof(out)), BGCOPY_OK);
	assert_string_equal(out, kept);
}

static void assert_refused(bgcopy_engine *e, const char *given, int status, const char *why)
{
	char out[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];

	assert_int_equal(bgcopy_engine_set_bandwidth_schedule(e, given), status);
	if (!strstr(bgcopy_last_error(), why))
		fail_msg("'%s': '%s' does not say '%s'", given, bgcopy_last_error(), why);
	/* A refused schedule changes nothing. */
	assert_int_equal(bgcopy_engine_get_bandwidth_schedule(e, out, sizeof(out)), BGCOPY_OK);
	assert_string_equal(out, "mon 0-1 5");
}

static void schedules_are_kept_and_shown_back(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	char small[8];

	assert_kept(e, "mon-fri 8-18 2000000", "mon,tue,wed,thu,fri 8-18 2000000");
	assert_kept(e, " sat,sun 0-24 0 ;; fri-mon 22-24 100 ", "sun,sat 0-24 0; sun,mon,fri,sat 22-24 100");
	assert_kept(e, "* 0-24 18446744073709551615", "* 0-24 18446744073709551615");
	assert_kept(e, "MON 0-1 5", "mon 0-1 5");
	assert_int_equal(bgcopy_engine_get_bandwidth_schedule(e, small, sizeof(small)),
			 BGCOPY_E_LIMIT);
	bgcopy_engine_close(e);
}

static void bad_schedules_are_refused(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	char many[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 2] = "";

	assert_kept(e, "mon 0-1 5", "mon 0-1 5");
	assert_refused(e, "mon 0-1 5; tue 9-9 1", BGCOPY_E_INVALID_ARG, "entry 2: hours 9-9");
	assert_refused(e, "mon 0-25 1", BGCOPY_E_INVALID_ARG, "entry 1 is not 'DAYS FROM-TO");
	assert_refused(e, "mon 0-24 +1", BGCOPY_E_INVALID_ARG, "entry 1 is not");
	assert_refused(e, "mon 0-24 18446744073709551616", BGCOPY_E_INVALID_ARG, "entry 1 is not");
	assert_refused(e, "monday 0-24 1", BGCOPY_E_INVALID_ARG, "days are sun..sat");
	assert_refused(e, "mon-fr 0-24 1", BGCOPY_E_INVALID_ARG, "days are sun..sat");
	assert_refused(e, "monxfri 0-24 1", BGCOPY_E_INVALID_ARG, "days are sun..sat");
	assert_refused(e, "mon 0-24 1 2", BGCOPY_E_INVALID_ARG, "entry 1 is not");
	for (int i = 0; i < 17; i++)
		strcat(many, "mon 0-1 5;");
	assert_refused(e, many, BGCOPY_E_LIMIT, "at most 16 entries");
	memset(many, ' ', sizeof(many) - 1);
	many[sizeof(many) - 1] = '\0';
	assert_refused(e, many, BGCOPY_E_LIMIT, "more than 1024");
	assert_kept(e, NULL, "");
	assert_kept(e, "", "");
	bgcopy_engine_close(e);
}

/* Through bgcopyd too: the daemon that served the first engine exits
 * (harness_store_let_go) and the next one reads them from the store. */
static void the_cap_and_schedule_outlive_the_engine(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	char out[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];

	assert_int_equal(bgcopy_engine_set_max_bandwidth(e, 2000000), BGCOPY_OK);
	assert_kept(e, "mon-fri 8-18 1000", "mon,tue,wed,thu,fri 8-18 1000");
	bgcopy_engine_close(e);
	harness_store_let_go(h);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_get_max_bandwidth(e), 2000000);
	assert_int_equal(bgcopy_engine_get_bandwidth_schedule(e, out, sizeof(out)), BGCOPY_OK);
	assert_string_equal(out, "mon,tue,wed,thu,fri 8-18 1000");
	/* Cleared, they stay cleared. */
	assert_int_equal(bgcopy_engine_set_max_bandwidth(e, 0), BGCOPY_OK);
	assert_kept(e, "", "");
	bgcopy_engine_close(e);
	harness_store_let_go(h);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_get_max_bandwidth(e), 0);
	assert_int_equal(bgcopy_engine_get_bandwidth_schedule(e, out, sizeof(out)), BGCOPY_OK);
	assert_string_equal(out, "");
	bgcopy_engine_close(e);
}

/* A store of schema 10 has no settings: opened, it gets the table and the
 * defaults; a read-only engine shows what is stored and changes nothing;
 * a stored value that does not parse is left out. */
static void older_read_only_and_hostile_stores(void **state)
{
	struct harness *h = *state;
	struct bgcopy_engine_options ro = { .flags = BGCOPY_OPEN_READ_ONLY };
	bgcopy_engine *e = harness_engine(h, 0);
	char db[600], out[BGCOPY_BANDWIDTH_SCHEDULE_MAX + 1];

	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	bgcopy_engine_close(e);
	snprintf(db, sizeof(db), "%s/jobs.db", h->store);
	harness_exec_sql(db, HARNESS_DROP_TO_SCHEMA_10 "PRAGMA user_version=10;");
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_get_max_bandwidth(e), 0);
	assert_int_equal(bgcopy_engine_set_max_bandwidth(e, 5000), BGCOPY_OK);
	assert_kept(e, "sun 1-2 7", "sun 1-2 7");
	bgcopy_engine_close(e);

	e = harness_open(h, &ro);
	assert_int_equal(bgcopy_engine_get_max_bandwidth(e), 5000);
	assert_int_not_equal(bgcopy_engine_set_max_bandwidth(e, 9), BGCOPY_OK);
	assert_int_not_equal(bgcopy_engine_set_bandwidth_schedule(e, "mon 0-1 1"), BGCOPY_OK);
	bgcopy_engine_close(e);

	harness_exec_sql(db, "UPDATE settings SET value = '12x' WHERE name = 'max_bandwidth';"
			 "UPDATE settings SET value = 'mon 0-99 1' WHERE name = 'bandwidth_schedule';");
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_get_max_bandwidth(e), 0);
	assert_int_equal(bgcopy_engine_get_bandwidth_schedule(e, out, sizeof(out)), BGCOPY_OK);
	assert_string_equal(out, "");
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schedules_are_kept_and_shown_back),
		cmocka_unit_test(bad_schedules_are_refused),
		cmocka_unit_test(the_cap_and_schedule_outlive_the_engine),
		cmocka_unit_test(older_read_only_and_hostile_stores),
	};

	return cmocka_run_group_tests_name("schedule", tests, harness_group_setup,
					   harness_group_teardown);
}
