/* Bandwidth schedules (BITS' bandwidth policy by hour and weekday): parsed, written back, and looked up at a local time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int day_of(const char *word, size_t len)
{
	for (int d = 0; d < 7; d++)
		if (len == 3 && !strncasecmp(word, day_names[d], 3))
			return d;
	return -1;
}

/* "mon-fri", "sat,sun", "*" into a mask of days (bit 0 Sunday); a range
 * may wrap ("fri-mon"). */
static int parse_days(const char *text, size_t len, unsigned n, uint8_t *days)
{
	*days = 0;
	if (len == 1 && *text == '*') {
		*days = 0x7f;
		return BGCOPY_OK;
	}
	for (size_t at = 0; at < len; ) {
		size_t word = strcspn(text + at, ",");
		int from, to;

		if (word > len - at)
			word = len - at;
		from = day_of(text + at, word == 7 ? 3 : word);
		to = word == 7 ? (text[at + 3] == '-' ? day_of(text + at + 4, 3) : -1) : from;
		if (from < 0 || to < 0)
			return set_error(BGCOPY_E_INVALID_ARG, "bandwidth schedule entry %u: "
					 "days are sun..sat, a range (mon-fri), a list "
					 "(sat,sun) or *", n);
		for (int d = from; ; d = (d + 1) % 7) {
			*days |= (uint8_t)(1u << d);
			if (d == to)
				break;
		}
		at += word + (text[at + word] == ',');
	}
	return BGCOPY_OK;
}

/* Decimal digits only (no sign, no space), at most `max`. */
static bool parse_number(const char *text, size_t len, unsigned long long max,
			 unsigned long long *out)
{
	*out = 0;
	if (!len || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9' ||
		    *out > (max - (unsigned long long)(text[i] - '0')) / 10)
			return false;
		*out = *out * 10 + (unsigned long long)(text[i] - '0');
	}
	return true;
}

/* One "DAYS FROM-TO BYTES_PER_S" entry, `len` bytes of `text`. */
static int parse_entry(const char *text, size_t len, unsigned n, struct bandwidth_window *w)
{
	const char *word[3];
	size_t wlen[3], dash, at = 0;
	unsigned k = 0;
	unsigned long long from, to, bps;

	while (k < 4) {
		at += strspn(text + at, " \t");
		if (at >= len)
			break;
		if (k < 3) {
			word[k] = text + at;
			wlen[k] = strcspn(text + at, " \t;");
		}
		at += strcspn(text + at, " \t;");
		k++;
	}
	dash = k == 3 ? strcspn(word[1], "-") : 0;
	if (k != 3 || dash >= wlen[1] ||
	    !parse_number(word[1], dash, 24, &from) ||
	    !parse_number(word[1] + dash + 1, wlen[1] - dash - 1, 24, &to) ||
	    !parse_number(word[2], wlen[2], UINT64_MAX, &bps))
		return set_error(BGCOPY_E_INVALID_ARG, "bandwidth schedule entry %u is not "
				 "'DAYS FROM-TO BYTES_PER_S' (mon-fri 8-18 2000000)", n);
	if (from >= to)
		return set_error(BGCOPY_E_INVALID_ARG, "bandwidth schedule entry %u: hours "
				 "%llu-%llu are not FROM < TO within 0-24", n, from, to);
	w->from = (uint8_t)from;
	w->to = (uint8_t)to;
	w->bps = bps;
	return parse_days(word[0], wlen[0], n, &w->days);
}

int schedule_parse(const char *text, struct bandwidth_schedule *out)
{
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	if (!text)
		return BGCOPY_OK;
	if (strlen(text) > BGCOPY_BANDWIDTH_SCHEDULE_MAX)
		return set_error(BGCOPY_E_LIMIT, "the bandwidth schedule is %zu bytes, more "
				 "than %u", strlen(text), BGCOPY_BANDWIDTH_SCHEDULE_MAX);
	for (const char *at = text; *at; ) {
		size_t len = strcspn(at, ";");
		int status;

		if (strspn(at, " \t") < len) {
			if (n == BANDWIDTH_WINDOWS_MAX)
				return set_error(BGCOPY_E_LIMIT, "a bandwidth schedule has "
						 "at most %d entries", BANDWIDTH_WINDOWS_MAX);
			status = parse_entry(at, len, n + 1, &out->windows[n]);
			if (status)
				return status;
			n++;
		}
		at += len + (at[len] == ';');
	}
	out->count = n;
	return BGCOPY_OK;
}

void schedule_format(const struct bandwidth_schedule *s, char *out, size_t size)
{
	size_t at = 0;

	assert(size);
	out[0] = '\0';
	for (unsigned i = 0; i < s->count && at < size; i++) {
		const struct bandwidth_window *w = &s->windows[i];
		const char *sep = "";

		at += (size_t)snprintf(out + at, size - at, "%s", i ? "; " : "");
		for (int d = 0; d < 7 && at < size && w->days != 0x7f; d++) {
			if (w->days & (1u << d))
				at += (size_t)snprintf(out + at, size - at, "%s%s", sep,
						       day_names[d]);
			sep = *sep || !(w->days & (1u << d)) ? sep : ",";
		}
		if (at < size)
			at += (size_t)snprintf(out + at, size - at, "%s %u-%u %llu",
					       w->days == 0x7f ? "*" : "", w->from, w->to,
					       (unsigned long long)w->bps);
	}
}

bool schedule_cap(const struct bandwidth_schedule *s, time_t now, uint64_t *bps)
{
	struct tm tm;

	if (!s->count || !localtime_r(&now, &tm))
		return false;
	for (unsigned i = 0; i < s->count; i++) {
		const struct bandwidth_window *w = &s->windows[i];

		if ((w->days & (1u << tm.tm_wday)) && tm.tm_hour >= w->from && tm.tm_hour < w->to) {
			*bps = w->bps;
			return true;
		}
	}
	return false;
}
