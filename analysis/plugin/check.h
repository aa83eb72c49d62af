/*
 * sink.bgcopy.check: the contract oracle as a sink.  Parameters:
 * format ("text"|"json"), junit (path), chrome-trace (path), html (path),
 * max-latency-ms, grace-ms, allow-inconclusive, timeline (bool),
 * live (bool: tell each finding on stderr the moment the oracle records
 * it, and each obligation past max-latency-ms that has not begun);
 * run-uts-ns, pid, job, begin, end: judge only the jobs of one recorded
 * run (its UTS namespace), process, job id or prefix, or time window
 * (filter.h), and say in one line what was left out.
 * A FAIL (or INCONCLUSIVE without allow-inconclusive) makes the graph
 * fail, so `babeltrace2' exits non-zero.
 */
#ifndef BGCOPY_CHECK_H
#define BGCOPY_CHECK_H

#include <stdbool.h>

#include <babeltrace2/babeltrace.h>

#include "oracle.h"
#include "perf.h"

/*
 * A host running the sink in-process (bgcopy-analyze) passes one as
 * initialize method data: the sink then records the verdict there
 * instead of failing the graph over it.
 */
struct check_host {
	/* Set by the host before the run. */
	bool no_report;			/* write no report at all */
	struct perf *perf;		/* fed, then finished at the end */
	/* Set by the sink at the end. */
	bool done;
	enum oracle_verdict verdict;
	size_t jobs[ORACLE_FAIL + 1];	/* by verdict */
	uint64_t events;
};

bt_component_class_initialize_method_status check_init(
	bt_self_component_sink *self,
	bt_self_component_sink_configuration *config,
	const bt_value *params, void *init_data);
void check_finalize(bt_self_component_sink *self);

/* graph_is_configured and consume are bgc_sink_*() (sink.h). */

#endif /* BGCOPY_CHECK_H */
