# bgcopy --system (BGCOPY_OPEN_SYSTEM): root and nobody reach a real
# bgcopyd --system on /run/bgcopy/bus without BGCOPY_SOCKET; with no
# system daemon the command starts none and says how to start it (exit
# 2); a socket another user planted is refused, and nothing reaches it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgcopyd_lib.bash"
needs_root_and_nobody
[ -n "${BGCOPY_TESTS_ISOLATED:-}" ] ||
	{ echo "changes /run/bgcopy: run in the tests' private namespace (tests/run.sh)"; exit 77; }

SOCK=/run/bgcopy/bus
ADDR=unix:path=$SOCK
# refused WHY COMMAND...: exit 2 and WHY on stderr
refused() {
	local why=$1 rc=0; shift
	"$@" > "$WORK/refused.out" 2> "$WORK/refused.err" || rc=$?
	[ "$rc" = 2 ] && grep -qF -- "$why" "$WORK/refused.err" ||
		die "$* exited $rc: $(cat "$WORK/refused.err")"
}
chmod 0711 "$WORK"
start_server
make_file payload.bin 100000
URL=http://127.0.0.1:$PORT
mkdir "$WORK/out"

# No system daemon: one line names the socket and how to start it, and
# no daemon is started (the per-user default store is not opened either).
[ -e "$SOCK" ] && die "$SOCK exists before the test"
NO_DAEMON="no system bgcopyd answers on '$SOCK': root starts it with 'bgcopyd --system'"
refused "$NO_DAEMON" "$BGCOPY" --system list
refused "$NO_DAEMON" as_nobody "$BGCOPY" --system create job
refused "$NO_DAEMON" env BGCOPY_SYSTEM=1 "$BGCOPY" list
[ -e "$SOCK" ] && die "a command started a system daemon"
refused "--store is not for it" "$BGCOPY" --system --store "$WORK/x" list

# A real system daemon: nobody's and root's commands reach it.
"$BGCOPYD" --system --store "$WORK/store" --foreground --max-jobs-per-user 3 \
	2>"$WORK/daemon.err" &
DAEMON_PID=$!
wait_serving "$DAEMON_PID"
NJOB=$(as_nobody "$BGCOPY" --system create nobody-job) || die "nobody's create"
as_nobody "$BGCOPY" --system set-priority "$NJOB" high || die "nobody's set-priority"
as_nobody "$BGCOPY" --system info "$NJOB" | grep -q HIGH || die "nobody's info"
as_nobody "$BGCOPY" --system list | grep -q nobody-job || die "nobody's list"
RJOB=$("$BGCOPY" --system create root-job) || die "root's create"
"$BGCOPY" --system add "$RJOB" "$URL/payload.bin" "$WORK/out/payload.bin" || die "add"
"$BGCOPY" --system resume "$RJOB" && "$BGCOPY" --system wait "$RJOB" >/dev/null &&
	"$BGCOPY" --system complete "$RJOB" >/dev/null || die "root's download"
cmp "$WORK/www/payload.bin" "$WORK/out/payload.bin" || die "the file differs"
as_nobody "$BGCOPY" --system list | grep -q root-job && die "nobody lists root's job"
all=$("$BGCOPY" --system list --all-users) || die "list --all-users"
grep nobody-job <<<"$all" | grep -q nobody || die "list --all-users: $all"
# The environment's BGCOPY_SYSTEM=1 wins over the tests' BGCOPY_EMBEDDED=1.
as_nobody env BGCOPY_SYSTEM=1 "$BGCOPY" list | grep -q nobody-job ||
	die "BGCOPY_SYSTEM=1 did not reach the system daemon"
# bgcopy --system record: the recorded command's engines are clients of
# the system daemon too.
if command -v lttng-sessiond >/dev/null; then
	"$BGCOPY" --system record -o "$WORK/trace" -- "$BGCOPY" list --all-users > "$WORK/recorded.out" \
		2> "$WORK/record.err" || die "record: $(cat "$WORK/record.err")"
	grep -q nobody-job "$WORK/recorded.out" ||
		die "the recorded command did not reach the system daemon: $(cat "$WORK/recorded.out")"
	# Root's recording of a download holds the system daemon's events
	# for its job, and the check judges them.
	"$BGCOPY" --system record --check -o "$WORK/dl-trace" -- "$BGCOPY" --system download \
		"$URL/payload.bin" "$WORK/out/recorded.bin" > "$WORK/recorded.out" 2> "$WORK/record.err" ||
		die "record --check of a download: $(cat "$WORK/record.err" "$WORK/recorded.out")"
	grep -q "^verdict: PASS" "$WORK/recorded.out" || die "the check: $(cat "$WORK/recorded.out")"
	bt "$WORK/dl-trace" 2>/dev/null | grep 'bgcopy:file_complete' | grep -q 'procname = "bgcopyd"' ||
		die "the system daemon's events are not in root's recording"
	cmp "$WORK/www/payload.bin" "$WORK/out/recorded.bin" || die "the recorded download differs"
	# Another user's recording could hold none of them: refused, saying why.
	refused "recording bgcopyd --system's clients is for root" \
		as_nobody "$BGCOPY" --system record -- true
fi
# take-ownership: root's alone; the job leaves nobody's list for root's.
TAKEN=$(as_nobody "$BGCOPY" --system create taken-job) || die "nobody's second create"
refused "take-ownership is for root" as_nobody "$BGCOPY" --system take-ownership "$TAKEN"
"$BGCOPY" --system take-ownership "$TAKEN" || die "root's take-ownership"
as_nobody "$BGCOPY" --system list | grep -q taken-job && die "nobody still lists the job taken"
"$BGCOPY" --system list | grep -q taken-job || die "root does not list the job it took"
# The per-user limit (3 here) through the command, named: nobody has 1.
as_nobody "$BGCOPY" --system create n2 >/dev/null && as_nobody "$BGCOPY" --system create n3 \
	>/dev/null || die "nobody's 2nd and 3rd jobs"
refused "max-jobs-per-user 3" as_nobody "$BGCOPY" --system create n4
as_nobody "$BGCOPY" --system cancel "$NJOB" || die "nobody's cancel"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || die "bgcopyd exited $? on SIGTERM"
DAEMON_PID=
[ -s "$WORK/daemon.err" ] && die "bgcopyd complained: $(cat "$WORK/daemon.err")"

# nobody plants a daemon of its own on the system socket while
# /run/bgcopy lets it: refused, by the directory and then by the socket's
# owner, and root's create never reaches it.
chmod 1777 /run/bgcopy
mkdir "$WORK/nobody" && chown nobody "$WORK/nobody"
as_nobody "$BGCOPYD" --store "$WORK/nobody/store" --socket "$SOCK" 2>"$WORK/planted.err" ||
	die "the planted daemon did not start: $(cat "$WORK/planted.err")"
PLANTED=$(head -n 1 "$WORK/nobody/store/lock") || die "no planted daemon"
refused "'/run/bgcopy' (uid 0, mode 1777) is not root's alone" "$BGCOPY" --system create x
refused "'/run/bgcopy' (uid 0, mode 1777) is not root's alone" as_nobody "$BGCOPY" --system list
chmod 0755 /run/bgcopy
refused "'$SOCK' (uid $(id -u nobody), mode 0600) is not root's alone" \
	"$BGCOPY" --system create x
[ "$(as_nobody busctl --address="$ADDR" call org.bgcopy1 /org/bgcopy1 org.bgcopy1.Manager \
	ListJobs)" = "a(sssuo) 0" ] || die "a job reached the planted daemon"
kill "$PLANTED" && wait_gone "$PLANTED"
rm -f "$SOCK"	# the planted daemon may not remove it from root's directory
echo "bgcopyd_system_client: ok"
