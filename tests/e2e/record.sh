# bgcopy record: a lossless trace and a verdict in one command, the
# command's exit status passed through, clear failures, Ctrl-C.
. "$(dirname "$0")/lib.sh"

start_server
make_file r.bin 200000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
daemon_before=$(lttng list >/dev/null 2>&1 && echo yes || echo no)

# A clean run: trace written, verdict PASS, the command's status.
"$BGCOPY" record -o "$WORK/t1" --check -- \
	"$BGCOPY" --store "$WORK/s1" download "$URL/r.bin" "$WORK/out/r1.bin" \
	> "$WORK/check.out" 2> "$WORK/record.err" || die "record --check failed: $(cat "$WORK/record.err")"
grep -q "verdict: PASS" "$WORK/check.out" || die "no PASS verdict: $(cat "$WORK/check.out")"
grep -q "trace written to $WORK/t1" "$WORK/record.err" || die "trace location not said"
bt "$WORK/t1" > "$WORK/t1.txt" || die "trace unreadable"
grep -q "bgcopy:job_created" "$WORK/t1.txt" || die "no bgcopy events recorded"
grep -q "procname = \"bgcopy\"" "$WORK/t1.txt" || die "no procname context"
cmp "$WORK/www/r.bin" "$WORK/out/r1.bin" || die "file differs"
if [ "$daemon_before" = no ]; then
	lttng list >/dev/null 2>&1 && die "the session daemon bgcopy record started was left running"
fi

# The command runs with what a lossless bgcopy trace needs, and without
# liblttng-ust's base-address state dump unless it asked for one.
"$BGCOPY" record -o "$WORK/tenv" -- sh -c 'env > "$0"' "$WORK/env.out" 2>/dev/null ||
	die "record of env failed"
grep -qx "LTTNG_UST_ALLOW_BLOCKING=1" "$WORK/env.out" && grep -qx "BGCOPY_TRACE=1" "$WORK/env.out" &&
	grep -qx "LTTNG_UST_WITHOUT_BADDR_STATEDUMP=1" "$WORK/env.out" ||
	die "the recorded command's environment lacks a setting: $(grep -e LTTNG -e BGCOPY "$WORK/env.out")"
LTTNG_UST_WITHOUT_BADDR_STATEDUMP= "$BGCOPY" record -o "$WORK/tenv2" -- sh -c 'env > "$0"' \
	"$WORK/env2.out" 2>/dev/null || die "record of env failed"
grep -qx "LTTNG_UST_WITHOUT_BADDR_STATEDUMP=" "$WORK/env2.out" ||
	die "the user's own LTTNG_UST_WITHOUT_BADDR_STATEDUMP was overridden"

# The command's failure is passed through, with or without --check.
"$BGCOPY" record -o "$WORK/t2" -- "$BGCOPY" --store "$WORK/s2" download \
	"$URL/fault/404/r.bin" "$WORK/out/r2.bin" 2>/dev/null
[ $? = 1 ] || die "record did not pass the command's exit status 1 through"
"$BGCOPY" record -o "$WORK/t3" --check -- "$BGCOPY" --store "$WORK/s3" download \
	"$URL/fault/404/r.bin" "$WORK/out/r3.bin" >/dev/null 2>&1
[ $? = 1 ] || die "record --check did not return the command's status"

# Failures of recording itself: one line, status 125.
"$BGCOPY" record -o /proc/version/trace -- true 2> "$WORK/err"
[ $? = 125 ] || die "an unwritable directory did not give 125"
[ "$(wc -l < "$WORK/err")" = 1 ] && grep -q "/proc/version/trace" "$WORK/err" ||
	die "unclear error for an unwritable directory: $(cat "$WORK/err")"
mkdir -p "$WORK/bare/bin" "$WORK/bare/lib"
cp "$B/lib/libbgcopy.so.1" "$WORK/bare/lib/"	# no provider beside it
cp "$BGCOPY" "$B/bin/bgcopy-record" "$WORK/bare/bin/"
"$WORK/bare/bin/bgcopy" record -o "$WORK/t4" -- true 2> "$WORK/err"
[ $? = 125 ] || die "a missing provider did not give 125"
grep -q "provider.*missing" "$WORK/err" || die "unclear error: $(cat "$WORK/err")"
"$BGCOPY" record -o "$WORK/t1" -- true 2> "$WORK/err"
[ $? = 125 ] && grep -q "not empty" "$WORK/err" || die "reused directory: $(cat "$WORK/err")"

# Usage errors: status 2, said before the command runs.
"$BGCOPY" record -o "$WORK/t5" 2> "$WORK/err"
[ $? = 2 ] && grep -q "no command" "$WORK/err" || die "no command: $(cat "$WORK/err")"
"$BGCOPY" record -o "$WORK/t5" --check --format=json -- touch "$WORK/ran" 2> "$WORK/err"
[ $? = 2 ] || die "a misplaced bgcopy-analyze option did not give 2"
[ -e "$WORK/ran" ] && die "the command ran despite a misplaced option"
grep -q "unknown option '--format=json'.*--check=" "$WORK/err" ||
	die "unclear error for a misplaced option: $(cat "$WORK/err")"
"$BGCOPY" record --check oops -- touch "$WORK/ran" 2> "$WORK/err"
[ $? = 2 ] && [ ! -e "$WORK/ran" ] && grep -q "unexpected argument 'oops'" "$WORK/err" ||
	die "a stray word before -- was not refused: $(cat "$WORK/err")"

# Options in any order: -o after --check is still record's, and
# --check=OPTS hands its options to bgcopy-analyze.
"$BGCOPY" record --check='--format=json --grace-ms=500' -o "$WORK/t8" --lossy -- \
	"$BGCOPY" --store "$WORK/s8" download "$URL/r.bin" "$WORK/out/r8.bin" \
	> "$WORK/t8.json" 2> "$WORK/err" || die "record --check=OPTS -o DIR failed: $(cat "$WORK/err")"
[ -f "$WORK/t8/ust/uid/$(id -u)/64-bit/metadata" ] || die "the trace did not go to -o DIR given after --check"
grep -q '"verdict": *"PASS"' "$WORK/t8.json" || die "--check=OPTS did not reach bgcopy-analyze: $(cat "$WORK/t8.json")"

# Ctrl-C reaches the command; what was recorded is kept.
make_file slow.bin 2000000
setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$BGCOPY" record -o "$WORK/t6" -- \
	"$BGCOPY" --store "$WORK/s6" download "$URL/fault/slow:200000/slow.bin" \
	"$WORK/out/slow.bin" 2>/dev/null &
rec=$!
sleep 1
kill -INT -- "-$rec"
wait "$rec"
status=$?
[ "$status" = 130 ] || die "after Ctrl-C record exited $status, expected 130"
bt "$WORK/t6" | grep -q "bgcopy:state_change" || die "the interrupted trace lost its events"
# Live: a viewer follows the session while the command runs.
"$BGCOPY" record --live -o "$WORK/t7" -- "$BGCOPY" --store "$WORK/s7" download \
	"$URL/fault/slow:500000/slow.bin" "$WORK/out/live.bin" 2> "$WORK/live.err" &
rec=$!
for _ in $(seq 100); do grep -q "live at" "$WORK/live.err" && break; sleep 0.05; done
url=$(sed -n 's/^bgcopy record: live at //p' "$WORK/live.err")
[ -n "$url" ] || die "no live URL: $(cat "$WORK/live.err")"
timeout 30 babeltrace2 --input-format=lttng-live "$url" > "$WORK/live.txt" 2>/dev/null
wait "$rec" || die "live record failed: $(cat "$WORK/live.err")"
grep -q "bgcopy:transfer" "$WORK/live.txt" || die "the live viewer saw no transfer"
bt "$WORK/t7" | grep -q "bgcopy:job_created" || die "the live trace was not kept"
echo "bgcopy record ok"
