#!/usr/bin/env bash
# Issue 16's measurement: a 20 MiB transfer under a 2 MiB/s cap takes 10 s +- 10 %, for a job's cap and for bgcopyd's engine-wide cap.
#   BGCOPY_BUILD=build tests/bench/bench_bandwidth.sh
. "$(dirname "$0")/../e2e/lib.sh"
SIZE=$((20 * 1048576)) CAP=$((2 * 1048576)) GOAL=10
NGINX_PID=
trap 'stop_store_daemon "$WORK/store-engine"; [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
      cleanup' EXIT
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bandwidth: nginx not installed (make bench-deps); skipped"; exit 0; }

mkdir -p "$WORK/www"
head -c "$SIZE" /dev/urandom > "$WORK/www/20m.bin"
chmod -R a+rX "$WORK"
PORT=$(free_port)
start_nginx "	server { listen 127.0.0.1:$PORT; root $WORK/www; }"

# One capped transfer: create, add, (cap), resume, wait, complete; prints
# the seconds from resume to the end of wait, and checks the bytes.
measure() {	# LABEL STORE CAP_JOB(1|0)
	local label=$1 store=$2 per_job=$3 job start end
	bg() { "$BGCOPY" --store "$store" "$@"; }
	job=$(bg create "bandwidth-$label") || { echo "bandwidth: $label: create failed"; return 1; }
	bg add "$job" "http://127.0.0.1:$PORT/20m.bin" "$WORK/$label.bin" >/dev/null || return 1
	if [ "$per_job" = 1 ]; then bg set-bandwidth "$job" "$CAP" || return 1
	else bg set-bandwidth "$CAP" || return 1; fi
	start=$(date +%s.%N)
	bg resume "$job" && bg wait "$job" >/dev/null || { echo "bandwidth: $label: transfer failed"; return 1; }
	end=$(date +%s.%N)
	bg complete "$job" >/dev/null || return 1
	cmp -s "$WORK/$label.bin" "$WORK/www/20m.bin" || { echo "bandwidth: $label: output differs"; return 1; }
	awk -v label="$label" -v a="$start" -v b="$end" -v goal="$GOAL" 'BEGIN {
		printf "%-22s %6.2f s   ratio to the %d s goal %.3f (goal 0.9-1.1)\n",
		       label, b - a, goal, (b - a) / goal }'
}
status=0
BGCOPY_EMBEDDED=1 measure job-cap "$WORK/store-job" 1 || status=1
# The engine's cap is bgcopyd's: a daemon of its own, its socket in the store.
XDG_RUNTIME_DIR= BGCOPY_EMBEDDED=0 measure engine-cap "$WORK/store-engine" 0 || status=1
exit $status
