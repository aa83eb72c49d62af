# Callbacks traced on both sides: a traced bgcopyd and traced clients in
# one LTTng session.  A callback acknowledged by a client joins its
# receipt (PASS); a client killed inside a callback gets it redelivered
# to the next registration (PASS); so does a daemon killed inside one,
# once the next daemon has started (PASS); a client library that answers success
# without running the method is caught: acknowledged but never received
# (FAIL).  CONTRACT.md section 7, C1-C3.
export BGCOPY_EMBEDDED=0
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
unset BGCOPY_EMBEDDED
export BGCOPY_SOCKET=$SOCK XDG_RUNTIME_DIR=
CLIENT=$B/tools/callback_client
[ -x "$CLIENT" ] || die "$CLIENT was not built"
STORE=$WORK/store
CLIENT_PID= hung=
# Clients too, should a check fail with one waiting (or hanging) still.
trap 'kill $CLIENT_PID $hung 2>/dev/null
      [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait_gone "$DAEMON_PID"
      cleanup' EXIT

bg() { "$BGCOPY" --store "$STORE" "$@"; }
analyze() { LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$@"; }

# traced_daemon [TRACE-DIR]: a traced bgcopyd on the store, inside a new
# session recording everything at TRACE-DIR (or the session running).
traced_daemon() {
	[ -z "${1-}" ] || start_session "$1"
	BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 \
		"$BGCOPYD" --store "$STORE" --socket "$SOCK" --foreground 2>>"$WORK/daemon.err" &
	DAEMON_PID=$!
	wait_serving "$DAEMON_PID"
}
# stop_all: the daemon ends (engine_close), then the session.
stop_all() {
	kill "$DAEMON_PID" || die "bgcopyd ended early: $(cat "$WORK/daemon.err")"
	wait "$DAEMON_PID" || die "bgcopyd exited $?: $(cat "$WORK/daemon.err")"
	DAEMON_PID=
	stop_session
}
# new_job NAME: a job of one file, not yet resumed.
new_job() {
	local job
	job=$(bg create "$1") || die "create $1"
	bg add "$job" "$URL/f.bin" "$WORK/out/$1.bin" >/dev/null || die "add to $1"
	echo "$job"
}
# wait_line FILE TEXT: until a client printed TEXT.
wait_line() {
	for _ in $(seq 600); do
		grep -qx "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	die "the client never printed '$2': $(cat "$1" "$1.err" 2>/dev/null)"
}
# acknowledge JOB OUT [ENV...]: a traced client that acknowledges.
acknowledge() {
	local job=$1 out=$2; shift 2
	env "$@" BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 "$CLIENT" "$STORE" "$job" ack \
		> "$out" 2> "$out.err" &
	CLIENT_PID=$!
	wait_line "$out" registered
}

# hang_inside JOB OUT: a traced client registers on JOB, which is
# resumed, and is inside its JobTransferred when this returns ($hung).
hang_inside() {
	BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 "$CLIENT" "$STORE" "$1" hang \
		> "$2" 2> "$2.err" &
	hung=$!
	wait_line "$2" registered
	bg resume "$1" || die "resume"
	wait_line "$2" inside
}
# redelivered JOB OUT: a traced client registers again and acknowledges
# the JobTransferred owed; the job is completed.
redelivered() {
	acknowledge "$1" "$2"
	wait "$CLIENT_PID" || die "the next registration failed: $(cat "$2.err")"
	grep -qx "method ran" "$2" || die "JobTransferred not redelivered"
	bg complete "$1" || die "complete"
}
# passes TRACE: the checker's verdict on TRACE is PASS (its JSON report
# in TRACE.json).
passes() {
	analyze --format=json "$1" > "$1.json" || die "no PASS: $(analyze "$1")"
	grep -q '"verdict": "PASS"' "$1.json" || die "no PASS: $(cat "$1.json")"
}
# received_twice TRACE JOB: the job's timeline has two receipts, one return.
received_twice() {
	analyze --timeline --job="$2" "$1" > "$WORK/twice.txt"
	[ "$(grep -c "received JOB_TRANSFERRED" "$WORK/twice.txt")" = 2 ] &&
		[ "$(grep -c "returned JOB_TRANSFERRED" "$WORK/twice.txt")" = 1 ] ||
		die "not received twice and returned once: $(cat "$WORK/twice.txt")"
}

start_server
start_sessiond
make_file f.bin 100000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT

# A normal callback, and a client killed inside one.
traced_daemon "$WORK/trace"
normal=$(new_job normal)
acknowledge "$normal" "$WORK/normal.out"
bg resume "$normal" || die "resume"
wait "$CLIENT_PID" || die "the acknowledging client failed: $(cat "$WORK/normal.out.err")"
grep -qx "method ran" "$WORK/normal.out" || die "the client's method did not run"
bg complete "$normal" || die "complete"

killed=$(new_job killed)
hang_inside "$killed" "$WORK/hang.out"
kill -KILL "$hung"
wait "$hung" 2>/dev/null
redelivered "$killed" "$WORK/again.out"
stop_all

passes "$WORK/trace"
grep -q "not traced" "$WORK/trace.json" && die "a client was not joined: $(cat "$WORK/trace.json")"
# Joined: the daemon's attempt and the client's receipt and return, by
# the same arming and attempt, in the job's timeline.
analyze --timeline --job="$normal" "$WORK/trace" > "$WORK/normal.txt"
grep -qE "forwarded JOB_TRANSFERRED epoch 1 attempt 1 arming [0-9]+ to pid [0-9]+" "$WORK/normal.txt" &&
	grep -qE "client pid [0-9]+ received JOB_TRANSFERRED arming [0-9]+ attempt 1" "$WORK/normal.txt" &&
	grep -qE "client pid [0-9]+ returned JOB_TRANSFERRED arming [0-9]+ attempt 1 .* -> 0" "$WORK/normal.txt" ||
	die "the receipt is not in the timeline: $(cat "$WORK/normal.txt")"
received_twice "$WORK/trace" "$killed"

# The daemon killed inside a callback: the notification is owed again by
# the daemon started next, and redelivered to the next registration.
traced_daemon "$WORK/restarted"
cut=$(new_job cut)
hang_inside "$cut" "$WORK/cut.out"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
kill -KILL "$hung"
wait "$hung" 2>/dev/null
traced_daemon
redelivered "$cut" "$WORK/cut-again.out"
stop_all

passes "$WORK/restarted"
received_twice "$WORK/restarted" "$cut"

# A broken client library: success answered, the method never run.
traced_daemon "$WORK/swallowed"
swallowed=$(new_job swallowed)
acknowledge "$swallowed" "$WORK/swallowed.out" BGCOPY_TEST_SWALLOW_CALLBACK=1
bg resume "$swallowed" || die "resume"
wait "$CLIENT_PID" || die "the swallowing client failed: $(cat "$WORK/swallowed.out.err")"
grep -qx "method never ran" "$WORK/swallowed.out" || die "the method ran: nothing was swallowed"
bg complete "$swallowed" || die "complete"
stop_all

analyze "$WORK/swallowed" > "$WORK/swallowed.txt"
rc=$?
[ $rc = 1 ] || die "a swallowed callback exited $rc, not 1 (FAIL): $(cat "$WORK/swallowed.txt")"
grep -q "G1 lost JOB_TRANSFERRED" "$WORK/swallowed.txt" &&
	grep -q "acknowledged but never received" "$WORK/swallowed.txt" ||
	die "no 'acknowledged but never received': $(cat "$WORK/swallowed.txt")"
echo "callbacks joined across bgcopyd and its clients"
