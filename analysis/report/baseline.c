/* The baseline comparison's outputs (compare.h): a table, or JSON. */
#include "compare.h"

#include <inttypes.h>
#include <jansson.h>

#include "names.h"
#include "report.h"

static size_t side_jobs(const struct compare_side *s)
{
	return s->jobs[ORACLE_PASS] + s->jobs[ORACLE_INCONCLUSIVE] +
	       s->jobs[ORACLE_FAIL];
}

static void print_side(const char *label, const struct compare_side *s,
		       FILE *out)
{
	fprintf(out, "%s %s: %zu trace%s, %zu job%s, %" PRIu64 " events; "
		"contract check %s\n", label, s->path, s->traces,
		s->traces == 1 ? "" : "s", side_jobs(s),
		side_jobs(s) == 1 ? "" : "s", s->events,
		oracle_verdict_name(s->verdict));
}

static void print_row(const struct compare_row *r,
		      const struct compare_opts *opts, FILE *out)
{
	char name[512], label[600];

	compare_row_name(r, name, sizeof(name));
	if (r->status == COMPARE_FEW_SAMPLES) {
		fprintf(out, "%-44s %6zu %6zu   not enough samples (%zu needed "
			"on each side)\n", name, r->n_old, r->n_new,
			opts->min_samples);
		return;
	}
	snprintf(label, sizeof(label), "%s (%s)", name,
		 r->metric == COMPARE_LATENCY ? "ms" : "MB/s");
	if (r->status == COMPARE_ONLY_OLD) {
		fprintf(out, "%-44s %6zu %6s %12.3f %12s   only in OLD\n",
			label, r->n_old, "-", r->old_value, "-");
	} else if (r->status == COMPARE_ONLY_NEW) {
		fprintf(out, "%-44s %6s %6zu %12s %12.3f   only in NEW\n",
			label, "-", r->n_new, "-", r->new_value);
	} else {
		fprintf(out, "%-44s %6zu %6zu %12.3f %12.3f %+8.1f%%%s\n",
			label, r->n_old, r->n_new, r->old_value, r->new_value,
			r->change_pct, r->status == COMPARE_REGRESSED ?
			"  REGRESSED" : "");
	}
}

/* A failing (or unproven) NEW is worth a line even here. */
static void print_check_note(const struct compare_side *new_, FILE *out)
{
	if (new_->verdict == ORACLE_PASS)
		return;
	fprintf(out, "note: NEW's own contract check says %s (%zu of %zu "
		"job%s failed, %zu inconclusive); `bgcopy-analyze %s' shows "
		"the findings.  The exit status reflects the comparison "
		"only.\n", oracle_verdict_name(new_->verdict),
		new_->jobs[ORACLE_FAIL], side_jobs(new_),
		side_jobs(new_) == 1 ? "" : "s",
		new_->jobs[ORACLE_INCONCLUSIVE], new_->path);
}

void compare_report_text(const struct comparison *c,
			 const struct compare_side *old,
			 const struct compare_side *new_, FILE *out)
{
	char summary[2048];
	size_t i;

	print_side("baseline OLD", old, out);
	print_side("compared NEW", new_, out);
	fprintf(out, "%-44s %6s %6s %12s %12s %9s\n", "metric", "n old",
		"n new", "old", "new", "change");
	for (i = 0; i < c->n_rows; i++)
		print_row(&c->rows[i], &c->opts, out);
	print_check_note(new_, out);
	compare_summary(c, summary, sizeof(summary));
	fprintf(out, "%s\n", summary);
}

/* jansson's json_pack takes ownership of "o" values, so a failed pack
 * frees what it was given and returns NULL. */

static json_t *side_json(const struct compare_side *s)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:s, s:{s:I, s:I, s:I}}",
		"path", s->path,
		"traces", (json_int_t) s->traces,
		"jobs", (json_int_t) side_jobs(s),
		"events", (json_int_t) s->events,
		"verdict", oracle_verdict_name(s->verdict),
		"jobs_by_verdict",
		"PASS", (json_int_t) s->jobs[ORACLE_PASS],
		"INCONCLUSIVE", (json_int_t) s->jobs[ORACLE_INCONCLUSIVE],
		"FAIL", (json_int_t) s->jobs[ORACLE_FAIL]);
}

static json_t *value_or_null(bool have, double v)
{
	return have ? json_real(v) : json_null();
}

static json_t *row_json(const struct compare_row *r)
{
	bool have_old = r->status != COMPARE_FEW_SAMPLES &&
			r->status != COMPARE_ONLY_NEW;
	bool have_new = r->status != COMPARE_FEW_SAMPLES &&
			r->status != COMPARE_ONLY_OLD;
	bool both = have_old && have_new;
	char name[512];

	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:o, s:o, "
			 "s:s, s:o, s:s}",
		"name", compare_row_name(r, name, sizeof(name)),
		"metric", r->metric == COMPARE_LATENCY ? "latency" :
			  "throughput",
		"kind", r->metric == COMPARE_LATENCY ?
			json_string(names_kind(r->kind)) : json_null(),
		"percentile", r->metric == COMPARE_LATENCY && r->percentile ?
			json_integer(r->percentile) : json_null(),
		"url", r->url ? json_string(r->url) : json_null(),
		"n_old", (json_int_t) r->n_old,
		"n_new", (json_int_t) r->n_new,
		"old", value_or_null(have_old, r->old_value),
		"new", value_or_null(have_new, r->new_value),
		"unit", r->metric == COMPARE_LATENCY ? "ms" : "MB/s",
		"change_pct", value_or_null(both, r->change_pct),
		"status", compare_status_name(r->status));
}

int compare_report_json(const struct comparison *c,
			const struct compare_side *old,
			const struct compare_side *new_, FILE *out)
{
	json_t *metrics = json_array(), *regressions = json_array(), *doc;
	char summary[2048], name[512];
	size_t i;

	for (i = 0; metrics && i < c->n_rows; i++)
		json_array_append_new(metrics, row_json(&c->rows[i]));
	for (i = 0; regressions && i < c->n_regressed; i++) {
		const struct compare_row *r = &c->rows[c->regressed[i]];

		json_array_append_new(regressions, json_pack(
			"{s:s, s:f, s:f}",
			"name", compare_row_name(r, name, sizeof(name)),
			"change_pct", r->change_pct,
			"worse_pct", r->worse_pct));
	}
	compare_summary(c, summary, sizeof(summary));
	doc = json_pack("{s:s, s:s, s:o, s:o, s:f, s:f, s:I, s:o, s:o}",
		"result", c->n_regressed ? "REGRESSED" : "OK",
		"summary", summary,
		"old", side_json(old),
		"new", side_json(new_),
		"max_regression_pct", c->opts.max_regression_pct,
		"latency_floor_ms", NAMES_MS(c->opts.latency_floor_ns),
		"min_samples", (json_int_t) c->opts.min_samples,
		"metrics", metrics,
		"regressions", regressions);
	return report_json_write(doc, out);
}
