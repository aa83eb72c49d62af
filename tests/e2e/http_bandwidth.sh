# Bandwidth caps: a job's own (stored, traced in each transfer's
# rate_cap_bps), lowered while its transfer runs and applied to it; the
# engine's, set through bgcopyd by root, shared by jobs that are not
# FOREGROUND (exempt). Behaviour only: how fast is make bench's business.
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file capped.bin 200000
make_file free.bin 200000
make_file live.bin 400000
make_file fg.bin 100000
make_file nrm.bin 100000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }
new_job() {	# CLI NAME: a job for NAME.bin
	local job
	job=$($1 create "$2") && $1 add "$job" "$URL/$2.bin" "$WORK/out/$2.bin" || die "create $2"
	echo "$job"
}
# transfer_cap JOB: the rate_cap_bps of the job's last transfer event.
transfer_cap() {
	grep "bgcopy:transfer:" "$WORK/trace.txt" | grep -F "job = \"$1\"" | tail -1 |
		sed -n 's/.*rate_cap_bps = \([0-9]*\).*/\1/p'
}

start_session "$WORK/trace"
capped=$(new_job bg capped)
bg set-bandwidth "$capped" 100000 || die "set-bandwidth"
free=$(new_job bg free)
bg info "$capped" --json | grep -q '"max_bandwidth": 100000,' || die "the cap is not stored"
rc=0; bg set-bandwidth 1000 2>/dev/null || rc=$?
[ "$rc" = 2 ] || die "an embedded engine's cap: exit $rc, not 2"
rc=0; bg set-bandwidth "$capped" -5 2>/dev/null || rc=$?
[ "$rc" = 2 ] || die "a negative cap: exit $rc, not 2"
for job in "$capped" "$free"; do
	bg resume "$job" && bg wait "$job" || { bg info "$job" >&2; die "job $job did not transfer"; }
	bg complete "$job" > /dev/null || die "complete"
done

# Through bgcopyd, traced: the daemon is started by a traced command.
DSTORE=$WORK/dstore
stop_daemon() { stop_store_daemon "$DSTORE"; }
trap 'stop_daemon; cleanup' EXIT
d() { BGCOPY_EMBEDDED=0 BGCOPY_SERVICE=1 BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR= \
	traced "$BGCOPY" --store "$DSTORE" "$@"; }
live=$(new_job d live)
d set-bandwidth "$live" 50000 || die "set-bandwidth through the daemon"
d resume "$live" || die "resume live"
for _ in $(seq 600); do
	d info "$live" --json | grep -q '"state": "TRANSFERRING"' && break
	sleep 0.1
done
d info "$live" --json | grep -q '"state": "TRANSFERRING"' ||
	die "live is not transferring: $(d info "$live")"
d set-bandwidth "$live" 25000 || die "lowering the cap while it runs"
# The worker applies a cap within a second; then none, to finish.
sleep 1.5
d set-bandwidth "$live" 0 || die "lifting the cap"
d wait "$live" || { d info "$live" >&2; die "live did not transfer"; }

d set-bandwidth 30000 || die "the engine's cap"
fg=$(new_job d fg)
d set-priority "$fg" foreground || die "set-priority"
nrm=$(new_job d nrm)
d resume "$fg" && d resume "$nrm" || die "resume"
d wait "$fg" && d wait "$nrm" || die "fg or nrm did not transfer"
d set-bandwidth 0 || die "lifting the engine's cap"
for job in "$live" "$fg" "$nrm"; do d complete "$job" > /dev/null || die "complete"; done
stop_daemon
stop_session
for f in capped free live fg nrm; do
	cmp -s "$WORK/www/$f.bin" "$WORK/out/$f.bin" || die "$f.bin differs"
done

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q '( "MAX_BANDWIDTH" : container = 17 ), value = "100000"' "$WORK/trace.txt" ||
	die "the trace does not say the cap was set"
[ "$(transfer_cap "$capped")" = 100000 ] || die "capped: rate_cap_bps $(transfer_cap "$capped")"
[ "$(transfer_cap "$free")" = 0 ] || die "free: rate_cap_bps $(transfer_cap "$free")"
# A cap lowered while the transfer ran reached it.
[ "$(transfer_cap "$live")" = 25000 ] || die "live: rate_cap_bps $(transfer_cap "$live"), not 25000"
[ "$(transfer_cap "$fg")" = 0 ] || die "FOREGROUND was capped: $(transfer_cap "$fg")"
cap=$(transfer_cap "$nrm")
[ -n "$cap" ] && [ "$cap" -ge 15000 ] && [ "$cap" -le 30000 ] ||
	die "the engine's cap did not reach a NORMAL job: rate_cap_bps '$cap'"
echo "bandwidth: a job's cap stored, traced and changed while running; the engine's spares FOREGROUND"
