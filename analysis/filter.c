/* Selecting the records of one run, process, job or time window. */
#define _DEFAULT_SOURCE			/* timegm */
#include "filter.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Marks a job kept in the jobs map (a non-NULL value). */
static char kept_mark;

const struct bgc_reads filter_reads[] = {
	BGC_READS(BGC_REC_PEER_REQUEST, "engine", "target_job", "verb",
		  "peer_uts_ns", "peer_pid"),
	BGC_READS(BGC_REC_JOB_CREATED, "job"),
	BGC_READS_END,
};

/* "+HH:MM", "+HHMM", "Z" or "" (local): the offset east of UTC in s. */
static int parse_zone(const char *z, bool *local, long *east_s)
{
	int h, m;
	char sign;

	*local = false;
	*east_s = 0;
	if (!*z) {
		*local = true;
		return 0;
	}
	if (!strcmp(z, "Z"))
		return 0;
	if ((sscanf(z, "%c%2d:%2d", &sign, &h, &m) != 3 || strlen(z) != 6) &&
	    (sscanf(z, "%c%2d%2d", &sign, &h, &m) != 3 || strlen(z) != 5))
		return -1;
	if ((sign != '+' && sign != '-') || h > 23 || m > 59)
		return -1;
	*east_s = (sign == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

/* ISO 8601 date and time: nanoseconds since the epoch; 0 or -1. */
static int parse_iso(const char *text, int64_t *ns)
{
	struct tm tm = { 0 };
	int n = 0, digits = 0;
	int64_t frac = 0;
	const char *p;
	bool local;
	long east;
	time_t s;

	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return -1;
	p = text + n;
	if (*p == '.' || *p == ',') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		}
		if (!digits)
			return -1;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (parse_zone(p, &local, &east))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	s = local ? mktime(&tm) : timegm(&tm) - east;
	if (s == (time_t) -1 || s < 0 || s > INT64_MAX / 1000000000 - 1)
		return -1;
	*ns = (int64_t) s * 1000000000 + frac;
	return 0;
}

int filter_parse_time(const char *text, struct filter_time *out)
{
	char *end;
	double ms;

	if (strchr(text, 'T')) {
		out->relative = false;
		out->set = parse_iso(text, &out->ns) == 0;
		return out->set ? 0 : -1;
	}
	errno = 0;
	ms = strtod(text, &end);
	if (errno || end == text || *end || !(ms >= 0) || ms > 9e12)
		return -1;
	*out = (struct filter_time) {
		.set = true, .relative = true, .ns = (int64_t) (ms * 1e6),
	};
	return 0;
}

int filter_read_run(const char *path, struct filter_spec *spec, char *why,
		    size_t len)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int ret = -1;

	if (!f) {
		snprintf(why, len, "cannot read the run file '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "uts_ns %" SCNu64, &spec->run_uts_ns) == 1) {
			spec->by_run = true;
			ret = 0;
		}
	}
	if (ret)
		snprintf(why, len, "the run file '%s' names no uts_ns", path);
	fclose(f);
	return ret;
}

void filter_init(struct filter *f, const struct filter_spec *spec)
{
	memset(f, 0, sizeof(*f));
	f->spec = *spec;
}

void filter_fini(struct filter *f)
{
	strmap_fini(&f->jobs);
	free(f->matched_job);
	free(f->serving);
	free(f->creators);
}

bool filter_active(const struct filter_spec *spec)
{
	return spec->by_run || spec->pid >= 0 || spec->job ||
	       spec->begin.set || spec->end.set;
}

static int64_t abs_ns(const struct filter *f, const struct filter_time *t)
{
	return t->relative ? f->t0 + t->ns : t->ns;
}

bool filter_in_window(const struct filter *f, const struct bgc_record *rec)
{
	return (!f->spec.begin.set || rec->ts >= abs_ns(f, &f->spec.begin)) &&
	       (!f->spec.end.set || rec->ts <= abs_ns(f, &f->spec.end));
}

static bool process_selected(const struct filter *f,
			     const struct bgc_record *rec)
{
	return (!f->spec.by_run || rec->uts_ns == (int64_t) f->spec.run_uts_ns) &&
	       (f->spec.pid < 0 || rec->vpid == f->spec.pid);
}

/* Whether --job names this job; notes a second match as ambiguous. */
static int job_named(struct filter *f, const char *id, bool *named)
{
	*named = !f->spec.job ||
		 !strncmp(id, f->spec.job, strlen(f->spec.job));
	if (!*named || !f->spec.job)
		return 0;
	if (!f->matched_job)
		return (f->matched_job = strdup(id)) ? 0 : -1;
	if (strcmp(f->matched_job, id))
		f->ambiguous = true;
	return 0;
}

/* ---- bgcopyd serving the selected processes (--run, --pid) ---- */

static bool engine_serves(const struct filter *f, uint64_t engine)
{
	for (size_t i = 0; i < f->n_serving; i++) {
		if (f->serving[i] == engine)
			return true;
	}
	return false;
}

/* Grows an array of `size'-byte items to hold one more; 0 or -1. */
static int grow(void **items, size_t n, size_t *cap, size_t size)
{
	size_t want = *cap ? *cap * 2 : 8;
	void *grown;

	if (n < *cap)
		return 0;
	grown = realloc(*items, want * size);
	if (!grown)
		return -1;
	*items = grown;
	*cap = want;
	return 0;
}

static int add_serving(struct filter *f, uint64_t engine)
{
	if (engine_serves(f, engine))
		return 0;
	if (grow((void **) &f->serving, f->n_serving, &f->serving_cap,
		 sizeof(*f->serving)))
		return -1;
	f->serving[f->n_serving++] = engine;
	return 0;
}

/* Whether the thread that traced rec had a creation pending for the
 * selected processes; it is no longer pending either way. */
static bool take_creator(struct filter *f, const struct bgc_record *rec)
{
	for (size_t i = 0; i < f->n_creators; i++) {
		if (f->creators[i].vpid == rec->vpid &&
		    f->creators[i].vtid == rec->vtid) {
			f->creators[i] = f->creators[--f->n_creators];
			return true;
		}
	}
	return false;
}

static int add_creator(struct filter *f, const struct bgc_record *rec)
{
	if (grow((void **) &f->creators, f->n_creators, &f->creators_cap,
		 sizeof(*f->creators)))
		return -1;
	f->creators[f->n_creators++] = (struct filter_creator) {
		.vpid = rec->vpid, .vtid = rec->vtid,
	};
	return 0;
}

/* A job a selected process acted on is kept from here on, even if its
 * earlier events were left out: the oracle then finds its start
 * missing and judges it INCONCLUSIVE, never on half its story. */
static int claim_job(struct filter *f, const char *id)
{
	if (f->spec.job && strncmp(id, f->spec.job, strlen(f->spec.job)))
		return 0;
	return strmap_put(&f->jobs, id, &kept_mark) ? 0 : -1;
}

/* Whether bgcopyd's client behind a peer_request is a selected process:
 * in the run (its UTS namespace; 0 is a peer that had gone) and, with
 * --pid, that pid (the daemon's view, SO_PEERCRED). */
static bool peer_selected(const struct filter *f, const struct bgc_record *rec)
{
	if (!f->spec.by_run && f->spec.pid < 0)
		return false;	/* every process is selected: nothing to follow */
	return (!f->spec.by_run || (rec->peer_uts_ns &&
				    rec->peer_uts_ns == f->spec.run_uts_ns)) &&
	       (f->spec.pid < 0 || rec->peer_pid == f->spec.pid);
}

/* bgcopyd's peer_request: kept when the peer is a selected process,
 * which makes the daemon's engine one serving the selection and the job
 * asked for (or the one the thread creates next) a selected one. */
static int peer_request(struct filter *f, const struct bgc_record *rec,
			bool *keep)
{
	bool followed = peer_selected(f, rec);

	take_creator(f, rec);	/* this thread's previous request is done */
	*keep = followed || process_selected(f, rec);
	if (!followed)
		return 0;
	if (add_serving(f, rec->engine))
		return -1;
	if (rec->target_job && rec->target_job[0])
		return claim_job(f, rec->target_job);
	return rec->verb && !strcmp(rec->verb, "CreateJob") ?
	       add_creator(f, rec) : 0;
}

/* A job is kept or left whole, as its first event decides (or a
 * selected peer's request, claim_job). */
static int job_selected(struct filter *f, const struct bgc_record *rec,
			bool *keep)
{
	void *known = strmap_get(&f->jobs, rec->job);
	bool named, for_peer;

	if (known) {
		*keep = known == &kept_mark;
		return 0;
	}
	if (job_named(f, rec->job, &named))
		return -1;
	for_peer = rec->type == BGC_REC_JOB_CREATED && take_creator(f, rec);
	*keep = named && (process_selected(f, rec) || for_peer) &&
		filter_in_window(f, rec);
	/* A left job maps to its own key, not NULL: strmap_get tells. */
	return strmap_put(&f->jobs, rec->job, *keep ? &kept_mark :
			  (void *) &f->jobs) ? 0 : -1;
}

static void count_left(struct filter *f, const struct bgc_record *rec)
{
	size_t i;

	f->left_events++;
	for (i = 0; i < f->n_left_pids; i++) {
		if (f->left_pids[i] == rec->vpid)
			return;
	}
	if (f->n_left_pids < FILTER_PIDS_MAX)
		f->left_pids[f->n_left_pids++] = rec->vpid;
}

int filter_keep(struct filter *f, const struct bgc_record *rec)
{
	bool keep;

	if (!f->have_t0) {
		f->have_t0 = true;
		f->t0 = rec->ts;
	}
	/* Loss may hide any process's events: it always counts. */
	if (rec->type == BGC_REC_DISCARDED)
		return 1;
	if (rec->type == BGC_REC_PEER_REQUEST) {
		if (peer_request(f, rec, &keep))
			return -1;
	} else if (!rec->job) {
		keep = process_selected(f, rec) || engine_serves(f, rec->engine);
	} else if (job_selected(f, rec, &keep)) {
		return -1;
	}
	if (!keep)
		count_left(f, rec);
	return keep;
}

int filter_summary(const struct filter *f, char *buf, size_t len)
{
	size_t i, left_jobs = 0;

	buf[0] = '\0';
	if (f->ambiguous) {
		snprintf(buf, len, "--job %s names more than one job (%s and "
			 "others): give more of the id", f->spec.job,
			 f->matched_job);
		return -1;
	}
	for (i = 0; i < f->jobs.cap; i++) {
		if (f->jobs.slots[i].key && f->jobs.slots[i].value != &kept_mark)
			left_jobs++;
	}
	if (f->left_events)
		snprintf(buf, len, "left out: %" PRIu64 " events of %zu%s "
			 "processes outside the selection (%zu jobs)",
			 f->left_events,
			 f->n_left_pids,
			 f->n_left_pids == FILTER_PIDS_MAX ? " or more" : "",
			 left_jobs);
	return 0;
}
