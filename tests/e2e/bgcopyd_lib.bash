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
