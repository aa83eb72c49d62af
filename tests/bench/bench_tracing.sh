# What tracing costs a transfer workload: 1,000 files of 16 KiB through the
# C API (5 jobs of 200, 16 connections) from testd, with no provider loaded
# and in a ready lossless LTTng session recording every bgcopy event
# (BGCOPY_TRACE=1, blocking channel), alternating for BENCH_ROUNDS rounds
# (default 5): medians and the ratio.  Goal: 5 % at most (issue 17).
. "$(dirname "$0")/../e2e/lib.sh"

ROUNDS=${BENCH_ROUNDS:-5}
DRIVE=$B/bench/bgcopy_drive
FILES=1000
[ -x "$DRIVE" ] || die "$DRIVE not built"
start_sessiond
start_server
make_file one.bin 16384

# run TAG [VAR=VALUE...]: one run of the driver, its wall time appended to $WORK/TAG.
run() {
	local tag=$1
	shift
	rm -rf "$WORK/store" "$WORK/out"
	mkdir "$WORK/out"
	/usr/bin/time -f %e -o "$WORK/time" env "$@" "$DRIVE" "$WORK/store" \
		"http://127.0.0.1:$PORT/one.bin" "$FILES" 200 "$WORK/out" 16 > "$WORK/last.log" 2>&1 ||
		die "$tag run failed: $(tail -n 2 "$WORK/last.log")"
	[ "$(find "$WORK/out" -type f | wc -l)" = "$FILES" ] || die "$tag run: not $FILES files"
	cat "$WORK/time" >> "$WORK/$tag"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start_session "$WORK/trace"
for ((r = 0; r < ROUNDS; r++)); do
	run untraced
	run traced BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1
done
stop_session
events=$(bt "$WORK/trace" 2>/dev/null | grep -c 'bgcopy:')
[ "$events" -gt 0 ] || die "the traced runs recorded no event"

plain=$(median "$WORK/untraced")
traced=$(median "$WORK/traced")
printf '%-52s %8s\n' "1,000 x 16 KiB, C API ($ROUNDS rounds, medians)" "seconds"
printf '  %-50s %8.3f\n' "no provider loaded" "$plain"
printf '  %-50s %8.3f\n' "lossless session, every bgcopy event ($((events / ROUNDS)) a run)" "$traced"
awk -v a="$traced" -v b="$plain" 'BEGIN {
	o = (a / b - 1) * 100
	printf "tracing overhead: %+.1f %% (goal <= 5 %%: %s)\n", o, o <= 5 ? "met" : "not met" }'
