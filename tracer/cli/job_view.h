/* The command's view of a job (job_view.c): what info and list show. */
#ifndef BGCOPY_CLI_JOB_VIEW_H
#define BGCOPY_CLI_JOB_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "bgcopy.h"

/* Everything info shows, names and texts as JSON strings of any bytes;
 * the command line as its program and number of arguments unless
 * `show_args`.  NULL when memory runs out. */
json_t *job_json(bgcopy_job *job, bool show_args);
/* A job error as info shows it. */
json_t *error_json(const struct bgcopy_error *err);
/* Adds each file's last HTTP response headers to job_json's object. */
void add_response_headers(bgcopy_job *job, json_t *o);
/* job_json's object as text, control characters escaped. */
void print_job_text(json_t *o);

#endif
