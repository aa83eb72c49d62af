/* Mutates a copy of a CTF trace, deterministically from a seed, for the checker's fuzz test. */
/*
 * trace_fuzz DIR SEED
 *
 * DIR is a copy of a real LTTng trace; one of its data stream files (never
 * `metadata', nothing under index/) is mutated in place, and one line
 * says how: "CLASS FILE what", CLASS being
 *   cut       the stream truncated at a random byte, inside a packet
 *   drop      its last packet dropped, or the stream emptied
 *   header    1-4 bits flipped in a packet's header or context
 *   payload   1-4 bits flipped among a packet's events
 * The same DIR content and SEED always give the same mutation.
 * Exit 0, or 2 on a usage or I/O error.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_STREAMS 256
#define HEADER_BYTES 72		/* LTTng packet header + context */

static char *streams[MAX_STREAMS];
static size_t n_streams;
static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64*: small, deterministic, good enough for choosing. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? next() % n : 0;
}

static int collect(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	(void) st;
	if (type != FTW_F || strstr(path, "/index/") ||
	    !strcmp(path + ftw->base, "metadata") || path[ftw->base] == '.')
		return 0;
	if (n_streams == MAX_STREAMS)
		return 1;
	streams[n_streams] = strdup(path);
	return streams[n_streams++] ? 0 : 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The offsets of the stream's packets, from their packet_size fields. */
static size_t packets(FILE *f, long size, long *start, size_t max)
{
	uint64_t bits;
	long off = 0;
	size_t n = 0;

	while (off < size && n < max) {
		start[n++] = off;
		if (fseek(f, off + 56, SEEK_SET) ||
		    fread(&bits, sizeof(bits), 1, f) != 1 || bits < 8 * HEADER_BYTES)
			break;
		off += (long) (bits / 8);
	}
	return n;
}

static int flip(FILE *f, long at, unsigned bit)
{
	int c;

	if (fseek(f, at, SEEK_SET) || (c = fgetc(f)) == EOF ||
	    fseek(f, at, SEEK_SET) || fputc(c ^ (1 << bit), f) == EOF)
		return -1;
	return 0;
}

static int mutate(const char *path)
{
	long start[4096], size, at = 0, end;
	FILE *f = fopen(path, "r+b");
	size_t n, p;
	unsigned k, flips;
	int cls, ret = -1;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0)
		goto end;
	n = packets(f, size, start, sizeof(start) / sizeof(start[0]));
	p = below(n);
	end = p + 1 < n ? start[p + 1] : size;
	cls = (int) below(4);
	switch (cls) {
	case 0:
		at = 1 + (long) below((uint64_t) size - 1);
		ret = truncate(path, at);
		printf("cut %s at byte %ld of %ld\n", path, at, size);
		goto end;
	case 1:
		at = below(3) ? start[n - 1] : 0;
		ret = truncate(path, at);
		printf("drop %s to %ld bytes of %ld\n", path, at, size);
		goto end;
	default:
		break;
	}
	flips = 1 + (unsigned) below(4);
	for (k = 0; k < flips; k++) {
		if (cls == 2)
			at = start[p] + (long) below(HEADER_BYTES);
		else if (end - start[p] > HEADER_BYTES)
			at = start[p] + HEADER_BYTES +
			     (long) below((uint64_t) (end - start[p] - HEADER_BYTES));
		else
			at = start[p];
		if (at >= size || flip(f, at, (unsigned) below(8)))
			goto end;
	}
	printf("%s %s: %u bits near byte %ld\n", cls == 2 ? "header" : "payload",
	       path, flips, at);
	ret = 0;
end:
	if (f)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	char *end;
	int ret = 2;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: trace_fuzz DIR SEED\n");
		return 2;
	}
	rng = strtoull(argv[2], &end, 0) * 0x9e3779b97f4a7c15ull + 1;
	if (*end || nftw(argv[1], collect, 16, FTW_PHYS) || !n_streams) {
		fprintf(stderr, "trace_fuzz: no data stream under %s\n", argv[1]);
		goto end;
	}
	qsort(streams, n_streams, sizeof(*streams), by_name);
	if (mutate(streams[below(n_streams)])) {
		perror("trace_fuzz");
		goto end;
	}
	ret = 0;
end:
	for (i = 0; i < n_streams; i++)
		free(streams[i]);
	return ret;
}
