# URLs in the trace carry no user info, password or query string, and a
# notify command line shows its program, not its arguments.
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file s.bin 50000
mkdir -p "$WORK/out"
start_session "$WORK/trace"
traced "$BGCOPY" --store "$WORK/store" download \
	"http://user:secret@127.0.0.1:$PORT/s.bin?token=abc" "$WORK/out/s.bin" ||
	die "download failed"
job=$(traced "$BGCOPY" --store "$WORK/store" create cmd) || die "create failed"
traced "$BGCOPY" --store "$WORK/store" add "$job" "http://127.0.0.1:$PORT/s.bin" \
	"$WORK/out/t.bin" || die "add failed"
traced "$BGCOPY" --store "$WORK/store" set-notify-cmd "$job" /bin/true --key=secret ||
	die "set-notify-cmd failed"
traced "$BGCOPY" --store "$WORK/store" resume "$job" || die "resume failed"
traced "$BGCOPY" --store "$WORK/store" wait "$job" || die "wait failed"
stop_session
bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q 'url = "http://127.0.0.1:'"$PORT"'/s.bin"' "$WORK/trace.txt" ||
	die "redacted URL not in the trace"
grep -q 'value = "/bin/true (+1 argument)"' "$WORK/trace.txt" ||
	die "the command line is not shown as its program"
if grep -rq -e secret -e 'token=abc' "$WORK/trace"; then die "a secret reached the trace"; fi
if grep -q -e secret -e 'token=abc' "$WORK/trace.txt"; then die "a secret reached the trace"; fi
echo "no secrets in the trace"
