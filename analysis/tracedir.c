/* Finding CTF trace directories (holding `metadata') under the given paths. */
#define _GNU_SOURCE
#include "tracedir.h"

#include <byteswap.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTF_MAGIC 0x75d11d57u

/* CTF 1.8 metadata packet header, packed. */
struct __attribute__((packed)) metadata_header {
	uint32_t magic;
	uint8_t uuid[16];
	uint32_t checksum;
	uint32_t content_size;		/* bits */
	uint32_t packet_size;		/* bits */
	uint8_t compression, encryption, checksum_scheme, major, minor;
};

/* nftw() passes no user data, hence the walk's state here. */
static struct {
	struct tracedirs *t;
	char *why;
	size_t why_len;
} walk;

/* The last non-blank byte of [off, off + len) of f, or `last'. */
static int last_byte(FILE *f, long off, long len, int last)
{
	char buf[4096];

	if (fseek(f, off, SEEK_SET))
		return -1;
	while (len > 0) {
		size_t n = fread(buf, 1, len < (long) sizeof(buf) ?
				 (size_t) len : sizeof(buf), f);
		size_t i;

		if (!n)
			return -1;
		for (i = 0; i < n; i++) {
			if (buf[i] && buf[i] != ' ' && buf[i] != '\n' &&
			    buf[i] != '\t' && buf[i] != '\r')
				last = (unsigned char) buf[i];
		}
		len -= (long) n;
	}
	return last;
}

/*
 * 0, or -1 when the packets do not tile the file exactly or the text
 * stops inside a declaration (every TSDL declaration ends with `;').
 */
static int check_metadata(const char *path)
{
	struct metadata_header h;
	FILE *f = fopen(path, "rb");
	long off = 0, size;
	int ret = -1, last = 0;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0)
		goto end;
	while (off < size) {
		uint32_t bytes, content;
		bool swap;

		if (fseek(f, off, SEEK_SET) || fread(&h, sizeof(h), 1, f) != 1)
			break;
		if (off == 0 && h.magic != CTF_MAGIC &&
		    h.magic != bswap_32(CTF_MAGIC)) {
			/* plain-text metadata */
			ret = last_byte(f, 0, size, 0) == ';' ? 0 : -1;
			goto end;
		}
		swap = h.magic == bswap_32(CTF_MAGIC);
		if (!swap && h.magic != CTF_MAGIC)
			break;
		bytes = (swap ? bswap_32(h.packet_size) : h.packet_size) / 8;
		content = (swap ? bswap_32(h.content_size) : h.content_size) / 8;
		if (bytes < sizeof(h) || content > bytes ||
		    content < sizeof(h) || (long) bytes > size - off)
			break;
		last = last_byte(f, off + (long) sizeof(h),
				 (long) (content - sizeof(h)), last);
		if (last < 0)
			break;
		off += bytes;
	}
	ret = off == size && last == ';' ? 0 : -1;
end:
	if (f)
		fclose(f);
	return ret;
}

/*
 * An LTTng data stream packet starts with its header (magic, uuid,
 * stream_id, stream_instance_id) and context (timestamp_begin,
 * timestamp_end, content_size, packet_size in bits, ...), packed.
 */
struct __attribute__((packed)) lttng_packet_start {
	uint32_t magic;
	uint8_t uuid[16];
	uint32_t stream_id;
	uint64_t stream_instance_id;
	uint64_t timestamp_begin, timestamp_end;
	uint64_t content_size, packet_size;	/* bits */
};

/*
 * babeltrace2 2.0.4 aborts on a packet bigger than its file and reads a
 * cut one as far as it goes: the packets of a data stream must tile it
 * exactly.  0, or -1 with the reason in `why'.  A stream that does not
 * start like an LTTng one (another producer) is left to babeltrace2.
 */
static int check_stream(const char *path, char *why, size_t why_len)
{
	struct lttng_packet_start h;
	FILE *f = fopen(path, "rb");
	long off = 0, size;
	int ret = -1;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0) {
		snprintf(why, why_len, "cannot read %s", path);
		goto end;
	}
	while (off < size) {
		if (fseek(f, off, SEEK_SET) || fread(&h, sizeof(h), 1, f) != 1) {
			snprintf(why, why_len, "cannot check the trace: %s: the "
				 "packet at byte %ld is "
				 "cut short: the stream is damaged", path, off);
			goto end;
		}
		if (h.magic != CTF_MAGIC) {
			ret = off ? -1 : 0;	/* not LTTng's layout: skip */
			if (off)
				snprintf(why, why_len, "cannot check the trace: "
					 "%s: no packet starts at "
					 "byte %ld: the stream is damaged",
					 path, off);
			goto end;
		}
		if (h.packet_size % 8 || h.packet_size / 8 < sizeof(h) ||
		    h.content_size > h.packet_size ||
		    h.content_size < 8 * sizeof(h) ||
		    h.packet_size / 8 > (uint64_t) (size - off)) {
			snprintf(why, why_len, "cannot check the trace: %s: "
				 "the packet at byte %ld "
				 "claims %" PRIu64 " bits (%" PRIu64 " of "
				 "content) with %ld bytes left: the stream is "
				 "cut short or damaged", path, off,
				 h.packet_size, h.content_size, size - off);
			goto end;
		}
		off += (long) (h.packet_size / 8);
	}
	ret = 0;
end:
	if (f)
		fclose(f);
	return ret;
}

/* Every data stream beside `metadata' (not hidden, not the index). */
static int check_streams(const char *dir)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d) {
		snprintf(walk.why, walk.why_len, "cannot read %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type != DT_REG ||
		    !strcmp(e->d_name, "metadata"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ret = check_stream(path, walk.why, walk.why_len);
	}
	closedir(d);
	return ret;
}

static int add_dir(const char *metadata_path)
{
	struct tracedirs *t = walk.t;
	char *dir, *slash;

	if (check_metadata(metadata_path)) {
		snprintf(walk.why, walk.why_len,
			 "%s is truncated or not CTF metadata", metadata_path);
		return -1;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		char **dirs = realloc(t->dirs, cap * sizeof(*dirs));

		if (!dirs)
			goto oom;
		t->dirs = dirs;
		t->cap = cap;
	}
	dir = strdup(metadata_path);
	if (!dir)
		goto oom;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (check_streams(slash ? dir : ".")) {
		free(dir);
		return -1;
	}
	t->dirs[t->n++] = dir;
	return 0;
oom:
	snprintf(walk.why, walk.why_len, "out of memory");
	return -1;
}

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	(void) st;
	if (type == FTW_F && strcmp(path + ftw->base, "metadata") == 0)
		return add_dir(path);
	return 0;
}

int tracedirs_find(struct tracedirs *t, const char *path, char *why,
		   size_t why_len)
{
	size_t before = t->n;
	int ret;

	walk.t = t;
	walk.why = why;
	walk.why_len = why_len;
	why[0] = '\0';
	ret = nftw(path, visit, 16, FTW_PHYS);
	if (ret && !why[0])
		snprintf(why, why_len, "cannot read %s: %s", path,
			 strerror(errno));
	if (!ret && t->n == before) {
		snprintf(why, why_len, "no CTF trace (no `metadata' file) "
			 "under %s", path);
		ret = -1;
	}
	return ret ? -1 : 0;
}

void tracedirs_fini(struct tracedirs *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->dirs[i]);
	free(t->dirs);
	*t = (struct tracedirs) { 0 };
}
