/* The command's safe text (safe_text.c): JSON strings of any bytes, escaped terminal output. */
#ifndef BGCOPY_CLI_SAFE_TEXT_H
#define BGCOPY_CLI_SAFE_TEXT_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

/* A JSON string of any bytes, each byte that starts no valid UTF-8
 * sequence shown as U+FFFD; NULL only when memory runs out. */
json_t *json_text(const char *text);
/* Writes valid UTF-8 with its control characters (C0, DEL, C1) as \xNN,
 * but for a last newline. */
void put_safe(FILE *out, const char *text);
/* Any bytes: json_text, then put_safe. */
void put_safe_bytes(FILE *out, const char *bytes);
/* printf of one line through put_safe_bytes. */
void vprint_safe(FILE *out, const char *fmt, va_list ap);
void print_safe(FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
