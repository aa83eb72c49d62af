/*
 * bgcopyd: the state the daemon's files share, and what each of them offers.
 *
 * Layers.  A file calls only files of its own layer or of layers below it,
 * and files of one layer never call each other in a circle:
 *
 *   0 leaves        bus_errors.c jobs.c
 *   1 signals       job_watch.c
 *   2 objects       bus_callback.c bus_manager.c bus_job.c
 *   3 connections   peer.c
 *   4 socket        listen.c
 *   5 main          daemon.c
 *
 * Everything runs on one thread, the sd-event loop; libbgcopy's own
 * threads call into bus_callback.c alone (a client's notify interface),
 * which hands each call to the loop and waits for its reply.
 */
#ifndef BGCOPYD_DAEMON_H
#define BGCOPYD_DAEMON_H

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
/* Display names and descriptions longer than this are refused, so that
 * what a client sets is what it reads back. */
#define BGCOPYD_TEXT_MAX	4096

struct job_snapshot;
struct callbacks;

/* One client connection: its own sd_bus, and who is at the other end. */
struct peer {
	struct daemon *daemon;
	sd_bus *bus;
	uid_t uid;
	pid_t pid;
	uint64_t serial;		/* the n-th connection: its unique name */
	struct peer *prev, *next;
};

struct daemon {
	sd_event *event;
	bgcopy_engine *engine;
	uid_t uid;			/* the daemon's: the owner of new jobs */
	int listen_fd;
	ino_t socket_ino;		/* the file bound, removed at exit if still ours */
	sd_event_source *listen_source;
	sd_event_source *tick_source;
	struct peer *peers;
	unsigned npeers;
	uint64_t connections;		/* accepted so far */
	uint64_t idle_exit_usec;	/* 0: never */
	uint64_t busy_usec;		/* last time a job moved or a client was there */
	/* job_watch.c: what each job looked like at the last sweep */
	struct job_snapshot *snapshots;
	size_t nsnapshots;
	struct callbacks *callbacks;	/* bus_callback.c, NULL until first used */
};

/* listen.c: the Unix socket clients connect to */
int listen_open(struct daemon *d, const char *path);
int listen_attach(struct daemon *d);
void listen_close(struct daemon *d, const char *path);

/* peer.c: accepted connections */
int peer_accept(struct daemon *d, int fd);
void peer_free(struct peer *p);

/* jobs.c */
bool peer_sees(const struct peer *p, bgcopy_job *job);
bgcopy_job **daemon_jobs(struct daemon *d, const struct peer *p, size_t *n);
int job_object_path(bgcopy_job *job, char **out);

/* bus_errors.c */
int bus_errors_register(void);
int bus_error_from_status(sd_bus_error *error, int status);
int bus_error_not_found(sd_bus_error *error, const char *id);
int bus_error_check_text(sd_bus_error *error, const char *what, const char *text);

/* bus_manager.c */
int bus_manager_register(struct peer *p);

/* bus_callback.c: interfaces clients export, called from the engine */
int bus_callback_register(struct peer *p, bgcopy_job *job, const char *path);
void bus_callback_peer_gone(struct peer *p);
void bus_callback_free(struct daemon *d);

/* bus_job.c */
int bus_job_register(struct peer *p);

/* job_watch.c: property change signals and the idle clock */
int job_watch_start(struct daemon *d);
void job_watch_sweep(struct daemon *d);
void job_watch_free(struct daemon *d);

#endif /* BGCOPYD_DAEMON_H */
