# What tracing costs a transfer workload: 1,000 files of 16 KiB through the
# C API (5 jobs of 200, 16 connections) from testd, with no provider loaded
# and in a ready lossless LTTng session recording every bgcopy event
# (BGCOPY_TRACE=1, blocking channel), alternating for BENCH_ROUNDS rounds
# (default 7): medians, and the overhead as the median of each round's
# traced/untraced ratio, which a machine whose load drifts between rounds
# moves less than a ratio of medians.  The driver's own CPU time (user +
# system) is printed beside the wall time: the consumer daemon's is not in
# it.  BENCH_VERBOSE=1 prints every round's numbers on stderr.  Goal: 5 %
# at most (issue 17).
. "$(dirname "$0")/../e2e/lib.sh"

ROUNDS=${BENCH_ROUNDS:-7}
DRIVE=$B/bench/bgcopy_drive
FILES=1000
[ -x "$DRIVE" ] || die "$DRIVE not built"
start_sessiond
start_server
make_file one.bin 16384

# run TAG [VAR=VALUE...]: one run of the driver, "wall cpu" appended to
# $WORK/TAG.  Each run writes into a directory of its own, kept to the
# end: on an ext4 without a journal (this machine's /tmp) every create
# scans the inodes deleted in the last seconds, which would charge each
# run for the files of the run before it (peers.sh does the same).
RUNS=0
run() {
	local tag=$1 out=$WORK/out.$((++RUNS))
	shift
	rm -rf "$WORK/store"
	mkdir "$out"
	/usr/bin/time -f '%e %U %S' -o "$WORK/time" env "$@" "$DRIVE" "$WORK/store" \
		"http://127.0.0.1:$PORT/one.bin" "$FILES" 200 "$out" 16 > "$WORK/last.log" 2>&1 ||
		die "$tag run failed: $(tail -n 2 "$WORK/last.log")"
	[ "$(find "$out" -type f | wc -l)" = "$FILES" ] || die "$tag run: not $FILES files"
	awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$WORK/time" >> "$WORK/$tag"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { cut -d' ' -f"$2" "$WORK/$1" | median; }	# TAG FIELD
# The median of the rounds' traced/untraced ratios of field FIELD.
paired() { paste -d' ' "$WORK/traced" "$WORK/untraced" |
	awk -v f="$1" -v n=2 '{ print $f / $(f + n) }' | median; }

start_session "$WORK/trace"
for ((r = 0; r < ROUNDS; r++)); do
	run untraced
	run traced BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1
done
stop_session
[ -n "${BENCH_VERBOSE:-}" ] && paste "$WORK/untraced" "$WORK/traced" >&2
events=$(bt "$WORK/trace" 2>/dev/null | grep -c 'bgcopy:')
[ "$events" -gt 0 ] || die "the traced runs recorded no event"

printf '%-52s %8s %8s\n' "1,000 x 16 KiB, C API ($ROUNDS rounds, medians)" "wall s" "cpu s"
printf '  %-50s %8.3f %8.3f\n' "no provider loaded" "$(column untraced 1)" "$(column untraced 2)"
printf '  %-50s %8.3f %8.3f\n' "lossless session, every bgcopy event ($((events / ROUNDS)) a run)" \
	"$(column traced 1)" "$(column traced 2)"
awk -v w="$(paired 1)" -v c="$(paired 2)" 'BEGIN {
	o = (w - 1) * 100
	printf "tracing overhead: %+.1f %% wall, %+.1f %% the driver'"'"'s CPU (medians of the rounds'"'"' ratios; goal <= 5 %%: %s)\n",
		o, (c - 1) * 100, o <= 5 ? "met" : "not met" }'
