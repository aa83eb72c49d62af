/* Printable names of the schema's enums, for every report. */
#ifndef BGCOPY_NAMES_H
#define BGCOPY_NAMES_H

#include <stdint.h>

#include "record.h"

const char *names_state(int64_t state);
const char *names_kind(int64_t kind);
const char *names_cause(int64_t cause);
const char *names_errctx(int64_t ctx);
const char *names_property(int64_t prop);
const char *names_priority(int64_t prio);
const char *names_restart(int64_t restart);
const char *names_if_range(int64_t if_range);
const char *names_record(enum bgc_rec_type type);

/* Relative time for reports: "+12.345 ms". */
#define NAMES_MS(ns) ((double) (ns) / 1e6)

#endif /* BGCOPY_NAMES_H */
