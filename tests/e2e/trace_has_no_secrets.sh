# URLs in the trace carry no user info, password or query string.
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file s.bin 50000
mkdir -p "$WORK/out"
start_session "$WORK/trace"
traced "$BGCOPY" --store "$WORK/store" download \
	"http://user:secret@127.0.0.1:$PORT/s.bin?token=abc" "$WORK/out/s.bin" ||
	die "download failed"
stop_session
bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q 'url = "http://127.0.0.1:'"$PORT"'/s.bin"' "$WORK/trace.txt" ||
	die "redacted URL not in the trace"
if grep -rq -e secret -e 'token=abc' "$WORK/trace"; then die "a secret reached the trace"; fi
if grep -q -e secret -e 'token=abc' "$WORK/trace.txt"; then die "a secret reached the trace"; fi
echo "no secrets in the trace"
