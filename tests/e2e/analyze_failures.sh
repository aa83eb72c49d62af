# Failing checks end to end: every scenario of tests/scenario marked
# `trace' is emitted by tests/tools/fake_engine through the real provider
# (its hook table, enabled[] respected) under a real session, with the
# timing the scenario gives.  bgcopy-analyze must print the scenario's
# verdict and exactly its findings, and exit 0 on PASS, 1 on FAIL, 2 on
# INCONCLUSIVE (a gap in a job's sequence numbers, say): the
# same text the oracle unit tests (tests/unit/analysis) check in process.
# Then the babeltrace2 check sink and the JUnit report, on a passing and
# a failing trace.
. "$(dirname "$0")/lib.sh"

FAKE=$B/tools/fake_engine
SCENARIOS=$(cd "$(dirname "$0")/../scenario" && pwd)
start_sessiond

# record FILE NAME: the trace of one scenario, in $WORK/NAME.
record() {
	start_session "$WORK/$2"
	LTTNG_UST_ALLOW_BLOCKING=1 "$FAKE" "$B/lib/libbgcopy-tp.so" "$1" "$2" ||
		die "fake_engine $2 failed"
	stop_session
}

# The findings of a text report, written as fake_engine --expect does.
findings() {
	awk '/^job / { id = $2; next }
	/^  [^ ]/ {
		w = substr($0, 3); inc = ""
		if (w ~ /^\(inconclusive\) /) { inc = " inconclusive"; w = substr(w, 16) }
		split(w, f, " ")
		if (f[1] ~ /^G[1-8]$/) print "finding: " id " " f[1] " " f[3] inc
		else if (f[1] == "note") print "finding: " id " note " f[5] inc
	}' "$1" | sort
}

# check FILE NAME: record the scenario, analyze it, compare.
check() {
	local file=$1 name=$2 want opts verdict rc want_rc
	want=$("$FAKE" --expect "$file" "$name") || die "$name: no expectation"
	opts=$(sed -n 's/^options: //p' <<<"$want")
	verdict=$(sed -n 's/^verdict: //p' <<<"$want")
	case $verdict in
	PASS) want_rc=0 ;;
	FAIL) want_rc=1 ;;
	INCONCLUSIVE) want_rc=2 ;;	# damage the trace itself shows
	*) die "$name: unknown verdict $verdict" ;;
	esac
	record "$file" "$name"
	# shellcheck disable=SC2086
	LD_PRELOAD=$BT_PRELOAD "$ANALYZE" $opts "$WORK/$name" > "$WORK/$name.txt" 2>&1
	rc=$?
	[ $rc = $want_rc ] || { cat "$WORK/$name.txt"; die "$name: exit $rc, expected $want_rc"; }
	grep -q "^verdict: $verdict " "$WORK/$name.txt" ||
		{ cat "$WORK/$name.txt"; die "$name: the report does not say $verdict"; }
	diff -u <(grep '^finding: ' <<<"$want" | sort) <(findings "$WORK/$name.txt") ||
		{ cat "$WORK/$name.txt"; die "$name: findings differ (- expected, + reported)"; }
	echo "ok   $name: $verdict $(findings "$WORK/$name.txt" | cut -d' ' -f3- | paste -sd, -)"
}

traced=0
for file in "$SCENARIOS"/*.scn; do
	for name in $("$FAKE" --list "$file"); do
		check "$file" "$name"
		traced=$((traced + 1))
	done
done
[ $traced -gt 0 ] || die "no scenario is marked trace"
# Every rule must fail through a real trace at least once.
for rule in G1 G2 G3 G4 G5 G6 G7 G8; do
	cat "$WORK"/*.txt | grep -qE "^  $rule " || die "no traced scenario fails $rule"
done

# The babeltrace2 sink fails the graph on a violation, and passes a
# clean trace.
bt --plugin-path="$PLUGIN_DIR" "$WORK/happy_path" -c sink.bgcopy.check \
	-p 'grace-ms=1000' >/dev/null || die "sink.bgcopy.check fails happy_path"
if bt --plugin-path="$PLUGIN_DIR" "$WORK/g1_lost_modification" -c sink.bgcopy.check \
	-p 'grace-ms=1000' > "$WORK/sink.out" 2>&1; then
	die "sink.bgcopy.check passes a trace with a lost JobModification"
fi
grep -q "G1 lost" "$WORK/sink.out" || die "the sink does not name G1"
echo "ok   sink.bgcopy.check: happy_path passes, g1_lost_modification fails"

# A failing job is a <failure> in the JUnit report.
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --junit "$WORK/junit.xml" "$WORK/g1_lost_modification" >/dev/null
[ $? = 1 ] || die "g1_lost_modification with --junit: expected exit 1"
if command -v xmllint >/dev/null; then
	xmllint --noout "$WORK/junit.xml" || die "junit.xml is not well-formed XML"
fi
grep -q 'failures="1"' "$WORK/junit.xml" && grep -q '<failure type="G1 lost"' "$WORK/junit.xml" ||
	die "junit.xml does not carry the G1 failure"
echo "ok   JUnit report names the G1 failure"
