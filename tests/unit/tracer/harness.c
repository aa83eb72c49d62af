/* See harness.h.  Each group gets a fresh directory and server. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"

long harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void testd_path(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	assert_true(n > 0);
	self[n] = '\0';
	snprintf(out, size, "%s/testd", dirname(self));
}

static void sub(char *out, size_t size, const struct harness *h, const char *name)
{
	snprintf(out, size, "%s/%s", h->dir, name);
	assert_int_equal(mkdir(out, 0700) == 0 || errno == EEXIST, 1);
}

/* Starts testd on `port_file` with extra arguments; returns its pid and
 * the port it picked. */
static pid_t start_testd(struct harness *h, const char *port_file,
			 const char *const *extra, int *port)
{
	char testd[PATH_MAX];
	const char *argv[16] = { testd, "--root", h->www, "--port-file", port_file,
				 "--log", h->log, "--max-seconds", "600" };
	size_t n = 9;
	pid_t pid;
	FILE *f;

	testd_path(testd, sizeof(testd));
	for (; extra && *extra && n < 15; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		execv(testd, (char *const *)argv);
		_exit(127);
	}
	*port = 0;
	for (int i = 0; i < 500 && !*port; i++) {
		f = fopen(port_file, "r");
		if (f) {
			if (fscanf(f, "%d", port) != 1)
				*port = 0;
			fclose(f);
		}
		if (!*port)
			harness_sleep_ms(10);
	}
	assert_true(*port > 0);
	return pid;
}

void harness_start(struct harness *h)
{
	char port_file[400];

	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/bgcopy-test-XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	sub(h->www, sizeof(h->www), h, "www");
	sub(h->out, sizeof(h->out), h, "out");
	snprintf(h->store, sizeof(h->store), "%s/store", h->dir);
	snprintf(h->log, sizeof(h->log), "%s/server.log", h->dir);
	snprintf(port_file, sizeof(port_file), "%s/port", h->dir);
	h->server = start_testd(h, port_file, NULL, &h->port);
}

pid_t harness_start_tls(struct harness *h, int *port)
{
	const char *extra[] = {
		"--tls-cert", BGCOPY_SOURCE_DIR "/tests/server/fixtures/self-signed.crt",
		"--tls-key", BGCOPY_SOURCE_DIR "/tests/server/fixtures/self-signed.key",
		NULL,
	};
	char port_file[400];

	snprintf(port_file, sizeof(port_file), "%s/tls-port", h->dir);
	return start_testd(h, port_file, extra, port);
}

static void remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char child[PATH_MAX];

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
			remove_tree(child);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

void harness_stop(struct harness *h)
{
	if (h->server > 0) {
		kill(h->server, SIGTERM);
		waitpid(h->server, NULL, 0);
	}
	if (h->dir[0])
		remove_tree(h->dir);
}

int harness_group_setup(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));

	if (!h)
		return -1;
	harness_start(h);
	*state = h;
	return 0;
}

int harness_group_teardown(void **state)
{
	harness_stop(*state);
	free(*state);
	return 0;
}

void harness_make_file(struct harness *h, const char *name, size_t size)
{
	char path[PATH_MAX];
	unsigned seed = (unsigned)size * 2654435761u;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", h->www, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++) {
		seed = seed * 1103515245u + 12345u + (unsigned)name[i % strlen(name)];
		fputc((int)(seed >> 16) & 0xff, f);
	}
	assert_int_equal(fclose(f), 0);
}

const char *harness_url(struct harness *h, const char *path)
{
	static __thread char url[512];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", h->port, path);
	return url;
}

const char *harness_out(struct harness *h, const char *name)
{
	static __thread char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", h->out, name);
	return path;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

bool harness_same(struct harness *h, const char *name, const char *out_path)
{
	char src[PATH_MAX];
	size_t la, lb;
	char *a, *b;
	bool same;

	snprintf(src, sizeof(src), "%s/%s", h->www, name);
	a = slurp(src, &la);
	b = slurp(out_path, &lb);
	same = a && b && la == lb && !memcmp(a, b, la);
	free(a);
	free(b);
	return same;
}

bool harness_log_has(struct harness *h, const char *needle)
{
	size_t len;
	char *text = slurp(h->log, &len);
	bool found = text && strstr(text, needle);

	free(text);
	return found;
}

int harness_log_count(struct harness *h, const char *needle)
{
	size_t len;
	char *text = slurp(h->log, &len), *line, *save = NULL;
	int n = 0;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		n += strstr(line, needle) != NULL;
	free(text);
	return n;
}

const char *harness_raw_url(struct harness *h, const char *path)
{
	static char url[512];
	char port_file[400];
	int raw = 0;
	FILE *f;

	snprintf(port_file, sizeof(port_file), "%s/port.raw", h->dir);
	f = fopen(port_file, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &raw), 1);
	fclose(f);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", raw, path);
	return url;
}

bool harness_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int harness_out_count(struct harness *h)
{
	DIR *d = opendir(h->out);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

struct bgcopy_progress harness_progress(bgcopy_job *job)
{
	struct bgcopy_progress p;

	assert_int_equal(bgcopy_job_get_progress(job, &p), BGCOPY_OK);
	return p;
}

bgcopy_engine *harness_engine(struct harness *h, unsigned test_options)
{
	struct bgcopy_engine_options opt = { .test_options = test_options };

	return harness_engine_with(h, &opt);
}

bgcopy_engine *harness_engine_with(struct harness *h,
				   const struct bgcopy_engine_options *opt)
{
	static int stores;

	snprintf(h->store, sizeof(h->store), "%s/store-%d", h->dir, ++stores);
	return harness_open(h, opt);
}

bgcopy_engine *harness_reopen(struct harness *h, unsigned test_options)
{
	struct bgcopy_engine_options opt = { .test_options = test_options };

	return harness_open(h, &opt);
}

bgcopy_engine *harness_open(struct harness *h,
			    const struct bgcopy_engine_options *opt)
{
	bgcopy_engine *engine = NULL;
	int status = bgcopy_engine_open(h->store, opt, &engine);

	if (status)
		fail_msg("engine_open: %s", bgcopy_last_error());
	return engine;
}

bool harness_through_daemon(void)
{
	const char *service = getenv("BGCOPY_SERVICE");

	/* The engine's reading of it (engine_api.c). */
	return service && *service && strcmp(service, "0");
}

void harness_skip_through_daemon(const char *why)
{
	if (!harness_through_daemon())
		return;
	print_message("embedded only: %s\n", why);
	skip();
}

void harness_store_let_go(struct harness *h)
{
	long deadline = harness_now_ms() + 60000;

	while (bgcopy_engine_store_holder(h->store)) {
		if (harness_now_ms() > deadline)
			fail_msg("%s is still held by pid %ld", h->store,
				 bgcopy_engine_store_holder(h->store));
		harness_sleep_ms(50);
	}
}

void harness_stop_daemon(struct harness *h)
{
	long pid = bgcopy_engine_store_holder(h->store);

	if (pid <= 0)
		return;
	kill((pid_t)pid, SIGTERM);
	for (int i = 0; i < 500 && kill((pid_t)pid, 0) == 0; i++)
		harness_sleep_ms(10);
}

bool harness_wait_state(bgcopy_job *job, enum bgcopy_state state, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (bgcopy_job_get_state(job) != state) {
		if (harness_now_ms() > deadline)
			return false;
		harness_sleep_ms(5);
	}
	return true;
}

bool harness_wait_owed_none(bgcopy_job *job, uint32_t flags, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (bgcopy_job_get_pending_notifications(job) & flags) {
		if (harness_now_ms() > deadline)
			return false;
		harness_sleep_ms(5);
	}
	return true;
}

int harness_log_order(struct harness *h, const char *path)
{
	size_t len;
	char *text = slurp(h->log, &len), *line, *save = NULL;
	char needle[512];
	int index = -1, n = 0;

	snprintf(needle, sizeof(needle), "GET %s ", path);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		if (!strncmp(line, needle, strlen(needle))) {
			index = n;
			break;
		}
	}
	free(text);
	return index;
}

void harness_exec_sql(const char *db_path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

const char *harness_store_db(struct harness *h)
{
	static char path[400];

	snprintf(path, sizeof(path), "%s/jobs.db", h->store);
	return path;
}

int harness_count_rows(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int n;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

void harness_store_with_a_job(struct harness *h)
{
	bgcopy_engine *e = harness_engine(h, 0);
	bgcopy_job *job;

	assert_int_equal(bgcopy_job_create(e, "kept", &job), BGCOPY_OK);
	assert_int_equal(bgcopy_job_add_file(job, harness_url(h, "/k"),
					     harness_out(h, "k")), BGCOPY_OK);
	bgcopy_engine_close(e);
}
