/*
 * Local files another user or an accident put in the way: a FIFO at a
 * temporary name is refused at once while the engine keeps serving other
 * jobs; a destination that is not a regular file is refused at add and
 * at commit; a temporary file replaced (a FIFO, a link, another file) is
 * not committed; a vanished temporary file is an error on complete, unless
 * a complete killed after its rename put it at the destination; one
 * destination belongs to one unfinished job.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

static void temp_name(struct harness *h, bgcopy_job *job, const char *name,
		      char *out, size_t size)
{
	char id[37];

	bgcopy_job_get_id(job, id);
	snprintf(out, size, "%s/.%s.%.8s-0.bgcopy-tmp", h->out, name, id);
}

static bool is_fifo(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* After `ms`, a child opens the FIFO with `flags` (and reads it to its
 * end when it may): an engine blocked on its other end is let go, so a
 * test of the old behaviour fails instead of hanging.  A child still
 * waiting for its own open is killed by the caller. */
static pid_t open_later(const char *fifo, long ms, int flags)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[4096];
		int fd;

		harness_sleep_ms(ms);
		fd = open(fifo, flags);
		while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	return pid;
}

/* Another job is fetched, committed and whole within `ms`: no thread of
 * the engine is blocked. */
static void another_job_is_served(struct harness *h, bgcopy_engine *e, long ms)
{
	bgcopy_job *other;

	assert_int_equal(bgcopy_job_create(e, "other", &other), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(other, harness_url(h, "/other.bin"),
					     harness_out(h, "other.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(other), BGCOPY_OK);
	assert_true(harness_wait_state(other, BGCOPY_TRANSFERRED, ms));
	assert_int_equal(bgcopy_job_complete(other), BGCOPY_OK);
	assert_true(harness_same(h, "other.bin", harness_out(h, "other.bin")));
	unlink(harness_out(h, "other.bin"));
}

static void a_fifo_at_the_temporary_name_is_refused_at_once(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *planted;
	struct bgcopy_progress p;
	struct bgcopy_error err;
	char temp[600];
	long begin;
	pid_t drain;

	harness_make_file(h, "planted.bin", 300000);
	harness_make_file(h, "other.bin", 20000);
	assert_int_equal(bgcopy_job_create(e, "planted", &planted), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(planted,
					     harness_url(h, "/fault/slow:100000/planted.bin"),
					     harness_out(h, "planted.bin")), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(planted), BGCOPY_OK);
	do {
		harness_sleep_ms(20);
		bgcopy_job_get_progress(planted, &p);
	} while (p.bytes_transferred == 0);
	assert_int_equal(bgcopy_job_suspend(planted), BGCOPY_OK);
	/* A FIFO where the resume will reopen its bytes. */
	temp_name(h, planted, "planted.bin", temp, sizeof(temp));
	assert_int_equal(unlink(temp), 0);
	assert_int_equal(mkfifo(temp, 0600), 0);
	drain = open_later(temp, 3000, O_RDONLY);
	assert_int_equal(bgcopy_job_resume(planted), BGCOPY_OK);
	harness_sleep_ms(100);

	begin = harness_now_ms();
	another_job_is_served(h, e, 10000);
	if (harness_now_ms() - begin > 1000)
		fail_msg("the other job took %ld ms", harness_now_ms() - begin);

	assert_true(harness_wait_state(planted, BGCOPY_ERROR, 5000));
	assert_int_equal(bgcopy_job_get_error(planted, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_LOCAL_FILE);
	assert_non_null(strstr(err.description, "is not a regular file of ours"));
	assert_true(is_fifo(temp));
	kill(drain, SIGKILL);
	waitpid(drain, NULL, 0);
	bgcopy_job_cancel(planted);
	unlink(temp);
	bgcopy_engine_close(e);
}

/* A new file's temporary file is made by its body's first write, most
 * often by a flush thread: a FIFO planted at the name fails the job
 * there, with the same words, and blocks no thread. */
static void a_fifo_at_a_new_files_temporary_name_is_refused(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, BGCOPY_TEST_SHORT_RETRY);
	bgcopy_job *job;
	struct bgcopy_error err;
	char temp[600];
	pid_t drain;

	harness_make_file(h, "new.bin", 3000);
	harness_make_file(h, "other.bin", 20000);
	assert_int_equal(bgcopy_job_create(e, "new", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/new.bin"),
					     harness_out(h, "new.bin")), BGCOPY_OK);
	temp_name(h, job, "new.bin", temp, sizeof(temp));
	assert_int_equal(mkfifo(temp, 0600), 0);
	drain = open_later(temp, 3000, O_RDONLY);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_ERROR, 2500));
	assert_int_equal(bgcopy_job_get_error(job, &err), BGCOPY_OK);
	assert_int_equal(err.context, BGCOPY_ERRCTX_LOCAL_FILE);
	assert_int_equal(err.file_index, 0);
	assert_non_null(strstr(err.description, "is not a regular file of ours"));
	assert_true(is_fifo(temp));
	/* The flush threads and the worker still serve another job. */
	another_job_is_served(h, e, 2500);
	kill(drain, SIGKILL);
	waitpid(drain, NULL, 0);
	bgcopy_job_cancel(job);
	unlink(temp);
	bgcopy_engine_close(e);
}

static void a_destination_that_is_not_a_regular_file_is_refused(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	const char *fifo = harness_out(h, "dest.fifo");
	bgcopy_job *job;
	char dest[600];

	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(bgcopy_job_create(e, "special", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/x"), fifo),
			 BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "is not a regular file"));
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/x"), "/dev/null"),
			 BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "is not a regular file"));
	assert_true(is_fifo(fifo));

	/* Planted after the add: refused again at commit, the job kept. */
	harness_make_file(h, "dest.bin", 5000);
	snprintf(dest, sizeof(dest), "%s", harness_out(h, "dest.bin"));
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/dest.bin"), dest),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 10000));
	assert_int_equal(mkfifo(dest, 0600), 0);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_E_IO);
	assert_non_null(strstr(bgcopy_last_error(), "not a regular file"));
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRED);
	assert_true(is_fifo(dest));
	assert_int_equal(unlink(dest), 0);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_true(harness_same(h, "dest.bin", dest));
	unlink(dest);
	unlink(fifo);
	bgcopy_engine_close(e);
}

static void a_vanished_temporary_file_is_an_error_on_complete(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	const char *dest = harness_out(h, "gone.bin");
	bgcopy_job *job;
	char temp[600], old[16] = "";
	FILE *f;

	harness_make_file(h, "gone.bin", 5000);
	assert_int_equal(bgcopy_job_create(e, "gone", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/gone.bin"), dest),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 10000));
	temp_name(h, job, "gone.bin", temp, sizeof(temp));
	assert_int_equal(unlink(temp), 0);
	/* An older file at the destination must not pass for the new one. */
	f = fopen(dest, "w");
	assert_non_null(f);
	fputs("older", f);
	fclose(f);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_E_IO);
	assert_non_null(strstr(bgcopy_last_error(), "is missing"));
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRED);
	f = fopen(dest, "r");
	assert_non_null(f);
	assert_non_null(fgets(old, sizeof(old), f));
	fclose(f);
	assert_string_equal(old, "older");
	assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
	unlink(dest);
	bgcopy_engine_close(e);
}

/* What someone who may write the directory puts at a finished file's
 * temporary name, before the complete. */
enum planted { PLANT_FIFO, PLANT_LINK, PLANT_OTHER_FILE };

static void plant(struct harness *h, const char *temp, enum planted what)
{
	FILE *f;
	char other[608];

	switch (what) {
	case PLANT_FIFO:
		assert_int_equal(unlink(temp), 0);
		assert_int_equal(mkfifo(temp, 0600), 0);
		break;
	case PLANT_LINK:
		snprintf(other, sizeof(other), "%s", harness_out(h, "target.bin"));
		f = fopen(other, "w");
		assert_non_null(f);
		fclose(f);
		assert_int_equal(unlink(temp), 0);
		assert_int_equal(symlink(other, temp), 0);
		break;
	case PLANT_OTHER_FILE:
		/* Same name, same size, another file: not the download.
		 * Renamed over it, since an unlinked file's inode number
		 * may be given to the next file made. */
		snprintf(other, sizeof(other), "%s.new", temp);
		f = fopen(other, "wx");
		assert_non_null(f);
		for (int i = 0; i < 5000; i++)
			fputc('x', f);
		fclose(f);
		assert_int_equal(rename(other, temp), 0);
		break;
	}
}

/* A finished file's temporary file replaced before the complete: the
 * complete returns at once (a FIFO does not make it wait for a writer),
 * commits nothing, not even the job's other file, and keeps the job. */
static void a_replaced_temporary_file_is_not_committed(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	char temp[600], first[600], dest[600];

	harness_make_file(h, "swapped.bin", 5000);
	harness_make_file(h, "first.bin", 3000);
	snprintf(first, sizeof(first), "%s", harness_out(h, "first.bin"));
	snprintf(dest, sizeof(dest), "%s", harness_out(h, "swapped.bin"));
	for (enum planted what = PLANT_FIFO; what <= PLANT_OTHER_FILE; what++) {
		bgcopy_job *job;
		struct stat st;
		pid_t release;
		long begin;

		assert_int_equal(bgcopy_job_create(e, "swapped", &job), BGCOPY_OK);
		assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/first.bin"), first),
				 BGCOPY_OK);
		assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/swapped.bin"), dest),
				 BGCOPY_OK);
		assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
		assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 10000));
		temp_name(h, job, "swapped.bin", temp, sizeof(temp));
		/* The second file's temporary name ends in -1. */
		temp[strlen(temp) - strlen("0.bgcopy-tmp")] = '1';
		plant(h, temp, what);
		release = open_later(temp, 3000, O_WRONLY);
		begin = harness_now_ms();
		assert_int_equal(bgcopy_job_complete(job), BGCOPY_E_IO);
		if (harness_now_ms() - begin > 1000)
			fail_msg("planted %d: the complete took %ld ms", what,
				 harness_now_ms() - begin);
		assert_non_null(strstr(bgcopy_last_error(), "is not the file bgcopy wrote"));
		assert_int_equal(bgcopy_job_get_state(job), BGCOPY_TRANSFERRED);
		assert_int_equal(lstat(dest, &st), -1);
		assert_int_equal(lstat(first, &st), -1);
		kill(release, SIGKILL);
		waitpid(release, NULL, 0);
		assert_int_equal(bgcopy_job_cancel(job), BGCOPY_OK);
		unlink(temp);
	}
	unlink(harness_out(h, "target.bin"));
	bgcopy_engine_close(e);
}

/* The bytes of `from` in a new file `to`. */
static void copy_to_new_file(const char *from, const char *to)
{
	char buf[4096];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wbx");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* What a complete killed between its rename and its record leaves: no
 * temporary file, the finished one at the destination, the store still
 * naming the temporary file.  Taken again, the complete knows its own
 * file by identity; a file of the same size and bytes is not it. */
static void a_complete_killed_after_its_rename_is_taken_again(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job, *other;
	char kept[600], copied[600], temp[600], other_temp[600], copy[608];
	char id[37], other_id[37];

	snprintf(kept, sizeof(kept), "%s", harness_out(h, "renamed.bin"));
	snprintf(copied, sizeof(copied), "%s", harness_out(h, "copied.bin"));
	harness_make_file(h, "renamed.bin", 5000);
	harness_make_file(h, "copied.bin", 5000);
	assert_int_equal(bgcopy_job_create(e, "renamed", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/renamed.bin"), kept),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "copied", &other), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(other, harness_url(h, "/copied.bin"), copied),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_resume(other), BGCOPY_OK);
	assert_true(harness_wait_state(job, BGCOPY_TRANSFERRED, 10000));
	assert_true(harness_wait_state(other, BGCOPY_TRANSFERRED, 10000));
	bgcopy_job_get_id(job, id);
	bgcopy_job_get_id(other, other_id);
	temp_name(h, job, "renamed.bin", temp, sizeof(temp));
	temp_name(h, other, "copied.bin", other_temp, sizeof(other_temp));
	bgcopy_engine_close(e);

	assert_int_equal(rename(temp, kept), 0);
	/* The other's bytes, through a copy: the same size, another file. */
	snprintf(copy, sizeof(copy), "%s.copy", copied);
	assert_int_equal(link(other_temp, copy), 0);
	assert_int_equal(rename(other_temp, copied), 0);
	assert_int_equal(unlink(copied), 0);
	copy_to_new_file(copy, copied);

	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_engine_find_job(e, id, &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_complete(job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_get_state(job), BGCOPY_ACKNOWLEDGED);
	assert_true(harness_same(h, "renamed.bin", kept));
	assert_int_equal(bgcopy_engine_find_job(e, other_id, &other), BGCOPY_OK);
	assert_int_equal(bgcopy_job_complete(other), BGCOPY_E_IO);
	assert_non_null(strstr(bgcopy_last_error(), "is missing"));
	assert_int_equal(bgcopy_job_get_state(other), BGCOPY_TRANSFERRED);
	assert_int_equal(bgcopy_job_cancel(other), BGCOPY_OK);
	unlink(kept);
	unlink(copied);
	unlink(copy);
	bgcopy_engine_close(e);
}

static void one_destination_belongs_to_one_unfinished_job(void **state)
{
	struct harness *h = *state;
	bgcopy_engine *e = harness_engine(h, 0);
	const char *dest = harness_out(h, "shared.bin");
	bgcopy_job *first, *second, *third;
	char id[37];

	harness_make_file(h, "shared.bin", 3000);
	assert_int_equal(bgcopy_job_create(e, "first", &first), BGCOPY_OK);
	assert_int_equal(bgcopy_job_create(e, "second", &second), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(first, harness_url(h, "/shared.bin"), dest),
			 BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(second, harness_url(h, "/shared.bin"), dest),
			 BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), "is already the destination"));
	assert_int_equal(bgcopy_job_add_file(first, harness_url(h, "/shared.bin"), dest),
			 BGCOPY_E_INVALID_ARG);
	/* Once the first job is over, the path is free again. */
	assert_int_equal(bgcopy_job_resume(first), BGCOPY_OK);
	assert_true(harness_wait_state(first, BGCOPY_TRANSFERRED, 10000));
	assert_int_equal(bgcopy_job_complete(first), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(second, harness_url(h, "/shared.bin"), dest),
			 BGCOPY_OK);
	bgcopy_job_get_id(second, id);
	/* A restored job holds its destinations as before. */
	bgcopy_engine_close(e);
	e = harness_reopen(h, 0);
	assert_int_equal(bgcopy_job_create(e, "third", &third), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(third, harness_url(h, "/shared.bin"), dest),
			 BGCOPY_E_INVALID_ARG);
	assert_non_null(strstr(bgcopy_last_error(), id));
	assert_int_equal(bgcopy_engine_find_job(e, id, &second), BGCOPY_OK);
	bgcopy_job_cancel(second);
	assert_int_equal(bgcopy_job_add_file(third, harness_url(h, "/shared.bin"), dest),
			 BGCOPY_OK);
	bgcopy_job_cancel(third);
	unlink(dest);
	bgcopy_engine_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_fifo_at_the_temporary_name_is_refused_at_once),
		cmocka_unit_test(a_fifo_at_a_new_files_temporary_name_is_refused),
		cmocka_unit_test(a_destination_that_is_not_a_regular_file_is_refused),
		cmocka_unit_test(a_vanished_temporary_file_is_an_error_on_complete),
		cmocka_unit_test(a_replaced_temporary_file_is_not_committed),
		cmocka_unit_test(a_complete_killed_after_its_rename_is_taken_again),
		cmocka_unit_test(one_destination_belongs_to_one_unfinished_job),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("local files", tests, harness_group_setup,
					   harness_group_teardown);
}
