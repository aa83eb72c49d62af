# bgcopyd started again on a store whose job was cut off mid-transfer:
# the restored job moves at once, while the daemon takes its first look
# at the jobs (made slow here, as many jobs make it).  What the daemon
# lists afterwards is where the job is, not the state it had when the
# daemon started.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"

start_server
make_file slow.bin 300000
URL=http://127.0.0.1:$PORT/fault/slow:400000/slow.bin
start_daemon() {
	"$BGCOPYD" --store "$WORK/store" --socket "$SOCK" --foreground 2>>"$WORK/daemon.err" &
	DAEMON_PID=$!
	wait_serving "$DAEMON_PID"
}
# The state ListJobs gives the job: a(sssuo) 1 "ID" "NAME" "STATE" ...
listed_state() { manager ListJobs | awk '{ print $5 }' | tr -d '"'; }

start_daemon
JOB=$(manager CreateJob s cut | path_of)
[ -n "$JOB" ] || die "CreateJob: $(cat "$WORK/daemon.err")"
on_job "$JOB" AddFile ss "$URL" "$WORK/out.bin" >/dev/null || die "AddFile"
on_job "$JOB" Resume >/dev/null || die "Resume"
wait_state "$JOB" TRANSFERRING
kill -9 "$DAEMON_PID"
wait_gone "$DAEMON_PID"
[ "$(grep -c '^GET /fault/slow' "$WORK/server.log")" = 1 ] || die "not one GET before the kill"

# The first look at the jobs takes 2 s; the rest of the file (under a
# second at 400 kB/s) arrives meanwhile.
BGCOPYD_TEST_WATCH_DELAY_MS=2000 start_daemon
[ "$(prop "$JOB" State)" = 's "TRANSFERRED"' ] ||
	die "the job is $(prop "$JOB" State) 2 s after the restart (the test needs it TRANSFERRED)"
[ "$(listed_state)" = TRANSFERRED ] ||
	die "ListJobs shows the job $(listed_state), as it was when bgcopyd started: $(manager ListJobs)"
on_job "$JOB" Complete >/dev/null || die "Complete"
cmp "$WORK/www/slow.bin" "$WORK/out.bin" || die "the file differs"
echo "bgcopyd restart listing ok"
