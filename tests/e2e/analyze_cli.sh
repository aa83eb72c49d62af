# bgcopy-analyze's command line: --version names the package's version
# (tracer/bgcopy.pc.in) and the trace schemas; --live on a port whose
# server is no LTTng relay daemon (one that never answers, one that
# answers HTTP) gives up on one line within the 5 s its help promises,
# exit 3.
. "$(dirname "$0")/lib.sh"

pc=$(dirname "$0")/../../tracer/bgcopy.pc.in
want=$(sed -n 's/^Version: //p' "$pc")
out=$(LD_PRELOAD=$BT_PRELOAD "$ANALYZE" --version) || die "--version: exit $?"
echo "$out"
[[ $out =~ ^bgcopy-analyze\ $want\ \(trace\ schemas\ 1\ to\ [0-9]+\;\ babeltrace2\ [0-9.]+\)$ ]] ||
	die "--version says \"$out\", not version $want"

# listen MODE: a server on a free port (silent: takes connections and
# never answers; http: answers 400 to anything); sets LPORT and LPID.
listen() {
	rm -f "$WORK/lport"
	timeout 60 python3 - "$1" "$WORK/lport" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[2] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    if sys.argv[1] == "http":
        c.recv(4096)
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        c.close()
PY
	LPID=$!
	for _ in $(seq 100); do [ -s "$WORK/lport" ] && break; sleep 0.05; done
	LPORT=$(cat "$WORK/lport") || die "the $1 server did not start"
}

# gives_up MODE: --live at that server ends on one line within 7 s.
gives_up() {
	local start end rc
	listen "$1"
	start=$(date +%s%N)
	LD_PRELOAD=$BT_PRELOAD timeout 60 "$ANALYZE" --live "net://127.0.0.1:$LPORT/host/h/s" \
		> "$WORK/$1.out" 2> "$WORK/$1.err"
	rc=$?
	end=$(date +%s%N)
	kill "$LPID" 2>/dev/null
	cat "$WORK/$1.err"
	[ $rc = 3 ] || die "--live at a $1 server: exit $rc, expected 3"
	[ "$(wc -l < "$WORK/$1.err")" = 1 ] || die "--live at a $1 server: not one line"
	grep -q "^bgcopy-analyze: net://127.0.0.1:$LPORT is no LTTng relay daemon: " "$WORK/$1.err" ||
		die "--live at a $1 server does not say it is no relay daemon"
	[ $(( (end - start) / 1000000 )) -lt 7000 ] ||
		die "--live at a $1 server took $(( (end - start) / 1000000 )) ms"
	echo "ok   --live at a $1 server: one line, exit 3, in $(( (end - start) / 1000000 )) ms"
}

gives_up silent
gives_up http
