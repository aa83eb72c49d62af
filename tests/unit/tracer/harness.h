/*
 * Test harness: a private directory, a real test HTTP server (testd) on
 * 127.0.0.1 serving files from it, and helpers to wait for job states.
 */
#ifndef BGCOPY_TEST_HARNESS_H
#define BGCOPY_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bgcopy.h"

struct harness {
	char dir[256];		/* everything lives below it */
	char www[300];		/* what the server serves */
	char out[300];		/* where downloads go */
	char store[320];
	char log[300];		/* the server's request log */
	pid_t server;
	int port;
};

/* Starts the server; fails the test (cmocka) when it cannot. */
void harness_start(struct harness *h);
void harness_stop(struct harness *h);
/* A second server, HTTPS with a self-signed certificate; kill it with
 * SIGTERM when done. */
pid_t harness_start_tls(struct harness *h, int *port);
int harness_group_setup(void **state);
int harness_group_teardown(void **state);

/* Writes a file of `size` pseudo-random bytes under www/. */
void harness_make_file(struct harness *h, const char *name, size_t size);
/* URL of a path on the server ("/a.bin", "/fault/404/a.bin"). */
const char *harness_url(struct harness *h, const char *path);
/* Path under out/. */
const char *harness_out(struct harness *h, const char *name);
bool harness_same(struct harness *h, const char *name, const char *out_path);
bool harness_log_has(struct harness *h, const char *needle);
/* Lines of the server log holding `needle`. */
int harness_log_count(struct harness *h, const char *needle);
/* URL of a path on testd's raw port ("/raw/stall:5000/a.bin"), read from
 * the port file it writes beside its own. */
const char *harness_raw_url(struct harness *h, const char *path);
bool harness_exists(const char *path);
/* Files in out/ (temporary ones included). */
int harness_out_count(struct harness *h);
/* The job's progress, asserted read. */
struct bgcopy_progress harness_progress(bgcopy_job *job);

/* An engine on a fresh store (its path left in h->store). */
bgcopy_engine *harness_engine(struct harness *h, unsigned test_options);
bgcopy_engine *harness_engine_with(struct harness *h,
				   const struct bgcopy_engine_options *opt);
/* An engine on the store of the last harness_engine call. */
bgcopy_engine *harness_reopen(struct harness *h, unsigned test_options);
bgcopy_engine *harness_open(struct harness *h,
			    const struct bgcopy_engine_options *opt);
/* Order of the first GET of each path in the server log: index of `path`
 * among them, -1 when never asked. */
int harness_log_order(struct harness *h, const char *path);
/* A fresh store (h->store) holding one job with one file, closed. */
void harness_store_with_a_job(struct harness *h);
/* Runs SQL on a database file with a connection of its own; fails the
 * test when it cannot. */
void harness_exec_sql(const char *db_path, const char *sql);
/* The first column of the first row of a query (SELECT COUNT(*) ...). */
int harness_count_rows(const char *db_path, const char *sql);
/* h->store's database file. */
const char *harness_store_db(struct harness *h);
/* SQL that drops what store schema 9 (issue 16, the HTTP options)
 * added, to make an older store. */
#define HARNESS_DROP_HTTP_OPTIONS_9					\
	"ALTER TABLE jobs DROP COLUMN proxy_usage;"			\
	"ALTER TABLE jobs DROP COLUMN proxy_list;"			\
	"ALTER TABLE jobs DROP COLUMN proxy_bypass;"			\
	"ALTER TABLE jobs DROP COLUMN proxy_auth_scheme;"		\
	"ALTER TABLE jobs DROP COLUMN proxy_user;"			\
	"ALTER TABLE jobs DROP COLUMN proxy_password;"			\
	"ALTER TABLE jobs DROP COLUMN max_download_time_ms;"		\
	"ALTER TABLE jobs DROP COLUMN active_ms;"			\
	"ALTER TABLE jobs DROP COLUMN dynamic_content;"			\
	"ALTER TABLE jobs DROP COLUMN max_bandwidth;"			\
	"ALTER TABLE files DROP COLUMN response_headers;"
/* SQL that takes a store back to schema 12, 11, 10, 9, 7, then 6: what each
 * later schema added, dropped (the PRAGMA user_version is the test's). */
#define HARNESS_DROP_TO_SCHEMA_12					\
	"ALTER TABLE files DROP COLUMN temp_dev;"			\
	"ALTER TABLE files DROP COLUMN temp_ino;"
#define HARNESS_DROP_TO_SCHEMA_11					\
	"ALTER TABLE jobs DROP COLUMN parallel_files;"			\
	HARNESS_DROP_TO_SCHEMA_12
#define HARNESS_DROP_TO_SCHEMA_10					\
	"DROP TABLE settings;"						\
	HARNESS_DROP_TO_SCHEMA_11
#define HARNESS_DROP_TO_SCHEMA_9					\
	"ALTER TABLE jobs DROP COLUMN tls_client_cert;"			\
	"ALTER TABLE jobs DROP COLUMN tls_client_key;"			\
	"ALTER TABLE jobs DROP COLUMN tls_ca_file;"			\
	"ALTER TABLE jobs DROP COLUMN tls_crl_file;"			\
	"ALTER TABLE jobs DROP COLUMN security_flags;"			\
	HARNESS_DROP_TO_SCHEMA_10
#define HARNESS_DROP_TO_SCHEMA_7					\
	"ALTER TABLE jobs DROP COLUMN notify_service;"			\
	HARNESS_DROP_HTTP_OPTIONS_9					\
	HARNESS_DROP_TO_SCHEMA_9
#define HARNESS_DROP_TO_SCHEMA_6					\
	"ALTER TABLE jobs DROP COLUMN auth_scheme;"			\
	"ALTER TABLE jobs DROP COLUMN auth_user;"			\
	"ALTER TABLE jobs DROP COLUMN auth_password;"			\
	"ALTER TABLE jobs DROP COLUMN headers;"				\
	HARNESS_DROP_TO_SCHEMA_7
/* Whether the tests' engines are clients of bgcopyd (BGCOPY_SERVICE=1). */
bool harness_through_daemon(void);
/* Skips the calling test (cmocka counts it skipped) when its engines are
 * clients of bgcopyd (BGCOPY_SERVICE=1): it holds an assumption only an
 * embedded engine meets, which `why` names. */
void harness_skip_through_daemon(const char *why);
/* Returns once no process holds h->store (its engines closed): at once
 * when embedded, after the idle exit of the daemon that held it
 * (BGCOPYD_IDLE_EXIT); fails the test after a minute. */
void harness_store_let_go(struct harness *h);
/* bgcopyd serving h->store, if any, stopped (SIGTERM) and waited for
 * up to 5 s: its clients' connections are lost, the next test starts
 * afresh. */
void harness_stop_daemon(struct harness *h);
/* The reason of most: a test that changes a store's files between two
 * engines changes them under the daemon, which still holds the store. */
#define HARNESS_EDITS_THE_STORE "it changes the store's files, which the daemon holds open"
/* Polls until the job is in `state`; false after timeout_ms. */
bool harness_wait_state(bgcopy_job *job, enum bgcopy_state state, long timeout_ms);
/* Polls until the job owes none of the notifications in `flags`
 * (BGCOPY_NOTIFY_*); false after timeout_ms. */
bool harness_wait_owed_none(bgcopy_job *job, uint32_t flags, long timeout_ms);
void harness_sleep_ms(long ms);
long harness_now_ms(void);

#endif
