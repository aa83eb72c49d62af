#!/usr/bin/env bash
# The jobs `make demo` records (tests/demo.sh runs this under bgcopy record).
#   demo-jobs.sh BGCOPY STORE URL DOWNLOADS
set -u
BGCOPY=$1 STORE=$2 URL=$3 DL=$4

step() { printf '\n== %s\n' "$*"; }
bg() { "$BGCOPY" --store "$STORE" --test-short-retry "$@"; }

step "a clean download"
bg download "$URL/clean.iso" "$DL/clean.iso" && echo "ok: clean.iso"

step "a server that answers 503 twice, then the file (retry delay 1 s)"
job=$(bg create flaky)
bg add "$job" "$URL/fault/503-then-ok:2/flaky.tar" "$DL/flaky.tar"
bg set-retry-delay "$job" 1
bg resume "$job"
bg wait "$job" && bg complete "$job" && echo "ok: flaky.tar after two transient errors"

step "a file that is not there (404)"
bg download "$URL/fault/404/gone.txt" "$DL/gone.txt"
echo "bgcopy exited $? (1: a job error, as expected)"

step "a job cancelled before it ran"
job=$(bg create "never mind")
bg add "$job" "$URL/big.img" "$DL/big.img"
bg cancel "$job" && echo "ok: cancelled; big.img left nothing behind: $(ls "$DL" | grep -c big)"

step "a program that ends before JobTransferred, and a new one that registers"
job=$(bg create later)
bg add "$job" "$URL/later.deb" "$DL/later.deb"
bg resume "$job"
bg run		# no interface: the notification is parked, not lost
bg wait "$job" && bg complete "$job" && echo "ok: JobTransferred delivered after registering again"
exit 0
