/* The notification tests' probe interface and their jobs. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "harness_probe.h"

/* Engine-wide concurrency, across every probe. */
static int global_running, global_max;
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;

static struct probe *P(struct bgcopy_callback *cb) { return (struct probe *)cb; }

static void probe_add_ref(struct bgcopy_callback *cb)
{
	__atomic_add_fetch(&P(cb)->refs, 1, __ATOMIC_SEQ_CST);
}

static void probe_release(struct bgcopy_callback *cb)
{
	__atomic_sub_fetch(&P(cb)->refs, 1, __ATOMIC_SEQ_CST);
}

static int probe_call(struct probe *p, bgcopy_job *job, int kind, int file)
{
	int result = 0, sleep_ms;

	pthread_mutex_lock(&global_lock);
	if (++global_running > global_max)
		global_max = global_running;
	pthread_mutex_unlock(&global_lock);

	pthread_mutex_lock(&p->lock);
	if (++p->running > p->max_running)
		p->max_running = p->running;
	if (p->calls[kind] < MAX_SEEN)
		p->begin_ms[kind][p->calls[kind]] = harness_now_ms();
	p->calls[kind]++;
	if (p->nseen < MAX_SEEN) {
		p->seen_file[p->nseen] = file;
		p->seen[p->nseen++] = kind;
	}
	if (kind != M && p->fail_first > 0) {
		p->fail_first--;
		result = 1;
	}
	if (kind == T && p->block) {
		p->blocked_inside = true;
		pthread_cond_broadcast(&p->cond);
		while (p->block)
			pthread_cond_wait(&p->cond, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);

	/* A test may change it while a call runs: read once, atomically. */
	sleep_ms = __atomic_load_n(&p->sleep_ms, __ATOMIC_RELAXED);
	if (sleep_ms)
		harness_sleep_ms(sleep_ms);
	if (p->inside)
		p->inside(p, job, kind);

	pthread_mutex_lock(&p->lock);
	p->running--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_lock(&global_lock);
	global_running--;
	pthread_mutex_unlock(&global_lock);
	return result;
}

static int on_transferred(struct bgcopy_callback *cb, bgcopy_job *job)
{
	return probe_call(P(cb), job, T, -1);
}

static int on_error(struct bgcopy_callback *cb, bgcopy_job *job,
		    const struct bgcopy_error *err)
{
	(void)err;
	return probe_call(P(cb), job, E, -1);
}

static int on_modification(struct bgcopy_callback *cb, bgcopy_job *job)
{
	return probe_call(P(cb), job, M, -1);
}

static int on_file(struct bgcopy_callback *cb, bgcopy_job *job, unsigned index)
{
	return probe_call(P(cb), job, F, (int)index);
}

static const struct bgcopy_callback_ops probe_ops = {
	.add_ref = probe_add_ref, .release = probe_release,
	.job_transferred = on_transferred, .job_error = on_error,
	.job_modification = on_modification, .file_transferred = on_file,
};

struct probe *probe_new(void)
{
	struct probe *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->base.ops = &probe_ops;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	return p;
}

void probe_free(struct probe *p)
{
	assert_int_equal(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 0);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int probe_calls(struct probe *p, int kind)
{
	int n;

	pthread_mutex_lock(&p->lock);
	n = p->calls[kind];
	pthread_mutex_unlock(&p->lock);
	return n;
}

bool probe_wait_calls(struct probe *p, int kind, int n, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (probe_calls(p, kind) < n) {
		if (harness_now_ms() > deadline)
			return false;
		harness_sleep_ms(5);
	}
	return true;
}

bool probe_wait_released(struct probe *p, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST) > 0) {
		if (harness_now_ms() > deadline)
			return false;
		harness_sleep_ms(5);
	}
	return true;
}

bgcopy_job *probe_job(struct harness *h, bgcopy_engine *e, const char *path,
		      int nfiles, uint32_t flags)
{
	char out[64];
	bgcopy_job *job;
	static int serial;

	assert_int_equal(bgcopy_job_create(e, "notify", &job), BGCOPY_OK);
	for (int i = 0; i < nfiles; i++) {
		snprintf(out, sizeof(out), "n%d-%d.bin", ++serial, i);
		assert_int_equal(bgcopy_job_add_file(job, harness_url(h, path),
						     harness_out(h, out)), BGCOPY_OK);
	}
	assert_int_equal(bgcopy_job_set_notify_flags(job, flags), BGCOPY_OK);
	assert_int_equal(bgcopy_job_set_min_retry_delay_ms(job, 300), BGCOPY_OK);
	return job;
}

void probe_job_finish(bgcopy_job *job)
{
	bgcopy_job_cancel(job);
	bgcopy_job_set_notify_interface(job, NULL);
}

int probe_group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (!rc) {
		harness_make_file(*state, "n.bin", 20000);
		harness_make_file(*state, "big.bin", 600000);
	}
	return rc;
}

char *probe_read_text(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

void probe_log_by_cmdline(struct harness *h, bgcopy_job *job,
			  const char *name, char *log, size_t size)
{
	char script[1200];
	const char *argv[] = { "/bin/sh", "-c", script, "notify", NULL };

	snprintf(log, size, "%s/%s", h->dir, name);
	snprintf(script, sizeof(script), "echo \"$2\" >> %s", log);
	assert_int_equal(bgcopy_job_set_notify_cmdline(job, argv), BGCOPY_OK);
}

void probe_reset_global_max(void)
{
	pthread_mutex_lock(&global_lock);
	global_running = global_max = 0;
	pthread_mutex_unlock(&global_lock);
}

int probe_global_max(void)
{
	int n;

	pthread_mutex_lock(&global_lock);
	n = global_max;
	pthread_mutex_unlock(&global_lock);
	return n;
}
