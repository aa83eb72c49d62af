/*
 * babeltrace2 messages -> struct bgc_record.
 *
 * The first event of each event class resolves that class once (is it
 * bgcopy:*, which payload member feeds which record member, where vpid and
 * vtid sit in the common context); later events only index fields.
 */
#ifndef BGCOPY_DECODE_H
#define BGCOPY_DECODE_H

#include <stdbool.h>

#include <babeltrace2/babeltrace.h>

#include "record.h"

struct decoder;

/*
 * lean: fill only what the oracle (oracle.c) and the transfer figures
 * (perf.c) read; the other members of a record are left zero.  Every field is still checked to exist.  The
 * timeline needs them all: lean false.
 */
struct decoder *decoder_create(bool lean);
void decoder_destroy(struct decoder *d);

/*
 * Fills *rec from an event or discarded-events/packets message.
 * Returns 1 when *rec is filled, 0 for a message that is not bgcopy's
 * business, -1 when the trace cannot be read as bgcopy schema 1
 * (decoder_error() says why).  rec's strings borrow from msg.
 */
int decoder_decode(struct decoder *d, const bt_message *msg,
		   struct bgc_record *rec);
const char *decoder_error(const struct decoder *d);

#endif /* BGCOPY_DECODE_H */
