# A job's maximum download time (BITS' SetMaximumDownloadTime): a slow
# file past it ends the job in ERROR with the context MAX_DOWNLOAD_TIME,
# traced; a resume with no limit (0) transfers it; a job within its limit
# transfers; the limit is stored (every bgcopy run reopens the store).
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
# 60000 bytes at 20000 bytes/s: 3 s at the least, past a 1 s limit.
make_file slow.bin 60000
make_file fast.bin 60000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
bg() { traced "$BGCOPY" --store "$WORK/store" "$@"; }

start_session "$WORK/trace"
slow=$(bg create slow) && bg add "$slow" "$URL/fault/slow:20000/slow.bin" "$WORK/out/slow.bin" ||
	die "create slow"
bg set-max-download-time "$slow" 1 || die "set-max-download-time"
fast=$(bg create fast) && bg add "$fast" "$URL/fast.bin" "$WORK/out/fast.bin" || die "create fast"
bg set-max-download-time "$fast" 600 || die "set-max-download-time (fast)"
bg info "$slow" --json | grep -q '"max_download_time": 1,' || die "the limit is not stored"
bg info "$slow" | grep -q "max download time 1s" || die "info does not show the limit"
rc=0; bg set-max-download-time "$slow" -1 2>/dev/null || rc=$?
[ "$rc" = 2 ] || die "a negative limit: exit $rc"

bg resume "$fast" && bg wait "$fast" || { bg info "$fast" >&2; die "the fast job did not transfer"; }
bg resume "$slow" || die "resume slow"
rc=0; bg wait "$slow" || rc=$?
[ "$rc" = 1 ] || die "slow job: wait exit $rc, not 1 (ERROR)"
bg info "$slow" --json > "$WORK/slow.json"
grep -q '"context": 6,' "$WORK/slow.json" && grep -q 'maximum download time of 1000 ms' "$WORK/slow.json" ||
	die "the error is not the maximum download time's: $(cat "$WORK/slow.json")"
# No limit, and a resume starts the count again: the file comes.
bg set-max-download-time "$slow" 0 && bg resume "$slow" && bg wait "$slow" ||
	{ bg info "$slow" >&2; die "the slow job did not transfer without a limit"; }
bg complete "$slow" > /dev/null && bg complete "$fast" > /dev/null || die "complete"
cmp -s "$WORK/www/slow.bin" "$WORK/out/slow.bin" || die "slow.bin differs"
stop_session

bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q '( "MAX_DOWNLOAD_TIME" : container = 15 ), value = "1000"' "$WORK/trace.txt" ||
	die "the trace does not say the limit was set"
grep "bgcopy:state_change:" "$WORK/trace.txt" | grep -F "job = \"$slow\"" |
	grep -q 'error_context = ( "MAX_DOWNLOAD_TIME" : container = 6 )' ||
	die "the trace does not give the error its context"
echo "maximum download time: past it ERROR (MAX_DOWNLOAD_TIME), 0 no limit, within it transferred"
