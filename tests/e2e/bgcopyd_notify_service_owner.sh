# bgcopyd --system calls a job's notify service as the job's owner: for
# nobody's job a child running as nobody calls it on nobody's session bus
# (/run/user/UID/bus, nobody's socket) or else on the system bus, where
# the bus policy applies to nobody; a name the policy forbids to nobody
# is a failed attempt, retried, with a log line; root's jobs are called
# by the daemon itself as before.  Private buses, and a private /run/user
# in a mount namespace of the script's own.
[ "$(id -u)" = 0 ] || { echo "needs root (a system daemon and a second user)"; exit 77; }
# A mount namespace of its own, so that the private /run/user below is
# no other test's.
if [ -z "${BGCOPY_OWNER_NS:-}" ]; then
	BGCOPY_OWNER_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
unset BGCOPY_EMBEDDED
needs_root_and_nobody
command -v dbus-daemon >/dev/null || { echo "dbus-daemon not installed"; exit 77; }
RECEIVER=$B/tools/notify_receiver
[ -x "$RECEIVER" ] || die "$RECEIVER was not built"
NOBODY=$(id -u nobody)
SESSION_PID= SYSTEM_BUS_PID= MUTE_PID=
trap '[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait_gone "$DAEMON_PID"
      [ -n "$MUTE_PID" ] && kill "$MUTE_PID" 2>/dev/null
      [ -n "$SESSION_PID" ] && kill "$SESSION_PID" 2>/dev/null
      [ -n "$SYSTEM_BUS_PID" ] && kill "$SYSTEM_BUS_PID" 2>/dev/null
      cleanup' EXIT
mkdir -p /run/user && mount -t tmpfs -o mode=755 tmpfs /run/user ||
	die "cannot mount a private /run/user"
chmod 0711 "$WORK"
mkdir -m 0777 "$WORK/logs" "$WORK/out"
mkdir "$WORK/session-services" "$WORK/system-services"
# service DIR NAME LOG: the receiver, activated for NAME, logs to LOG.
service() {
	printf '[D-BUS Service]\nName=%s\nExec=%s %s %s\n' "$2" "$RECEIVER" "$2" "$3" \
		> "$1/$2.service"
}
service "$WORK/session-services" org.bgcopy1.test.Owner "$WORK/logs/session.log"
service "$WORK/system-services" org.bgcopy1.test.Owner "$WORK/logs/system.log"
service "$WORK/system-services" org.bgcopy1.test.RootOnly "$WORK/logs/root-only.log"

# Nobody's session bus, run by nobody at /run/user/UID/bus.
mkdir -m 0700 "/run/user/$NOBODY" && chown nobody: "/run/user/$NOBODY"
cat > "$WORK/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=/run/user/$NOBODY/bus</listen>
  <servicedir>$WORK/session-services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
runuser -u nobody -- dbus-daemon --config-file="$WORK/session.conf" --fork --print-pid=4 \
	4>"$WORK/session.pid" || die "nobody's dbus-daemon did not start"
SESSION_PID=$(cat "$WORK/session.pid")

# A system bus whose policy, like a real one's, denies method calls by
# default: anyone may call org.bgcopy1.test.Owner, root alone
# org.bgcopy1.test.RootOnly; bgcopyd may own org.bgcopy1 there.
start_system_bus '<allow send_destination="org.bgcopy1.test.Owner"/>' \
	'<allow own="org.bgcopy1.test.Owner"/>
    <allow own="org.bgcopy1.test.RootOnly"/>
    <allow send_destination="org.bgcopy1.test.RootOnly"/>' "$WORK/system-services"

start_server
make_file a.bin 100000
URL=http://127.0.0.1:$PORT
SOCK=$WORK/system-store.bus
ADDR=unix:path=$SOCK
BGCOPYD_TEST_OPTIONS=1 DBUS_SYSTEM_BUS_ADDRESS=$SYSTEM_BUS ROOT_SECRET=not-for-nobody \
	"$BGCOPYD" --system \
	--store "$WORK/system-store" --socket "$SOCK" --foreground 2>>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"

nbus() { runuser -u nobody -- busctl --address="$ADDR" "$@"; }
# wait_for TEST DESCRIPTION: up to 60 s, for a loaded machine.
wait_for() {
	for _ in $(seq 1200); do eval "$1" && return 0; sleep 0.05; done
	die "$2"
}
# notified_job CREATOR NAME SERVICE: a job created by CREATOR (bus or
# nbus) with one file (added by root: files are written as root), told
# SERVICE, retried each second, resumed; prints its id.
notified_job() {
	local path
	path=$("$1" call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager CreateJob s "$2" | path_of)
	[ -n "$path" ] || die "$1 cannot create $2: $(cat "$WORK/daemon.err")"
	bus call org.bgcopy1 "$path" org.bgcopy1.Job AddFile ss "$URL/a.bin" "$WORK/out/$2.bin" &&
		"$1" call org.bgcopy1 "$path" org.bgcopy1.Job SetNotifyService s "$3" &&
		"$1" call org.bgcopy1 "$path" org.bgcopy1.Job SetMinRetryDelayMs t 1000 &&
		"$1" call org.bgcopy1 "$path" org.bgcopy1.Job Resume >/dev/null ||
		die "setting up $2 failed"
	prop "$path" Id | sed 's/^s "\(.*\)"$/\1/'
}

# Nobody's job: called by nobody on nobody's session bus, which
# activates the receiver as nobody.
job=$(notified_job nbus on-session org.bgcopy1.test.Owner) || exit 1
wait_for 'grep -qx "JobTransferred $job" "$WORK/logs/session.log" 2>/dev/null' \
	"nobody's session bus never got JobTransferred: $(cat "$WORK/daemon.err")"
[ "$(head -n 1 "$WORK/logs/session.log")" = "started uid $NOBODY on the session bus" ] ||
	die "the receiver did not run as nobody: $(cat "$WORK/logs/session.log")"
grep -B 2 -x "JobTransferred $job" "$WORK/logs/session.log" | grep -qx "caller uid $NOBODY" ||
	die "the call was not made by nobody: $(cat "$WORK/logs/session.log")"
# The process calling as nobody, which nobody may inspect, carries none of
# the daemon's environment but what the call needs.
env_line=$(grep -B 1 -x "JobTransferred $job" "$WORK/logs/session.log" | head -n 1)
case "$env_line" in
"caller env "*DBUS_SYSTEM_BUS_ADDRESS*) ;;
*) die "the caller's environment was not read: $env_line" ;;
esac
case "$env_line" in *ROOT_SECRET*|*PATH*) die "root's environment reached nobody: $env_line" ;; esac

# /run/user/UID/bus that is not nobody's socket is not used: the system
# bus is, and it sees nobody calling.
chown root "/run/user/$NOBODY/bus"
job=$(notified_job nbus on-system org.bgcopy1.test.Owner) || exit 1
wait_for 'grep -qx "JobTransferred $job" "$WORK/logs/system.log" 2>/dev/null' \
	"the system bus never got JobTransferred: $(cat "$WORK/daemon.err")"
grep -B 2 -x "JobTransferred $job" "$WORK/logs/system.log" | grep -qx "caller uid $NOBODY" ||
	die "the call on the system bus was not made by nobody: $(cat "$WORK/logs/system.log")"
grep -q "JobTransferred $job" "$WORK/logs/session.log" && die "a socket not nobody's was used"

# A name the system bus's policy keeps from nobody: each attempt fails
# with a line saying so, and is retried; the service never runs.
job=$(notified_job nbus forbidden org.bgcopy1.test.RootOnly) || exit 1
forbidden_lines() {
	grep -c "job $job: JobTransferred to notify service org.bgcopy1.test.RootOnly on the system bus as uid $NOBODY failed: " \
		"$WORK/daemon.err"
}
wait_for '[ "$(forbidden_lines)" -ge 2 ]' \
	"no two failed attempts logged for the forbidden service: $(cat "$WORK/daemon.err")"
[ -e "$WORK/logs/root-only.log" ] && die "nobody had root's service activated"

# Root's own job: the daemon calls as before, as root.
job=$(notified_job bus root-job org.bgcopy1.test.RootOnly) || exit 1
wait_for 'grep -qx "JobTransferred $job" "$WORK/logs/root-only.log" 2>/dev/null' \
	"root's job never reached its service: $(cat "$WORK/daemon.err")"
grep -B 2 -x "JobTransferred $job" "$WORK/logs/root-only.log" | grep -qx "caller uid 0" ||
	die "root's job was not called by root: $(cat "$WORK/logs/root-only.log")"
# A child that hangs is killed at its time limit, with everything it
# started, and the attempt fails and is retried: nobody's session bus
# socket now accepts and never answers, so the child, as nobody, waits
# in sd-bus's authentication (90 s), far past twice the call's timeout.
# A daemon of its own with a short timeout, the store kept.
kill "$DAEMON_PID" && wait_gone "$DAEMON_PID"
kill "$SESSION_PID" && SESSION_PID=
rm -f "/run/user/$NOBODY/bus"
runuser -u nobody -- /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
held = []
while True:
    held.append(s.accept())' "/run/user/$NOBODY/bus" &
MUTE_PID=$!
wait_for '[ -S "/run/user/$NOBODY/bus" ]' "the mute socket never appeared"
BGCOPYD_CALLBACK_TIMEOUT_MS=1000 BGCOPYD_TEST_OPTIONS=1 DBUS_SYSTEM_BUS_ADDRESS=$SYSTEM_BUS \
	"$BGCOPYD" --system \
	--store "$WORK/system-store" --socket "$SOCK" --foreground 2>>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"
job=$(notified_job nbus on-mute org.bgcopy1.test.Owner) || exit 1
killed_lines() {
	grep -c "job $job: JobTransferred to notify service org.bgcopy1.test.Owner as uid $NOBODY took too long: killed" \
		"$WORK/daemon.err"
}
wait_for '[ "$(killed_lines)" -ge 2 ]' \
	"no two hung calls killed and retried: $(cat "$WORK/daemon.err")"
# Each child was killed, not left behind: only the mute listener runs
# as nobody, past the third attempt's start at most.
wait_for '[ "$(pgrep -u nobody -c -f "$BGCOPYD")" -le 1 ]' \
	"hung children of bgcopyd were left running: $(pgrep -u nobody -a)"
# JobTransferred is still owed (BGCOPY_NOTIFY_JOB_TRANSFERRED, 0x1).
pending=$(prop "/org/bgcopy1/job/${job//-/_}" PendingNotifications | cut -d' ' -f2)
(( pending & 1 )) || die "JobTransferred is no longer owed after killed attempts: $pending"
echo "notify services of other owners checks passed"
