/* A list of files, one "URL PATH" a line, as bitsadmin /addfileset takes them (file_list.c). */
#ifndef BGCOPY_CLI_FILE_LIST_H
#define BGCOPY_CLI_FILE_LIST_H

#include "bgcopy.h"

/* A job holds at most this many files (bgcopy's default, as BITS):
 * create --list and download spread more over several jobs. */
#define FILES_PER_JOB 200

/* The list's files; urls and paths point into its lines. */
struct file_list {
	const char *path;	/* as given, "-" for stdin */
	const char *name;	/* as messages show it */
	unsigned count, cap;
	const char **urls, **paths;
	unsigned *line_of;	/* each file's line number */
	char **lines;
};

/* Reads LIST (a file, or "-" for stdin); says why it cannot (exit 2). */
int file_list_read(struct file_list *l, const char *list);
void file_list_free(struct file_list *l);
/* Says on stderr that FILES went in JOBS jobs, when more than one. */
void file_list_say_split(unsigned files, unsigned jobs);
/* bgcopy_job_add_files' refusal of files first.. of the list, said
 * with the list's line; returns the exit code. */
int file_list_add_failed(const struct file_list *l, unsigned first);

#endif
