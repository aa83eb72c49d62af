/* Lists of files read for add --list, create --list and download --list: many files in one call, as bitsadmin /addfileset takes them. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "file_list.h"

void file_list_free(struct file_list *l)
{
	for (unsigned i = 0; i < l->count; i++)
		free(l->lines[i]);
	free(l->lines);
	free(l->urls);
	free(l->paths);
	free(l->line_of);
}

static int list_grow(struct file_list *l)
{
	unsigned cap = l->cap ? l->cap * 2 : 256;
	const char **urls = realloc(l->urls, cap * sizeof(*urls));
	const char **paths = urls ? realloc(l->paths, cap * sizeof(*paths)) : NULL;
	unsigned *line_of = paths ? realloc(l->line_of, cap * sizeof(*line_of)) : NULL;
	char **lines = line_of ? realloc(l->lines, cap * sizeof(*lines)) : NULL;

	if (urls)
		l->urls = urls;
	if (paths)
		l->paths = paths;
	if (line_of)
		l->line_of = line_of;
	if (!lines)
		return fail(EXIT_USAGE, "out of memory reading list '%s'", l->name);
	l->lines = lines;
	l->cap = cap;
	return 0;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* "URL PATH": the URL is the first word (URLs have no spaces), the
 * path the rest of the line.  Takes `line` over on success. */
static int take_line(struct file_list *l, char *line, size_t len, unsigned number)
{
	char *text, *space;

	if (strlen(line) != len)
		return fail(EXIT_USAGE, "%s line %u: a NUL byte in the line; nothing "
			    "was added", l->name, number);
	text = trim(line);
	if (!*text || *text == '#') {
		free(line);
		return 0;
	}
	space = text + strcspn(text, " \t");
	if (!*space)
		return fail(EXIT_USAGE, "%s line %u: 'URL PATH' expected, found one "
			    "word; nothing was added", l->name, number);
	*space = '\0';
	if (l->count == l->cap && list_grow(l))
		return EXIT_USAGE;
	l->urls[l->count] = text;
	l->paths[l->count] = trim(space + 1);
	l->line_of[l->count] = number;
	l->lines[l->count++] = line;
	return 0;
}

int file_list_read(struct file_list *l, const char *list)
{
	FILE *in;
	unsigned number = 0;
	size_t size = 0;
	char *line = NULL;
	ssize_t len;
	int rc = 0;

	*l = (struct file_list){ .path = list, .name = strcmp(list, "-") ? list : "stdin" };
	in = strcmp(l->path, "-") ? fopen(l->path, "re") : stdin;
	if (!in)
		return fail(EXIT_USAGE, "cannot read list '%s': %s", l->name,
			    strerror(errno));
	while (!rc && (len = getline(&line, &size, in)) >= 0) {
		number++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		rc = take_line(l, line, (size_t)len, number);
		if (rc)
			free(line);
		line = NULL;
		size = 0;
	}
	free(line);
	if (!rc && ferror(in))
		rc = fail(EXIT_USAGE, "cannot read list '%s': %s", l->name, strerror(errno));
	if (in != stdin)
		fclose(in);
	if (!rc && !l->count)
		rc = fail(EXIT_USAGE, "list '%s' names no file", l->name);
	return rc;
}

void file_list_say_split(unsigned files, unsigned jobs)
{
	if (jobs > 1)
		fprintf(stderr, "bgcopy: %u files in %u jobs (a job holds at most %d)\n",
			files, jobs, FILES_PER_JOB);
}

/* The library names the refused file "file N of COUNT: why"; the user
 * wants the line of the list. */
int file_list_add_failed(const struct file_list *l, unsigned first)
{
	const char *why = bgcopy_last_error();
	unsigned n, count;
	int used = 0;

	if (sscanf(why, "file %u of %u: %n", &n, &count, &used) == 2 && used &&
	    n >= 1 && n <= count && first + n - 1 < l->count)
		return fail(EXIT_USAGE, "%s line %u: %s", l->name,
			    l->line_of[first + n - 1], why + used);
	return fail(EXIT_USAGE, "%s", why);
}

static int add_range(bgcopy_job *job, const struct file_list *l, unsigned first,
		     unsigned count)
{
	int status = bgcopy_job_add_files(job, count, l->urls + first, l->paths + first);

	return status ? file_list_add_failed(l, first) : 0;
}

int add_list(bgcopy_job *job, const char *list)
{
	struct file_list l;
	int status, rc = file_list_read(&l, list);

	if (!rc && (status = bgcopy_job_add_files(job, l.count, l.urls, l.paths))) {
		rc = file_list_add_failed(&l, 0);
		if (status == BGCOPY_E_LIMIT)
			fprintf(stderr, "bgcopy: bgcopy create --list LIST spreads a list "
				"over as many jobs as it needs (%d files a job)\n",
				FILES_PER_JOB);
	}
	file_list_free(&l);
	return rc;
}

/* As many jobs as the list needs, each printed; all or none. */
int create_list(bgcopy_engine *engine, const char *name, const char *list)
{
	struct file_list l;
	bgcopy_job **jobs = NULL;
	unsigned njobs = 0;
	char id[37];
	int rc = file_list_read(&l, list);

	if (rc)
		goto end;
	jobs = calloc((l.count + FILES_PER_JOB - 1) / FILES_PER_JOB, sizeof(*jobs));
	if (!jobs) {
		rc = fail(EXIT_USAGE, "out of memory");
		goto end;
	}
	for (unsigned first = 0; !rc && first < l.count; first += FILES_PER_JOB) {
		unsigned n = l.count - first < FILES_PER_JOB ? l.count - first : FILES_PER_JOB;
		int status = bgcopy_job_create(engine, name, &jobs[njobs]);

		rc = status ? api_fail(status) : add_range(jobs[njobs++], &l, first, n);
	}
	for (unsigned i = 0; i < njobs; i++) {
		if (rc) {
			bgcopy_job_cancel(jobs[i]);
			continue;
		}
		bgcopy_job_get_id(jobs[i], id);
		printf("%s\n", id);
	}
	if (!rc)
		file_list_say_split(l.count, njobs);
end:
	free(jobs);
	file_list_free(&l);
	return rc;
}
