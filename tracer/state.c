/* What each job state means, and the transitions of docs/CONTRACT.md section 2. */
#include "internal.h"

#define S(state) (1u << BGCOPY_##state)

bool state_is_final(enum bgcopy_state state)
{
	return state == BGCOPY_ACKNOWLEDGED || state == BGCOPY_CANCELLED;
}

/* The states in which the no-progress clock may run. */
bool state_wants_bytes(enum bgcopy_state state)
{
	return (S(QUEUED) | S(CONNECTING) | S(TRANSFERRING) |
		S(TRANSIENT_ERROR)) & (1u << state);
}

/* For each target state, the states a job may reach it from.  Suspend and
 * cancel apply to every live state; a final state has no way out. */
bool state_change_allowed(enum bgcopy_state from, enum bgcopy_state to)
{
	static const unsigned live = S(QUEUED) | S(CONNECTING) | S(TRANSFERRING) |
		S(SUSPENDED) | S(ERROR) | S(TRANSIENT_ERROR) | S(TRANSFERRED);
	static const unsigned sources[] = {
		/* resume, retry delay over, file added, restored mid-transfer */
		[BGCOPY_QUEUED] = S(SUSPENDED) | S(ERROR) | S(TRANSIENT_ERROR) |
				  S(TRANSFERRED) | S(CONNECTING) | S(TRANSFERRING),
		[BGCOPY_CONNECTING] = S(QUEUED),
		[BGCOPY_TRANSFERRING] = S(CONNECTING),
		[BGCOPY_SUSPENDED] = live,
		/* a permanent failure, or the no-progress timeout */
		[BGCOPY_ERROR] = S(QUEUED) | S(CONNECTING) | S(TRANSFERRING) |
				 S(TRANSIENT_ERROR),
		[BGCOPY_TRANSIENT_ERROR] = S(QUEUED) | S(CONNECTING) |
					   S(TRANSFERRING),
		/* every file was already complete when it was scheduled */
		[BGCOPY_TRANSFERRED] = S(QUEUED) | S(CONNECTING) | S(TRANSFERRING),
		[BGCOPY_ACKNOWLEDGED] = S(TRANSFERRED) | S(ERROR) | S(SUSPENDED),
		[BGCOPY_CANCELLED] = live,
	};

	if ((unsigned)to >= sizeof(sources) / sizeof(sources[0]) ||
	    (unsigned)from >= sizeof(sources) / sizeof(sources[0]))
		return false;
	return (sources[to] & (1u << from)) != 0;
}
