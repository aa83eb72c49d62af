/*
 * libbgcopy internals shared by the engine's files.  Not installed.
 *
 * Locking: one mutex per engine guards every job and file.  Callbacks and
 * command lines run with it released, which is what lets them call back
 * into the API.  Trace hooks are called with it held, so a job's events
 * are emitted in the order of its sequence numbers.
 */
#ifndef BGCOPY_INTERNAL_H
#define BGCOPY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bgcopy.h"

struct store;
struct transfer;

#define BGCOPY_DEFAULT_RETRY_MS		(600u * 1000u)
#define BGCOPY_RETRY_FLOOR_MS		(5u * 1000u)
#define BGCOPY_DEFAULT_NO_PROGRESS_MS	(1209600ull * 1000u)
#define BGCOPY_DEFAULT_MODIFICATION_MS	500u
#define BGCOPY_DEFAULT_INACTIVITY_S	(90 * 86400)

struct job_file {
	char *url;
	char *redacted_url;	/* what traces and messages show */
	char *local_path;
	char *temp_path;
	int64_t bytes_total;	/* -1 while unknown */
	uint64_t bytes_done;
	uint64_t bytes_saved;	/* last progress checkpoint in the store */
	bool completed;
};

/* One registration of a notify interface.  The engine's references to
 * the application's object go through it, so the trace can tell when the
 * last of them is gone. */
struct notify_iface {
	struct bgcopy_callback *cb;
	uint64_t epoch;
	unsigned refs;
};

struct deferred_release {
	struct deferred_release *next;
	struct bgcopy_callback *cb;
};

/* A notification kind's delivery state within the current epoch. */
struct obligation {
	bool armed;
	bool discharged;	/* delivered since it was last armed */
	bool via_cmdline;	/* a callback failed: the command line takes over */
	uint32_t attempt;	/* attempts made so far */
	int64_t not_before_ms;	/* retry spacing */
	int64_t armed_ms;
};

struct bgcopy_job {
	bgcopy_engine *engine;
	struct bgcopy_job *next;	/* engine's list, creation order */
	char id[37];
	char *name;
	char *description;
	enum bgcopy_priority priority;
	enum bgcopy_state state;
	uint32_t owner;
	int64_t ctime, mtime, ttime;	/* seconds since the epoch */
	uint64_t seq;			/* per-job trace sequence */

	struct job_file *files;
	unsigned nfiles;
	unsigned current_file;		/* first file not completed */

	uint64_t min_retry_ms;
	uint64_t no_progress_ms;
	uint32_t modification_ms;
	int64_t retry_at_ms;		/* TRANSIENT_ERROR -> QUEUED */
	int64_t queued_since_ms;	/* the no-progress clock stops meanwhile */
	int64_t last_progress_ms;	/* for the no-progress timeout */
	struct bgcopy_error error;
	bool has_error;

	struct transfer *xfer;		/* active transfer, owned by the worker */
	uint64_t sched_stamp;		/* when it last got a connection: fairness */

	/* notifications */
	uint32_t notify_flags;
	uint64_t epoch;
	struct notify_iface *iface;
	char **cmdline;			/* NULL-terminated, or NULL */
	bool busy;			/* a callback or command line runs */
	struct obligation ob_transferred, ob_error, ob_modification;
	struct obligation ob_file;	/* head of the file queue */
	unsigned *file_queue;		/* completed files owed FileTransferred */
	unsigned file_queue_len;
	int64_t last_modification_ms;	/* begin of the previous JobModification */
};

struct bgcopy_engine {
	pthread_mutex_t lock;
	pthread_cond_t dispatch_cond;	/* notifications may be due */
	pthread_cond_t idle_cond;	/* something settled */
	char *store_dir;
	uint64_t trace_id;		/* random id of this engine instance */
	struct bgcopy_engine_options opt;
	struct store *store;
	bgcopy_job *jobs, *jobs_tail;
	bool stopping;

	pthread_t worker;
	bool worker_started;
	void *multi;			/* CURLM*, worker-owned */
	struct transfer *transfers;	/* every easy handle in the multi */
	unsigned active;
	uint64_t sched_clock;
	pthread_t *dispatchers;
	unsigned ndispatchers;
	struct deferred_release *deferred;	/* see defer_release() */
	unsigned call_mark;		/* store_failures() when the API call took the lock */
	mode_t file_mode;		/* committed files: 0666 less the umask */
};

/* clock.c */
int64_t now_ms(void);
int64_t now_wall_s(void);
void deadline_to_timespec(int64_t at_ms, struct timespec *ts);

/* error.c */
int set_error(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void error_describe(struct bgcopy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

/* url.c */
int url_check(const char *url, bool allow_file, char **redacted);

/* job.c: all called with the engine lock held */
void job_set_state(bgcopy_job *job, enum bgcopy_state to, int cause);
void job_fail(bgcopy_job *job, bool transient, const struct bgcopy_error *err);
void job_file_completed(bgcopy_job *job, unsigned index);
void job_note_progress(bgcopy_job *job, unsigned index);
bool job_is_final(const bgcopy_job *job);
bool job_wants_bytes(const bgcopy_job *job);
void job_free(bgcopy_job *job);
bgcopy_job *job_alloc(bgcopy_engine *engine);
void engine_link_job(bgcopy_engine *engine, bgcopy_job *job);
void job_touch(bgcopy_job *job);
int job_temp_path(bgcopy_job *job, unsigned index);
void job_cancel_now(bgcopy_job *job);
void job_property_changed(bgcopy_job *job, int property, const char *value);
void job_progress(const bgcopy_job *job, struct bgcopy_progress *out);

/* transfer.c */
int transfer_start_worker(bgcopy_engine *engine);
void transfer_stop_worker(bgcopy_engine *engine);
void transfer_wake(bgcopy_engine *engine);
void transfer_abort_job(bgcopy_job *job);	/* lock held */
int64_t transfer_timers(bgcopy_engine *engine);	/* lock held */

/* notify.c */
int notify_start(bgcopy_engine *engine);
void notify_stop(bgcopy_engine *engine);
void notify_on_state(bgcopy_job *job, enum bgcopy_state from,
		     enum bgcopy_state to);
void notify_on_modification(bgcopy_job *job);
void notify_on_file_completed(bgcopy_job *job, unsigned index);
void notify_job_final(bgcopy_job *job);
void notify_on_restore(bgcopy_job *job);
bool notify_settled(bgcopy_job *job);
void notify_iface_put_locked(bgcopy_job *job, struct notify_iface *ni,
			     struct bgcopy_callback **release_now);
bool flags_allow(uint32_t flags, uint32_t flag);
void argv_free(char **argv);
void join_argv(char *const *argv, char *out, size_t size);
void defer_release(bgcopy_engine *engine, struct bgcopy_callback *cb);
void notify_flush_releases(bgcopy_engine *engine);
bool notify_on_dispatcher(const bgcopy_engine *engine);

/* store.c */
int store_open(bgcopy_engine *engine);
void store_close(bgcopy_engine *engine);
int store_save_job(bgcopy_job *job);
int store_save_file(bgcopy_job *job, unsigned index);
int store_delete_job(bgcopy_job *job);
long store_lock_holder(const char *dir);
void store_note_temp(bgcopy_job *job, const char *path);
/* `status`, or BGCOPY_E_STORE if a write failed since store_failures()
 * returned `before`: an API call must not report a change durable that is
 * not.  Lock held. */
unsigned store_failures(bgcopy_engine *engine);
int store_check(bgcopy_engine *engine, unsigned before, int status);
/* Groups the writes between them into one transaction (nestable). */
void store_begin(bgcopy_engine *engine);
void store_end(bgcopy_engine *engine, int status);

#endif /* BGCOPY_INTERNAL_H */
