# bgcopy-analyze's verdicts and exit status on real traces:
#  (a) a clean, lossless run of real jobs through the CLI (a download, a
#      transient 503 retried, a 404, two files with every flag, a command
#      line, a restart, a cancel) -> exit 0, PASS; so does
#      `babeltrace2 ... -c sink.bgcopy.check';
#  (b) a JobModification storm through the real engine, recorded in
#      discard mode with tiny sub-buffers -> exit 2 or 0, never 1, and the
#      tracer did discard events;
#  (c) damaged traces (a stream cut short, a packet header overwritten,
#      the metadata cut short), a directory with no trace and a trace with
#      no bgcopy event -> exit 3 and one line saying why;
#  (d) --junit, --chrome-trace and --format=json files are valid.
. "$(dirname "$0")/lib.sh"

JSON_CHECK=$B/tools/json_check
STORM=$B/tools/storm
analyze() { LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$@"; }
bg() { traced "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }

start_server
start_sessiond
make_file clean.iso 2000000
make_file flaky.tar 500000
make_file two.bin 300000
make_file cmd.bin 100000
make_file later.deb 400000
make_file big.img 3000000
make_file storm.bin 4000000
mkdir -p "$WORK/dl"
URL=http://127.0.0.1:$PORT

# ---- (a) a clean run ------------------------------------------------------
start_session "$WORK/clean"
bg download "$URL/clean.iso" "$WORK/dl/clean.iso" || die "clean download"
job=$(bg create flaky)
bg add "$job" "$URL/fault/503-then-ok:2/flaky.tar" "$WORK/dl/flaky.tar"
bg set-retry-delay "$job" 1
bg resume "$job"
bg wait "$job" >/dev/null && bg complete "$job" || die "flaky job"
bg download "$URL/fault/404/gone.txt" "$WORK/dl/gone.txt" 2>/dev/null &&
	die "a 404 download succeeded"
job=$(bg create "two files")
bg add "$job" "$URL/two.bin" "$WORK/dl/two.1"
bg add "$job" "$URL/fault/slow:600000/two.bin" "$WORK/dl/two.2"
bg set-flags "$job" 0x1b
bg resume "$job"
bg wait "$job" >/dev/null && bg complete "$job" || die "two-file job"
# No interface: JobTransferred goes to the command line.
job=$(bg create "command line")
bg add "$job" "$URL/cmd.bin" "$WORK/dl/cmd.bin"
bg set-notify-cmd "$job" /bin/true
bg resume "$job"
bg run >/dev/null
bg complete "$job" || die "command-line job"
# A process ends with JobTransferred parked; the next one registers.
job=$(bg create later)
bg add "$job" "$URL/later.deb" "$WORK/dl/later.deb"
bg resume "$job"
bg run >/dev/null
bg wait "$job" >/dev/null && bg complete "$job" || die "restarted job"
job=$(bg create "never mind")
bg add "$job" "$URL/big.img" "$WORK/dl/big.img"
bg cancel "$job"
stop_session

analyze "$WORK/clean" > "$WORK/clean.txt" 2>&1
rc=$?
cat "$WORK/clean.txt"
[ $rc = 0 ] || die "clean trace: bgcopy-analyze exited $rc, expected 0"
# The session records every traced process of this user: count the jobs
# the report shows rather than assume ours are alone.
njobs=$(grep -c '^job ' "$WORK/clean.txt")
grep -q "^verdict: PASS (0 failed, 0 inconclusive, $njobs passed)" "$WORK/clean.txt" ||
	die "clean trace: not PASS for every job"
for name in "download clean.iso" flaky "download gone.txt" "two files" \
	"command line" later "never mind"; do
	grep -q "^job [0-9a-f-]* \"$name\": PASS$" "$WORK/clean.txt" ||
		die "clean trace: job \"$name\" missing or not PASS"
done
bt --plugin-path="$PLUGIN_DIR" "$WORK/clean" -c sink.bgcopy.check > "$WORK/sink.txt" 2>&1 ||
	{ cat "$WORK/sink.txt"; die "clean trace: babeltrace2 -c sink.bgcopy.check failed"; }
grep -q '^verdict: PASS' "$WORK/sink.txt" || die "sink.bgcopy.check does not say PASS"
echo "ok (a) clean run: exit 0, PASS; sink.bgcopy.check passes"

# ---- (d) report files ----------------------------------------------------
analyze --junit "$WORK/junit.xml" --chrome-trace "$WORK/chrome.json" \
	"$WORK/clean" >/dev/null || die "clean trace with --junit/--chrome-trace"
analyze --format=json "$WORK/clean" > "$WORK/report.json" || die "--format=json"
if command -v xmllint >/dev/null; then
	xmllint --noout "$WORK/junit.xml" || die "junit.xml is not well-formed XML"
else
	head -1 "$WORK/junit.xml" | grep -q '^<?xml ' && tail -1 "$WORK/junit.xml" |
		grep -q '^</testsuites>$' || die "junit.xml is not a JUnit document"
fi

grep -q "<testsuites name=\"bgcopy\" tests=\"$njobs\" failures=\"0\" errors=\"0\" skipped=\"0\">" \
	"$WORK/junit.xml" || die "junit.xml does not count $njobs passing jobs"
[ "$(grep -c '<testcase ' "$WORK/junit.xml")" = "$njobs" ] ||
	die "junit.xml: not $njobs test cases"
"$JSON_CHECK" chrome "$WORK/chrome.json" "$njobs" || die "chrome trace invalid"
"$JSON_CHECK" report "$WORK/report.json" PASS || die "JSON report invalid"
echo "ok (d) JUnit, Chrome trace and JSON report are valid"

# ---- (b) tracer loss under a modification storm -------------------------
# Discard mode (no blocking, no LTTNG_UST_ALLOW_BLOCKING), two 4 KiB
# sub-buffers per CPU, read by the consumer once a second only (a read
# timer: the tracer no longer tells it a sub-buffer is full), so a loaded
# machine's slower storm still overflows them; 24 jobs of 3 files, flags
# 0x1b, interval 1 ms.
discards=0
for attempt in 1 2 3; do
	rm -rf "$WORK/storm" "$WORK/storm-store" "$WORK/storm-dl"
	mkdir -p "$WORK/storm-dl"
	start_session "$WORK/storm" --subbuf-size=4096 --num-subbuf=2 --read-timer=1000000
	BGCOPY_TRACE=1 "$STORM" "$WORK/storm-store" "$URL/storm.bin" \
		"$WORK/storm-dl" $((attempt * 24)) 3 1 || die "storm run failed"
	stop_session
	analyze "$WORK/storm" > "$WORK/storm.txt" 2>&1
	rc=$?
	discards=$(grep -c 'tracer discarded' "$WORK/storm.txt")
	[ "$discards" -gt 0 ] && break
done
tail -n 12 "$WORK/storm.txt"
[ "$discards" -gt 0 ] || die "the storm lost no event: this test proves nothing"
case $rc in
0|2) ;;
*) die "lossy trace: bgcopy-analyze exited $rc, expected 2 or 0, never 1" ;;
esac
bt "$WORK/storm" 2>&1 >/dev/null | grep -q 'Tracer discarded' ||
	die "babeltrace2 reports no discarded events in the storm trace"
echo "ok (b) lossy storm: exit $rc, $discards jobs tainted by tracer loss"

# ---- (c) damaged traces and no trace -------------------------------------
# expect_trouble WHAT DIR PATTERN: exit 3 and one line matching PATTERN.
expect_trouble() {
	local what=$1 dir=$2 pattern=$3 rc lines
	analyze "$dir" > "$WORK/out.txt" 2> "$WORK/err.txt"
	rc=$?
	lines=$(grep -c '^bgcopy-analyze: ' "$WORK/err.txt")
	if [ $rc != 3 ] || [ "$lines" != 1 ] || ! grep -qE "$pattern" "$WORK/err.txt" ||
	   grep -qE 'Sanitizer|runtime error' "$WORK/err.txt"; then
		cat "$WORK/err.txt"
		die "$what: exit $rc, $lines lines; expected exit 3 and one line matching '$pattern'"
	fi
	echo "ok (c) $what: exit 3: $(cat "$WORK/err.txt")"
}

damaged() { rm -rf "$WORK/$1"; cp -r "$WORK/clean" "$WORK/$1"; }
biggest_stream() {
	find "$1" -type f -name 'bgc_*' ! -path '*/index/*' -printf '%s %p\n' |
		sort -n | tail -1 | cut -d' ' -f2-
}

damaged cut
stream=$(biggest_stream "$WORK/cut")
truncate -s $(($(stat -c %s "$stream") / 2 + 13)) "$stream"
expect_trouble "a stream file cut in the middle" "$WORK/cut" 'cannot (open|check) the trace'

damaged garbled
stream=$(biggest_stream "$WORK/garbled")
printf '\336\255\276\357\336\255\276\357' |
	dd of="$stream" bs=1 seek=0 conv=notrunc status=none
expect_trouble "a packet header overwritten" "$WORK/garbled" 'cannot (open|check) the trace'

damaged nometa
metadata=$(find "$WORK/nometa" -name metadata | head -1)
truncate -s $(($(stat -c %s "$metadata") / 2 + 13)) "$metadata"
expect_trouble "the metadata cut in the middle" "$WORK/nometa" 'metadata'

mkdir -p "$WORK/empty/sub"
echo "not a trace" > "$WORK/empty/sub/readme"
expect_trouble "a directory with no trace" "$WORK/empty" 'no CTF trace'

# A trace whose only channel records no bgcopy event (the filter matches
# none): metadata and streams, no event.
SESSION=bgcopy-e2e-$$-none
lttng create "$SESSION" --output="$WORK/none" >/dev/null || die "lttng create"
lttng enable-channel -u -s "$SESSION" bgc --blocking-timeout=inf >/dev/null || die "channel"
lttng enable-event -u -s "$SESSION" -c bgc 'bgcopy:*' --filter 'seq == 0' >/dev/null ||
	die "enable-event"
lttng start "$SESSION" >/dev/null || die "lttng start"
bg download "$URL/two.bin" "$WORK/dl/none.bin" || die "download under the filter"
stop_session
expect_trouble "a trace with no bgcopy event" "$WORK/none" 'no bgcopy events'
echo "all verdict checks passed"
