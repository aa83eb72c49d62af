# bgcopyd --system with a real second user: nobody reaches only nobody's
# jobs through /run/bgcopy/bus, and gets a named error for root's; root
# lists every user's jobs; nobody's command line runs as nobody; the
# per-user and per-machine job limits; TakeOwnership drops the previous
# owner's command line; bgcopy list --all-users; each owner's jobs in a
# store of their own that only root may read, a job taken moving to root's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
needs_root_and_nobody

SOCK=/run/bgcopy/bus
ADDR=unix:path=$SOCK
NOBODY=$(id -u nobody)
# stored_in UID ID: 1 when the job is in UID's store, else 0.
stored_in() {
	/usr/bin/python3 - "$WORK/store/users/$1/jobs.db" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT COUNT(*) FROM jobs WHERE id = ?", (sys.argv[2],)).fetchone()[0])
PY
}

# Another system daemon on this machine is left alone.
if [ -S "$SOCK" ] && bus get-property org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager Version \
	>/dev/null 2>&1; then
	echo "a bgcopyd already serves $SOCK"; exit 77
fi
start_server
make_file payload.bin 100000
URL=http://127.0.0.1:$PORT
chmod 0711 "$WORK"
mkdir -m 0777 "$WORK/cmd"
mkdir "$WORK/out"

# --system is for root only, and the run directory must be root's.
as_nobody "$BGCOPYD" --system --foreground 2>"$WORK/refused.err" && die "nobody ran --system"
grep -q -- "--system runs as root" "$WORK/refused.err" || die "refusal: $(cat "$WORK/refused.err")"
"$BGCOPYD" --system --store "$WORK/store" --foreground --max-jobs-per-user 3 --max-jobs 5 \
	2>"$WORK/daemon.err" &
DAEMON_PID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && nmanager ListJobs >/dev/null 2>&1 && break; sleep 0.05; done
[ "$(stat -c '%U %a' /run/bgcopy)" = "root 755" ] || die "/run/bgcopy is $(stat -c '%U %a' /run/bgcopy)"
[ "$(stat -c %a "$SOCK")" = 666 ] || die "socket mode $(stat -c %a "$SOCK")"

# Root's job does not exist for nobody.
ROOTJOB=$(manager CreateJob s root-job | path_of)
ROOT_ID=$(prop "$ROOTJOB" Id | sed 's/^s "\(.*\)"$/\1/')
[ "$(nmanager ListJobs)" = "a(sssuo) 0" ] || die "nobody lists root's job"
expect_error org.bgcopy1.Error.NotFound nmanager GetJob s "$ROOT_ID"
for verb in Cancel Resume Suspend Complete TakeOwnership; do
	expect_error org.bgcopy1.Error.NotFound nbus call org.bgcopy1 "$ROOTJOB" org.bgcopy1.Job "$verb"
done
expect_error org.bgcopy1.Error.NotFound nbus call org.bgcopy1 "$ROOTJOB" org.bgcopy1.Job \
	SetNotifyCmdline as 1 /bin/true
# Nor may nobody register on it, a callback object or a notify service.
expect_error org.bgcopy1.Error.NotFound nbus call org.bgcopy1 "$ROOTJOB" org.bgcopy1.Job \
	SetNotifyInterface o /org/example/callback
expect_error org.bgcopy1.Error.NotFound nbus call org.bgcopy1 "$ROOTJOB" org.bgcopy1.Job \
	SetNotifyService s org.example.Receiver
expect_error org.bgcopy1.Error.NotFound nbus get-property org.bgcopy1 "$ROOTJOB" org.bgcopy1.Job Owner
expect_error org.freedesktop.DBus.Error.AccessDenied nmanager ListAllUsersJobs

# Nobody's job is nobody's; root sees it among every user's.
NJOB=$(nmanager CreateJob s nobody-job | path_of)
[ -n "$NJOB" ] || die "nobody cannot create a job: $(cat "$WORK/daemon.err")"
[ "$(prop "$NJOB" Owner)" = "u $NOBODY" ] || die "Owner of nobody's job: $(prop "$NJOB" Owner)"
nmanager ListJobs | grep -q nobody-job || die "nobody does not list its job"
manager ListJobs | grep -q nobody-job && die "root's ListJobs holds nobody's job"
manager ListAllUsersJobs | grep root-job | grep -q nobody-job ||
	die "ListAllUsersJobs: $(manager ListAllUsersJobs)"
NJOB_ID=$(prop "$NJOB" Id | sed 's/^s "\(.*\)"$/\1/')

# Signals: nobody's connection hears its own job change, never root's,
# which changes all the while.
( for i in $(seq 40); do
	bus call org.bgcopy1 "$ROOTJOB" org.bgcopy1.Job SetNotifyFlags u $((i % 2 + 1)) >/dev/null
	sleep 0.1
  done ) &
FLIPS=$!
as_nobody "$B/tools/bgcopyd_watch" "$ADDR" "$NJOB" --all-jobs --call SetNotifyFlags --call-u 1 \
	--until-property NotifyFlags --quiet-ms 2000 > "$WORK/nobody.signals" ||
	die "nobody's watch failed: $(cat "$WORK/nobody.signals")"
wait "$FLIPS" || die "root's flag changes failed"
grep -q " $NJOB NotifyFlags=1" "$WORK/nobody.signals" ||
	die "nobody did not hear its own job: $(cat "$WORK/nobody.signals")"
grep -q "$ROOTJOB" "$WORK/nobody.signals" && die "nobody heard root's job: $(grep "$ROOTJOB" "$WORK/nobody.signals" | head -3)"
[ "$(prop "$ROOTJOB" NotifyFlags)" = "u 1" ] || die "root's job did not change meanwhile"
for dir in users users/0 "users/$NOBODY"; do
	[ "$(stat -c '%U %a' "$WORK/store/$dir")" = "root 700" ] ||
		die "store/$dir is $(stat -c '%U %a' "$WORK/store/$dir")"
done
[ "$(stored_in "$NOBODY" "$NJOB_ID")$(stored_in 0 "$NJOB_ID")" = 10 ] ||
	die "nobody's job is not in nobody's store alone"
[ "$(stored_in 0 "$ROOT_ID")$(stored_in "$NOBODY" "$ROOT_ID")" = 10 ] ||
	die "root's job is not in root's store alone"
as_nobody cat "$WORK/store/users/$NOBODY/jobs.db" >/dev/null 2>&1 &&
	die "nobody reads its store's file"

# bgcopy list --all-users: root's command lists both jobs with their
# owners (column 4); nobody, a per-user daemon and an embedded engine
# are refused, each saying why.
sys_bgcopy() { BGCOPY_EMBEDDED=0 BGCOPY_SOCKET=$SOCK "$BGCOPY" --store "$WORK/store" "$@"; }
all=$(sys_bgcopy list --all-users) || die "list --all-users failed"
owner_of() { awk -v name="$1" '$5 == name { print $4 }' <<<"$all"; }
[ "$(owner_of root-job)" = root ] && [ "$(owner_of nobody-job)" = nobody ] ||
	die "list --all-users: $all"
sys_bgcopy list | grep -q nobody-job && die "root's plain list holds nobody's job"
[ "$(sys_bgcopy list --all-users --json | grep -c "\"owner\": $NOBODY,")" = 1 ] ||
	die "list --all-users --json: $(sys_bgcopy list --all-users --json)"
refused() {	# WHY COMMAND...: exit 2 and WHY on stderr
	local why=$1 rc=0; shift
	"$@" > /dev/null 2> "$WORK/refused.err" || rc=$?
	[ "$rc" = 2 ] && grep -q -- "$why" "$WORK/refused.err" ||
		die "$* exited $rc: $(cat "$WORK/refused.err")"
}
refused "is for root" as_nobody env BGCOPY_EMBEDDED=0 BGCOPY_SOCKET=$SOCK \
	"$BGCOPY" --store "$WORK/store" list --all-users
refused "bgcopyd --system" env BGCOPY_EMBEDDED=1 "$BGCOPY" --store "$WORK/own" list --all-users
# A per-user daemon: it returns once it serves, and leaves alone 1 s
# after its last client, whatever happens here.
"$BGCOPYD" --store "$WORK/ustore" --socket "$WORK/run/user.bus" --idle-exit 1 \
	>/dev/null 2>"$WORK/user.err" || die "per-user bgcopyd: $(cat "$WORK/user.err")"
refused "without --system" env BGCOPY_EMBEDDED=0 BGCOPY_SOCKET="$WORK/run/user.bus" \
	"$BGCOPY" --store "$WORK/ustore" list --all-users
# Nobody's files are written as nobody, whoever adds them: root's AddFile
# into a directory only root may write is refused for nobody's job
# (bgcopyd_system_files.sh tests the rest).
expect_error org.bgcopy1.Error.InvalidArgument bus call org.bgcopy1 "$NJOB" \
	org.bgcopy1.Job AddFile ss "$URL/payload.bin" "$WORK/out/n.bin"
bus call org.bgcopy1 "$NJOB" org.bgcopy1.Job AddFile ss "$URL/payload.bin" "$WORK/cmd/n.bin" ||
	die "root's AddFile on nobody's job"

# Nobody's command line runs as nobody: uid, gid, groups and home.
printf '#!/bin/sh\n{ id -u; id -g; id -G; echo "$HOME"; } > %s\n' "$WORK/cmd/ran-as" \
	> "$WORK/cmd/report"
chmod 0755 "$WORK/cmd/report"
nbus call org.bgcopy1 "$NJOB" org.bgcopy1.Job SetNotifyCmdline as 1 "$WORK/cmd/report" ||
	die "SetNotifyCmdline"
nbus call org.bgcopy1 "$NJOB" org.bgcopy1.Job Resume || die "nobody's Resume"
wait_state "$NJOB" TRANSFERRED
for _ in $(seq 100); do [ -s "$WORK/cmd/ran-as" ] && break; sleep 0.05; done
[ -s "$WORK/cmd/ran-as" ] || die "nobody's command line did not run"
expected="$NOBODY
$(id -g nobody)
$(id -G nobody)
$(getent passwd nobody | cut -d: -f6)"
[ "$(cat "$WORK/cmd/ran-as")" = "$expected" ] ||
	die "the command line ran as: $(cat "$WORK/cmd/ran-as"), expected: $expected"
[ "$(stat -c %U "$WORK/cmd/ran-as")" = nobody ] || die "ran-as was written by $(stat -c %U "$WORK/cmd/ran-as")"

# Limits: nobody has 1 of 3, the machine 2 of 5.
nmanager CreateJob s n2 >/dev/null && nmanager CreateJob s n3 >/dev/null || die "nobody's 2nd, 3rd"
expect_error org.bgcopy1.Error.TooManyJobs nmanager CreateJob s n4
nmanager CreateJob s n4 2>&1 | grep -q "max-jobs-per-user 3" || die "the per-user error does not say why"
manager CreateJob s r2 >/dev/null || die "root's 2nd job (5 of 5)"
expect_error org.bgcopy1.Error.TooManyJobs manager CreateJob s r3
manager CreateJob s r3 2>&1 | grep -q "max-jobs 5" || die "the machine error does not say why"
# A job completed leaves room.
bus call org.bgcopy1 "$ROOTJOB" org.bgcopy1.Job Cancel || die "Cancel"
manager CreateJob s r3 >/dev/null || die "no room after a Cancel"

# TakeOwnership: root only; nobody loses the job and its command line.
expect_error org.freedesktop.DBus.Error.AccessDenied nbus call org.bgcopy1 "$NJOB" \
	org.bgcopy1.Job TakeOwnership
bus call org.bgcopy1 "$NJOB" org.bgcopy1.Job TakeOwnership || die "TakeOwnership"
[ "$(prop "$NJOB" Owner)" = "u 0" ] || die "Owner after TakeOwnership: $(prop "$NJOB" Owner)"
[ "$(stored_in 0 "$NJOB_ID")$(stored_in "$NOBODY" "$NJOB_ID")" = 10 ] ||
	die "the job taken did not move to root's store"
expect_error org.bgcopy1.Error.NotFound nmanager GetJob s "$NJOB_ID"
rm -f "$WORK/cmd/ran-as"
make_file second.bin 1000
# A file added to a TRANSFERRED job queues it again.
bus call org.bgcopy1 "$NJOB" org.bgcopy1.Job AddFile ss "$URL/second.bin" "$WORK/out/second.bin" ||
	die "AddFile after TakeOwnership"
wait_state "$NJOB" TRANSFERRED
sleep 0.5
[ -e "$WORK/cmd/ran-as" ] && die "nobody's command line ran after TakeOwnership"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || die "bgcopyd exited $? on SIGTERM"
DAEMON_PID=
[ -e "$SOCK" ] && die "the socket outlived the daemon"
[ -s "$WORK/daemon.err" ] && die "bgcopyd complained: $(cat "$WORK/daemon.err")"
echo "bgcopyd_system: ok"
