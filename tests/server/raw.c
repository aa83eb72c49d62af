/* testd: the raw listener, for answers libmicrohttpd will not give (resets, HTTP/1.0, bad chunks, stalls). */

/*
 * A second port (its number is the port file's second line) where
 * /raw/<spec>/<name> is answered by hand on a plain socket, one thread
 * per connection.  Every answer closes the connection.  Specs that
 * misbehave once keep testd's per-path counter, and later requests get
 * an honest answer that honours "Range: bytes=A-" when If-Range (if
 * sent) is the file's ETag, so a client can resume.
 */
#define _GNU_SOURCE

#include <poll.h>
#include <stdbool.h>
#include <strings.h>

#include "testd.h"

#define RAW_REQUEST_MAX 8192
#define RAW_FILE_MAX (16u << 20)
#define RAW_DRIP_MS 200

enum raw_kind { RAW_RESET, RAW_RESET_BODY, RAW_STALL, RAW_DRIP_HEADERS, RAW_HTTP10,
		RAW_BAD_CHUNK, RAW_LONG, RAW_HTTP10_RESET };

static const struct raw_def {
	const char *name;
	enum raw_kind kind;
	int has_arg;
} raw_defs[] = {
	{ "reset", RAW_RESET, 1 },
	{ "reset-body", RAW_RESET_BODY, 1 },
	{ "stall", RAW_STALL, 1 },
	{ "drip-headers", RAW_DRIP_HEADERS, 0 },
	{ "http10", RAW_HTTP10, 0 },
	{ "bad-chunk", RAW_BAD_CHUNK, 0 },
	{ "long", RAW_LONG, 1 },
	{ "http10-reset", RAW_HTTP10_RESET, 1 },
};

struct raw_request {
	char buf[RAW_REQUEST_MAX + 1];
	char method[8];
	const char *path;	/* into buf */
	char range[64], if_range[128];	/* "" when absent */
};

static int listen_fd = -1;
static pthread_t accept_thread;
static atomic_int connections;	/* threads still answering */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The value of header `name` into out ("" when absent or too long). */
static void header(const char *head, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);
	const char *line = strstr(head, "\r\n");

	out[0] = '\0';
	for (; line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
		const char *v = line + 2, *end = strstr(v, "\r\n");

		if (!end || strncasecmp(v, name, nlen) || v[nlen] != ':')
			continue;
		for (v += nlen + 1; *v == ' '; v++)
			;
		if ((size_t)(end - v) < size)
			snprintf(out, size, "%.*s", (int)(end - v), v);
		return;
	}
}

/* Reads the request head; 0 when it is whole and parsed. */
static int read_request(int fd, struct raw_request *r)
{
	size_t len = 0;
	char *sp;

	while (!strstr(r->buf, "\r\n\r\n")) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (atomic_load(&stopping) || len == RAW_REQUEST_MAX)
			return -1;
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, r->buf + len, RAW_REQUEST_MAX - len, 0);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		r->buf[len] = '\0';
	}
	sp = strchr(r->buf, ' ');
	if (!sp || sp - r->buf >= (long)sizeof(r->method))
		return -1;
	snprintf(r->method, sizeof(r->method), "%.*s", (int)(sp - r->buf), r->buf);
	r->path = sp + 1;
	sp = strchr(sp + 1, ' ');
	if (!sp)
		return -1;
	header(sp, "Range", r->range, sizeof(r->range));
	header(sp, "If-Range", r->if_range, sizeof(r->if_range));
	*sp = '\0';
	return 0;
}

/* The whole of a served file, malloc'd; NULL when missing or unsafe. */
static char *load_file(const char *name, size_t *size, struct stat *st)
{
	char *data;
	int fd;

	if (strstr(name, "..") || !*name)
		return NULL;
	fd = openat(root_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	data = fstat(fd, st) == 0 && S_ISREG(st->st_mode) &&
	       (uint64_t)st->st_size <= RAW_FILE_MAX ?
	       malloc((size_t)st->st_size + 1) : NULL;
	if (data && pread(fd, data, (size_t)st->st_size, 0) != st->st_size) {
		free(data);
		data = NULL;
	}
	close(fd);
	*size = data ? (size_t)st->st_size : 0;
	return data;
}

/*
 * An honest answer: headers and body in one buffer (malloc'd, length in
 * *len).  A 206 when the Range is "bytes=A-" inside the file and
 * If-Range, if any, is the ETag.
 */
static char *honest(const struct raw_request *r, const char *data, size_t size,
		    const struct stat *st, size_t *len, unsigned *status)
{
	char etag[64], head[512];
	uint64_t from = 0;
	const char *end;
	char *out;
	int n;

	snprintf(etag, sizeof(etag), "\"raw-%zx-%jx\"", size, (uintmax_t)st->st_mtime);
	if (!strncmp(r->range, "bytes=", 6) && (end = scan_u64(r->range + 6, &from)) &&
	    *end == '-' && !end[1] && from < size &&
	    (!r->if_range[0] || !strcmp(r->if_range, etag))) {
		*status = 206;
		n = snprintf(head, sizeof(head), "HTTP/1.1 206 Partial Content\r\n"
			     "Content-Range: bytes %" PRIu64 "-%zu/%zu\r\n", from,
			     size - 1, size);
	} else {
		from = 0;
		*status = 200;
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n");
	}
	n += snprintf(head + n, sizeof(head) - (size_t)n,
		      "Content-Length: %zu\r\nETag: %s\r\nAccept-Ranges: bytes\r\n"
		      "Content-Type: application/octet-stream\r\n"
		      "Connection: close\r\n\r\n", size - (size_t)from, etag);
	out = malloc((size_t)n + size - (size_t)from + 1);
	if (!out)
		return NULL;
	memcpy(out, head, (size_t)n);
	memcpy(out + n, data + from, size - (size_t)from);
	*len = (size_t)n + size - (size_t)from;
	return out;
}

/* Holds the connection open, silent, until testd stops. */
static void stall(void)
{
	while (!atomic_load(&stopping))
		sleep_ms(100);
}

/* Header bytes, one every RAW_DRIP_MS, that never end. */
static void drip_headers(int fd)
{
	static const char start[] = "HTTP/1.1 200 OK\r\n";

	if (send_all(fd, start, sizeof(start) - 1))
		return;
	while (!atomic_load(&stopping) && send_all(fd, "x", 1) == 0)
		sleep_ms(RAW_DRIP_MS);
}

static const char http10_head[] = "HTTP/1.0 200 OK\r\n"
				 "Content-Type: application/octet-stream\r\n\r\n";

/* The HTTP/1.0 way: no length, the body ends when the connection does. */
static void http10(int fd, const char *data, size_t size)
{
	if (send_all(fd, http10_head, sizeof(http10_head) - 1) == 0)
		send_all(fd, data, size);
}

/* A chunked body whose second chunk size is not a number. */
static void bad_chunk(int fd, const char *data, size_t size)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
				   "Connection: close\r\n\r\n";
	char size_line[32];

	snprintf(size_line, sizeof(size_line), "%zx\r\n", size / 2);
	if (!send_all(fd, head, sizeof(head) - 1) &&
	    !send_all(fd, size_line, strlen(size_line)) &&
	    !send_all(fd, data, size / 2))
		send_all(fd, "\r\nzz\r\n", 6);
}

/* Connection reset (RST, not FIN) after `cut` bytes of the answer. */
static void reset_after(int fd, const char *answer, size_t len, uint64_t cut)
{
	struct linger lg = { 1, 0 };

	send_all(fd, answer, cut < len ? (size_t)cut : len);
	sleep_ms(50);	/* the bytes leave before the reset overtakes them */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

/* The spec's misbehaviour; false when this request gets the honest answer. */
static bool misbehave(int fd, const struct raw_def *d, uint64_t arg,
		      const char *data, size_t size, const char *answer,
		      size_t len, bool first)
{
	char *longer;

	switch (d->kind) {
	case RAW_STALL:
		send_all(fd, answer, arg < len ? (size_t)arg : len);
		stall();
		return true;
	case RAW_DRIP_HEADERS:
		drip_headers(fd);
		return true;
	case RAW_HTTP10:
		http10(fd, data, size);
		return true;
	case RAW_HTTP10_RESET:
		if (!first)
			http10(fd, data, size);
		else if (send_all(fd, http10_head, sizeof(http10_head) - 1) == 0)
			reset_after(fd, data, size, arg);
		return true;
	case RAW_RESET:
	case RAW_RESET_BODY:
		/* reset counts the answer's bytes, reset-body its body's */
		if (d->kind == RAW_RESET_BODY && arg < len)
			arg += (uint64_t)(strstr(answer, "\r\n\r\n") + 4 - answer);
		if (first)
			reset_after(fd, answer, len, arg);
		return first;
	case RAW_BAD_CHUNK:
		if (first)
			bad_chunk(fd, data, size);
		return first;
	case RAW_LONG:
		/* Everything in one write: the extra bytes arrive with the body. */
		longer = first && arg <= RAW_FILE_MAX ? malloc(len + (size_t)arg) : NULL;
		if (!longer)
			return false;
		memcpy(longer, answer, len);
		memset(longer + len, 'X', (size_t)arg);
		send_all(fd, longer, len + (size_t)arg);
		free(longer);
		sleep_ms(200);
		return true;
	}
	return false;
}

static const struct raw_def *parse_spec(const char *spec, size_t len, uint64_t *arg)
{
	const char *colon = memchr(spec, ':', len);
	size_t nlen = colon ? (size_t)(colon - spec) : len;
	char num[24];

	for (size_t i = 0; i < sizeof(raw_defs) / sizeof(*raw_defs); i++) {
		const struct raw_def *d = &raw_defs[i];

		if (strlen(d->name) != nlen || strncmp(d->name, spec, nlen) ||
		    !d->has_arg != !colon)
			continue;
		*arg = 0;
		if (!colon)
			return d;
		snprintf(num, sizeof(num), "%.*s", (int)(len - nlen - 1), colon + 1);
		return parse_u64(num, UINT64_MAX, arg) ? NULL : d;
	}
	return NULL;
}

static void answer(int fd, struct raw_request *r)
{
	static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
				  "Connection: close\r\n\r\n";
	const char *spec = r->path + 5, *slash = NULL;
	const struct raw_def *d = NULL;
	char *data = NULL, *out = NULL;
	size_t size = 0, len = 0;
	unsigned status = 400;
	uint64_t arg = 0, hits = 1;
	struct stat st;

	if (!strncmp(r->path, "/raw/", 5) && (slash = strchr(spec, '/')))
		d = parse_spec(spec, (size_t)(slash - spec), &arg);
	if (d)
		data = load_file(slash + 1, &size, &st);
	if (data)
		out = honest(r, data, size, &st, &len, &status);
	log_line(r->method, r->path, r->range[0] ? r->range : NULL,
		 out ? status : 400, r->if_range[0] ? r->if_range : NULL);
	if (!out) {
		send_all(fd, bad, sizeof(bad) - 1);
		goto end;
	}
	if (!strcmp(r->method, "GET") && count_hit(r->path, &hits))
		goto end;
	if (!misbehave(fd, d, arg, data, size, out, len, hits == 0))
		send_all(fd, out, strcmp(r->method, "HEAD") ? len :
			 (size_t)(strstr(out, "\r\n\r\n") + 4 - out));
end:
	free(out);
	free(data);
}

static void *serve_connection(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct raw_request *r = calloc(1, sizeof(*r));

	if (r && read_request(fd, r) == 0)
		answer(fd, r);
	free(r);
	close(fd);
	atomic_fetch_sub(&connections, 1);
	return NULL;
}

static void *accept_loop(void *arg)
{
	(void)arg;
	while (!atomic_load(&stopping)) {
		struct pollfd p = { listen_fd, POLLIN, 0 };
		pthread_attr_t attr;
		pthread_t t;
		int fd;

		if (poll(&p, 1, 100) <= 0)
			continue;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		atomic_fetch_add(&connections, 1);
		if (pthread_create(&t, &attr, serve_connection, (void *)(intptr_t)fd)) {
			atomic_fetch_sub(&connections, 1);
			close(fd);
		}
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

int start_raw(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sa);

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(listen_fd, 64) ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &slen) ||
	    pthread_create(&accept_thread, NULL, accept_loop, NULL)) {
		warnx_("cannot start the raw listener: %s", strerror(errno));
		if (listen_fd >= 0)
			close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return 0;
}

/* After `stopping` is set: connection threads see it within 100 ms and
 * are waited for, since they use the log and the counters. */
void stop_raw(void)
{
	if (listen_fd < 0)
		return;
	pthread_join(accept_thread, NULL);
	for (int i = 0; i < 50 && atomic_load(&connections) > 0; i++)
		sleep_ms(20);
	close(listen_fd);
	listen_fd = -1;
}
