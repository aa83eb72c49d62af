# ns per call of bgcopy:callback_begin against a raw one-integer lttng-ust
# event: no session, session with the events disabled, session enabled
# and lossless.  Goal: within 1.5x the raw floor, under 2 ns unlistened.
. "$(dirname "$0")/../e2e/lib.sh"

N=${BENCH_ITERATIONS:-2000000}
BENCH=$B/bench/tp_bench
TP=$B/lib/libbgcopy-tp.so
start_sessiond

run() { LTTNG_UST_ALLOW_BLOCKING=1 "$BENCH" "$TP" "${N}"; }

read -r _ unloaded _ none_project _ none_raw _ _ < <(run)

start_session "$WORK/t-disabled"
lttng disable-event -u -s "$SESSION" -c bgc -a >/dev/null
lttng enable-event -u -s "$SESSION" -c bgc 'bgcopy:engine_close' >/dev/null
read -r _ _ _ off_project _ off_raw _ _ < <(run)
stop_session

SESSION=bgcopy-bench-$$
lttng create "$SESSION" --output="$WORK/t-enabled" >/dev/null
lttng enable-channel -u -s "$SESSION" bgc --blocking-timeout=inf --subbuf-size=4M --num-subbuf=4 >/dev/null
lttng enable-event -u -s "$SESSION" -c bgc 'bgcopy:callback_begin,bgcopy_bench:raw,bgcopy_bench:same_fields' >/dev/null
lttng start "$SESSION" >/dev/null
# Few enough events to stay inside the buffers: the producer's cost, not
# the consumer daemon's disk speed.
read -r _ _ _ on_project _ on_raw _ on_same < <(N=$((N / 20)) run)
stop_session

printf '%-34s %10s %10s %8s\n' "case ($N calls)" "bgcopy ns" "raw ns" "ratio"
printf '%-34s %10.2f %10s %8s\n' "provider not loaded (engine guard)" "$unloaded" "-" "-"
for c in none off on; do
	p=${c}_project r=${c}_raw
	label=$(case $c in none) echo "no session";; off) echo "session, events disabled";; on) echo "session, enabled, lossless";; esac)
	printf '%-34s %10.2f %10.2f %8.2f\n' "$label" "${!p}" "${!r}" "$(awk -v a="${!p}" -v b="${!r}" 'BEGIN { print a / b }')"
done
printf '%-34s %10.2f %10.2f %8.2f\n' "  same 9 fields written raw" "$on_project" "$on_same" \
	"$(awk -v a="$on_project" -v b="$on_same" 'BEGIN { print a / b }')"
echo "(lttng-ust 2.13 serializes field by field: callback_begin's 9 fields cost"
echo " what they cost written raw; the hook table itself adds the difference)"
