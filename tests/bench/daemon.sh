#!/usr/bin/env bash
# bgcopyd against the embedded engine: API round trips, JobTransferred latency under 1,000 jobs, memory per 1,000 jobs; medians, ratios.
#   BGCOPY_BUILD=build tests/bench/daemon.sh
#
# Every figure comes from tests/bench/daemon_drive.c, run once as an
# embedded engine and once as a client of a fresh bgcopyd per measurement,
# the two alternating (which goes first changes each round); BENCH_ROUNDS
# (default 5) rounds, medians.  BENCH_DAEMON_CALLS (2000) calls per API
# figure, BENCH_DAEMON_JOBS (1000) jobs for latency and memory.
#
# - calls: mean time of bgcopy_job_get_state, bgcopy_job_set_description,
#   and bgcopy_job_create then bgcopy_job_cancel, on one engine.
# - latency: NJOBS one-file jobs (a 4 KiB file:// source, so the transfer
#   is no part of it), each with a notify interface, are resumed together;
#   the latency of a job is from its arming, the moment the engine puts
#   it in TRANSFERRED, to the start of its job_transferred callback in the
#   driver.  One clock, CLOCK_MONOTONIC of this machine, on both sides:
#   the arming is stamped by a change hook (tests/bench/arming.c) that the
#   embedded driver sets itself and that bgcopyd gets through LD_PRELOAD
#   (arming_preload.so chains it before the daemon's own hook); the hook
#   runs on the thread that changes the state, under the engine's lock, as
#   the notification is armed.  p50 and p99 over the jobs of a round.
# - memory: VmRSS of the process holding the store (the driver, or
#   bgcopyd) before and after NJOBS idle jobs of one file each, scaled to
#   1,000 jobs; the daemon's empty RSS is its VmRSS before.
# - finished: what a job's history costs: the growth over a second batch
#   of NJOBS jobs made, cancelled and let go of (bgcopy_engine_forget_job;
#   bgcopyd does it itself, here at once, BGCOPYD_KEEP_FINAL_MS=0), the
#   first batch having warmed the heap (malloc keeps what was freed).
set -u
B=${BGCOPY_BUILD:?BGCOPY_BUILD is not set}
ROUNDS=${BENCH_ROUNDS:-5}
CALLS=${BENCH_DAEMON_CALLS:-2000}
JOBS=${BENCH_DAEMON_JOBS:-1000}
DRIVE=$B/bench/daemon_drive
PRELOAD=$B/bench/arming_preload.so
BGCOPYD=$B/bin/bgcopyd
WORK=$(mktemp -d /tmp/bgcopy-daemon-bench-XXXXXX)
RES=$WORK/results
DAEMON_PID=

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}
cleanup() {
	stop_daemon
	rm -rf "$WORK"
}
trap cleanup EXIT

for f in "$DRIVE" "$PRELOAD" "$BGCOPYD"; do
	[ -e "$f" ] || { echo "daemon: $f not built"; exit 1; }
done
command -v busctl >/dev/null || { echo "daemon: busctl not installed; skipped"; exit 0; }
mkdir -m 0700 "$WORK/run" "$RES"
head -c 4096 /dev/urandom > "$WORK/one.bin"
export BGCOPY_SOCKET=$WORK/run/bus BENCH_ARMING_LOG

# fresh: a new store, output directory and arming log for one measurement.
fresh() {
	rm -rf "$WORK/store" "$WORK/out" "$WORK/arming.log"
	mkdir "$WORK/out"
	BENCH_ARMING_LOG=$WORK/arming.log
}

# A daemon on the fresh store, with the arming clock preloaded, no job
# limit (the defaults, 60 and 300, are BITS') and file:// sources allowed.
start_daemon() {
	LD_PRELOAD=$PRELOAD BGCOPYD_TEST_OPTIONS=2 BGCOPYD_KEEP_FINAL_MS=0 \
	BGCOPYD_MAX_JOBS_PER_USER=1000000 BGCOPYD_MAX_JOBS=1000000 \
		"$BGCOPYD" --foreground --store "$WORK/store" --socket "$BGCOPY_SOCKET" \
		2> "$WORK/daemon.err" &
	DAEMON_PID=$!
	for _ in $(seq 200); do
		busctl --address="unix:path=$BGCOPY_SOCKET" get-property org.bgcopy1 \
			/org/bgcopy1 org.bgcopy1.Manager Version >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "daemon: bgcopyd did not start: $(cat "$WORK/daemon.err")"
	exit 1
}

# measure MODE WHAT ARGS...: one driver run; its "name value" pairs
# appended to $RES/MODE.name.
measure() {
	local mode=$1 what=$2 line set
	shift 2
	fresh
	[ "$mode" = service ] && start_daemon
	line=$("$DRIVE" "$mode" "$what" "$WORK/store" "$@") ||
		{ echo "daemon: $mode $what failed"; exit 1; }
	stop_daemon
	read -ra set <<< "$line"
	for ((i = 0; i + 1 < ${#set[@]}; i += 2)); do
		echo "${set[i + 1]}" >> "$RES/$mode.${set[i]}"
	done
}

median() {	# NAME: of the values in $RES/NAME
	sort -n "$RES/$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "daemon: $ROUNDS rounds, $CALLS calls, $JOBS jobs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2)); then modes="service embedded"; else modes="embedded service"; fi
	for m in $modes; do measure "$m" calls "$CALLS"; done
	for m in $modes; do measure "$m" latency "file://$WORK/one.bin" "$JOBS" "$WORK/out"; done
	# Idle jobs: nothing is fetched, any URL will do.
	for m in $modes; do measure "$m" memory "http://127.0.0.1:9/one.bin" "$JOBS" "$WORK/out"; done
	for m in $modes; do measure "$m" finished "http://127.0.0.1:9/one.bin" "$JOBS" "$WORK/out"; done
done

row() {	# LABEL NAME UNIT
	local e s
	e=$(median "embedded.$2")
	s=$(median "service.$2")
	printf '%-44s %12s %14s %8s\n' "$1" "$e $3" "$s $3" \
		"$(awk -v e="$e" -v s="$s" 'BEGIN { if (e > 0) printf "%.1fx", s / e; else print "-" }')"
}
printf '%-44s %12s %14s %8s\n' "medians" "embedded" "bgcopyd" "ratio"
row "bgcopy_job_get_state" get_state_us us
row "bgcopy_job_set_description" set_description_us us
row "bgcopy_job_create + bgcopy_job_cancel" create_cancel_us us
row "JobTransferred latency p50, $JOBS jobs" p50_us us
row "JobTransferred latency p99, $JOBS jobs" p99_us us
row "RSS per 1,000 idle jobs" per_1000_kib KiB
row "RSS per 1,000 jobs cancelled and let go" finished_per_1000_kib KiB
echo "bgcopyd's RSS with no job: $(median service.rss_before_kib) KiB"
