/* SHA-256 digests: hexadecimal text in and out, and the digest of a file's bytes (libcrypto). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly 64 hexadecimal digits, either case; 0 or -1. */
int sha256_from_hex(const char *hex, unsigned char out[SHA256_BYTES])
{
	if (!hex || strlen(hex) != 2 * SHA256_BYTES)
		return -1;
	for (size_t i = 0; i < SHA256_BYTES; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void sha256_to_hex(const unsigned char digest[SHA256_BYTES],
		   char out[SHA256_HEX_SIZE])
{
	for (size_t i = 0; i < SHA256_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* The digest of every byte of `fd`, read from offset 0 with pread (the
 * descriptor's offset is left alone); 0, or the errno of the failure. */
int sha256_of_fd(int fd, unsigned char out[SHA256_BYTES])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[1 << 16];
	off_t at = 0;
	int status = ENOMEM;
	ssize_t n;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto end;
	for (;;) {
		n = pread(fd, buf, sizeof(buf), at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			status = errno;
			goto end;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			goto end;
		at += n;
	}
	status = EVP_DigestFinal_ex(ctx, out, NULL) ? 0 : ENOMEM;
end:
	EVP_MD_CTX_free(ctx);
	return status;
}
