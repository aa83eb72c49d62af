# 1,000 jobs across 10 client processes of one traced bgcopyd at once,
# each job one small file with a notify interface: every job TRANSFERRED
# and completed, its JobTransferred received exactly once by the client
# that registered it, every file identical, and bgcopy-analyze PASSes the
# daemon's trace.
export BGCOPY_EMBEDDED=0
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED BGCOPY_SERVICE
. "$(dirname "$0")/bgcopyd_lib.bash"
CLIENT=$B/tools/service_client
[ -x "$CLIENT" ] || die "$CLIENT was not built"
CLIENTS=10 JOBS=100

STORE=$WORK/store
export BGCOPY_SOCKET=$SOCK
mkdir -p "$WORK/out" "$WORK/clients"
start_server
start_sessiond
for c in $(seq "$CLIENTS"); do
	for i in $(seq 0 $((JOBS - 1))); do make_file "c$c-$i.bin" $((1000 + RANDOM % 20000)); done
done

# The daemon traced losslessly; its limits raised above BITS' 60 and 300.
start_session "$WORK/trace"
env BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 BGCOPYD_MAX_JOBS_PER_USER=1000 \
	BGCOPYD_MAX_JOBS=1000 BGCOPYD_TEST_OPTIONS=$((0x1)) \
	"$BGCOPYD" --store "$STORE" --socket "$SOCK" --foreground > /dev/null 2> "$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"

pids=()
for c in $(seq "$CLIENTS"); do
	"$CLIENT" --store "$STORE" --name "c$c" --jobs "$JOBS" --url "http://127.0.0.1:$PORT" \
		--out "$WORK/out" --log "$WORK/callbacks.log" --deadline-s 600 \
		> "$WORK/clients/c$c.out" 2> "$WORK/clients/c$c.err" &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
[ "$failed" = 0 ] || { tail -n 5 "$WORK"/clients/*.err; die "$failed clients failed"; }
kill "$DAEMON_PID" && wait "$DAEMON_PID" || die "bgcopyd did not stop cleanly: $(cat "$WORK/daemon.err")"
DAEMON_PID=
stop_session

# Exactly once: one receipt per job, by the client that made it, which
# never had to reconnect.
awk '$1 == "job"' "$WORK"/clients/*.out | sort -u > "$WORK/jobs"
[ "$(awk '{ print $3 }' "$WORK/jobs" | sort -u | wc -l)" = $((CLIENTS * JOBS)) ] ||
	die "not $((CLIENTS * JOBS)) distinct jobs: $(wc -l < "$WORK/jobs")"
[ "$(cat "$WORK"/clients/*.out | awk '$1 == "received" && $3 != 1' | wc -l)" = 0 ] ||
	die "a JobTransferred received other than once: $(awk '$1 == "received" && $3 != 1' "$WORK"/clients/*.out)"
grep '^JOB_TRANSFERRED ' "$WORK/callbacks.log" > "$WORK/receipts"
[ "$(sort "$WORK/receipts" | uniq -d | wc -l)" = 0 ] || die "a JobTransferred delivered twice"
[ "$(wc -l < "$WORK/receipts")" = $((CLIENTS * JOBS)) ] || die "not one receipt per job"
lost=$(grep -L ', 0 reconnects' "$WORK"/clients/*.err)
[ -z "$lost" ] || die "a client lost the daemon: $(cat $lost)"
while read -r _ name _; do
	cmp "$WORK/www/$name.bin" "$WORK/out/$name.bin" || die "$name.bin differs"
done < "$WORK/jobs"
[ "$(ls "$WORK/out" | wc -l)" = $((CLIENTS * JOBS)) ] || die "more than the files in the output directory"

# The checker proves the daemon's notifications from its trace alone.
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$WORK/trace" > "$WORK/analyze.txt" 2>&1 ||
	{ tail -n 30 "$WORK/analyze.txt"; die "bgcopy-analyze did not pass the daemon's trace"; }
grep -q "verdict: PASS" "$WORK/analyze.txt" || die "no PASS: $(tail -n 20 "$WORK/analyze.txt")"
grep "^verdict:" "$WORK/analyze.txt"
echo "$((CLIENTS * JOBS)) jobs across $CLIENTS clients ok"
