# Several processes in one trace with per-PID buffers (one stream set per
# process, vpid context): a job created, run and completed by three
# different bgcopy processes is checked as one job, and passes.
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file p.bin 300000
mkdir -p "$WORK/out"
start_session "$WORK/trace" --buffers-pid --blocking-timeout=inf
bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }
job=$(bg create per-pid)
bg add "$job" "http://127.0.0.1:$PORT/p.bin" "$WORK/out/p.bin"
bg resume "$job"
bg wait "$job" >/dev/null || die "wait failed"
bg complete "$job"
stop_session
[ "$(find "$WORK/trace" -path '*/pid/*' -name metadata | wc -l)" -ge 3 ] ||
	die "the trace does not have one stream set per process"
LD_PRELOAD=$BT_PRELOAD "$ANALYZE" "$WORK/trace" > "$WORK/report.txt" ||
	{ cat "$WORK/report.txt"; die "per-PID trace did not pass"; }
grep -q "^job $job \"per-pid\": PASS" "$WORK/report.txt" || die "the job is not one PASS job"
echo "per-PID buffers ok"
