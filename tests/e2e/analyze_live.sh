# bgcopy-analyze --live follows a `bgcopy record --live' session while the
# recorded command runs:
#  (a) a slow real download: it ends when the session ends, PASS, exit 0;
#  (b) tests/tools/fake_engine breaking the contract: the finding is on
#      stderr while the session still runs, then FAIL, exit 1 (G2
#      duplicate, with the JSON report on stdout; G8 late, announced as
#      overdue first; G1 lost, overdue while live, G1 at the end);
#  (c) a URL that is not a live URL, --live with a TRACE: exit 3.
#
# The recorded command runs under wrap.sh, which starts it only once
# bgcopy-analyze says `following' (babeltrace2 follows a live session from
# its newest data; stricter than bgcopy record --wait-viewer, which waits
# for a connection), and ends the session only once the finding under test
# was printed, so "while the session ran" is proven.
. "$(dirname "$0")/lib.sh"

FAKE=$B/tools/fake_engine
JSON_CHECK=$B/tools/json_check
REC=
trap '[ -n "$REC" ] && kill "$REC" 2>/dev/null; cleanup' EXIT

start_server
start_sessiond
make_file live.bin 1000000
mkdir -p "$WORK/dl"
URL=http://127.0.0.1:$PORT

cat > "$WORK/wrap.sh" <<'EOF'
# wrap.sh DIR EXPECT COMMAND...
dir=$1 expect=$2
shift 2
for _ in $(seq 600); do
	grep -q '^bgcopy-analyze: following ' "$dir/analyzer.err" 2>/dev/null && break
	sleep 0.05
done
"$@"
rc=$?
# The finding must show while the session still runs.
if [ -n "$expect" ]; then
	for _ in $(seq 200); do
		grep -q -- "$expect" "$dir/analyzer.err" && { touch "$dir/seen-live"; break; }
		sleep 0.05
	done
fi
lttng destroy "$(cat "$dir/session")" >/dev/null
for _ in $(seq 600); do [ -e "$dir/analyzer.done" ] && break; sleep 0.05; done
exit $rc
EOF

# live NAME EXPECT [ANALYZE-OPTION...] -- COMMAND...: records COMMAND
# live and follows it; sets D (its files) and STATUS (bgcopy-analyze's).
live() {
	local name=$1 expect=$2 opts=() url
	shift 2
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	D=$WORK/$name.d
	mkdir -p "$D"
	"$BGCOPY" record --live -o "$WORK/$name" -- sh "$WORK/wrap.sh" "$D" "$expect" \
		"$@" 2> "$D/record.err" &
	REC=$!
	for _ in $(seq 200); do grep -q "live at" "$D/record.err" && break; sleep 0.05; done
	url=$(sed -n 's/^bgcopy record: live at //p' "$D/record.err")
	[ -n "$url" ] || die "$name: no live URL: $(cat "$D/record.err")"
	echo "${url##*/}" > "$D/session"
	LD_PRELOAD=$BT_PRELOAD timeout 120 "$ANALYZE" "${opts[@]}" --live "$url" \
		> "$D/analyzer.out" 2> "$D/analyzer.err"
	STATUS=$?
	touch "$D/analyzer.done"
	wait "$REC" || die "$name: the recorded command failed: $(cat "$D/record.err")"
	REC=
	echo "--- $name: bgcopy-analyze exit $STATUS, stderr:"
	cat "$D/analyzer.err"
	[ "$STATUS" != 124 ] || die "$name: bgcopy-analyze did not end with the session"
}

# ---- (a) a slow download: PASS when the session ends -----------------------
live pass "" -- "$BGCOPY" --store "$WORK/store" download \
	"$URL/fault/slow:500000/live.bin" "$WORK/dl/live.bin"
cat "$D/analyzer.out"
[ "$STATUS" = 0 ] || die "live download: exit $STATUS, expected 0"
grep -q '^verdict: PASS (0 failed, 0 inconclusive, 1 passed)' "$D/analyzer.out" ||
	die "live download: not PASS"
grep -q '^job [0-9a-f-]* "download live.bin": PASS$' "$D/analyzer.out" ||
	die "live download: the job is missing"
cmp "$WORK/www/live.bin" "$WORK/dl/live.bin" || die "live download: file differs"
echo "ok (a) live download: ended with the session, PASS, exit 0"

# ---- (b) contract violations, told while the session runs ------------------
OPTS="--grace-ms=100 --max-latency-ms=200"
# shellcheck disable=SC2086
live duplicate "G2 duplicate JOB_TRANSFERRED" $OPTS --format=json -- \
	"$FAKE" "$B/lib/libbgcopy-tp.so" duplicate-t
[ "$STATUS" = 1 ] || die "duplicate-t live: exit $STATUS, expected 1"
[ -e "$D/seen-live" ] || die "duplicate-t live: G2 not printed while the session ran"
grep -qE '^live \+[0-9.]+ ms: job [0-9a-f-]+ "duplicate-t": FAIL$' "$D/analyzer.err" ||
	die "duplicate-t live: no live FAIL line"
"$JSON_CHECK" report "$D/analyzer.out" FAIL || die "duplicate-t live: JSON report invalid"
echo "ok (b) duplicate-t live: G2 printed while live, JSON report, exit 1"

# shellcheck disable=SC2086
live late "G8 late JOB_TRANSFERRED" $OPTS -- "$FAKE" "$B/lib/libbgcopy-tp.so" late-t
[ "$STATUS" = 1 ] || die "late-t live: exit $STATUS, expected 1"
[ -e "$D/seen-live" ] || die "late-t live: G8 not printed while the session ran"
overdue=$(grep -n 'overdue: JOB_TRANSFERRED epoch 1 .* (bound 200.000 ms)' "$D/analyzer.err" |
	head -1 | cut -d: -f1)
g8=$(grep -n '^  G8 late JOB_TRANSFERRED' "$D/analyzer.err" | head -1 | cut -d: -f1)
[ -n "$overdue" ] && [ -n "$g8" ] && [ "$overdue" -lt "$g8" ] ||
	die "late-t live: no overdue notice before the G8"
grep -q '^verdict: FAIL' "$D/analyzer.out" || die "late-t live: not FAIL"
echo "ok (b) late-t live: overdue announced, then G8, exit 1"

# shellcheck disable=SC2086
live lost "overdue: JOB_TRANSFERRED" $OPTS -- "$FAKE" "$B/lib/libbgcopy-tp.so" lost-t
[ "$STATUS" = 1 ] || die "lost-t live: exit $STATUS, expected 1"
[ -e "$D/seen-live" ] || die "lost-t live: no overdue notice while the session ran"
grep -q '^  G1 lost JOB_TRANSFERRED' "$D/analyzer.out" || die "lost-t live: no G1 at the end"
echo "ok (b) lost-t live: overdue while live, G1 at the end, exit 1"

# ---- (c) usage -------------------------------------------------------------
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --live "http://127.0.0.1/x" > "$WORK/c.txt" 2>&1
[ $? = 3 ] && grep -q "is not an LTTng live URL" "$WORK/c.txt" ||
	die "a non-live URL: $(cat "$WORK/c.txt")"
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --live "net://127.0.0.1/host/h/s" "$WORK" > "$WORK/c.txt" 2>&1
[ $? = 3 ] || die "--live with a TRACE: not exit 3"
echo "ok (c) usage errors: exit 3"
echo "bgcopy-analyze --live ok"
