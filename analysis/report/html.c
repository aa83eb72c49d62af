/*
 * The HTML report: one self-contained page (inline CSS and SVG, nothing
 * fetched) with the verdict, a timeline per job (states, transfers and
 * their phases, notifications, callbacks, findings marked with their
 * rule) and a latency histogram per notification kind.
 */
#include "report.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "names.h"
#include "checked.h"

/* A finding's marker: drawn only for a finding, so a test can look for
 * the colour in a screenshot. */
#define FINDING_COLOUR "#e6007e"

#define PLOT_X 150			/* lane labels to the left */
#define PLOT_W 900
#define LANE_H 24
#define BAR_H 16

enum lane { LANE_STATES, LANE_TRANSFERS, LANE_NOTIFS, LANE_CALLBACKS,
	    LANE_FINDINGS, LANES };

static const char *const lane_names[LANES] = {
	"states", "transfers", "notifications", "callbacks", "findings",
};

static const char *state_colour(int64_t state)
{
	static const char *const c[] = {
		"#9e9e9e", "#64b5f6", "#1e88e5", "#cfd8dc", "#8d6e63",
		"#ffb74d", "#43a047", "#2e7d32", "#616161",
	};

	return state >= 0 && state < 9 ? c[state] : "#000000";
}

static const char *phase_colour(enum hist_phase p)
{
	static const char *const c[HIST_PHASES] = {
		"#ce93d8", "#ba68c8", "#7b1fa2", "#ffd54f", "#26a69a",
	};

	return c[p];
}

static const char *outcome_colour(enum oracle_outcome outcome)
{
	static const char *const c[] = {
		"#eeeeee", "#66bb6a", "#b0bec5", "#fff176", "#90caf9",
		"#80deea", "#ff7043",
	};

	return outcome <= ORACLE_LOST ? c[outcome] : "#000000";
}

static const char *verdict_colour(enum oracle_verdict v)
{
	return v == ORACLE_PASS ? "#2e7d32" : v == ORACLE_FAIL ? "#b71c1c" :
	       "#ef6c00";
}

/* One job's plot: trace times to x. */
struct plot {
	const struct oracle *o;
	FILE *out;
	int64_t t0, t1;
};

static double x_of(const struct plot *p, int64_t ts)
{
	double f = (double) ns_sub(ts, p->t0) / (double) ns_sub(p->t1, p->t0);

	return PLOT_X + (f < 0 ? 0 : f > 1 ? 1 : f) * PLOT_W;
}

static double ms_of(const struct plot *p, int64_t ts)
{
	return NAMES_MS(ns_sub(ts, oracle_first_ts(p->o)));
}

/* A bar from `begin' to `end' (at least 2 px) with a tooltip. */
static void bar(const struct plot *p, enum lane lane, int64_t begin,
		int64_t end, const char *colour, const char *tip)
{
	double x = x_of(p, begin), w = x_of(p, end) - x;

	fprintf(p->out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
		"fill=\"%s\"><title>", x, lane * LANE_H + 4, w < 2 ? 2 : w,
		BAR_H, colour);
	report_xml_escaped(p->out, tip);
	fprintf(p->out, " (%+.3f ms to %+.3f ms)</title></rect>\n",
		ms_of(p, begin), ms_of(p, end));
}

static void states(const struct plot *p, const struct hist_job *hj)
{
	char tip[128];
	size_t i;

	for (i = 0; hj && i < hj->n_states; i++) {
		const struct hist_state *s = &hj->states[i];

		snprintf(tip, sizeof(tip), "%s (%s)", names_state(s->state),
			 s->cause < 0 ? "created or restored" :
			 names_cause(s->cause));
		bar(p, LANE_STATES, s->begin_ts,
		    history_state_end(hj, i, oracle_last_ts(p->o)),
		    state_colour(s->state), tip);
	}
}

static void transfers(const struct plot *p, const struct hist_job *hj)
{
	char tip[512];
	int64_t b, e;
	size_t i;
	int k;

	for (i = 0; hj && i < hj->n_transfers; i++) {
		const struct hist_transfer *t = &hj->transfers[i];

		snprintf(tip, sizeof(tip), "file %" PRId64 " %s http %" PRId64
			 " %" PRIu64 " bytes curl %" PRId64, t->file_index,
			 t->url, t->http_status, t->bytes, t->curl_code);
		bar(p, LANE_TRANSFERS, ns_sub(t->end_ts,
			ns_of(t->total_us, 1000)), t->end_ts, "#455a64", tip);
		for (k = 0; k < HIST_PHASES; k++) {
			if (history_phase(t, k, &b, &e))
				bar(p, LANE_TRANSFERS, b, e, phase_colour(k),
				    history_phase_name(k));
		}
	}
}

static void notifications(const struct plot *p, const struct oracle_job *j)
{
	char tip[128];
	size_t i;

	for (i = 0; i < j->n_notifs; i++) {
		const struct oracle_notif *n = &j->notifs[i];

		snprintf(tip, sizeof(tip), "%s epoch %" PRIu64 ": %s, %u "
			 "attempt%s", names_kind(n->kind), n->epoch,
			 oracle_outcome_name(n->outcome), n->attempts,
			 n->attempts == 1 ? "" : "s");
		bar(p, LANE_NOTIFS, n->armed_ts, n->end_ts >= 0 ? n->end_ts :
		    oracle_last_ts(p->o), outcome_colour(n->outcome), tip);
	}
	for (i = 0; i < j->n_deliveries; i++) {
		const struct oracle_delivery *d = &j->deliveries[i];

		snprintf(tip, sizeof(tip), "%s %s epoch %" PRIu64 " attempt %u "
			 "-> %d", d->cmdline ? "command line" : "callback",
			 names_kind(d->kind), d->epoch, d->attempt, d->result);
		bar(p, LANE_CALLBACKS, d->begin_ts, d->end_ts >= 0 ? d->end_ts :
		    oracle_last_ts(p->o), "#37474f", tip);
	}
}

/* A diamond in the marker colour and the rule's code beside it. */
static void findings(const struct plot *p, const struct oracle_job *j)
{
	const char *rule;
	size_t i;

	for (i = 0; i < j->n_findings; i++) {
		const struct oracle_finding *f = &j->findings[i];
		double x = x_of(p, f->ts), y = LANE_FINDINGS * LANE_H + 12;

		if (f->rule > ORACLE_G8_LATE)
			continue;	/* a note, not a violation */
		rule = oracle_rule_name(f->rule);
		fprintf(p->out, "<path d=\"M%.1f %.1fl9 -9l9 9l-9 9z\" fill=\""
			FINDING_COLOUR "\"><title>", x - 9, y);
		report_xml_escaped(p->out, f->what);
		fprintf(p->out, "</title></path><text x=\"%.1f\" y=\"%.1f\">"
			"%.*s</text>\n", x + 12, y + 5, (int) strcspn(rule, " "),
			rule);
	}
}

static void axis(const struct plot *p)
{
	int y = LANES * LANE_H + 14, i;

	for (i = 0; i < LANES; i++)
		fprintf(p->out, "<text x=\"4\" y=\"%d\">%s</text>\n",
			i * LANE_H + 17, lane_names[i]);
	for (i = 0; i <= 4; i++) {
		int64_t ts = ns_add(p->t0, ns_sub(p->t1, p->t0) / 4 * i);

		fprintf(p->out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">"
			"%+.3f ms</text>\n", x_of(p, ts), y,
			i == 0 ? "start" : i == 4 ? "end" : "middle",
			ms_of(p, ts));
	}
}

static int64_t job_end(const struct oracle_job *j)
{
	int64_t end = j->last_ts;
	size_t i;

	for (i = 0; i < j->n_findings; i++)
		end = j->findings[i].ts > end ? j->findings[i].ts : end;
	return end;
}

static void finding_list(const struct oracle *o, const struct oracle_job *j,
			 FILE *out)
{
	char *text;
	size_t i;

	if (!j->n_findings)
		return;
	fputs("<pre class=\"findings\">", out);
	for (i = 0; i < j->n_findings; i++) {
		text = report_finding_text(o, &j->findings[i]);
		report_xml_escaped(out, text ? text : "(out of memory)\n");
		free(text);
	}
	fputs("</pre>\n", out);
}

/* " +12.345 ms (2026-11-30T08:41:47.250123Z)" */
static void print_when(const struct oracle *o, const struct history *h,
		       int64_t ts, FILE *out)
{
	char iso[REPORT_ISO_LEN];

	fprintf(out, " %+.3f ms", NAMES_MS(ns_sub(ts, oracle_first_ts(o))));
	if (h && h->wallclock && !report_iso_time(ts, iso, sizeof(iso)))
		fprintf(out, " (%s)", iso);
}

static bool pid_seen_before(const struct hist_job *hj, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++) {
		if (hj->procs[k].pid == hj->procs[i].pid)
			return true;
	}
	return false;
}

/* "processes: 12, 34; first event +1.000 ms (...), last ..." */
static void job_facts(const struct oracle *o, const struct history *h,
		      const struct oracle_job *j, const struct hist_job *hj,
		      FILE *out)
{
	size_t i, shown = 0;

	fputs("<p>", out);
	for (i = 0; hj && i < hj->n_procs; i++) {
		if (hj->procs[i].pid < 0 || pid_seen_before(hj, i))
			continue;
		fprintf(out, "%s%" PRId64, shown++ ? ", " : "processes: ",
			hj->procs[i].pid);
	}
	fprintf(out, "%sfirst event", shown ? "; " : "");
	print_when(o, h, j->first_ts, out);
	fputs(", last", out);
	print_when(o, h, j->last_ts, out);
	fputs("</p>\n", out);
}

static void job_section(const struct oracle *o, const struct history *h,
			const struct oracle_job *j, FILE *out)
{
	const struct hist_job *hj = h ? history_job(h, j->id) : NULL;
	struct plot p = { .o = o, .out = out, .t0 = j->first_ts };

	p.t1 = job_end(j) > p.t0 ? job_end(j) : ns_add(p.t0, 1000000);
	fputs("<section><h2>job \"", out);
	report_xml_escaped(out, j->name);
	fprintf(out, "\" <code>%s</code> <span class=\"v\" style=\"background:"
		"%s\">%s</span>", j->id, verdict_colour(j->verdict),
		oracle_verdict_name(j->verdict));
	if (j->taint) {
		fputs(" ", out);
		report_xml_escaped(out, j->taint);
	}
	fputs("</h2>\n", out);
	job_facts(o, h, j, hj, out);
	fprintf(out, "<svg width=\"%d\" height=\"%d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n", PLOT_X + PLOT_W + 40,
		LANES * LANE_H + 20);
	states(&p, hj);
	transfers(&p, hj);
	notifications(&p, j);
	findings(&p, j);
	axis(&p);
	fputs("</svg>\n", out);
	finding_list(o, j, out);
	fputs("</section>\n", out);
}

/* Latency buckets, upper bounds in ns (the last has none). */
#define BUCKETS 7
static const int64_t bucket_ns[BUCKETS - 1] = {
	10000, 100000, 1000000, 10000000, 100000000, 1000000000,
};
static const char *const bucket_names[BUCKETS] = {
	"&lt;10 µs", "&lt;0.1 ms", "&lt;1 ms", "&lt;10 ms", "&lt;100 ms",
	"&lt;1 s", "≥1 s",
};

static void count_latencies(const struct oracle *o, int kind,
			    unsigned *counts)
{
	size_t i, k;
	int b;

	for (i = 0; i < oracle_job_count(o); i++) {
		const struct oracle_job *j = oracle_job_at(o, i);

		for (k = 0; k < j->n_notifs; k++) {
			const struct oracle_notif *n = &j->notifs[k];
			int64_t lat = ns_sub(n->first_begin_ts, n->due_ts);

			if (n->kind != kind || n->due_ts < 0 ||
			    n->first_begin_ts < 0)
				continue;
			for (b = 0; b < BUCKETS - 1 && lat >= bucket_ns[b]; b++)
				;
			counts[b]++;
		}
	}
}

static void histogram(const struct oracle *o, int kind, FILE *out)
{
	unsigned counts[BUCKETS] = { 0 }, max = 0;
	int b;

	count_latencies(o, kind, counts);
	for (b = 0; b < BUCKETS; b++)
		max = counts[b] > max ? counts[b] : max;
	fprintf(out, "<figure><figcaption>%s: %s</figcaption>\n<svg "
		"width=\"%d\" height=\"130\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n", names_kind(kind),
		max ? "callbacks per latency" : "no callback", BUCKETS * 60);
	for (b = 0; b < BUCKETS; b++) {
		int hgt = max ? (int) (counts[b] * 88 / max) : 0;

		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"50\" height=\"%d\" "
			"fill=\"#5c6bc0\"/><text x=\"%d\" y=\"%d\" "
			"text-anchor=\"middle\">%u</text><text x=\"%d\" "
			"y=\"125\" text-anchor=\"middle\">%s</text>\n",
			b * 60, 106 - hgt, hgt, b * 60 + 25, 102 - hgt,
			counts[b], b * 60 + 25, bucket_names[b]);
	}
	fputs("</svg></figure>\n", out);
}

static void legend(FILE *out)
{
	int s;

	fputs("<p class=\"legend\">states:", out);
	for (s = 0; s < 9; s++)
		fprintf(out, " <span style=\"background:%s\"></span>%s",
			state_colour(s), names_state(s));
	fputs("<br>transfer phases:", out);
	for (s = 0; s < HIST_PHASES; s++)
		fprintf(out, " <span style=\"background:%s\"></span>%s",
			phase_colour(s), history_phase_name(s));
	fputs("<br>notifications:", out);
	for (s = ORACLE_DISCHARGED; s <= ORACLE_LOST; s++)
		fprintf(out, " <span style=\"background:%s\"></span>%s",
			outcome_colour(s), oracle_outcome_name(s));
	fputs("<br>findings: a diamond with the rule (G1 lost … G8 late); "
	      "hover over anything for its details</p>\n", out);
}

static const char style[] =
	"<style>body{font:13px sans-serif;margin:16px;color:#212121}"
	"h1 .v,h2 .v{color:#fff;padding:2px 8px;border-radius:3px}"
	"svg text{font:11px sans-serif}"
	".legend span{display:inline-block;width:12px;height:12px;"
	"margin:0 3px 0 8px;vertical-align:middle}"
	"figure{display:inline-block;margin:8px 24px 8px 0}"
	"pre.findings{background:#fce4ec;padding:6px;white-space:pre-wrap}"
	"</style>\n";

static void header(const struct oracle *o, const struct history *h,
		   FILE *out)
{
	enum oracle_verdict v = oracle_verdict(o);
	size_t count[ORACLE_FAIL + 1] = { 0 }, i;
	char iso[REPORT_ISO_LEN];

	for (i = 0; i < oracle_job_count(o); i++)
		count[oracle_job_at(o, i)->verdict]++;
	fprintf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>bgcopy check: %s</title>\n%s</head><body>\n"
		"<h1>bgcopy contract check <span class=\"v\" style=\"background:"
		"%s\">%s</span></h1>\n<p>%zu failed, %zu inconclusive, %zu "
		"passed; %zu job%s, %" PRIu64 " events, %.3f ms",
		oracle_verdict_name(v), style, verdict_colour(v),
		oracle_verdict_name(v), count[ORACLE_FAIL],
		count[ORACLE_INCONCLUSIVE], count[ORACLE_PASS],
		oracle_job_count(o), oracle_job_count(o) == 1 ? "" : "s",
		oracle_event_count(o),
		NAMES_MS(ns_sub(oracle_last_ts(o), oracle_first_ts(o))));
	if (h && h->wallclock &&
	    !report_iso_time(oracle_first_ts(o), iso, sizeof(iso)))
		fprintf(out, " from %s", iso);
	fputs("; times are from the trace's first event</p>\n", out);
	legend(out);
}

int report_html(const struct oracle *o, const struct history *h,
		const char *path)
{
	FILE *out = fopen(path, "w");
	size_t i;
	int k;

	if (!out)
		return -1;
	header(o, h, out);
	for (i = 0; i < oracle_job_count(o); i++)
		job_section(o, h, oracle_job_at(o, i), out);
	fputs("<h2>latency, deliverable to first begin</h2>\n", out);
	for (k = 1; k < ORACLE_KINDS; k++)
		histogram(o, k, out);
	fputs("</body></html>\n", out);
	return fclose(out) ? -1 : 0;
}
