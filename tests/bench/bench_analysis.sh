# bgcopy-analyze against babeltrace2's own floor on one trace of at least
# BENCH_EVENTS (default 5,000,000) events, recorded losslessly from
# tests/bench/gen_events (a notification-heavy run through the real
# provider): events/s of `bgcopy-analyze TRACE' and of
# `babeltrace2 TRACE -o dummy', their ratio, and the peak RSS of each.
# Goal: analyze at >= 0.8 of the dummy rate, peak RSS <= 1.5x.
# Each command runs BENCH_RUNS times (default 2), the best run counts.
# Exit 1 when the trace is not checked PASS or is too small; the goal is
# reported, and enforced only with BENCH_ENFORCE=1.
. "$(dirname "$0")/../e2e/lib.sh"

EVENTS=${BENCH_EVENTS:-5000000}
RUNS=${BENCH_RUNS:-2}
GEN=$B/bench/gen_events
start_sessiond

# A lossless channel with room to spare: blocking, 8 MiB sub-buffers.
start_session "$WORK/trace" --blocking-timeout=inf --subbuf-size=8M --num-subbuf=8
LTTNG_UST_ALLOW_BLOCKING=1 "$GEN" "$B/lib/libbgcopy-tp.so" "$EVENTS" > "$WORK/gen.txt" ||
	die "gen_events failed"
stop_session
read -r _ emitted _ jobs < "$WORK/gen.txt"
size=$(du -sm "$WORK/trace" | cut -f1)

# run_measured OUT CMD...: wall seconds and peak RSS (KiB) of CMD.
if [ -x /usr/bin/time ]; then
	run_measured() {
		local out=$1; shift
		/usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" > "$out" 2>"$WORK/stderr.txt"
		local rc=$?
		read -r SECONDS_USED RSS_KB < "$WORK/time.txt"
		return $rc
	}
else
	# No GNU time: poll VmHWM, the high-water mark, until the end.
	run_measured() {
		local out=$1 t0 t1 pid hwm=0 v; shift
		t0=$(date +%s.%N)
		"$@" > "$out" 2>"$WORK/stderr.txt" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			v=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
			[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
			sleep 0.02
		done
		wait "$pid"
		local rc=$?
		t1=$(date +%s.%N)
		SECONDS_USED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		RSS_KB=$hwm
		return $rc
	}
fi

# best NAME CMD...: the fastest of RUNS runs; sets NAME_s and NAME_kb.
best() {
	local name=$1 i s=999999 kb=0; shift
	for i in $(seq "$RUNS"); do
		run_measured "$WORK/$name.out" "$@" || {
			local rc=$?
			cat "$WORK/stderr.txt" >&2; die "$name exited $rc"; }
		if awk -v a="$SECONDS_USED" -v b="$s" 'BEGIN { exit !(a < b) }'; then
			s=$SECONDS_USED
		fi
		[ "$RSS_KB" -gt "$kb" ] && kb=$RSS_KB
	done
	printf -v "${name}_s" '%s' "$s"
	printf -v "${name}_kb" '%s' "$kb"
}

cat "$WORK"/trace/ust/uid/*/*/* > /dev/null 2>&1	# same page cache for both
best dummy env LD_PRELOAD="$BT_PRELOAD" babeltrace2 "$WORK/trace" -o dummy
best analyze env LD_PRELOAD="$BT_PRELOAD" "$ANALYZE" "$WORK/trace"
grep -q '^verdict: PASS' "$WORK/analyze.out" || {
	tail -n 5 "$WORK/analyze.out"; die "the generated trace is not checked PASS"; }
events=$(sed -n 's/^bgcopy contract check: [0-9]* jobs*, \([0-9]*\) events.*/\1/p' "$WORK/analyze.out")
[ "${events:-0}" -ge "$EVENTS" ] || die "trace has ${events:-0} events, fewer than $EVENTS"
[ "$events" = "$emitted" ] || die "gen_events emitted $emitted events, the trace holds $events"

awk -v n="$events" -v jobs="$jobs" -v mb="$size" -v runs="$RUNS" \
    -v ds="$dummy_s" -v as="$analyze_s" -v dk="$dummy_kb" -v ak="$analyze_kb" '
BEGIN {
	dr = n / ds; ar = n / as; ratio = ar / dr; rss = ak / dk
	printf "trace: %d events, %d jobs, %d MiB; best of %d runs each\n", n, jobs, mb, runs
	printf "%-28s %10s %14s %12s\n", "", "seconds", "events/s", "peak RSS MiB"
	printf "%-28s %10.2f %14.0f %12.1f\n", "babeltrace2 -o dummy", ds, dr, dk / 1024
	printf "%-28s %10.2f %14.0f %12.1f\n", "bgcopy-analyze", as, ar, ak / 1024
	printf "rate ratio analyze/dummy: %.2f (goal >= 0.80: %s)\n", ratio, (ratio >= 0.8 ? "met" : "MISSED")
	printf "RSS ratio analyze/dummy:  %.2f (goal <= 1.50: %s)\n", rss, (rss <= 1.5 ? "met" : "MISSED")
	exit !(ratio >= 0.8 && rss <= 1.5)
}'
met=$?
if [ "${BENCH_ENFORCE:-0}" = 1 ] && [ $met != 0 ]; then
	die "goal missed"
fi
exit 0
