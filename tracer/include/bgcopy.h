/*
 * libbgcopy: background HTTP(S) transfers with provable notifications.
 *
 * The model is Windows BITS (IBackgroundCopyJob / IBackgroundCopyCallback);
 * docs/CONTRACT.md restates the rules this API keeps.  Every function
 * returns BGCOPY_OK or a negative bgcopy_status; on failure
 * bgcopy_last_error() describes what was wrong on the calling thread.
 */
#ifndef BGCOPY_H
#define BGCOPY_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libbgcopy is built with hidden visibility: only what is marked here is
 * exported, so an application's own functions never collide with ours. */
#if defined(__GNUC__)
#define BGCOPY_API __attribute__((visibility("default")))
#else
#define BGCOPY_API
#endif

enum bgcopy_status {
	BGCOPY_OK = 0,
	BGCOPY_E_INVALID_ARG = -1,
	BGCOPY_E_INVALID_STATE = -2,
	BGCOPY_E_NOMEM = -3,
	BGCOPY_E_IO = -4,
	BGCOPY_E_NOT_FOUND = -5,
	BGCOPY_E_STORE_BUSY = -6,	/* another process holds the store */
	BGCOPY_E_STORE = -7,		/* the store is damaged or unreadable */
	BGCOPY_E_LIMIT = -8,		/* a configured cap was reached */
	BGCOPY_E_READ_ONLY = -9,	/* engine opened for inspection only */
};

/* Values of BG_JOB_STATE. */
enum bgcopy_state {
	BGCOPY_QUEUED = 0,
	BGCOPY_CONNECTING = 1,
	BGCOPY_TRANSFERRING = 2,
	BGCOPY_SUSPENDED = 3,
	BGCOPY_ERROR = 4,
	BGCOPY_TRANSIENT_ERROR = 5,
	BGCOPY_TRANSFERRED = 6,
	BGCOPY_ACKNOWLEDGED = 7,
	BGCOPY_CANCELLED = 8,
};

enum bgcopy_priority {
	BGCOPY_PRIORITY_FOREGROUND = 0,
	BGCOPY_PRIORITY_HIGH = 1,
	BGCOPY_PRIORITY_NORMAL = 2,
	BGCOPY_PRIORITY_LOW = 3,
};

/* Notify flags: the BG_NOTIFY_* values. */
#define BGCOPY_NOTIFY_JOB_TRANSFERRED	0x01u
#define BGCOPY_NOTIFY_JOB_ERROR		0x02u
#define BGCOPY_NOTIFY_DISABLE		0x04u
#define BGCOPY_NOTIFY_JOB_MODIFICATION	0x08u
#define BGCOPY_NOTIFY_FILE_TRANSFERRED	0x10u
#define BGCOPY_NOTIFY_DEFAULT \
	(BGCOPY_NOTIFY_JOB_TRANSFERRED | BGCOPY_NOTIFY_JOB_ERROR)

enum bgcopy_error_context {
	BGCOPY_ERRCTX_NONE = 0,
	BGCOPY_ERRCTX_LOCAL_FILE = 1,
	BGCOPY_ERRCTX_REMOTE_FILE = 2,
	BGCOPY_ERRCTX_TRANSPORT = 3,
	BGCOPY_ERRCTX_ENGINE = 4,
	BGCOPY_ERRCTX_CHECKSUM = 5,	/* the file is not the expected SHA-256 */
	BGCOPY_ERRCTX_MAX_DOWNLOAD_TIME = 6,	/* past the job's maximum download
						   time (issue 16) */
	BGCOPY_ERRCTX_TLS = 7,		/* the TLS handshake failed: the server's
					   certificate, or the job's own TLS
					   files (issue 16) */
};

typedef struct bgcopy_engine bgcopy_engine;
typedef struct bgcopy_job bgcopy_job;

struct bgcopy_error {
	enum bgcopy_error_context context;
	int code;			/* errno for local files, else 0 */
	int http_status;		/* 0 when none */
	int curl_code;			/* CURLcode, 0 when none */
	int file_index;			/* -1 when no file is concerned */
	char description[256];
};

struct bgcopy_progress {
	int64_t bytes_total;		/* -1 while any file's size is unknown */
	uint64_t bytes_transferred;
	uint32_t files_total;
	uint32_t files_transferred;
};

struct bgcopy_file_info {
	char url[2048];			/* as given, secrets included */
	char redacted_url[2048];	/* no user info, password or query: to show */
	char local_path[4096];
	int64_t bytes_total;		/* -1 while unknown */
	uint64_t bytes_transferred;
	int completed;
};

/* Test options: recorded in the trace so an oracle knows the engine ran
 * outside production limits. */
#define BGCOPY_TEST_SHORT_RETRY	0x1u	/* retry delays below 5 s allowed */
#define BGCOPY_TEST_ALLOW_FILE	0x2u	/* file:// URLs allowed */
/* A command line waits 250 ms between its start and its recorded begin,
 * so that tests can change the job in that window. */
#define BGCOPY_TEST_SLOW_SPAWN	0x4u
/* Any TLS certificate is trusted: the tests' self-signed servers. */
#define BGCOPY_TEST_TRUST_ANY_TLS	0x8u
/* Every other JobModification's callback_begin is recorded 5 ms after the
 * engine chose to deliver it, as a tracer blocked on a full buffer delays
 * it: the recorded spacing must still never fall short of the interval. */
#define BGCOPY_TEST_SLOW_BEGIN	0x10u

#define BGCOPY_OPEN_READ_ONLY	0x1u	/* inspect a store another process holds */
#define BGCOPY_OPEN_NO_TRANSFER	0x2u	/* administer jobs, move no bytes */

struct bgcopy_engine_options {
	unsigned flags;			/* BGCOPY_OPEN_* */
	unsigned test_options;		/* BGCOPY_TEST_* */
	unsigned dispatcher_threads;	/* 0: default 4 */
	unsigned max_connections;	/* 0: default 16 */
	unsigned max_per_host;		/* 0: default 6 */
	unsigned max_files_per_job;	/* 0: default 200 */
	unsigned inactivity_timeout_s;	/* 0: default 90 days; an untouched
					   job is cancelled when a store opens */
};

/*
 * The notify interface, a COM-style object.  The engine calls add_ref when
 * the object is registered and before every call it makes, and release
 * afterwards.  job_transferred, job_error and file_transferred return 0 on
 * success; any other value makes the engine retry after the job's minimum
 * retry delay (or run the notify command line).  A NULL method accepts the
 * notification at once.  The job handle is valid during the call; any
 * bgcopy_job_* function may be called from inside a callback.
 */
struct bgcopy_callback;
struct bgcopy_callback_ops {
	void (*add_ref)(struct bgcopy_callback *self);
	void (*release)(struct bgcopy_callback *self);
	int (*job_transferred)(struct bgcopy_callback *self, bgcopy_job *job);
	int (*job_error)(struct bgcopy_callback *self, bgcopy_job *job,
			 const struct bgcopy_error *error);
	int (*job_modification)(struct bgcopy_callback *self, bgcopy_job *job);
	int (*file_transferred)(struct bgcopy_callback *self, bgcopy_job *job,
				unsigned file_index);
};
struct bgcopy_callback {
	const struct bgcopy_callback_ops *ops;
};

BGCOPY_API const char *bgcopy_strerror(int status);
BGCOPY_API const char *bgcopy_last_error(void);
BGCOPY_API const char *bgcopy_state_name(enum bgcopy_state state);
BGCOPY_API const char *bgcopy_priority_name(enum bgcopy_priority priority);

/* A client engine (see "The service" below) has no engine of its own:
 * each option of the daemon's engine (dispatcher_threads,
 * max_connections, max_per_host, max_files_per_job,
 * inactivity_timeout_s) that is not 0 goes on the command line of a
 * bgcopyd started on demand, and must be what an already running daemon's
 * engine has, else the open fails with BGCOPY_E_STORE_BUSY naming the
 * option and both values (the engine is shared by every client and
 * cannot change for one; 0 takes the daemon's, whatever it is). */
/* Opens an embedded engine or a client of bgcopyd (see "The service"
 * below).  A client engine whose connection to bgcopyd is lost (the
 * daemon exited or was killed) stays lost: every call on it and on its
 * jobs then fails with BGCOPY_E_IO, bgcopy_last_error() naming the
 * socket, rather than give the values last read; a getter that returns
 * a value instead of a status gives BGCOPY_E_IO cast to its type when
 * that is signed or an enum (a state, a priority, a time), 0 when it is
 * unsigned, and "" for a text.  bgcopy_job_get_id still works and
 * bgcopy_engine_close releases everything; open the engine again to
 * reach the next daemon (one starts on demand). */
BGCOPY_API int bgcopy_engine_open(const char *store_dir,
				  const struct bgcopy_engine_options *options,
				  bgcopy_engine **out);
/* The options `engine` runs with, each default filled in; a client
 * engine's are its daemon's engine's (flags are the client's own). */
BGCOPY_API int bgcopy_engine_get_options(bgcopy_engine *engine,
					 struct bgcopy_engine_options *out);
/* Stops transfers and callbacks, keeps every job in the store.  Called
 * from inside a callback, it returns at once and the engine closes as
 * soon as that callback has returned. */
BGCOPY_API void bgcopy_engine_close(bgcopy_engine *engine);
/* Pid of the process holding the store, 0 when none. */
BGCOPY_API long bgcopy_engine_store_holder(const char *store_dir);

BGCOPY_API int bgcopy_job_create(bgcopy_engine *engine, const char *display_name,
				 bgcopy_job **out);
BGCOPY_API int bgcopy_engine_find_job(bgcopy_engine *engine, const char *id,
				      bgcopy_job **out);
/* Fills at most max handles in creation order; returns how many exist. */
BGCOPY_API size_t bgcopy_engine_list_jobs(bgcopy_engine *engine, bgcopy_job **jobs,
					  size_t max);
/* Lets go of a final job (ACKNOWLEDGED or CANCELLED, as this engine last
 * saw it): the engine lists and finds it no more and frees its memory,
 * at once or when its own threads are done with it.  Its handle must not
 * be used again, by any thread of the caller (one still in a call on it
 * is a misuse).  Without this a final job's handle stays valid until the
 * engine closes, which a process that runs for long pays for in memory.
 * BGCOPY_E_INVALID_STATE for a job not final, or being completed or
 * cancelled by another call; BGCOPY_E_INVALID_ARG for another engine's.
 * A client engine forgets its own handle; bgcopyd forgets every final
 * job itself once it has announced its state. */
BGCOPY_API int bgcopy_engine_forget_job(bgcopy_engine *engine, bgcopy_job *job);
/* Blocks until every job is settled (no bytes to move) and every
 * notification that can be delivered now has been, or timeout_ms passes
 * (-1: no limit).  Returns BGCOPY_OK when settled, BGCOPY_E_LIMIT on time
 * out. */
BGCOPY_API int bgcopy_engine_wait_idle(bgcopy_engine *engine, long timeout_ms);

BGCOPY_API int bgcopy_job_add_file(bgcopy_job *job, const char *url,
				   const char *local_path);
/* Adds a file whose bytes must have the SHA-256 `sha256_hex` (64
 * hexadecimal digits, either case; NULL: none, as bgcopy_job_add_file).
 * The finished file is hashed before it counts as transferred; another
 * digest is a permanent error (context BGCOPY_ERRCTX_CHECKSUM, the
 * description names both digests) and its temporary file is kept for
 * inspection until the job is resumed (the file starts over), completed or
 * cancelled.  Any other text is refused with BGCOPY_E_INVALID_ARG. */
BGCOPY_API int bgcopy_job_add_file_sha256(bgcopy_job *job, const char *url,
					  const char *local_path,
					  const char *sha256_hex);
/* The file's expected SHA-256 in lower-case hexadecimal into out (at
 * least 65 bytes); "" when it has none. */
BGCOPY_API int bgcopy_job_get_file_sha256(bgcopy_job *job, unsigned index,
					  char *out, size_t size);
BGCOPY_API int bgcopy_job_resume(bgcopy_job *job);
BGCOPY_API int bgcopy_job_suspend(bgcopy_job *job);
BGCOPY_API int bgcopy_job_complete(bgcopy_job *job);
BGCOPY_API int bgcopy_job_cancel(bgcopy_job *job);

BGCOPY_API void bgcopy_job_get_id(const bgcopy_job *job, char out[37]);
BGCOPY_API enum bgcopy_state bgcopy_job_get_state(bgcopy_job *job);
BGCOPY_API int bgcopy_job_get_progress(bgcopy_job *job, struct bgcopy_progress *out);
BGCOPY_API int bgcopy_job_get_file(bgcopy_job *job, unsigned index,
				   struct bgcopy_file_info *out);
BGCOPY_API int bgcopy_job_get_error(bgcopy_job *job, struct bgcopy_error *out);
/* Copies the display name into out (truncated to size). */
BGCOPY_API void bgcopy_job_get_display_name(bgcopy_job *job, char *out, size_t size);
BGCOPY_API void bgcopy_job_get_description(bgcopy_job *job, char *out, size_t size);
BGCOPY_API enum bgcopy_priority bgcopy_job_get_priority(bgcopy_job *job);
BGCOPY_API uint32_t bgcopy_job_get_owner(bgcopy_job *job);
BGCOPY_API int64_t bgcopy_job_get_time(bgcopy_job *job, int which);	/* BGCOPY_TIME_* */
	   #define BGCOPY_TIME_CREATED	0
	   #define BGCOPY_TIME_MODIFIED	1
	   #define BGCOPY_TIME_TRANSFERRED	2	/* 0 until transferred */
	   
BGCOPY_API int bgcopy_job_set_display_name(bgcopy_job *job, const char *name);
BGCOPY_API int bgcopy_job_set_description(bgcopy_job *job, const char *text);
BGCOPY_API int bgcopy_job_set_priority(bgcopy_job *job, enum bgcopy_priority priority);
/* Seconds, as BITS' SetMinimumRetryDelay: at least 5 (600 by default);
 * the getter rounds a millisecond delay down to whole seconds. */
BGCOPY_API int bgcopy_job_set_min_retry_delay(bgcopy_job *job, uint32_t seconds);
BGCOPY_API uint32_t bgcopy_job_get_min_retry_delay(bgcopy_job *job);
/* Milliseconds, only with BGCOPY_TEST_SHORT_RETRY: tests need sub-second. */
BGCOPY_API int bgcopy_job_set_min_retry_delay_ms(bgcopy_job *job, uint64_t ms);
BGCOPY_API int bgcopy_job_set_no_progress_timeout(bgcopy_job *job, uint32_t seconds);
BGCOPY_API uint32_t bgcopy_job_get_no_progress_timeout(bgcopy_job *job);
BGCOPY_API int bgcopy_job_set_modification_interval_ms(bgcopy_job *job, uint32_t ms);
/* The largest file the job may download, in bytes (BITS' MaxDownloadSize):
 * a file announced larger, or a body running past it, is a permanent
 * error.  0, the default: no limit. */
BGCOPY_API int bgcopy_job_set_max_download_size(bgcopy_job *job, uint64_t bytes);
BGCOPY_API uint64_t bgcopy_job_get_max_download_size(bgcopy_job *job);

/* What a job's transfers do with a redirect (BITS' BG_HTTP_REDIRECT_POLICY). */
enum bgcopy_redirect_policy {
	BGCOPY_REDIRECT_ALLOW = 0,		/* the default: followed, except
						   from https to http */
	BGCOPY_REDIRECT_DISALLOW = 1,		/* none: a redirect is a
						   permanent error */
	BGCOPY_REDIRECT_ALLOW_INSECURE = 2,	/* followed, https to http too */
};
BGCOPY_API int bgcopy_job_set_redirect_policy(bgcopy_job *job,
					      enum bgcopy_redirect_policy policy);
BGCOPY_API enum bgcopy_redirect_policy bgcopy_job_get_redirect_policy(bgcopy_job *job);
BGCOPY_API const char *bgcopy_redirect_policy_name(enum bgcopy_redirect_policy policy);
/* Where the file's last transfer ended after redirects, without secrets
 * (as redacted_url); "" when it was not redirected. */
BGCOPY_API int bgcopy_job_get_file_final_url(bgcopy_job *job, unsigned index,
					     char *out, size_t size);

/* How a job's requests prove who they are to the server (BITS'
 * SetCredentials).  ANY lets libcurl pick what the server offers (Basic,
 * Digest, NTLM, Negotiate).  The password is kept in the store, readable
 * by its owner only, and never shown: info, list and the trace say only
 * which scheme is set. */
enum bgcopy_auth_scheme {
	BGCOPY_AUTH_NONE = 0,
	BGCOPY_AUTH_BASIC = 1,
	BGCOPY_AUTH_DIGEST = 2,
	BGCOPY_AUTH_ANY = 3,
};
/* Takes effect from the job's next transfer.  A URL's user info given to
 * add_file becomes the job's credentials (scheme ANY). */
BGCOPY_API int bgcopy_job_set_credentials(bgcopy_job *job,
					  enum bgcopy_auth_scheme scheme,
					  const char *user, const char *password);
BGCOPY_API int bgcopy_job_clear_credentials(bgcopy_job *job);
BGCOPY_API enum bgcopy_auth_scheme bgcopy_job_get_auth_scheme(bgcopy_job *job);
BGCOPY_API const char *bgcopy_auth_scheme_name(enum bgcopy_auth_scheme scheme);
/* Headers sent on every request of the job's files (BITS'
 * SetCustomHeaders): "Name: value" lines; NULL or "" removes them.  Not
 * sent once a redirect leaves the URL's scheme, host and port.  Range,
 * If-Range, Host, Content-Length, Transfer-Encoding and Authorization are
 * the engine's.  The names are shown (info, trace), the values never. */
#define BGCOPY_HEADERS_MAX 16384u
BGCOPY_API int bgcopy_job_set_headers(bgcopy_job *job, const char *headers);
/* The names, ", "-separated ("" when none), cut to fit `size`. */
BGCOPY_API int bgcopy_job_get_header_names(bgcopy_job *job, char *out, size_t size);

BGCOPY_API int bgcopy_job_set_notify_flags(bgcopy_job *job, uint32_t flags);
BGCOPY_API uint32_t bgcopy_job_get_notify_flags(bgcopy_job *job);
/* Starts a new epoch; NULL removes the interface.  After it returns no
 * callback begins on the previous interface. */
BGCOPY_API int bgcopy_job_set_notify_interface(bgcopy_job *job, struct bgcopy_callback *cb);
BGCOPY_API uint64_t bgcopy_job_get_notify_epoch(bgcopy_job *job);
/* argv is a NULL-terminated program and arguments, run without a shell;
 * the job id and the event name ("transferred" or "error") are appended.
 * NULL or an empty argv clears it. */
BGCOPY_API int bgcopy_job_set_notify_cmdline(bgcopy_job *job, const char *const *argv);
/* The command line joined by spaces into out; "" when none. */
BGCOPY_API void bgcopy_job_get_notify_cmdline(bgcopy_job *job, char *out, size_t size);
/* Its program and how many arguments follow, never the arguments (which
 * may hold tokens): what the trace shows; "" when none. */
BGCOPY_API void bgcopy_job_get_notify_cmdline_summary(bgcopy_job *job, char *out,
						      size_t size);
/* How long the command line may run (default 300 s, at least 1): past
 * it its process group is killed and the attempt counts as failed. */
BGCOPY_API int bgcopy_job_set_notify_cmdline_timeout(bgcopy_job *job, uint32_t seconds);
BGCOPY_API uint32_t bgcopy_job_get_notify_cmdline_timeout(bgcopy_job *job);
/* Which notifications are owed and not yet delivered: BGCOPY_NOTIFY_* bits. */
BGCOPY_API uint32_t bgcopy_job_get_pending_notifications(bgcopy_job *job);

/* ---- bgcopyd (docs/bgcopyd.md): change hook, owners ------------------ */

/* What a change hook is told changed in a job. */
#define BGCOPY_CHANGE_STATE	0x1u	/* `state` is the state it entered */
#define BGCOPY_CHANGE_PROGRESS	0x2u	/* bytes or files moved or were added */
#define BGCOPY_CHANGE_PROPERTY	0x4u	/* a property set through the API */
/* Client engines only, with job NULL: changes were lost; after a
 * backlog that overflowed, each job's state follows (BGCOPY_CHANGE_STATE
 * calls), after a lost connection nothing does. */
#define BGCOPY_CHANGE_LOST	0x8u
/*
 * Called for every change, in order, one kind of change a call, `state`
 * the job's state then (for BGCOPY_CHANGE_STATE the state it entered).
 * A state that lasts a moment is reported too, each with its own call,
 * from a job's creation (SUSPENDED) on.
 * Embedded: on whichever thread made the change, with the engine's lock
 * held: it must be quick and must not call libbgcopy (a service wakes
 * its own loop from it).
 * Client of bgcopyd: on the engine's own thread that reads the
 * connection, with no lock of the engine held, in the order the daemon
 * announced the changes, whether or not the application calls anything.
 * It starts with a BGCOPY_CHANGE_STATE for every job the engine lists
 * (the state the daemon last announced, listed by
 * bgcopy_engine_set_change_hook, which fails with BGCOPY_E_IO when it
 * cannot list them), then is told of every change the daemon announces,
 * of a job created once that returned too, from its creation (its
 * handle is then the engine's, good until the engine closes or
 * bgcopy_engine_forget_job).  It may call the
 * getters and verbs; not bgcopy_engine_set_change_hook (refused) nor
 * bgcopy_engine_close (which waits for it).  While it runs, the
 * daemon's callbacks to this engine wait: it too must be quick.  Past
 * 4,096 changes it has not taken, they are dropped and it is told
 * BGCOPY_CHANGE_LOST, then every job's state.  Progress is announced at
 * most every 100 ms a job, so it is told less of it than an embedded
 * engine's hook.
 */
typedef void (*bgcopy_change_hook)(bgcopy_job *job, unsigned what,
				   enum bgcopy_state state, void *data);
/* NULL removes it; once this returns, the previous hook is not running
 * and is not called again. */
BGCOPY_API int bgcopy_engine_set_change_hook(bgcopy_engine *engine,
					     bgcopy_change_hook hook, void *data);
/* bgcopy_job_create for a job owned by `owner`: a process running as
 * root (a system service) may name any uid, any other only its own.  The
 * notify command line of a job runs as its owner (uid, gid and groups),
 * never as root for another user's job, and its files are checked when
 * added, written, committed and removed as its owner: a destination the
 * owner may not write is refused by add_file. */
BGCOPY_API int bgcopy_job_create_as(bgcopy_engine *engine, const char *display_name,
				    uint32_t owner, bgcopy_job **out);
/* BITS' TakeOwnership, for root only: `owner` becomes the job's owner and
 * the previous owner's notify command line, server and proxy credentials,
 * custom headers and client certificate are removed. */
BGCOPY_API int bgcopy_job_take_ownership(bgcopy_job *job, uint32_t owner);
/* A service serving a traced client (bgcopy record): loads the
 * tracepoint provider now, whatever BGCOPY_TRACE says.  When an active
 * session records its events, traces the request ("EnableTracing", as
 * below) and `engine`'s engine_open again, so that the session knows the
 * engine, and sets *recording to 1; else traces nothing and sets it to
 * 0: call again, since lttng-ust registers with a session daemon started
 * after the load on its own thread, seconds later (it retries every 5 s).
 * BGCOPY_E_IO when the provider cannot be loaded. */
BGCOPY_API int bgcopy_engine_trace_for(bgcopy_engine *engine, long pid, uint32_t uid,
				       int *recording);
/* How long a service asked to trace waits for a session to record it. */
#define BGCOPY_TRACE_WAIT_MS	10000
/* Traces that process `pid` (of `uid`) asked for `verb` on `job`, or,
 * with job NULL, on the job this thread is about to create (the
 * peer_request event, tp/EVENTS.md).  Nothing to do when no session
 * records it. */
BGCOPY_API void bgcopy_engine_trace_request(bgcopy_engine *engine, bgcopy_job *job,
					    long pid, uint32_t uid, const char *verb);

/*
 * The service.  bgcopy_engine_open gives one of two engines with the same
 * API, semantics and return codes:
 *   - embedded: the engine runs in this process and holds the store;
 *   - client: bgcopyd holds the store and every call goes to it over
 *     D-Bus (docs/bgcopyd.md); job handles mirror the daemon's jobs,
 *     kept current by its change signals, so that a getter reads local
 *     memory unless the mirror is out of date, and a notify interface
 *     is called across the process boundary.  A getter never returns a
 *     value older than the caller's own last change, nor than a change
 *     bgcopyd announced before the getter was called.
 * By default a client engine is opened when a daemon serves the store,
 * an embedded one otherwise.  BGCOPY_OPEN_SERVICE asks for a client
 * engine and starts bgcopyd when none serves the store (the `bgcopy`
 * command does); it falls back to embedded only when another process
 * holds the store in its own engine.  BGCOPY_OPEN_EMBEDDED, or the
 * environment variable BGCOPY_EMBEDDED=1, forces the embedded engine;
 * BGCOPY_SERVICE=1 in the environment acts as BGCOPY_OPEN_SERVICE.
 * A process traced with BGCOPY_TRACE (bgcopy record) starts no daemon
 * unless BGCOPY_SERVICE=1, so that the engine's events are in its trace;
 * it uses a daemon that already holds the store, and asks it to trace
 * (bgcopy_engine_trace_for), so the daemon's events are recorded too.
 * In a client engine BGCOPY_OPEN_NO_TRANSFER has no effect (the daemon
 * transfers), the test options are the daemon's, and the daemon's engine
 * options are checked (bgcopy_engine_open).
 */
#define BGCOPY_OPEN_EMBEDDED	0x4u
#define BGCOPY_OPEN_SERVICE	0x8u
/* A client of `bgcopyd --system` whose job list (list_jobs, find_job) is
 * every user's (BITS' BG_JOB_ENUM_ALL_USERS), for root only: the open is
 * refused, saying why, for another uid, a per-user daemon or an engine
 * that would be embedded. */
#define BGCOPY_OPEN_ALL_USERS	0x10u
/* A client of the machine's daemon, `bgcopyd --system`, on
 * BGCOPY_SYSTEM_SOCKET (BGCOPY_SYSTEM=1 in the environment acts as this
 * flag unless BGCOPY_OPEN_EMBEDDED is given; BGCOPY_EMBEDDED=1 is
 * ignored; with BGCOPY_OPEN_EMBEDDED it is refused).  store_dir is ignored and
 * may be NULL: the daemon serves the store it was started with.  No
 * daemon is ever started (root or systemd does), and no other engine is
 * opened instead: when none answers the open fails with BGCOPY_E_IO,
 * naming the socket and how to start the daemon.  The socket is trusted
 * only when it is root's in directories root alone can write, from /
 * down (another user could have planted anything else); otherwise the
 * open fails with BGCOPY_E_IO, naming the path and its owner. */
#define BGCOPY_OPEN_SYSTEM	0x20u
#define BGCOPY_SYSTEM_SOCKET	"/run/bgcopy/bus"
/* An embedded engine that keeps each owner's jobs in a store of their own,
 * store_dir/users/<uid>/, in directories root alone may write (bgcopyd
 * --system); store_dir itself keeps the engine's settings.  The layout is
 * recorded at the first such open, and every later open keeps it, with
 * this flag or without.  A job whose owner changes moves to the new
 * owner's store. */
#define BGCOPY_OPEN_PER_OWNER	0x40u
/* 1 when `engine` is a client of bgcopyd, 0 when embedded. */
BGCOPY_API int bgcopy_engine_is_client(bgcopy_engine *engine);
/* The index-th word of the notify command line (its program is 0):
 * BGCOPY_E_NOT_FOUND past the last. */
BGCOPY_API int bgcopy_job_get_notify_cmdline_arg(bgcopy_job *job, unsigned index,
						 char *out, size_t size);

/* ---- A persistent callback target (docs/bgcopyd.md) ------------------ */

/* A D-Bus service (a well-known name, "org.example.App") that bgcopyd
 * calls (org.bgcopy1.Callback, activating it if need be) when no client
 * interface is registered, as BITS' notification CLSID; NULL or "" clears
 * it.  Kept in the store; an embedded engine keeps it but calls nothing. */
#define BGCOPY_NOTIFY_SERVICE_MAX 255u
BGCOPY_API int bgcopy_job_set_notify_service(bgcopy_job *job, const char *name);
/* The name, "" when none; BGCOPY_E_LIMIT when it does not fit `size`. */
BGCOPY_API int bgcopy_job_get_notify_service(bgcopy_job *job, char *out, size_t size);

/* ---- Many files at once ---------------------------------------------- */

/* Adds `count` files at once (urls[i] to local_paths[i]), all or none,
 * in one store transaction: each is checked as bgcopy_job_add_file
 * checks it, and the first refused makes the call return its error,
 * prefixed "file N of COUNT: ", with nothing added.  BGCOPY_E_LIMIT when
 * they would take the job past its file cap (max_files_per_job, 200 by
 * default, as BITS). */
BGCOPY_API int bgcopy_job_add_files(bgcopy_job *job, unsigned count,
				    const char *const *urls,
				    const char *const *local_paths);

/* ---- A job's proxy (BITS' SetProxySettings) ---- */
/* Which proxy a job's requests go through. */
enum bgcopy_proxy_usage {
	BGCOPY_PROXY_PRECONFIG = 0,	/* the default: the transferring process's
					   environment (http_proxy, https_proxy,
					   no_proxy), as libcurl reads it */
	BGCOPY_PROXY_NO_PROXY = 1,	/* never a proxy, whatever the environment */
	BGCOPY_PROXY_OVERRIDE = 2,	/* the job's own proxy list and bypass list */
};
/* `proxies` (OVERRIDE only: one or more "[scheme://]host[:port]"
 * separated by spaces or ';', the first one used; no user info: proxy
 * credentials have their own setter) and `bypass` (OVERRIDE only, may be
 * NULL: host names, domains or addresses separated by spaces, ',' or ';',
 * reached directly).  Both must be NULL or "" with the other usages.
 * Takes effect from the job's next transfer. */
#define BGCOPY_PROXY_LIST_MAX 4096u
BGCOPY_API int bgcopy_job_set_proxy(bgcopy_job *job, enum bgcopy_proxy_usage usage,
				    const char *proxies, const char *bypass);
BGCOPY_API enum bgcopy_proxy_usage bgcopy_job_get_proxy_usage(bgcopy_job *job);
/* The lists as stored: proxies space-separated, bypass ','-separated;
 * "" when none. */
BGCOPY_API int bgcopy_job_get_proxy_lists(bgcopy_job *job, char *proxies,
					  size_t proxies_size, char *bypass,
					  size_t bypass_size);
BGCOPY_API const char *bgcopy_proxy_usage_name(enum bgcopy_proxy_usage usage);
/* The proxy's credentials (BITS' SetCredentials with a proxy target), as
 * bgcopy_job_set_credentials keeps the server's: in the store only, read
 * by its owner alone; the trace, info and list name only the scheme.
 * Sent to whichever proxy the job's usage selects. */
BGCOPY_API int bgcopy_job_set_proxy_credentials(bgcopy_job *job,
						enum bgcopy_auth_scheme scheme,
						const char *user, const char *password);
BGCOPY_API int bgcopy_job_clear_proxy_credentials(bgcopy_job *job);
BGCOPY_API enum bgcopy_auth_scheme bgcopy_job_get_proxy_auth_scheme(bgcopy_job *job);

/* ---- A job's maximum download time (BITS' SetMaximumDownloadTime) ---- */
/* The time the job may spend CONNECTING or TRANSFERRING, in seconds
 * (QUEUED and TRANSIENT_ERROR do not count; bgcopy_job_resume starts the
 * count again; it survives a restart).  Past it the job goes to ERROR,
 * context BGCOPY_ERRCTX_MAX_DOWNLOAD_TIME.  0: no limit.  The default is
 * BITS' 90 days. */
#define BGCOPY_DEFAULT_MAX_DOWNLOAD_TIME_S 7776000u
BGCOPY_API int bgcopy_job_set_max_download_time(bgcopy_job *job, uint32_t seconds);
BGCOPY_API uint32_t bgcopy_job_get_max_download_time(bgcopy_job *job);

/* ---- Dynamic content (BITS_JOB_PROPERTY_DYNAMIC_CONTENT) ---- */
/* Non-zero: the job's files may come from a server that gives no length
 * or no ranges.  Every attempt asks for the whole file (no Range: the
 * content may differ from one request to the next), a body ended by the
 * server closing the connection is taken as whole, and an interrupted
 * file starts again from zero; the maximum download size still caps it.
 * Zero, the default: such a body is a permanent error naming the flag,
 * since a cut one looks the same. */
BGCOPY_API int bgcopy_job_set_dynamic_content(bgcopy_job *job, int enabled);
BGCOPY_API int bgcopy_job_get_dynamic_content(bgcopy_job *job);

/* ---- A file's HTTP response headers (DO's HTTP_RESPONSE_HEADERS) ---- */
/* The status line and headers of the last response the file's last
 * attempt received (after redirects), one a line, kept with the file
 * (stored; 16 KiB at most); "" before any.  Never kept: the values of
 * Set-Cookie, Set-Cookie2, Authentication-Info and
 * Proxy-Authentication-Info (shown as "(not kept)"), and the user info
 * and query of Location and Content-Location. */
#define BGCOPY_RESPONSE_HEADERS_MAX 16384u
BGCOPY_API int bgcopy_job_get_file_response_headers(bgcopy_job *job, unsigned index,
						    char *out, size_t size);

/* ---- Bandwidth caps (BITS' bandwidth policy) ---- */
/* Bytes per second a job's transfers may receive (libcurl's
 * CURLOPT_MAX_RECV_SPEED_LARGE); 0, the default, is no cap.  Stored.
 * Both caps may change while transfers run: the worker applies them
 * within a second. */
BGCOPY_API int bgcopy_job_set_max_bandwidth(bgcopy_job *job, uint64_t bytes_per_s);
BGCOPY_API uint64_t bgcopy_job_get_max_bandwidth(bgcopy_job *job);

/* ---- Parallel files (beyond BITS, which moves a job's files one at a
 * time) ---- */
/* How many of the job's files may be transferred at once, 1 (the
 * default: BITS' serial order) to BGCOPY_PARALLEL_FILES_MAX, else
 * BGCOPY_E_INVALID_ARG.  Stored.  Each file in flight is one connection
 * of the engine's max_connections and counts against its max_per_host;
 * the job's bandwidth cap is shared by them.  Files then complete out
 * of index order, and FileTransferred comes in completion order.  A
 * change applies when the worker next starts a file: a lower value
 * stops none of the transfers running. */
#define BGCOPY_PARALLEL_FILES_MAX 16u	/* a browser's per-host habit is 6; past
					 * 16 a host sees abuse, not a download */
BGCOPY_API int bgcopy_job_set_parallel_files(bgcopy_job *job, uint32_t files);
BGCOPY_API uint32_t bgcopy_job_get_parallel_files(bgcopy_job *job);
/* The engine's cap, shared evenly by its running transfers of jobs
 * that are not FOREGROUND (those are exempt, as BITS exempts them from
 * policy); a job's own cap still applies.  Kept in the store, so the
 * next engine on it has it again (bgcopyd's: root sets it through the
 * Manager); a read-only engine shows it and refuses to change it. */
BGCOPY_API int bgcopy_engine_set_max_bandwidth(bgcopy_engine *engine, uint64_t bytes_per_s);
BGCOPY_API uint64_t bgcopy_engine_get_max_bandwidth(bgcopy_engine *engine);
/* The engine's cap by hour and weekday, as BITS' bandwidth policy: up to
 * 16 entries "DAYS FROM-TO BYTES_PER_S" separated by ';', DAYS sun..sat
 * as a range ("mon-fri", may wrap), a list ("sat,sun") or "*", hours
 * FROM < TO in 0-24, local time.  The first entry holding the moment
 * gives the engine's cap then (0: none); outside every entry it is
 * bgcopy_engine_set_max_bandwidth's.  Shared and applied like that cap,
 * within a second of a change of hour.  NULL or "" removes it; kept in
 * the store like the cap (bgcopyd's: root sets it through the Manager). */
#define BGCOPY_BANDWIDTH_SCHEDULE_MAX 1024u
BGCOPY_API int bgcopy_engine_set_bandwidth_schedule(bgcopy_engine *engine,
						    const char *schedule);
/* The schedule as the engine keeps it ("mon,tue,wed,thu,fri 8-18 2000000"),
 * "" when none; BGCOPY_E_LIMIT when it does not fit. */
BGCOPY_API int bgcopy_engine_get_bandwidth_schedule(bgcopy_engine *engine, char *out,
						    size_t size);

/* ---- TLS (BITS' SetClientCertificate, SetSecurityFlags) ---- */
/* Files are absolute paths to PEM files, read by the process that
 * transfers (bgcopyd for a client engine) when each transfer starts;
 * each must be readable when set.  Stored as paths, never as contents.
 * A client certificate and its private key (`key` NULL or "": the key is
 * in the certificate's file); an unencrypted key only, whose file no
 * one but its owner may read or write (mode 0600 or 0400): another is
 * refused, and a transfer whose key file others can read by then ends
 * the job in ERROR (context TLS) before any request.  NULL or "" as
 * `cert` removes both.  Taking ownership of the
 * job removes them too. */
BGCOPY_API int bgcopy_job_set_client_certificate(bgcopy_job *job, const char *cert,
						 const char *key);
/* The paths as set, "" when none; BGCOPY_E_LIMIT when one does not fit. */
BGCOPY_API int bgcopy_job_get_client_certificate(bgcopy_job *job, char *cert,
						 size_t cert_size, char *key,
						 size_t key_size);
/* The CAs the job trusts instead of the system's (a PEM bundle); NULL
 * or "": the system's. */
BGCOPY_API int bgcopy_job_set_ca_file(bgcopy_job *job, const char *path);
BGCOPY_API int bgcopy_job_get_ca_file(bgcopy_job *job, char *out, size_t size);
/* Certificate revocation lists (PEM) checked with
 * BGCOPY_SECURITY_CHECK_REVOCATION: libcurl checks revocation against
 * such a file only, it fetches no CRL and asks no OCSP responder.  It
 * must cover every certificate of the server's chain (its CA's CRL).
 * NULL or "" clears it, refused while the flag is set. */
BGCOPY_API int bgcopy_job_set_crl_file(bgcopy_job *job, const char *path);
BGCOPY_API int bgcopy_job_get_crl_file(bgcopy_job *job, char *out, size_t size);
/* Security flags, BITS' BG_SSL_* and BG_HTTP_REDIRECT_POLICY_* values.
 * Refused, since libcurl cannot skip that one check alone:
 * IGNORE_DATE_INVALID, IGNORE_UNKNOWN_CA, IGNORE_WRONG_USAGE (the
 * error names NO_SERVER_VERIFICATION, which skips them all). */
#define BGCOPY_SECURITY_CHECK_REVOCATION	0x0001u	/* against the job's CRL file,
							   which must be set first */
#define BGCOPY_SECURITY_IGNORE_CN_INVALID	0x0002u	/* any host name: libcurl's
							   SSL_VERIFYHOST off */
#define BGCOPY_SECURITY_IGNORE_DATE_INVALID	0x0004u	/* refused */
#define BGCOPY_SECURITY_IGNORE_UNKNOWN_CA	0x0008u	/* refused */
#define BGCOPY_SECURITY_IGNORE_WRONG_USAGE	0x0010u	/* refused */
/* The redirect policy in the flags (BITS' 0x700 mask and 0x800) is the
 * job's redirect policy: ALLOW_SILENT and ALLOW_REPORT set ALLOW (every
 * redirect's final URL is reported anyway), DISALLOW sets DISALLOW, and
 * ALLOW_HTTPS_TO_HTTP with either ALLOW sets ALLOW_INSECURE.  Reading
 * the flags gives the policy back the same way. */
#define BGCOPY_SECURITY_REDIRECT_POLICY_MASK	0x0700u
#define BGCOPY_SECURITY_REDIRECT_ALLOW_SILENT	0x0000u
#define BGCOPY_SECURITY_REDIRECT_ALLOW_REPORT	0x0100u
#define BGCOPY_SECURITY_REDIRECT_DISALLOW	0x0200u
#define BGCOPY_SECURITY_REDIRECT_ALLOW_HTTPS_TO_HTTP	0x0800u
/* bgcopy's own: no check at all of the server's certificate (chain,
 * dates, host name), libcurl's SSL_VERIFYPEER and SSL_VERIFYHOST off. */
#define BGCOPY_SECURITY_NO_SERVER_VERIFICATION	0x10000u
BGCOPY_API int bgcopy_job_set_security_flags(bgcopy_job *job, uint32_t flags);
BGCOPY_API uint32_t bgcopy_job_get_security_flags(bgcopy_job *job);
/* "check-revocation", "ignore-cn-invalid", ... for one flag bit, the
 * redirect values included ("redirect-disallow"...); NULL for a bit
 * that names no flag. */
BGCOPY_API const char *bgcopy_security_flag_name(uint32_t flag);
/* The names of the flags set, ','-separated ("" for none), cut to fit. */
BGCOPY_API void bgcopy_security_flag_names(uint32_t flags, char *out, size_t size);

/* ---- Callbacks handed to another process ---- */

/*
 * Forwarding a callback to another process (bgcopyd does, to a client's
 * notify interface), so that both sides trace the same attempt.  Called
 * from inside a notify interface's method, on the engine's thread that
 * runs it: records that this attempt was handed to process `to` (trace
 * event callback_forwarded) and gives the ids to pass along, which the
 * receiving process records with what it did (docs/CONTRACT.md section
 * 7, C1-C3).
 * BGCOPY_E_INVALID_STATE anywhere else.
 */
struct bgcopy_callback_attempt {
	uint64_t engine;	/* the engine's trace id (engine_open) */
	uint64_t arming;	/* trace schema 2's arming id */
	uint32_t attempt;	/* 1 for the first try of that arming */
};
BGCOPY_API int bgcopy_callback_forward(int32_t to, struct bgcopy_callback_attempt *out);

/*
 * Receiving such a callback without a client engine: a process that
 * answers org.bgcopy1.Callback calls itself (a job's notify service,
 * docs/bgcopyd.md) traces them as the client library traces its own, so
 * that the checker proves each one bgcopyd counted delivered ran here
 * (docs/CONTRACT.md section 7, C1-C3).  bgcopy_callback_receiver_open()
 * once, before the process takes its bus name: it loads the provider as
 * an engine does (BGCOPY_TRACE) and records the process, whose receipts
 * are checked from then on by sessions that were recording then;
 * bgcopy_callback_received() when a call arrives;
 * bgcopy_callback_returned() with the answer, just before replying.
 * Nothing is recorded that no session listens to, nor an attempt of all
 * zeros (a sender that forwarded nothing).  The id drawn at the first
 * open names this process's receipts; a child forked after it should
 * not answer calls with it.  BGCOPY_E_INVALID_ARG for a missing receipt,
 * member or job, or a member that is not a Callback method;
 * BGCOPY_E_INVALID_STATE before the first open.
 */
struct bgcopy_callback_receipt {
	const char *member;	/* "JobTransferred", "JobError", ... */
	const char *job;	/* the job's id, the call's first argument */
	int32_t file_index;	/* FileTransferred's index; ignored for others */
	struct bgcopy_callback_attempt attempt;	/* the call's last argument */
};
BGCOPY_API int bgcopy_callback_receiver_open(void);
BGCOPY_API int bgcopy_callback_received(const struct bgcopy_callback_receipt *receipt);
BGCOPY_API int bgcopy_callback_returned(const struct bgcopy_callback_receipt *receipt,
					int32_t result);

#ifdef __cplusplus
}
#endif

#endif /* BGCOPY_H */
