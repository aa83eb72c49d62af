/*
 * libbgcopy's client mode: the public API of an engine whose store
 * bgcopyd holds, forwarded over D-Bus (bgcopy.h says when it is used).
 *
 * A client engine is a bgcopy_engine with `client` set and no store or
 * threads of its own; its jobs are mirrors of the daemon's job objects,
 * kept current by their PropertiesChanged signals (client_mirror.c): a
 * getter (api.c) applies the signals received so far and reads the
 * mirror, asking the daemon for the whole job (GetAll) only when a
 * signal named a value without carrying it, signals were dropped, or
 * the daemon does not announce the value (API_READ_LIVE), or this client
 * changed the job since (client_bus.c: read-your-writes, whatever the
 * daemon announces).  Verbs that change something are forwarded by
 * CLIENT_DISPATCH at the top of each public verb.
 * Once the connection is lost every call fails (client_bus.c).
 *
 * Locking: the engine lock guards the mirrors, a mutex of its own the
 * connection; the engine lock is taken first.  Callbacks from the
 * daemon run on a thread each, with neither held.  A call made with
 * neither held has its reply read by the pump, and waits without the
 * connection's lock: the pump answers the daemon's callbacks meanwhile,
 * and other threads' calls go out (client_bus.c).
 */
#ifndef BGCOPY_CLIENT_H
#define BGCOPY_CLIENT_H

#include <stdarg.h>
#include <systemd/sd-bus.h>

#include "internal.h"

#define CLIENT_NO_DAEMON	1	/* client_open: nobody serves the store */
/* bgcopyd's exit status 100 + n: its engine refused the store with the
 * status -n (BGCOPYD_EXIT_ENGINE in daemon.h). */
#define CLIENT_EXIT_ENGINE	100
#define CLIENT_JOB_PREFIX	"/org/bgcopy1/job/"
#define CLIENT_CALLBACK_PATH	"/org/bgcopy1/callback"
/* client_job_set_number: the one number the trace has no property for */
#define CLIENT_PROP_CMDLINE_TIMEOUT	1000

/* The one dispatch point of a verb: on a client engine it runs in the
 * daemon, and the verb's embedded body is never reached. */
#define CLIENT_DISPATCH(engine, call)					\
	do {								\
		if ((engine) && (engine)->client)			\
			return (call);					\
	} while (0)

struct client_call;
struct hook_record;

struct client {
	bgcopy_engine *engine;
	sd_bus *bus;
	pthread_mutex_t bus_lock;	/* sd-bus is not thread-safe */
	char socket[108];
	/* client_bus.c: a reply the pump read for a waiting call, bus_lock */
	pthread_cond_t replied;
	/* client_callback.c */
	pthread_t pump;
	bool pump_started;
	bool pump_reading;		/* bus_lock: it reads replies for callers */
	int wake_fd;			/* eventfd: the pump's poll returns */
	bool stopping;			/* atomic: the pump ends */
	struct client_call *calls;	/* callbacks waiting to run, bus_lock */
	unsigned workers;		/* callbacks running, bus_lock */
	pthread_cond_t workers_done;
	/* client_mirror.c: change signals read, not yet applied, bus_lock */
	sd_bus_message **signals;
	size_t nsignals, signals_cap;
	bool signals_dropped;		/* too many waited: no mirror is current */
	/* client_bus.c: the connection closed (atomic); it stays closed */
	bool lost;
	int lost_errno;			/* 0: closed; else why the pump gave up */
	/* client_hook.c: the change hook, called by the pump in the order
	 * of the daemon's signals */
	pthread_mutex_t hook_lock;	/* taken before bus_lock; held while it runs */
	bgcopy_change_hook hook;	/* hook_lock */
	void *hook_data;		/* hook_lock */
	uid_t uid;			/* who the daemon sees at this end */
	bool hook_on;			/* bus_lock: signals make records */
	bool hook_resync;		/* bus_lock: list every job's state first */
	bool hook_lost;			/* bus_lock: records were dropped */
	uint64_t hook_from;		/* bus_lock: signals older are in the listing */
	struct hook_record *records;	/* bus_lock: not yet given to the hook */
	size_t nrecords, records_cap;
};

/* client_start.c: where a store's daemon listens, and starting one */
int client_socket_path(const char *store, char *out, size_t size);
/* BGCOPY_SYSTEM_SOCKET once it and every directory above it are found
 * to be root's alone (bgcopy.h, BGCOPY_OPEN_SYSTEM). */
int client_system_socket(char *out, size_t size);
/* BGCOPY_E_IO, saying that none answers there and how to start one. */
int client_no_system_daemon(const char *socket);
int client_start_daemon(const char *store, const char *socket,
			const struct bgcopy_engine_options *asked);

/* client_options.c: the engine options that are the daemon's (engine->opt
 * holds the caller's, 0 where it takes the default) */
#define CLIENT_DAEMON_OPTIONS	5
#define CLIENT_NUMBER_SIZE	16
/* bgcopyd's options for those `asked` gives, into argv (two words each,
 * numbers kept in numbers[]): how many words. */
size_t client_options_argv(const struct bgcopy_engine_options *asked, char **argv,
			   char (*numbers)[CLIENT_NUMBER_SIZE]);
/* The daemon's engine's options (bgcopy_engine_get_options). */
int client_engine_options(bgcopy_engine *engine, struct bgcopy_engine_options *out);
/* BGCOPY_E_STORE_BUSY, naming the option and both values, when the
 * daemon's engine runs with another value of an option the caller gave. */
int client_options_check(bgcopy_engine *engine);

/* client_open.c: a client engine's connection and pump */
enum client_reach {
	CLIENT_FIND,		/* the store's daemon if one answers */
	CLIENT_START,		/* the store's daemon, started if need be */
	CLIENT_SYSTEM,		/* bgcopyd --system, never started */
};
int client_open(bgcopy_engine *engine, enum client_reach reach);
void client_close(bgcopy_engine *engine);

/* client_bus.c: calls to the daemon */
int client_callv(bgcopy_engine *engine, const char *path, const char *iface,
		 const char *member, sd_bus_message **reply, const char *types, ...);
int client_send(bgcopy_engine *engine, sd_bus_message *m, sd_bus_message **reply);
void client_message_unref(bgcopy_engine *engine, sd_bus_message *m);
int client_new_call(bgcopy_engine *engine, const char *path, const char *member,
		    sd_bus_message **m);
int client_writable(bgcopy_job *job);
/* The pump's poll returns at once (client_callback.c's pump). */
void client_pump_wake(struct client *c);
/* Called by the pump's thread as it starts: it reads its own calls'
 * replies. */
void client_pump_thread_begin(const struct client *c);
/* bus_lock held: whether the pump reads the replies of waiting calls;
 * not while it runs the application's change hook, which may wait for
 * one of them, nor once it stopped: they then read it themselves. */
void client_set_pump_reading(struct client *c, bool reading);
/* BGCOPY_OK while the connection to bgcopyd is open, else BGCOPY_E_IO
 * naming its socket.  client_note_lost (bus_lock held) marks it lost
 * when sd-bus says so. */
int client_check_open(struct client *c);
void client_note_lost(struct client *c);
/* Reading the connection failed (sd_bus_process said `r`, bus_lock
 * held): a callback it read may be gone unanswered, and the pump stops,
 * so it is lost even if sd-bus holds it open. */
void client_read_failed(struct client *c, int r);
/* Names and paths go as bytes ('ay'): D-Bus text must be UTF-8, they
 * need not be (docs/bgcopyd.md). */
int client_append_bytes(sd_bus_message *m, const char *bytes);
void client_job_path(const char *id, char *out, size_t size);
/* The id of the job whose object is at `path`; false for another path. */
bool client_job_id(const char *path, char id[37]);
/* The engine lock held. */
bgcopy_job *client_mirror_of(bgcopy_engine *engine, const char *id);

/* client_mirror.c: the engine lock held, but client_mirror_watch (at
 * the open) and client_mirror_free (at the close) */
int client_mirror_watch(bgcopy_engine *engine);
/* The mirror of job `id`, made and linked if new; NULL on no memory. */
bgcopy_job *client_mirror_add(bgcopy_engine *engine, const char *id);
void client_mirror_free(bgcopy_engine *engine);
int client_sync_jobs(bgcopy_engine *engine);
/* Brings the mirror up to what the daemon announced; for API_READ_LIVE,
 * or when that is not enough for `rule`, reads the whole job from the
 * daemon. */
int client_mirror_read(bgcopy_job *job, enum api_rule rule);

/* client_verbs.c: the public verbs of a client engine */
int client_job_create(bgcopy_engine *engine, const char *name, bgcopy_job **out);
int client_job_add_file(bgcopy_job *job, const char *url, const char *local_path,
			const char *sha256_hex);
int client_job_add_files(bgcopy_job *job, unsigned count, const char *const *urls,
			 const char *const *local_paths);
int client_job_verb(bgcopy_job *job, const char *member);
int client_job_set_text(bgcopy_job *job, int property, const char *text);
int client_job_set_number(bgcopy_job *job, int property, uint64_t value);
int client_job_set_redirect_policy(bgcopy_job *job, enum bgcopy_redirect_policy p);
/* The server's, or with `proxy` the proxy's; BGCOPY_AUTH_NONE clears them. */
int client_job_set_credentials(bgcopy_job *job, bool proxy, enum bgcopy_auth_scheme scheme,
			       const char *user, const char *password);
/* Checked lists, or NULL for none. */
int client_job_set_proxy(bgcopy_job *job, enum bgcopy_proxy_usage usage,
			 const char *proxies, const char *bypass);
/* The engine's bandwidth cap: set (`set`) or read into *bps. */
int client_engine_max_bandwidth(bgcopy_engine *engine, uint64_t *bps, bool set);
/* Asked of the daemon each time: not mirrored. */
int client_file_response_headers(bgcopy_job *job, unsigned index, char *out, size_t size);
/* Checked lines, or NULL for none. */
int client_job_set_headers(bgcopy_job *job, const char *headers);
int client_job_set_notify_flags(bgcopy_job *job, uint32_t flags);
int client_job_set_notify_cmdline(bgcopy_job *job, const char *const *argv);
/* NULL or "" clears it. */
int client_job_set_notify_service(bgcopy_job *job, const char *name);
int client_wait_idle(bgcopy_engine *engine, long timeout_ms);
/* TLS: `member` SetClientCertificate (`path`, `key`), SetCaFile or
 * SetCrlFile (`path`); NULL sends "" (clears). */
int client_job_set_tls(bgcopy_job *job, const char *member, const char *path,
		       const char *key);
int client_job_set_security_flags(bgcopy_job *job, uint32_t flags);
/* The engine's bandwidth schedule: set `text`, or with `text` NULL read
 * it into `out`. */
int client_engine_bandwidth_schedule(bgcopy_engine *engine, const char *text, char *out,
				     size_t size);

/* client_hook.c: the change hook (bgcopy.h says what it is told).  The
 * pump calls client_hook_watch when it starts, client_hook_deliver
 * after each message it reads, client_hook_connection_lost when the
 * daemon has gone, and client_hook_free once it has stopped. */
int client_hook_watch(bgcopy_engine *engine);
int client_set_change_hook(bgcopy_engine *engine, bgcopy_change_hook hook, void *data);
void client_hook_deliver(bgcopy_engine *engine);
void client_hook_connection_lost(bgcopy_engine *engine);
void client_hook_free(bgcopy_engine *engine);

/* client_callback.c: notify interfaces across the process boundary */
int client_pump_start(bgcopy_engine *engine);
/* True on a thread running one of `engine`'s callbacks. */
bool client_on_worker(const bgcopy_engine *engine);
void client_pump_stop(bgcopy_engine *engine);
int client_job_set_notify_interface(bgcopy_job *job, struct bgcopy_callback *cb);
void client_drop_interface(bgcopy_job *job);
void client_release_interfaces(bgcopy_engine *engine);

#endif /* BGCOPY_CLIENT_H */
