/* bgcopyd: bgcopy's status codes as named D-Bus errors (org.bgcopy1.Error.*). */
#include <errno.h>
#include <string.h>

#include "daemon.h"

#define ERROR_PREFIX "org.bgcopy1.Error."

/* The errno sd-bus hands a C client for each name. */
static const sd_bus_error_map error_errnos[] = {
	SD_BUS_ERROR_MAP(ERROR_PREFIX "InvalidArgument", EINVAL),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "InvalidState", EBUSY),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "NoMemory", ENOMEM),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "Io", EIO),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "NotFound", ENOENT),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "Store", EUCLEAN),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "Limit", EDQUOT),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "ReadOnly", EROFS),
	SD_BUS_ERROR_MAP(ERROR_PREFIX "TooManyJobs", EUSERS),
	SD_BUS_ERROR_MAP_END
};

static const char *const status_names[] = {
	[-BGCOPY_E_INVALID_ARG] = ERROR_PREFIX "InvalidArgument",
	[-BGCOPY_E_INVALID_STATE] = ERROR_PREFIX "InvalidState",
	[-BGCOPY_E_NOMEM] = ERROR_PREFIX "NoMemory",
	[-BGCOPY_E_IO] = ERROR_PREFIX "Io",
	[-BGCOPY_E_NOT_FOUND] = ERROR_PREFIX "NotFound",
	[-BGCOPY_E_STORE_BUSY] = ERROR_PREFIX "Store",
	[-BGCOPY_E_STORE] = ERROR_PREFIX "Store",
	[-BGCOPY_E_LIMIT] = ERROR_PREFIX "Limit",
	[-BGCOPY_E_READ_ONLY] = ERROR_PREFIX "ReadOnly",
};

int bus_errors_register(void)
{
	return sd_bus_error_add_map(error_errnos);
}

/* Sets `error` from a failed bgcopy call: its name from the status, its
 * message `text`.  Returns the negative errno. */
int bus_error_from_text(sd_bus_error *error, int status, const char *text)
{
	unsigned index = status < 0 ? (unsigned)-status : 0;
	const char *name = NULL;
	char shown[1024];

	if (index < sizeof(status_names) / sizeof(status_names[0]))
		name = status_names[index];
	/* A message naming a path that is not UTF-8 must still be sent. */
	return sd_bus_error_set(error, name ? name : SD_BUS_ERROR_FAILED,
				bus_text(text, shown, sizeof(shown)));
}

/* The same, its message from bgcopy_last_error(). */
int bus_error_from_status(sd_bus_error *error, int status)
{
	return bus_error_from_text(error, status, bgcopy_last_error());
}

int bus_error_not_found(sd_bus_error *error, const char *id)
{
	return sd_bus_error_setf(error, ERROR_PREFIX "NotFound",
				 "no job '%s' in this store", id);
}

/* Names and descriptions are stored whole; one too long is refused so
 * that what a client sets is what it reads back. */
int bus_error_check_text(sd_bus_error *error, const char *what, const char *text)
{
	size_t n = strlen(text);

	if (n < BGCOPYD_TEXT_MAX)
		return 0;
	return sd_bus_error_setf(error, ERROR_PREFIX "InvalidArgument",
				 "%s is %zu bytes long, at most %d are kept",
				 what, n, BGCOPYD_TEXT_MAX - 1);
}
