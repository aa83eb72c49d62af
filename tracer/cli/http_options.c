/* The verbs of a job's HTTP options: set-credentials, set-headers, set-proxy, set-proxy-credentials. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#define SECRET_MAX 4096

/* The first line of `in`, without its newline; never echoed. */
static int read_secret(FILE *in, bool prompt, char *out, size_t size)
{
	struct termios old, quiet;
	bool tty = prompt && tcgetattr(fileno(in), &old) == 0;
	char *ok;

	if (tty) {
		fprintf(stderr, "password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(in), TCSAFLUSH, &quiet);
	}
	ok = fgets(out, (int)size, in);
	if (tty) {
		tcsetattr(fileno(in), TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (!ok)
		return fail(EXIT_USAGE, "no password to read");
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int password_from(const char *file, char *out, size_t size)
{
	FILE *in;
	int rc;

	if (!file)
		return read_secret(stdin, isatty(STDIN_FILENO), out, size);
	in = fopen(file, "re");
	if (!in)
		return fail(EXIT_USAGE, "cannot read the password file '%s': %s",
			    file, strerror(errno));
	rc = read_secret(in, false, out, size);
	fclose(in);
	return rc;
}

static int parse_scheme(const char *text, enum bgcopy_auth_scheme *out)
{
	for (int s = BGCOPY_AUTH_BASIC; s <= BGCOPY_AUTH_ANY; s++) {
		if (!strcasecmp(text, bgcopy_auth_scheme_name(s))) {
			*out = s;
			return 0;
		}
	}
	return fail(EXIT_USAGE, "scheme must be basic, digest or any, not '%s'", text);
}

#define CREDENTIALS_USAGE "usage: bgcopy %s JOB --user USER " \
	"[--scheme basic|digest|any] [--password-file FILE] | JOB --clear"

/* set-credentials and set-proxy-credentials: the password comes from a
 * file or stdin, never from the command line, where other users could
 * read it in /proc. */
int cmd_set_credentials(struct cli *cli, bgcopy_engine *engine)
{
	bool proxy = !strcmp(cli->argv[0], "set-proxy-credentials");
	enum bgcopy_auth_scheme scheme = BGCOPY_AUTH_ANY;
	const char *user = NULL, *file = NULL;
	char password[SECRET_MAX];
	bool clear = false;
	bgcopy_job *job;
	int rc = 0;

	if (cli->argc < 3)
		return fail(EXIT_USAGE, CREDENTIALS_USAGE, cli->argv[0]);
	for (int i = 2; !rc && i < cli->argc; i++) {
		const char *opt = cli->argv[i], *val = cli->argv[i + 1];

		if (!strcmp(opt, "--clear")) {
			clear = true;
			continue;
		}
		if (!val || (strcmp(opt, "--user") && strcmp(opt, "--scheme") &&
			     strcmp(opt, "--password-file")))
			return fail(EXIT_USAGE, CREDENTIALS_USAGE, cli->argv[0]);
		i++;
		if (!strcmp(opt, "--user"))
			user = val;
		else if (!strcmp(opt, "--password-file"))
			file = val;
		else
			rc = parse_scheme(val, &scheme);
	}
	if (rc)
		return rc;
	if (clear == (user != NULL))
		return fail(EXIT_USAGE, CREDENTIALS_USAGE, cli->argv[0]);
	if ((rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)))
		return api_fail(rc);
	if (clear) {
		rc = proxy ? bgcopy_job_clear_proxy_credentials(job) :
		     bgcopy_job_clear_credentials(job);
		return rc ? api_fail(rc) : 0;
	}
	if ((rc = password_from(file, password, sizeof(password))))
		return rc;
	rc = proxy ? bgcopy_job_set_proxy_credentials(job, scheme, user, password) :
	     bgcopy_job_set_credentials(job, scheme, user, password);
	explicit_bzero(password, sizeof(password));
	return rc ? api_fail(rc) : 0;
}

/* One header a line, from a file: values may be secrets too. */
int cmd_set_headers(struct cli *cli, bgcopy_engine *engine)
{
	char text[BGCOPY_HEADERS_MAX + 2];
	bgcopy_job *job;
	size_t n = 0;
	FILE *in = NULL;
	int rc;

	if (cli->argc == 4 && !strcmp(cli->argv[2], "--file")) {
		in = fopen(cli->argv[3], "re");
		if (!in)
			return fail(EXIT_USAGE, "cannot read the headers file '%s': %s",
				    cli->argv[3], strerror(errno));
		n = fread(text, 1, sizeof(text) - 1, in);
		fclose(in);
	} else if (cli->argc != 3 || strcmp(cli->argv[2], "--clear")) {
		return fail(EXIT_USAGE, "usage: bgcopy set-headers JOB --file FILE | JOB --clear");
	}
	text[n] = '\0';
	if (strlen(text) != n)
		rc = fail(EXIT_USAGE, "the headers file has a NUL byte");
	else if ((rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)))
		rc = api_fail(rc);
	else if ((rc = bgcopy_job_set_headers(job, in ? text : NULL)))
		rc = api_fail(rc);
	explicit_bzero(text, n);
	return rc;
}

#define PROXY_USAGE "usage: bgcopy set-proxy JOB --preconfig | JOB --no-proxy | " \
	"JOB --override PROXIES [--bypass HOSTS]"

/* BITS' SetProxySettings: the environment's proxy, none, or the job's. */
int cmd_set_proxy(struct cli *cli, bgcopy_engine *engine)
{
	const char *mode = cli->argc >= 3 ? cli->argv[2] : "", *proxies = NULL, *bypass = NULL;
	enum bgcopy_proxy_usage usage;
	bgcopy_job *job;
	int rc;

	if (cli->argc == 3 && !strcmp(mode, "--preconfig"))
		usage = BGCOPY_PROXY_PRECONFIG;
	else if (cli->argc == 3 && !strcmp(mode, "--no-proxy"))
		usage = BGCOPY_PROXY_NO_PROXY;
	else if (!strcmp(mode, "--override") &&
		 (cli->argc == 4 || (cli->argc == 6 && !strcmp(cli->argv[4], "--bypass")))) {
		usage = BGCOPY_PROXY_OVERRIDE;
		proxies = cli->argv[3];
		bypass = cli->argc == 6 ? cli->argv[5] : NULL;
	} else
		return fail(EXIT_USAGE, PROXY_USAGE);
	if ((rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)) ||
	    (rc = bgcopy_job_set_proxy(job, usage, proxies, bypass)))
		return api_fail(rc);
	return 0;
}
