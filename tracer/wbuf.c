/* Combining a body's small pieces into large writes, with buffers recycled on the thread that writes them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* libcurl hands a body over in pieces of its receive buffer's size at
 * most (transfer.c: 32 or 256 KiB); a write per piece costs more than
 * the copy that groups them. */
#define WBUF_BYTES	(256u * 1024)
/* Writeback of a file starts every so often, so that the sync before its
 * completion waits for the last few MiB rather than the whole file. */
#define WRITEBACK_BYTES	(8u << 20)

struct free_buf {
	struct free_buf *next;
};

/* Buffers are taken and given back by one thread (the worker): no lock. */
static __thread struct free_buf *pool;

bool wbuf_fits(const struct wbuf *b, size_t len)
{
	return b->len + len <= WBUF_BYTES;
}

bool wbuf_add(struct wbuf *b, const char *data, size_t len)
{
	if (!wbuf_fits(b, len))
		return false;
	if (!b->data) {
		if (pool) {
			b->data = (char *)pool;
			pool = pool->next;
		} else if (!(b->data = malloc(WBUF_BYTES))) {
			return false;
		}
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return true;
}

/* Writes what is buffered at the file's offset; *err is errno on failure. */
bool wbuf_write(struct wbuf *b, int fd, int *err)
{
	size_t done = 0;

	while (done < b->len) {
		ssize_t w = write(fd, b->data + done, b->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			*err = errno;
			return false;
		}
		done += (size_t)w;
	}
	b->written += b->len;
	b->len = 0;
	if (b->written - b->written_back >= WRITEBACK_BYTES) {
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		b->written_back = b->written;
	}
	return true;
}

void wbuf_release(struct wbuf *b)
{
	struct free_buf *f = (struct free_buf *)b->data;

	if (f) {
		f->next = pool;
		pool = f;
	}
	*b = (struct wbuf){ 0 };
}

void wbuf_pool_drain(void)
{
	while (pool) {
		struct free_buf *next = pool->next;

		free(pool);
		pool = next;
	}
}
