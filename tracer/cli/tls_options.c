/* The verbs of a job's TLS: set-client-cert, set-ca-file, set-crl-file, set-security-flags. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The engine (maybe bgcopyd, elsewhere) wants an absolute path. */
static int absolute(const char *what, const char *path, char *out)
{
	if (!realpath(path, out))
		return fail(EXIT_USAGE, "cannot find the %s '%s': %s", what, path,
			    strerror(errno));
	return 0;
}

#define CLIENT_CERT_USAGE "usage: bgcopy set-client-cert JOB --cert FILE [--key FILE] | JOB --clear"

/* BITS' SetClientCertificate: PEM files; the key's path, never its bytes. */
int cmd_set_client_cert(struct cli *cli, bgcopy_engine *engine)
{
	char cert[PATH_MAX], key[PATH_MAX];
	const char *cert_arg = NULL, *key_arg = NULL;
	bgcopy_job *job;
	int rc;

	if (cli->argc == 3 && !strcmp(cli->argv[2], "--clear"))
		;
	else if ((cli->argc == 4 || cli->argc == 6) && !strcmp(cli->argv[2], "--cert") &&
		 (cli->argc == 4 || !strcmp(cli->argv[4], "--key"))) {
		cert_arg = cli->argv[3];
		key_arg = cli->argc == 6 ? cli->argv[5] : NULL;
	} else
		return fail(EXIT_USAGE, CLIENT_CERT_USAGE);
	if ((cert_arg && (rc = absolute("client certificate", cert_arg, cert))) ||
	    (key_arg && (rc = absolute("private key", key_arg, key))))
		return rc;
	if ((rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)) ||
	    (rc = bgcopy_job_set_client_certificate(job, cert_arg ? cert : NULL,
						    key_arg ? key : NULL)))
		return api_fail(rc);
	return 0;
}

/* set-ca-file and set-crl-file: JOB FILE, or JOB --clear. */
int cmd_set_trust_file(struct cli *cli, bgcopy_engine *engine)
{
	bool crl = !strcmp(cli->argv[0], "set-crl-file");
	char path[PATH_MAX];
	bgcopy_job *job;
	int rc;

	if (cli->argc != 3)
		return fail(EXIT_USAGE, "usage: bgcopy %s JOB FILE | JOB --clear", cli->argv[0]);
	if (strcmp(cli->argv[2], "--clear") &&
	    (rc = absolute(crl ? "CRL file" : "CA file", cli->argv[2], path)))
		return rc;
	if (!strcmp(cli->argv[2], "--clear"))
		path[0] = '\0';
	if ((rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)) ||
	    (rc = crl ? bgcopy_job_set_crl_file(job, path) : bgcopy_job_set_ca_file(job, path)))
		return api_fail(rc);
	return 0;
}

/* A number (0x... for hexadecimal), or flag names separated by ',';
 * "none" is 0. */
static int parse_flags(const char *text, uint32_t *out)
{
	char *end, *copy, *save = NULL;
	unsigned long n;

	*out = 0;
	errno = 0;
	n = strtoul(text, &end, 0);
	if (*text >= '0' && *text <= '9') {
		if (errno || *end || n > UINT32_MAX)
			return fail(EXIT_USAGE, "security flags '%s' are not a 32-bit number", text);
		*out = (uint32_t)n;
		return 0;
	}
	if (!strcmp(text, "none"))
		return 0;
	copy = strdup(text);
	if (!copy)
		return fail(EXIT_USAGE, "out of memory");
	for (char *word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		uint32_t bit = 1;

		while (bit && (!bgcopy_security_flag_name(bit) ||
			       strcmp(word, bgcopy_security_flag_name(bit))))
			bit <<= 1;
		if (!bit) {
			fail(EXIT_USAGE, "unknown security flag '%s'", word);
			free(copy);
			return EXIT_USAGE;
		}
		*out |= bit;
	}
	free(copy);
	return 0;
}

/* BITS' SetSecurityFlags; what libcurl cannot honour is refused. */
int cmd_set_security_flags(struct cli *cli, bgcopy_engine *engine)
{
	bgcopy_job *job;
	uint32_t flags;
	int rc;

	if (cli->argc != 3)
		return fail(EXIT_USAGE, "usage: bgcopy set-security-flags JOB FLAGS");
	if ((rc = parse_flags(cli->argv[2], &flags)))
		return rc;
	if ((rc = bgcopy_engine_find_job(engine, cli->argv[1], &job)) ||
	    (rc = bgcopy_job_set_security_flags(job, flags)))
		return api_fail(rc);
	return 0;
}
