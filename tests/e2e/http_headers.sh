# A job's custom headers: sent on each request of its files and on a
# redirect to the same origin, not on one to another port; stored (every
# bgcopy run reopens the store); names shown by info and the trace, values
# nowhere; 16 KiB at most.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/b"
start_server "$WORK/b"
PORT_B=$PORT
PID_B=$SERVER_PID
stop_all() { kill "$PID_B" 2>/dev/null; cleanup; }
trap stop_all EXIT
start_server
start_sessiond
make_file s.bin 30000
cp "$WORK/www/s.bin" "$WORK/www/r.bin"
cp "$WORK/www/s.bin" "$WORK/www/o.bin"
mkdir -p "$WORK/out"
SECRET=hdr-secret-9931
printf 'X-Token: %s\r\nX-Plain: plain-1\n\n' "$SECRET" > "$WORK/headers"

bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }
run_job() {	# NAME URL: one job with the headers, to TRANSFERRED and complete
	local job
	job=$(bg create "$1") || die "create $1"
	bg add "$job" "$2" "$WORK/out/$1.bin" || die "add $1"
	bg set-headers "$job" --file "$WORK/headers" || die "set-headers $1"
	bg info "$job" > "$WORK/info-$1.txt" || die "info $1"
	bg info "$job" --json > "$WORK/info-$1.json" || die "info --json $1"
	bg resume "$job" || die "resume $1"
	bg wait "$job" > /dev/null || die "$1 did not transfer"
	bg complete "$job" > /dev/null || die "complete $1"
	cmp -s "$WORK/www/s.bin" "$WORK/out/$1.bin" || die "$1.bin differs"
}
tokens() { grep -c "^HEADER X-Token: $SECRET\$" "$1"; }

start_session "$WORK/trace"
run_job direct "http://127.0.0.1:$PORT/headers/s.bin"
[ "$(tokens "$WORK/server.log")" = 1 ] || die "the headers were not sent"
grep -q "^HEADER X-Plain: plain-1$" "$WORK/server.log" || die "X-Plain not sent"
grep -q "headers 'X-Token, X-Plain'" "$WORK/info-direct.txt" || die "info does not name the headers"
grep -q '"header_names": "X-Token, X-Plain"' "$WORK/info-direct.json" || die "info --json"
run_job same "http://127.0.0.1:$PORT/fault/redirect/headers/r.bin"
[ "$(tokens "$WORK/server.log")" = 2 ] || die "not sent after a redirect to the same origin"
run_job other "http://127.0.0.1:$PORT/fault/redirect-http:$PORT_B/headers/o.bin"
grep -q "GET /headers/o.bin" "$WORK/b/server.log" || die "the redirect was not followed"
if grep -q "^HEADER" "$WORK/b/server.log"; then die "headers went to another origin"; fi

job=$(bg create cleared) || die "create"
bg set-headers "$job" --file "$WORK/headers" || die "set-headers"
bg set-headers "$job" --clear || die "--clear"
bg info "$job" | grep -q "headers ''" || die "--clear left headers"
head -c 17000 /dev/zero | tr '\0' 'a' | sed 's/^/X-Big: /' > "$WORK/big"
rc=0; bg set-headers "$job" --file "$WORK/big" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || die "17000 bytes of headers: exit $rc, not 2"
printf 'Range: bytes=0-\n' > "$WORK/range"
rc=0; bg set-headers "$job" --file "$WORK/range" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || die "a Range header: exit $rc, not 2"
bg list --json > "$WORK/list.json" || die "list"
stop_session

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -qF '( "HEADERS" : container = 11 ), value = "X-Token, X-Plain"' "$WORK/trace.txt" ||
	die "the trace does not name the headers"
if grep -rqF -e "$SECRET" -e plain-1 "$WORK/trace" "$WORK/trace.txt" "$WORK/list.json" \
	"$WORK"/info-*; then
	die "a header value was shown"
fi
echo "headers: sent to the origin, kept from another, names only shown"
