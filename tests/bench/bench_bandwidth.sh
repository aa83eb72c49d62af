#!/usr/bin/env bash
# Issue 16's measurement: a 20 MiB transfer under a 2 MiB/s cap takes 10 s +- 10 %, for a job's cap and for bgcopyd's engine-wide cap.
#   BGCOPY_BUILD=build tests/bench/bench_bandwidth.sh
set -u
B=${BGCOPY_BUILD:?BGCOPY_BUILD is not set}
BGCOPY=$B/bin/bgcopy
SIZE=$((20 * 1048576)) CAP=$((2 * 1048576)) GOAL=10
WORK=$(mktemp -d /tmp/bgcopy-bandwidth-XXXXXX)
NGINX_PID=
stop_daemon() {	# the store's bgcopyd, if one runs
	local pid
	pid=$(head -n 1 "$1/lock" 2>/dev/null) || return 0
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
}
cleanup() {
	stop_daemon "$WORK/store-engine"
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bandwidth: nginx not installed (make bench-deps); skipped"; exit 0; }

mkdir -p "$WORK/www" "$WORK/nginx/logs"
head -c "$SIZE" /dev/urandom > "$WORK/www/20m.bin"
chmod -R a+rX "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 64; }
http {
	default_type application/octet-stream;
	access_log off;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
	server { listen 127.0.0.1:$PORT; root $WORK/www; }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" ||
	{ echo "bandwidth: nginx did not start"; exit 1; }
for _ in $(seq 100); do [ -s "$WORK/nginx/nginx.pid" ] && break; sleep 0.05; done
NGINX_PID=$(cat "$WORK/nginx/nginx.pid")

# One capped transfer: create, add, (cap), resume, wait, complete; prints
# the seconds from resume to the end of wait, and checks the bytes.
measure() {	# LABEL STORE CAP_JOB(1|0)
	local label=$1 store=$2 per_job=$3 job start end secs
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
