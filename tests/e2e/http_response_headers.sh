# Each file's last HTTP response headers (DO's HTTP_RESPONSE_HEADERS):
# shown by info --headers, kept across a restart (every bgcopy run
# reopens the store) and through bgcopyd; never a Set-Cookie value, nor
# the user info, password or query of a Content-Location, in info, the
# store or the trace.
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file h.bin 30000
make_file d.bin 30000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }

start_session "$WORK/trace"
job=$(bg create headers) && bg add "$job" "$URL/headers/h.bin" "$WORK/out/h.bin" ||
	die "create"
bg info "$job" --headers | grep -q "file 0 response headers: none" ||
	die "a file not yet asked for has headers"
bg resume "$job" && bg wait "$job" || { bg info "$job" >&2; die "the job did not transfer"; }
stop_session
bg info "$job" --headers > "$WORK/info.txt" || die "info --headers"
bg info "$job" --headers --json > "$WORK/info.json" || die "info --headers --json"
grep -q "^    HTTP/1.1 200" "$WORK/info.txt" &&
	grep -q "^    X-Testd-Note: shown-value" "$WORK/info.txt" &&
	grep -q "^    Content-Length: 30000" "$WORK/info.txt" ||
	die "info --headers does not show the response: $(cat "$WORK/info.txt")"
grep -qi "^    Set-Cookie: (not kept)" "$WORK/info.txt" ||
	die "the cookie's name is not shown alone: $(cat "$WORK/info.txt")"
grep -qi "^    Content-Location: http://127.0.0.1/x" "$WORK/info.txt" ||
	die "the Content-Location is not redacted: $(cat "$WORK/info.txt")"
grep -q '"response_headers": "HTTP/1.1 200' "$WORK/info.json" || die "no response_headers in JSON"
bg info "$job" | grep -q "response headers" && die "info shows headers without --headers"
cp -r "$WORK/store" "$WORK/store-kept"	# as it holds the job, before complete
bg complete "$job" > /dev/null || die "complete"

# Through bgcopyd, with the daemon restarted in between.
DSTORE=$WORK/dstore
stop_daemon() { stop_store_daemon "$DSTORE"; }
trap 'stop_daemon; cleanup' EXIT
d() { BGCOPY_EMBEDDED=0 BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR= "$BGCOPY" --store "$DSTORE" "$@"; }
djob=$(d create daemon) && d add "$djob" "$URL/headers/d.bin" "$WORK/out/d.bin" ||
	die "create through the daemon"
d resume "$djob" && d wait "$djob" || die "the daemon's job did not transfer"
stop_daemon
d info "$djob" --headers > "$WORK/dinfo.txt" || die "info --headers through the daemon"
grep -q "^    X-Testd-Note: shown-value" "$WORK/dinfo.txt" ||
	die "the daemon's restart lost the headers: $(cat "$WORK/dinfo.txt")"
cp -r "$DSTORE" "$WORK/dstore-kept"
d cancel "$djob" > /dev/null
stop_daemon

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -rqF shown-value "$WORK/store-kept" || die "the store does not keep the headers"
for secret in cookie-secret-4417 loc-pw-8812 loc-token-5150 loc-user; do
	if grep -rqF -e "$secret" "$WORK/info.txt" "$WORK/info.json" "$WORK/dinfo.txt" \
		"$WORK/trace" "$WORK/trace.txt" "$WORK/store-kept" "$WORK/dstore-kept"; then
		die "$secret was kept or shown"
	fi
done
echo "response headers: shown by info --headers, kept through a restart and bgcopyd, no secret kept"
