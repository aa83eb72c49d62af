# What tracing costs a transfer workload: 1,000 files of 16 KiB through the
# C API (5 jobs of 200, 16 connections) from testd, with no provider loaded
# and in a ready lossless LTTng session recording every bgcopy event
# (BGCOPY_TRACE=1, blocking channel, and LTTNG_UST_WITHOUT_BADDR_STATEDUMP=1
# as `bgcopy record` runs a program; also without it, LTTng-UST's default,
# for comparison), alternating for BENCH_TRACING_ROUNDS rounds
# (default 15: a run is half a second, and the file system's pace drifts
# by more than the 5 % measured): medians, and the overhead as the median
# of each round's traced/untraced ratio, which a machine whose load drifts
# between rounds moves less than a ratio of medians.  Wall time is read
# to the microsecond (time(1)'s 10 ms would be 2 % of a run).  The driver's own CPU time (user +
# system) is printed beside the wall time: the consumer daemon's is not in
# it.  BENCH_VERBOSE=1 prints every round's numbers on stderr.  Goal: 5 %
# at most (issue 17).  Then the same rounds of a one-file run, in a
# session of its own: what tracing costs a process whatever it moves
# (LTTng-UST's start, its registration with the session daemon, its
# exit), so that the overhead reads as that plus a cost per event.
. "$(dirname "$0")/../e2e/lib.sh"

ROUNDS=${BENCH_TRACING_ROUNDS:-15}
DRIVE=$B/bench/bgcopy_drive
FILES=1000
[ -x "$DRIVE" ] || die "$DRIVE not built"
start_sessiond
start_server
make_file one.bin 16384

# run TAG FILES [VAR=VALUE...]: one run of the driver, "wall cpu" appended to
# $WORK/TAG.  Each run writes into a directory of its own, kept to the
# end: on an ext4 without a journal (this machine's /tmp) every create
# scans the inodes deleted in the last seconds, which would charge each
# run for the files of the run before it (peers.sh does the same).
RUNS=0
run() {
	local tag=$1 files=$2 out=$WORK/out.$((++RUNS)) start end
	shift 2
	rm -rf "$WORK/store"
	mkdir "$out"
	start=$EPOCHREALTIME
	/usr/bin/time -f '%U %S' -o "$WORK/time" env "$@" "$DRIVE" "$WORK/store" \
		"http://127.0.0.1:$PORT/one.bin" "$files" 200 "$out" 16 > "$WORK/last.log" 2>&1 ||
		die "$tag run failed: $(tail -n 2 "$WORK/last.log")"
	end=$EPOCHREALTIME
	[ "$(find "$out" -type f | wc -l)" = "$files" ] || die "$tag run: not $files files"
	awk -v s="$start" -v e="$end" '{ printf "%.4f %.3f\n", e - s, $1 + $2 }' "$WORK/time" >> "$WORK/$tag"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { cut -d' ' -f"$2" "$WORK/$1" | median; }	# TAG FIELD
# compare TAG FIELD BASE HOW: the median of the rounds' TAG against BASE
# in field FIELD, as their ratio or (HOW ms) their difference in ms.
compare() { paste -d' ' "$WORK/$1" "$WORK/$3" | awk -v f="$2" -v n=2 -v how="$4" \
	'{ print how == "ms" ? ($f - $(f + n)) * 1000 : $f / $(f + n) }' | median; }
paired() { compare "$1" "$2" untraced ratio; }	# TAG FIELD
overhead() {	# TAG WHAT
	awk -v w="$(paired "$1" 1)" -v c="$(paired "$1" 2)" -v what="$2" 'BEGIN {
		printf "  %s: %+.1f %% wall, %+.1f %% the driver'"'"'s CPU\n", what, (w - 1) * 100, (c - 1) * 100 }'
}

start_session "$WORK/trace"
for ((r = 0; r < ROUNDS; r++)); do
	run untraced "$FILES"
	run traced "$FILES" BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 LTTNG_UST_WITHOUT_BADDR_STATEDUMP=1
	run dumped "$FILES" BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1
done
stop_session
events=$(bt "$WORK/trace" 2>/dev/null | grep -c 'bgcopy:')
start_session "$WORK/trace.one"
for ((r = 0; r < ROUNDS; r++)); do
	run one_untraced 1
	run one_traced 1 BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 LTTNG_UST_WITHOUT_BADDR_STATEDUMP=1
done
stop_session
[ -n "${BENCH_VERBOSE:-}" ] && paste "$WORK/untraced" "$WORK/traced" "$WORK/dumped" >&2
[ "$events" -gt 0 ] || die "the traced runs recorded no event"
events=$((events / 2))	# both traced kinds record the same events

printf '%-52s %8s %8s\n' "1,000 x 16 KiB, C API ($ROUNDS rounds, medians)" "wall s" "cpu s"
printf '  %-50s %8.3f %8.3f\n' "no provider loaded" "$(column untraced 1)" "$(column untraced 2)"
printf '  %-50s %8.3f %8.3f\n' "lossless session, every bgcopy event ($((events / ROUNDS)) a run)" \
	"$(column traced 1)" "$(column traced 2)"
printf '  %-50s %8.3f %8.3f\n' "the same with LTTng-UST's base-address state dump" \
	"$(column dumped 1)" "$(column dumped 2)"
echo "tracing overhead (medians of the rounds' ratios):"
overhead traced "as bgcopy record runs a program"
overhead dumped "with the state dump (LTTng-UST's default)"
# time(1)'s CPU is in 10 ms steps: the one-file runs' wall time alone.
awk -v fixed="$(compare one_traced 1 one_untraced ms)" -v all="$(compare traced 1 untraced ms)" \
    -v base="$(column untraced 1)" -v n="$((events / ROUNDS))" 'BEGIN {
	printf "  of which a process pays %.1f ms however little it moves (one-file runs,\n", fixed
	printf "    median of the differences): %.1f %% of the run above;", fixed / base / 10
	if (all > fixed)
		printf " the rest, %.1f ms, is\n    %.2f us for each of its %d events, noise included\n", all - fixed,
		       (all - fixed) * 1000 / n, n
	else
		printf " the rest is within the\n    rounds'"'"' noise\n" }'
awk -v w="$(paired traced 1)" 'BEGIN {
	printf "goal <= 5 %% wall, as bgcopy record runs a program: %s\n", (w - 1) * 100 <= 5 ? "met" : "not met" }'
