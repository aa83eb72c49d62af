# Names and paths that are not UTF-8 through bgcopyd: the bgcopy command,
# a client of the daemon, creates a job named with such bytes and adds a
# file whose local path holds the byte 0xff; bgcopy info shows both as
# the embedded engine does (U+FFFD for what is not UTF-8), and the file
# is written at that very path.
export BGCOPY_EMBEDDED=0
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED BGCOPY_SOCKET
export BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR=

STORE=$WORK/store
bg() { "$BGCOPY" --store "$STORE" "$@"; }
stop_daemon() {
	local pid
	pid=$(head -n 1 "$STORE/lock" 2>/dev/null) && [ -n "$pid" ] &&
		kill "$pid" 2>/dev/null && wait_gone "$pid"
}
trap 'stop_daemon; cleanup' EXIT

start_server
make_file one.bin 100000
mkdir "$WORK/out"
name=$'caf\xe9 \xff'
path=$WORK/out/$'\xff-one.bin'

job=$(bg create "$name") || die "create with a name that is not UTF-8"
pid=$(head -n 1 "$STORE/lock") && [ "$(cat "/proc/$pid/comm")" = bgcopyd ] ||
	die "the command did not go through bgcopyd"
bg add "$job" "http://127.0.0.1:$PORT/one.bin" "$path" || die "add a path holding 0xff"
for form in text json; do
	bg info "$job" $([ $form = json ] && echo --json) > "$WORK/daemon.$form" ||
		die "info ($form) through the daemon"
done
# info shows what is not UTF-8 as U+FFFD (README, Security).
grep -qF "$WORK/out/"$'\xef\xbf\xbd'"-one.bin" "$WORK/daemon.text" ||
	die "info does not show the path: $(cat -v "$WORK/daemon.text")"

# The embedded engine shows the same job byte for byte.
stop_daemon
for form in text json; do
	BGCOPY_EMBEDDED=1 bg info "$job" $([ $form = json ] && echo --json) \
		> "$WORK/embedded.$form" || die "info ($form) embedded"
	cmp "$WORK/daemon.$form" "$WORK/embedded.$form" ||
		die "info ($form) differs: $(diff "$WORK/daemon.$form" "$WORK/embedded.$form" | cat -v)"
done

# Through a daemon again: the bytes reach the file system.
bg resume "$job" && bg wait "$job" >/dev/null && bg complete "$job" >/dev/null ||
	die "the download did not complete"
cmp "$path" "$WORK/www/one.bin" || die "the file at the path holding 0xff is not the server's"
echo "bgcopyd_bytes: ok"
