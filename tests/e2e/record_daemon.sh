# bgcopy record through bgcopyd: a daemon started untraced maps no LTTng
# until a recorded command asks it to trace; the recording then holds the
# daemon's events of the run's jobs, judged PASS, while another process's
# job in the same daemon is left out; a job the daemon had before the
# recording, touched by the run, is INCONCLUSIVE, never FAIL; --pid of
# the run's process selects as --run does.
export BGCOPY_EMBEDDED=0
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED BGCOPY_SOCKET
export BGCOPYD_IDLE_EXIT=120

STORE=$WORK/store
SOCK=$STORE/bgcopyd.bus
export XDG_RUNTIME_DIR=
bg() { "$BGCOPY" --store "$STORE" --test-short-retry "$@"; }
daemon_pid() { [ -S "$SOCK" ] && head -n 1 "$STORE/lock" 2>/dev/null; }
maps_lttng() { grep -Eq 'libbgcopy-tp\.so|liblttng-ust' "/proc/$1/maps"; }
trap 'pid=$(daemon_pid) && kill "$pid" 2>/dev/null && wait_gone "$pid"; cleanup' EXIT

start_server
start_sessiond		# one for every recording: the daemon stays registered
make_file one.bin 200000
make_file slow.bin 1500000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT

# (a) A plain command starts the daemon, untraced: no LTTng in it.
before=$(bg create before) || die "create through the daemon"
bg add "$before" "$URL/one.bin" "$WORK/out/before.bin" || die "add"
other=$(bg create other) && bg add "$other" "$URL/one.bin" "$WORK/out/other.bin" ||
	die "the other job"
pid=$(daemon_pid) || die "no daemon after a plain command"
[ "$(cat "/proc/$pid/comm")" = bgcopyd ] || die "the store is held by $(cat "/proc/$pid/comm")"
maps_lttng "$pid" && die "an untraced daemon maps LTTng: $(grep -E 'bgcopy-tp|lttng' "/proc/$pid/maps")"
echo "ok (a) an untraced daemon maps neither the provider nor liblttng-ust"

# (b) A recorded download goes through the daemon, which traces it; a job
# driven meanwhile by a process outside the run is left out.
"$BGCOPY" record --check=--format=json -o "$WORK/run" -- \
	"$BGCOPY" --store "$STORE" download "$URL/fault/slow:500000/slow.bin" \
	"$WORK/out/slow.bin" > "$WORK/run.json" 2> "$WORK/run.err" &
rec=$!
for _ in $(seq 600); do maps_lttng "$pid" && break; sleep 0.05; done
maps_lttng "$pid" || die "the daemon did not load the provider for the recorded command"
bg resume "$other" && bg wait "$other" && bg complete "$other" ||
	die "the other job, outside the run"
wait "$rec"
rc=$?
cat "$WORK/run.err"
[ $rc = 0 ] || die "the recorded download through the daemon: exit $rc: $(cat "$WORK/run.json")"
cmp "$WORK/www/slow.bin" "$WORK/out/slow.bin" || die "the recorded download's file differs"
[ "$(daemon_pid)" = "$pid" ] || die "the recorded command did not use the running daemon"
/usr/bin/python3 - "$WORK/run.json" "$other" <<'EOF' || die "the run's verdict: $(cat "$WORK/run.json")"
import json, sys
report, other = json.load(open(sys.argv[1])), sys.argv[2]
jobs = report["jobs"]
assert report["verdict"] == "PASS", report["verdict"]
assert len(jobs) == 1, [j["id"] for j in jobs]
job = jobs[0]
assert job["id"] != other and job["verdict"] == "PASS" and job["taint"] is None, job
# The daemon's events of the job: the download's notification was armed
# by its transfer and delivered to the command's callback.  The command
# completes the job once its callback has run, which may reach the daemon
# before the callback's answer: then ACKNOWLEDGED voids the notification
# before its callback_end, and the checker says so (still a PASS).
done = [n for n in job["notifications"] if n["kind"] == "JOB_TRANSFERRED"]
assert done and done[0]["attempts"] >= 1 and done[0]["failures"] == 0 and \
    done[0]["outcome"] in ("discharged", "voided"), job["notifications"]
EOF
grep -q '^left out: [1-9][0-9]* events of [1-9][0-9]* processes outside the selection ([1-9][0-9]* jobs)' \
	"$WORK/run.err" "$WORK/run.json" || die "the other job is not counted as left out: $(cat "$WORK/run.err")"
echo "ok (b) a recorded download through the daemon: its engine events, PASS; the other job left out"

# (c) The run's timeline holds the daemon's events of its job: the
# daemon engine's engine_open (repeated when it began to trace), the
# job's states, its transfer, and the run's requests that moved it.
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --timeline --run="$WORK/run/bgcopy-run" "$WORK/run" \
	> "$WORK/timeline.txt" 2>&1 || die "the run's timeline: $(cat "$WORK/timeline.txt")"
grep -q "^engines: 1 opened, .*store \"$STORE\"" "$WORK/timeline.txt" &&
	grep -q 'TRANSFERRING' "$WORK/timeline.txt" && grep -q 'slow.bin' "$WORK/timeline.txt" &&
	grep -q 'request Resume from pid [0-9]* uid' "$WORK/timeline.txt" ||
	die "the daemon's engine events are not in the run: $(cat "$WORK/timeline.txt")"
echo "ok (c) the run holds the daemon's engine_open, state changes, transfer and the requests"

# (c2) --pid of the recorded download's process follows it into the
# daemon as --run does: its job's daemon-side events, PASS, the other
# job left out.  Its pid is the one the daemon saw (same pid namespace).
cli=$(sed -n 's/.*request Resume from pid \([0-9]*\) uid.*/\1/p' "$WORK/timeline.txt" | head -n 1)
[ -n "$cli" ] || die "no request of the download's process in the timeline"
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --pid="$cli" --format=json "$WORK/run" \
	> "$WORK/pid.json" 2> "$WORK/pid.err" || die "--pid=$cli: $(cat "$WORK/pid.err" "$WORK/pid.json")"
/usr/bin/python3 - "$WORK/pid.json" "$other" <<'EOF' || die "--pid's verdict: $(cat "$WORK/pid.json")"
import json, sys
report, other = json.load(open(sys.argv[1])), sys.argv[2]
jobs = report["jobs"]
assert report["verdict"] == "PASS", report["verdict"]
assert len(jobs) == 1 and jobs[0]["id"] != other, [j["id"] for j in jobs]
assert jobs[0]["verdict"] == "PASS" and jobs[0]["taint"] is None, jobs[0]
# The daemon's side: its transfer armed the notification it delivered.
done = [n for n in jobs[0]["notifications"] if n["kind"] == "JOB_TRANSFERRED"]
assert done and done[0]["attempts"] >= 1, jobs[0]["notifications"]
EOF
grep -q '^left out: [1-9][0-9]* events of [1-9][0-9]* processes outside the selection ([1-9][0-9]* jobs)' \
	"$WORK/pid.err" "$WORK/pid.json" || die "--pid: the other job is not counted as left out: $(cat "$WORK/pid.err")"
echo "ok (c2) --pid of the download's process holds its job's daemon events: PASS"

# (d) A job the daemon had before the recording, resumed by the run: its
# start is not in the trace, so it proves nothing (INCONCLUSIVE).
"$BGCOPY" record --check -o "$WORK/old" -- \
	"$BGCOPY" --store "$STORE" --test-short-retry resume "$before" > "$WORK/old.txt" 2> "$WORK/old.err"
rc=$?
cat "$WORK/old.txt"
[ $rc = 2 ] || die "a pre-existing job touched by the run: exit $rc, expected 2 (INCONCLUSIVE)"
grep -q "^job $before .*INCONCLUSIVE" "$WORK/old.txt" || die "the pre-existing job is not INCONCLUSIVE"
grep -q "creation is not in the trace" "$WORK/old.txt" || die "no reason given for INCONCLUSIVE"
# The same with --pid of the resuming process (the timeline, of an
# INCONCLUSIVE job, exits 2).
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --timeline --run="$WORK/old/bgcopy-run" "$WORK/old" \
	> "$WORK/old-timeline.txt" 2>&1
cli=$(sed -n 's/.*request Resume from pid \([0-9]*\) uid.*/\1/p' "$WORK/old-timeline.txt" | head -n 1)
[ -n "$cli" ] || die "no Resume of the recorded process in $(cat "$WORK/old-timeline.txt")"
rc=0
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --pid="$cli" "$WORK/old" > "$WORK/old-pid.txt" 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "^job $before .*INCONCLUSIVE" "$WORK/old-pid.txt" ||
	die "--pid of the process that resumed a pre-existing job: exit $rc: $(cat "$WORK/old-pid.txt")"
echo "record daemon ok"
