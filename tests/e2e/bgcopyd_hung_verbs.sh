# bgcopyd answers every client while a verb's file-system step hangs, as
# on a FUSE or NFS destination that stops (BGCOPY_TEST_SLOW_*_MS): an
# AddFile (its destination checks), a Complete (its renames) and a Cancel
# (its removals) each run on a thread of their own, another client's
# calls are answered meanwhile, and each is then answered after the
# change signals of what it did.  A job a hung Complete holds is not let
# go of when a Cancel ends it meanwhile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"

STORE=$WORK/store
# slowly CALL...: CALL runs in the background; another client's calls are
# answered before it is (the loop did not wait for it); then its status.
slowly() {
	local pid
	"$@" > "$WORK/slow.out" 2>&1 &
	pid=$!
	sleep 0.3	# well inside the hung step, on a machine not too slow
	manager ListJobs > /dev/null || die "ListJobs failed while '$*' hung"
	prop "$OTHER" State > /dev/null || die "a property read failed while '$*' hung"
	kill -0 "$pid" 2>/dev/null || die "'$*' was answered before another client's call: the loop waited for it"
	wait "$pid"
}

start_server
make_file payload.bin 100000
BGCOPY_TEST_SLOW_CHECK_MS=1500 BGCOPY_TEST_SLOW_COMMIT_MS=3000 BGCOPY_TEST_SLOW_REMOVE_MS=500 \
	BGCOPYD_KEEP_FINAL_MS=200 "$BGCOPYD" --store "$STORE" --socket "$SOCK" --foreground \
	2>>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"
OTHER=$(manager CreateJob s "other" | path_of)
URL=http://127.0.0.1:$PORT/payload.bin

# AddFile: answered after the checks, the file added.
JOB=$(manager CreateJob s "completed" | path_of)
slowly on_job "$JOB" AddFile ss "$URL" "$WORK/out.bin" || die "AddFile: $(cat "$WORK/slow.out")"
[ "$(prop "$JOB" FilesTotal)" = "u 1" ] || die "FilesTotal after AddFile: $(prop "$JOB" FilesTotal)"
on_job "$JOB" Resume || die "Resume"
wait_state "$JOB" TRANSFERRED

# Complete: answered after the renames, ACKNOWLEDGED as soon as it is.
slowly on_job "$JOB" Complete || die "Complete: $(cat "$WORK/slow.out")"
[ "$(prop "$JOB" State)" = 's "ACKNOWLEDGED"' ] || die "State after Complete: $(prop "$JOB" State)"
cmp "$WORK/www/payload.bin" "$WORK/out.bin" || die "the completed file differs"

# Cancel: answered after the removals, CANCELLED as soon as it is.
JOB=$(manager CreateJob s "cancelled" | path_of)
on_job "$JOB" AddFile ss "$URL" "$WORK/cancelled.bin" || die "AddFile"
slowly on_job "$JOB" Cancel || die "Cancel: $(cat "$WORK/slow.out")"
[ "$(prop "$JOB" State)" = 's "CANCELLED"' ] || die "State after Cancel: $(prop "$JOB" State)"

# A Complete hung in its renames while a Cancel ends the job, which is
# announced and due to be let go of long before the Complete returns:
# the Complete fails (its temporary file went with the cancel) and the
# job is let go of only after (ASan would see a job freed under it).
JOB=$(manager CreateJob s "held" | path_of)
on_job "$JOB" AddFile ss "$URL" "$WORK/held.bin" || die "AddFile"
on_job "$JOB" Resume || die "Resume"
wait_state "$JOB" TRANSFERRED
ID=$(prop "$JOB" Id | sed 's/^s "\(.*\)"$/\1/')
on_job "$JOB" Complete > "$WORK/held.out" 2>&1 &
held=$!
sleep 0.3
on_job "$JOB" Cancel || die "Cancel under a hung Complete"
sleep 1		# past the announcement and BGCOPYD_KEEP_FINAL_MS
kill -0 "$held" 2>/dev/null || die "the Complete returned before its hung step ended"
[ "$(prop "$JOB" State)" = 's "CANCELLED"' ] || die "the held job is $(prop "$JOB" State)"
wait "$held" && die "the Complete of a job cancelled under it succeeded"
[ -e "$WORK/held.bin" ] && die "a cancelled job's file was committed"
for _ in $(seq 100); do
	error_of manager GetJob s "$ID" | grep -q NotFound && break
	sleep 0.05
done
expect_error org.bgcopy1.Error.NotFound manager GetJob s "$ID"
kill -0 "$DAEMON_PID" || die "bgcopyd died: $(cat "$WORK/daemon.err")"
echo "bgcopyd hung verbs ok"
