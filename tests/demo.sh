#!/usr/bin/env bash
# make demo: several jobs through `bgcopy` against a local server with
# faults, recorded with `bgcopy record`, then the timelines and the verdict.
#   tests/demo.sh BUILD
set -u
export BGCOPY_BUILD=$(cd "${1:?usage: demo.sh BUILD}" && pwd)
. "$(dirname "$0")/e2e/lib.sh"
OUT=${DEMO_OUT:-$BGCOPY_BUILD/demo}
rm -rf "$OUT"
mkdir -p "$OUT" "$WORK/dl"

start_server
make_file clean.iso 2000000
make_file flaky.tar 500000
make_file gone.txt 1000
make_file big.img 3000000
make_file later.deb 800000

"$BGCOPY" record -o "$OUT/trace" -- bash "$(dirname "$0")/demo-jobs.sh" \
	"$BGCOPY" "$WORK/store" "http://127.0.0.1:$PORT" "$WORK/dl" ||
	die "the recorded run failed"

printf '\n== timelines and verdict\n'
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --timeline --junit "$OUT/junit.xml" \
	--chrome-trace "$OUT/chrome-trace.json" "$OUT/trace"
verdict=$?
printf '\n== files\n'
echo "trace:        $OUT/trace"
echo "JUnit:        $OUT/junit.xml"
echo "Chrome trace: $OUT/chrome-trace.json (open it at ui.perfetto.dev)"
exit $verdict
