/*
 * --live: waits until the relay daemon lists the session, so the source
 * may end with it; gives up on a server that is no relay daemon.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* How long it waits for the session to appear, and polls; how long a
 * server that took the connection has to answer as a relay daemon (one
 * answers a listing in milliseconds). */
#define LIVE_WAIT_S 30
#define LIVE_LIST_US 100000
#define LIVE_ANSWER_S 5

/* net[4]://RELAY[:PORT]/host/TARGET/SESSION, split. */
struct live_url {
	char relay[256];		/* net://RELAY[:PORT] */
	char target[256];
	char session[256];
};

static int copy_part(char *dst, size_t len, const char *from, size_t n)
{
	if (!n || n >= len || memchr(from, '/', n))
		return -1;
	memcpy(dst, from, n);
	dst[n] = '\0';
	return 0;
}

/* 0, or -1 when `url' is not an LTTng live session URL. */
static int parse_live_url(const char *url, struct live_url *u)
{
	const char *host, *slash;
	size_t scheme;

	if (!strncmp(url, "net://", 6))
		scheme = 6;
	else if (!strncmp(url, "net4://", 7))
		scheme = 7;
	else
		return -1;
	host = strstr(url + scheme, "/host/");
	if (!host || host == url + scheme ||
	    (size_t) (host - url) >= sizeof(u->relay))
		return -1;
	memcpy(u->relay, url, (size_t) (host - url));
	u->relay[host - url] = '\0';
	host += strlen("/host/");
	slash = strchr(host, '/');
	if (!slash ||
	    copy_part(u->target, sizeof(u->target), host,
		      (size_t) (slash - host)) ||
	    copy_part(u->session, sizeof(u->session), slash + 1,
		      strlen(slash + 1)))
		return -1;
	return 0;
}

static bool string_is(const bt_value *map, const char *key, const char *want)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(map, key);

	return v && bt_value_is_string(v) && !strcmp(bt_value_string_get(v),
						      want);
}

/*
 * 1 when the relay daemon lists the session, 0 when not (yet), -1 when
 * it cannot be asked (the cause is left in the thread's error).
 */
static int session_listed(const bt_component_class_source *live,
			  const struct live_url *u)
{
	bt_value *params = bt_value_map_create();
	bt_query_executor *qe = NULL;
	const bt_value *result = NULL, *s;
	uint64_t i, n;
	int ret = -1;

	if (!params ||
	    bt_value_map_insert_string_entry(params, "url", u->relay))
		goto end;
	qe = bt_query_executor_create(
		bt_component_class_source_as_component_class_const(live),
		"sessions", params);
	if (!qe)
		goto end;
	switch (bt_query_executor_query(qe, &result)) {
	case BT_QUERY_EXECUTOR_QUERY_STATUS_OK:
		break;
	case BT_QUERY_EXECUTOR_QUERY_STATUS_AGAIN:
		ret = 0;
		goto end;
	default:
		goto end;
	}
	if (!bt_value_is_array(result))
		goto end;
	ret = 0;
	n = bt_value_array_get_length(result);
	for (i = 0; i < n && !ret; i++) {
		s = bt_value_array_borrow_element_by_index_const(result, i);
		if (bt_value_is_map(s) &&
		    string_is(s, "session-name", u->session) &&
		    string_is(s, "target-hostname", u->target))
			ret = 1;
	}
end:
	bt_value_put_ref(result);
	bt_query_executor_put_ref(qe);
	bt_value_put_ref(params);
	return ret;
}

/* What one listing found. */
struct listing {
	int found;			/* session_listed()'s answer */
	bool refused;			/* nothing listens there (yet) */
	char why[512];			/* the innermost cause, when found < 0 */
};

/* One listing, run on a thread of its own so that a server which
 * accepts the connection and never answers cannot hold the command. */
struct query {
	const bt_component_class_source *live;
	struct live_url url;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int refs;			/* the waiter and the thread */
	struct listing result;
};

static void query_put(struct query *q)
{
	bool last;

	pthread_mutex_lock(&q->lock);
	last = --q->refs == 0;
	pthread_mutex_unlock(&q->lock);
	if (!last)
		return;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Keeps the thread's error as text: the waiter's thread cannot read it. */
static void keep_error(struct listing *l)
{
	const bt_error *err = bt_current_thread_take_error();
	const char *msg = NULL;

	if (err && bt_error_get_cause_count(err) > 0)
		msg = bt_error_cause_get_message(
			bt_error_borrow_cause_by_index(err, 0));
	snprintf(l->why, sizeof(l->why), "%s", msg ? msg : "no cause given");
	/* lttng-live's words when the connection itself failed. */
	l->refused = strstr(l->why, "Connection failed") != NULL;
	if (err)
		bt_error_release(err);
}

static void *query_run(void *arg)
{
	struct query *q = arg;
	int found = session_listed(q->live, &q->url);

	pthread_mutex_lock(&q->lock);
	if (found < 0)
		keep_error(&q->result);
	q->result.found = found;
	q->done = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	query_put(q);
	return NULL;
}

/* Starts a listing and waits up to `wait_s' for its answer; copies it
 * into *answer.  0, or -1 when it did not come in time. */
static int list_within(const bt_component_class_source *live,
		       const struct live_url *u, int wait_s,
		       struct listing *answer)
{
	struct query *q = calloc(1, sizeof(*q));
	struct timespec until;
	pthread_t thread;
	int ret = -1;

	if (!q)
		return -1;
	*q = (struct query) { .live = live, .url = *u, .refs = 2 };
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	if (pthread_create(&thread, NULL, query_run, q)) {
		q->refs = 1;
		goto end;
	}
	pthread_detach(thread);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_s;
	pthread_mutex_lock(&q->lock);
	while (!q->done &&
	       pthread_cond_timedwait(&q->cond, &q->lock, &until) == 0)
		;
	if (q->done) {
		*answer = q->result;
		ret = 0;
	}
	pthread_mutex_unlock(&q->lock);
end:
	/* A thread still blocked in the listing frees it when it returns. */
	query_put(q);
	return ret;
}

/*
 * The session or its relay daemon may be about to start: a refused
 * connection is tried again for LIVE_WAIT_S.  A server that answers
 * something else, or nothing within LIVE_ANSWER_S, is no relay daemon:
 * one line, at once.
 */
int live_wait_for_session(const bt_plugin *ctf, const char *url)
{
	const bt_component_class_source *live =
		bt_plugin_borrow_source_component_class_by_name_const(ctf,
			"lttng-live");
	struct listing answer = { .found = -1 };
	struct live_url u;
	int i, tries = LIVE_WAIT_S * (1000000 / LIVE_LIST_US);
	bool waiting = false;

	if (!live) {
		fprintf(stderr, "bgcopy-analyze: babeltrace2 has no "
			"source.ctf.lttng-live\n");
		return -1;
	}
	if (parse_live_url(url, &u)) {
		fprintf(stderr, "bgcopy-analyze: `%s' is not an LTTng live "
			"URL (net://RELAY[:PORT]/host/HOST/SESSION)\n", url);
		return -1;
	}
	for (i = 0; i < tries; i++) {
		if (list_within(live, &u, LIVE_ANSWER_S, &answer)) {
			fprintf(stderr, "bgcopy-analyze: %s is no LTTng relay "
				"daemon: it took the connection but did not "
				"answer in %d s\n", u.relay, LIVE_ANSWER_S);
			return -1;
		}
		if (answer.found > 0)
			return 0;
		if (answer.found < 0 && !answer.refused) {
			fprintf(stderr, "bgcopy-analyze: %s is no LTTng relay "
				"daemon: %s\n", u.relay, answer.why);
			return -1;
		}
		if (answer.found == 0 && !waiting) {
			fprintf(stderr, "bgcopy-analyze: waiting for session "
				"%s of host %s at %s\n", u.session, u.target,
				u.relay);
			waiting = true;
		}
		usleep(LIVE_LIST_US);
	}
	if (answer.found < 0)
		fprintf(stderr, "bgcopy-analyze: no LTTng relay daemon at %s "
			"after %d s: %s\n", u.relay, LIVE_WAIT_S, answer.why);
	else
		fprintf(stderr, "bgcopy-analyze: no session %s of host %s at "
			"%s after %d s\n", u.session, u.target, u.relay,
			LIVE_WAIT_S);
	return -1;
}
