# bgcopyd's change signals come from the engine's change hook: every
# state a job passes through reaches a client within milliseconds (no
# 250 ms sweep), progress is coalesced, and an idle daemon neither sends
# anything nor wakes up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
WATCH=$B/tools/bgcopyd_watch
[ -x "$WATCH" ] || die "bgcopyd_watch was not built"


start_server
make_file payload.bin 300000
URL=http://127.0.0.1:$PORT
"$BGCOPYD" --store "$WORK/store" --socket "$SOCK" --foreground 2>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"
JOB=$(manager CreateJob s signals | path_of)
[ -n "$JOB" ] || die "CreateJob: $(cat "$WORK/daemon.err")"

# A missing file: Resume -> QUEUED -> CONNECTING -> ERROR, all made by the
# engine within milliseconds.  Every state arrives, in order, each soon.
on_job "$JOB" AddFile ss "$URL/missing.bin" "$WORK/missing.bin" ||
	die "AddFile"
worst=0
for round in 1 2 3 4 5; do
	"$WATCH" "$ADDR" "$JOB" --call Resume --until ERROR > "$WORK/round.txt" ||
		die "round $round: no ERROR signal: $(cat "$WORK/round.txt")"
	states=$(grep -o 'State=[A-Z_]*' "$WORK/round.txt" | cut -d= -f2 | xargs)
	[ "$states" = "QUEUED CONNECTING ERROR" ] ||
		die "round $round: states '$states', expected QUEUED CONNECTING ERROR"
	grep 'State=ERROR' "$WORK/round.txt" | grep -q 'Error=.*404' ||
		die "round $round: the ERROR signal does not carry the error: $(cat "$WORK/round.txt")"
	usec=$(awk '/State=ERROR/ { print $1 }' "$WORK/round.txt")
	echo "round $round: ERROR announced $usec us after Resume was called"
	[ "$usec" -gt "$worst" ] && worst=$usec
done
# The sweep took up to 250 ms; the hook takes a few ms (100 ms leaves
# room for a loaded machine).
[ "$worst" -lt 100000 ] || die "ERROR took $worst us to arrive"
echo "slowest ERROR signal: $worst us"

# The properties read with GetAll are announced too, by name: a method
# that changes one sends PropertiesChanged with it invalidated, before
# its reply (the watcher stops once it has seen it).
for call in "SetNoProgressTimeout 3600 NoProgressTimeout" \
	    "SetNotifyCmdlineTimeout 60 NotifyCmdlineTimeout"; do
	read -r method value property <<<"$call"
	"$WATCH" "$ADDR" "$JOB" --call "$method" --call-u "$value" --until-property "$property" \
		> "$WORK/prop.txt" || die "$method: no signal for $property: $(cat "$WORK/prop.txt")"
	grep -q " $property~" "$WORK/prop.txt" || die "$method: $(cat "$WORK/prop.txt")"
done
# A file added announces LocalPaths (bgcopyd reads every file's again only
# when the file count moved, not at each change).
PATHS=$(manager CreateJob s paths | path_of)
"$WATCH" "$ADDR" "$PATHS" --call AddFile --call-s "$URL/payload.bin" \
	--call-s "$WORK/paths.bin" --until-property LocalPaths > "$WORK/prop.txt" ||
	die "AddFile: no signal for LocalPaths: $(cat "$WORK/prop.txt")"
grep -q " LocalPaths~" "$WORK/prop.txt" || die "AddFile: $(cat "$WORK/prop.txt")"
# The same value again changes nothing and announces nothing.
"$WATCH" "$ADDR" "$JOB" --call SetNoProgressTimeout --call-u 3600 \
	--until-property NoProgressTimeout > "$WORK/prop.txt" 2>/dev/null &&
	die "an unchanged NoProgressTimeout was announced: $(cat "$WORK/prop.txt")"

# Progress of a 0.5 s download is coalesced (at most one signal per
# 100 ms), the last value is announced, and then nothing: an idle daemon
# sends no signal.
DL=$(manager CreateJob s progress | path_of)
on_job "$DL" AddFile ss "$URL/fault/slow:600000/payload.bin" \
	"$WORK/payload.bin" || die "AddFile"
"$WATCH" "$ADDR" "$DL" --call Resume --until TRANSFERRED --quiet-ms 1500 > "$WORK/dl.txt" ||
	die "no TRANSFERRED signal: $(cat "$WORK/dl.txt")"
progress=$(grep -c BytesTransferred= "$WORK/dl.txt")
echo "progress signals for a 0.5 s download: $progress"
[ "$progress" -ge 2 ] && [ "$progress" -le 12 ] || die "$progress progress signals: $(cat "$WORK/dl.txt")"
grep 'State=TRANSFERRED' "$WORK/dl.txt" >/dev/null || die "no TRANSFERRED"
tail -n 1 "$WORK/dl.txt" | grep -q 'State=TRANSFERRED' ||
	die "signals after TRANSFERRED while nothing changed: $(cat "$WORK/dl.txt")"
grep -o 'BytesTransferred=[0-9]*' "$WORK/dl.txt" | tail -n 1 | grep -qx 'BytesTransferred=300000' ||
	die "the last progress announced is not the whole file: $(cat "$WORK/dl.txt")"

# Idle: the loop's epoll_wait does not return in 2 s (the sweep woke it
# 8 times).
if command -v strace >/dev/null; then
	timeout -s INT 2 strace -p "$DAEMON_PID" -o "$WORK/strace.txt" 2>/dev/null
	wakes=$(grep -c 'epoll_wait(.*= ' "$WORK/strace.txt")
	echo "wake-ups of the idle loop in 2 s: $wakes"
	[ "$wakes" = 0 ] || die "the idle loop woke up: $(cat "$WORK/strace.txt")"
else
	echo "idle wake-ups not checked: strace is not installed"
fi
[ -s "$WORK/daemon.err" ] && die "bgcopyd complained: $(cat "$WORK/daemon.err")"

# A loop that catches up late (a loaded machine, made certain here) sees
# a job's QUEUED, CONNECTING and ERROR in one batch, with the same error
# as the last time: the ERROR signal still carries it.
kill "$DAEMON_PID" && wait_gone "$DAEMON_PID"
BGCOPYD_TEST_FLUSH_DELAY_MS=300 "$BGCOPYD" --store "$WORK/late-store" --socket "$SOCK" \
	--foreground 2>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"
LATE=$(manager CreateJob s late | path_of)
on_job "$LATE" AddFile ss "$URL/missing.bin" "$WORK/late-missing.bin" || die "AddFile"
for round in 1 2; do
	"$WATCH" "$ADDR" "$LATE" --call Resume --until ERROR > "$WORK/late.txt" ||
		die "late round $round: no ERROR signal: $(cat "$WORK/late.txt")"
	grep 'State=ERROR' "$WORK/late.txt" | grep -q 'Error=.*404' ||
		die "late round $round: the ERROR signal does not carry the error: $(cat "$WORK/late.txt")"
done
echo "bgcopyd_signals: ok"
