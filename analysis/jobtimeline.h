/*
 * Per-job human timelines: one line per meaningful event, then the
 * notifications the oracle derived, its findings, callback counts and the
 * verdict.  Pure C, fed the same records as the oracle.
 */
#ifndef BGCOPY_JOBTIMELINE_H
#define BGCOPY_JOBTIMELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "oracle.h"
#include "record.h"

struct jobtimeline;

struct jobtimeline *jobtimeline_create(void);
void jobtimeline_destroy(struct jobtimeline *tl);
/* Whether time stamps count from the Unix epoch (the clock class's
 * origin), so that wall-clock times can be printed beside relative
 * ones; not by default. */
void jobtimeline_set_wallclock(struct jobtimeline *tl, bool wall);
/* 0, or -1 when out of memory. */
int jobtimeline_feed(struct jobtimeline *tl, const struct bgc_record *rec);
/* After oracle_finish() on an oracle fed the same records. */
void jobtimeline_print(const struct jobtimeline *tl, const struct oracle *o,
		       FILE *out);

#endif /* BGCOPY_JOBTIMELINE_H */
