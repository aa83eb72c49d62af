/*
 * bgcopyd: the state the daemon's files share, and what each of them offers.
 *
 * Layers.  A file calls only files of its own layer or of layers below it,
 * and files of one layer never call each other in a circle:
 *
 *   0 leaves        bus_errors.c jobs.c changes.c idle.c job_digest.c
 *                   bus_text.c notify_service.c files_to_add.c
 *   1 signals       job_watch.c offload.c
 *   2 objects       bus_callback.c bus_manager.c bus_job.c bus_job_tls.c
 *                   job_forget.c
 *   3 connections   peer.c bus_name.c
 *   4 socket        listen.c
 *   5 main          daemon.c
 *
 * The sd-event loop alone uses the clients' connections.  libbgcopy's
 * own threads call into changes.c (the change hook), which queues what
 * changed under its own mutex and wakes the loop with an eventfd.  The
 * engine's dispatcher threads also call into bus_callback.c (a client's
 * notify interface), which hands each call to the loop and waits for its
 * reply, and into notify_service.c (a job's notify service), which calls
 * it over a bus connection of the dispatcher's own, or, for a job of
 * another owner, from bgcopyd's own binary exec'd as that owner.  Verbs
 * that touch destinations run on offload.c's threads, answered by the
 * loop.
 */
#ifndef BGCOPYD_DAEMON_H
#define BGCOPYD_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bgcopy.h"

#define BGCOPYD_MANAGER_PATH	"/org/bgcopy1"
#define BGCOPYD_JOB_PREFIX	"/org/bgcopy1/job"
#define BGCOPYD_MANAGER_IFACE	"org.bgcopy1.Manager"
#define BGCOPYD_JOB_IFACE	"org.bgcopy1.Job"
#define BGCOPYD_VERSION		"1.0.0"
#define BGCOPYD_ERROR		"org.bgcopy1.Error."
/* Exit status 100 + n: the engine refused the store with the bgcopy
 * status -n (libbgcopy's client mode returns that status, client.h). */
#define BGCOPYD_EXIT_ENGINE	100
/* Taken on the session or system bus where one exists (bus_name.c);
 * a notify service exports its Callback object at this path. */
#define BGCOPYD_BUS_NAME	"org.bgcopy1"
#define BGCOPYD_CALLBACK_PATH	"/org/bgcopy1/callback"
#define BGCOPYD_CALLBACK_IFACE	"org.bgcopy1.Callback"
/* BITS' defaults (MaxJobsPerUser, MaxJobsPerMachine). */
#define BGCOPYD_MAX_JOBS_PER_USER	60
#define BGCOPYD_MAX_JOBS		300
/* Display names and descriptions longer than this are refused, so that
 * what a client sets is what it reads back. */
#define BGCOPYD_TEXT_MAX	4096

struct job_snapshot;
struct callbacks;
struct offload;

/* What the change hook reported (changes.c), for the loop. */
struct job_change {
	bgcopy_job *job;
	unsigned what;			/* BGCOPY_CHANGE_* */
	enum bgcopy_state state;	/* the state entered, with _STATE */
};

/* One client connection: its own sd_bus, and who is at the other end. */
struct peer {
	struct daemon *daemon;
	sd_bus *bus;
	uid_t uid;
	pid_t pid;
	uint64_t serial;		/* the n-th connection: its unique name */
	bool spoke;			/* it has sent a message: signals may go */
	struct peer *prev, *next;
};

struct daemon {
	sd_event *event;
	bgcopy_engine *engine;
	uid_t uid;			/* the daemon's */
	bool system;			/* --system: users' jobs in one root daemon */
	unsigned max_jobs_per_user;	/* jobs not yet ACKNOWLEDGED or CANCELLED */
	unsigned max_jobs;
	int listen_fd;
	ino_t socket_ino;		/* the file bound, removed at exit if still ours */
	sd_event_source *listen_source;
	struct peer *peers;
	unsigned npeers;
	uint64_t connections;		/* accepted so far */
	/* idle.c */
	uint64_t idle_exit_usec;	/* 0: never */
	sd_event_source *idle_source;
	/* changes.c: filled by libbgcopy's threads, emptied by the loop */
	pthread_mutex_t changes_lock;
	struct job_change *changes;
	size_t nchanges, changes_cap;
	bool changes_overflow;		/* some were dropped: compare every job */
	int changes_fd;			/* eventfd: wakes the loop */
	/* job_watch.c: what each job looked like when last announced */
	sd_event_source *changes_source, *progress_source;
	struct job_snapshot **snapshots;	/* in no order */
	size_t nsnapshots, snapshots_cap;
	void *snapshot_index;		/* tsearch tree: job to snapshot */
	/* job_forget.c: final jobs announced, oldest first, let go of
	 * keep_final_usec later */
	sd_event_source *forget_source;
	struct final_job { bgcopy_job *job; uint64_t at_usec; } *finals;
	size_t nfinals, finals_cap;
	uint64_t keep_final_usec;
	unsigned nmoving;		/* jobs QUEUED to TRANSIENT_ERROR */
	struct callbacks *callbacks;	/* bus_callback.c, NULL until first used */
	struct offload *offload;	/* offload.c */
	unsigned offloaded;		/* calls handed to it, not yet answered */
	/* bus_name.c: a session or system bus, where one exists */
	int bus_errno;			/* why none is reachable; 0: one is */
	bool bus_missing_said;		/* notify_service.c logged it once */
	bool stopping;			/* shutting down: no service takes over */
	struct peer *bus_peer;		/* org.bgcopy1 there, or NULL */
};

/* listen.c: the Unix socket clients connect to */
int listen_open(struct daemon *d, const char *path, mode_t mode);
int listen_adopt(struct daemon *d);
int listen_attach(struct daemon *d);
void listen_close(struct daemon *d, const char *path);

/* peer.c: accepted connections */
int peer_accept(struct daemon *d, int fd);
void peer_free(struct peer *p);

/* jobs.c */
bool peer_sees(const struct peer *p, bgcopy_job *job);
bgcopy_job **daemon_jobs(struct daemon *d, const struct peer *p, bool own, size_t *n);
int daemon_count_jobs(struct daemon *d, uid_t uid, size_t *owned, size_t *all);
int job_object_path(bgcopy_job *job, char **out);

/* bus_errors.c */
int bus_errors_register(void);
int bus_error_from_status(sd_bus_error *error, int status);
/* The same with the message of a call made on another thread. */
int bus_error_from_text(sd_bus_error *error, int status, const char *text);
int bus_error_not_found(sd_bus_error *error, const char *id);
int bus_error_check_text(sd_bus_error *error, const char *what, const char *text);

/* bus_text.c: local paths, names and descriptions are bytes; D-Bus text
 * ('s') must be UTF-8.  Text shows them with U+FFFD for what is not
 * UTF-8; the ...Bytes methods and properties ('ay') carry them exactly. */
bool bus_text_valid(const char *bytes);
/* `bytes` itself when valid, else its text in `buf` (cut to fit). */
const char *bus_text(const char *bytes, char *buf, size_t size);
int bus_append_text(sd_bus_message *m, const char *bytes);
int bus_append_bytes(sd_bus_message *m, const char *bytes);
/* One 'ay' as a string of its own (*out, freed by the caller); one
 * holding a NUL is refused, naming `what`. */
int bus_read_bytes(sd_bus_message *m, sd_bus_error *error, const char *what, char **out);

/* files_to_add.c: an AddFile* call's files, added on offload.c's thread
 * (files_to_add_run).  The strings are the message's, which outlives the
 * call, but AddFileBytes' copies. */
struct files_to_add {
	bool one;			/* AddFile*: bgcopy_job_add_file_sha256 */
	unsigned count, cap;
	const char **urls, **paths;
	const char *sha256_hex;		/* AddFileSha256's, or NULL */
	char *url_bytes, *path_bytes;	/* AddFileBytes' */
};
int files_to_add_read_bytes(struct files_to_add *f, sd_bus_message *m, sd_bus_error *error);
int files_to_add_append(struct files_to_add *f, const char *url, const char *local_path,
			sd_bus_error *error);
int files_to_add_run(bgcopy_job *job, void *arg);
void files_to_add_free(void *arg);

/* bus_manager.c */
int bus_manager_register(struct peer *p);

/* bus_callback.c: interfaces clients export, called from the engine */
int bus_callback_register(struct peer *p, bgcopy_job *job, const char *path);
void bus_callback_peer_gone(struct peer *p);
bool bus_callback_has_client(struct daemon *d, bgcopy_job *job);
void bus_callback_forget_job(struct daemon *d, bgcopy_job *job);
void bus_callback_free(struct daemon *d);

/* notify_service.c: a job's notify service */
uint64_t callback_timeout_usec(void);
int callback_append_args(sd_bus_message *m, const char *member, const char *id,
			 const struct bgcopy_error *e, uint32_t file_index,
			 const struct bgcopy_callback_attempt *at);
int notify_service_install(struct daemon *d, bgcopy_job *job);
/* The daemon's binary run as a job's owner to call its notify service. */
#define BGCOPYD_CALL_SERVICE_ARG	"--call-notify-service"
int notify_service_call_main(int argc, char **argv);
void notify_service_restore(struct daemon *d);

/* bus_name.c: org.bgcopy1 on a bus */
void bus_name_open(struct daemon *d);
void bus_name_close(struct daemon *d);

/* bus_job.c */
int bus_job_register(struct peer *p);
/* bus_job.c, for bus_job_tls.c: a job path's job if the caller sees it;
 * the peer a message came on; a verb's reply, after its change signals. */
int job_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
	     void **found, sd_bus_error *error);
struct peer *message_peer(sd_bus_message *m);
int reply_changed(sd_bus_message *m, bgcopy_job *job, int status, sd_bus_error *error);
/* bus_job_tls.c: the job's TLS members, after bus_job.c's */
int bus_job_tls_register(struct peer *p);

/* changes.c: the change hook's queue */
int changes_open(struct daemon *d);
void changes_report(struct daemon *d, bgcopy_job *job, unsigned what, enum bgcopy_state state);
void changes_ack(struct daemon *d);
bool changes_waiting(struct daemon *d);
size_t changes_take(struct daemon *d, struct job_change **out, bool *overflow);
void changes_forget(struct daemon *d, bgcopy_job *job);
void changes_close(struct daemon *d);

/* idle.c: the idle exit */
void idle_update(struct daemon *d);
void idle_free(struct daemon *d);

/* job_digest.c: the properties announced by name alone (invalidated),
 * each as a digest of its value; Files is taken with the progress. */
enum job_digest {
	JOB_DIGEST_MIN_RETRY, JOB_DIGEST_NO_PROGRESS, JOB_DIGEST_MAX_DOWNLOAD,
	JOB_DIGEST_REDIRECT, JOB_DIGEST_CMDLINE, JOB_DIGEST_CMDLINE_TIMEOUT,
	JOB_DIGEST_AUTH, JOB_DIGEST_HEADERS, JOB_DIGEST_EPOCH, JOB_DIGEST_TIMES,
	JOB_DIGEST_ERROR, JOB_DIGEST_FILES, JOB_DIGEST_FILES_SHA256,
	JOB_DIGEST_NAME_BYTES, JOB_DIGEST_DESCRIPTION_BYTES, JOB_DIGEST_LOCAL_PATHS,
	JOB_DIGESTS
};
extern const char *const job_digest_names[JOB_DIGESTS];
void job_digests(bgcopy_job *job, uint64_t out[JOB_DIGESTS]);
void job_digest_added_files(bgcopy_job *job, uint64_t out[JOB_DIGESTS]);
uint64_t job_digest_files(bgcopy_job *job);

/* job_watch.c: property change signals */
int job_watch_start(struct daemon *d);
void job_watch_add(struct daemon *d, bgcopy_job *job);
void job_watch_created(struct daemon *d, bgcopy_job *job);
enum bgcopy_state job_watch_state(struct daemon *d, bgcopy_job *job);
void job_watch_flush(struct daemon *d, bool now_all);
void job_watch_changed(struct daemon *d, bgcopy_job *job);
void job_watch_catch_up(struct daemon *d);
void job_watch_remove(struct daemon *d, bgcopy_job *job);
void job_watch_arm_forget(struct daemon *d);
void job_watch_free(struct daemon *d);

/* offload.c: a call run on a thread of its own, answered by the loop once
 * `run` returns (OK: after the job's change signals, as reply_changed);
 * offload_call takes `arg` over and returns 1, or a negative errno. */
typedef int (*offload_fn)(bgcopy_job *job, void *arg);
int offload_start(struct daemon *d);
int offload_call(struct daemon *d, sd_bus_message *m, bgcopy_job *job, offload_fn run,
		 void *arg, void (*free_arg)(void *arg));
bool offload_holds(struct daemon *d, bgcopy_job *job);
void offload_stop(struct daemon *d);

/* job_forget.c: final jobs let go of once announced */
int job_forget_start(struct daemon *d);
void job_forget_free(struct daemon *d);

#endif /* BGCOPYD_DAEMON_H */
