/* Text from names, servers and the store made safe to show: valid UTF-8 for JSON, no control character for a terminal. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe_text.h"

/* The length of the valid UTF-8 sequence at `s`, 0 when there is none
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *s)
{
	uint32_t cp, min;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* stops at the NUL too */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : n;
}

/* A JSON string of any bytes: each byte that starts no valid UTF-8
 * sequence becomes U+FFFD, so no job is dropped for its name.  NULL only
 * when memory runs out. */
json_t *json_text(const char *text)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t len = strlen((const char *)s), out_len = 0;
	char *out = malloc(3 * len + 1);
	json_t *j;

	if (!out)
		return NULL;
	while (*s) {
		size_t n = utf8_sequence(s);

		if (n) {
			memcpy(out + out_len, s, n);
			out_len += n;
			s += n;
		} else {
			memcpy(out + out_len, "\xef\xbf\xbd", 3);
			out_len += 3;
			s++;
		}
	}
	j = json_stringn(out, out_len);
	free(out);
	return j;
}

/* Writes valid UTF-8 (what json_text made) with its control characters,
 * C0, DEL and C1, shown as \xNN, but for a last newline: a name or a
 * server's message must not drive the terminal. */
void put_safe(FILE *out, const char *text)
{
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s == '\n' && !s[1])
			fputc('\n', out);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(out, "\\x%02x", *s);
		else if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
			fprintf(out, "\\x%02x", *++s);
		else
			fputc(*s, out);
	}
}

void put_safe_bytes(FILE *out, const char *bytes)
{
	json_t *valid = json_text(bytes);

	put_safe(out, valid ? json_string_value(valid) : "(out of memory)");
	json_decref(valid);
}

void vprint_safe(FILE *out, const char *fmt, va_list ap)
{
	char *text = NULL;

	if (vasprintf(&text, fmt, ap) < 0) {
		fputs("(out of memory)", out);
		return;
	}
	put_safe_bytes(out, text);
	free(text);
}

void print_safe(FILE *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_safe(out, fmt, ap);
	va_end(ap);
}
