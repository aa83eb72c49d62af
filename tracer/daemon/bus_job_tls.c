/* bgcopyd: a job's TLS on its object (org.bgcopy1.Job): client certificate, CA and CRL files, security flags. */
#include <limits.h>
#include <string.h>

#include "daemon.h"

static int property_get_tls(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	char first[PATH_MAX], key[PATH_MAX];
	bgcopy_job *job = userdata;
	int status;

	(void)bus, (void)path, (void)interface;
	if (!strcmp(property, "SecurityFlags"))
		return sd_bus_message_append(reply, "u", bgcopy_job_get_security_flags(job));
	if (!strcmp(property, "CaFile"))
		status = bgcopy_job_get_ca_file(job, first, sizeof(first));
	else if (!strcmp(property, "CrlFile"))
		status = bgcopy_job_get_crl_file(job, first, sizeof(first));
	else
		status = bgcopy_job_get_client_certificate(job, first, sizeof(first),
							   key, sizeof(key));
	if (status != BGCOPY_OK)
		return bus_error_from_status(error, status);
	return bus_append_text(reply, strcmp(property, "ClientKey") ? first : key);
}

/* SetClientCertificate(cert, key), SetCaFile(path), SetCrlFile(path):
 * "" clears.  Anyone who may change the job sets them: the engine opens
 * them as the job's owner (transfer_tls.c), never with root's rights. */
static int method_set_tls_file(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *member = sd_bus_message_get_member(m), *path = NULL, *key = NULL;
	int r, status;

	r = !strcmp(member, "SetClientCertificate") ?
	    sd_bus_message_read(m, "ss", &path, &key) : sd_bus_message_read(m, "s", &path);
	if (r < 0)
		return r;
	if (!strcmp(member, "SetClientCertificate"))
		status = bgcopy_job_set_client_certificate(userdata, path, key);
	else if (!strcmp(member, "SetCaFile"))
		status = bgcopy_job_set_ca_file(userdata, path);
	else
		status = bgcopy_job_set_crl_file(userdata, path);
	return reply_changed(m, userdata, status, error);
}

static int method_set_security_flags(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	uint32_t flags;
	int r = sd_bus_message_read(m, "u", &flags);

	if (r < 0)
		return r;
	return reply_changed(m, userdata, bgcopy_job_set_security_flags(userdata, flags), error);
}

#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED

/* A vtable of its own on the same interface, after bus_job.c's: the
 * members come after its own in the introspection. */
static const sd_bus_vtable job_tls_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("ClientCertificate", "s", property_get_tls, 0, 0),
	SD_BUS_PROPERTY("ClientKey", "s", property_get_tls, 0, 0),
	SD_BUS_PROPERTY("CaFile", "s", property_get_tls, 0, 0),
	SD_BUS_PROPERTY("CrlFile", "s", property_get_tls, 0, 0),
	SD_BUS_PROPERTY("SecurityFlags", "u", property_get_tls, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("SetClientCertificate", SD_BUS_ARGS("s", cert, "s", key),
				SD_BUS_NO_RESULT, method_set_tls_file, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetCaFile", SD_BUS_ARGS("s", path),
				SD_BUS_NO_RESULT, method_set_tls_file, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetCrlFile", SD_BUS_ARGS("s", path),
				SD_BUS_NO_RESULT, method_set_tls_file, UNPRIV),
	SD_BUS_METHOD_WITH_ARGS("SetSecurityFlags", SD_BUS_ARGS("u", flags),
				SD_BUS_NO_RESULT, method_set_security_flags, UNPRIV),
	SD_BUS_VTABLE_END
};

int bus_job_tls_register(struct peer *p)
{
	return sd_bus_add_fallback_vtable(p->bus, NULL, BGCOPYD_JOB_PREFIX, BGCOPYD_JOB_IFACE,
					  job_tls_vtable, job_find, p);
}
