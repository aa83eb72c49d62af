# Shared by the bgcopyd_*.sh scripts after lib.sh: busctl on $ADDR, the
# object path and the D-Bus error name a call gave, a job's state.
BGCOPYD=$B/bin/bgcopyd
command -v busctl >/dev/null || { echo "busctl not installed"; exit 77; }
[ -x "$BGCOPYD" ] || die "$BGCOPYD was not built"

# A private socket by default; the daemon in DAEMON_PID stops at exit.
SOCK=$WORK/run/bus
ADDR=unix:path=$SOCK
DAEMON_PID=
mkdir -m 0700 "$WORK/run"
trap '[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait_gone "$DAEMON_PID"
      cleanup' EXIT

bus() { busctl --address="$ADDR" "$@"; }
manager() { bus call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager "$@"; }
on_job() { local path=$1; shift; bus call org.bgcopy1 "$path" org.bgcopy1.Job "$@"; }
prop() { bus get-property org.bgcopy1 "$1" org.bgcopy1.Job "$2"; }
# The object path a call printed: o "/org/bgcopy1/job/..."
path_of() { sed -n 's/^o "\(.*\)"$/\1/p'; }
# The D-Bus error name a failing call got (busctl prints only the message).
error_of() {
	SYSTEMD_LOG_LEVEL=debug "$@" 2>&1 >/dev/null |
		sed -n 's/.*type=error .* error-name=\([^ ]*\) .*/\1/p' | tail -n 1
}
expect_error() {
	local want=$1 got; shift
	got=$(error_of "$@")
	[ "$got" = "$want" ] || die "'$*' failed with '$got', expected $want"
}
# wait_state PATH STATE: within 10 s.
wait_state() {
	for _ in $(seq 200); do
		[ "$(prop "$1" State)" = "s \"$2\"" ] && return 0
		sleep 0.05
	done
	die "job $1 is $(prop "$1" State), not $2"
}
# wait_serving PID: until the daemon answers on $ADDR, or dies.
wait_serving() {
	for _ in $(seq 100); do
		bus get-property org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager Version \
			>/dev/null 2>&1 && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	die "bgcopyd did not start: $(cat "$WORK/daemon.err" 2>/dev/null)"
}

# start_system_bus [DEFAULT_RULES] [ROOT_RULES] [SERVICEDIR]: a private
# dbus-daemon of type system whose default policy denies method calls as
# a real one's does, plus the policy make install puts in
# share/dbus-1/system.d; sets SYSTEM_BUS_PID (the caller's EXIT trap
# stops it) and SYSTEM_BUS (its address).
start_system_bus() {
	local root_rules= servicedir=

	[ -n "${2-}" ] && root_rules="<policy user=\"root\">$2</policy>"
	[ -n "${3-}" ] && servicedir="<servicedir>$3</servicedir>"

	cat > "$WORK/system.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:tmpdir=/tmp</listen>
  $servicedir
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    ${1-}
  </policy>
  $root_rules
  <include>$(cd "$(dirname "$0")/../.." && pwd)/tracer/daemon/dbus/org.bgcopy1.conf</include>
</busconfig>
CONF
	dbus-daemon --config-file="$WORK/system.conf" --fork --print-address=3 --print-pid=4 \
		3>"$WORK/system.address" 4>"$WORK/system.pid" || die "the system dbus-daemon did not start"
	SYSTEM_BUS_PID=$(cat "$WORK/system.pid")
	SYSTEM_BUS=$(head -n 1 "$WORK/system.address")
}

# needs_root_and_nobody: the script skips (77) unless it can run a system
# daemon as root and act as a second user, nobody (as_nobody CMD...).
needs_root_and_nobody() {
	[ "$(id -u)" = 0 ] || { echo "needs root (a system daemon and a second user)"; exit 77; }
	id nobody >/dev/null 2>&1 && command -v runuser >/dev/null ||
		{ echo "needs a nobody user and runuser"; exit 77; }
}
as_nobody() { runuser -u nobody -- "$@"; }

# ---- bgcopyd --system, reached by nobody (after needs_root_and_nobody) ----
nbus() { as_nobody busctl --address="$ADDR" "$@"; }
nmanager() { nbus call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager "$@"; }
njob() { local path=$1; shift; nbus call org.bgcopy1 "$path" org.bgcopy1.Job "$@"; }
# use_system_socket: $ADDR is the system daemon's socket; the script
# skips (77) while another system daemon serves it.
use_system_socket() {
	SOCK=/run/bgcopy/bus
	ADDR=unix:path=$SOCK
	if [ -S "$SOCK" ] && bus get-property org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager \
		Version >/dev/null 2>&1; then
		echo "a bgcopyd already serves $SOCK"; exit 77
	fi
}
# start_system_daemon: bgcopyd --system on the store $WORK/store, its
# errors in $WORK/daemon.err, until nobody gets an answer;
# stop_system_daemon: SIGTERM, and it must exit 0.
start_system_daemon() {
	"$BGCOPYD" --system --store "$WORK/store" --foreground 2>>"$WORK/daemon.err" &
	DAEMON_PID=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && nmanager ListJobs >/dev/null 2>&1 && break; sleep 0.05; done
	nmanager ListJobs >/dev/null || die "bgcopyd --system did not start: $(cat "$WORK/daemon.err")"
}
stop_system_daemon() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || die "bgcopyd exited $? on SIGTERM"
	DAEMON_PID=
}
