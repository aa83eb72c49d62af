/*
 * How bgcopy-analyze tells a babeltrace2 failure: its innermost cause, on
 * one line.
 */
#include <stdio.h>

#include "cli.h"

/* The innermost cause (index 0) says what is wrong; one line. */
void cli_print_error(const char *fmt, const char *arg)
{
	const bt_error *err = bt_current_thread_take_error();
	const char *msg = NULL;
	uint64_t n;

	if (err && (n = bt_error_get_cause_count(err)) > 0)
		msg = bt_error_cause_get_message(
			bt_error_borrow_cause_by_index(err, 0));
	fputs("bgcopy-analyze: ", stderr);
	fprintf(stderr, fmt, arg);
	if (msg) {
		fputs(": ", stderr);
		for (; *msg; msg++)
			fputc(*msg == '\n' ? ' ' : *msg, stderr);
	}
	fputc('\n', stderr);
	if (err)
		bt_error_release(err);
}
