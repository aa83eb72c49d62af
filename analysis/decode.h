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

/* Fills every member of a record: the timeline prints them all. */
#define DECODER_ALL NULL

/*
 * consumers: a NULL-terminated list of the tables of what each consumer
 * reads (struct bgc_reads); the decoder fills their union and leaves the
 * other members zero.  DECODER_ALL: every member.  Either way, every
 * field of every event is checked to exist.
 */
struct decoder *decoder_create(const struct bgc_reads *const *consumers);
void decoder_destroy(struct decoder *d);

/*
 * Fills *rec from an event or discarded-events/packets message.
 * Returns 1 when *rec is filled, 0 for a message that is not bgcopy's
 * business, -1 when the trace cannot be read as this bgcopy schema
 * (decoder_error() says why).  rec's strings borrow from msg.
 */
int decoder_decode(struct decoder *d, const bt_message *msg,
		   struct bgc_record *rec);
const char *decoder_error(const struct decoder *d);

#endif /* BGCOPY_DECODE_H */
