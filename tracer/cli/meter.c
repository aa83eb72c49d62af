/* The download's progress meter: percent, sizes, rate, ETA and the cause of a transient error on one redrawn line; sparse lines or JSON when not on a terminal. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "job_view.h"
#include "meter.h"
#include "safe_text.h"

#define BAR_MAX 50

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Names and servers' words made fit for a line whose width is counted
 * in bytes: anything but printable ASCII becomes '?'. */
static void printable(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; *src && i + 1 < size; src++)
		dst[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	dst[i] = '\0';
}

void meter_init(struct meter *m, enum meter_mode mode, bgcopy_job *job,
		const char *label)
{
	memset(m, 0, sizeof(*m));
	m->mode = mode;
	m->job = job;
	m->state = -1;
	bgcopy_job_get_id(job, m->id);
	printable(m->label, sizeof(m->label), label);
}

static void add_sample(struct meter *m, double t, uint64_t bytes)
{
	int last = (m->next + METER_SAMPLES - 1) % METER_SAMPLES;

	if (m->samples && bytes < m->sample[last].bytes)
		m->samples = 0;		/* a file started over */
	m->sample[m->next].t = t;
	m->sample[m->next].bytes = bytes;
	m->next = (m->next + 1) % METER_SAMPLES;
	if (m->samples < METER_SAMPLES)
		m->samples++;
}

/* Bytes a second over the last few seconds; negative while unknown. */
static double rate(const struct meter *m)
{
	int newest = (m->next + METER_SAMPLES - 1) % METER_SAMPLES;
	int oldest = (m->next + METER_SAMPLES - m->samples) % METER_SAMPLES;
	double span = m->sample[newest].t - m->sample[oldest].t;

	if (m->samples < 2 || span < 0.3)
		return -1;
	return (double)(m->sample[newest].bytes - m->sample[oldest].bytes) / span;
}

static void human(char *out, size_t size, double bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, size, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

static void eta(char *out, size_t size, double seconds)
{
	long s = (long)(seconds + 0.5);

	if (seconds < 0 || s >= 100 * 3600)
		snprintf(out, size, "--:--");
	else if (s >= 3600)
		snprintf(out, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, size, "%ld:%02ld", s / 60, s % 60);
}

static long next_try_s(const struct meter *m)
{
	double left = m->retry_at - now_s();

	return left > 0 ? (long)(left + 0.999) : 0;
}

static int terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* After the percent: sizes, and rate and ETA while bytes move, or what
 * the job is doing instead.  Fields keep their widths so that the bar
 * does not jump. */
static void tail_text(const struct meter *m, const struct bgcopy_progress *p,
		      enum bgcopy_state state, char *out, size_t size)
{
	char done[32], total[32] = "?", speed[32] = "--", left[32] = "--:--";
	char cause[256];
	double r = rate(m);

	if (state == BGCOPY_TRANSIENT_ERROR) {
		printable(cause, sizeof(cause), m->cause);
		snprintf(out, size, " TRANSIENT_ERROR (next try in %ld s): %s",
			 next_try_s(m), cause);
		return;
	}
	human(done, sizeof(done), (double)p->bytes_transferred);
	if (p->bytes_total >= 0)
		human(total, sizeof(total), (double)p->bytes_total);
	if (state != BGCOPY_TRANSFERRING) {
		snprintf(out, size, " %10s/%-10s %s", done, total, bgcopy_state_name(state));
		return;
	}
	if (r >= 0) {
		human(speed, sizeof(speed) - 2, r);
		strcat(speed, "/s");
		if (p->bytes_total >= 0)
			eta(left, sizeof(left),
			    r > 0 ? (double)(p->bytes_total - (int64_t)p->bytes_transferred) / r : -1);
	}
	snprintf(out, size, " %10s/%-10s %12s ETA %5s", done, total, speed, left);
}

/* "[####    ]" filling what the line leaves, when it leaves enough. */
static void bar_text(int room, int percent, char *out, size_t size)
{
	int inner = (room > BAR_MAX ? BAR_MAX : room) - 3, filled;

	out[0] = '\0';
	if (inner < 5 || percent < 0)
		return;
	filled = percent * inner / 100;
	snprintf(out, size, " [%.*s%*s]", filled,
		"##################################################", inner - filled, "");
}

/* One line, never wider than the terminal less its last column (which
 * would wrap), padded so that a shorter line hides a longer one. */
static void draw(const struct meter *m, const struct bgcopy_progress *p,
		 enum bgcopy_state state)
{
	int width = terminal_width() - 1, percent = -1, label;
	char head[96], tail[400], bar[BAR_MAX + 16], line[600];

	if (p->bytes_total > 0)
		percent = (int)((double)p->bytes_transferred * 100 / (double)p->bytes_total);
	else if (p->bytes_total == 0)
		percent = 100;
	/* A long name leaves room for the numbers. */
	label = width / 3 > 8 ? width / 3 : 8;
	if (percent >= 0)
		snprintf(head, sizeof(head), "%.*s %3d%%", label, m->label, percent);
	else
		snprintf(head, sizeof(head), "%.*s  --%%", label, m->label);
	tail_text(m, p, state, tail, sizeof(tail));
	bar_text(width - (int)strlen(head) - (int)strlen(tail), percent, bar, sizeof(bar));
	snprintf(line, sizeof(line), "%s%s%s", head, bar, tail);
	if (width < 1)
		width = 1;
	fprintf(stderr, "\r%-*.*s", width, width, line);
	fflush(stderr);
}

static void report_plain(struct meter *m, enum bgcopy_state state, bool news)
{
	if (state == BGCOPY_TRANSIENT_ERROR && news) {
		print_safe(stderr, "bgcopy: %s: TRANSIENT_ERROR: %s; next try in %ld s\n",
			   m->label, m->cause, next_try_s(m));
		m->troubled = true;
	} else if (news && m->troubled) {
		print_safe(stderr, "bgcopy: %s: %s\n", m->label, bgcopy_state_name(state));
	}
}

static void report_json(struct meter *m, const struct bgcopy_progress *p,
			enum bgcopy_state state)
{
	struct bgcopy_error err;
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I}", "event", "state", "job", m->id,
			      "state", bgcopy_state_name(state),
			      "bytes_transferred", (json_int_t)p->bytes_transferred,
			      "bytes_total", (json_int_t)p->bytes_total);

	if (!o)
		return;
	if (state == BGCOPY_TRANSIENT_ERROR &&
	    bgcopy_job_get_error(m->job, &err) == BGCOPY_OK) {
		json_object_set_new(o, "error", error_json(&err));
		json_object_set_new(o, "next_try_s", json_integer(next_try_s(m)));
	}
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
}

/* A transient error is news when it is new, when its cause changed, or
 * when the next try came and failed again between two looks. */
static bool note_transient(struct meter *m, enum bgcopy_state state, double t)
{
	struct bgcopy_error err;
	uint32_t delay = bgcopy_job_get_min_retry_delay(m->job);
	bool news = false;

	if (state != BGCOPY_TRANSIENT_ERROR)
		return false;
	if ((int)state != m->state) {
		m->retry_at = t + delay;
		news = true;
	}
	while (delay && m->retry_at + 0.5 < t) {
		m->retry_at += delay;
		news = true;
	}
	if (bgcopy_job_get_error(m->job, &err) == BGCOPY_OK &&
	    strcmp(err.description, m->cause)) {
		snprintf(m->cause, sizeof(m->cause), "%s", err.description);
		news = true;
	}
	return news;
}

/* A look at most this often: the download's wait also ticks at every
 * job's notification, and through bgcopyd each look at a moving job
 * reads it whole (its 200 files). */
#define METER_LOOK_S 0.2

static void look(struct meter *m, double t)
{
	enum bgcopy_state state = bgcopy_job_get_state(m->job);
	struct bgcopy_progress p;
	bool news = (int)state != m->state;

	m->looked_at = t;
	bgcopy_job_get_progress(m->job, &p);
	add_sample(m, t, p.bytes_transferred);
	news |= note_transient(m, state, t);
	m->state = state;
	if (m->mode == METER_TTY)
		draw(m, &p, state);
	else if (m->mode == METER_PLAIN)
		report_plain(m, state, news);
	else if (news)
		report_json(m, &p, state);
}

void meter_update(struct meter *m)
{
	double t = now_s();

	if (m->state < 0 || t - m->looked_at >= METER_LOOK_S)
		look(m, t);
}

void meter_end(struct meter *m)
{
	look(m, now_s());
	if (m->mode == METER_TTY)
		fputc('\n', stderr);
}
