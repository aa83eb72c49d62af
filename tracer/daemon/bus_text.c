/* bgcopyd: bytes as D-Bus text (what is not UTF-8 shown as U+FFFD) and as byte arrays ('ay'), which carry them exactly. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/* The length of the character `s` starts with, 0 when it is not one D-Bus
 * takes: overlong forms, surrogates, past U+10FFFF and the
 * noncharacters are refused as sd-bus refuses them. */
static size_t char_length(const unsigned char *s)
{
	uint32_t c;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff) || (c >= 0xfdd0 && c <= 0xfdef) ||
	    (c & 0xfffe) == 0xfffe)
		return 0;
	return n;
}

bool bus_text_valid(const char *bytes)
{
	size_t n;

	for (const unsigned char *s = (const unsigned char *)bytes; *s; s += n)
		if (!(n = char_length(s)))
			return false;
	return true;
}

const char *bus_text(const char *bytes, char *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *)bytes;
	size_t at = 0, n;

	assert(size >= sizeof(REPLACEMENT));
	if (bus_text_valid(bytes))
		return bytes;
	for (; *s; s += n ? n : 1) {
		n = char_length(s);
		if (at + (n ? n : sizeof(REPLACEMENT) - 1) >= size)
			break;	/* cut at a character, never inside one */
		memcpy(buf + at, n ? (const char *)s : REPLACEMENT, n ? n : sizeof(REPLACEMENT) - 1);
		at += n ? n : sizeof(REPLACEMENT) - 1;
	}
	buf[at] = '\0';
	return buf;
}

int bus_append_text(sd_bus_message *m, const char *bytes)
{
	char *buf;
	int r;

	if (bus_text_valid(bytes))
		return sd_bus_message_append_basic(m, 's', bytes);
	buf = malloc(3 * strlen(bytes) + 1);	/* each byte at most U+FFFD */
	if (!buf)
		return -ENOMEM;
	r = sd_bus_message_append_basic(m, 's', bus_text(bytes, buf, 3 * strlen(bytes) + 1));
	free(buf);
	return r;
}

int bus_append_bytes(sd_bus_message *m, const char *bytes)
{
	return sd_bus_message_append_array(m, 'y', bytes, strlen(bytes));
}

int bus_read_bytes(sd_bus_message *m, sd_bus_error *error, const char *what, char **out)
{
	const void *data;
	size_t n;
	int r = sd_bus_message_read_array(m, 'y', &data, &n);

	*out = NULL;
	if (r < 0)
		return r;
	if (memchr(data, '\0', n))
		return sd_bus_error_setf(error, BGCOPYD_ERROR "InvalidArgument",
					 "%s holds a NUL byte, which no name or path may", what);
	*out = malloc(n + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, data, n);
	(*out)[n] = '\0';
	return 0;
}
