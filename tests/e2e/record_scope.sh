# A recording judges its own command: `bgcopy record --check' leaves out
# the events of every process outside the command's tree (its own UTS
# namespace), counts them in one line, and judges only its jobs, even
# while other processes trace failing jobs on the same machine.
. "$(dirname "$0")/lib.sh"

FAKE=$B/tools/fake_engine
start_server
make_file slow.bin 1500000
URL=http://127.0.0.1:$PORT

# (a) Two recordings at once: a clean download, and a command whose job
# breaks the contract (fake_engine's duplicate T).  Each sees its own job.
"$BGCOPY" record --check -o "$WORK/good" -- \
	"$BGCOPY" --store "$WORK/s-good" download "$URL/fault/slow:1000000/slow.bin" \
	"$WORK/slow.bin" > "$WORK/good.txt" 2> "$WORK/good.err" &
good=$!
sleep 0.3
"$BGCOPY" record --check -o "$WORK/bad" -- \
	sh -c 'sleep 0.2; exec "$0" "$1" duplicate-t' "$FAKE" "$B/lib/libbgcopy-tp.so" \
	> "$WORK/bad.txt" 2> "$WORK/bad.err"
bad_rc=$?
wait "$good"
good_rc=$?
cat "$WORK/good.txt" "$WORK/bad.txt"
[ $good_rc = 0 ] || die "the clean run was judged by another's job: exit $good_rc"
[ $bad_rc = 1 ] || die "the failing run: exit $bad_rc, expected 1 (FAIL)"
[ "$(grep -c '^job ' "$WORK/good.txt")" = 1 ] || die "the clean run judged other jobs than its own"
[ "$(grep -c '^job ' "$WORK/bad.txt")" = 1 ] || die "the failing run judged other jobs than its own"
grep -q '^left out: [0-9]* events of [1-9][0-9]* processes outside the selection' "$WORK/good.txt" ||
	die "the clean run does not say what it left out"
grep -q "^job .*PASS" "$WORK/good.txt" && grep -q "^job .*FAIL" "$WORK/bad.txt" ||
	die "each run's own job not judged as it should be"
grep -q '^uts_ns [0-9]' "$WORK/good/bgcopy-run" || die "no run file beside the trace"
echo "ok (a) two recordings at once each judge their own job"

# (b) A command that traces nothing, while another process traces a
# failing engine into the same session: no job to judge, exit 0.
"$BGCOPY" record --check -o "$WORK/idle" -- sleep 2 > "$WORK/idle.txt" 2> "$WORK/idle.err" &
idle=$!
sleep 0.5
traced "$FAKE" "$B/lib/libbgcopy-tp.so" duplicate-t || die "fake_engine failed"
wait "$idle"
idle_rc=$?
cat "$WORK/idle.txt" "$WORK/idle.err"
[ $idle_rc = 0 ] || die "an idle command was judged by another process's FAIL: exit $idle_rc"
grep -q '^no job in the selection' "$WORK/idle.txt" || die "the idle run does not say it judged no job"
echo "ok (b) an idle command is not judged by another process's job"

# (c) The same trace, judged whole, shows the other process's FAIL.
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$WORK/idle" > "$WORK/whole.txt" 2>&1
[ $? = 1 ] || die "the whole trace should FAIL: $(cat "$WORK/whole.txt")"
echo "ok (c) without --run the other process's job is judged"

# (d) The selections by hand: a job by id prefix, a time window, bad values.
sel() { LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$@" > "$WORK/sel.txt" 2>&1; echo $?; }
[ "$(sel --job=00000000-0000-4000-8000 "$WORK/idle")" = 1 ] &&
	grep -q '^job 00000000-0000-4000-8000-00000000000a ' "$WORK/sel.txt" ||
	die "--job by prefix: $(cat "$WORK/sel.txt")"
[ "$(sel --job=ffffffff "$WORK/idle")" = 0 ] && grep -q '^verdict: PASS (0 failed, 0 inconclusive, 0 passed)' "$WORK/sel.txt" ||
	die "--job naming no job: $(cat "$WORK/sel.txt")"
[ "$(sel --begin=3600000 "$WORK/idle")" = 0 ] && grep -q '^left out: [1-9][0-9]* events.*(1 jobs)' "$WORK/sel.txt" ||
	die "--begin after the trace: $(cat "$WORK/sel.txt")"
[ "$(sel --end=2000-01-01T00:00:00Z "$WORK/idle")" = 0 ] || die "--end before the trace: $(cat "$WORK/sel.txt")"
[ "$(sel --job=0000 "$WORK/idle")" = 3 ] && grep -q "at least its first 8" "$WORK/sel.txt" ||
	die "a short --job prefix: $(cat "$WORK/sel.txt")"
[ "$(sel --begin=yesterday "$WORK/idle")" = 3 ] && grep -q "ISO 8601" "$WORK/sel.txt" ||
	die "a bad --begin: $(cat "$WORK/sel.txt")"
[ "$(sel --run=/nonexistent "$WORK/idle")" = 3 ] || die "a missing --run file"
echo "ok (d) --job, --begin, --end select; bad values are refused"
echo "record scope ok"
