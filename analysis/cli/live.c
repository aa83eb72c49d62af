/*
 * --live: waits until the relay daemon lists the session, so the source
 * may end with it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* How long it waits for the session to appear, and polls. */
#define LIVE_WAIT_S 30
#define LIVE_LIST_US 100000

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

/* The session or its relay daemon may be about to start. */
int live_wait_for_session(const bt_plugin *ctf, const char *url)
{
	const bt_component_class_source *live =
		bt_plugin_borrow_source_component_class_by_name_const(ctf,
			"lttng-live");
	struct live_url u;
	int i, tries = LIVE_WAIT_S * (1000000 / LIVE_LIST_US), found;

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
		found = session_listed(live, &u);
		if (found > 0)
			return 0;
		if (found < 0 && i == tries - 1) {
			cli_print_error("cannot list the sessions of %s",
					u.relay);
			return -1;
		}
		if (found < 0)
			bt_current_thread_clear_error();
		if (i == 0)
			fprintf(stderr, "bgcopy-analyze: waiting for session "
				"%s of host %s at %s\n", u.session, u.target,
				u.relay);
		usleep(LIVE_LIST_US);
	}
	fprintf(stderr, "bgcopy-analyze: no session %s of host %s at %s "
		"after %d s\n", u.session, u.target, u.relay, LIVE_WAIT_S);
	return -1;
}
