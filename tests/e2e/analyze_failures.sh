# Failing checks end to end: tests/tools/fake_engine drives the real
# provider (its hook table, enabled[] respected) through a realistic job
# with one deliberate violation per scenario, recorded under a real
# session.  bgcopy-analyze must exit 1 and name that finding, and only
# that one; the same job without the violation must PASS; and the
# babeltrace2 check sink must fail the graph on a violation.
. "$(dirname "$0")/lib.sh"

FAKE=$B/tools/fake_engine
start_sessiond
OPTS="--grace-ms=100 --max-latency-ms=200"

# record SCENARIO: one trace per scenario, in $WORK/SCENARIO.
record() {
	start_session "$WORK/$1"
	LTTNG_UST_ALLOW_BLOCKING=1 "$FAKE" "$B/lib/libbgcopy-tp.so" "$1" ||
		die "fake_engine $1 failed"
	stop_session
}

analyze() {
	# shellcheck disable=SC2086
	LD_PRELOAD=$BT_PRELOAD "$ANALYZE" $OPTS "$WORK/$1" > "$WORK/$1.txt" 2>&1
}

record clean
analyze clean || { cat "$WORK/clean.txt"; die "clean run: exit $?, expected 0"; }
grep -q '^verdict: PASS' "$WORK/clean.txt" || die "clean run does not say PASS"
echo "ok   clean: PASS"

# scenario  rule the report must name (and no other)
expect() {
	local scenario=$1 rule=$2 rc others
	record "$scenario"
	analyze "$scenario"
	rc=$?
	if [ $rc -ne 1 ]; then
		cat "$WORK/$scenario.txt"
		die "$scenario: exit $rc, expected 1 (FAIL)"
	fi
	grep -q "^verdict: FAIL" "$WORK/$scenario.txt" ||
		die "$scenario: the report does not say FAIL"
	grep -qE "^  $rule " "$WORK/$scenario.txt" || {
		cat "$WORK/$scenario.txt"; die "$scenario: no $rule finding"; }
	others=$(grep -E '^  (\(inconclusive\) )?G[1-8] ' "$WORK/$scenario.txt" |
		grep -vE "^  $rule ")
	[ -z "$others" ] || { cat "$WORK/$scenario.txt"; die "$scenario: other findings: $others"; }
	echo "ok   $scenario: $(grep -E "^  $rule " "$WORK/$scenario.txt" | head -1 | cut -c3-)"
}

expect lost-t      "G1 lost JOB_TRANSFERRED"
expect duplicate-t "G2 duplicate JOB_TRANSFERRED"
expect spurious-t  "G3 spurious JOB_TRANSFERRED"
expect old-epoch   "G4 after-release JOB_TRANSFERRED"
expect overlap     "G5 overlap JOB_MODIFICATION"
expect concurrency "G6 over-concurrency JOB_MODIFICATION"
expect m-too-close "G7 misordered JOB_MODIFICATION"
expect f-after-t   "G7 misordered JOB_TRANSFERRED"
expect late-t      "G8 late JOB_TRANSFERRED"

# The babeltrace2 sink fails the graph on a violation, and passes a
# clean trace.
bt --plugin-path="$PLUGIN_DIR" "$WORK/clean" -c sink.bgcopy.check \
	-p 'grace-ms=100' >/dev/null || die "sink.bgcopy.check fails the clean trace"
if bt --plugin-path="$PLUGIN_DIR" "$WORK/lost-t" -c sink.bgcopy.check \
	-p 'grace-ms=100' > "$WORK/sink.txt" 2>&1; then
	die "sink.bgcopy.check passes a trace with a lost JobTransferred"
fi
grep -q "G1 lost" "$WORK/sink.txt" || die "the sink does not name G1"
echo "ok   sink.bgcopy.check: clean passes, lost-t fails"

# A failing job is a <failure> in the JUnit report.
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" $OPTS --junit "$WORK/junit.xml" "$WORK/lost-t" >/dev/null
[ $? = 1 ] || die "lost-t with --junit: expected exit 1"
if command -v xmllint >/dev/null; then
	xmllint --noout "$WORK/junit.xml" || die "junit.xml is not well-formed XML"
fi
grep -q 'failures="1"' "$WORK/junit.xml" && grep -q '<failure type="G1 lost"' "$WORK/junit.xml" ||
	die "junit.xml does not carry the G1 failure"
echo "ok   JUnit report names the G1 failure"
