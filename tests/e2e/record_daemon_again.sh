# bgcopy record again and again through one long-lived bgcopyd: each
# recording starts and stops a session daemon of its own, with which the
# daemon's lttng-ust registers anew on its own thread, seconds after the
# recorded command asked it to trace (EnableTracing).  Every recording
# holds the daemon's events of its download, judged PASS.  A daemon that
# no session of the recording can reach says so, after its wait, and the
# recorded command works on.
export BGCOPY_EMBEDDED=0
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED BGCOPY_SOCKET
export BGCOPYD_IDLE_EXIT=120

STORE=$WORK/store
SOCK=$STORE/bgcopyd.bus
export XDG_RUNTIME_DIR=
daemon_pid() { [ -S "$SOCK" ] && head -n 1 "$STORE/lock" 2>/dev/null; }
trap 'pid=$(daemon_pid) && kill "$pid" 2>/dev/null && wait_gone "$pid"; cleanup' EXIT

command -v lttng-sessiond >/dev/null || { echo "lttng-sessiond not installed"; exit 77; }
lttng list >/dev/null 2>&1 &&
	{ echo "a session daemon runs already: the recordings would not start theirs"; exit 77; }
start_server
make_file a.iso 300000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT

# A plain command starts the daemon, untraced.
"$BGCOPY" --store "$STORE" download "$URL/a.iso" "$WORK/out/plain.iso" >/dev/null ||
	die "a download through the daemon"
pid=$(daemon_pid) || die "no daemon after a plain command"

for i in 1 2 3 4; do
	"$BGCOPY" record -o "$WORK/t$i" --check -- "$BGCOPY" --store "$STORE" \
		download "$URL/a.iso" "$WORK/out/a$i.iso" > "$WORK/t$i.out" 2> "$WORK/t$i.err"
	rc=$?
	[ $rc = 0 ] || die "recording $i: exit $rc: $(cat "$WORK/t$i.out" "$WORK/t$i.err")"
	[ "$(daemon_pid)" = "$pid" ] && kill -0 "$pid" ||
		die "recording $i did not go through the first daemon (pid $pid)"
	grep -q '^verdict: PASS (0 failed, 0 inconclusive, 1 passed)' "$WORK/t$i.out" ||
		die "recording $i: not one job passed: $(cat "$WORK/t$i.out")"
	grep -q 'does not trace' "$WORK/t$i.err" && die "recording $i: $(cat "$WORK/t$i.err")"
	lttng list >/dev/null 2>&1 && die "recording $i left a session daemon running"
	echo "ok recording $i: its own session daemon, the daemon's events of its job, PASS"
done

# A daemon with a /run/lttng and /dev/shm of its own never sees the
# recording's session daemon: after BGCOPY_TRACE_WAIT_MS it answers that
# no session records it, and the command says so in one line and works on.
HIDDEN=$WORK/hidden
mkdir -p "$HIDDEN" "$WORK/lttng-home"
unshare -m --propagation private env LTTNG_HOME="$WORK/lttng-home" sh -c '
mount -t tmpfs -o mode=755 tmpfs /run/lttng && mount -t tmpfs -o mode=1777 tmpfs /dev/shm &&
exec "$0" --store "$1" --socket "$1/bgcopyd.bus" --idle-exit 120' \
	"$B/bin/bgcopyd" "$HIDDEN" || die "a daemon in a mount namespace of its own"
hidden=$(cat "$HIDDEN/lock")
"$BGCOPY" record -o "$WORK/hidden-trace" -- "$BGCOPY" --store "$HIDDEN" create unseen \
	> "$WORK/hidden.out" 2> "$WORK/hidden.err"
rc=$?
kill "$hidden" && wait_gone "$hidden"
[ $rc = 0 ] && grep -Eq '^[0-9a-f-]{36}$' "$WORK/hidden.out" ||
	die "a command beside a daemon no session records: exit $rc: $(cat "$WORK/hidden.err")"
[ "$(grep -c "does not trace this process's jobs: no tracing session of uid $(id -u) records bgcopyd (pid $hidden)" \
	"$WORK/hidden.err")" = 1 ] || die "not one line saying why: $(cat "$WORK/hidden.err")"
echo "ok a daemon no session reaches: one line, and the command works on"
echo "record daemon again ok"
