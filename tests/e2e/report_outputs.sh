# The reports people and CI read, on a real passing trace (a traced
# download) and a failing one (a lost JobModification): (a) timelines
# with wall-clock times, a header per job and the engines on one line;
# (b) the Chrome/Perfetto trace; (c) JUnit, the JSON report's schema and
# babeltrace2's stderr.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/report_traces.sh"

analyze() { LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$@"; }

record_passing "$WORK/pass"
record_failing "$WORK/fail"

# (a) Timelines: every event line carries its ISO 8601 UTC time, which is
# the first event's plus the relative one; one line for the engines; a
# header per job with its processes, first and last event.
analyze --timeline "$WORK/pass" > "$WORK/tl.txt" || die "the passing trace: exit $?"
cat "$WORK/tl.txt"
python3 - "$WORK/tl.txt" <<'PY' || die "the timeline's times disagree"
import re, sys, datetime
lines = open(sys.argv[1]).read().splitlines()
def epoch(iso):
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()
origin = None
stamped = 0
for l in lines:
    m = re.match(r"^  ([+-]\d+\.\d+) ms  (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)  \S", l)
    if not m:
        continue
    rel, wall = float(m.group(1)) / 1e3, epoch(m.group(2))
    origin = origin if origin is not None else wall - rel
    assert abs(wall - rel - origin) < 2e-6, l
    stamped += 1
assert stamped >= 10, "only %d stamped lines" % stamped
print("ok: %d lines with wall-clock times that agree" % stamped)
PY
[ "$(grep -c '^engines: 1 opened, 1 closed, from +0.000 ms (20[0-9-]*T[0-9:.]*Z) to ' "$WORK/tl.txt")" = 1 ] ||
	die "the engines are not one line"
grep -q 'engine 0x[0-9a-f]* opened' "$WORK/tl.txt" && die "engine lines are not folded"
grep -A2 '^job ' "$WORK/tl.txt" | grep -q '^  process [0-9][0-9]*$' || die "no process in the job header"
grep -A2 '^job ' "$WORK/tl.txt" | grep -qE '^  first event \+[0-9.]+ ms \([0-9T:.-]+Z\), last \+[0-9.]+ ms \([0-9T:.-]+Z\)$' ||
	die "no first and last event in the job header"
# A time copied from a line ends the timeline there (times print to the
# microsecond, so that line's own event, a few ns later, is out too).
at=$(grep -m1 'state QUEUED -> CONNECTING' "$WORK/tl.txt" | awk '{ print $3 }')
analyze --timeline --end="$at" "$WORK/pass" > "$WORK/tl2.txt"
grep -q 'SUSPENDED -> QUEUED' "$WORK/tl2.txt" && ! grep -q -- '-> TRANSFERRING' "$WORK/tl2.txt" ||
	die "--end=$at does not cut the timeline there"
echo "ok (a) timelines: wall-clock times, job headers, engines on one line"

# (b) The Chrome/Perfetto trace: the job's states as spans, its transfer
# with the phases nested inside, its notification, the callback on the
# real thread of the real process, and a flow from arming to callback.
pid=$(grep -m1 '^  process ' "$WORK/tl.txt" | awk '{ print $2 }')
analyze --chrome-trace "$WORK/chrome.json" "$WORK/pass" > /dev/null || die "--chrome-trace: exit $?"
python3 - "$WORK/chrome.json" "$pid" <<'PY' || die "the Chrome trace lacks what it should show"
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
pid = int(sys.argv[2])
x = [e for e in ev if e["ph"] == "X"]
def cat(c): return [e for e in x if e["cat"] == c]
states = [e["name"] for e in cat("state")]
assert "TRANSFERRING" in states and "TRANSFERRED" in states, states
(t,) = cat("transfer")
phases = cat("phase")
assert {"lookup", "connect", "wait", "body"} <= {p["name"] for p in phases}, phases
for p in phases:
    assert p["tid"] == t["tid"] and t["ts"] - 1e-3 <= p["ts"] and \
        p["ts"] + p["dur"] <= t["ts"] + t["dur"] + 1e-3, (p, t)
(cb,) = cat("callback")
assert cb["pid"] == pid and 0 < cb["tid"] < 1 << 30 and cb["tid"] != pid, cb
assert all(e["pid"] == pid for e in x), "an event outside the job's process"
assert cat("notification"), "no notification"
s = [e for e in ev if e["ph"] == "s"]
f = [e for e in ev if e["ph"] == "f"]
assert len(s) == 1 and len(f) == 1 and s[0]["id"] == f[0]["id"], (s, f)
assert f[0]["ts"] == cb["ts"] and f[0]["tid"] == cb["tid"], (f, cb)
print("ok: %d states, transfer with %d phases, callback on tid %d of pid %d"
      % (len(states), len(phases), cb["tid"], pid))
PY
echo "ok (b) Chrome trace: states, transfer phases, real pid and tid, flow"

# (c) CI outputs.  JUnit: testcases named by display name and short id,
# with times, the failure carrying its evidence lines.
analyze --junit "$WORK/junit.xml" "$WORK/fail" > /dev/null
[ $? = 1 ] || die "the failing trace with --junit: expected exit 1"
cat "$WORK/junit.xml"
python3 - "$WORK/junit.xml" <<'PY' || die "the JUnit report lacks what CI shows"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
assert float(suite.get("time")) > 2.9, suite.get("time")  # the trace's 3 s
(case,) = suite.findall("testcase")
assert case.get("name") == "g1_lost_modification (00000000)", case.get("name")
assert float(case.get("time")) > 0, case.get("time")
(failure,) = case.findall("failure")
assert failure.get("type") == "G1 lost", failure.get("type")
assert "see progress seq 3 at +" in failure.text, failure.text
print("ok: testcase %r, failure with its evidence" % case.get("name"))
PY
# The JSON report follows its documented, versioned schema; a report
# that breaks it is caught.
schema=$(dirname "$0")/../../docs/report.schema.json
analyze --format json "$WORK/pass" > "$WORK/pass.json"
analyze --format json "$WORK/fail" > "$WORK/fail.json"
/usr/bin/python3 - "$schema" "$WORK/pass.json" "$WORK/fail.json" <<'PY' || die "a JSON report breaks docs/report.schema.json"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
docs = [json.load(open(p)) for p in sys.argv[2:]]
for d in docs:
    jsonschema.validate(d, schema)
assert [d["verdict"] for d in docs] == ["PASS", "FAIL"]
bad = dict(docs[1], verdict="MAYBE")
try:
    jsonschema.validate(bad, schema)
except jsonschema.ValidationError:
    print("ok: both reports follow report_version %d" % docs[0]["report_version"])
else:
    sys.exit("the schema accepts a verdict MAYBE")
PY
# Through babeltrace2, the verdict and the findings come on stderr
# before babeltrace2's own error text.
bt --plugin-path="$PLUGIN_DIR" "$WORK/fail" -c sink.bgcopy.check > /dev/null 2> "$WORK/bt.err" &&
	die "sink.bgcopy.check passes the failing trace"
verdict=$(grep -n -m1 '^verdict: FAIL (1 failed, 0 inconclusive, 0 passed)$' "$WORK/bt.err" | cut -d: -f1)
finding=$(grep -n -m1 '^  G1 lost JOB_MODIFICATION epoch 1 ' "$WORK/bt.err" | cut -d: -f1)
error=$(grep -n -m1 '^ERROR:' "$WORK/bt.err" | cut -d: -f1)
[ -n "$verdict" ] && [ -n "$finding" ] && [ -n "$error" ] && [ "$finding" -lt "$error" ] &&
	[ "$verdict" -lt "$error" ] || { cat "$WORK/bt.err"; die "the verdict and finding do not come before babeltrace2's error"; }
bt --plugin-path="$PLUGIN_DIR" "$WORK/pass" -c sink.bgcopy.check > /dev/null 2> "$WORK/bt.err" ||
	die "sink.bgcopy.check fails the passing trace"
[ ! -s "$WORK/bt.err" ] || { cat "$WORK/bt.err"; die "a passing trace writes on stderr"; }
echo "ok (c) JUnit names, times and evidence; the JSON schema; babeltrace2 tells the verdict first"
