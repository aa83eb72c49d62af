# Dynamic content (BITS_JOB_PROPERTY_DYNAMIC_CONTENT), against testd's raw
# port: without the flag a body with no length is a permanent error that
# names the flag; with it the body is taken, an interrupted one starts
# again from byte 0 (no Range asked, the trace says why), and the maximum
# download size still caps it; the flag is stored (every bgcopy run
# reopens the store).
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
RAWPORT=$(cat "$WORK/port.raw")
[ -n "$RAWPORT" ] || die "testd wrote no raw port"
RAW=http://127.0.0.1:$RAWPORT/raw
for f in plain dyn cut capped ranged; do make_file "$f.bin" 40000; done
mkdir -p "$WORK/out"
bg() { traced "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }
new_job() {	# NAME URL
	local job
	job=$(bg create "$1") && bg add "$job" "$2" "$WORK/out/$1.bin" &&
		bg set-retry-delay "$job" 1 || die "create $1"
	echo "$job"
}

start_session "$WORK/trace"
plain=$(new_job plain "$RAW/http10/plain.bin")
dyn=$(new_job dyn "$RAW/http10/dyn.bin")
bg set-dynamic-content "$dyn" on || die "set-dynamic-content"
cut=$(new_job cut "$RAW/http10-reset:10000/cut.bin")
bg set-dynamic-content "$cut" on || die "set-dynamic-content (cut)"
# A server that offers ranges and an ETag: still asked for the whole file.
ranged=$(new_job ranged "http://127.0.0.1:$PORT/fault/reset:10000/ranged.bin")
bg set-dynamic-content "$ranged" on || die "set-dynamic-content (ranged)"
capped=$(new_job capped "$RAW/http10/capped.bin")
bg set-dynamic-content "$capped" on && bg set-max-download "$capped" 20000 || die "capped"
bg info "$dyn" --json | grep -q '"dynamic_content": true' || die "the flag is not stored"
bg info "$dyn" | grep -q "dynamic content on" || die "info does not show the flag"
rc=0; bg set-dynamic-content "$dyn" maybe 2>/dev/null || rc=$?
[ "$rc" = 2 ] || die "set-dynamic-content maybe: exit $rc"

for job in "$plain" "$dyn" "$cut" "$capped" "$ranged"; do bg resume "$job" || die "resume"; done
# The cut job is waited for first: its reset comes once, and an engine
# that closed once another job was done could end that first attempt before
# it read a byte, leaving nothing to start over from (run 8 of a series).
for job in "$cut" "$dyn" "$ranged"; do
	bg wait "$job" || { bg info "$job" >&2; die "job $job did not transfer"; }
done
for job in "$plain" "$capped"; do
	rc=0; bg wait "$job" || rc=$?
	[ "$rc" = 1 ] || die "job $job: wait exit $rc, not 1 (ERROR)"
done
bg info "$plain" --json | grep -q "with the dynamic content flag takes it" ||
	die "the error does not name the flag: $(bg info "$plain" --json)"
bg info "$capped" --json | grep -q "maximum download size of 20000 bytes" ||
	die "the maximum download size did not cap dynamic content"
for job in "$dyn" "$cut" "$ranged"; do bg complete "$job" > /dev/null || die "complete"; done
for f in dyn cut ranged; do cmp -s "$WORK/www/$f.bin" "$WORK/out/$f.bin" || die "$f.bin differs"; done
stop_session

# The cut files were asked for again, never with a Range.
for path in /raw/http10-reset:10000/cut.bin /fault/reset:10000/ranged.bin; do
	[ "$(grep -c "$path" "$WORK/server.log")" -ge 2 ] ||
		die "$path was not asked for again: $(cat "$WORK/server.log")"
	grep "$path" "$WORK/server.log" | grep -q "bytes=" &&
		die "dynamic content was resumed with a Range ($path)"
done
bt "$WORK/trace" > "$WORK/trace.txt" || die "trace unreadable"
grep -q '( "DYNAMIC_CONTENT" : container = 16 ), value = "1"' "$WORK/trace.txt" ||
	die "the trace does not say the flag was set"
grep "bgcopy:transfer:" "$WORK/trace.txt" | grep -F "job = \"$cut\"" |
	grep -q 'restart = ( "DYNAMIC_CONTENT" : container = 5 )' ||
	die "the trace does not say why the cut file started over"
echo "dynamic content: refused without the flag, taken with it, restarted from 0, capped"
