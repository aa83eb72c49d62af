# make demo's script ends with PASS and the files it names exist.
. "$(dirname "$0")/lib.sh"

DEMO_OUT=$WORK/demo bash "$(dirname "$0")/../demo.sh" "$B" > "$WORK/demo.txt" 2>&1 ||
	{ tail -20 "$WORK/demo.txt"; die "the demo did not end with PASS"; }
grep -q '^verdict: PASS (0 failed, 0 inconclusive, 5 passed)' "$WORK/demo.txt" ||
	die "no PASS verdict over five jobs"
for f in $(sed -n 's/^\(trace\|JUnit\|Chrome trace\): *\([^ ]*\).*/\2/p' "$WORK/demo.txt"); do
	[ -e "$f" ] || die "the demo names $f, which does not exist"
	named=$((${named:-0} + 1))
done
[ "${named:-0}" = 3 ] || die "the demo named $named files, expected 3"
echo "demo ok"
