/* bgcopyd: the Unix socket clients connect to: one live daemon per path. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"

static int socket_address(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		fprintf(stderr, "bgcopyd: socket path '%s' is longer than %zu bytes\n",
			path, sizeof(sa->sun_path) - 1);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

/* A socket file left by a daemon that died is replaced; one a live daemon
 * answers on is not.  Anything but a socket is never removed. */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	struct stat st;
	int probe, r;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "bgcopyd: cannot inspect '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "bgcopyd: '%s' exists and is not a socket: remove it or "
			"give another --socket\n", path);
		return -1;
	}
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0) {
		fprintf(stderr, "bgcopyd: socket: %s\n", strerror(errno));
		return -1;
	}
	r = connect(probe, (const struct sockaddr *)sa, sizeof(*sa));
	if (r == 0) {
		getsockopt(probe, SOL_SOCKET, SO_PEERCRED, &cred, &len);
		close(probe);
		fprintf(stderr, "bgcopyd: socket '%s' is in use by a live daemon, pid %ld\n",
			path, (long)cred.pid);
		return -1;
	}
	close(probe);
	if (errno != ECONNREFUSED) {
		fprintf(stderr, "bgcopyd: cannot tell whether socket '%s' is live: %s\n",
			path, strerror(errno));
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "bgcopyd: cannot replace the stale socket '%s': %s\n",
			path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A listening socket at `path` with `mode` (0600 for one user; 0666 in
 * system mode, where the uid of each connection decides what it
 * reaches), into d->listen_fd; -1 with the reason on stderr. */
int listen_open(struct daemon *d, const char *path, mode_t mode)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t mask;
	int fd, r;

	if (socket_address(path, &sa) || clear_stale(path, &sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, "bgcopyd: socket: %s\n", strerror(errno));
		return -1;
	}
	mask = umask(0777 & ~mode);
	r = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (r != 0 || listen(fd, SOMAXCONN) != 0) {
		fprintf(stderr, "bgcopyd: cannot listen on '%s': %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (lstat(path, &st) == 0)
		d->socket_ino = st.st_ino;
	d->listen_fd = fd;
	return 0;
}

/* Socket activation: a listening Unix stream socket passed by systemd
 * (sd_listen_fds).  1 when adopted, 0 when none was passed, -1 with the
 * reason on stderr.  The socket file is systemd's: never removed here. */
int listen_adopt(struct daemon *d)
{
	int n = sd_listen_fds(1), fd = SD_LISTEN_FDS_START;

	if (n == 0)
		return 0;
	if (n != 1 || sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
		fprintf(stderr, "bgcopyd: systemd passed %d sockets; one listening Unix "
			"stream socket is wanted\n", n);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		fprintf(stderr, "bgcopyd: the passed socket: %s\n", strerror(errno));
		return -1;
	}
	d->listen_fd = fd;
	d->socket_ino = 0;	/* not ours to remove */
	return 1;
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	int conn;

	(void)s;
	(void)revents;
	conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (conn < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			fprintf(stderr, "bgcopyd: accept: %s\n", strerror(errno));
		return 0;
	}
	/* A connection that cannot be set up is dropped; the daemon goes on. */
	peer_accept(d, conn);
	return 0;
}

int listen_attach(struct daemon *d)
{
	return sd_event_add_io(d->event, &d->listen_source, d->listen_fd, EPOLLIN,
			       on_connection, d);
}

/* Removes the socket file unless another daemon has replaced it since. */
void listen_close(struct daemon *d, const char *path)
{
	struct stat there;

	d->listen_source = sd_event_source_disable_unref(d->listen_source);
	if (lstat(path, &there) == 0 && S_ISSOCK(there.st_mode) &&
	    there.st_ino == d->socket_ino)
		unlink(path);
	close(d->listen_fd);
	d->listen_fd = -1;
}
