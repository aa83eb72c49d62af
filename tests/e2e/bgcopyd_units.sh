# bgcopyd's systemd units: make install puts a user and a system unit,
# socket-activated, under PREFIX/lib/systemd and make uninstall takes them
# back; bgcopyd serves on a socket passed the way systemd passes it
# (systemd-socket-activate) and leaves that socket file alone; so does
# the system unit's command, bgcopyd --system, which nobody's first
# command starts and which keeps nobody's job in nobody's store.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/bgcopyd_lib.bash"

case $B in
*/asan|*/tsan) echo "units are installed from the plain build only" ;;
*)
	make -s -C "$top" install DESTDIR="$WORK/root" PREFIX=/opt/bgc >/dev/null ||
		die "make install failed"
	units=$WORK/root/opt/bgc/lib/systemd
	for u in user/bgcopyd.socket user/bgcopyd.service system/bgcopyd.socket \
		 system/bgcopyd.service; do
		[ -f "$units/$u" ] || die "$u not installed under PREFIX/lib/systemd"
	done
	grep -qx 'ExecStart=/opt/bgc/bin/bgcopyd --foreground --idle-exit 300' \
		"$units/user/bgcopyd.service" || die "user unit: $(cat "$units/user/bgcopyd.service")"
	grep -qx 'ExecStart=/opt/bgc/bin/bgcopyd --system --foreground --idle-exit 300' \
		"$units/system/bgcopyd.service" || die "system unit: $(cat "$units/system/bgcopyd.service")"
	# Where the units listen is where bgcopyd and its clients look.
	grep -qx 'ListenStream=%t/bgcopy/bus' "$units/user/bgcopyd.socket" || die "user socket path"
	grep -qx 'ListenStream=/run/bgcopy/bus' "$units/system/bgcopyd.socket" || die "system socket path"
	make -s -C "$top" uninstall DESTDIR="$WORK/root" PREFIX=/opt/bgc >/dev/null ||
		die "make uninstall failed"
	left=$(find "$WORK/root" ! -type d)
	[ -z "$left" ] || die "make uninstall left: $left"
	[ -d "$WORK/root/opt/bgc/lib/systemd" ] && die "make uninstall left lib/systemd"
	;;
esac

command -v systemd-socket-activate >/dev/null ||
	{ echo "socket activation not checked: systemd-socket-activate is not installed"; exit 77; }
# No --socket and no XDG_RUNTIME_DIR: the passed socket is all it needs.
env -u XDG_RUNTIME_DIR systemd-socket-activate -l "$SOCK" "$BGCOPYD" --store "$WORK/store" \
	--foreground --idle-exit 1 2>"$WORK/daemon.err" &
PID=$!
trap 'kill "$PID" 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || die "systemd-socket-activate did not listen"
# The first client starts the daemon.
V=$(bus get-property org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager Version) ||
	die "no answer on the passed socket: $(cat "$WORK/daemon.err")"
[ "$V" = "s \"$("$BGCOPYD" --version | cut -d' ' -f2)\"" ] || die "Version: $V"
JOB=$(manager CreateJob s passed | path_of)
[ -n "$JOB" ] || die "CreateJob on the passed socket"
# Idle: it exits, and the socket file stays: it is systemd's.
for _ in $(seq 60); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PID" 2>/dev/null && die "bgcopyd --idle-exit 1 did not exit"
wait "$PID" || die "bgcopyd exited $? after being idle"
[ -S "$SOCK" ] || die "bgcopyd removed the socket systemd passed it"
# systemd-socket-activate's own lines aside, nothing on stderr.
grep -v -e '^Listening on ' -e '^Communication attempt on fd ' -e '^Execing ' "$WORK/daemon.err" &&
	die "bgcopyd complained"

# The system unit's command on /run/bgcopy/bus (private to the tests:
# tests/run.sh), the socket made as its unit makes it.
if [ "$(id -u)" = 0 ] && [ -n "${BGCOPY_TESTS_ISOLATED:-}" ] && id nobody >/dev/null 2>&1; then
	SYS_SOCK=/run/bgcopy/bus
	# A socket left by an earlier test's daemon is stale: none answers it.
	if [ -S "$SYS_SOCK" ]; then
		busctl --address="unix:path=$SYS_SOCK" get-property org.bgcopy1 /org/bgcopy1 \
			org.bgcopy1.Manager Version >/dev/null 2>&1 && die "a bgcopyd serves $SYS_SOCK"
		rm -f "$SYS_SOCK"
	fi
	[ -e "$SYS_SOCK" ] && die "$SYS_SOCK is not a socket"
	systemd-socket-activate -l "$SYS_SOCK" "$BGCOPYD" --system --store "$WORK/system" \
		--foreground --idle-exit 1 2>"$WORK/system.err" &
	PID=$!
	for _ in $(seq 100); do [ -S "$SYS_SOCK" ] && break; sleep 0.05; done
	[ -S "$SYS_SOCK" ] || die "systemd-socket-activate did not listen on $SYS_SOCK"
	chmod 0666 "$SYS_SOCK"	# SocketMode=0666
	runuser -u nobody -- "$BGCOPY" --system create activated >/dev/null ||
		die "nobody's first command did not start bgcopyd --system: $(cat "$WORK/system.err")"
	runuser -u nobody -- "$BGCOPY" --system list | grep -q activated || die "nobody's list"
	[ -f "$WORK/system/users/$(id -u nobody)/jobs.db" ] || die "nobody's job is not in nobody's store"
	for _ in $(seq 600); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$PID" 2>/dev/null && die "bgcopyd --system --idle-exit 1 did not exit"
	wait "$PID" || die "bgcopyd --system exited $? after being idle"
	[ -S "$SYS_SOCK" ] || die "bgcopyd --system removed the socket systemd passed it"
	grep -v -e '^Listening on ' -e '^Communication attempt on fd ' -e '^Execing ' \
		"$WORK/system.err" && die "bgcopyd --system complained"
	rm -f "$SYS_SOCK"
fi
echo "bgcopyd_units: ok"
