/* Tracing on a receiver's side: the callbacks a process answers for bgcopyd without a client engine of its own (a job's notify service). */
#define _GNU_SOURCE
#include <unistd.h>

#include "internal.h"
#include "trace.h"

/* This process as a receiver, the `client` of its receipts; 0 until
 * bgcopy_callback_receiver_open() draws it. */
static uint64_t receiver_id;

int bgcopy_callback_receiver_open(void)
{
	uint64_t id = trace_new_id(), none = 0;

	trace_load();
	/* The first open's id stays: receipts already recorded name it. */
	__atomic_compare_exchange_n(&receiver_id, &none, id, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	/* From here on this process's receipts are in the trace (CONTRACT.md
	 * section 7, C1-C3); again at a later open, for a later session. */
	TRACE(client_open, __atomic_load_n(&receiver_id, __ATOMIC_ACQUIRE),
	      trace_process_start(getpid()));
	return BGCOPY_OK;
}

/* The receipt as the trace's client attempt; a status. */
static int receipt_attempt(const char *verb, const struct bgcopy_callback_receipt *r,
			   struct bgcopy_tp_client_attempt *at)
{
	int kind;

	if (!r || !r->member || !r->job)
		return set_error(BGCOPY_E_INVALID_ARG, "%s() needs a receipt with its "
				 "member and job", verb);
	kind = trace_callback_kind(r->member);
	if (kind < 0)
		return set_error(BGCOPY_E_INVALID_ARG, "%s(): '%s' is not a method of "
				 "org.bgcopy1.Callback", verb, r->member);
	*at = (struct bgcopy_tp_client_attempt){
		.client = __atomic_load_n(&receiver_id, __ATOMIC_ACQUIRE),
		.engine = r->attempt.engine, .job = r->job, .kind = kind,
		.file_index = kind == BGCOPY_TP_KIND_FILE_TRANSFERRED ? r->file_index : -1,
		.arming = r->attempt.arming, .attempt = r->attempt.attempt,
	};
	if (!at->client)
		return set_error(BGCOPY_E_INVALID_STATE, "%s() before "
				 "bgcopy_callback_receiver_open()", verb);
	return BGCOPY_OK;
}

int bgcopy_callback_received(const struct bgcopy_callback_receipt *receipt)
{
	struct bgcopy_tp_client_attempt at;
	int status = receipt_attempt("bgcopy_callback_received", receipt, &at);

	/* An attempt of no engine: its sender forwarded nothing to join. */
	if (status == BGCOPY_OK && at.engine)
		TRACE(client_callback_received, &at);
	return status;
}

int bgcopy_callback_returned(const struct bgcopy_callback_receipt *receipt, int32_t result)
{
	struct bgcopy_tp_client_attempt at;
	int status = receipt_attempt("bgcopy_callback_returned", receipt, &at);

	if (status == BGCOPY_OK && at.engine)
		TRACE(client_callback_returned, &at, result);
	return status;
}
