#!/usr/bin/env bash
# The bgcopy command's many-files workload for peers.sh: download --list, or create --list, resume, wait and complete every job, through a bgcopyd of its own, left running.
#   cli_list.sh BGCOPY STORE LIST [steps]   (run in the output directory;
#   steps: the four verbs, as a bgcopy without download --list needs)
set -eu
BGCOPY=$1 STORE=$2 LIST=$3 HOW=${4:-download}
export XDG_RUNTIME_DIR= BGCOPY_EMBEDDED=0	# the daemon's socket in the store
bg() { "$BGCOPY" --store "$STORE" "$@"; }
# bgcopyd is left running, as a command that starts it on demand leaves
# it (it exits when idle): its exit, the store's checkpoint, is nobody's
# wait.  peers.sh stops it after the timed run.
# As many connections to the one server as the API workload and curl
# --parallel-max 16 use (bgcopyd's default is 6 a host, as browsers).
# It returns once it serves (no --foreground).
"$(dirname "$BGCOPY")/bgcopyd" --store "$STORE" --socket "$STORE/bgcopyd.bus" --idle-exit 60 \
	--max-connections 16 --max-per-host 16
if [ "$HOW" = download ]; then
	bg download --list "$LIST" 2>/dev/null
	exit
fi
ids=$(bg create bench --list "$LIST" 2>/dev/null)
for id in $ids; do bg resume "$id"; done
for id in $ids; do bg wait "$id" >/dev/null; done
for id in $ids; do bg complete "$id" >/dev/null; done
