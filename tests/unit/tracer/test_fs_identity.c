/*
 * fs_identity.c itself: as root, a thread that takes nobody's identity is
 * refused root's files and makes files of nobody's, until it gives the
 * identity back; the other threads stay root meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <semaphore.h>
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

#include "internal.h"

struct fixture {
	char dir[64];		/* root's, 0711: nobody may pass, not list */
	char secret[96];	/* root's, 0600 */
	char open_dir[96];	/* 0777: anyone may create in it */
	struct fs_identity nobody;
};

static int setup(void **state)
{
	static struct fixture f;
	struct passwd *pw = getpwnam("nobody");
	int fd;

	if (geteuid() != 0 || !pw)
		return 0;	/* each test skips */
	snprintf(f.dir, sizeof(f.dir), "/tmp/bgcopy-fs-identity-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	assert_int_equal(chmod(f.dir, 0711), 0);
	snprintf(f.secret, sizeof(f.secret), "%s/secret", f.dir);
	fd = open(f.secret, O_CREAT | O_EXCL | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(f.open_dir, sizeof(f.open_dir), "%s/open", f.dir);
	assert_int_equal(mkdir(f.open_dir, 0777), 0);
	assert_int_equal(chmod(f.open_dir, 0777), 0);
	assert_int_equal(fs_identity_lookup(pw->pw_uid, &f.nobody, NULL, 0), BGCOPY_OK);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (f) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		assert_int_equal(system(cmd), 0);
	}
	return 0;
}

static struct fixture *fixture_or_skip(void **state)
{
	if (!*state) {
		print_message("needs root and a nobody user\n");
		skip();
	}
	return *state;
}

static bool can_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void an_owner_is_looked_up_with_groups_and_home(void **state)
{
	struct fixture *f = fixture_or_skip(state);
	struct passwd *pw = getpwnam("nobody");
	struct fs_identity id;
	char home[256];
	bool has_primary = false;

	assert_int_equal(fs_identity_lookup(pw->pw_uid, &id, home, sizeof(home)), BGCOPY_OK);
	assert_int_equal(id.uid, pw->pw_uid);
	assert_int_equal(id.gid, pw->pw_gid);
	for (int i = 0; i < id.ngroups; i++)
		has_primary = has_primary || id.groups[i] == pw->pw_gid;
	assert_true(has_primary);
	assert_string_equal(home, pw->pw_dir);
	assert_int_equal(f->nobody.uid, pw->pw_uid);
}

static void an_unknown_owner_is_refused_by_its_uid(void **state)
{
	struct fs_identity id;
	uid_t unknown = 3999999999u;

	fixture_or_skip(state);
	assert_null(getpwuid(unknown));
	assert_int_equal(fs_identity_lookup(unknown, &id, NULL, 0), BGCOPY_E_INVALID_STATE);
	assert_non_null(strstr(bgcopy_last_error(), "uid 3999999999 has no passwd entry"));
}

static void as_nobody_roots_file_is_denied_until_given_back(void **state)
{
	struct fixture *f = fixture_or_skip(state);
	gid_t before[64], after[64];
	int nbefore = getgroups(64, before), nafter;
	bool opened_as_nobody;
	int denied_with;
	uid_t nobody_uid;
	struct as_owner as;

	assert_true(can_open(f->secret));
	assert_int_equal(as_owner_begin(&f->nobody, &as), BGCOPY_OK);
	/* Asserted once given back: a failure must not leave this thread nobody. */
	nobody_uid = fs_uid();
	opened_as_nobody = can_open(f->secret);
	denied_with = errno;
	as_owner_end(&as);
	assert_int_equal(nobody_uid, f->nobody.uid);
	assert_false(opened_as_nobody);
	assert_int_equal(denied_with, EACCES);
	assert_int_equal(fs_uid(), 0);
	assert_true(can_open(f->secret));
	nafter = getgroups(64, after);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, (size_t)nbefore * sizeof(gid_t));
}

static void files_made_as_nobody_are_nobodys(void **state)
{
	struct fixture *f = fixture_or_skip(state);
	char path[128];
	struct as_owner as;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/made", f->open_dir);
	assert_int_equal(as_owner_begin(&f->nobody, &as), BGCOPY_OK);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	as_owner_end(&as);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	assert_int_equal(st.st_uid, f->nobody.uid);
	assert_int_equal(st.st_gid, f->nobody.gid);
}

/* The other thread holds nobody's identity between the two posts. */
struct other {
	struct fixture *f;
	sem_t switched, checked;
	int status;
};

static void *as_nobody_meanwhile(void *arg)
{
	struct other *o = arg;
	struct as_owner as;

	o->status = as_owner_begin(&o->f->nobody, &as);
	sem_post(&o->switched);
	if (o->status == BGCOPY_OK) {
		while (sem_wait(&o->checked) != 0)
			;
		o->status = can_open(o->f->secret) ? -1 : BGCOPY_OK;
		as_owner_end(&as);
	}
	return NULL;
}

static void another_thread_switched_leaves_this_one_root(void **state)
{
	struct other o = { .f = fixture_or_skip(state) };
	gid_t before[64], during[64];
	int nbefore = getgroups(64, before);
	pthread_t t;

	sem_init(&o.switched, 0, 0);
	sem_init(&o.checked, 0, 0);
	assert_int_equal(pthread_create(&t, NULL, as_nobody_meanwhile, &o), 0);
	while (sem_wait(&o.switched) != 0)
		;
	assert_int_equal(o.status, BGCOPY_OK);
	assert_int_equal(fs_uid(), 0);
	assert_true(can_open(o.f->secret));
	/* glibc's setgroups() would have changed this thread's too. */
	assert_int_equal(getgroups(64, during), nbefore);
	assert_memory_equal(during, before, (size_t)nbefore * sizeof(gid_t));
	sem_post(&o.checked);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(o.status, BGCOPY_OK);	/* it was denied root's file */
	sem_destroy(&o.switched);
	sem_destroy(&o.checked);
}

static void roots_identity_or_none_switches_nothing(void **state)
{
	struct fixture *f = fixture_or_skip(state);
	struct fs_identity root = { .uid = 0, .gid = 0 };
	struct as_owner as;

	assert_int_equal(as_owner_begin(NULL, &as), BGCOPY_OK);
	assert_int_equal(fs_uid(), 0);
	assert_true(can_open(f->secret));
	as_owner_end(&as);
	assert_int_equal(as_owner_begin(&root, &as), BGCOPY_OK);
	assert_false(as.switched);
	assert_true(can_open(f->secret));
	as_owner_end(&as);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_owner_is_looked_up_with_groups_and_home),
		cmocka_unit_test(an_unknown_owner_is_refused_by_its_uid),
		cmocka_unit_test(as_nobody_roots_file_is_denied_until_given_back),
		cmocka_unit_test(files_made_as_nobody_are_nobodys),
		cmocka_unit_test(another_thread_switched_leaves_this_one_root),
		cmocka_unit_test(roots_identity_or_none_switches_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
