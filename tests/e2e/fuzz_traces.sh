# Fuzzed traces: bgcopy-analyze on a few hundred mutants of one real trace
# (streams cut at random bytes, last packets dropped, bits flipped in
# packet headers and among events; tests/tools/trace_fuzz) never crashes,
# never hangs, exits 0-3, and never says FAIL for damage that the packet
# structure or the jobs' sequence numbers reveal.  A FAIL is accepted
# only for bits flipped among events when babeltrace2 reads the mutant
# as cleanly as the original (the same number of events): a well-formed
# trace with other values, which the checker judges as it must.
#   BGCOPY_FUZZ_SEEDS=N (default 250) mutants, seeds 1..N.
. "$(dirname "$0")/lib.sh"

FUZZ=$B/tools/trace_fuzz
SEEDS=${BGCOPY_FUZZ_SEEDS:-250}
analyze() { LD_PRELOAD=$BT_PRELOAD timeout 20 "$ANALYZE" "$@"; }
bg() { traced "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }

start_server
start_sessiond
make_file a.bin 300000
make_file b.bin 200000
mkdir -p "$WORK/dl"
URL=http://127.0.0.1:$PORT
start_session "$WORK/trace"
bg download "$URL/a.bin" "$WORK/dl/a.bin" || die "download"
job=$(bg create flags)
bg add "$job" "$URL/b.bin" "$WORK/dl/b.1"
bg add "$job" "$URL/fault/503-then-ok:1/a.bin" "$WORK/dl/b.2"
bg set-flags "$job" 0x1b
bg set-retry-delay "$job" 1
bg resume "$job"
bg wait "$job" >/dev/null && bg complete "$job" || die "two-file job"
job=$(bg create cmdline)
bg add "$job" "$URL/b.bin" "$WORK/dl/c.bin"
bg set-notify-cmd "$job" /bin/true
bg resume "$job"
bg run >/dev/null
bg complete "$job" || die "command-line job"
stop_session

analyze "$WORK/trace" > "$WORK/orig.txt" 2>&1 ||
	{ cat "$WORK/orig.txt"; die "the original trace does not pass"; }
events=$(bt "$WORK/trace" 2>/dev/null | wc -l)

declare -A seen
fails=0
for seed in $(seq "$SEEDS"); do
	m=$WORK/m
	rm -rf "$m"
	cp -r "$WORK/trace" "$m"
	how=$("$FUZZ" "$m" "$seed") || die "seed $seed: trace_fuzz failed"
	class=${how%% *}
	analyze "$m" > "$WORK/out.txt" 2> "$WORK/err.txt"
	rc=$?
	seen[$class.$rc]=$((${seen[$class.$rc]:-0} + 1))
	if [ $rc -gt 3 ]; then
		cat "$WORK/err.txt"
		die "seed $seed ($how): exit $rc (crash, signal or hang)"
	fi
	if grep -qE 'Sanitizer|runtime error' "$WORK/err.txt"; then
		cat "$WORK/err.txt"
		die "seed $seed ($how): sanitizer report"
	fi
	[ $rc = 1 ] || continue
	if [ "$class" != payload ] ||
	   [ "$(bt "$m" 2>/dev/null | wc -l)" != "$events" ]; then
		grep -E '^ +G[0-9]|^job .*FAIL' "$WORK/out.txt" | head -5
		die "seed $seed ($how): FAIL on damage the trace reveals"
	fi
	fails=$((fails + 1))
	grep -E '^  G[1-8] ' "$WORK/out.txt" | head -2 | sed "s|^ *|seed $seed ($how): |"
done
for k in $(printf '%s\n' "${!seen[@]}" | sort); do
	echo "class.exit $k: ${seen[$k]}"
done
echo "fuzzed traces ok: $SEEDS mutants, $fails FAIL on well-formed payload changes"
