/* The check's outputs, all read from a finished oracle. */
#ifndef BGCOPY_REPORT_H
#define BGCOPY_REPORT_H

#include <stdio.h>

#include "oracle.h"

/* Human text: verdict per job with findings, latency table, verdict. */
void report_text(struct oracle *o, FILE *out);
/* One finding as report_text() prints it: "  G2 duplicate ...", with
 * its evidence lines; times from the oracle's first event. */
void report_text_finding(const struct oracle *o,
			 const struct oracle_finding *f, FILE *out);
/* The same as one JSON document.  0, or -1 (out of memory). */
int report_json(struct oracle *o, FILE *out);
/* Writes `doc` (stolen, may be NULL) indented, with a final newline.
 * 0, or -1 when it is NULL or cannot be written. */
struct json_t;
int report_json_write(struct json_t *doc, FILE *out);
/* JUnit XML, one testcase per job.  0, or -1 with errno set. */
int report_junit(const struct oracle *o, const char *path);
/* Chrome trace-event JSON for Perfetto.  0, or -1 with errno set. */
int report_chrome(const struct oracle *o, const char *path);

#endif /* BGCOPY_REPORT_H */
