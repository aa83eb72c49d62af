# A client built for a bus (busctl) says Hello first and takes any other
# message before the answer for a broken connection: while jobs change
# and bgcopyd sends their change signals, each of 400 new busctl
# connections still gets its answer (before the fix about one in twelve
# failed with "Input/output error").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"

start_server
make_file slow.bin 100000
"$BGCOPYD" --store "$WORK/store" --socket "$SOCK" --foreground 2>>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"

# Jobs set moving and cancelled meanwhile: a change signal to every
# peer at each step.
churn() {
	local path i=0 tag=$1
	while :; do
		i=$((i + 1))
		path=$(manager CreateJob s "churn-$tag-$i" | path_of) || return
		on_job "$path" AddFile ss "http://127.0.0.1:$PORT/slow.bin" "$WORK/out-$tag-$i.bin" &&
			on_job "$path" Resume && on_job "$path" Cancel || return
	done >/dev/null 2>>"$WORK/churn.err"
}
path=$(manager CreateJob s asked | path_of) || die "no job to ask about"
churn a & CHURN=$!
churn b & CHURN2=$!
trap 'kill "$CHURN" "$CHURN2" 2>/dev/null; [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait_gone "$DAEMON_PID"
      cleanup' EXIT

failed=0
for i in $(seq 400); do
	prop "$path" Id > /dev/null 2>>"$WORK/busctl.err" || failed=$((failed + 1))
done
[ "$failed" = 0 ] || die "$failed of 400 busctl calls failed: $(sort "$WORK/busctl.err" | uniq -c)"
kill -0 "$CHURN" 2>/dev/null && kill -0 "$CHURN2" 2>/dev/null || die "the jobs stopped changing before the calls ended: $(tail -n 3 "$WORK/churn.err") $(tail -n 3 "$WORK/daemon.err")"
echo "bgcopyd hello ok"
