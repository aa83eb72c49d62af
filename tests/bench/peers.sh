#!/usr/bin/env bash
# bgcopy against curl, aria2c and wget2 on the same files from one local nginx: medians, CPU, peak RSS, ratios.
#   BGCOPY_BUILD=build tests/bench/peers.sh [WORKLOAD...]
# Workloads: big (1 GiB), small (5,000 x 16 KiB), small-cli (the same
# through the bgcopy command: download --list),
# mid (500 x 1 MiB), parallel (one job of 200 x 16 KiB: its files one at a
# time, as BITS moves them, and 16 at a time), jobs (1k, 10k and 100k jobs of one small
# file, the last once: about a minute; BENCH_JOBS=... to change, e.g. BENCH_JOBS="1000 10000").  BENCH_ROUNDS (default 5) rounds
# alternate the tools; every output is checked byte for byte.
# bgcopy returns once its files are on disk (synced); the peers return
# with them in the page cache.  So curl also runs followed by the sync
# that gives its files the same guarantee ("then sync"): a second ratio,
# like for like, beside the one the goals name.
# BENCH_BGCOPY_BEFORE=PATH: small-cli also runs that bgcopy command (one
# built from an earlier commit, with its own bgcopyd beside it) in the
# same rounds, and prints how much faster this one is.
set -u
B=$(cd "${BGCOPY_BUILD:?BGCOPY_BUILD is not set}" && pwd) || exit 1	# the runs cd
ROUNDS=${BENCH_ROUNDS:-5}
JOB_COUNTS=${BENCH_JOBS:-1000 10000 100000}
WORKLOADS=${*:-big small small-cli mid parallel jobs}
HERE=$(cd "$(dirname "$0")" && pwd)
DRIVE=$B/bench/bgcopy_drive
BGCOPY=$B/bin/bgcopy
WORK=$(mktemp -d /tmp/bgcopy-peers-XXXXXX)
NGINX_PID=

# The last run's bgcopyd (started on demand, or by cli_list.sh) is left
# running, as a user's command leaves it, and would idle 10 minutes on a
# store that is gone: stopped between runs, untimed, and waited for, so
# that its exit (the store's checkpoint) is not charged to the next run.
# Its pid heads the lock file.
stop_bgcopyd() {
	local pid
	pid=$(head -n 1 "$WORK/store/lock" 2>/dev/null) || return 0
	pkill -F "$WORK/store/lock" -x bgcopyd 2>/dev/null || return 0
	# Gone once a zombie: its reaper (init, not us) may take a while.
	# Ten seconds at most, then killed: a hung exit must not hang the bench.
	for _ in $(seq 1000); do
		[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null || echo Z)" = Z ] && return 0
		sleep 0.01
	done
	echo "peers: bgcopyd $pid did not exit in 10 s: killed"
	kill -KILL "$pid" 2>/dev/null
}

cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	stop_bgcopyd
	rm -rf "$WORK"
}
trap cleanup EXIT

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
for t in nginx curl; do
	have "$t" || { echo "peers: $t not installed (make bench-deps); skipped"; exit 0; }
done
[ -x "$DRIVE" ] || { echo "peers: $DRIVE not built"; exit 1; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- files and server ---------------------------------------------------

www=$WORK/www
mkdir -p "$www/s" "$www/m" "$WORK/nginx/logs"
# Only the files the workloads asked for: 1.5 GiB takes a while.
case " $WORKLOADS " in *" big "*) head -c 1073741824 /dev/urandom > "$www/big.bin" ;; esac
case " $WORKLOADS " in *" small "*|*" small-cli "*|*" parallel "*)
	head -c $((5000 * 16384)) /dev/urandom | (cd "$www/s" && split -b 16384 -d -a 5 -) ;; esac
case " $WORKLOADS " in *" mid "*)
	head -c $((500 * 1048576)) /dev/urandom | (cd "$www/m" && split -b 1048576 -d -a 5 -) ;; esac
head -c 4096 /dev/urandom > "$www/one.bin"
chmod -R a+rX "$WORK"
for d in s m; do
	(cd "$www/$d" && for f in x*; do [ -e "$f" ] && mv "$f" "${f#x}"; done)
done

PORT=$(free_port)
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 4096; }
http {
	default_type application/octet-stream;
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
	server { listen 127.0.0.1:$PORT; root $www; }
}
EOF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" ||
	{ echo "peers: nginx did not start"; exit 1; }
for _ in $(seq 100); do [ -s "$WORK/nginx/nginx.pid" ] && break; sleep 0.05; done
NGINX_PID=$(cat "$WORK/nginx/nginx.pid")
URL=http://127.0.0.1:$PORT

# Lists for the peers: curl's config, aria2c's input file, wget2's URLs.
make_lists() {	# DIR COUNT
	local d=$1 n=$2 i name
	: > "$WORK/$d.curl"; : > "$WORK/$d.aria2"; : > "$WORK/$d.urls"
	for ((i = 0; i < n; i++)); do
		printf -v name '%05d' "$i"
		printf 'url = "%s/%s/%s"\noutput = "%s"\n' "$URL" "$d" "$name" "$name" >> "$WORK/$d.curl"
		printf '%s/%s/%s\n  out=%s\n' "$URL" "$d" "$name" "$name" >> "$WORK/$d.aria2"
		printf '%s/%s/%s\n' "$URL" "$d" "$name" >> "$WORK/$d.urls"
	done
}

# The hash of a directory's files, concatenated in name order.
dir_hash() { (cd "$1" && find . -type f | sort | xargs cat) | sha256sum | cut -c1-64; }

# ---- measuring ----------------------------------------------------------

# Outputs of many files are deleted only at the end: ext4 without a
# journal scans recently deleted inodes on every create, which would
# charge each round for the files of the round before.
RUNS=0
KEEP=1
# run TAG EXPECTED_HASH CMD...: runs CMD in a fresh directory under
# /usr/bin/time, checks the bytes, appends "wall cpu rss_kib" to $RES/TAG.
run() {
	local tag=$1 want=$2 got OUT=$WORK/out.$((++RUNS))
	shift 2
	stop_bgcopyd
	rm -rf "$WORK/store"
	mkdir -p "$OUT"
	sync
	if ! (cd "$OUT" && /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" \
		> "$WORK/last.log" 2>&1); then
		echo "  $tag FAILED: $(tail -2 "$WORK/last.log" | tr '\n' ' ')"
		return 1
	fi
	got=$(dir_hash "$OUT")
	if [ "$got" != "$want" ]; then
		echo "  $tag WRONG BYTES ($(find "$OUT" -type f | wc -l) files)"
		return 1
	fi
	awk '{ printf "%s %.3f %d\n", $1, $2 + $3, $4 }' "$WORK/time" >> "$RES/$tag"
	# The driver's own split: creating and adding, then running.
	sed -n 's/.*add_s \([0-9.]*\) run_s \([0-9.]*\).*/\1 \2/p' "$WORK/last.log" >> "$RES/$tag.split"
	# Its notification latency: JobTransferred after the job became TRANSFERRED.
	sed -n 's/.*notify_p50_ms \([0-9.]*\) notify_p99_ms \([0-9.]*\).*/\1 \2/p' \
		"$WORK/last.log" >> "$RES/$tag.notify"
	[ "$KEEP" = 1 ] || rm -rf "$OUT"
}

median() {	# FILE COLUMN
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
		if (NR == 0) { print "nan"; exit }
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# faster T BEST_T: T is below BEST_T, or there is no BEST_T yet.
faster() { [ -z "$2" ] || awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# report WORKLOAD TAG...: medians per tool, then bgcopy's ratio to the
# fastest peer (peer time / bgcopy time: 1.0 means as fast), and to the
# fastest of those that sync their output ("then sync" in the tag).
report() {
	local w=$1 tag best="" best_t="" bg_t before_t="" synced="" synced_t=""
	shift
	printf '%-40s %9s %9s %9s %7s\n' "$w" "median s" "cpu s" "rss MiB" "rounds"
	for tag in "$@"; do
		[ -s "$RES/$tag" ] || { printf '  %-38s %9s\n' "$tag" "failed"; continue; }
		printf '  %-38s %9.3f %9.3f %9.1f %7d\n' "$tag" "$(median "$RES/$tag" 1)" \
			"$(median "$RES/$tag" 2)" "$(awk -v k="$(median "$RES/$tag" 3)" 'BEGIN { print k / 1024 }')" \
			"$(wc -l < "$RES/$tag")"
		case $tag in bgcopy*) bg_t=$(median "$RES/$tag" 1) ;;
		before*) before_t=$(median "$RES/$tag" 1) ;;
		*"then sync"*) t=$(median "$RES/$tag" 1)
		   faster "$t" "$synced_t" && synced_t=$t synced=$tag ;;
		*) t=$(median "$RES/$tag" 1)
		   faster "$t" "$best_t" && best_t=$t best=$tag ;;
		esac
	done
	[ -n "$best" ] && [ -n "${bg_t:-}" ] &&
		printf '  ratio bgcopy/best peer (%s): %.2fx\n' "$best" \
			"$(awk -v a="$best_t" -v b="$bg_t" 'BEGIN { print a / b }')"
	[ -n "$synced" ] && [ -n "${bg_t:-}" ] &&
		printf '  ratio bgcopy/peer synced as bgcopy (%s): %.2fx\n' "$synced" \
			"$(awk -v a="$synced_t" -v b="$bg_t" 'BEGIN { print a / b }')"
	[ -n "$best" ] && [ -n "$before_t" ] &&
		printf '  ratio before/best peer: %.2fx; bgcopy is %.2fx as fast as before\n' \
			"$(awk -v a="$best_t" -v b="$before_t" 'BEGIN { print a / b }')" \
			"$(awk -v a="$before_t" -v b="${bg_t:-nan}" 'BEGIN { print a / b }')"
	return 0
}

# rounds WORKLOAD EXPECTED_HASH N TAG CMD -- TAG CMD -- ...: N rounds, the
# tools alternating inside each round.
rounds() {
	local w=$1 want=$2 n=$3 r tags=() cmds=() cur=()
	shift 3
	RES=$WORK/results/$w
	mkdir -p "$RES"
	while [ $# -gt 0 ]; do
		tags+=("$1"); shift; cur=()
		while [ $# -gt 0 ] && [ "$1" != -- ]; do cur+=("$(printf '%q' "$1")"); shift; done
		[ $# -gt 0 ] && shift
		cmds+=("${cur[*]}")
	done
	for ((r = 0; r < n; r++)); do
		for i in "${!tags[@]}"; do
			eval "run '${tags[$i]}' '$want' ${cmds[$i]}"
		done
	done
	report "$w" "${tags[@]}"
}

peer_args=()
add_peer() { have "$1" && peer_args+=("${@:2}" --); }
# curl --parallel-max 16 on a glob of URLs (a glob, not a list: curl 7.88
# adds listed transfers in quadratic time); then the same followed by one
# syncfs of the output's file system (sync -f), as bgcopy syncs files that
# finished together.
add_parallel_curl() {
	local fetch=(curl -s --parallel --parallel-max 16 "$1" -o '#1')
	add_peer curl "curl --parallel --parallel-max 16" "${fetch[@]}"
	add_peer curl "curl --parallel-max 16, then sync -f" \
		sh -c '"$@" && sync -f .' sh "${fetch[@]}"
}

echo "peers: nginx on 127.0.0.1:$PORT, $ROUNDS rounds unless said, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

for w in $WORKLOADS; do
	peer_args=()
	KEEP=1
	case $w in
	big)
		KEEP=0
		want=$(sha256sum < "$www/big.bin" | cut -c1-64)
		add_peer curl "curl -o" curl -s -o big.bin "$URL/big.bin"
		add_peer curl "curl -o, then sync of the file" \
			sh -c 'curl -s -o big.bin "$1" && sync big.bin' sh "$URL/big.bin"
		add_peer aria2c "aria2c" aria2c -q --file-allocation=none -d . -o big.bin "$URL/big.bin"
		add_peer wget2 "wget2" wget2 -q -O big.bin "$URL/big.bin"
		rounds "one 1 GiB file" "$want" "$ROUNDS" \
			"bgcopy download" "$BGCOPY" --store "$WORK/store" download "$URL/big.bin" ./big.bin -- \
			"${peer_args[@]}"
		;;
	small|mid)
		if [ "$w" = small ]; then d=s n=5000 per=200; label="5,000 x 16 KiB (API: 25 jobs of 200)"
		else d=m n=500 per=25 KEEP=0; label="500 x 1 MiB (API: 20 jobs of 25)"; fi
		make_lists "$d" "$n"
		want=$(dir_hash "$www/$d")
		add_parallel_curl "$URL/$d/[00000-$(printf '%05d' $((n - 1)))]"
		# No control files: aria2c's default saves one per file through a
		# rename and deletes it at the end, 5,000 deletions a run that made
		# every later create on this ext4 slow (see "Outputs" below).
		add_peer aria2c "aria2c -j16" aria2c -q -j16 --file-allocation=none --auto-save-interval=0 \
			-d . -i "$WORK/$d.aria2"
		add_peer wget2 "wget2 --max-threads=16" wget2 -q --max-threads=16 -nd -i "$WORK/$d.urls"
		rounds "$label" "$want" "$ROUNDS" \
			"bgcopy (C API, 16 connections)" "$DRIVE" "$WORK/store" "$URL/$d/%05d" "$n" "$per" . -- \
			"${peer_args[@]}"
		;;
	parallel)
		# BITS' cap of files per job; "before" is BITS' serial job.
		want=$( (cd "$www/s" && find . -type f | sort | head -n 200 | xargs cat) |
			sha256sum | cut -c1-64)
		add_peer curl "curl --parallel --parallel-max 16" curl -s --parallel --parallel-max 16 \
			"$URL/s/[00000-00199]" -o '#1'
		rounds "200 x 16 KiB in one job (API)" "$want" "$ROUNDS" \
			"before: bgcopy one job, 1 file at a time" \
			"$DRIVE" "$WORK/store" "$URL/s/%05d" 200 200 . 16 1 -- \
			"bgcopy one job, 16 files at a time" \
			"$DRIVE" "$WORK/store" "$URL/s/%05d" 200 200 . 16 16 -- \
			"${peer_args[@]}"
		;;
	small-cli)
		make_lists s 5000
		for ((i = 0; i < 5000; i++)); do printf '%s/s/%05d %05d\n' "$URL" "$i" "$i"; done > "$WORK/s.list"
		want=$(dir_hash "$www/s")
		add_parallel_curl "$URL/s/[00000-04999]"
		[ -n "${BENCH_BGCOPY_BEFORE:-}" ] &&
			peer_args+=("before: bgcopy create --list, ..." bash "$HERE/cli_list.sh"
				    "$BENCH_BGCOPY_BEFORE" "$WORK/store" "$WORK/s.list" steps --)
		rounds "5,000 x 16 KiB (bgcopy command, download --list)" "$want" "$ROUNDS" \
			"bgcopy download --list" \
			bash "$HERE/cli_list.sh" "$BGCOPY" "$WORK/store" "$WORK/s.list" -- \
			"${peer_args[@]}"
		;;
	jobs)
		first_n= first_rss= first_per_job=
		for n in $JOB_COUNTS; do
			# Every output is the same 4 KiB file.
			want=$(python3 -c 'import hashlib, sys
d = open(sys.argv[1], "rb").read(); h = hashlib.sha256()
for _ in range(int(sys.argv[2])): h.update(d)
print(h.hexdigest())' "$www/one.bin" "$n")
			r=$ROUNDS
			[ "$n" -ge 10000 ] && r=3
			[ "$n" -ge 100000 ] && r=1
			rounds "$n jobs of one 4 KiB file ($r rounds)" "$want" "$r" \
				"bgcopy jobs=$n" "$DRIVE" "$WORK/store" "$URL/one.bin" "$n" 1 .
			# A failed run was said above: nothing to derive from it.
			[ -s "$RES/bgcopy jobs=$n" ] || continue
			printf '  per job: %.1f us in all; %.1f us to create and add, %.1f us from resume to acknowledged\n' \
				"$(awk -v n="$n" -v t="$(median "$RES/bgcopy jobs=$n" 1)" 'BEGIN { print t / n * 1e6 }')" \
				"$(awk -v n="$n" -v t="$(median "$RES/bgcopy jobs=$n.split" 1)" 'BEGIN { print t / n * 1e6 }')" \
				"$(awk -v n="$n" -v t="$(median "$RES/bgcopy jobs=$n.split" 2)" 'BEGIN { print t / n * 1e6 }')"
			[ -s "$RES/bgcopy jobs=$n.notify" ] &&
				printf '  notification latency (TRANSFERRED to JobTransferred): p50 %.3f ms, p99 %.3f ms\n' \
					"$(median "$RES/bgcopy jobs=$n.notify" 1)" "$(median "$RES/bgcopy jobs=$n.notify" 2)"
			rss=$(median "$RES/bgcopy jobs=$n" 3)
			per_job=$(awk -v n="$n" -v t="$(median "$RES/bgcopy jobs=$n" 1)" 'BEGIN { print t / n }')
			if [ -z "$first_n" ]; then
				first_n=$n first_rss=$rss first_per_job=$per_job
			else
				printf '  linearity: time per job at %s jobs is %.2fx that at %s (goal: within 1.5x)\n' \
					"$n" "$(awk -v a="$per_job" -v b="$first_per_job" 'BEGIN { print a / b }')" "$first_n"
				# Finished jobs stay in memory until the engine closes.
				printf '  memory: %.2f KiB more per job than at %s jobs (peak RSS)\n' \
					"$(awk -v a="$rss" -v b="$first_rss" -v n="$n" -v m="$first_n" 'BEGIN { print (a - b) / (n - m) }')" "$first_n"
			fi
		done
		;;
	esac
done
