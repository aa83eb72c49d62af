/*
 * A job's TLS settings: what is refused and why, how BITS' redirect bits
 * map onto the redirect policy, what survives a restart and a schema-9
 * store's migration, what take-ownership drops, a self-signed server
 * refused (context TLS) unless the job skips server verification,
 * files gone or swapped for a FIFO after they were set, and a hung open
 * that holds no lock.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define WAIT_MS 60000

struct tls_files {
	char cert[400], key[400], open_key[400], ca[400], crl[400];
};

/* Files to name: what they hold is read only when a transfer connects. */
static void make_files(struct harness *h, struct tls_files *f)
{
	const struct { char *path; const char *name; mode_t mode; } files[] = {
		{ f->cert, "cert.pem", 0644 }, { f->key, "key.pem", 0600 },
		{ f->open_key, "open.pem", 0644 }, { f->ca, "ca.pem", 0644 },
		{ f->crl, "crl.pem", 0644 },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *out;

		snprintf(files[i].path, 400, "%s/%s", h->dir, files[i].name);
		out = fopen(files[i].path, "w");
		assert_non_null(out);
		fputs("-----BEGIN NOTHING-----\n", out);
		fclose(out);
		assert_int_equal(chmod(files[i].path, files[i].mode), 0);
	}
}

static void assert_paths(bgcopy_job *job, const char *cert, const char *key,
			 const char *ca, const char *crl)
{
	char a[400], b[400];

	assert_int_equal(bgcopy_job_get_client_certificate(job, a, sizeof(a), b, sizeof(b)),
			 BGCOPY_OK);
	assert_string_equal(a, cert);
	assert_string_equal(b, key);
	assert_int_equal(bgcopy_job_get_ca_file(job, a, sizeof(a)), BGCOPY_OK);
	assert_string_equal(a, ca);
	assert_int_equal(bgcopy_job_get_crl_file(job, a, sizeof(a)), BGCOPY_OK);
	assert_string_equal(a, crl);
}

static void assert_refused(int status, const char *why)
{
	assert_int_equal(status, BGCOPY_E_INVALID_ARG);
	if (!strstr(bgcopy_last_error(), why))
		fail_msg("'%s' does not say '%s'", bgcopy_last_error(), why);
}

static void what_cannot_be_honoured_is_refused(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	struct tls_files f;
	bgcopy_job *job;
	char small[4];

	make_files(h, &f);
	assert_int_equal(bgcopy_job_create(e, "refusals", &job), BGCOPY_OK);
	assert_refused(bgcopy_job_set_client_certificate(job, "cert.pem", NULL),
		       "not an absolute path");
	assert_refused(bgcopy_job_set_ca_file(job, "/nonexistent/ca.pem"), "cannot read the CA file");
	assert_refused(bgcopy_job_set_crl_file(job, h->dir), "not a regular file");
	assert_refused(bgcopy_job_set_client_certificate(job, f.cert, f.open_key), "chmod 600");
	assert_refused(bgcopy_job_set_client_certificate(job, NULL, f.key), "goes with a client");
	assert_refused(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_IGNORE_UNKNOWN_CA),
		       "ignore-unknown-ca cannot be honoured");
	assert_refused(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_IGNORE_DATE_INVALID |
						      BGCOPY_SECURITY_IGNORE_CN_INVALID),
		       "ignore-date-invalid cannot be honoured");
	assert_refused(bgcopy_job_set_security_flags(job, 0x40000), "unknown security flags");
	assert_refused(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_REDIRECT_DISALLOW |
						      BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP),
		       "redirect policy 0x200 with allow-https-to-http");
	assert_refused(bgcopy_job_set_security_flags(job, 0x300), "redirect policy 0x300");
	assert_refused(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_CHECK_REVOCATION),
		       "needs the job's CRL file");
	assert_int_equal(bgcopy_job_get_security_flags(job), 0);
	assert_paths(job, "", "", "", "");

	assert_int_equal(bgcopy_job_set_crl_file(job, f.crl), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_CHECK_REVOCATION),
			 BGCOPY_OK);
	assert_refused(bgcopy_job_set_crl_file(job, NULL), "clear check-revocation first");
	assert_int_equal(bgcopy_job_get_crl_file(job, small, sizeof(small)), BGCOPY_E_LIMIT);
	assert_int_equal(bgcopy_job_set_client_certificate(job, f.cert, f.key), BGCOPY_OK);
	/* Clearing the certificate clears its key. */
	assert_int_equal(bgcopy_job_set_client_certificate(job, "", NULL), BGCOPY_OK);
	assert_paths(job, "", "", "", f.crl);
	assert_int_equal(bgcopy_job_set_security_flags(job, 0), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_crl_file(job, ""), BGCOPY_OK);
	assert_paths(job, "", "", "", "");
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_ca_file(job, f.ca), BGCOPY_E_INVALID_STATE);
	bgcopy_engine_close(e);
}

/* BITS' redirect bits are the job's redirect policy, both ways. */
static void redirect_bits_are_the_redirect_policy(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "redirects", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_REDIRECT_DISALLOW |
						      BGCOPY_SECURITY_IGNORE_CN_INVALID), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_redirect_policy(job), BGCOPY_REDIRECT_DISALLOW);
	assert_int_equal(bgcopy_job_get_security_flags(job), BGCOPY_SECURITY_REDIRECT_DISALLOW |
			 BGCOPY_SECURITY_IGNORE_CN_INVALID);
	assert_int_equal(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_REDIRECT_ALLOW_REPORT |
						      BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_redirect_policy(job), BGCOPY_REDIRECT_ALLOW_INSECURE);
	assert_int_equal(bgcopy_job_get_security_flags(job),
			 BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP);
	assert_int_equal(bgcopy_job_set_redirect_policy(job, BGCOPY_REDIRECT_DISALLOW), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_security_flags(job), BGCOPY_SECURITY_REDIRECT_DISALLOW);
	assert_int_equal(bgcopy_job_set_security_flags(job, BGCOPY_SECURITY_REDIRECT_ALLOW_REPORT),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_redirect_policy(job), BGCOPY_REDIRECT_ALLOW);
	assert_int_equal(bgcopy_job_get_security_flags(job), 0);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	bgcopy_engine_close(e);
}

/* Stored as paths and flags; a schema-9 store migrates to none;
 * take-ownership drops the certificate, not the CA. */
static void tls_settings_survive_a_restart(void **state)
{
	harness_skip_through_daemon(HARNESS_EDITS_THE_STORE);
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	struct tls_files f;
	bgcopy_job *job, *old;
	char id[37], old_id[37], sql[400];
	const uint32_t flags = BGCOPY_SECURITY_CHECK_REVOCATION |
			       BGCOPY_SECURITY_NO_SERVER_VERIFICATION;

	make_files(h, &f);
	assert_int_equal(bgcopy_job_create(e, "old", &old), BGCOPY_OK);
	bgcopy_job_get_id(old, old_id);
	bgcopy_engine_close(e);
	snprintf(sql, sizeof(sql), "%s/jobs.db", h->store);
	harness_exec_sql(sql, HARNESS_DROP_TO_SCHEMA_9 "PRAGMA user_version=9;");
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, old_id, &old), BGCOPY_OK);
	assert_paths(old, "", "", "", "");
	assert_int_equal(bgcopy_job_get_security_flags(old), 0);
	assert_int_equal(bgcopy_job_create(e, "tls", &job), BGCOPY_OK);
	bgcopy_job_get_id(job, id);
	assert_int_equal(bgcopy_job_set_client_certificate(job, f.cert, f.key), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_ca_file(job, f.ca), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_crl_file(job, f.crl), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_security_flags(job, flags), BGCOPY_OK);
	bgcopy_engine_close(e);

	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_paths(job, f.cert, f.key, f.ca, f.crl);
	assert_int_equal(bgcopy_job_get_security_flags(job), flags);
	assert_int_equal(bgcopy_engine_find_job(e, old_id, &old), BGCOPY_OK);
	assert_paths(old, "", "", "", "");
	if (geteuid() == 0) {
		assert_int_equal(bgcopy_job_take_ownership(job, 0), BGCOPY_OK);
		assert_paths(job, "", "", f.ca, f.crl);
	}
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_cancel(old), BGCOPY_OK);
	bgcopy_engine_close(e);
}

static bgcopy_job *start(bgcopy_engine *e, const char *url, const char *out, uint32_t flags)
{
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "tls", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, url, out), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_security_flags(job, flags), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	return job;
}

/* testd's certificate is self-signed: refused by the handshake, with
 * the context TLS, unless the job says to skip the server's checks. */
static void a_self_signed_server_is_an_error_of_context_tls(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	struct bgcopy_error err;
	bgcopy_job *strict, *lax;
	int port, wstatus;
	pid_t server = harness_start_tls(h, &port);
	char url[128];

	harness_make_file(h, "tls.bin", 20000);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/tls.bin", port);
	strict = start(e, url, harness_out(h, "strict.bin"), 0);
	lax = start(e, url, harness_out(h, "lax.bin"), BGCOPY_SECURITY_NO_SERVER_VERIFICATION);
	assert_true(harness_wait_state(strict, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(strict, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_TLS);
	assert_non_null(strstr(err.description, "TLS handshake failed: "));
	assert_true(harness_wait_state(lax, BGCOPY_TRANSFERRED, WAIT_MS));
	assert_int_equal(bgcopy_job_complete(lax), BGCOPY_OK);
	assert_true(harness_same(h, "tls.bin", harness_out(h, "lax.bin")));
	assert_int_equal(bgcopy_job_cancel(strict), BGCOPY_OK);
	bgcopy_engine_close(e);
	kill(server, SIGTERM);
	waitpid(server, &wstatus, 0);
}

static void assert_tls_error(bgcopy_job *job, const char *why)
{
	struct bgcopy_error err;

	assert_true(harness_wait_state(job, BGCOPY_ERROR, WAIT_MS));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_TLS);
	if (!strstr(err.description, why))
		fail_msg("'%s' does not say '%s'", err.description, why);
}

/* The files are opened before each transfer, not only when set: one
 * gone by then fails the job, naming it and why, before any request; a
 * FIFO in a file's place is refused, not waited on. */
static void files_changed_after_they_were_set_fail_the_transfer(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	struct tls_files f;
	bgcopy_job *gone, *fifo;
	const char *url = "https://127.0.0.1:1/never.bin";	/* never asked */
	char why[600];

	make_files(h, &f);
	assert_int_equal(bgcopy_job_create(e, "gone", &gone), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(gone, url, harness_out(h, "gone.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_client_certificate(gone, f.cert, f.key), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "fifo", &fifo), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(fifo, url, harness_out(h, "fifo.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_ca_file(fifo, f.ca), BGCOPY_OK);
	assert_int_equal(unlink(f.key), 0);
	assert_int_equal(unlink(f.ca), 0);
	assert_int_equal(mkfifo(f.ca, 0644), 0);
	assert_int_equal(bgcopy_job_resume(gone), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(fifo), BGCOPY_OK);
	snprintf(why, sizeof(why), "cannot read the private key '%s': No such file or directory",
		 f.key);
	assert_tls_error(gone, why);
	snprintf(why, sizeof(why), "the CA file '%s' is not a regular file", f.ca);
	assert_tls_error(fifo, why);
	assert_int_equal(bgcopy_job_cancel(gone), BGCOPY_OK);
	assert_int_equal(bgcopy_job_cancel(fifo), BGCOPY_OK);
	bgcopy_engine_close(e);
}

/* The files are opened with the engine's lock let go: a hung mount a
 * user names stalls no call, and a job cancelled meanwhile starts no
 * transfer once the open returns. */
static void a_hung_tls_open_stalls_no_call(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e;
	char ca[400];
	bgcopy_job *job;
	long before;
	FILE *out;
	int files = harness_out_count(h);

	setenv("BGCOPY_TEST_SLOW_TLS_OPEN_MS", "6000", 1);
	e = harness_engine(h, 0);
	snprintf(ca, sizeof(ca), "%s/hung-ca.pem", h->dir);
	assert_non_null(out = fopen(ca, "w"));
	fclose(out);
	assert_int_equal(bgcopy_job_create(e, "hung", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, "https://127.0.0.1:1/never.bin",
					     harness_out(h, "hung.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_ca_file(job, ca), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_CONNECTING, WAIT_MS));
	harness_sleep_ms(300);		/* inside the open */
	before = harness_now_ms();
	assert_int_equal(bgcopy_engine_list_jobs(e, NULL, 0), 1);
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	/* Half the open's time: a lock held through it would take all. */
	assert_true(harness_now_ms() - before < 3000);
	bgcopy_engine_close(e);		/* waits for the open to return */
	unsetenv("BGCOPY_TEST_SLOW_TLS_OPEN_MS");
	assert_int_equal(harness_out_count(h), files);	/* no temporary file */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(what_cannot_be_honoured_is_refused),
		cmocka_unit_test(redirect_bits_are_the_redirect_policy),
		cmocka_unit_test(tls_settings_survive_a_restart),
		cmocka_unit_test(a_self_signed_server_is_an_error_of_context_tls),
		cmocka_unit_test(files_changed_after_they_were_set_fail_the_transfer),
		cmocka_unit_test(a_hung_tls_open_stalls_no_call),
	};

	return cmocka_run_group_tests_name("tls", tests, harness_group_setup,
					   harness_group_teardown);
}
