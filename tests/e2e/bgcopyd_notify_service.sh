# A job's notify service (BITS' notification CLSID) on a private
# dbus-daemon that activates tests/tools/notify_receiver: with no client
# registered the service gets JobTransferred exactly once; an error is
# retried; a client's interface takes precedence and the service comes
# back when the client goes; the setting survives a restart; bgcopyd owns
# org.bgcopy1 on the bus; with no bus the command line runs; the traced
# daemon PASSes bgcopy-analyze, the service's receipts joined to its
# attempts, and a service that acknowledges what it never ran FAILs; on
# a system bus with the installed policy, bgcopyd --system owns the name
# and only root may call it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
unset BGCOPY_EMBEDDED
command -v dbus-daemon >/dev/null || { echo "dbus-daemon not installed"; exit 77; }
RECEIVER=$B/tools/notify_receiver
[ -x "$RECEIVER" ] || die "$RECEIVER was not built"

STORE=$WORK/store
# Where the bgcopy command looks for the store's daemon.
export XDG_RUNTIME_DIR=
SOCK=$STORE/bgcopyd.bus
ADDR=unix:path=$SOCK
BUS_PID=
SYSTEM_BUS_PID=
trap '[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait_gone "$DAEMON_PID"
      [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
      [ -n "$SYSTEM_BUS_PID" ] && kill "$SYSTEM_BUS_PID" 2>/dev/null
      cleanup' EXIT

bg() { "$BGCOPY" --store "$1" "${@:2}"; }
job_path() { echo "/org/bgcopy1/job/${1//-/_}"; }
epoch() { prop "$(job_path "$1")" NotifyEpoch | cut -d' ' -f2; }
# wait_for TEXT-TEST DESCRIPTION: up to 60 s, for a loaded machine.
wait_for() {
	for _ in $(seq 1200); do eval "$1" && return 0; sleep 0.05; done
	die "$2"
}
# start_daemon STORE [NAME=VALUE...]: in that environment; waits until
# it answers.
start_daemon() {
	env BGCOPYD_TEST_OPTIONS=1 "${@:2}" "$BGCOPYD" --store "$1" --socket "$1/bgcopyd.bus" \
		--foreground 2>>"$WORK/daemon.err" &
	DAEMON_PID=$!
	ADDR=unix:path=$1/bgcopyd.bus wait_serving "$DAEMON_PID"
}
stop_daemon() {
	kill "$DAEMON_PID" && wait "$DAEMON_PID" || die "bgcopyd did not exit cleanly"
	DAEMON_PID=
}
# resumed_job NAME URL SERVICE: a job NAME of URL, its notify service
# SERVICE, resumed; prints its id.
resumed_job() {
	local job
	job=$(bg "$STORE" create "$1") || die "create failed"
	bg "$STORE" add "$job" "$2" "$WORK/out/$1.bin" &&
		bg "$STORE" set-notify-service "$job" "$3" &&
		bg "$STORE" resume "$job" || die "setting up the $1 job failed"
	echo "$job"
}
# wait_called SERVICE MEMBER JOB: until SERVICE logged MEMBER for JOB.
wait_called() {
	wait_for "grep -q '^$2 $3\$' '$WORK/$1.log' 2>/dev/null" "$1 never got $2 for $3"
}

start_server
make_file a.bin 200000
URL=http://127.0.0.1:$PORT
mkdir -p "$WORK/out" "$WORK/services"

# No bus: the daemon says so once, serves the socket, and a job with a
# service runs its command line as before.
start_daemon "$WORK/nobus" DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/no-bus"
job=$(bg "$WORK/nobus" create plain) || die "create without a bus failed"
bg "$WORK/nobus" add "$job" "$URL/a.bin" "$WORK/out/plain.bin" &&
	bg "$WORK/nobus" set-notify-service "$job" org.bgcopy1.test.Ok &&
	bg "$WORK/nobus" set-notify-cmd "$job" /usr/bin/touch "$WORK/cmdline-ran" &&
	bg "$WORK/nobus" resume "$job" || die "setting up the job without a bus failed"
wait_for '[ -e "$WORK/cmdline-ran" ]' "the command line did not run without a bus"
[ "$(grep -c 'no session bus' "$WORK/daemon.err")" = 1 ] ||
	die "not one line about the missing bus: $(cat "$WORK/daemon.err")"
stop_daemon

# A private session bus (its socket in /tmp, where nobody can reach
# it); its service files activate the receiver.
# service NAME [FAILURES [unseen]]
service() {
	printf '[D-BUS Service]\nName=%s\nExec=%s %s %s %s\n' "$1" "$RECEIVER" "$1" \
		"$WORK/$1.log" "${*:2}" > "$WORK/services/$1.service"
}
service org.bgcopy1.test.Ok 0
service org.bgcopy1.test.Failing 2
service org.bgcopy1.test.Unseen 0 unseen
# One whose program never takes its name: every activation fails.
printf '[D-BUS Service]\nName=org.bgcopy1.test.Broken\nExec=/bin/false\n' \
	> "$WORK/services/org.bgcopy1.test.Broken.service"
cat > "$WORK/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <auth>EXTERNAL</auth>
  <listen>unix:tmpdir=/tmp</listen>
  <servicedir>$WORK/services</servicedir>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
# The receivers it activates trace their receipts, registered with the
# session daemon before their first event however loaded the machine.
LTTNG_UST_REGISTER_TIMEOUT=-1 traced dbus-daemon --config-file="$WORK/bus.conf" --fork --print-address=3 --print-pid=4 \
	3>"$WORK/bus.address" 4>"$WORK/bus.pid" || die "dbus-daemon did not start"
BUS_PID=$(cat "$WORK/bus.pid")
export DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$WORK/bus.address")

start_sessiond
start_session "$WORK/trace"
start_daemon "$STORE" BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1
busctl --address="$DBUS_SESSION_BUS_ADDRESS" list --no-legend |
	awk -v pid="$DAEMON_PID" '$1 == "org.bgcopy1" && $2 == pid { found = 1 } END { exit !found }' ||
	die "org.bgcopy1 is not bgcopyd's on the bus: $(busctl --address="$DBUS_SESSION_BUS_ADDRESS" list)"
[ "$(busctl --address="$DBUS_SESSION_BUS_ADDRESS" get-property org.bgcopy1 /org/bgcopy1 \
	org.bgcopy1.Manager Version)" = "s \"1.0.0\"" ] || die "the bus does not serve the Manager"
# Another uid reaches the name (this bus lets anyone send anything) and
# is refused: the daemon serves its own user there.
if id nobody >/dev/null 2>&1; then
	expect_error org.freedesktop.DBus.Error.AccessDenied runuser -u nobody -- \
		busctl --address="$DBUS_SESSION_BUS_ADDRESS" call org.bgcopy1 /org/bgcopy1 \
		org.bgcopy1.Manager ListJobs
else
	echo "another uid on the bus not checked: no nobody user"
fi

# The property: validated, shown, cleared.
ok=$(bg "$STORE" create ok) || die "create failed"
expect_exit 2 bg "$STORE" set-notify-service "$ok" ':1.5'
grep -q "not a well-known D-Bus name" "$WORK/last.err" || die "a unique name was taken: $(cat "$WORK/last.err")"
bg "$STORE" set-notify-service "$ok" org.bgcopy1.test.Gone && bg "$STORE" clear-notify-service "$ok" ||
	die "set and clear failed"
bg "$STORE" info "$ok" | grep -q 'notify service' && die "a cleared service is still shown"

# No client: the service is activated and told once.
bg "$STORE" add "$ok" "$URL/a.bin" "$WORK/out/ok.bin" &&
	bg "$STORE" set-notify-service "$ok" org.bgcopy1.test.Ok || die "setting up the job failed"
bg "$STORE" info "$ok" | grep -qx '  notify service org.bgcopy1.test.Ok' || die "info does not show the service"
bg "$STORE" resume "$ok" || die "resume failed"
wait_for 'grep -q "^JobTransferred $ok\$" "$WORK/org.bgcopy1.test.Ok.log" 2>/dev/null' \
	"the service never got JobTransferred"
bg "$STORE" complete "$ok" || die "complete failed"
cmp "$WORK/www/a.bin" "$WORK/out/ok.bin" || die "ok.bin differs"
[ "$(grep -c "$ok" "$WORK/org.bgcopy1.test.Ok.log")" = 1 ] ||
	die "the service was called more than once: $(cat "$WORK/org.bgcopy1.test.Ok.log")"

# JobError reaches it too, with the error's details.
broken=$(resumed_job broken "$URL/missing.bin" org.bgcopy1.test.Ok) || exit 1
wait_called org.bgcopy1.test.Ok JobError "$broken"
bg "$STORE" cancel "$broken" || die "cancel failed"

# A service answering with an error: retried after the retry delay.
failing=$(bg "$STORE" create failing) || die "create failed"
bg "$STORE" add "$failing" "$URL/a.bin" "$WORK/out/failing.bin" &&
	bg "$STORE" set-notify-service "$failing" org.bgcopy1.test.Failing &&
	on_job "$(job_path "$failing")" SetMinRetryDelayMs t 1000 &&
	bg "$STORE" resume "$failing" || die "setting up the failing job failed"
wait_for 'grep -q "^JobTransferred $failing\$" "$WORK/org.bgcopy1.test.Failing.log" 2>/dev/null' \
	"the failing service was not retried until it answered"
[ "$(grep -c "^JobTransferred $failing failed\$" "$WORK/org.bgcopy1.test.Failing.log")" = 2 ] ||
	die "expected two failed attempts: $(cat "$WORK/org.bgcopy1.test.Failing.log")"
bg "$STORE" complete "$failing" || die "complete failed"

# The service before the command line: when the call fails (here the
# service cannot be started) the command line takes the notification over.
handed=$(bg "$STORE" create handed) || die "create failed"
bg "$STORE" add "$handed" "$URL/a.bin" "$WORK/out/handed.bin" &&
	bg "$STORE" set-notify-service "$handed" org.bgcopy1.test.Broken &&
	bg "$STORE" set-notify-cmd "$handed" /usr/bin/touch "$WORK/handed-over" &&
	on_job "$(job_path "$handed")" SetMinRetryDelayMs t 1000 &&
	bg "$STORE" resume "$handed" || die "setting up the handed-over job failed"
wait_for '[ -e "$WORK/handed-over" ]' "the command line did not take over from a failed service"
bg "$STORE" complete "$handed" || die "complete failed"

# A client's interface takes precedence: setting the service while it is
# registered starts no epoch; when the client goes, the service is back.
held=$(bg "$STORE" create held) || die "create failed"
bg "$STORE" add "$held" "$URL/fault/503/held.bin" "$WORK/out/held.bin" &&
	bg "$STORE" set-notify-service "$held" org.bgcopy1.test.Ok &&
	bg "$STORE" resume "$held" || die "setting up the held job failed"
before=$(epoch "$held")
"$BGCOPY" --store "$STORE" wait "$held" > /dev/null 2>&1 &
waiter=$!
wait_for '[ "$(epoch "$held")" = $((before + 1)) ]' "the client's interface did not replace the service's"
bg "$STORE" set-notify-service "$held" org.bgcopy1.test.Failing || die "set-notify-service failed"
[ "$(epoch "$held")" = $((before + 1)) ] || die "setting the service replaced the client's interface"
kill -9 "$waiter"
wait_for '[ "$(epoch "$held")" = $((before + 2)) ]' "the service did not take over from the client that went (epoch $before, now $(epoch "$held"))"
bg "$STORE" cancel "$held" || die "cancel failed"

# The setting survives a restart, and the service is the job's interface
# again: what it is owed goes there.
kept=$(bg "$STORE" create kept) || die "create failed"
bg "$STORE" add "$kept" "$URL/a.bin" "$WORK/out/kept.bin" &&
	bg "$STORE" set-notify-service "$kept" org.bgcopy1.test.Ok || die "setting up the kept job failed"
stop_daemon
start_daemon "$STORE" BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1
bg "$STORE" info "$kept" | grep -qx '  notify service org.bgcopy1.test.Ok' ||
	die "the service did not survive a restart"
bg "$STORE" resume "$kept" || die "resume after the restart failed"
wait_for 'grep -q "^JobTransferred $kept\$" "$WORK/org.bgcopy1.test.Ok.log"' \
	"the service got nothing after the restart"
bg "$STORE" complete "$kept" || die "complete failed"
stop_daemon

# System mode on a private system bus whose policy is the one make
# install puts in share/dbus-1/system.d: the bus lets root own and call
# org.bgcopy1 (and nobody else, as its defaults deny every call).
start_system_bus
DBUS_SYSTEM_BUS_ADDRESS=$SYSTEM_BUS "$BGCOPYD" --system --store "$WORK/system-store" \
	--socket "$WORK/system-store.bus" --foreground 2>>"$WORK/daemon.err" &
DAEMON_PID=$!
ADDR=unix:path=$WORK/system-store.bus wait_serving "$DAEMON_PID"
busctl --address="$SYSTEM_BUS" list --no-legend |
	awk -v pid="$DAEMON_PID" '$1 == "org.bgcopy1" && $2 == pid { found = 1 } END { exit !found }' ||
	die "bgcopyd --system does not own org.bgcopy1 under the policy: $(cat "$WORK/daemon.err")"
busctl --address="$SYSTEM_BUS" call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager ListJobs \
	>/dev/null || die "root cannot call bgcopyd on the system bus"
if id nobody >/dev/null 2>&1; then
	expect_error org.freedesktop.DBus.Error.AccessDenied runuser -u nobody -- \
		busctl --address="$SYSTEM_BUS" call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager ListJobs
fi
stop_daemon
kill "$SYSTEM_BUS_PID"
SYSTEM_BUS_PID=

stop_session
bt "$WORK/trace" | grep -qF '( "NOTIFY_SERVICE" : container = 12 ), value = "org.bgcopy1.test.Ok"' ||
	die "no NOTIFY_SERVICE property_change in the trace"
"$ANALYZE" "$WORK/trace" > "$WORK/verdict.txt" ||
	die "bgcopy-analyze did not PASS the daemon's trace: $(cat "$WORK/verdict.txt")"
grep -q '^verdict: PASS' "$WORK/verdict.txt" || die "no PASS: $(cat "$WORK/verdict.txt")"
# The handed-over job: its service was called first, and failed.
"$ANALYZE" --timeline --job="$handed" "$WORK/trace" > "$WORK/handed.txt" ||
	die "no timeline of the handed-over job"
failed=$(grep -n 'callback JOB_TRANSFERRED .* -> -1 ' "$WORK/handed.txt" | head -n 1 | cut -d: -f1)
ran=$(grep -n 'cmdline run JOB_TRANSFERRED' "$WORK/handed.txt" | head -n 1 | cut -d: -f1)
[ -n "$failed" ] && [ -n "$ran" ] && [ "$failed" -lt "$ran" ] ||
	die "the command line did not follow a failed call to the service: $(cat "$WORK/handed.txt")"
# The service's receipt joins the daemon's attempt: forwarded to the
# process that owned the name, received and answered there.
"$ANALYZE" --timeline --job="$ok" "$WORK/trace" > "$WORK/ok.txt" || die "no timeline of the ok job"
pid=$(sed -En 's/.*forwarded JOB_TRANSFERRED .* to pid ([0-9]+).*/\1/p' "$WORK/ok.txt" | head -n 1)
[ -n "$pid" ] && grep -qE "client pid $pid received JOB_TRANSFERRED arming [0-9]+ attempt 1" "$WORK/ok.txt" &&
	grep -qE "client pid $pid returned JOB_TRANSFERRED arming [0-9]+ attempt 1 .* -> 0" "$WORK/ok.txt" ||
	die "the service's receipt is not joined to the attempt: $(cat "$WORK/ok.txt")"

# A service that answers 0 and never ran the callback is caught.
start_session "$WORK/unseen-trace"
start_daemon "$STORE" BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1
unseen=$(resumed_job unseen "$URL/a.bin" org.bgcopy1.test.Unseen) || exit 1
wait_called org.bgcopy1.test.Unseen JobTransferred "$unseen"
bg "$STORE" complete "$unseen" || die "complete failed"
stop_daemon
stop_session
bt "$WORK/unseen-trace" | grep -q 'bgcopy:client_open' ||
	die "the unseen receiver's client_open is not in its trace"
"$ANALYZE" "$WORK/unseen-trace" > "$WORK/unseen.txt"
rc=$?
[ $rc = 1 ] && grep -q "acknowledged but never received" "$WORK/unseen.txt" ||
	die "a service that never ran the callback was not caught (exit $rc): $(cat "$WORK/unseen.txt")"
echo "notify service checks passed"
