#!/usr/bin/env bash
# make demo: several jobs through `bgcopy` against a local server with
# faults, recorded losslessly, then the timelines and the verdict.
#   tests/demo.sh BUILD
set -u
export BGCOPY_BUILD=$(cd "${1:?usage: demo.sh BUILD}" && pwd)
. "$(dirname "$0")/e2e/lib.sh"
OUT=${DEMO_OUT:-$PWD/demo-output}
trap 'cleanup' EXIT
mkdir -p "$OUT" "$WORK/dl"
rm -rf "$OUT/trace"

step() { printf '\n== %s\n' "$*"; }
bg() { traced "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }

start_server
start_sessiond
make_file clean.iso 2000000
make_file flaky.tar 500000
make_file gone.txt 1000
make_file big.img 3000000
make_file later.deb 800000
start_session "$OUT/trace"
URL=http://127.0.0.1:$PORT

step "a clean download"
bg download "$URL/clean.iso" "$WORK/dl/clean.iso" && echo "ok: clean.iso"

step "a server that answers 503 twice, then the file (retry delay 1 s)"
job=$(bg create flaky)
bg add "$job" "$URL/fault/503-then-ok:2/flaky.tar" "$WORK/dl/flaky.tar"
bg set-retry-delay "$job" 1
bg resume "$job"
bg wait "$job" && bg complete "$job" && echo "ok: flaky.tar after two transient errors"

step "a file that is not there (404)"
bg download "$URL/fault/404/gone.txt" "$WORK/dl/gone.txt"
echo "bgcopy exited $? (1: job error, as expected)"

step "a job cancelled before it ran"
job=$(bg create "never mind")
bg add "$job" "$URL/big.img" "$WORK/dl/big.img"
bg cancel "$job" && echo "ok: cancelled, nothing left: $(ls "$WORK/dl" | grep -c big || true) files"

step "a program that ends before it hears JobTransferred, and a new one that registers"
job=$(bg create later)
bg add "$job" "$URL/later.deb" "$WORK/dl/later.deb"
bg resume "$job"
bg run          # no interface: the notification is parked, not lost
bg wait "$job" && bg complete "$job" && echo "ok: JobTransferred delivered after re-registering"

stop_session
step "timelines and verdict"
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --timeline --junit "$OUT/junit.xml" \
	--chrome-trace "$OUT/chrome-trace.json" "$OUT/trace"
verdict=$?
step "files"
echo "trace:        $OUT/trace"
echo "JUnit:        $OUT/junit.xml"
echo "Chrome trace: $OUT/chrome-trace.json (open in https://ui.perfetto.dev)"
exit $verdict
