/* The check's outputs, all read from a finished oracle. */
#ifndef BGCOPY_REPORT_H
#define BGCOPY_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "oracle.h"

/* ns since the Unix epoch as "2026-11-30T08:41:47.250123Z" (what
 * --begin and --end accept); 0, or -1 with "?" when it is no date. */
int report_iso_time(int64_t ns, char *buf, size_t len);
#define REPORT_ISO_LEN 32

/* Human text: verdict per job with findings, latency table, verdict. */
void report_text(struct oracle *o, FILE *out);
/* The jobs that did not pass, with their findings, and the verdict
 * line, as report_text() prints them. */
void report_text_problems(const struct oracle *o, FILE *out);
/* One finding as report_text() prints it: "  G2 duplicate ...", with
 * its evidence lines; times from the oracle's first event. */
void report_text_finding(const struct oracle *o,
			 const struct oracle_finding *f, FILE *out);
/* The same finding as a string to free(), or NULL when out of memory. */
char *report_finding_text(const struct oracle *o,
			  const struct oracle_finding *f);
/* `s' with <, >, & and " escaped and control bytes left out. */
void report_xml_escaped(FILE *out, const char *s);
/* The same as one JSON document.  0, or -1 (out of memory). */
int report_json(struct oracle *o, FILE *out);
/* Writes `doc` (stolen, may be NULL) indented, with a final newline.
 * 0, or -1 when it is NULL or cannot be written. */
struct json_t;
int report_json_write(struct json_t *doc, FILE *out);
/* JUnit XML, one testcase per job.  0, or -1 with errno set. */
int report_junit(const struct oracle *o, const char *path);
struct history;
/* Chrome trace-event JSON for Perfetto: per job its states, transfers
 * with their phases, notifications and callbacks, under the processes
 * and threads that recorded them.  0, or -1 with errno set. */
int report_chrome(const struct oracle *o, const struct history *h,
		  const char *path);
/* One self-contained HTML page: the verdict, a timeline per job with
 * its findings marked, latency histograms.  0, or -1 with errno set. */
int report_html(const struct oracle *o, const struct history *h,
		const char *path);

#endif /* BGCOPY_REPORT_H */
