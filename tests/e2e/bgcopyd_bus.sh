# bgcopyd through busctl: the interfaces as docs/org.bgcopy1.xml writes
# them, a download driven over D-Bus, named errors, owner isolation, a
# clean SIGTERM, a restart that finds the job, a stale socket replaced,
# the idle exit (not while a job moves), and a second daemon on the store
# refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
DOC=$(cd "$(dirname "$0")/../.." && pwd)/docs/org.bgcopy1.xml

STORE=$WORK/store

# start_daemon [OPTIONS]: in the foreground of a background job; waits
# until it answers.
start_daemon() {
	"$BGCOPYD" --store "$STORE" --socket "$SOCK" --foreground "$@" 2>>"$WORK/daemon.err" &
	DAEMON_PID=$!
	wait_serving "$DAEMON_PID"
}

# Every interface block the daemon introspects is the one in the doc.
interface_block() { sed -n "/<interface name=\"$1\">/,/<\/interface>/p"; }
same_interface() {
	local iface=$1 object=$2
	bus introspect --xml-interface org.bgcopy1 "$object" | interface_block "$iface" \
		> "$WORK/live.xml"
	interface_block "$iface" < "$DOC" > "$WORK/doc.xml"
	[ -s "$WORK/live.xml" ] || die "$object does not offer $iface"
	diff -u "$WORK/doc.xml" "$WORK/live.xml" || die "$iface differs from docs/org.bgcopy1.xml"
}

# --version: the same version the Manager's Version property gives.
VERSION=$("$BGCOPYD" --version) || die "bgcopyd --version failed"
[[ $VERSION =~ ^bgcopyd\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bgcopyd --version said '$VERSION'"

start_server
make_file payload.bin 300000
URL=http://127.0.0.1:$PORT
start_daemon
[ "$(stat -c %a "$SOCK")" = 600 ] || die "socket mode $(stat -c %a "$SOCK"), not 600"
[ "$(bus get-property org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager Version)" = "s \"${VERSION#bgcopyd }\"" ] ||
	die "Version property differs from --version"

same_interface org.bgcopy1.Manager /org/bgcopy1
JOB=$(manager CreateJob s "over the bus" | path_of)
[[ $JOB =~ ^/org/bgcopy1/job/[0-9a-f_]{36}$ ]] || die "CreateJob answered '$JOB'"
same_interface org.bgcopy1.Job "$JOB"
ID=$(prop "$JOB" Id | sed 's/^s "\(.*\)"$/\1/')
[ "${ID//-/_}" = "${JOB##*/}" ] || die "Id $ID does not match the path $JOB"
[ "$(manager GetJob s "$ID" | path_of)" = "$JOB" ] || die "GetJob does not find $ID"

# Named errors, with bgcopy_last_error() as the message.
expect_error org.bgcopy1.Error.InvalidArgument on_job "$JOB" AddFile ss "gopher://x/y" "$WORK/y"
bus call org.bgcopy1 "$JOB" org.bgcopy1.Job AddFile ss "gopher://x/y" "$WORK/y" 2>&1 |
	grep -q "scheme 'gopher'" || die "the error message is not bgcopy's"
expect_error org.bgcopy1.Error.InvalidArgument on_job "$JOB" AddFile ss "$URL/payload.bin" out.bin
expect_error org.bgcopy1.Error.InvalidArgument on_job "$JOB" SetPriority s urgent
expect_error org.bgcopy1.Error.InvalidState on_job "$JOB" Resume
expect_error org.bgcopy1.Error.NotFound manager GetJob s 00000000-0000-0000-0000-000000000000
expect_error org.bgcopy1.Error.NotFound on_job /org/bgcopy1/job/00000000_0000_0000_0000_000000000000 Resume

# A download over the bus.
mkdir -p "$WORK/out"
on_job "$JOB" SetPriority s high || die "SetPriority"
on_job "$JOB" AddFile ss "$URL/fault/slow:600000/payload.bin" "$WORK/out/payload.bin" || die "AddFile"
on_job "$JOB" Resume || die "Resume"
wait_state "$JOB" TRANSFERRED
[ "$(prop "$JOB" BytesTransferred)" = "t 300000" ] || die "BytesTransferred: $(prop "$JOB" BytesTransferred)"
[ "$(prop "$JOB" FilesTransferred)" = "u 1" ] || die "FilesTransferred: $(prop "$JOB" FilesTransferred)"
[ "$(prop "$JOB" Priority)" = 's "HIGH"' ] || die "Priority: $(prop "$JOB" Priority)"
[ -e "$WORK/out/payload.bin" ] && die "the file is committed before Complete"
on_job "$JOB" Complete || die "Complete"
cmp "$WORK/www/payload.bin" "$WORK/out/payload.bin" || die "the downloaded file differs"
[ "$(prop "$JOB" State)" = 's "ACKNOWLEDGED"' ] || die "State after Complete: $(prop "$JOB" State)"
expect_error org.bgcopy1.Error.InvalidState on_job "$JOB" Complete

# Owner isolation: nobody reaches the socket (opened for this test only)
# and neither sees nor changes root's job.
KEPT=$(manager CreateJob s kept | path_of)
KEPT_ID=$(prop "$KEPT" Id | sed 's/^s "\(.*\)"$/\1/')
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 0711 "$WORK" "$WORK/run"
	chmod 0666 "$SOCK"
	nobody_bus() { as_nobody busctl --address="$ADDR" "$@"; }
	[ "$(nobody_bus call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager ListJobs)" = "a(sssuo) 0" ] ||
		die "nobody lists root's jobs"
	manager ListJobs | grep -q "$KEPT_ID" || die "root does not list its own job"
	expect_error org.bgcopy1.Error.NotFound as_nobody busctl --address="$ADDR" \
		call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager GetJob s "$KEPT_ID"
	for verb in Cancel Resume Complete; do
		expect_error org.bgcopy1.Error.NotFound as_nobody busctl --address="$ADDR" \
			call org.bgcopy1 "$KEPT" org.bgcopy1.Job "$verb"
	done
	expect_error org.bgcopy1.Error.NotFound as_nobody busctl --address="$ADDR" \
		get-property org.bgcopy1 "$KEPT" org.bgcopy1.Job DisplayName
	expect_error org.freedesktop.DBus.Error.AccessDenied as_nobody busctl --address="$ADDR" \
		call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager CreateJob s mine
	[ "$(prop "$KEPT" State)" = 's "SUSPENDED"' ] || die "nobody changed root's job"
	chmod 0700 "$WORK" "$WORK/run"
else
	echo "owner isolation not checked: needs root and a nobody user"
fi

# A second daemon on the store, or on the socket, is refused by name.
"$BGCOPYD" --store "$STORE" --socket "$WORK/run/other" --foreground 2> "$WORK/second.err" &&
	die "a second daemon took the store"
grep -q "store '$STORE' in use by pid $DAEMON_PID" "$WORK/second.err" ||
	die "second daemon on the store: $(cat "$WORK/second.err")"
"$BGCOPYD" --store "$WORK/store2" --socket "$SOCK" --foreground 2> "$WORK/second.err" &&
	die "a second daemon took the socket"
grep -q "socket '$SOCK' is in use by a live daemon, pid $DAEMON_PID" "$WORK/second.err" ||
	die "second daemon on the socket: $(cat "$WORK/second.err")"

# SIGTERM: a clean exit that removes the socket; the store keeps the job
# for the next daemon, started in the background this time.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || die "bgcopyd exited $? on SIGTERM"
DAEMON_PID=
[ -e "$SOCK" ] && die "the socket outlived the daemon"
"$BGCOPYD" --store "$STORE" --socket "$SOCK" 2>> "$WORK/daemon.err" ||
	die "bgcopyd in the background: $(cat "$WORK/daemon.err")"
DAEMON_PID=$(head -n 1 "$STORE/lock")
[ "$(manager GetJob s "$KEPT_ID" | path_of)" = "$KEPT" ] || die "the restarted daemon lost the job"
[ "$(prop "$KEPT" DisplayName)" = 's "kept"' ] || die "DisplayName after restart"

# A job moving keeps an idle daemon up: its file (300 kB at 100 kB/s) is
# cut by the kill below and resumed by the next daemon, which may leave
# only once it is done.
on_job "$KEPT" AddFile ss "$URL/fault/slow:100000/payload.bin" "$WORK/out/kept.bin" ||
	die "AddFile to the kept job"
on_job "$KEPT" Resume || die "Resume the kept job"

# A daemon killed outright leaves its socket file: the next one replaces it.
kill -KILL "$DAEMON_PID"
wait_gone "$DAEMON_PID"
DAEMON_PID=
[ -S "$SOCK" ] || die "no stale socket to replace"
start_daemon --idle-exit 1
grep -q "in use" "$WORK/daemon.err" && die "the stale socket was not replaced"

# Idle exit: once nothing moves and no client stays, it exits by itself.
for _ in $(seq 600); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$DAEMON_PID" 2>/dev/null && die "bgcopyd --idle-exit 1 is still running after 60 s"
wait "$DAEMON_PID" || die "the idle exit was not clean"
DAEMON_PID=
[ -e "$SOCK" ] && die "the socket outlived the idle exit"
[ -s "$WORK/daemon.err" ] && die "bgcopyd complained: $(cat "$WORK/daemon.err")"
# Not before the job it restored stopped moving.
start_daemon
[ "$(prop "$KEPT" State)" = 's "TRANSFERRED"' ] ||
	die "the idle daemon left with the job $(prop "$KEPT" State)"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || die "bgcopyd exited $? on SIGTERM"
DAEMON_PID=
echo "bgcopyd_bus: ok"
