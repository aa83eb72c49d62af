/*
 * libbgcopy internals shared by the engine's files.  Not installed.
 *
 * Layers.  A file calls only files of its own layer or of layers below it,
 * never above, and files of one layer never call each other in a circle
 * (tests/lint/layers.sh checks both on the object files):
 *
 *   0 utilities      clock.c error.c memory.c argv.c url.c state.c digest.c
 *                    wbuf.c pathmap.c run_as.c fs_identity.c schedule.c
 *                    temp_file.c
 *   1 leaves         sync.c flush.c jobq.c job_data.c trace.c store_trust.c
 *                    store_medium.c store_clean.c store_lock.c store.c
 *                    store_http.c store_settings.c store_checkpoint.c
 *                    store_upsert.c store_owners.c store_schema.c store_rows.c
 *   2 arming         notify_iface.c notify_arm.c
 *   3 state machine  job.c
 *   4 movers         transfer.c transfer_body.c transfer_queue.c
 *                    transfer_http.c transfer_temp.c transfer_verify.c job_end.c
 *                    transfer_options.c transfer_headers.c transfer_outcome.c
 *                    transfer_rate.c transfer_tls.c transfer_end.c file_check.c
 *                    notify_cmdline.c notify_deliver.c notify_dispatch.c
 *   4 client mode    client_start.c client_bus.c client_mirror.c
 *                    client_verbs.c client_callback.c client_open.c
 *                    client_options.c client_hook.c
 *                    (tracer/client/)
 *   5 policy         restore.c api.c
 *   6 public verbs   engine_api.c job_api.c job_props_api.c notify_api.c
 *                    job_http_api.c trace_api.c job_tls_api.c receipt_api.c
 *
 * The store and the trace change no job state: the store turns rows into
 * jobs and jobs into rows, the trace records.  job.c is the only writer of
 * a job's state (job_set_state).  What is owed on a restore is decided in
 * restore.c, not in the store.  Every public verb enters through api.c.
 *
 * Locking: one mutex per engine guards every job and file; take it with
 * engine_lock(), so that engine_locked() can be asserted and the worker
 * goes last (sync.c).  Callbacks and command lines run with it released,
 * which is what lets them call back into the API.  Trace hooks are called
 * with it held, so a job's events go out in the order of its sequence numbers.
 */
#ifndef BGCOPY_INTERNAL_H
#define BGCOPY_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bgcopy.h"
#include "run_as.h"
#include "sync.h"

struct store;
struct transfer;
struct flusher;
struct flush_req;
struct stat;

/* jobq.c: the engine's queues of jobs, and who re-keys them. */
enum jobq_id {
	JOBQ_DUE,	/* notify_deliver.c: by when a delivery became due */
	JOBQ_RUNNABLE,	/* transfer.c: waiting for a connection, by priority */
	JOBQ_TIMERS,	/* transfer.c: wanting bytes, by the next deadline */
	JOBQ_COUNT
};
enum jobq_reader { JOBQ_NOTIFY, JOBQ_TRANSFER, JOBQ_READERS };
struct jobq {
	bgcopy_job **heap;
	size_t len, cap;
};

/* pathmap.c: destination path -> the job holding it.  Keys are not
 * copied: each is the holding file's own local_path. */
struct pathmap_slot {
	const char *key;
	void *value;
};
struct pathmap {
	struct pathmap_slot *slots;
	size_t cap, len;	/* cap: a power of two, or 0 */
};

#define BGCOPY_DEFAULT_RETRY_MS		(600u * 1000u)
#define BGCOPY_RETRY_FLOOR_MS		(5u * 1000u)
#define BGCOPY_DEFAULT_NO_PROGRESS_MS	(1209600ull * 1000u)
#define BGCOPY_DEFAULT_MODIFICATION_MS	500u
#define BGCOPY_DEFAULT_INACTIVITY_S	(90 * 86400)
#define BGCOPY_DEFAULT_CMDLINE_TIMEOUT_S	300u
#define SHA256_BYTES		32
#define SHA256_HEX_SIZE		65	/* 64 digits and the NUL */

struct job_file {
	char *url;
	char *redacted_url;	/* what traces and messages show */
	bool url_unchecked;	/* loaded from the store: job_file_url_check */
	char *local_path;
	char *temp_path;
	/* The temporary file's identity (transfer_temp.c), 0 when unknown:
	 * a complete killed after its rename finds it at the destination. */
	uint64_t temp_dev, temp_ino;
	int64_t bytes_total;	/* -1 while unknown */
	uint64_t bytes_done;
	uint64_t bytes_saved;	/* last progress checkpoint in the store */
	bool completed;
	bool completion_unsaved;	/* job.c: its row waits for the job's */
	bool in_flight, syncing;	/* transfer.c: a transfer of it is active; every byte in, being synced */
	/* The version bytes_done came from (transfer_http.c): strong ETag
	 * and Last-Modified of its first answer, NULL or "" when none. */
	char *etag;
	char *last_modified;
	char *final_url;	/* redacted, where redirects ended; NULL: none */
	char *response_headers;	/* transfer_headers.c: the last response's, NULL: none */
	/* What the finished bytes must hash to (transfer_verify.c). */
	bool has_sha256;
	unsigned char sha256[SHA256_BYTES];
};

/* Who a job's requests say they are, to the server or to a proxy. */
struct credentials {
	enum bgcopy_auth_scheme scheme;
	char *user, *password;		/* NULL with BGCOPY_AUTH_NONE */
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
	uint64_t arming;	/* the trace's id of this arming (schema 2) */
};

/* The security flags a job keeps in job->tls (redirect bits: its policy). */
#define JOB_TLS_FLAGS (BGCOPY_SECURITY_CHECK_REVOCATION |			\
		       BGCOPY_SECURITY_IGNORE_CN_INVALID |			\
		       BGCOPY_SECURITY_NO_SERVER_VERIFICATION)

/* schedule.c: the engine's bandwidth by hour and weekday (BITS'
 * bandwidth policy); the first window holding a local time gives its cap. */
#define BANDWIDTH_WINDOWS_MAX 16
struct bandwidth_window {
	uint8_t days;			/* bit 0 Sunday ... bit 6 Saturday */
	uint8_t from, to;		/* hours, from <= hour < to */
	uint64_t bps;			/* 0: no cap meanwhile */
};
struct bandwidth_schedule {
	struct bandwidth_window windows[BANDWIDTH_WINDOWS_MAX];
	unsigned count;			/* 0: no schedule */
};

/* A job's fields, grouped by the file that owns (writes) them. */
struct bgcopy_job {
	/* job_data.c, fixed once linked */
	bgcopy_engine *engine;
	struct bgcopy_job *next, *prev;	/* engine's list, creation order */
	char id[37];
	uint32_t owner;
	struct fs_identity *fs_owner;	/* job_as_owner: the owner's, once looked up */
	int64_t ctime;			/* seconds since the epoch */
	uint64_t seq;			/* per-job trace sequence (trace.h) */
	struct store *store;		/* store.c: the store holding its rows */
	uint64_t created_order;		/* store.c: across every store, from 1 */

	/* job_props_api.c: what the application set */
	char *name;
	char *description;
	enum bgcopy_priority priority;
	uint64_t min_retry_ms;
	uint64_t no_progress_ms;
	uint32_t modification_ms;
	uint64_t max_download;		/* largest file allowed, 0: no limit */
	enum bgcopy_redirect_policy redirect_policy;

	/* job_http_api.c: the server's and the proxy's credentials
	 * (job_data.c wipes them), headers, proxy */
	struct credentials auth, proxy_auth;
	char *headers;		/* "Name: value" lines, checked; NULL: none */
	enum bgcopy_proxy_usage proxy_usage;
	char *proxy_list;	/* OVERRIDE: space-separated; else NULL */
	char *proxy_bypass;	/* OVERRIDE: ','-separated; NULL: none */
	/* job_props_api.c sets the limit; job.c keeps the clock of the time
	 * spent CONNECTING or TRANSFERRING (BITS' maximum download time) */
	uint64_t max_download_time_ms;	/* 0: no limit */
	uint64_t active_ms;		/* before active_since_ms */
	int64_t active_since_ms;	/* entered CONNECTING/TRANSFERRING; 0: not */
	int64_t row_saved_ms;		/* store.c: when its row, and so its
					 * active time, was last written */
	uint32_t dynamic_content;	/* job_props_api.c: 1 or 0 */
	uint64_t max_bandwidth;		/* job_props_api.c: bytes/s, 0: no cap */
	uint32_t parallel_files;	/* job_props_api.c: files moved at once */
	/* job_tls_api.c: TLS files (absolute paths, NULL: none) and flags */
	struct job_tls {
		char *client_cert, *client_key, *ca_file, *crl_file;
		uint32_t flags;		/* JOB_TLS_FLAGS: not the redirect bits */
	} tls;

	/* job.c: the state machine */
	enum bgcopy_state state;
	int64_t mtime, ttime;		/* seconds since the epoch */
	struct bgcopy_error error;
	bool has_error;
	int64_t retry_at_ms;		/* TRANSIENT_ERROR -> QUEUED */
	int64_t queued_since_ms;	/* the no-progress clock stops meanwhile */
	int64_t last_progress_ms;	/* for the no-progress timeout */

	/* job_api.c adds files; transfer.c fills them */
	struct job_file *files;
	unsigned nfiles;
	unsigned current_file;		/* first file not completed */

	/* transfer.c, the worker */
	unsigned xfers;			/* its files' active transfers */
	unsigned xfers_syncing;		/* of them, every byte in, being synced */
	unsigned completions_unsaved;	/* job.c: files completion_unsaved */
	uint64_t sched_stamp;		/* when it last got a connection: fairness */

	/* notify_*.c: notifications */
	uint32_t notify_flags;
	uint64_t epoch;
	struct notify_iface *iface;
	char **cmdline;			/* NULL-terminated, or NULL */
	uint64_t cmdline_gen;		/* bumped by every set_notify_cmdline */
	uint32_t cmdline_timeout_s;	/* notify_api.c: how long it may run */
	char *notify_service;		/* a D-Bus name bgcopyd calls, or NULL */
	bool busy;			/* a callback or command line runs */
	bool temps_noted;		/* transfer_temp.c: every file's is in the store */
	bool files_busy;		/* job_end.c: complete or cancel works on its
					 * files with the lock released */
	struct obligation ob_transferred, ob_error, ob_modification;
	struct obligation ob_file;	/* head of the file queue */
	unsigned *file_queue;		/* files owed FileTransferred; room for all */
	unsigned file_queue_len;
	int64_t last_modification_ms;	/* begin of the previous JobModification */
	uint64_t armings;		/* the last arming id given */

	/* job_data.c: a final job the application let go of
	 * (bgcopy_engine_forget_job) is off every list, and freed once no
	 * thread of the engine that let the lock go holds it (pins) */
	unsigned pins;
	bool forgotten;

	/* jobq.c: the job's places in the engine's queues */
	uint64_t order;			/* creation order: ties go to the older */
	size_t qpos[JOBQ_COUNT];	/* index + 1 in each queue, 0: not in it */
	int64_t qkey[JOBQ_COUNT][2];
	bool marked[JOBQ_READERS];	/* to be re-keyed by that reader */
	bgcopy_job *marked_next[JOBQ_READERS];

	/* tracer/client/client_mirror.c: a client engine's job is a mirror,
	 * current while every change bgcopyd announced since it was last
	 * read whole has been applied to it and no call of ours changed it */
	uint64_t mirror_cookie;		/* the daemon's last message applied */
	uint64_t mirror_changed;	/* the reply to our last call on it */
	bool mirror_current;
	bool mirror_signaled;		/* current in what signals carry by value */
	/* tracer/client/client_hook.c: the job as the change hook was told
	 * of it, the pump's alone (the engine lock held) */
	bool hook_known;
	enum bgcopy_state hook_state;
};

struct bgcopy_engine {
	/* sync.c */
	pthread_mutex_t lock;
	unsigned long lock_owner;	/* pthread_self() of the holder, or 0 */
	unsigned lock_waiting, lock_turns;	/* other threads that want it; their turns */
	unsigned dispatchers_asleep, dispatch_wakes;	/* woken, they will want it */
	bool worker_yields;		/* asleep on lock_turns (a futex) */
	pthread_cond_t dispatch_cond;	/* notifications may be due */
	pthread_cond_t idle_cond;	/* something settled */

	/* engine_api.c, fixed once open */
	char *store_dir;
	uint64_t trace_id;		/* random id of this engine instance */
	struct bgcopy_engine_options opt;
	mode_t file_mode;		/* committed files: 0666 less the umask */
	bool stopping;

	/* store.c */
	struct store *store;
	/* api.c: store_failures() when the current API call took the lock */
	unsigned call_mark;

	/* job_data.c */
	bgcopy_job *jobs, *jobs_tail;
	uint64_t jobs_linked;
	/* job_api.c: who holds each destination; a final holder frees it */
	struct pathmap destinations;

	/* jobq.c: only jobs that wait for something are in a queue */
	struct jobq queues[JOBQ_COUNT];
	bgcopy_job *marked[JOBQ_READERS];

	/* job.c calls it, job_api.c sets it (lock held for both) */
	bgcopy_change_hook change_hook;
	void *change_data;

	/* transfer.c */
	pthread_t worker;
	bool worker_started;
	void *multi;			/* CURLM*, worker-owned */
	struct transfer *transfers;	/* every easy handle in the multi */
	struct flusher *flusher;	/* flush.c, for the worker */
	bool worker_woken;		/* sync.c, worker only */
	unsigned active;		/* transfers */
	unsigned syncing;		/* of them, being synced: no connection */
	uint64_t sched_clock;

	/* engine_api.c sets it, transfer_rate.c applies it: bytes/s shared
	 * by the transfers of jobs not FOREGROUND, 0: no cap */
	uint64_t max_bandwidth;
	/* engine_api.c sets it, transfer_rate.c applies it: the caps by
	 * hour and weekday; outside its windows, max_bandwidth */
	struct bandwidth_schedule schedule;

	/* tracer/client/: set when bgcopyd serves the store (client mode) */
	struct client *client;

	/* notify_*.c */
	unsigned busy_jobs;		/* jobs with a delivery under way */
	pthread_t *dispatchers;
	unsigned ndispatchers;
	struct deferred_release *deferred;	/* see defer_release() */
};

/* ---- 0: utilities ---------------------------------------------------- */

/* clock.c */
int64_t now_ms(void);
int64_t now_us(void);
int64_t now_wall_s(void);
void deadline_to_timespec(int64_t at_ms, struct timespec *ts);

/* error.c */
int set_error(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void error_describe(struct bgcopy_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* memory.c: NULL (and the last error set) when memory runs out */
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
void free_secret(char *s);	/* zeroes it first: no copy left in freed memory */

/* argv.c: NULL-terminated string vectors */
char **argv_dup(const char *const *argv);
void argv_free(char **argv);
void argv_join(char *const *argv, char *out, size_t size);
void argv_describe(char *const *argv, char *out, size_t size);

/* digest.c: SHA-256 */
int sha256_from_hex(const char *hex, unsigned char out[SHA256_BYTES]);
void sha256_to_hex(const unsigned char digest[SHA256_BYTES],
		   char out[SHA256_HEX_SIZE]);
int sha256_of_fd(int fd, unsigned char out[SHA256_BYTES]);

/* schedule.c: text "DAYS FROM-TO BYTES_PER_S; ..." and back; the cap
 * in force at `now` (local time), false outside every window. */
int schedule_parse(const char *text, struct bandwidth_schedule *out);
void schedule_format(const struct bandwidth_schedule *s, char *out, size_t size);
bool schedule_cap(const struct bandwidth_schedule *s, time_t now, uint64_t *bps);

/* url.c */
int url_check(const char *url, bool allow_file, char **redacted);
/* What a file added keeps of its URL, from one parse: url_check's
 * verdict and redacted form, the URL without its user info, and that user
 * and password (NULL when it has none); url_parts_free frees the lot. */
struct url_parts {
	char *bare, *redacted, *user, *password;
};
int url_split(const char *url, bool allow_file, struct url_parts *out);
void url_parts_free(struct url_parts *p);

/* wbuf.c: a body's pieces combined into large writes, on one thread.
 * wbuf_add is false when the piece does not fit or memory ran out;
 * wbuf_write writes at the fd's offset (false: *err is errno). */
struct wbuf {
	char *data;
	size_t len;
	uint64_t written, written_back;
};
bool wbuf_fits(const struct wbuf *b, size_t len);
bool wbuf_add(struct wbuf *b, const char *data, size_t len);
bool wbuf_write(struct wbuf *b, int fd, int *err);
void wbuf_release(struct wbuf *b);
void wbuf_pool_drain(void);	/* frees this thread's spare buffers */

/* pathmap.c */
void *pathmap_get(const struct pathmap *m, const char *key);
int pathmap_put(struct pathmap *m, const char *key, void *value);
/* Only when `key` is still `value`'s: a later holder keeps its entry. */
void pathmap_remove(struct pathmap *m, const char *key, const void *value);
void pathmap_free(struct pathmap *m);

/* fs_identity.c: a root engine works on a job's files as its owner, on
 * the calling thread alone (setfsuid, setfsgid and the raw setgroups
 * system call).  as_owner_begin with NULL, or with root's identity, or
 * in an engine not run as root, switches nothing; each begin that
 * succeeded is followed by one end on the same thread, never nested. */
struct as_owner {
	bool begun, switched;
	uid_t uid_was;
	gid_t gid_was;
	int ngroups_was;
	gid_t *groups_was;
};
/* The user's gid and groups, and home directory into `home` unless NULL. */
int fs_identity_lookup(uid_t uid, struct fs_identity *id, char *home, size_t home_size);
uid_t fs_uid(void);	/* who the calling thread's new files belong to */
int as_owner_begin(const struct fs_identity *id, struct as_owner *as);
void as_owner_end(struct as_owner *as);
/* Unlinks `path` if it is a regular file of the engine's user, or, in a
 * root engine, of another user, as that user; anything else stays. */
void unlink_as_file_owner(const char *path);

/* state.c: what each state means, and which transitions exist */
bool state_is_final(enum bgcopy_state state);
bool state_wants_bytes(enum bgcopy_state state);
bool state_change_allowed(enum bgcopy_state from, enum bgcopy_state to);

/* ---- 1: leaves ------------------------------------------------------- */

/* jobq.c: lock held.  jobq_set inserts or re-keys (false: no memory);
 * a reader re-keys the jobs jobq_next_marked gives it before it reads a
 * queue, since anything that may change a job's key only marks it. */
bool jobq_set(bgcopy_job *job, enum jobq_id id, int64_t k0, int64_t k1);
void jobq_remove(bgcopy_job *job, enum jobq_id id);
bgcopy_job *jobq_top(bgcopy_engine *engine, enum jobq_id id);
size_t jobq_len(const bgcopy_engine *engine, enum jobq_id id);
bgcopy_job *jobq_at(bgcopy_engine *engine, enum jobq_id id, size_t i);
bool jobq_holds(const bgcopy_job *job, enum jobq_id id);
void jobq_free(bgcopy_engine *engine);
void jobq_mark(bgcopy_job *job);
void jobq_forget(bgcopy_job *job);
bgcopy_job *jobq_next_marked(bgcopy_engine *engine, enum jobq_reader r);

/* job_data.c: a job's memory */
bgcopy_job *job_alloc(bgcopy_engine *engine);
void job_free(bgcopy_job *job);
/* Room in file_queue for `files`, reserved as files are added or loaded. */
int job_reserve_file_queue(bgcopy_job *job, unsigned files);
void engine_link_job(bgcopy_engine *engine, bgcopy_job *job);
/* Lock held.  A thread that lets the lock go while it still needs a job
 * pins it; the unpin frees a job forgotten meanwhile (job_forget). */
void job_pin(bgcopy_job *job);
void job_unpin(bgcopy_job *job);
void job_forget(bgcopy_job *job);
int job_claim_destination(bgcopy_job *job, unsigned index);
bool job_is_final(const bgcopy_job *job);
void job_progress(const bgcopy_job *job, struct bgcopy_progress *out);
int job_temp_path(bgcopy_job *job, unsigned index);
char *job_temp_name(const bgcopy_job *job, unsigned index);
int job_file_url_check(bgcopy_job *job, unsigned index);
/* Lock held: as_owner_begin with the job's owner's identity (looked up
 * once, again after a change of owner). */
int job_as_owner(bgcopy_job *job, struct as_owner *as);
/* The time spent CONNECTING or TRANSFERRING since the last resume, by `now`. */
uint64_t job_active_ms(const bgcopy_job *job, int64_t now);

/* The store's schema: store.c migrates to it, store_trust.c stamps none newer. */
#define STORE_SCHEMA 14

/* store_trust.c: refusals name the path, its owner and the fix */
int store_trust_check(const char *dir);
int store_trust_wal(const char *dir);
int store_trust_create_db(const char *dir);
int store_trust_identity(const char *dir, bool *stamp);
struct sqlite3;
int store_trust_stamp(struct sqlite3 *db, const char *dir);

/* store_medium.c: a store on a read-only file system is read immutable */
int store_medium_read_only(const char *dir, bool *immutable);
char *store_medium_uri(const char *dir);

/* store_clean.c: jobs.db unchanged since an engine closed it cleanly */
void store_clean_mark(const char *dir, int lock_fd);
bool store_clean_since_close(const char *dir, const char *lock_text);

/* store_settings.c: the engine's own settings (schema 11), by name */
#define SETTING_MAX_BANDWIDTH		"max_bandwidth"
#define SETTING_BANDWIDTH_SCHEDULE	"bandwidth_schedule"
int store_save_setting(bgcopy_engine *engine, const char *name, const char *value);
char *store_load_setting(bgcopy_engine *engine, const char *name);

/* store_upsert.c: an INSERT made to update the row it conflicts with */
char *store_upsert_sql(struct sqlite3 *db, const char *insert, const char *table,
		       const char *const *key, const char *const *keep);

/* store_lock.c */
long store_lock_holder(const char *dir);
int store_lock_take(const char *dir, int *fd, bool *closed_clean);

/* store_http.c: a job's HTTP options (credentials, headers, proxy) in
 * its row, from column `col` on (0-based to load, 1-based to bind; the
 * order of store.c's JOB_COLUMNS). */
struct sqlite3_stmt;
void store_http_load(struct sqlite3_stmt *q, int col, bgcopy_job *job);
void store_http_bind(struct sqlite3_stmt *q, int col, const bgcopy_job *job);
/* store_http.c: a job's TLS files and flags (schema 10), likewise. */
void store_tls_load(struct sqlite3_stmt *q, int col, bgcopy_job *job);
void store_tls_bind(struct sqlite3_stmt *q, int col, const bgcopy_job *job);

/* store_owners.c: the per-owner layout (BGCOPY_OPEN_PER_OWNER), each
 * owner's jobs in users/<uid>/ under the engine's store */
#define SETTING_LAYOUT			"layout"
#define LAYOUT_PER_OWNER		"per-owner"
int store_owners_dir(const char *store_dir, uint32_t uid, bool create, char **out);
int store_owners_list(const char *store_dir, uint32_t **uids, size_t *n);

/* store_schema.c: brings a database up to STORE_SCHEMA, or refuses it */
int store_schema_check(struct sqlite3 *db, const char *dir, bool read_only);

/* store_rows.c: a job's row, in this order, then created_order (0-based
 * column 48, bound as ?49); its files' rows. */
#define STORE_JOB_COLUMNS							\
	"id, name, description, priority, state, owner, ctime, mtime,"	\
	" ttime, flags, min_retry_ms, no_progress_ms, modification_ms,"	\
	" cmdline, epoch, has_error, err_context, err_code, err_http,"	\
	" err_curl, err_file, err_text, discharged, file_queue, max_download,"	\
	" redirect_policy, cmdline_timeout_s, auth_scheme, auth_user,"	\
	" auth_password, headers, proxy_usage, proxy_list, proxy_bypass,"	\
	" proxy_auth_scheme, proxy_user, proxy_password, max_download_time_ms,"	\
	" active_ms, dynamic_content, max_bandwidth, notify_service,"	\
	" tls_client_cert, tls_client_key, tls_ca_file, tls_crl_file,"	\
	" security_flags, parallel_files"
const char *store_col_text(struct sqlite3_stmt *q, int col);
/* A row as it was stored: nothing restored yet.  NULL on no memory. */
bgcopy_job *store_row_job(bgcopy_engine *engine, struct sqlite3_stmt *q);
/* The job's files from `q`, the statement of every job's load. */
int store_row_files(bgcopy_engine *engine, bgcopy_job *job, struct sqlite3_stmt *q);
int store_bind_job(struct sqlite3_stmt *q, const bgcopy_job *job);
void store_bind_file(struct sqlite3_stmt *q, const bgcopy_job *job, unsigned index);

/* store.c (trace.h declares trace.c) */
int store_open(bgcopy_engine *engine, uint32_t *schema);
/* The per-owner layout (restore.c decides it): every owner's store, and
 * each owner's from now on. */
int store_open_owners(bgcopy_engine *engine);
/* Per-owner layout: opens (creating) the store of `owner`'s jobs, so that
 * a job is refused rather than created unstored. */
int store_owner_ready(bgcopy_engine *engine, uint32_t owner);
/* A job whose owner changed (TakeOwnership) moves to the new owner's
 * store; the lock is held and no store_begin() is open. */
int store_move_job(bgcopy_job *job);
/* The stored jobs, linked through `next` in creation order, as they were
 * stored: nothing restored, expired or re-owed yet. */
int store_load_jobs(bgcopy_engine *engine, bgcopy_job **jobs);
void store_remove_orphan_temps(bgcopy_engine *engine);
void store_close(bgcopy_engine *engine);
int store_save_job(bgcopy_job *job);
int store_save_file(bgcopy_job *job, unsigned index);
void store_note_temp(bgcopy_job *job, const char *path);
/* How many writes have failed so far; store_check() turns `status` into
 * BGCOPY_E_STORE if one failed since `before`: an API call must not
 * report a change durable that is not.  One that lets the lock go midway
 * (a file-system step) does it through these, to count its own alone. */
unsigned store_failures(bgcopy_engine *engine);
int store_check(bgcopy_engine *engine, unsigned before, int status);
struct call_pause { unsigned mark, failures; };
void store_unlock_in_call(bgcopy_engine *engine, struct call_pause *p);
void store_relock_in_call(bgcopy_engine *engine, const struct call_pause *p);
/* One prepared write, its failure counted for store_check; the database
 * it goes to (NULL with no store open). */
int store_write(bgcopy_engine *engine, struct sqlite3_stmt *q);
struct sqlite3 *store_db(bgcopy_engine *engine);
/* Groups the writes between them into one transaction (nestable). */
void store_begin(bgcopy_engine *engine);
void store_end(bgcopy_engine *engine, int status);

/* ---- 2: arming notifications ---------------------------------------- */

/* notify_iface.c */
uint64_t notify_iface_id(const struct notify_iface *ni);
void notify_iface_put_locked(bgcopy_job *job, struct notify_iface *ni,
			     struct bgcopy_callback **release_now);
void defer_release(bgcopy_engine *engine, struct bgcopy_callback *cb);
void notify_flush_releases(bgcopy_engine *engine);

/* notify_arm.c: all with the lock held */
bool flags_allow(uint32_t flags, uint32_t flag);
void notify_arm_file_head(bgcopy_job *job);
void notify_on_state(bgcopy_job *job, enum bgcopy_state from,
		     enum bgcopy_state to);
void notify_on_modification(bgcopy_job *job);
/* Whether a FileTransferred was queued: the job's row changed. */
bool notify_on_file_completed(bgcopy_job *job, unsigned index);
void notify_on_restore(bgcopy_job *job);
void notify_on_flags(bgcopy_job *job, uint32_t old_flags);
void notify_on_new_epoch(bgcopy_job *job);

/* ---- 3: the state machine (lock held) -------------------------------- */

/* job.c */
void job_set_state(bgcopy_job *job, enum bgcopy_state to, int cause);
void job_fail(bgcopy_job *job, bool transient, const struct bgcopy_error *err);
unsigned job_first_incomplete(bgcopy_job *job);
void job_file_completed(bgcopy_job *job, unsigned index);
void job_save_completed_files(bgcopy_job *job);	/* rows a completion left */
void job_note_progress(bgcopy_job *job, unsigned index);
void job_touch(bgcopy_job *job);
void job_property_changed(bgcopy_job *job, int property, const char *value);
void job_changed(bgcopy_job *job, unsigned what);	/* BGCOPY_CHANGE_* */

/* ---- 4: movers ------------------------------------------------------- */

/* transfer.c */
int transfer_start_worker(bgcopy_engine *engine);
void transfer_stop_worker(bgcopy_engine *engine);
void transfer_abort_job(bgcopy_job *job);	/* lock held */

/* transfer_rate.c: lock held, on the worker.  Gives each running
 * transfer its bandwidth cap (the job's, the engine's share); transfer.h
 * declares its pacing. */
void rate_apply(bgcopy_engine *engine);

/* transfer_queue.c: lock held.  Re-key a job after its transfer came or
 * went; the job that should get the next connection; a job whose timer
 * is due by `now` (NULL: none, and *next is the next deadline or -1). */
void sched_rekey(bgcopy_job *job);
bgcopy_job *sched_next_runnable(bgcopy_engine *engine);
bgcopy_job *sched_due_timer(bgcopy_engine *engine, int64_t now, int64_t *next);
/* Some job wants bytes. */
bool transfer_wanting(bgcopy_engine *engine);
/* The job's lowest file neither complete nor moving; nfiles when none. */
unsigned sched_next_file(const bgcopy_job *job);

/* transfer_http.c: what one HTTP response says about the file */
struct http_answer {
	int64_t cr_start, cr_end, cr_total;	/* Content-Range, -1 when absent */
	bool cr_garbled;			/* a Content-Range we cannot read */
	bool chunked;				/* Transfer-Encoding: chunked */
	char etag[256];				/* strong ETag, "" when none */
	char last_modified[64];			/* "" when none */
};
enum answer_fit {
	ANSWER_WHOLE,	/* the whole file: start over with its validators */
	ANSWER_RESUME,	/* the range asked, of the version the file has */
	ANSWER_CHANGED,	/* another version: the file starts over */
	ANSWER_BAD,	/* a range that was not asked: a server error */
};
void answer_reset(struct http_answer *a);
void answer_header(struct http_answer *a, const char *line, size_t len);
bool answer_unframed(const struct http_answer *a, bool http1, int64_t length);
enum answer_fit answer_check(const struct http_answer *a, long code,
			     uint64_t range_from, const struct job_file *f,
			     char *why, size_t size);
bool file_resumable(const struct job_file *f);
const char *file_if_range(const struct job_file *f);
int file_take_validators(struct job_file *f, const struct http_answer *a);
void file_forget_validators(struct job_file *f);
bool transient_http(long code);
bool transient_curl(int curl_code);

/* temp_file.c, lock not held: a temporary file opened to read and write,
 * never through a link, FIFO or device; -1 with errno, *planted when
 * what is at the name is not a regular file of `owner` (the caller's
 * fsuid, fs_uid(), asked once by a caller that opens many).  O_NONBLOCK
 * in `flags` leaves it non-blocking, for a caller that does no I/O.
 * temp_file_create makes it, or replaces a leftover of ours. */
int temp_file_open(const char *path, int flags, uid_t owner, bool *planted, struct stat *st);
int temp_file_create(const char *path, uid_t owner, bool *planted, struct stat *st);
void test_delay(const char *env);

/* transfer_temp.c: lock held (released for the file-system calls);
 * temp_start: open_temp, or TEMP_LATER: made by its first write (flush.h). */
#define OPEN_TEMP_GONE (-2)
#define TEMP_LATER (-3)
int open_temp(bgcopy_job *job, unsigned index, struct bgcopy_error *err);
int temp_start(bgcopy_job *job, unsigned index, struct flush_req *r, struct bgcopy_error *err);
void temp_error(const bgcopy_job *job, unsigned index, bool planted, int code,
		struct bgcopy_error *err);
void job_note_temps(bgcopy_job *job, unsigned first);
bool transient_errno(int code);

/* transfer_tls.c: opens a job's TLS file `path` for reading (what: how
 * errors name it), as the calling thread's file-system identity; a
 * descriptor, or a status when it cannot be read, is not a regular file,
 * or is a private key others may read or write (set_error says which). */
int tls_file_open(const char *what, const char *path, bool private_key);

/* transfer_verify.c: checks a finished file against its expected digest,
 * hashing with the lock released; `owner` is where the transfer holds its
 * job (NULL once the job let go).  Returns a BGCOPY_TP_VERIFY_* value. */
int transfer_verify(bgcopy_engine *engine, bgcopy_job *const *owner, unsigned index, int fd,
		    struct bgcopy_error *err, bool *transient);

/* job_end.c: lock held */
int job_commit_files(bgcopy_job *job);
void job_cancel_now(bgcopy_job *job);

/* notify_cmdline.c */
struct gated_cmdline {
	pid_t pid;		/* -1: not started */
	int gate;		/* write end: one byte lets the program run */
};
char **cmdline_argv(const bgcopy_job *job, int kind);
char **cmdline_env(const bgcopy_job *job, int kind);
void cmdline_spawn_gated(char **argv, char **env, uid_t owner, struct gated_cmdline *run);
void cmdline_open_gate(struct gated_cmdline *run);
void cmdline_drop(struct gated_cmdline *run);

/* notify_deliver.c: lock held */
enum route { ROUTE_NONE, ROUTE_CALLBACK, ROUTE_CMDLINE };
/* One attempt at one notification, chosen under the lock. */
struct delivery {
	bgcopy_job *job;
	struct obligation *ob;
	int kind;
	int file_index;
	enum route route;
};

bool notify_pick_due(bgcopy_engine *engine, struct delivery *d, int64_t *wake_at);
void notify_deliver(bgcopy_engine *engine, struct delivery *d);
bool notify_settled(bgcopy_job *job);
/* Every job's notifications settled (notify_settled). */
bool notify_all_settled(bgcopy_engine *engine);
/* bgcopy_callback_forward: lock not held; INVALID_STATE off a callback of this thread. */
int notify_forward_running(int32_t to, struct bgcopy_callback_attempt *out);

/* notify_dispatch.c */
int notify_start(bgcopy_engine *engine);
void notify_stop(bgcopy_engine *engine);
bool notify_on_dispatcher(const bgcopy_engine *engine);

/* ---- 5: policy ------------------------------------------------------- */

/* restore.c: loads the jobs of a store opened at `schema` into the engine
 * and decides what each is owed; traces store_open.  Lock not held. */
int restore_jobs(bgcopy_engine *engine, uint32_t schema);

/* api.c: the one entry guard of every public verb */
enum api_rule {
	API_READ,	/* any job, any engine */
	API_CHANGE,	/* a writable engine and a job that is not final */
	/* API_READ of a value bgcopyd does not announce (EmitsChangedSignal
	 * false in docs/org.bgcopy1.xml): a client engine asks for it */
	API_READ_LIVE,
	/* of one every change signal carries: asked for only if one was missed */
	API_READ_SIGNALED,
};
/* With `job` non-NULL, returns with the lock held whatever the status;
 * a read fails only in a client engine (bgcopyd gone). */
int api_enter(bgcopy_job *job, enum api_rule rule);
int api_enter_engine(bgcopy_engine *engine, enum api_rule rule);
/* API_CHANGE calls: `status`, or BGCOPY_E_STORE if a write of the call failed; unlocks. */
int api_leave(bgcopy_engine *engine, int status);
/* Reads (API_READ, _LIVE, _SIGNALED): unlocks. */
void api_leave_read(bgcopy_engine *engine);

/* ---- 6: public verbs ------------------------------------------------- */

/* job_http_api.c: lock held; takes `user` and `password` over into
 * `which`, the job's auth or proxy_auth. */
void job_take_credentials(bgcopy_job *job, struct credentials *which,
			  enum bgcopy_auth_scheme scheme, char *user, char *password);
/* Lock held: the credentials, proxy credentials and headers go (each one
 * set is traced as cleared). */
void job_drop_secrets(bgcopy_job *job);
/* job_tls_api.c: lock held; the client certificate and key go (traced
 * as cleared when there was one). */
void job_drop_client_certificate(bgcopy_job *job);

#define API_ENTER(job, rule)						\
	do {								\
		int api_status_;					\
		if (!(job))						\
			return set_error(BGCOPY_E_INVALID_ARG, "job is NULL"); \
		api_status_ = api_enter((job), (rule));			\
		if (api_status_)					\
			return api_leave((job)->engine, api_status_);	\
	} while (0)

#endif /* BGCOPY_INTERNAL_H */
