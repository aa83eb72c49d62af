# The engine's bandwidth schedule (BITS' bandwidth policy by hour and
# weekday), set through bgcopyd by root: a window holding now caps a
# NORMAL job's transfer (its rate_cap_bps), a schedule whose windows are
# all on other days leaves the engine's own cap in force, a bad schedule
# is refused naming its entry, an embedded engine refuses to keep one.
# Behaviour only: how fast is make bench's business.
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file now.bin 100000
make_file other.bin 100000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
DSTORE=$WORK/dstore
stop_daemon() { stop_store_daemon "$DSTORE"; }
trap 'stop_daemon; cleanup' EXIT
d() { BGCOPY_EMBEDDED=0 BGCOPY_SERVICE=1 BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR= \
	traced "$BGCOPY" --store "$DSTORE" "$@"; }
new_job() {	# NAME: a job for NAME.bin
	local job
	job=$(d create "$1") && d add "$job" "$URL/$1.bin" "$WORK/out/$1.bin" || die "create $1"
	echo "$job"
}
# transfer_cap JOB: the rate_cap_bps of the job's last transfer event.
transfer_cap() {
	grep "bgcopy:transfer:" "$WORK/trace.txt" | grep -F "job = \"$1\"" | tail -1 |
		sed -n 's/.*rate_cap_bps = \([0-9]*\).*/\1/p'
}

expect_exit 2 env BGCOPY_EMBEDDED=1 "$BGCOPY" --store "$WORK/store" \
	set-bandwidth-schedule '* 0-24 1000'
grep -q "through bgcopyd" "$WORK/last.err" || die "embedded: $(cat "$WORK/last.err")"

start_session "$WORK/trace"
for bad in 'mon-fri 18-8 5' 'xyz 0-24 5' 'mon 0-25 5' 'mon 0-24 -5' 'mon 0-24' 'mon 1-2 3 4'; do
	expect_exit 2 d set-bandwidth-schedule "$bad"
	grep -q "bandwidth schedule entry 1" "$WORK/last.err" ||
		die "'$bad': $(cat "$WORK/last.err")"
done
d set-bandwidth-schedule 'mon-fri 8-18 2000000; sat,sun 0-24 0; fri-mon 0-1 7' ||
	die "set-bandwidth-schedule"
d bandwidth > "$WORK/shown.txt" || die "bandwidth"
grep -qF "schedule 'mon,tue,wed,thu,fri 8-18 2000000; sun,sat 0-24 0; sun,mon,fri,sat 0-1 7'" \
	"$WORK/shown.txt" || die "the schedule shown: $(cat "$WORK/shown.txt")"

# A window holding now: the job's transfer runs under it.
d set-bandwidth-schedule '* 0-24 40000' || die "an all-week schedule"
now=$(new_job now)
d resume "$now" && d wait "$now" > /dev/null || { d info "$now" >&2; die "now did not transfer"; }

# Windows only on the days that are neither yesterday, today nor
# tomorrow: the engine's own cap is in force.
names=(sun mon tue wed thu fri sat)
today=$(date +%w)
days=
for k in 2 3 4 5; do days=${days:+$days,}${names[$(( (today + k) % 7 ))]}; done
d set-bandwidth 30000 || die "the engine's cap"
d set-bandwidth-schedule "$days 0-24 40000" || die "a schedule of other days"
other=$(new_job other)
d resume "$other" && d wait "$other" > /dev/null || { d info "$other" >&2; die "other did not transfer"; }
d set-bandwidth-schedule --clear || die "--clear"
d set-bandwidth 0 || die "lifting the engine's cap"
d bandwidth | grep -qF "engine cap 0 B/s (0: none), schedule ''" || die "not cleared: $(d bandwidth)"
for job in "$now" "$other"; do d complete "$job" > /dev/null || die "complete"; done
stop_daemon
stop_session
for f in now other; do
	cmp -s "$WORK/www/$f.bin" "$WORK/out/$f.bin" || die "$f.bin differs"
done

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
[ "$(transfer_cap "$now")" = 40000 ] || die "now: rate_cap_bps $(transfer_cap "$now"), not 40000"
[ "$(transfer_cap "$other")" = 30000 ] ||
	die "other days: rate_cap_bps $(transfer_cap "$other"), not the engine's 30000"
echo "bandwidth schedule: a window holding now caps, other days leave the engine's cap, bad ones refused"
