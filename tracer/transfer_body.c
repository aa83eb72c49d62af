/* A transfer's body on its way to the disk: buffered writes, checked against the job and its cap, and counted. */
#include <stdint.h>

#include "transfer.h"

/* How much a crash may make us fetch again. */
#define CHECKPOINT_BYTES (1u << 20)

/* A file of `size` bytes would be larger than the job allows. */
bool over_cap(const bgcopy_job *job, uint64_t size)
{
	return job->max_download && size > job->max_download;
}

/* Counts the last write at the next one's lock round trip or at the end:
 * bytes_done lags the file, never leads it (open_temp truncates to it). */
void account_written(struct transfer *x)
{
	struct job_file *f;

	assert(engine_locked(x->engine));
	if (x->job && x->unaccounted) {
		f = &x->job->files[x->index];
		f->bytes_done += x->unaccounted;
		job_note_progress(x->job, x->index);
		if (f->bytes_done >= f->bytes_saved + CHECKPOINT_BYTES)
			store_save_file(x->job, x->index);
	}
	x->unaccounted = 0;
}

/* Whether the next `len` bytes may be written: the job still wants them
 * and an endless body stops at the cap, before its bytes reach the disk. */
static bool chunk_wanted(struct transfer *x, size_t len)
{
	bool wanted;

	engine_lock(x->engine);
	account_written(x);
	wanted = x->job != NULL;
	if (wanted) {
		const struct job_file *f = &x->job->files[x->index];

		x->too_big = len > UINT64_MAX - f->bytes_done ||
			     over_cap(x->job, f->bytes_done + len);
	}
	engine_unlock(x->engine);
	return wanted && !x->too_big;
}

void write_by_flusher(struct transfer *x)
{
	size_t len = x->wbuf.len;

	x->flush.unwritten = NULL;
	x->flush.write_errno = 0;
	if (!len)
		return;
	if (!chunk_wanted(x, len)) {
		x->wbuf.len = 0;
		return;
	}
	x->flush.unwritten = &x->wbuf;
	x->flush_len = len;
}

void written_by_flusher(struct transfer *x)
{
	if (!x->flush.unwritten || x->fd < 0)
		return;
	if (x->flush.write_errno) {
		x->write_errno = x->flush.write_errno;
		return;
	}
	x->received += x->flush_len;
	x->unaccounted = x->flush_len;
}

/* The temporary file made by the body's first write (flush.h): false
 * when it could not be (write_errno stops the transfer; finish says why)
 * or the transfer was let go first. */
static bool made_by_first_write(struct transfer *x)
{
	if (x->fd != TEMP_LATER)
		return true;
	flush_create(&x->flush, fs_uid());
	x->fd = x->flush.fd;
	x->write_errno = x->flush.create_errno;
	return x->fd >= 0;
}

/* Writes the buffered body (when full, and after each curl_multi_perform);
 * a job suspended, cancelled or completed meanwhile takes no more bytes. */
bool write_buffered(struct transfer *x)
{
	size_t len = x->wbuf.len;
	bool made = x->fd == TEMP_LATER;

	if (len && (!chunk_wanted(x, len) || !made_by_first_write(x))) {
		x->wbuf.len = 0;
		return false;
	}
	if (!len || !wbuf_write(&x->wbuf, x->fd, &x->write_errno))
		return !len;
	if (made)
		flush_drop_abandoned(&x->flush);
	x->received += len;
	x->unaccounted = len;
	return true;
}
