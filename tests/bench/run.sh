#!/usr/bin/env bash
# Benchmarks, each printing ratios measured in one run.
#   tests/bench/run.sh BUILD
set -u
export BGCOPY_BUILD=$(cd "${1:?usage: run.sh BUILD}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/bench_*.sh; do
	echo "== $(basename "$b" .sh)"
	bash "$b" || status=1
done
# bgcopy against curl, aria2c and wget2 (no tracing: no lock needed).
# bench_tracing.sh deleted 45,000 files at its exit: on an ext4 without a
# journal each create skips the inodes deleted in the last 60 s (written
# back; 360 s while dirty), which would slow the small-file workloads.
sync
sleep 65
echo "== peers"
bash "$here/peers.sh" || status=1
# bgcopyd against the embedded engine (a daemon of its own per measurement).
echo "== daemon"
bash "$here/daemon.sh" || status=1
exit $status
