# bgcopyd lets go of a final job a while after it announced it (a minute
# by default, BGCOPYD_KEEP_FINAL_MS here): meanwhile it is still listed
# and read back, then it is gone as after a restart, and a daemon that
# ran hundreds of jobs lists none of them.  A completed job's file and a
# live job are untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"

STORE=$WORK/store
KEEP_MS=1500
listed() { manager ListJobs | awk '{ print $2 }'; }
# wait_listed N: within 15 s, ListJobs gives N jobs.
wait_listed() {
	for _ in $(seq 300); do
		[ "$(listed)" = "$1" ] && return 0
		sleep 0.05
	done
	die "ListJobs gives $(listed) jobs, not $1: $(manager ListJobs)"
}

start_server
make_file payload.bin 100000
BGCOPYD_KEEP_FINAL_MS=$KEEP_MS "$BGCOPYD" --store "$STORE" --socket "$SOCK" --foreground \
	2>>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"

LIVE=$(manager CreateJob s "stays" | path_of)
DONE=$(manager CreateJob s "completed" | path_of)
ID=$(prop "$DONE" Id | sed 's/^s "\(.*\)"$/\1/')
on_job "$DONE" AddFile ss "http://127.0.0.1:$PORT/payload.bin" "$WORK/out.bin" || die "AddFile"
on_job "$DONE" Resume || die "Resume"
wait_state "$DONE" TRANSFERRED
on_job "$DONE" Complete || die "Complete"
# Read back at once, as a client checks what it just did.
[ "$(prop "$DONE" State)" = 's "ACKNOWLEDGED"' ] || die "State after Complete: $(prop "$DONE" State)"
[ "$(listed)" = 2 ] || die "the completed job is not listed right after: $(manager ListJobs)"

# Then it is gone; the live job is not.
wait_listed 1
expect_error org.bgcopy1.Error.NotFound manager GetJob s "$ID"
expect_error org.bgcopy1.Error.NotFound on_job "$DONE" Resume
[ "$(prop "$LIVE" State)" = 's "SUSPENDED"' ] || die "the live job is $(prop "$LIVE" State)"
cmp "$WORK/www/payload.bin" "$WORK/out.bin" || die "the completed file differs"

# Hundreds of jobs made and cancelled: none stays.
for i in $(seq 300); do
	job=$(manager CreateJob s "j$i" | path_of)
	on_job "$job" Cancel || die "Cancel $job"
done
wait_listed 1
kill -0 "$DAEMON_PID" || die "bgcopyd died: $(cat "$WORK/daemon.err")"
grep -q "is kept" "$WORK/daemon.err" && die "a job was kept: $(cat "$WORK/daemon.err")"
echo "bgcopyd forget ok"
