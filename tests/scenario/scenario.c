/* The scenario language's parser: text in, struct scenario out. */
#include "tests/scenario/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp/bgcopy_tp_abi.h"

#define MAX_TOKENS 16

struct parser {
	const char *origin;
	unsigned line;
	char *err;
	size_t err_size;
	struct scn_file *file;
	struct scenario defaults;	/* options given before any scenario */
	struct scenario *cur;
	char job;
	unsigned engine;
	uint64_t iface['f' - 'a' + 1];	/* each job's interface, as parsed */
	bool inspector[10];		/* engine-open 0: restores take nothing */
};

struct word {
	const char *name;
	int value;
};

static const struct word states[] = {
	{ "QUEUED", BGCOPY_TP_QUEUED }, { "CONNECTING", BGCOPY_TP_CONNECTING },
	{ "TRANSFERRING", BGCOPY_TP_TRANSFERRING },
	{ "SUSPENDED", BGCOPY_TP_SUSPENDED }, { "ERROR", BGCOPY_TP_ERROR },
	{ "TRANSIENT_ERROR", BGCOPY_TP_TRANSIENT_ERROR },
	{ "TRANSFERRED", BGCOPY_TP_TRANSFERRED },
	{ "ACKNOWLEDGED", BGCOPY_TP_ACKNOWLEDGED },
	{ "CANCELLED", BGCOPY_TP_CANCELLED }, { NULL, 0 },
};

static const struct word kinds[] = {
	{ "T", BGCOPY_TP_KIND_JOB_TRANSFERRED }, { "E", BGCOPY_TP_KIND_JOB_ERROR },
	{ "M", BGCOPY_TP_KIND_JOB_MODIFICATION },
	{ "F", BGCOPY_TP_KIND_FILE_TRANSFERRED }, { NULL, 0 },
};

static const struct word rules[] = {
	{ "G1", 1 }, { "G2", 2 }, { "G3", 3 }, { "G4", 4 }, { "G5", 5 },
	{ "G6", 6 }, { "G7", 7 }, { "G8", 8 }, { "note", SCN_RULE_NOTE },
	{ "untraced", SCN_RULE_UNTRACED }, { NULL, 0 },
};

static const struct word verdicts[] = {
	{ "PASS", SCN_PASS }, { "INCONCLUSIVE", SCN_INCONCLUSIVE },
	{ "FAIL", SCN_FAIL }, { NULL, 0 },
};

/* In the order of enum oracle_outcome. */
static const struct word outcomes[] = {
	{ "open", 0 }, { "discharged", 1 }, { "voided", 2 }, { "pending", 3 },
	{ "parked", 4 }, { "carried", 5 }, { "lost", 6 }, { NULL, 0 },
};

static const struct word properties[] = {
	{ "display-name", BGCOPY_TP_PROP_DISPLAY_NAME },
	{ "description", BGCOPY_TP_PROP_DESCRIPTION },
	{ "priority", BGCOPY_TP_PROP_PRIORITY },
	{ "retry-delay", BGCOPY_TP_PROP_MIN_RETRY_DELAY },
	{ "no-progress-timeout", BGCOPY_TP_PROP_NO_PROGRESS_TIMEOUT },
	{ "modification-interval", BGCOPY_TP_PROP_MODIFICATION_INTERVAL },
	{ "cmdline", BGCOPY_TP_PROP_NOTIFY_CMDLINE },
	{ "redirect-policy", BGCOPY_TP_PROP_REDIRECT_POLICY },
	{ "cmdline-timeout", BGCOPY_TP_PROP_CMDLINE_TIMEOUT }, { NULL, 0 },
};

static const struct word verbs[] = {
	{ "engine-open", SCN_ENGINE_OPEN }, { "engine-close", SCN_ENGINE_CLOSE },
	{ "created", SCN_CREATED }, { "restored", SCN_RESTORED },
	{ "file-added", SCN_FILE_ADDED }, { "file-complete", SCN_FILE_COMPLETE },
	{ "state", SCN_STATE }, { "flags", SCN_FLAGS }, { "iface", SCN_IFACE },
	{ "release", SCN_RELEASE }, { "property", SCN_PROPERTY },
	{ "progress", SCN_PROGRESS }, { "armed", SCN_ARMED },
	{ "coalesced", SCN_COALESCED }, { "begin", SCN_BEGIN },
	{ "end", SCN_END }, { "cmdline-run", SCN_CMDLINE_RUN },
	{ "cmdline-exit", SCN_CMDLINE_EXIT }, { "transfer", SCN_TRANSFER },
	{ "discard", SCN_DISCARD }, { "missing", SCN_MISSING },
	{ "forwarded", SCN_FORWARDED }, { "client-open", SCN_CLIENT_OPEN },
	{ "received", SCN_RECEIVED }, { "returned", SCN_RETURNED }, { NULL, 0 },
};

/* `transferred-job FLAGS' at T: a job with an interface (epoch 1) that
 * reaches TRANSFERRED 99 ms after T. */
static const struct {
	int offset;
	const char *event;
} transferred_job[] = {
	{ 0, "created SUSPENDED %s" }, { 1, "file-added 0" },
	{ 2, "iface 0 1 0xcafe" }, { 9, "state SUSPENDED QUEUED" },
	{ 19, "state QUEUED CONNECTING" },
	{ 29, "state CONNECTING TRANSFERRING" }, { 89, "file-complete 0" },
	{ 99, "state TRANSFERRING TRANSFERRED" },
};

static int fail(struct parser *p, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t) snprintf(p->err, p->err_size, "%s:%u: ", p->origin,
			      p->line);
	if (n < p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *word_name(const struct word *tab, int value)
{
	for (; tab->name; tab++) {
		if (tab->value == value)
			return tab->name;
	}
	return "?";
}

static int word(struct parser *p, const struct word *tab, const char *what,
		const char *tok, int *out)
{
	for (; tab->name; tab++) {
		if (!strcmp(tab->name, tok)) {
			*out = tab->value;
			return 0;
		}
	}
	return fail(p, "unknown %s \"%s\"", what, tok);
}

static int number(struct parser *p, const char *tok, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(tok, &end, 0);
	if (errno || end == tok || *end)
		return fail(p, "not a number: \"%s\"", tok);
	return 0;
}

static int unsigned_number(struct parser *p, const char *tok, uint64_t *out)
{
	int64_t v = 0;

	if (number(p, tok, &v))
		return -1;
	if (v < 0)
		return fail(p, "negative: \"%s\"", tok);
	*out = (uint64_t) v;
	return 0;
}

static int int32(struct parser *p, const char *tok, int32_t *out)
{
	int64_t v = 0;

	if (number(p, tok, &v))
		return -1;
	*out = (int32_t) v;
	return 0;
}

/* Letters T E D M F (0x01 0x02 0x04 0x08 0x10), or a number. */
static int flags(struct parser *p, const char *tok, uint32_t *out)
{
	static const char letters[] = "TEDMF";
	const char *c, *at;
	uint64_t v = 0;

	if (isdigit((unsigned char) *tok)) {
		if (unsigned_number(p, tok, &v))
			return -1;
		*out = (uint32_t) v;
		return 0;
	}
	for (*out = 0, c = tok; *c; c++) {
		at = strchr(letters, *c);
		if (!at)
			return fail(p, "bad flags \"%s\"", tok);
		*out |= 1u << (at - letters);
	}
	return 0;
}

static int job_letter(struct parser *p, const char *tok, char *out)
{
	if (tok[0] < 'a' || tok[0] > 'f' || tok[1])
		return fail(p, "a job is a letter a..f, not \"%s\"", tok);
	*out = tok[0];
	return 0;
}

static int text(struct parser *p, const char *tok, char *out, size_t size)
{
	if (strlen(tok) >= size)
		return fail(p, "text too long: \"%s\"", tok);
	strcpy(out, tok);
	return 0;
}

/* Splits `line' in place into words; "quotes" keep spaces (and make
 * "" an empty word), a # outside them starts a comment. */
static int tokenize(struct parser *p, char *line, char **tok)
{
	int n = 0;
	bool quoted;
	char *c = line, *w;

	for (;;) {
		while (isspace((unsigned char) *c))
			c++;
		if (!*c || *c == '#')
			return n;
		if (n == MAX_TOKENS)
			return fail(p, "too many words");
		tok[n++] = w = c;
		for (quoted = false; *c && (quoted || !isspace((unsigned char) *c)); c++) {
			if (*c == '"')
				quoted = !quoted;
			else
				*w++ = *c;
		}
		if (quoted)
			return fail(p, "unterminated \"");
		if (*c)
			c++;
		*w = '\0';
	}
}

static struct scn_step *new_step(struct parser *p, enum scn_verb verb,
				 int64_t ms)
{
	struct scenario *s = p->cur;
	struct scn_step *st;

	if (s->n_steps == s->cap_steps) {
		size_t cap = s->cap_steps ? 2 * s->cap_steps : 32;

		st = realloc(s->steps, cap * sizeof(*st));
		if (!st)
			return NULL;
		s->steps = st;
		s->cap_steps = cap;
	}
	st = &s->steps[s->n_steps++];
	*st = (struct scn_step) {
		.verb = verb, .ms = ms, .line = p->line, .job = p->job,
		.engine = p->engine, .file = -1, .start = 1,
	};
	return st;
}

/* file=N result=N status=N epoch=N arming=N iface=N pid=N uid=N
 * start=N client=N cmdline=TEXT, after the fixed words. */
static int options(struct parser *p, struct scn_step *st, char **tok, int n)
{
	char *value;
	int i;

	for (i = 0; i < n; i++) {
		value = strchr(tok[i], '=');
		if (!value)
			return fail(p, "expected NAME=VALUE, not \"%s\"", tok[i]);
		*value++ = '\0';
		if (!strcmp(tok[i], "file")) {
			if (int32(p, value, &st->file))
				return -1;
		} else if (!strcmp(tok[i], "result") ||
			   !strcmp(tok[i], "status")) {
			if (int32(p, value, &st->result))
				return -1;
		} else if (!strcmp(tok[i], "epoch")) {
			st->has_epoch = true;
			if (unsigned_number(p, value, &st->epoch))
				return -1;
		} else if (!strcmp(tok[i], "arming")) {
			st->has_arming = true;
			if (unsigned_number(p, value, &st->arming))
				return -1;
		} else if (!strcmp(tok[i], "pid")) {
			st->has_pid = true;
			if (unsigned_number(p, value, &st->pid))
				return -1;
		} else if (!strcmp(tok[i], "start")) {
			if (unsigned_number(p, value, &st->start))
				return -1;
		} else if (!strcmp(tok[i], "client")) {
			if (unsigned_number(p, value, &st->client))
				return -1;
		} else if (!strcmp(tok[i], "uid")) {
			st->has_uid = true;
			if (unsigned_number(p, value, &st->uid))
				return -1;
		} else if (!strcmp(tok[i], "iface")) {
			if (unsigned_number(p, value, &st->iface))
				return -1;
		} else if (!strcmp(tok[i], "cmdline")) {
			st->has_cmdline = true;
			if (text(p, value, st->text, sizeof(st->text)))
				return -1;
		} else {
			return fail(p, "unknown option \"%s\"", tok[i]);
		}
	}
	return 0;
}

/* KIND EPOCH ATTEMPT, the words of every notification event; armed and
 * coalesced name no attempt. */
static int notification(struct parser *p, struct scn_step *st, char **tok,
			int n)
{
	int words = st->verb == SCN_ARMED || st->verb == SCN_COALESCED ? 2 : 3;

	if (n < words)
		return fail(p, words == 2 ? "expected KIND EPOCH" :
				"expected KIND EPOCH ATTEMPT");
	st->iface = p->iface[st->job - 'a'];
	if (word(p, kinds, "kind", tok[0], &st->kind) ||
	    unsigned_number(p, tok[1], &st->epoch) ||
	    (words == 3 && unsigned_number(p, tok[2], &st->attempt)))
		return -1;
	return options(p, st, tok + words, n - words);
}

static int event(struct parser *p, int64_t ms, char **tok, int n);

/* `remote-callback KIND EPOCH ATTEMPT pid=N ...': a callback bgcopyd
 * forwards to client process N, which receives it at ms and returns at
 * ms+1 (result=N, both sides), before the daemon's end. */
static int remote_callback(struct parser *p, int64_t ms, char **tok, int n)
{
	static const struct {
		enum scn_verb verb;
		int offset;
	} steps[] = {
		{ SCN_BEGIN, 0 }, { SCN_FORWARDED, 0 }, { SCN_RECEIVED, 0 },
		{ SCN_RETURNED, 1 }, { SCN_END, 1 },
	};
	struct scn_step *first = new_step(p, SCN_BEGIN, ms), *st;
	size_t i;

	if (!first || notification(p, first, tok, n))
		return -1;
	if (!first->has_pid)
		return fail(p, "remote-callback needs pid=N");
	for (i = 1; i < sizeof(steps) / sizeof(steps[0]); i++) {
		st = new_step(p, steps[i].verb, ms + steps[i].offset);
		if (!st)
			return fail(p, "out of memory");
		*st = p->cur->steps[p->cur->n_steps - 1 - i];
		st->verb = steps[i].verb;
		st->ms = ms + steps[i].offset;
	}
	return 0;
}

/* `callback KIND EPOCH ATTEMPT ...': begin at ms, end 1 ms later. */
static int callback(struct parser *p, int64_t ms, char **tok, int n)
{
	struct scn_step *begin, *end;

	begin = new_step(p, SCN_BEGIN, ms);
	if (!begin || notification(p, begin, tok, n))
		return -1;
	end = new_step(p, SCN_END, ms + 1);
	if (!end)
		return -1;
	*end = p->cur->steps[p->cur->n_steps - 2];
	end->verb = SCN_END;
	end->ms = ms + 1;
	p->cur->steps[p->cur->n_steps - 2].result = 0;
	return 0;
}

static int expand_transferred_job(struct parser *p, int64_t ms, char **tok,
				  int n)
{
	char line[128], *words[MAX_TOKENS];
	size_t i;
	int k;

	if (n != 1)
		return fail(p, "expected transferred-job FLAGS");
	for (i = 0; i < sizeof(transferred_job) / sizeof(transferred_job[0]);
	     i++) {
		snprintf(line, sizeof(line), transferred_job[i].event, tok[0]);
		k = tokenize(p, line, words);
		if (k < 0 || event(p, ms + transferred_job[i].offset, words, k))
			return -1;
	}
	return 0;
}

/* The words after the time: VERB ARGS... */
static int event(struct parser *p, int64_t ms, char **tok, int n)
{
	struct scn_step *st;
	int verb = 0;
	int64_t v = 0;

	if (!strcmp(tok[0], "callback"))
		return callback(p, ms, tok + 1, n - 1);
	if (!strcmp(tok[0], "remote-callback"))
		return remote_callback(p, ms, tok + 1, n - 1);
	if (!strcmp(tok[0], "transferred-job"))
		return expand_transferred_job(p, ms, tok + 1, n - 1);
	if (word(p, verbs, "event", tok[0], &verb))
		return -1;
	st = new_step(p, (enum scn_verb) verb, ms);
	if (!st)
		return fail(p, "out of memory");
	tok++;
	n--;
	switch (st->verb) {
	case SCN_ENGINE_OPEN:
		st->job = 0;
		if (n != 1 || unsigned_number(p, tok[0], &st->threads))
			return n != 1 ? fail(p, "expected engine-open THREADS") : -1;
		p->inspector[st->engine] = !st->threads;
		return 0;
	case SCN_ENGINE_CLOSE:
		st->job = 0;
		return n ? fail(p, "engine-close takes nothing") : 0;
	case SCN_CREATED:
	case SCN_RESTORED:
		if (!p->inspector[st->engine])
			p->iface[st->job - 'a'] = 0;	/* never persisted */
		if (n < 2)
			return fail(p, "expected STATE FLAGS");
		if (word(p, states, "state", tok[0], &st->to) ||
		    flags(p, tok[1], &st->flags))
			return -1;
		return options(p, st, tok + 2, n - 2);
	case SCN_FILE_ADDED:
	case SCN_FILE_COMPLETE:
		if (n < 1 || n > 2)
			return fail(p, "expected INDEX [BYTES]");
		if (n == 2 && unsigned_number(p, tok[1], &st->bytes))
			return -1;
		return int32(p, tok[0], &st->file);
	case SCN_STATE:
		if (n != 2)
			return fail(p, "expected state FROM TO");
		return word(p, states, "state", tok[0], &st->from) ||
		       word(p, states, "state", tok[1], &st->to) ? -1 : 0;
	case SCN_FLAGS:
		if (n != 2)
			return fail(p, "expected flags OLD NEW");
		return flags(p, tok[0], &st->flags) ||
		       flags(p, tok[1], &st->new_flags) ? -1 : 0;
	case SCN_IFACE:
		if (n != 3)
			return fail(p, "expected iface OLD-EPOCH NEW-EPOCH ID");
		if (unsigned_number(p, tok[0], &st->epoch) ||
		    unsigned_number(p, tok[1], &st->new_epoch) ||
		    unsigned_number(p, tok[2], &st->iface))
			return -1;
		p->iface[st->job - 'a'] = st->iface;
		return 0;
	case SCN_RELEASE:
		if (n != 2)
			return fail(p, "expected release EPOCH ID");
		return unsigned_number(p, tok[0], &st->epoch) ||
		       unsigned_number(p, tok[1], &st->iface) ? -1 : 0;
	case SCN_PROPERTY:
		if (n != 2)
			return fail(p, "expected property NAME VALUE");
		return word(p, properties, "property", tok[0], &st->property) ||
		       text(p, tok[1], st->text, sizeof(st->text)) ? -1 : 0;
	case SCN_PROGRESS:
		st->file = 0;
		if (n != 0 && n != 3)
			return fail(p, "expected progress [FILE BYTES TOTAL]");
		return n && (int32(p, tok[0], &st->file) ||
			     unsigned_number(p, tok[1], &st->bytes) ||
			     unsigned_number(p, tok[2], &st->total)) ? -1 : 0;
	case SCN_TRANSFER:
		if (n != 2)
			return fail(p, "expected transfer FILE BYTES");
		return int32(p, tok[0], &st->file) ||
		       unsigned_number(p, tok[1], &st->bytes) ? -1 : 0;
	case SCN_DISCARD:
		st->job = 0;
		if (n < 3)
			return fail(p, "expected discard BEGIN END COUNT");
		if (number(p, tok[0], &st->begin_ms) ||
		    number(p, tok[1], &st->end_ms) || number(p, tok[2], &v))
			return -1;
		st->count = (uint64_t) v;
		return options(p, st, tok + 3, n - 3);
	case SCN_MISSING:
		if (n != 1)
			return fail(p, "expected missing COUNT");
		return unsigned_number(p, tok[0], &st->count);
	case SCN_CLIENT_OPEN:
		st->job = 0;
		st->has_pid = true;
		if (n < 1)
			return fail(p, "expected client-open PID");
		if (unsigned_number(p, tok[0], &st->pid))
			return -1;
		return options(p, st, tok + 1, n - 1);
	case SCN_FORWARDED:
	case SCN_RECEIVED:
	case SCN_RETURNED:
		if (notification(p, st, tok, n))
			return -1;
		return st->has_pid ? 0 : fail(p, "%s needs pid=N", word_name(verbs, verb));
	case SCN_ARMED:
	case SCN_COALESCED:
	case SCN_BEGIN:
	case SCN_END:
	case SCN_CMDLINE_RUN:
	case SCN_CMDLINE_EXIT:
		return notification(p, st, tok, n);
	}
	return fail(p, "unhandled event");
}

static int finding(struct parser *p, char **tok, int n)
{
	struct scenario *s = p->cur;
	struct scn_finding *f;

	if (n < 4 || n > 5 || (n == 5 && strcmp(tok[4], "inconclusive")))
		return fail(p, "expected finding JOB RULE KIND [inconclusive]");
	if (s->n_findings == SCN_MAX_FINDINGS)
		return fail(p, "too many findings");
	f = &s->findings[s->n_findings++];
	f->inconclusive = n == 5;
	return job_letter(p, tok[1], &f->job) ||
	       word(p, rules, "rule", tok[2], &f->rule) ||
	       word(p, kinds, "kind", tok[3], &f->kind) ? -1 : 0;
}

static int outcome_list(struct parser *p, char **tok, int n)
{
	struct scenario *s = p->cur;
	int i;

	if (n < 3 || n - 2 > SCN_MAX_OUTCOMES)
		return fail(p, "expected outcomes JOB OUTCOME...");
	if (job_letter(p, tok[1], &s->outcomes_job))
		return -1;
	for (i = 2; i < n; i++) {
		if (word(p, outcomes, "outcome", tok[i],
			 &s->outcomes[s->n_outcomes++]))
			return -1;
	}
	return 0;
}

/* Options and expectations: lines that do not start with a time. */
static int directive(struct parser *p, char **tok, int n)
{
	struct scenario *s = p->cur ? p->cur : &p->defaults;
	int v = 0;

	if (!strcmp(tok[0], "grace") && n == 2)
		return number(p, tok[1], &s->grace_ms);
	if (!strcmp(tok[0], "max-latency") && n == 2) {
		if (!strcmp(tok[1], "none")) {
			s->max_latency_ms = -1;
			return 0;
		}
		return number(p, tok[1], &s->max_latency_ms);
	}
	if (!p->cur)
		return fail(p, "\"%s\" outside a scenario", tok[0]);
	if (!strcmp(tok[0], "trace") && n == 1)
		s->trace = true;
	else if (!strcmp(tok[0], "history") && n == 2 && !strcmp(tok[1], "off"))
		s->history = false;
	else if (!strcmp(tok[0], "expect") && n == 2) {
		if (word(p, verdicts, "verdict", tok[1], &v))
			return -1;
		s->verdict = (enum scn_verdict) v;
	} else if (!strcmp(tok[0], "finding"))
		return finding(p, tok, n);
	else if (!strcmp(tok[0], "outcomes"))
		return outcome_list(p, tok, n);
	else if (!strcmp(tok[0], "tainted") && n == 2)
		return job_letter(p, tok[1], &s->tainted);
	else if (!strcmp(tok[0], "job") && n == 2)
		return job_letter(p, tok[1], &p->job);
	else if (!strcmp(tok[0], "engine") && n == 2 && tok[1][0] >= '1' &&
		 tok[1][0] <= '9' && !tok[1][1])
		p->engine = (unsigned) (tok[1][0] - '0');
	else
		return fail(p, "cannot read \"%s\" here", tok[0]);
	return 0;
}

static int begin_scenario(struct parser *p, char **tok, int n)
{
	struct scn_file *f = p->file;
	struct scenario *s;

	if (n != 2 || strlen(tok[1]) >= sizeof(s->name))
		return fail(p, "expected scenario NAME");
	if (scn_find(f, tok[1]))
		return fail(p, "scenario \"%s\" twice", tok[1]);
	s = realloc(f->scenarios, (f->n + 1) * sizeof(*s));
	if (!s)
		return fail(p, "out of memory");
	f->scenarios = s;
	p->cur = s = &f->scenarios[f->n++];
	*s = p->defaults;
	strcpy(s->name, tok[1]);
	s->line = p->line;
	p->job = 'a';
	p->engine = 1;
	memset(p->iface, 0, sizeof(p->iface));
	memset(p->inspector, 0, sizeof(p->inspector));
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *tok[MAX_TOKENS];
	int64_t ms;
	int n = tokenize(p, line, tok);

	if (n <= 0)
		return n;
	if (!strcmp(tok[0], "scenario"))
		return begin_scenario(p, tok, n);
	if (!isdigit((unsigned char) tok[0][0]))
		return directive(p, tok, n);
	if (!p->cur)
		return fail(p, "an event outside a scenario");
	if (n < 2)
		return fail(p, "a time and no event");
	if (number(p, tok[0], &ms))
		return -1;
	return event(p, ms, tok + 1, n - 1);
}

int scn_parse(const char *text_, const char *origin, struct scn_file *out,
	      char *err, size_t err_size)
{
	struct parser p = {
		.origin = origin, .err = err, .err_size = err_size, .file = out,
		.defaults = { .grace_ms = 1000, .max_latency_ms = -1,
			      .history = true },
	};
	char *copy = strdup(text_), *line, *next;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", origin);
	if (!copy)
		return fail(&p, "out of memory");
	for (line = copy; line && !rc; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		rc = parse_line(&p, line);
	}
	free(copy);
	if (rc)
		scn_free(out);
	return rc;
}

int scn_load(const char *path, struct scn_file *out, char *err,
	     size_t err_size)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long size;
	int rc = -1;

	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t) size + 1)) &&
	    fread(buf, 1, (size_t) size, f) == (size_t) size) {
		buf[size] = '\0';
		rc = scn_parse(buf, path, out, err, err_size);
	} else {
		snprintf(err, err_size, "%s: cannot read", path);
	}
	free(buf);
	fclose(f);
	return rc;
}

void scn_free(struct scn_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->scenarios[i].steps);
	free(f->scenarios);
	f->scenarios = NULL;
	f->n = 0;
}

const struct scenario *scn_find(const struct scn_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!strcmp(f->scenarios[i].name, name))
			return &f->scenarios[i];
	}
	return NULL;
}

const char *scn_source_dir(void)
{
	return BGCOPY_SOURCE_DIR "/tests/scenario";
}

const char *scn_job_id(char job)
{
	static const char ids[][37] = {
		"00000000-0000-4000-8000-00000000000a",
		"00000000-0000-4000-8000-00000000000b",
		"00000000-0000-4000-8000-00000000000c",
		"00000000-0000-4000-8000-00000000000d",
		"00000000-0000-4000-8000-00000000000e",
		"00000000-0000-4000-8000-00000000000f",
	};

	return job >= 'a' && job <= 'f' ? ids[job - 'a'] : NULL;
}

const char *scn_kind_name(int32_t kind)
{
	static const char *const names[] = {
		"?", "JOB_TRANSFERRED", "JOB_ERROR", "JOB_MODIFICATION",
		"FILE_TRANSFERRED",
	};

	return kind > 0 && kind < 5 ? names[kind] : "?";
}

const char *scn_rule_id(int rule)
{
	return word_name(rules, rule);
}

const char *scn_verdict_name(enum scn_verdict v)
{
	return word_name(verdicts, (int) v);
}
