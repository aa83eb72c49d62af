/* The scenario language: events of jobs and the verdict they earn. */
#ifndef BGCOPY_SCENARIO_H
#define BGCOPY_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/record.h"

enum scn_verb {
	SCN_ENGINE_OPEN,
	SCN_ENGINE_CLOSE,
	SCN_CREATED,
	SCN_RESTORED,
	SCN_FILE_ADDED,
	SCN_FILE_COMPLETE,
	SCN_STATE,
	SCN_FLAGS,
	SCN_IFACE,
	SCN_RELEASE,
	SCN_PROPERTY,
	SCN_PROGRESS,
	SCN_ARMED,
	SCN_COALESCED,
	SCN_BEGIN,
	SCN_END,
	SCN_CMDLINE_RUN,
	SCN_CMDLINE_EXIT,
	SCN_TRANSFER,
	SCN_DISCARD,
	SCN_MISSING,			/* not an event: seq numbers skipped */
	/* schema 5: callbacks forwarded to a client, and its receipts */
	SCN_FORWARDED,
	SCN_CLIENT_OPEN,
	SCN_RECEIVED,
	SCN_RETURNED,
};

/* One event.  Which members mean something depends on the verb. */
struct scn_step {
	enum scn_verb verb;
	int64_t ms;			/* trace time, from the scenario's start */
	unsigned line;			/* in the scenario file */
	char job;			/* 'a'..'f'; 0 for engine-scoped events */
	unsigned engine;		/* 1..9 */
	int32_t kind;			/* bgcopy_tp_kind */
	int32_t file;			/* -1 when none */
	int32_t result;			/* callback result, command-line status */
	uint64_t epoch, new_epoch, attempt;
	/* iface: the interface set; of a callback_begin, the object it
	 * runs on (iface=N, else the job's interface at that line) */
	uint64_t iface;
	int32_t from, to;		/* states; `to' is the state of a job_info */
	uint32_t flags, new_flags;
	uint64_t threads;
	int32_t property;
	bool has_epoch;			/* restored ... epoch=N */
	bool has_arming;		/* armed/begin/end/run/exit ... arming=N */
	uint64_t arming;
	bool has_cmdline;		/* restored ... cmdline=TEXT */
	char text[96];			/* property value, command line */
	uint64_t bytes, total;
	int64_t begin_ms, end_ms;	/* discard window */
	uint64_t count;			/* discard; missing: seq numbers */
	bool has_pid, has_uid;		/* discard ... pid=N uid=N */
	uint64_t pid, uid;
	uint64_t start;			/* client-open, forwarded: start=N (1) */
	uint64_t client;		/* client-open, received, returned: client=N
					 * (0: the process's one id) */
};

/* Rules as analysis/oracle.h numbers them: G1..G8, then the notes. */
#define SCN_RULE_NOTE 9
#define SCN_RULE_UNTRACED 10

struct scn_finding {
	char job;
	int rule;			/* 1..8, SCN_RULE_NOTE */
	int32_t kind;
	bool inconclusive;
};

#define SCN_MAX_FINDINGS 8
#define SCN_MAX_OUTCOMES 8

/* Verdicts as analysis/oracle.h numbers them. */
enum scn_verdict { SCN_PASS, SCN_INCONCLUSIVE, SCN_FAIL };

struct scenario {
	char name[64];
	unsigned line;
	bool trace;			/* also run through a real trace */
	int64_t grace_ms;		/* default 1000 */
	int64_t max_latency_ms;		/* -1: no bound (default) */
	bool history;			/* keep_history; default on */
	enum scn_verdict verdict;
	/* Every finding of every job, in any order; none when empty. */
	struct scn_finding findings[SCN_MAX_FINDINGS];
	size_t n_findings;
	/* How job `outcomes_job''s notifications ended, in order. */
	char outcomes_job;
	int outcomes[SCN_MAX_OUTCOMES];	/* oracle_outcome numbers */
	size_t n_outcomes;
	char tainted;			/* a job that must be tainted, or 0 */
	struct scn_step *steps;
	size_t n_steps, cap_steps;
};

struct scn_file {
	char path[512];
	struct scenario *scenarios;
	size_t n;
};

/* Parses `text' (named `origin' in messages); 0, or -1 with `err' set. */
int scn_parse(const char *text, const char *origin, struct scn_file *out,
	      char *err, size_t err_size);
int scn_load(const char *path, struct scn_file *out, char *err,
	     size_t err_size);
void scn_free(struct scn_file *f);
const struct scenario *scn_find(const struct scn_file *f, const char *name);

/* Where the scenario files are: tests/scenario in the source tree. */
const char *scn_source_dir(void);
/* The job's canonical UUID: job 'a' is 00000000-0000-4000-8000-00000000000a. */
const char *scn_job_id(char job);
/* "JOB_TRANSFERRED"; "G1"; "PASS"; what bgcopy-analyze prints. */
const char *scn_kind_name(int32_t kind);
const char *scn_rule_id(int rule);
const char *scn_verdict_name(enum scn_verdict v);

/* Records of a scenario, in order, as the decoder would give them. */
struct scn_cursor {
	const struct scenario *s;
	size_t next;
	uint64_t seq['f' - 'a' + 1][10];	/* per job, per engine */
};

void scn_cursor_init(struct scn_cursor *c, const struct scenario *s);
/* The next record whose time is at most `until_ms'; false when none.
 * Its strings point into the scenario.  Each job numbers its events per
 * engine, from 1, as an engine does. */
bool scn_next_record(struct scn_cursor *c, int64_t until_ms,
		     struct bgc_record *r);

#endif /* BGCOPY_SCENARIO_H */
