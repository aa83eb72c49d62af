# The bgcopy command through bgcopyd: started on demand (two clients
# racing start one daemon), every verb, several commands at once (list
# and cancel while a download waits, monitor), the embedded engine forced,
# a wait whose daemon is killed.
export BGCOPY_EMBEDDED=0
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED BGCOPY_SOCKET
export BGCOPYD_IDLE_EXIT=60

STORE=$WORK/store
SOCK=$STORE/bgcopyd.bus
export XDG_RUNTIME_DIR=
bg() { "$BGCOPY" --store "$STORE" --test-short-retry "$@"; }
# The daemon holds the store; its pid is the store's lock holder.
daemon_pid() { [ -S "$SOCK" ] && head -n 1 "$STORE/lock" 2>/dev/null; }
stop_daemon() {
	local pid
	pid=$(daemon_pid) || return 0
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait_gone "$pid"
}
trap 'stop_daemon; cleanup' EXIT

start_server
make_file one.bin 300000
make_file two.bin 100000
make_file big.bin 2000000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT

# On demand: two commands racing on a fresh store start one daemon.
[ -e "$SOCK" ] && die "a daemon before any command"
bg create first > "$WORK/first" & a=$!
bg create second > "$WORK/second" & b=$!
wait $a || die "first racing create failed"
wait $b || die "second racing create failed"
pid=$(daemon_pid) || die "no daemon after the first commands"
[ "$(cat /proc/$pid/comm)" = bgcopyd ] || die "the store is held by $(cat /proc/$pid/comm), not bgcopyd"
[ "$(pgrep -c -f -- "--store $STORE ")" = 1 ] || die "more than one daemon for the store"
bg list | grep -q first && bg list | grep -q second || die "a racing create's job is missing"

# Every verb, through the daemon.
job=$(cat "$WORK/first")
bg add "$job" "$URL/one.bin" "$WORK/out/one.bin" || die "add"
bg add "$job" "$URL/two.bin" out/two.bin 2>/dev/null && die "a relative path outside the working directory"
(cd "$WORK" && bg add "$job" "$URL/two.bin" out/two.bin) || die "add with a relative path"
expect_exit 2 bg add "$job" "gopher://x/y" "$WORK/out/y"
grep -q gopher "$WORK/last.err" || die "bad scheme not named: $(cat "$WORK/last.err")"
bg set-priority "$job" high || die "set-priority"
expect_exit 2 bg set-flags "$job" 0x40
bg set-flags "$job" 0x13 || die "set-flags"
bg set-retry-delay "$job" 1 || die "set-retry-delay"
bg set-no-progress-timeout "$job" 99 || die "set-no-progress-timeout"
bg set-max-download "$job" 1000000 || die "set-max-download"
bg set-redirect-policy "$job" disallow || die "set-redirect-policy"
bg set-notify-cmd "$job" /bin/true --token=s3cret || die "set-notify-cmd"
expect_exit 2 bg set-notify-cmd-timeout "$job" 0
bg set-notify-cmd-timeout "$job" 30 || die "set-notify-cmd-timeout"
bg info "$job" --json > "$WORK/info.json" || die "info"
for want in '"state": "SUSPENDED"' '"priority": "HIGH"' '"notify_flags": 19' \
	    '"min_retry_delay": 1,' '"no_progress_timeout": 99,' '"files_total": 2' \
	    '"max_download_size": 1000000' '"redirect_policy": "disallow"' \
	    '"notify_cmdline": "/bin/true (+1 argument)"' '"notify_cmdline_timeout": 30' \
	    "\"local_path\": \"$WORK/out/two.bin\""; do
	grep -qF "$want" "$WORK/info.json" || die "info --json lacks $want: $(cat "$WORK/info.json")"
done
grep -q s3cret "$WORK/info.json" && die "info --json shows the arguments"
bg info "$job" --show-args | grep -q "command line '/bin/true --token=s3cret'" ||
	die "info --show-args hides the arguments"
bg clear-notify-cmd "$job" || die "clear-notify-cmd"
bg suspend "$job" || die "suspend"
bg resume "$job" || die "resume"
timeout 20 "$BGCOPY" --store "$STORE" wait "$job" > "$WORK/wait.out" || die "wait"
grep -q TRANSFERRED "$WORK/wait.out" || die "wait did not report TRANSFERRED"
bg complete "$job" || die "complete"
cmp "$WORK/www/one.bin" "$WORK/out/one.bin" && cmp "$WORK/www/two.bin" "$WORK/out/two.bin" ||
	die "files differ"
# Completed, it is gone for a command after it, as from a reopened store.
expect_exit 2 bg resume "$job"
grep -q "no job '$job'" "$WORK/last.err" || die "final job: $(cat "$WORK/last.err")"
expect_exit 2 bg resume 00000000
grep -q "no job '00000000'" "$WORK/last.err" || die "unknown job: $(cat "$WORK/last.err")"
bg cancel "$(cat "$WORK/second")" || die "cancel"
bg list --json | grep -q '"id"' && die "a final job is still listed"

# A job error: exit 1, the error named; run waits for the daemon's jobs.
bad=$(bg create bad)
bg add "$bad" "$URL/fault/404/one.bin" "$WORK/out/bad.bin"
bg resume "$bad"
expect_exit 1 timeout 20 "$BGCOPY" --store "$STORE" wait "$bad"
grep -q "HTTP 404" "$WORK/last.err" || die "404 not named: $(cat "$WORK/last.err")"
expect_exit 1 timeout 20 "$BGCOPY" --store "$STORE" run
bg cancel "$bad" || die "cancel"

# An expected digest travels to the daemon: a bad one is refused at add,
# a wrong one ends the job in ERROR naming both digests.
sum=$(bg create digest)
expect_exit 2 bg add "$sum" "$URL/one.bin" "$WORK/out/sum.bin" --sha256 xyz
grep -q "is not a SHA-256" "$WORK/last.err" || die "bad digest: $(cat "$WORK/last.err")"
zeros=0000000000000000000000000000000000000000000000000000000000000000
bg add "$sum" "$URL/one.bin" "$WORK/out/sum.bin" --sha256 $zeros || die "add --sha256"
bg resume "$sum"
expect_exit 1 timeout 20 "$BGCOPY" --store "$STORE" wait "$sum"
grep -q "SHA-256 mismatch: expected $zeros" "$WORK/last.err" ||
	die "a wrong digest through the daemon: $(cat "$WORK/last.err")"
# Credentials and headers travel to the daemon; only the scheme and the
# header names come back.
echo 's3cret-pw' > "$WORK/pw"
bg set-credentials "$sum" --user bob --scheme digest --password-file "$WORK/pw" ||
	die "set-credentials through the daemon"
printf 'X-Token: s3cret-h\nX-Other: 1\n' > "$WORK/headers"
bg set-headers "$sum" --file "$WORK/headers" || die "set-headers through the daemon"
bg info "$sum" --json > "$WORK/sum.json"
grep -q '"credentials": "digest"' "$WORK/sum.json" && grep -q '"header_names": "X-Token, X-Other"' "$WORK/sum.json" ||
	die "credentials or headers not seen through the daemon: $(cat "$WORK/sum.json")"
grep -q 's3cret' "$WORK/sum.json" && die "a secret came back through the daemon"
bg set-credentials "$sum" --clear && bg set-headers "$sum" --clear || die "clearing them"
bg info "$sum" --json | grep -q '"credentials": "none"' || die "credentials not cleared"
bg cancel "$sum" || die "cancel"

# A traced command (bgcopy record sets BGCOPY_TRACE) uses the daemon that
# holds the store rather than fail on its lock.
traced=$(BGCOPY_TRACE=1 bg create traced 2> "$WORK/traced.err") ||
	die "a traced command beside the daemon: $(cat "$WORK/traced.err")"
bg cancel "$traced" || die "cancel the traced command's job"

# Several commands at once: list and cancel while a download waits.
bg download "$URL/fault/slow:200000/big.bin" "$WORK/out/big.bin" 2> "$WORK/download.err" &
dl=$!
for _ in $(seq 100); do bg list | grep -q TRANSFERRING && break; sleep 0.05; done
slow=$(bg list | awk '/TRANSFERRING/ { print $1 }')
[ -n "$slow" ] || die "list while a download runs: $(bg list)"
bg cancel "$slow" || die "cancel while the download waits"
wait $dl
rc=$?
[ $rc = 1 ] || die "the cancelled download exited $rc"
grep -q "cancelled by another program" "$WORK/download.err" || die "download: $(cat "$WORK/download.err")"
[ ! -e "$WORK/out/big.bin" ] || die "a cancelled download left its file"

# A plain download, then the embedded engine forced: the store is busy.
bg download "$URL/two.bin" "$WORK/out/again.bin" || die "download through the daemon"
cmp "$WORK/www/two.bin" "$WORK/out/again.bin" || die "downloaded file differs"
expect_exit 2 env BGCOPY_EMBEDDED=1 "$BGCOPY" --store "$STORE" create x
grep -q "in use by pid $(daemon_pid)" "$WORK/last.err" || die "embedded beside the daemon: $(cat "$WORK/last.err")"

# monitor streams every state each job enters, in order, however short:
# a download by another command, whose states last a few ms, under an
# --interval of 60 s (the progress interval alone: a sampling monitor
# would show one state).  The order is the engine's own, which
# test_change_hook proves for an embedded engine and for a client.
ready=$(bg create ready)
"$BGCOPY" --store "$STORE" monitor --interval 60000 > "$WORK/monitor.out" 2>&1 &
mon=$!
monitor_shows() {	# JOB STATE: waits for the line, up to 20 s
	for _ in $(seq 400); do grep -q " $1 $2 " "$WORK/monitor.out" && return 0; sleep 0.05; done
	die "monitor missed $1 $2: $(cat "$WORK/monitor.out")"
}
monitor_shows "$ready" SUSPENDED	# its first lines: every job's state
bg download --json "$URL/two.bin" "$WORK/out/streamed.bin" > "$WORK/streamed.json" ||
	die "download while monitor runs"
streamed=$(sed -n 's/.*"job":"\([^"]*\)".*/\1/p' "$WORK/streamed.json" | head -n 1)
[ -n "$streamed" ] || die "download --json named no job: $(cat "$WORK/streamed.json")"
monitor_shows "$streamed" ACKNOWLEDGED
states=$(awk -v id="$streamed" '$2 == id { print $3 }' "$WORK/monitor.out" | uniq | tr '\n' ' ')
[ "$states" = "SUSPENDED QUEUED CONNECTING TRANSFERRING TRANSFERRED ACKNOWLEDGED " ] ||
	die "monitor's states of the download: $states; $(cat "$WORK/monitor.out")"
grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} $streamed ACKNOWLEDGED +100000/100000 bytes 1/1 files download streamed.bin$" \
	"$WORK/monitor.out" || die "monitor's line: $(grep "$streamed" "$WORK/monitor.out")"
kill -TERM $mon
wait $mon || die "monitor did not exit 0 on SIGTERM"
expect_exit 2 bg monitor --interval 5
bg cancel "$ready" || die "cancel"
# Embedded too (a store no daemon serves): every job's state, then the
# changes of this process's engine; Ctrl-C ends it, exit 0.
quiet=$(BGCOPY_EMBEDDED=1 "$BGCOPY" --store "$WORK/embedded" create quiet)
BGCOPY_EMBEDDED=1 "$BGCOPY" --store "$WORK/embedded" monitor > "$WORK/embedded.out" 2>&1 &
mon=$!
for _ in $(seq 400); do grep -q " $quiet SUSPENDED " "$WORK/embedded.out" && break; sleep 0.05; done
grep -q " $quiet SUSPENDED " "$WORK/embedded.out" || die "embedded monitor: $(cat "$WORK/embedded.out")"
kill -INT $mon
wait $mon || die "embedded monitor did not exit 0 on SIGINT"

# The daemon killed while a command waits on a job: the wait ends,
# naming the lost connection; the next command starts another daemon.
stuck=$(bg create stuck)
bg add "$stuck" "$URL/fault/slow:200000/big.bin" "$WORK/out/stuck.bin"
bg resume "$stuck"
timeout 60 "$BGCOPY" --store "$STORE" wait "$stuck" > /dev/null 2> "$WORK/stuck.err" &
waiter=$!
for _ in $(seq 400); do bg info "$stuck" | grep -q "epoch 1," && break; sleep 0.05; done
bg info "$stuck" | grep -q "epoch 1," || die "the wait never registered: $(bg info "$stuck")"
"$BGCOPY" --store "$STORE" monitor > "$WORK/lost-monitor.out" 2> "$WORK/lost-monitor.err" &
mon=$!
for _ in $(seq 400); do grep -q " $stuck " "$WORK/lost-monitor.out" && break; sleep 0.05; done
grep -q " $stuck " "$WORK/lost-monitor.out" || die "monitor never showed $stuck"
old=$(daemon_pid)
kill -9 "$old"; wait_gone "$old"
wait $waiter
rc=$?
[ $rc = 1 ] || die "wait exited $rc once the daemon was killed: $(cat "$WORK/stuck.err")"
grep -q "the connection to bgcopyd on '$SOCK' was lost" "$WORK/stuck.err" ||
	die "wait once the daemon was killed: $(cat "$WORK/stuck.err")"
# monitor too ends, exit 2, naming it.
wait $mon
rc=$?
[ $rc = 2 ] || die "monitor exited $rc once the daemon was killed: $(cat "$WORK/lost-monitor.err")"
grep -q "the connection to bgcopyd on '$SOCK' was lost" "$WORK/lost-monitor.err" ||
	die "monitor once the daemon was killed: $(cat "$WORK/lost-monitor.err")"
bg list > /dev/null && bg create after > /dev/null || die "a command after the daemon was killed"
[ "$(daemon_pid)" != "$old" ] || die "no new daemon"
# A daemon in the background says what goes wrong in the store's log,
# its owner's alone, which the next daemon appends to.
new=$(daemon_pid)
[ "$(stat -c %a "$STORE/bgcopyd.log")" = 600 ] || die "bgcopyd.log is not 0600"
grep -q "^bgcopyd: pid $old serves store '$STORE' from 20" "$STORE/bgcopyd.log" &&
	grep -q "^bgcopyd: pid $new serves store '$STORE' from 20" "$STORE/bgcopyd.log" ||
	die "the log does not hold both daemons: $(cat "$STORE/bgcopyd.log")"
echo "bgcopyd client ok"
